// SPDX-License-Identifier: GPL-2.0
/*
 * VMSTOR on the controller's channels: the initialization (the newest
 * version the host takes of 6.2, 6.0 and 5.1, its properties, then the
 * sub-channels, opened as their offers come and each on the CPU the core
 * gave it), the control requests through ol_xact, and the channel
 * callback, which copies each host packet once, checks it
 * (vstor_check.c) and hands only what passed to scsi.c or to the waiting
 * control request. A packet that fails is dropped, counted on its channel
 * and by verdict, and logged at a limited rate.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/hyperv.h>
#include <linux/string.h>

#include "hv_storvsc.h"

/* Control requests wait this long for the host (the in-tree wait, 2025). */
static unsigned int control_timeout_s = 180;
module_param(control_timeout_s, uint, 0644);
MODULE_PARM_DESC(control_timeout_s,
		 "seconds a control request (init, reset) waits for the host");

/*
 * Sub-channels offered after CREATE_SUB_CHANNELS are waited for this long.
 * The host withdraws them when the primary closes and offers them anew on
 * each request, so they normally come within milliseconds; a host that
 * offers fewer than it granted leaves the probe with the channels it has.
 */
#define STV_SC_WAIT_MS		10000

static const u16 stv_versions[] = {
	VSTOR_VERSION_WIN10, VSTOR_VERSION_WIN8_1, VSTOR_VERSION_WIN8,
};

unsigned int stv_nr_chans(struct stv_dev *dev)
{
	/* pairs with the release that publishes an opened channel */
	return smp_load_acquire(&dev->nr_chans);
}

/* Channel @i if it is open, else NULL. */
struct stv_chan *stv_chan_get(struct stv_dev *dev, unsigned int i)
{
	if (i >= stv_nr_chans(dev))
		return NULL;
	return &dev->chans[i];
}

void stv_bad(struct stv_chan *c, enum vstor_verdict v, u64 id)
{
	atomic64_inc(&c->bad);
	if ((unsigned int)v < VSTOR_NR_VERDICTS)
		atomic64_inc(&c->dev->verdicts[v]);
	dev_warn_ratelimited(&c->dev->hdev->device,
			     "channel %u: host packet dropped: %s (id %#llx)\n",
			     c->index, vstor_verdict_name(v), id);
}

/*
 * One control request on the primary channel: @p goes out with a fresh
 * id, and its answer comes back in @p, checked to be an answer long
 * enough for @p's operation. 0, or a negative errno: the host's status
 * is the caller's to read.
 */
