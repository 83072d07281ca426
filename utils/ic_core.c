// SPDX-License-Identifier: GPL-2.0
/*
 * hv_utils: the integration-component framework the service modules share.
 * Each service owns its channel; this opens it, reads packets into the
 * service's buffer, checks their framing, answers version negotiation and
 * leaves the service its own messages.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include "hv_ic.h"

#define HV_IC_RING_SIZE	VMBUS_RING_SIZE(3 * HV_HYP_PAGE_SIZE)

int hv_ic_init(struct hv_ic *ic, struct hv_device *dev, const char *name,
	       const struct hvic_versions *vers, u32 buf_size)
{
	memset(ic, 0, sizeof(*ic));
	ic->buf = kzalloc(buf_size, GFP_KERNEL);
	if (!ic->buf)
		return -ENOMEM;
	ic->buf_size = buf_size;
	ic->name = name;
	ic->dev = dev;
	ic->chan = dev->channel;
	ic->vers = vers;
	return 0;
}
EXPORT_SYMBOL_GPL(hv_ic_init);

void hv_ic_free(struct hv_ic *ic)
{
	kfree(ic->buf);
	ic->buf = NULL;
}
EXPORT_SYMBOL_GPL(hv_ic_free);

/* @cb runs with the channel as its argument, from the channel's tasklet. */
int hv_ic_open(struct hv_ic *ic, void (*cb)(void *))
{
	ic->fw_ver = 0;
	ic->srv_ver = 0;
	/* IC services are not hot: read one packet per callback, directly. */
	set_channel_read_mode(ic->chan, HV_CALL_DIRECT);
	ic->chan->max_pkt_size = ic->buf_size;
	return vmbus_open(ic->chan, HV_IC_RING_SIZE, HV_IC_RING_SIZE, NULL, 0,
			  cb, ic->chan);
}
EXPORT_SYMBOL_GPL(hv_ic_open);

void hv_ic_close(struct hv_ic *ic)
{
	vmbus_close(ic->chan);
	if (atomic_read(&ic->dropped) || atomic_read(&ic->rejected))
		dev_info(&ic->dev->device, "%s: %d bad packets dropped, %d bad requests failed\n",
			 ic->name, atomic_read(&ic->dropped),
			 atomic_read(&ic->rejected));
}
EXPORT_SYMBOL_GPL(hv_ic_close);

void hv_ic_drop(struct hv_ic *ic, enum hvic_verdict v)
{
	atomic_inc(&ic->dropped);
	dev_warn_ratelimited(&ic->dev->device, "%s: dropped a packet of %u bytes, type %u: %s\n",
			     ic->name, ic->len, ic->msg.hdr ? ic->msg.type : 0,
			     hvic_verdict_name(v));
}
EXPORT_SYMBOL_GPL(hv_ic_drop);

/* A well-framed request that is wrong: the host is told it failed. */
void hv_ic_reject(struct hv_ic *ic, enum hvic_verdict v)
{
	atomic_inc(&ic->rejected);
	dev_warn_ratelimited(&ic->dev->device, "%s: failed a request of %u bytes, type %u: %s\n",
			     ic->name, ic->len, ic->msg.type,
			     hvic_verdict_name(v));
	hv_ic_reply(ic, HVIC_E_FAIL);
}
EXPORT_SYMBOL_GPL(hv_ic_reject);

void hv_ic_reply(struct hv_ic *ic, u32 status)
{
	int ret;

	hvic_set_response(&ic->msg, status);
	ret = vmbus_sendpacket(ic->chan, ic->buf, ic->len, ic->req_id,
			       VM_PKT_DATA_INBAND, 0);
	if (ret)
		dev_warn_ratelimited(&ic->dev->device, "%s: cannot answer the host: %d\n",
				     ic->name, ret);
}
EXPORT_SYMBOL_GPL(hv_ic_reply);

static void hv_ic_negotiate(struct hv_ic *ic)
{
	enum hvic_verdict v;
	u32 fw, srv;

	v = hvic_negotiate(&ic->msg, ic->vers, &fw, &srv);
	if (v != HVIC_OK && v != HVIC_NO_MATCH) {
		hv_ic_drop(ic, v);
		return;
	}
	if (v == HVIC_NO_MATCH) {
		dev_warn_ratelimited(&ic->dev->device, "%s: no common IC version with the host\n",
				     ic->name);
		hv_ic_reply(ic, HVIC_E_FAIL);
		return;
	}
	if (srv != ic->srv_ver || fw != ic->fw_ver)
		dev_info_ratelimited(&ic->dev->device, "%s IC version %u.%u (framework %u.%u)\n",
				     ic->name, HVIC_MAJOR(srv), HVIC_MINOR(srv),
				     HVIC_MAJOR(fw), HVIC_MINOR(fw));
	ic->fw_ver = fw;
	ic->srv_ver = srv;
	hv_ic_reply(ic, HVIC_S_OK);
}

/*
 * Read packets until one is the service's own: returns 1 with it in
 * ic->msg, 0 when the ring is empty, or a negative errno. Negotiation is
 * answered here; a request before it is failed.
 */
int hv_ic_next(struct hv_ic *ic)
{
	enum hvic_verdict v;
	int ret;

	for (;;) {
		ret = vmbus_recvpacket(ic->chan, ic->buf, ic->buf_size,
				       &ic->len, &ic->req_id);
		if (ret) {
			dev_warn_ratelimited(&ic->dev->device, "%s: cannot read a packet of %u bytes: %d\n",
					     ic->name, ic->len, ret);
			return ret;
		}
		if (!ic->len)
			return 0;
		v = hvic_check(ic->buf, ic->len, &ic->msg);
		if (v != HVIC_OK) {
			hv_ic_drop(ic, v);
			continue;
		}
		if (ic->msg.type == HVIC_TYPE_NEGOTIATE) {
			hv_ic_negotiate(ic);
			continue;
		}
		if (!ic->srv_ver) {
			hv_ic_reject(ic, HVIC_BAD_VALUE);
			continue;
		}
		return 1;
	}
}
EXPORT_SYMBOL_GPL(hv_ic_next);

static int __init hv_utils_init(void)
{
	return 0;
}

static void __exit hv_utils_exit(void)
{
}

module_init(hv_utils_init);
module_exit(hv_utils_exit);
MODULE_DESCRIPTION("Hyper-V integration services: shared framework and daemon transport");
MODULE_LICENSE("GPL");
MODULE_VERSION(OPENLIS_VERSION);
