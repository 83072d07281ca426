// SPDX-License-Identifier: GPL-2.0
/*
 * Hyper-V time sync. SYNC messages (after boot, resume, restore) step the
 * clock to the host's time; every sample is kept and serves the "hyperv"
 * PTP clock, whose reading is the last sample advanced by the reference
 * counter since the host took it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/ptp_clock_kernel.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <asm/mshyperv.h>
#include "hv_ic.h"

static const u32 ts_fw[] = { HVIC_FW_3_0, HVIC_FW_1_0 };
static const u32 ts_srv[] = {
	HVIC_VERSION(4, 0), HVIC_VERSION(3, 0), HVIC_VERSION(1, 0),
};

static const struct hvic_versions ts_versions = {
	.fw = ts_fw, .nr_fw = ARRAY_SIZE(ts_fw),
	.srv = ts_srv, .nr_srv = ARRAY_SIZE(ts_srv),
};

static bool timesync_implicit;
module_param(timesync_implicit, bool, 0644);
MODULE_PARM_DESC(timesync_implicit, "Step the clock on a SAMPLE too when the guest is 5 s or more behind");

/* A sample older than this is stale: the PTP clock reports ESTALE. */
#define TS_STALE_NS	(600ULL * NSEC_PER_SEC)

/* The one time sync device's state; the PTP clock reads it. */
static struct {
	spinlock_t lock;		/* host_time and ref_time together */
	u64 host_time;			/* 100 ns since 1601, as of ref_time */
	u64 ref_time;			/* reference counter, 100 ns units */
	bool valid;
	struct work_struct set_work;
	struct ptp_clock *ptp;
	struct hv_ic ic;
} ts;

/* The host's time now, from the last sample; -ESTALE if it is old. */
static int ts_host_now(struct timespec64 *now)
{
	unsigned long flags;
	u64 ref, elapsed, ns;
	int ret = 0;

	spin_lock_irqsave(&ts.lock, flags);
	if (!ts.valid) {
		spin_unlock_irqrestore(&ts.lock, flags);
		return -ENODATA;
	}
	ref = hv_read_reference_counter();
	elapsed = ref - ts.ref_time;
	if (elapsed > TS_STALE_NS / 100) {
		pr_warn_once("TimeSync: the last host sample is %llu ns old\n",
			     elapsed * 100);
		ret = -ESTALE;
	}
	if (!hvic_host_time_to_ns(ts.host_time + elapsed, &ns))
		ret = -ERANGE;
	spin_unlock_irqrestore(&ts.lock, flags);
	if (ret != -ERANGE)
		*now = ns_to_timespec64(ns);
	return ret;
}

static void ts_set_clock(struct work_struct *work)
{
	struct timespec64 now;

	if (!ts_host_now(&now))
		do_settimeofday64(&now);
}

/* Is the guest 5 s or more behind @host_time? */
static bool ts_behind(u64 host_time)
{
	struct timespec64 guest;
	u64 ns;

	if (!hvic_host_time_to_ns(host_time, &ns))
		return false;
	ktime_get_real_ts64(&guest);
	return (s64)ns >= timespec64_to_ns(&guest) + 5LL * NSEC_PER_SEC;
}

static void ts_sample(const struct hvic_time_sample *s)
{
	unsigned long flags;
	u64 now_ref, host_time;

	spin_lock_irqsave(&ts.lock, flags);
	now_ref = hv_read_reference_counter();
	/* TimeSync 4 says when the host sampled: count the time since. */
	host_time = s->host_time;
	if (s->has_ref)
		host_time += now_ref - s->ref_time;
	ts.host_time = host_time;
	ts.ref_time = now_ref;
	ts.valid = true;
	spin_unlock_irqrestore(&ts.lock, flags);

	if ((s->flags & HVIC_TS_SYNC) ||
	    (timesync_implicit && ts_behind(host_time)))
		schedule_work(&ts.set_work);
}

