/*
 * Hyper-V volume shadow copy (VSS, backup) integration service: the host
 * asks the guest to freeze its file systems before a snapshot and to thaw
 * them after, and asks whether a hot backup may be taken.
 *
 * One request at a time: write `request`, poll `result`.
 *
 *   request  (write) freeze, thaw, check (hot backup), dm-info, create,
 *            delete, bu-complete, auto-recover, or a number sent as the
 *            operation as is
 *            (read) the last request as written
 *   result   none, pending, ok, "failed 0x<status>", "failed timeout",
 *            "failed closed" or "failed bad <reason>"
 *   flags    the flags of the last answer (check: 5, no auto-recovery, from
 *            a guest whose daemon answered)
 *   requests, failures  counters
 *   timeout  (property, s, default 60) how long the host waits for an answer
 *   size     (property, bytes, default 12) the message body sent; Hyper-V's
 *            freeze carries LUN data after the 12 bytes Linux reads (up to
 *            6260 bytes), which a larger size imitates with zeros
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

#define TYPE_HV_VSS "hv-vss"
OBJECT_DECLARE_SIMPLE_TYPE(HvVss, HV_VSS)

#define HV_VSS_GUID "35fa2e29-ea23-4236-96ae-3a6ebacba440"
#define HV_VSS_INSTANCE "4b5cfbc3-5a34-4c61-a4b4-e3f7a8b7a4c2"

enum {
    HV_VSS_OP_CREATE = 0,
    HV_VSS_OP_DELETE = 1,
    HV_VSS_OP_HOT_BACKUP = 2,
    HV_VSS_OP_GET_DM_INFO = 3,
    HV_VSS_OP_BU_COMPLETE = 4,
    HV_VSS_OP_FREEZE = 5,
    HV_VSS_OP_THAW = 6,
    HV_VSS_OP_AUTO_RECOVER = 7,
};

typedef struct HvVssMsg {
    uint8_t operation;
    uint8_t reserved[7];
    uint32_t flags;
} QEMU_PACKED HvVssMsg;

QEMU_BUILD_BUG_ON(sizeof(HvVssMsg) != 12);

/* Linux reads VSS packets into 8 KiB. */
#define HV_VSS_MAX_SIZE (8192 - HV_IC_HDR_LEN)

typedef enum HvVssResult {
    HV_VSS_NONE,
    HV_VSS_PENDING,
    HV_VSS_DONE,
} HvVssResult;

struct HvVss {
    HvIc parent_obj;

    uint32_t timeout_s;
    uint32_t size;
    char *last_request;
    uint8_t operation;
    HvVssResult state;
    char *result;
    uint32_t flags;
    uint64_t requests;
    uint64_t failures;
};

static const struct {
    const char *name;
    uint8_t op;
} hv_vss_ops[] = {
    { "create", HV_VSS_OP_CREATE },
    { "delete", HV_VSS_OP_DELETE },
    { "check", HV_VSS_OP_HOT_BACKUP },
    { "dm-info", HV_VSS_OP_GET_DM_INFO },
    { "bu-complete", HV_VSS_OP_BU_COMPLETE },
    { "freeze", HV_VSS_OP_FREEZE },
    { "thaw", HV_VSS_OP_THAW },
    { "auto-recover", HV_VSS_OP_AUTO_RECOVER },
};

static bool hv_vss_parse(const char *str, uint8_t *op)
{
    uint64_t num;
    unsigned int i;

    if (!qemu_strtou64(str, NULL, 0, &num) && num <= UINT8_MAX) {
        *op = num;
        return true;
    }
    for (i = 0; i < ARRAY_SIZE(hv_vss_ops); i++) {
        if (!strcmp(str, hv_vss_ops[i].name)) {
            *op = hv_vss_ops[i].op;
            return true;
        }
    }
    return false;
}

static void hv_vss_finish(HvVss *vss, char *result)
{
    g_free(vss->result);
    vss->result = result;
    vss->state = HV_VSS_DONE;
    if (strcmp(result, "ok")) {
        vss->failures++;
    }
}

static void hv_vss_set_request(Object *obj, const char *value, Error **errp)
{
    HvVss *vss = HV_VSS(obj);
    HvIc *ic = HV_IC(vss);
    g_autofree uint8_t *body = NULL;
    HvVssMsg msg = {};
    uint32_t size = MAX(vss->size, sizeof(msg));
    uint8_t op;
    int ret;

    if (!hv_vss_parse(value, &op)) {
        error_setg(errp, "request '%s': none of freeze, thaw, check, "
                   "dm-info, create, delete, bu-complete, auto-recover or "
                   "a number", value);
        return;
    }
    if (!hv_ic_ready(ic)) {
        error_setg(errp, "the guest has not taken up the VSS service "
                   "(state %s)", hv_ic_state_name(ic));
        return;
    }
    if (hv_ic_awaiting(ic)) {
        error_setg(errp, "a request is pending");
        return;
    }
    msg.operation = op;
    body = g_malloc0(size);
    memcpy(body, &msg, sizeof(msg));
    ret = hv_ic_request(ic, body, size, vss->timeout_s * 1000);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "cannot send the request");
        return;
    }
    g_free(vss->last_request);
    vss->last_request = g_strdup(value);
    vss->operation = op;
    vss->state = HV_VSS_PENDING;
    vss->requests++;
}