static int stv_control(struct stv_dev *dev, struct vstor_packet *p)
{
	struct vstor_packet ans;
	struct ol_xact *x;
	enum vstor_verdict v;
	u32 op = p->hdr.operation, len = 0;
	int ret;

	x = ol_xact_get(&dev->xact, &ans, sizeof(ans));
	if (!x)
		return -ENODEV;
	p->hdr.flags = VSTOR_FLAG_REQUEST_COMPLETION;
	ret = vmbus_sendpacket(dev->hdev->channel, p, sizeof(*p),
			       ol_xact_id(x), VM_PKT_DATA_INBAND,
			       VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	if (!ret)
		ret = ol_xact_wait(x, control_timeout_s * 1000, &len);
	ol_xact_put(x);
	if (ret) {
		dev_err(&dev->hdev->device, "operation %u: %s (%d)\n", op,
			ret == -ETIMEDOUT ? "no answer in time" : "not sent",
			ret);
		return ret;
	}
	v = vstor_check_reply(&ans, len, op);
	if (v != VSTOR_OK) {
		stv_bad(&dev->chans[0], v, 0);
		return -EPROTO;
	}
	memcpy(p, &ans, sizeof(*p));
	return 0;
}

/* A request whose answer must say SUCCESS. */
static int stv_control_ok(struct stv_dev *dev, u32 op)
{
	struct vstor_packet p = { .hdr.operation = op };
	int ret = stv_control(dev, &p);

	if (ret)
		return ret;
	if (p.hdr.status != VSTOR_STATUS_SUCCESS) {
		dev_err(&dev->hdev->device, "operation %u: host status %#x\n",
			op, p.hdr.status);
		return -EIO;
	}
	return 0;
}

static void stv_on_channel(void *context)
{
	struct stv_chan *c = context;
	struct stv_dev *dev = c->dev;
	const struct vmpacket_descriptor *desc;
	struct vstor_packet p;
	enum vstor_verdict v;
	enum vstor_kind kind;
	u32 tag, len;
	u64 id;
	u16 type;

	foreach_vmbus_pkt(desc, c->chan) {
		type = desc->type;
		id = desc->trans_id;
		len = hv_pkt_datalen(desc);
		v = vstor_classify(type, id, &kind, &tag);
		if (v != VSTOR_OK) {
			stv_bad(c, v, id);
			continue;
		}
		vstor_copy(&p, hv_pkt_data(desc), len);
		switch (kind) {
		case VSTOR_KIND_HOST:
			v = vstor_check_host_msg(&p, len);
			if (v == VSTOR_BUS_CHANGED)
				stv_bus_changed(dev);
			else
				stv_bad(c, v, id);
			break;
		case VSTOR_KIND_CONTROL:
			if (!ol_xact_respond(&dev->xact, id, &p, len))
				stv_bad(c, VSTOR_BAD_ID, id);
			break;
		case VSTOR_KIND_IO:
			stv_io_done(c, tag, id, &p, len);
			break;
		}
	}
}

static int stv_open(struct stv_dev *dev, struct vmbus_channel *chan,
		    struct stv_chan *c)
{
	struct vstor_properties props = {};

	c->chan = chan;
	c->dev = dev;
	/*
	 * The core keeps a channel across drivers, and the kernel's
	 * hv_storvsc leaves its request-id hooks on it: the ring write would
	 * call into that module after it is gone. openlis's ids are its own.
	 */
	chan->next_request_id_callback = NULL;
	chan->request_addr_callback = NULL;
	return vmbus_open(chan, STV_RING_SIZE, STV_RING_SIZE, &props,
			  sizeof(props), stv_on_channel, c);
}

/* A sub-channel the host offered after CREATE_SUB_CHANNELS. */
static void stv_sc_created(struct vmbus_channel *sc)
{
	struct hv_device *hdev = sc->primary_channel->device_obj;
	struct stv_dev *dev = hv_get_drvdata(hdev);
	u16 idx = sc->offermsg.offer.sub_channel_index;
	struct stv_chan *c;
	int ret;

	if (!dev || !idx || idx > dev->want_sub) {
		dev_warn(&hdev->device, "sub-channel %u not asked for: left closed\n",
			 idx);
		return;
	}
	/* the table stays dense: a channel takes the next slot once open */
	mutex_lock(&dev->sc_lock);
	/* a host that offers an index twice gets no more channels than asked */
	if (dev->nr_chans > dev->want_sub || dev->nr_chans >= STV_MAX_CHANS) {
		mutex_unlock(&dev->sc_lock);
		dev_warn(&hdev->device, "sub-channel %u is one too many: left closed\n",
			 idx);
		return;
	}
	c = &dev->chans[dev->nr_chans];
	c->index = dev->nr_chans;
	ret = stv_open(dev, sc, c);
	if (ret)
		dev_err(&hdev->device, "sub-channel %u: open failed: %d\n",
			idx, ret);
	else	/* the channel is whole before it is counted */
		smp_store_release(&dev->nr_chans, dev->nr_chans + 1);
	mutex_unlock(&dev->sc_lock);
	wake_up(&dev->sc_wait);
}

/*
 * The sub-channels: one per online CPU past the first, as many as the
 * host can open. Their offers come after the answer; the probe waits a
 * while for them, and the queues map to those open by then.
 */
static void stv_sub_channels(struct stv_dev *dev)
{
	struct vstor_packet p = { .hdr.operation = VSTOR_OP_CREATE_SUB_CHANNELS };
	unsigned int want = num_online_cpus() - 1;
	int ret;

	want = min_t(unsigned int, want, dev->max_sub);
	want = min_t(unsigned int, want, STV_MAX_SUB);
	if (!want)
		return;
	dev->want_sub = want;
	p.sub.count = want;
	ret = stv_control(dev, &p);
	if (!ret && p.hdr.status != VSTOR_STATUS_SUCCESS)
		ret = -EIO;
	if (ret) {
		dev_warn(&dev->hdev->device,
			 "no sub-channels (%d, status %#x): one channel\n", ret,
			 p.hdr.status);
		dev->want_sub = 0;
		return;
	}
	if (!wait_event_timeout(dev->sc_wait, stv_nr_chans(dev) == want + 1,
				msecs_to_jiffies(STV_SC_WAIT_MS)))
		dev_warn(&dev->hdev->device, "%u of %u sub-channels opened\n",
			 stv_nr_chans(dev) - 1, want);
}

static int stv_negotiate(struct stv_dev *dev)
{
	struct vstor_packet p;
	unsigned int i;
	int ret;

	ret = stv_control_ok(dev, VSTOR_OP_BEGIN_INITIALIZATION);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(stv_versions); i++) {
		memset(&p, 0, sizeof(p));
		p.hdr.operation = VSTOR_OP_QUERY_PROTOCOL_VERSION;
		p.version.major_minor = stv_versions[i];
		ret = stv_control(dev, &p);
		if (ret)
			return ret;
		if (p.hdr.status == VSTOR_STATUS_SUCCESS)
			break;
		if (p.hdr.status != VSTOR_STATUS_REVISION_MISMATCH) {
			dev_err(&dev->hdev->device, "version %#x: host status %#x\n",
				stv_versions[i], p.hdr.status);
			return -EIO;
		}
	}
	if (i == ARRAY_SIZE(stv_versions)) {
		dev_err(&dev->hdev->device, "the host speaks no VMSTOR of 5.1 or newer\n");
		return -EPROTONOSUPPORT;
	}
	dev->version = stv_versions[i];

	memset(&p, 0, sizeof(p));
	p.hdr.operation = VSTOR_OP_QUERY_PROPERTIES;
	ret = stv_control(dev, &p);
	if (ret)
		return ret;
	if (vstor_check_properties(&p.props, STV_MAX_XFER, STV_MAX_SUB,
				   &dev->max_xfer, &dev->max_sub) != VSTOR_OK) {
		stv_bad(&dev->chans[0], VSTOR_BAD_PROPERTIES, 0);
		return -EPROTO;
	}
	return stv_control_ok(dev, VSTOR_OP_END_INITIALIZATION);
}

