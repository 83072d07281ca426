/*
 * Hyper-V heartbeat integration service: the host sends a sequence number
 * every interval and the guest answers with the next one.
 *
 * QOM interface (qom-get on the device's path):
 *   sequence  the last sequence number the guest answered with
 *   answers   how many heartbeats the guest answered
 *   status    closed, negotiating, incompatible, ok (the last heartbeat was
 *             answered in time), late (unanswered for two intervals) or
 *             wrong (the last answer did not carry the next number)
 *
 * Part of openlis's emulated Hyper-V host (tests/host/).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "hv-ic.h"

#define TYPE_HV_HEARTBEAT "hv-heartbeat"
OBJECT_DECLARE_SIMPLE_TYPE(HvHeartbeat, HV_HEARTBEAT)

#define HV_HEARTBEAT_GUID "57164f39-9115-4e78-ab55-382f3bd5422d"
#define HV_HEARTBEAT_INSTANCE "fedf7b74-3b14-4a3d-8d42-0f8a3e6b9b01"

typedef struct HvHeartbeatMsg {
    uint64_t seq;
    uint32_t reserved[8];
} QEMU_PACKED HvHeartbeatMsg;

struct HvHeartbeat {
    HvIc parent_obj;

    uint32_t interval_ms;
    QEMUTimer timer;
    uint64_t sent_seq;
    uint64_t seq;
    uint64_t answers;
    int64_t sent_at;
    bool waiting;
    bool wrong;
};

static const HvIcVersion hv_heartbeat_versions[] = {
    { 3, 0 },
    { 1, 0 },
};

static void hv_heartbeat_tick(void *opaque)
{
    HvHeartbeat *hb = opaque;
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL);
    HvHeartbeatMsg msg = { .seq = hb->seq };

    if (!hb->waiting || now - hb->sent_at >= 2 * (int64_t)hb->interval_ms) {
        if (hv_ic_send(HV_IC(hb), &msg, sizeof(msg)) == 0) {
            hb->sent_seq = msg.seq;
            hb->sent_at = now;
            hb->waiting = true;
        }
    }
    timer_mod(&hb->timer, now + hb->interval_ms);
}

static void hv_heartbeat_ready(HvIc *ic)
{
    HvHeartbeat *hb = HV_HEARTBEAT(ic);

    hb->waiting = false;
    hb->wrong = false;
    hv_heartbeat_tick(hb);
}

static void hv_heartbeat_answer(HvIc *ic, const HvIcMsgHdr *hdr,
                                uint8_t *data, uint32_t len)
{
    HvHeartbeat *hb = HV_HEARTBEAT(ic);
    HvHeartbeatMsg msg;

    if (len < sizeof(msg.seq)) {
        ic->bad++;
        return;
    }
    memcpy(&msg.seq, data, sizeof(msg.seq));
    hb->wrong = msg.seq != hb->sent_seq + 1;
    hb->seq = msg.seq;
    hb->answers++;
    hb->waiting = false;
}

static void hv_heartbeat_stop(HvIc *ic)
{
    HvHeartbeat *hb = HV_HEARTBEAT(ic);

    timer_del(&hb->timer);
    hb->waiting = false;
}

static char *hv_heartbeat_get_status(Object *obj, Error **errp)
{
    HvHeartbeat *hb = HV_HEARTBEAT(obj);
    HvIc *ic = HV_IC(obj);
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL);

    switch (ic->state) {
    case HV_IC_CLOSED:
        return g_strdup("closed");
    case HV_IC_NEGOTIATING:
        return g_strdup("negotiating");
    case HV_IC_INCOMPATIBLE:
        return g_strdup("incompatible");
    case HV_IC_READY:
        break;
    }
    if (hb->waiting && now - hb->sent_at >= 2 * (int64_t)hb->interval_ms) {
        return g_strdup("late");
    }
    if (!hb->answers) {
        return g_strdup("negotiating");
    }
    return g_strdup(hb->wrong ? "wrong" : "ok");
}

static void hv_heartbeat_realize(HvIc *ic, Error **errp)
{
    HvHeartbeat *hb = HV_HEARTBEAT(ic);

    if (!hb->interval_ms) {
        error_setg(errp, "interval must be at least 1 ms");
        return;
    }
    timer_init_ms(&hb->timer, QEMU_CLOCK_VIRTUAL, hv_heartbeat_tick, hb);
}

static void hv_heartbeat_instance_init(Object *obj)
{
    HvHeartbeat *hb = HV_HEARTBEAT(obj);

    object_property_add_uint64_ptr(obj, "sequence", &hb->seq,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "answers", &hb->answers,
                                   OBJ_PROP_FLAG_READ);
}

static const Property hv_heartbeat_properties[] = {
    DEFINE_PROP_UINT32("interval", HvHeartbeat, interval_ms, 1000),
};

static void hv_heartbeat_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VMBusDeviceClass *vdc = VMBUS_DEVICE_CLASS(klass);
    HvIcClass *icc = HV_IC_CLASS(klass);

    device_class_set_props(dc, hv_heartbeat_properties);
    dc->desc = "Hyper-V heartbeat integration service";
    qemu_uuid_parse(HV_HEARTBEAT_GUID, &vdc->classid);
    qemu_uuid_parse(HV_HEARTBEAT_INSTANCE, &vdc->instanceid);

    icc->msg_type = HV_IC_MSG_HEARTBEAT;
    icc->versions = hv_heartbeat_versions;
    icc->n_versions = ARRAY_SIZE(hv_heartbeat_versions);
    icc->realize = hv_heartbeat_realize;
    icc->ready = hv_heartbeat_ready;
    icc->answer = hv_heartbeat_answer;
    icc->stop = hv_heartbeat_stop;

    object_class_property_add_str(klass, "status", hv_heartbeat_get_status,
                                  NULL);
}

static const TypeInfo hv_heartbeat_type_info = {
    .name = TYPE_HV_HEARTBEAT,
    .parent = TYPE_HV_IC,
    .instance_size = sizeof(HvHeartbeat),
    .instance_init = hv_heartbeat_instance_init,
    .class_init = hv_heartbeat_class_init,
};

static void hv_heartbeat_register_types(void)
{
    type_register_static(&hv_heartbeat_type_info);
}

type_init(hv_heartbeat_register_types)
