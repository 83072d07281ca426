/*
 * Hyper-V time synchronization integration service: the host sends its
 * time, as samples every interval and as forced synchronizations.  From
 * service version 4.0 a message carries the partition reference time at
 * which the host time was read, so the guest can account for the delay.
 *
 * QOM interface:
 *   sync      (write) "now" sends the host's time as a forced
 *             synchronization; a number of seconds since the Unix epoch
 *             (decimals allowed) sends that time instead
 *   sample    (write) the same as a sample: the guest only records it
 *   samples, syncs, answers  (read) messages sent and answered
 *   last-time (read) the Unix time, in seconds, of the last message sent
 *
 * Part of openlis's emulated Hyper-V host (tests/host/).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "system/kvm.h"
#include "hv-ic.h"

#ifdef CONFIG_KVM
#include <linux/kvm.h>
#endif

#define TYPE_HV_TIMESYNC "hv-timesync"
OBJECT_DECLARE_SIMPLE_TYPE(HvTimesync, HV_TIMESYNC)

#define HV_TIMESYNC_GUID "9527e630-d0ae-497b-adce-e80ab0175caf"
#define HV_TIMESYNC_INSTANCE "2dd1ce17-079e-403c-b352-a1921ee207ee"

#define HV_TIMESYNC_SYNC        0x1
#define HV_TIMESYNC_SAMPLE      0x2

/* 100 ns units from 1601-01-01 (Windows) to 1970-01-01 (Unix) */
#define HV_TIMESYNC_EPOCH_DELTA 116444736000000000ULL

/* Service versions before 4.0 */
typedef struct HvTimesyncMsg {
    uint64_t parent_time;
    uint64_t child_time;
    uint64_t round_trip;
    uint8_t flags;
} QEMU_PACKED HvTimesyncMsg;

/* Service version 4.0 */
typedef struct HvTimesyncRefMsg {
    uint64_t parent_time;
    uint64_t reference_time;
    uint8_t flags;
    uint8_t leap_flags;
    uint8_t stratum;
    uint8_t reserved[3];
} QEMU_PACKED HvTimesyncRefMsg;

struct HvTimesync {
    HvIc parent_obj;

    uint32_t interval_ms;
    bool sync_on_start;
    QEMUTimer timer;
    uint64_t samples;
    uint64_t syncs;
    uint64_t answers;
    int64_t last_ns;
};

static const HvIcVersion hv_timesync_versions[] = {
    { 4, 0 },
    { 3, 0 },
    { 1, 0 },
};

/*
 * The guest's partition reference counter (100 ns units).  Under KVM it
 * runs from the VM's kvmclock; elsewhere the virtual clock stands in.
 */
static uint64_t hv_timesync_reference_time(void)
{
#ifdef CONFIG_KVM
    if (kvm_enabled()) {
        struct kvm_clock_data data = {};

        if (kvm_vm_ioctl(kvm_state, KVM_GET_CLOCK, &data) == 0) {
            return data.clock / 100;
        }
    }
#endif
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) / 100;
}

/* Send a Unix time in ns with the given flags. */
static int hv_timesync_send(HvTimesync *ts, int64_t unix_ns, uint8_t flags)
{
    HvIc *ic = HV_IC(ts);
    uint64_t parent = HV_TIMESYNC_EPOCH_DELTA + unix_ns / 100;
    int ret;

    if (ic->service.major >= 4) {
        HvTimesyncRefMsg msg = {
            .parent_time = parent,
            .reference_time = hv_timesync_reference_time(),
            .flags = flags,
            .stratum = 2,
        };
        ret = hv_ic_send(ic, &msg, sizeof(msg));
    } else {
        HvTimesyncMsg msg = {
            .parent_time = parent,
            .flags = flags,
        };
        ret = hv_ic_send(ic, &msg, sizeof(msg));
    }
    if (ret == 0) {
        ts->last_ns = unix_ns;
        if (flags & HV_TIMESYNC_SYNC) {
            ts->syncs++;
        } else {
            ts->samples++;
        }
    }
    return ret;
}

static void hv_timesync_tick(void *opaque)
{
    HvTimesync *ts = opaque;

    hv_timesync_send(ts, qemu_clock_get_ns(QEMU_CLOCK_HOST),
                     HV_TIMESYNC_SAMPLE);
    timer_mod(&ts->timer,
              qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + ts->interval_ms);
}

static void hv_timesync_ready(HvIc *ic)
{
    HvTimesync *ts = HV_TIMESYNC(ic);

    if (ts->sync_on_start) {
        hv_timesync_send(ts, qemu_clock_get_ns(QEMU_CLOCK_HOST),
                         HV_TIMESYNC_SYNC);
    }
    if (ts->interval_ms) {
        timer_mod(&ts->timer,
                  qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + ts->interval_ms);
    }
}

