// SPDX-License-Identifier: GPL-2.0
/*
 * Hyper-V volume shadow copy (VSS): for a host backup, the user-space
 * daemon freezes the guest's file systems and thaws them again, over
 * /dev/vmbus/hv_vss with upstream's messages. The daemon registers with
 * VSS_OP_REGISTER1 (answered with our version) or VSS_OP_REGISTER.
 *
 * A guest must not stay frozen because the host stopped waiting: when a
 * freeze the daemon had read times out, the daemon is sent a thaw right
 * after it; the late answer to the freeze is dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "hv_ic.h"

/* Upstream's HV_UTIL_TIMEOUT, and its VSS_FREEZE_TIMEOUT for a freeze (6.1). */
static unsigned int timeout = 30;
module_param(timeout, uint, 0444);
MODULE_PARM_DESC(timeout, "Seconds the daemon has to answer a thaw or backup check (1-3600, default 30)");

static unsigned int freeze_timeout = 15 * 60;
module_param(freeze_timeout, uint, 0444);
MODULE_PARM_DESC(freeze_timeout, "Seconds the daemon has to freeze the file systems (1-3600, default 900)");

#define VSS_MAX_SECS		3600U

static const u32 vss_fw[] = { HVIC_FW_3_0 };
static const u32 vss_srv[] = { HVIC_VERSION(5, 0) };

static const struct hvic_versions vss_versions = {
	.fw = vss_fw, .nr_fw = ARRAY_SIZE(vss_fw),
	.srv = vss_srv, .nr_srv = ARRAY_SIZE(vss_srv),
};

static enum hvic_verdict vss_request(struct hv_icd *s, void *out, u32 *len,
				     u32 *op, unsigned long *tmo)
{
	struct hv_vss_msg *host = (struct hv_vss_msg *)s->ic.msg.body;
	struct hv_vss_msg *m = out;
	enum hvic_verdict v;
	u8 vop;

	v = hvic_vss_parse(&s->ic.msg, &vop);
	if (v != HVIC_OK)
		return v;
	switch (vop) {
	case VSS_OP_FREEZE:
	case VSS_OP_THAW:
	case VSS_OP_HOT_BACKUP:
		memset(m, 0, sizeof(*m));
		m->vss_hdr.operation = vop;
		*len = sizeof(*m);
		*op = vop;
		*tmo = clamp(vop == VSS_OP_FREEZE ? freeze_timeout : timeout,
			     1U, VSS_MAX_SECS) * HZ;
		return HVIC_OK;
	case VSS_OP_GET_DM_INFO:
		host->dm_info.flags = 0;
		fallthrough;
	case VSS_OP_CREATE:
	case VSS_OP_DELETE:
	case VSS_OP_BU_COMPLETE:
	case VSS_OP_AUTO_RECOVER:
		/* Nothing for the guest to do: upstream says yes to these. */
		hv_ic_reply(&s->ic, HVIC_S_OK);
		return HVIC_OK;
	default:
		return HVIC_BAD_VALUE;
	}
}

static int vss_classify(struct hv_icd *s, const void *msg, size_t len,
			u32 *val)
{
	return hv_icd_kind(hvic_vss_daemon_msg(msg, len, val), val);
}

static int vss_registered(struct hv_icd *s, u32 ver)
{
	u32 ours = VSS_OP_REGISTER1;

	/* Only a daemon of the newer handshake expects an answer. */
	if (ver != VSS_OP_REGISTER1)
		return 0;
	return hv_icd_send(s, &ours, sizeof(ours), false);
}

static void vss_answer(struct hv_icd *s, const void *msg, size_t len)
{
	struct hv_vss_msg *host = (struct hv_vss_msg *)s->ic.msg.body;
	const struct hv_vss_msg *r = msg;
	u32 status = (u32)r->error;

	/* Linux has no automatic recovery of a snapshot: say so. */
	if (s->x.op == VSS_OP_HOT_BACKUP && status == HVIC_S_OK)
		host->vss_cf.flags = VSS_HBU_NO_AUTO_RECOVERY;
	hv_ic_reply(&s->ic, status);
}

/* Under s->lock: the daemon is to thaw whatever it froze. */
static void vss_send_thaw(struct hv_icd *s, const char *why)
{
	struct hv_vss_msg m = { };
	int ret;

	m.vss_hdr.operation = VSS_OP_THAW;
	ret = hv_icd_send(s, &m, sizeof(m), true);
	if (ret)
		dev_warn(&s->ic.dev->device, "VSS: cannot ask the daemon to thaw (%s): %d\n",
			 why, ret);
	else
		dev_info(&s->ic.dev->device, "VSS: asked the daemon to thaw (%s)\n",
			 why);
}

static void vss_timed_out(struct hv_icd *s, u32 op, bool delivered)
{
	if (op == VSS_OP_FREEZE && delivered)
		vss_send_thaw(s, "the freeze timed out");
}

static void vss_suspend_daemon(struct hv_icd *s)
{
	vss_send_thaw(s, "suspend");
}

static const struct hv_icd_ops vss_ops = {
	.devname = "hv_vss",
	.type = HVIC_TYPE_VSS,
	.max_out = sizeof(struct hv_vss_msg),
	.request = vss_request,
	.classify = vss_classify,
	.registered = vss_registered,
	.answer = vss_answer,
	.timed_out = vss_timed_out,
	.suspend = vss_suspend_daemon,
};

static int vss_probe(struct hv_device *dev, const struct hv_vmbus_device_id *id)
{
	/* As upstream: hosts older than Windows 2012 R2 have no usable VSS. */
	if (vmbus_proto_version < VERSION_WIN8_1) {
		dev_warn(&dev->device, "VSS: not supported on this host version\n");
		return -EOPNOTSUPP;
	}
	return hv_icd_probe(dev, "VSS", &vss_versions, 2 * HV_HYP_PAGE_SIZE,
			    &vss_ops, 0);
}

static const struct hv_vmbus_device_id vss_id_table[] = {
	{ HV_VSS_GUID, },
	{ },
};
MODULE_DEVICE_TABLE(vmbus, vss_id_table);

static struct hv_driver vss_driver = {
	.name = "hv_vss",
	.id_table = vss_id_table,
	.probe = vss_probe,
	.remove = hv_icd_remove,
	.suspend = hv_icd_suspend,
	.resume = hv_icd_resume,
	.driver = {
		.probe_type = PROBE_PREFER_ASYNCHRONOUS,
	},
};

static int __init vss_init(void)
{
	return vmbus_driver_register(&vss_driver);
}

static void __exit vss_exit(void)
{
	vmbus_driver_unregister(&vss_driver);
}

module_init(vss_init);
module_exit(vss_exit);
MODULE_DESCRIPTION("Hyper-V volume shadow copy (VSS) integration service");
MODULE_LICENSE("GPL");
MODULE_VERSION(OPENLIS_VERSION);
