/*
 * Hyper-V shutdown integration service: the host asks the guest to power
 * off, reboot or hibernate, and the guest answers whether it will.
 *
 * QOM interface:
 *   request   (write) poweroff, reboot or hibernate, each optionally with
 *             "-force" (flags 0, 2, 4, or'ed with 1), or a number sent as
 *             the flags as is; fails when the service is not ready
 *   result    none, pending, ok, or "failed 0x<status>" for the last request
 *   request   (read) the last request, as written
 *
 * Part of openlis's emulated Hyper-V host (tests/host/).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "hv-ic.h"

#define TYPE_HV_SHUTDOWN "hv-shutdown"
OBJECT_DECLARE_SIMPLE_TYPE(HvShutdown, HV_SHUTDOWN)

#define HV_SHUTDOWN_GUID "0e0b6031-5213-4934-818b-38d90ced39db"
#define HV_SHUTDOWN_INSTANCE "b6650ff7-33bc-4840-8048-e0676786f393"

#define HV_SHUTDOWN_FORCE       0x1
#define HV_SHUTDOWN_REBOOT      0x2
#define HV_SHUTDOWN_HIBERNATE   0x4

typedef struct HvShutdownMsg {
    uint32_t reason;
    uint32_t timeout_s;
    uint32_t flags;
    uint8_t message[2048];
} QEMU_PACKED HvShutdownMsg;

typedef enum HvShutdownResult {
    HV_SHUTDOWN_NONE,
    HV_SHUTDOWN_PENDING,
    HV_SHUTDOWN_DONE,
} HvShutdownResult;

struct HvShutdown {
    HvIc parent_obj;

    uint32_t timeout_s;
    char *last_request;
    HvShutdownResult result;
    uint32_t status;
};

static const HvIcVersion hv_shutdown_versions[] = {
    { 3, 2 },
    { 3, 1 },
    { 3, 0 },
    { 1, 0 },
};

static const struct {
    const char *name;
    uint32_t flags;
} hv_shutdown_kinds[] = {
    { "poweroff", 0 },
    { "reboot", HV_SHUTDOWN_REBOOT },
    { "hibernate", HV_SHUTDOWN_HIBERNATE },
};

static bool hv_shutdown_parse(const char *str, uint32_t *flags)
{
    g_autofree char *kind = g_strdup(str);
    size_t len = strlen(kind);
    bool force = false;
    uint64_t num;
    unsigned int i;

    if (!qemu_strtou64(str, NULL, 0, &num) && num <= UINT32_MAX) {
        *flags = num;
        return true;
    }
    if (len > 6 && !strcmp(kind + len - 6, "-force")) {
        kind[len - 6] = '\0';
        force = true;
    }
    for (i = 0; i < ARRAY_SIZE(hv_shutdown_kinds); i++) {
        if (!strcmp(kind, hv_shutdown_kinds[i].name)) {
            *flags = hv_shutdown_kinds[i].flags |
                     (force ? HV_SHUTDOWN_FORCE : 0);
            return true;
        }
    }
    return false;
}

static void hv_shutdown_set_request(Object *obj, const char *value,
                                    Error **errp)
{
    HvShutdown *sd = HV_SHUTDOWN(obj);
    HvShutdownMsg *msg;
    uint32_t flags;
    int ret;

    if (!hv_shutdown_parse(value, &flags)) {
        error_setg(errp, "request: '%s' is none of poweroff, reboot, "
                   "hibernate (with -force or not) or a number", value);
        return;
    }
    if (!hv_ic_ready(HV_IC(sd))) {
        error_setg(errp, "the guest has not taken up the shutdown service");
        return;
    }

    msg = g_new0(HvShutdownMsg, 1);
    msg->flags = flags;
    msg->timeout_s = sd->timeout_s;
    pstrcpy((char *)msg->message, sizeof(msg->message), "openlis test host");
    ret = hv_ic_send(HV_IC(sd), msg, sizeof(*msg));
    g_free(msg);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "cannot send the request");
        return;
    }
    g_free(sd->last_request);
    sd->last_request = g_strdup(value);
    sd->result = HV_SHUTDOWN_PENDING;
}

static char *hv_shutdown_get_request(Object *obj, Error **errp)
{
    HvShutdown *sd = HV_SHUTDOWN(obj);

    return g_strdup(sd->last_request ? sd->last_request : "");
}

static char *hv_shutdown_get_result(Object *obj, Error **errp)
{
    HvShutdown *sd = HV_SHUTDOWN(obj);

    switch (sd->result) {
    case HV_SHUTDOWN_NONE:
        return g_strdup("none");
    case HV_SHUTDOWN_PENDING:
        return g_strdup("pending");
    default:
        break;
    }
    if (sd->status == HV_IC_S_OK) {
        return g_strdup("ok");
    }
    return g_strdup_printf("failed 0x%08x", sd->status);
}

static void hv_shutdown_answer(HvIc *ic, const HvIcMsgHdr *hdr,
                               uint8_t *data, uint32_t len)
{
    HvShutdown *sd = HV_SHUTDOWN(ic);

    sd->status = hdr->status;
    sd->result = HV_SHUTDOWN_DONE;
}

static void hv_shutdown_finalize(Object *obj)
{
    HvShutdown *sd = HV_SHUTDOWN(obj);

    g_free(sd->last_request);
}

static const Property hv_shutdown_properties[] = {
    DEFINE_PROP_UINT32("timeout", HvShutdown, timeout_s, 0),
};

static void hv_shutdown_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VMBusDeviceClass *vdc = VMBUS_DEVICE_CLASS(klass);
    HvIcClass *icc = HV_IC_CLASS(klass);

    device_class_set_props(dc, hv_shutdown_properties);
    dc->desc = "Hyper-V shutdown integration service";
    qemu_uuid_parse(HV_SHUTDOWN_GUID, &vdc->classid);
    qemu_uuid_parse(HV_SHUTDOWN_INSTANCE, &vdc->instanceid);

    icc->msg_type = HV_IC_MSG_SHUTDOWN;
    icc->versions = hv_shutdown_versions;
    icc->n_versions = ARRAY_SIZE(hv_shutdown_versions);
    icc->answer = hv_shutdown_answer;

    object_class_property_add_str(klass, "request", hv_shutdown_get_request,
                                  hv_shutdown_set_request);
    object_class_property_set_description(klass, "request",
        "poweroff, reboot or hibernate (optionally -force), or raw flags");
    object_class_property_add_str(klass, "result", hv_shutdown_get_result,
                                  NULL);
}

static const TypeInfo hv_shutdown_type_info = {
    .name = TYPE_HV_SHUTDOWN,
    .parent = TYPE_HV_IC,
    .instance_size = sizeof(HvShutdown),
    .instance_finalize = hv_shutdown_finalize,
    .class_init = hv_shutdown_class_init,
};

static void hv_shutdown_register_types(void)
{
    type_register_static(&hv_shutdown_type_info);
}

type_init(hv_shutdown_register_types)