static void ts_callback(void *context)
{
	struct hv_ic *ic = &ts.ic;
	struct hvic_time_sample s;
	enum hvic_verdict v;

	while (hv_ic_next(ic) > 0) {
		if (ic->msg.type != HVIC_TYPE_TIMESYNC) {
			hv_ic_reject(ic, HVIC_BAD_VALUE);
			continue;
		}
		v = hvic_timesync_parse(&ic->msg, ic->srv_ver, &s);
		if (v != HVIC_OK) {
			hv_ic_reject(ic, v);
			continue;
		}
		/* A reference time from the future is a lie: ignore it. */
		if (s.has_ref && s.ref_time > hv_read_reference_counter())
			s.has_ref = false;
		ts_sample(&s);
		hv_ic_reply(ic, HVIC_S_OK);
	}
}

static int ts_ptp_gettime(struct ptp_clock_info *info, struct timespec64 *t)
{
	return ts_host_now(t);
}

static int ts_ptp_settime(struct ptp_clock_info *info,
			  const struct timespec64 *t)
{
	return -EOPNOTSUPP;
}

static int ts_ptp_adjfine(struct ptp_clock_info *info, long delta)
{
	return -EOPNOTSUPP;
}

static int ts_ptp_adjtime(struct ptp_clock_info *info, s64 delta)
{
	return -EOPNOTSUPP;
}

static int ts_ptp_enable(struct ptp_clock_info *info,
			 struct ptp_clock_request *req, int on)
{
	return -EOPNOTSUPP;
}

static struct ptp_clock_info ts_ptp_info = {
	.owner = THIS_MODULE,
	.name = "hyperv",
	.gettime64 = ts_ptp_gettime,
	.settime64 = ts_ptp_settime,
	.adjfine = ts_ptp_adjfine,
	.adjtime = ts_ptp_adjtime,
	.enable = ts_ptp_enable,
};

static int ts_probe(struct hv_device *dev, const struct hv_vmbus_device_id *id)
{
	struct ptp_clock *ptp;
	int ret;

	if (ts.ic.dev)
		return -EBUSY;
	ret = hv_ic_init(&ts.ic, dev, "TimeSync", &ts_versions,
			 HV_HYP_PAGE_SIZE);
	if (ret)
		return ret;
	ts.valid = false;
	ptp = utils_ptp_clock_register(&ts_ptp_info, NULL);
	if (IS_ERR_OR_NULL(ptp)) {
		dev_warn(&dev->device, "no PTP clock: %d\n", PTR_ERR_OR_ZERO(ptp));
		ptp = NULL;
	}
	ts.ptp = ptp;
	ret = hv_ic_open(&ts.ic, ts_callback);
	if (ret) {
		if (ts.ptp)
			utils_ptp_clock_unregister(ts.ptp);
		hv_ic_free(&ts.ic);
		ts.ic.dev = NULL;
	}
	return ret;
}

static OL_HV_REMOVE_RET ts_remove(struct hv_device *dev)
{
	hv_ic_close(&ts.ic);
	if (ts.ptp)
		utils_ptp_clock_unregister(ts.ptp);
	ts.ptp = NULL;
	cancel_work_sync(&ts.set_work);
	hv_ic_free(&ts.ic);
	ts.ic.dev = NULL;
	return OL_HV_REMOVE_DONE;
}

static int ts_suspend(struct hv_device *dev)
{
	vmbus_close(dev->channel);
	cancel_work_sync(&ts.set_work);
	return 0;
}

static int ts_resume(struct hv_device *dev)
{
	return hv_ic_open(&ts.ic, ts_callback);
}

static const struct hv_vmbus_device_id ts_id_table[] = {
	{ HV_TS_GUID, },
	{ },
};
MODULE_DEVICE_TABLE(vmbus, ts_id_table);

static struct hv_driver ts_driver = {
	.name = "hv_timesync",
	.id_table = ts_id_table,
	.probe = ts_probe,
	.remove = ts_remove,
	.suspend = ts_suspend,
	.resume = ts_resume,
	.driver = {
		.probe_type = PROBE_PREFER_ASYNCHRONOUS,
	},
};

static int __init ts_init(void)
{
	spin_lock_init(&ts.lock);
	INIT_WORK(&ts.set_work, ts_set_clock);
	return vmbus_driver_register(&ts_driver);
}

static void __exit ts_exit(void)
{
	vmbus_driver_unregister(&ts_driver);
}

module_init(ts_init);
module_exit(ts_exit);
MODULE_DESCRIPTION("Hyper-V time sync integration service");
MODULE_LICENSE("GPL");
MODULE_VERSION(OPENLIS_VERSION);
