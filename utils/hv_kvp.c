// SPDX-License-Identifier: GPL-2.0
/*
 * Hyper-V key-value pair exchange (KVP): the host reads and writes the
 * guest's pools and its IP configuration through the user-space daemon,
 * which talks upstream's protocol over /dev/vmbus/hv_kvp. Both upstream's
 * hv_kvp_daemon and openlis's work: the daemon registers with
 * KVP_OP_REGISTER1 (or the old KVP_OP_REGISTER) and gets the same answer
 * upstream's driver gives.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "hv_ic.h"

/* Upstream's HV_UTIL_TIMEOUT and HV_UTIL_NEGO_TIMEOUT (6.1). */
static unsigned int timeout = 30;
module_param(timeout, uint, 0444);
MODULE_PARM_DESC(timeout, "Seconds the daemon has to answer a host request (1-300, default 30)");

static unsigned int nego_wait = 55;
module_param(nego_wait, uint, 0444);
MODULE_PARM_DESC(nego_wait, "Seconds the host's version negotiation waits for a daemon (0-300, default 55)");

#define KVP_MAX_SECS		300U
/* What the daemon is told at registration; upstream's driver says this. */
#define KVP_DRV_VERSION		"3.1"

static const u32 kvp_fw[] = { HVIC_FW_3_0, HVIC_FW_1_0 };
static const u32 kvp_srv[] = {
	HVIC_VERSION(4, 0), HVIC_VERSION(3, 0), HVIC_VERSION(1, 0),
};

static const struct hvic_versions kvp_versions = {
	.fw = kvp_fw, .nr_fw = ARRAY_SIZE(kvp_fw),
	.srv = kvp_srv, .nr_srv = ARRAY_SIZE(kvp_srv),
};

static enum hvic_verdict kvp_request(struct hv_icd *s, void *out, u32 *len,
				     u32 *op, unsigned long *tmo)
{
	struct hv_kvp_msg *m = out;
	enum hvic_kvp_action act;
	enum hvic_verdict v;

	v = hvic_kvp_to_daemon(&s->ic.msg, m, &act);
	if (v != HVIC_OK)
		return v;
	if (act != HVIC_KVP_FORWARD)
		return HVIC_BAD_VALUE;
	*len = sizeof(*m);
	*op = m->kvp_hdr.operation;
	*tmo = clamp(timeout, 1U, KVP_MAX_SECS) * HZ;
	return HVIC_OK;
}

static int kvp_classify(struct hv_icd *s, const void *msg, size_t len,
			u32 *val)
{
	return hv_icd_kind(hvic_kvp_daemon_msg(msg, len, s->x.registered, val),
			   val);
}

static int kvp_registered(struct hv_icd *s, u32 ver)
{
	struct hv_kvp_msg *m;
	int ret;

	if (ver == KVP_OP_REGISTER)
		dev_info(&s->ic.dev->device, "KVP: the daemon cannot set IP addresses; upgrade it\n");
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->kvp_hdr.operation = ver;
	strscpy((char *)m->body.kvp_register.version, KVP_DRV_VERSION,
		sizeof(m->body.kvp_register.version));
	ret = hv_icd_send(s, m, sizeof(*m), false);
	kfree(m);
	return ret;
}

static void kvp_answer(struct hv_icd *s, const void *msg, size_t len)
{
	u32 status;

	/* A daemon of the old protocol reports failure as an empty key. */
	hvic_kvp_to_host(&s->ic.msg, msg, s->x.daemon_ver == KVP_OP_REGISTER,
			 &status);
	hv_ic_reply(&s->ic, status);
}

static const struct hv_icd_ops kvp_ops = {
	.devname = "hv_kvp",
	.type = HVIC_TYPE_KVP,
	.max_out = sizeof(struct hv_kvp_msg),
	.request = kvp_request,
	.classify = kvp_classify,
	.registered = kvp_registered,
	.answer = kvp_answer,
};

static int kvp_probe(struct hv_device *dev, const struct hv_vmbus_device_id *id)
{
	return hv_icd_probe(dev, "KVP", &kvp_versions, 4 * HV_HYP_PAGE_SIZE,
			    &kvp_ops, min(nego_wait, KVP_MAX_SECS));
}

static const struct hv_vmbus_device_id kvp_id_table[] = {
	{ HV_KVP_GUID, },
	{ },
};
MODULE_DEVICE_TABLE(vmbus, kvp_id_table);

static struct hv_driver kvp_driver = {
	.name = "hv_kvp",
	.id_table = kvp_id_table,
	.probe = kvp_probe,
	.remove = hv_icd_remove,
	.suspend = hv_icd_suspend,
	.resume = hv_icd_resume,
	.driver = {
		.probe_type = PROBE_PREFER_ASYNCHRONOUS,
	},
};

static int __init kvp_init(void)
{
	return vmbus_driver_register(&kvp_driver);
}

static void __exit kvp_exit(void)
{
	vmbus_driver_unregister(&kvp_driver);
}

module_init(kvp_init);
module_exit(kvp_exit);
MODULE_DESCRIPTION("Hyper-V key-value pair (KVP) integration service");
MODULE_LICENSE("GPL");
MODULE_VERSION(OPENLIS_VERSION);