static void hv_timesync_answer(HvIc *ic, const HvIcMsgHdr *hdr,
                               uint8_t *data, uint32_t len)
{
    HV_TIMESYNC(ic)->answers++;
}

static void hv_timesync_stop(HvIc *ic)
{
    timer_del(&HV_TIMESYNC(ic)->timer);
}

static void hv_timesync_realize(HvIc *ic, Error **errp)
{
    HvTimesync *ts = HV_TIMESYNC(ic);

    timer_init_ms(&ts->timer, QEMU_CLOCK_VIRTUAL, hv_timesync_tick, ts);
}

/* "now" or seconds since the Unix epoch, as ns */
static bool hv_timesync_parse(const char *str, int64_t *ns, Error **errp)
{
    double secs;

    if (!strcmp(str, "now")) {
        *ns = qemu_clock_get_ns(QEMU_CLOCK_HOST);
        return true;
    }
    if (qemu_strtod_finite(str, NULL, &secs) || secs < 0 ||
        secs > INT64_MAX / NANOSECONDS_PER_SECOND) {
        error_setg(errp, "'%s' is neither 'now' nor seconds since 1970",
                   str);
        return false;
    }
    *ns = (int64_t)(secs * NANOSECONDS_PER_SECOND);
    return true;
}

static void hv_timesync_set(Object *obj, const char *value, uint8_t flags,
                            Error **errp)
{
    HvTimesync *ts = HV_TIMESYNC(obj);
    int64_t ns;
    int ret;

    if (!hv_timesync_parse(value, &ns, errp)) {
        return;
    }
    if (!hv_ic_ready(HV_IC(ts))) {
        error_setg(errp, "the guest has not taken up the timesync service");
        return;
    }
    ret = hv_timesync_send(ts, ns, flags);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "cannot send the time");
    }
}

static void hv_timesync_set_sync(Object *obj, const char *value, Error **errp)
{
    hv_timesync_set(obj, value, HV_TIMESYNC_SYNC, errp);
}

static void hv_timesync_set_sample(Object *obj, const char *value,
                                   Error **errp)
{
    hv_timesync_set(obj, value, HV_TIMESYNC_SAMPLE, errp);
}

static char *hv_timesync_get_last(Object *obj, Error **errp)
{
    HvTimesync *ts = HV_TIMESYNC(obj);

    return g_strdup_printf("%" PRId64 ".%09" PRId64,
                           (int64_t)(ts->last_ns / NANOSECONDS_PER_SECOND),
                           (int64_t)(ts->last_ns % NANOSECONDS_PER_SECOND));
}

static void hv_timesync_instance_init(Object *obj)
{
    HvTimesync *ts = HV_TIMESYNC(obj);

    object_property_add_uint64_ptr(obj, "samples", &ts->samples,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "syncs", &ts->syncs,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "answers", &ts->answers,
                                   OBJ_PROP_FLAG_READ);
}

static const Property hv_timesync_properties[] = {
    DEFINE_PROP_UINT32("interval", HvTimesync, interval_ms, 5000),
    DEFINE_PROP_BOOL("sync-on-start", HvTimesync, sync_on_start, true),
};

static void hv_timesync_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VMBusDeviceClass *vdc = VMBUS_DEVICE_CLASS(klass);
    HvIcClass *icc = HV_IC_CLASS(klass);

    device_class_set_props(dc, hv_timesync_properties);
    dc->desc = "Hyper-V time synchronization integration service";
    qemu_uuid_parse(HV_TIMESYNC_GUID, &vdc->classid);
    qemu_uuid_parse(HV_TIMESYNC_INSTANCE, &vdc->instanceid);

    icc->msg_type = HV_IC_MSG_TIMESYNC;
    icc->versions = hv_timesync_versions;
    icc->n_versions = ARRAY_SIZE(hv_timesync_versions);
    icc->realize = hv_timesync_realize;
    icc->ready = hv_timesync_ready;
    icc->answer = hv_timesync_answer;
    icc->stop = hv_timesync_stop;

    object_class_property_add_str(klass, "sync", NULL, hv_timesync_set_sync);
    object_class_property_set_description(klass, "sync",
        "'now' or Unix seconds: send as a forced synchronization");
    object_class_property_add_str(klass, "sample", NULL,
                                  hv_timesync_set_sample);
    object_class_property_add_str(klass, "last-time", hv_timesync_get_last,
                                  NULL);
}

static const TypeInfo hv_timesync_type_info = {
    .name = TYPE_HV_TIMESYNC,
    .parent = TYPE_HV_IC,
    .instance_size = sizeof(HvTimesync),
    .instance_init = hv_timesync_instance_init,
    .class_init = hv_timesync_class_init,
};

static void hv_timesync_register_types(void)
{
    type_register_static(&hv_timesync_type_info);
}

type_init(hv_timesync_register_types)