/* The primary channel opened and VMSTOR initialized, sub-channels open. */
int stv_connect(struct stv_dev *dev)
{
	int ret;

	ol_xact_resume(&dev->xact);
	dev->nr_chans = 0;
	dev->want_sub = 0;
	dev->chans[0].index = 0;
	/*
	 * The primary channel outlives its driver in the core, and with it
	 * the sub-channel callback the previous driver left: a host that
	 * offers sub-channels before they are asked for would call into a
	 * module that is gone. Ours is set before the channel opens; with
	 * nothing asked yet it leaves such offers closed.
	 */
	vmbus_set_sc_create_callback(dev->hdev->channel, stv_sc_created);
	ret = stv_open(dev, dev->hdev->channel, &dev->chans[0]);
	if (ret)
		return ret;
	/* the primary is whole before it is counted */
	smp_store_release(&dev->nr_chans, 1);
	ret = stv_negotiate(dev);
	if (ret) {
		stv_disconnect(dev);
		return ret;
	}
	/* an IDE controller has no sub-channels */
	if (!dev->ide)
		stv_sub_channels(dev);
	dev_info(&dev->hdev->device,
		 "VMSTOR %u.%u, %u channels, transfers up to %u KiB\n",
		 dev->version >> 8, dev->version & 0xff, stv_nr_chans(dev),
		 dev->max_xfer >> 10);
	return 0;
}

/* Closes every channel (the core closes the sub-channels with it). */
void stv_disconnect(struct stv_dev *dev)
{
	ol_xact_cancel_all(&dev->xact);
	vmbus_close(dev->hdev->channel);
	/* the next driver of this channel must not find our callback */
	vmbus_set_sc_create_callback(dev->hdev->channel, NULL);
	/* closed channels are not counted */
	smp_store_release(&dev->nr_chans, 0);
}

int stv_reset_bus(struct stv_dev *dev)
{
	return stv_control_ok(dev, VSTOR_OP_RESET_BUS);
}