static void hv_vss_answer(HvIc *ic, const HvIcMsgHdr *hdr, uint8_t *data,
                          uint32_t len)
{
    HvVss *vss = HV_VSS(ic);
    HvVssMsg msg;

    if (vss->state != HV_VSS_PENDING) {
        hv_ic_bad(ic, "unasked");
        return;
    }
    if (len < sizeof(msg)) {
        hv_ic_bad(ic, "short");
        hv_vss_finish(vss, g_strdup("failed bad short"));
        return;
    }
    memcpy(&msg, data, sizeof(msg));
    /* The guest answers in place: the operation comes back. */
    if (msg.operation != vss->operation) {
        hv_ic_bad(ic, "echo");
        hv_vss_finish(vss, g_strdup("failed bad echo"));
        return;
    }
    vss->flags = msg.flags;
    if (hdr->status != HV_IC_S_OK) {
        hv_vss_finish(vss, g_strdup_printf("failed 0x%08x", hdr->status));
        return;
    }
    hv_vss_finish(vss, g_strdup("ok"));
}

static void hv_vss_failed(HvIc *ic, const char *why)
{
    HvVss *vss = HV_VSS(ic);

    if (vss->state == HV_VSS_PENDING) {
        hv_vss_finish(vss, g_strdup_printf("failed %s", why));
    }
}

static void hv_vss_realize(HvIc *ic, Error **errp)
{
    HvVss *vss = HV_VSS(ic);

    if (vss->size > HV_VSS_MAX_SIZE) {
        error_setg(errp, "size: at most %zu bytes", HV_VSS_MAX_SIZE);
    }
}

static char *hv_vss_get_request(Object *obj, Error **errp)
{
    HvVss *vss = HV_VSS(obj);

    return g_strdup(vss->last_request ? vss->last_request : "");
}

static char *hv_vss_get_result(Object *obj, Error **errp)
{
    HvVss *vss = HV_VSS(obj);

    switch (vss->state) {
    case HV_VSS_NONE:
        return g_strdup("none");
    case HV_VSS_PENDING:
        return g_strdup("pending");
    default:
        return g_strdup(vss->result);
    }
}

static void hv_vss_instance_init(Object *obj)
{
    HvVss *vss = HV_VSS(obj);

    object_property_add_uint32_ptr(obj, "flags", &vss->flags,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "requests", &vss->requests,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "failures", &vss->failures,
                                   OBJ_PROP_FLAG_READ);
}

static void hv_vss_finalize(Object *obj)
{
    HvVss *vss = HV_VSS(obj);

    g_free(vss->last_request);
    g_free(vss->result);
}

/*
 * VSS 5.0 brought freeze and thaw, and is the only version Linux takes;
 * the older ones are offered as a host of their time would.
 */
static const HvIcVersion hv_vss_versions[] = {
    { 5, 0 },
    { 4, 0 },
    { 3, 0 },
    { 1, 0 },
};

static const Property hv_vss_properties[] = {
    DEFINE_PROP_UINT32("timeout", HvVss, timeout_s, 60),
    DEFINE_PROP_UINT32("size", HvVss, size, sizeof(HvVssMsg)),
};

/* A VSS request of an operation that does not exist. */
static uint8_t *hv_vss_malformed(HvIc *ic, const char *name, uint32_t *len)
{
    HvVssMsg *m;

    if (strcmp(name, "vss-op")) {
        return NULL;
    }
    m = g_new0(HvVssMsg, 1);
    m->operation = 0x42;
    *len = sizeof(*m);
    return (uint8_t *)m;
}

static void hv_vss_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VMBusDeviceClass *vdc = VMBUS_DEVICE_CLASS(klass);
    HvIcClass *icc = HV_IC_CLASS(klass);

    device_class_set_props(dc, hv_vss_properties);
    dc->desc = "Hyper-V volume shadow copy (backup) integration service";
    qemu_uuid_parse(HV_VSS_GUID, &vdc->classid);
    qemu_uuid_parse(HV_VSS_INSTANCE, &vdc->instanceid);

    icc->msg_type = HV_IC_MSG_VSS;
    icc->versions = hv_vss_versions;
    icc->n_versions = ARRAY_SIZE(hv_vss_versions);
    icc->max_msg = HV_IC_HDR_LEN + HV_VSS_MAX_SIZE;
    icc->realize = hv_vss_realize;
    icc->answer = hv_vss_answer;
    icc->failed = hv_vss_failed;
    icc->malformed = hv_vss_malformed;
    icc->malformations = ", vss-op";

    object_class_property_add_str(klass, "request", hv_vss_get_request,
                                  hv_vss_set_request);
    object_class_property_set_description(klass, "request",
        "freeze, thaw, check, dm-info, create, delete, bu-complete, "
        "auto-recover, or an operation number");
    object_class_property_add_str(klass, "result", hv_vss_get_result, NULL);
}

static const TypeInfo hv_vss_type_info = {
    .name = TYPE_HV_VSS,
    .parent = TYPE_HV_IC,
    .instance_size = sizeof(HvVss),
    .instance_init = hv_vss_instance_init,
    .instance_finalize = hv_vss_finalize,
    .class_init = hv_vss_class_init,
};

static void hv_vss_register_types(void)
{
    type_register_static(&hv_vss_type_info);
}

type_init(hv_vss_register_types)
