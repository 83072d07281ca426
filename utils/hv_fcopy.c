// SPDX-License-Identifier: GPL-2.0
/*
 * Hyper-V guest file copy (fcopy): the host copies a file into the guest
 * through the user-space daemon, over /dev/vmbus/hv_fcopy with upstream's
 * character-device messages (hv_start_fcopy with UTF-8 names, hv_do_fcopy
 * fragments as the host sent them, a bare header to complete or cancel),
 * each answered by the daemon with one int status for the host. The daemon
 * registers by writing its version: FCOPY_VERSION_1 is answered with ours,
 * FCOPY_VERSION_0 is not.
 *
 * Kernels from 6.10 on hand this channel to uio_hv_generic instead; this
 * driver keeps the device for the daemons that use it there too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "hv_ic.h"

/* Upstream's HV_UTIL_TIMEOUT (6.1). */
static unsigned int timeout = 30;
module_param(timeout, uint, 0444);
MODULE_PARM_DESC(timeout, "Seconds the daemon has to answer a host request (1-300, default 30)");

#define FCOPY_MAX_SECS		300U

static const u32 fcopy_fw[] = { HVIC_FW_3_0 };
static const u32 fcopy_srv[] = { HVIC_VERSION(1, 1) };

static const struct hvic_versions fcopy_versions = {
	.fw = fcopy_fw, .nr_fw = ARRAY_SIZE(fcopy_fw),
	.srv = fcopy_srv, .nr_srv = ARRAY_SIZE(fcopy_srv),
};

static enum hvic_verdict fcopy_request(struct hv_icd *s, void *out, u32 *len,
				       u32 *op, unsigned long *tmo)
{
	enum hvic_verdict v;

	v = hvic_fcopy_to_daemon(&s->ic.msg, out, s->ops->max_out, len);
	if (v != HVIC_OK)
		return v;
	/* Checked above: the body holds at least the header. */
	*op = ((const struct hv_fcopy_hdr *)s->ic.msg.body)->operation;
	*tmo = clamp(timeout, 1U, FCOPY_MAX_SECS) * HZ;
	return HVIC_OK;
}

static int fcopy_classify(struct hv_icd *s, const void *msg, size_t len,
			  u32 *val)
{
	return hv_icd_kind(hvic_fcopy_daemon_msg(msg, len, s->x.registered,
						 val), val);
}

static int fcopy_registered(struct hv_icd *s, u32 ver)
{
	u32 ours = FCOPY_CURRENT_VERSION;

	if (ver != FCOPY_VERSION_1)
		return 0;
	return hv_icd_send(s, &ours, sizeof(ours), false);
}

static void fcopy_answer(struct hv_icd *s, const void *msg, size_t len)
{
	u32 status;

	memcpy(&status, msg, sizeof(status));
	hv_ic_reply(&s->ic, status);
}

/* Under s->lock: a copy cut short by suspend must not leave a half file open. */
static void fcopy_suspend_daemon(struct hv_icd *s)
{
	struct hv_fcopy_hdr h = { };

	h.operation = CANCEL_FCOPY;
	if (hv_icd_send(s, &h, sizeof(h), true))
		dev_warn(&s->ic.dev->device, "fcopy: cannot tell the daemon to cancel\n");
}

static const struct hv_icd_ops fcopy_ops = {
	.devname = "hv_fcopy",
	.type = HVIC_TYPE_FCOPY,
	.max_out = sizeof(struct hv_do_fcopy),
	.request = fcopy_request,
	.classify = fcopy_classify,
	.registered = fcopy_registered,
	.answer = fcopy_answer,
	.suspend = fcopy_suspend_daemon,
};

static int fcopy_probe(struct hv_device *dev,
		       const struct hv_vmbus_device_id *id)
{
	return hv_icd_probe(dev, "fcopy", &fcopy_versions,
			    2 * HV_HYP_PAGE_SIZE, &fcopy_ops, 0);
}

static const struct hv_vmbus_device_id fcopy_id_table[] = {
	{ HV_FCOPY_GUID, },
	{ },
};
MODULE_DEVICE_TABLE(vmbus, fcopy_id_table);

static struct hv_driver fcopy_driver = {
	.name = "hv_fcopy",
	.id_table = fcopy_id_table,
	.probe = fcopy_probe,
	.remove = hv_icd_remove,
	.suspend = hv_icd_suspend,
	.resume = hv_icd_resume,
	.driver = {
		.probe_type = PROBE_PREFER_ASYNCHRONOUS,
	},
};

static int __init fcopy_init(void)
{
	return vmbus_driver_register(&fcopy_driver);
}

static void __exit fcopy_exit(void)
{
	vmbus_driver_unregister(&fcopy_driver);
}

module_init(fcopy_init);
module_exit(fcopy_exit);
MODULE_DESCRIPTION("Hyper-V guest file copy integration service");
MODULE_LICENSE("GPL");
MODULE_VERSION(OPENLIS_VERSION);
