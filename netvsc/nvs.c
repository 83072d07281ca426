// SPDX-License-Identifier: GPL-2.0
/*
 * NVSP on the VMBus channels: version negotiation, the receive and send
 * buffers, sub-channels, and each channel's packets (completions of our
 * requests and sends, received frames in transfer pages, in-band messages
 * from the host), processed in that channel's NAPI context.
 *
 * Control requests (INIT, RXBUF, TXBUF, SUBCHANNEL) go through a small
 * request/answer interface, olnv_ctl_request() and olnv_ctl_answer(): one
 * request in flight, its answer matched by the transaction id that names
 * its type, so a late or unasked answer is dropped, never taken for the
 * next request's. It stands in for the project's shared transaction
 * helper until that exists.
 *
 * Locking: see netvsc.h. ctl_lock (a spinlock) guards the hand-over of an
 * answer from NAPI to the waiting requester.
 */
#include <linux/module.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/etherdevice.h>
#include "netvsc.h"

static DEFINE_SPINLOCK(olnv_ctl_lock);

/* From channel @c's NAPI context, its counters' one writer. */
void olnv_count_drop(struct olnv_chan *c, enum olnv_drop d)
{
	u64_stats_update_begin(&c->syncp);
	c->drops[d]++;
	u64_stats_update_end(&c->syncp);
}

/* From anywhere else: transmit, control requests, channel offers. */
void olnv_count_drop_any(struct olnv_dev *nd, enum olnv_drop d)
{
	atomic64_inc(&nd->drops_any[d]);
}

/* Every message we send is NVSP_MSG_SIZE bytes, zero past its own size. */
static int olnv_send_msg(struct vmbus_channel *ch, const void *msg, u32 len,
			 u64 tid, enum vmbus_packet_type type, u32 flags)
{
	u8 buf[NVSP_MSG_SIZE] = { 0 };

	memcpy(buf, msg, min_t(u32, len, sizeof(buf)));
	return vmbus_sendpacket(ch, buf, sizeof(buf), tid, type, flags);
}

/*
 * Send control request @msg (its type is the request's) on the primary
 * channel and wait for the completion that answers it. @answered tells
 * whether the host answers at all (NDIS_VERSION and NDIS_CONFIG do not).
 */
static int olnv_ctl_request(struct olnv_dev *nd, const void *msg, u32 len,
			    bool answered, struct nvsp_comp *out)
{
	struct olnv_ctl *ctl = &nd->ctl;
	u32 type;
	int ret;

	memcpy(&type, msg, sizeof(type));
	if (!answered)
		return olnv_send_msg(nd->chans[0].chan, msg, len,
				     nvsp_tid(NVSP_TID_CTRL, type),
				     VM_PKT_DATA_INBAND, 0);

	mutex_lock(&ctl->lock);
	spin_lock_bh(&olnv_ctl_lock);
	reinit_completion(&ctl->done);
	ctl->want = type;
	spin_unlock_bh(&olnv_ctl_lock);

	ret = olnv_send_msg(nd->chans[0].chan, msg, len,
			    nvsp_tid(NVSP_TID_CTRL, type), VM_PKT_DATA_INBAND,
			    VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	if (!ret && !wait_for_completion_timeout(&ctl->done, OLNV_CTL_TIMEOUT))
		ret = -ETIMEDOUT;

	spin_lock_bh(&olnv_ctl_lock);
	ctl->want = 0;
	if (!ret)
		*out = ctl->comp;
	spin_unlock_bh(&olnv_ctl_lock);
	mutex_unlock(&ctl->lock);
	if (ret)
		netdev_err(nd->ndev, "NVSP request %u: %s\n", type,
			   ret == -ETIMEDOUT ? "no answer" : "send failed");
	return ret;
}

/* A checked control completion from NAPI: the waiter's, or dropped. */
static void olnv_ctl_answer(struct olnv_chan *c, const struct nvsp_comp *comp)
{
	struct olnv_ctl *ctl = &c->nd->ctl;
	bool taken = false;

	spin_lock(&olnv_ctl_lock);
	if (ctl->want && ctl->want == comp->slot) {
		ctl->comp = *comp;
		ctl->want = 0;
		complete(&ctl->done);
		taken = true;
	}
	spin_unlock(&olnv_ctl_lock);
	if (!taken) {
		olnv_count_drop(c, OLNV_DROP_TID);
		net_warn_ratelimited("%s: completion of NVSP %u not asked for\n",
				     netdev_name(c->nd->ndev), comp->slot);
	}
}

static const u32 olnv_versions[] = {
	NVSP_VERSION_61, NVSP_VERSION_6, NVSP_VERSION_5, NVSP_VERSION_4,
	NVSP_VERSION_2, NVSP_VERSION_1,
};

/* Newest first, each offered alone; the first the host takes is ours. */
static int olnv_negotiate(struct olnv_dev *nd)
{
	struct nvsp_init init = { .type = NVSP_MSG_INIT };
	struct nvsp_comp comp;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(olnv_versions); i++) {
		init.ver_min = olnv_versions[i];
		init.ver_max = olnv_versions[i];
		ret = olnv_ctl_request(nd, &init, sizeof(init), true, &comp);
		if (ret)
			return ret;
		if (comp.status == NVSP_STATUS_SUCCESS) {
			nd->nvsp_ver = olnv_versions[i];
			return 0;
		}
	}
	netdev_err(nd->ndev, "host refused every NVSP version\n");
	return -EPROTO;
}

static int olnv_send_config(struct olnv_dev *nd)
{
	struct nvsp_ndis_version nv = { .type = NVSP_MSG1_NDIS_VERSION };
	struct nvsp_ndis_config cfg = { .type = NVSP_MSG2_NDIS_CONFIG };
	int ret;

	if (nd->nvsp_ver >= NVSP_VERSION_2) {
		cfg.mtu = nd->ndev->mtu + ETH_HLEN;
		cfg.caps = NVSP_CAP_IEEE8021Q;
		if (nd->nvsp_ver >= NVSP_VERSION_5)
			cfg.caps |= NVSP_CAP_SRIOV | NVSP_CAP_TEAMING;
		ret = olnv_ctl_request(nd, &cfg, sizeof(cfg), false, NULL);
		if (ret)
			return ret;
	}
	nv.major = NVSP_NDIS_MAJOR;
	nv.minor = nd->nvsp_ver > NVSP_VERSION_4 ? NVSP_NDIS_MINOR :
		   NVSP_NDIS_MINOR_OLD;
	return olnv_ctl_request(nd, &nv, sizeof(nv), false, NULL);
}

/* The host's answer to a control request is refused: counted and said. */
static void olnv_log_bad(struct olnv_dev *nd, const char *what,
			 enum nvsp_verdict v)
{
	olnv_count_drop_any(nd, OLNV_DROP_NVSP);
	if (net_ratelimit())
		netdev_err(nd->ndev, "%s: %s\n", what, nvsp_verdict_name(v));
}

/*
 * Give the host a buffer: allocate @size bytes at *@buf, describe them by
 * a GPADL and send @type (RXBUF or TXBUF, the two share a layout) with it.
 */
static int olnv_connect_buf(struct olnv_dev *nd, u32 type, u16 id, void **buf,
			    u32 size, struct vmbus_gpadl *gpadl,
			    struct nvsp_comp *comp)
{
	struct nvsp_rxbuf req = { .type = type, .id = id };
	int ret;

	*buf = vzalloc(size);
	if (!*buf)
		return -ENOMEM;
	ret = vmbus_establish_gpadl(nd->chans[0].chan, *buf, size, gpadl);
	if (ret)
		return ret;
	req.gpadl = gpadl->gpadl_handle;
	return olnv_ctl_request(nd, &req, sizeof(req), true, comp);
}

static int olnv_connect_bufs(struct olnv_dev *nd)
{
	u32 max = nd->nvsp_ver <= NVSP_VERSION_2 ? OLNV_RXBUF_MAX_LEGACY :
		  OLNV_RXBUF_MAX;
	struct nvsp_comp comp;
	enum nvsp_verdict v;
	int ret;

	nd->rxbuf_size = min_t(u32, nd->rxbuf_size, max);
	ret = olnv_connect_buf(nd, NVSP_MSG1_RXBUF, NVSP_RXBUF_ID, &nd->rxbuf,
			       nd->rxbuf_size, &nd->rxbuf_gpadl, &comp);
	if (ret)
		return ret;
	v = nvsp_check_rxbuf(&comp, nd->rxbuf_size, &nd->rx_section_size,
			     &nd->rx_sections);
	if (v != NVSP_OK) {
		olnv_log_bad(nd, "receive buffer", v);
		return -EPROTO;
	}

	nd->txbuf_size = min_t(u32, nd->txbuf_size, OLNV_TXBUF_MAX);
	ret = olnv_connect_buf(nd, NVSP_MSG1_TXBUF, NVSP_TXBUF_ID, &nd->txbuf,
			       nd->txbuf_size, &nd->txbuf_gpadl, &comp);
	if (ret)
		return ret;
	v = nvsp_check_txbuf(&comp, nd->txbuf_size, &nd->tx_section_size,
			     &nd->tx_sections);
	if (v != NVSP_OK) {
		olnv_log_bad(nd, "send buffer", v);
		return -EPROTO;
	}
	nd->tx_map = bitmap_zalloc(nd->tx_sections, GFP_KERNEL);
	return nd->tx_map ? 0 : -ENOMEM;
}

static void olnv_channel_cb(void *context)
{
	struct olnv_chan *c = context;

	if (napi_schedule_prep(&c->napi)) {
		hv_begin_read(&c->chan->inbound);
		__napi_schedule_irqoff(&c->napi);
	}
}

/* The largest packet the host sends us: a transfer page of every range. */
#define OLNV_MAX_PKT	(sizeof(struct nvsp_xfer_hdr) + \
			 NVSP_MAX_XFER_RANGES * sizeof(struct nvsp_xfer_range) + \
			 NVSP_MSG_SIZE + NVSP_SEND_TABLE_SIZE * sizeof(u32))

static void olnv_chan_free(struct olnv_chan *c)
{
	u32 i;

	if (c->slots)
		for (i = 0; i < OLNV_TX_SLOTS; i++)
			kfree(c->slots[i].hdr);
	kvfree(c->slots);
	kfree(c->rx_copy);
	kfree(c->owed);
	c->slots = NULL;
	c->rx_copy = NULL;
	c->owed = NULL;
}

/* Ready channel @idx's memory and NAPI, then open @ch for it. */
static int olnv_chan_open(struct olnv_dev *nd, struct vmbus_channel *ch,
			  u32 idx)
{
	struct olnv_chan *c = &nd->chans[idx];
	int ret;

	c->nd = nd;
	c->idx = idx;
	u64_stats_init(&c->syncp);
	c->owed_cap = nd->rx_sections + 1;
	c->owed_head = 0;
	c->owed_count = 0;
	atomic_set(&c->in_flight, 0);
	c->next_slot = 0;
	/* Channel 0 opens before the buffers exist; it gets its copy later. */
	if (idx) {
		c->rx_copy = kmalloc(nd->rx_section_size, GFP_KERNEL);
		c->owed = kcalloc(c->owed_cap, sizeof(u64), GFP_KERNEL);
		if (!c->rx_copy || !c->owed)
			goto nomem;
	}
	c->slots = kvcalloc(OLNV_TX_SLOTS, sizeof(*c->slots), GFP_KERNEL);
	if (!c->slots)
		goto nomem;

	ch->max_pkt_size = OLNV_MAX_PKT;
	set_channel_read_mode(ch, HV_CALL_ISR);
	/*
	 * The core keeps a channel across drivers, and the kernel's
	 * hv_netvsc leaves its request-id hooks on it: the ring write would
	 * call into that module after it is gone. openlis's ids are its own.
	 */
	ch->next_request_id_callback = NULL;
	ch->request_addr_callback = NULL;
	c->chan = ch;
	netif_napi_add(nd->ndev, &c->napi, olnv_poll);
	napi_enable(&c->napi);
	ret = vmbus_open(ch, OLNV_RING_BYTES, OLNV_RING_BYTES, NULL, 0,
			 olnv_channel_cb, c);
	if (ret) {
		napi_disable(&c->napi);
		netif_napi_del(&c->napi);
		c->chan = NULL;
		olnv_chan_free(c);
	}
	return ret;
nomem:
	olnv_chan_free(c);
	return -ENOMEM;
}

/* The host offered a sub-channel we asked for: open it as its index. */
static void olnv_sc_open(struct vmbus_channel *sc)
{
	struct net_device *ndev = hv_get_drvdata(sc->primary_channel->device_obj);
	struct olnv_dev *nd = netdev_priv(ndev);
	u16 idx = sc->offermsg.offer.sub_channel_index;

	/* A host may offer what we never asked for; only those we did open. */
	if (!idx || idx > READ_ONCE(nd->sc_asked) || nd->chans[idx].chan) {
		olnv_count_drop_any(nd, OLNV_DROP_NVSP);
		net_warn_ratelimited("%s: sub-channel %u refused\n",
				     netdev_name(ndev), idx);
		return;
	}
	if (olnv_chan_open(nd, sc, idx)) {
		netdev_err(ndev, "sub-channel %u did not open\n", idx);
		return;
	}
	atomic_inc(&nd->sc_opened);
	wake_up(&nd->sc_wait);
}

/*
 * Ask for @want channels in all; as many as the host opens are used. A
 * refused or false answer leaves the device on its primary channel, and
 * ethtool -l then offers no more (max_chn 1) until the next probe.
 */
int olnv_nvs_subchannels(struct olnv_dev *nd, u32 want)
{
	struct nvsp_subchannel_req req = {
		.type = NVSP_MSG5_SUBCHANNEL,
		.op = NVSP_SUBCHANNEL_ALLOCATE,
	};
	struct nvsp_comp comp;
	enum nvsp_verdict v;
	u32 granted = 0;
	int ret;

	nd->num_chn = 1;
	WRITE_ONCE(nd->sc_asked, 0);
	if (nd->nvsp_ver < NVSP_VERSION_5 || want <= 1)
		return 0;
	req.count = min_t(u32, want, OLNV_MAX_CHANNELS) - 1;
	atomic_set(&nd->sc_opened, 0);
	WRITE_ONCE(nd->sc_asked, req.count);
	ret = olnv_ctl_request(nd, &req, sizeof(req), true, &comp);
	if (ret)
		return ret;
	v = nvsp_check_subch(&comp, req.count, &granted);
	if (v != NVSP_OK) {
		olnv_log_bad(nd, "sub-channels", v);
		nd->max_chn = 1;
		return 0;	/* one channel still works */
	}
	if (!wait_event_timeout(nd->sc_wait,
				atomic_read(&nd->sc_opened) >= granted,
				OLNV_CTL_TIMEOUT))
		netdev_warn(nd->ndev, "%u of %u sub-channels opened\n",
			    atomic_read(&nd->sc_opened), granted);
	/* Channels count from 0 without holes: stop at the first missing. */
	for (nd->num_chn = 1; nd->num_chn < OLNV_MAX_CHANNELS &&
	     nd->chans[nd->num_chn].chan; nd->num_chn++)
		;
	return 0;
}

static void olnv_revoke_bufs(struct olnv_dev *nd)
{
	struct nvsp_buf_revoke rv = { .type = NVSP_MSG1_RXBUF_REVOKE,
				      .id = NVSP_RXBUF_ID };

	if (nd->rx_sections)
		olnv_ctl_request(nd, &rv, sizeof(rv), false, NULL);
	rv.type = NVSP_MSG1_TXBUF_REVOKE;
	rv.id = NVSP_TXBUF_ID;
	if (nd->tx_sections)
		olnv_ctl_request(nd, &rv, sizeof(rv), false, NULL);
}

static void olnv_teardown_bufs(struct olnv_dev *nd)
{
	struct vmbus_channel *ch = nd->hdev->channel;

	if (nd->rxbuf_gpadl.gpadl_handle)
		vmbus_teardown_gpadl(ch, &nd->rxbuf_gpadl);
	if (nd->txbuf_gpadl.gpadl_handle)
		vmbus_teardown_gpadl(ch, &nd->txbuf_gpadl);
}

static void olnv_release_slots(struct olnv_chan *c)
{
	u32 i;

	for (i = 0; c->slots && i < OLNV_TX_SLOTS; i++) {
		dev_kfree_skb_any(c->slots[i].skb);
		c->slots[i].skb = NULL;
		c->slots[i].live = false;
	}
}

void olnv_nvs_detach(struct olnv_dev *nd)
{
	u32 i;

	if (nd->chans[0].chan)
		olnv_revoke_bufs(nd);
	/* Since Windows 10 the channel closes before its GPADLs go. */
	if (vmbus_proto_version < VERSION_WIN10)
		olnv_teardown_bufs(nd);
	for (i = 0; i < OLNV_MAX_CHANNELS; i++)
		if (nd->chans[i].chan)
			napi_disable(&nd->chans[i].napi);
	if (nd->chans[0].chan)
		vmbus_close(nd->hdev->channel);
	/* The next driver of this channel must not find our callback. */
	vmbus_set_sc_create_callback(nd->hdev->channel, NULL);
	if (vmbus_proto_version >= VERSION_WIN10)
		olnv_teardown_bufs(nd);
	for (i = 0; i < OLNV_MAX_CHANNELS; i++) {
		struct olnv_chan *c = &nd->chans[i];

		if (!c->chan)
			continue;
		netif_napi_del(&c->napi);
		olnv_release_slots(c);
		olnv_chan_free(c);
		c->chan = NULL;
	}
	vfree(nd->rxbuf);
	vfree(nd->txbuf);
	bitmap_free(nd->tx_map);
	nd->rxbuf = NULL;
	nd->txbuf = NULL;
	nd->tx_map = NULL;
	memset(&nd->rxbuf_gpadl, 0, sizeof(nd->rxbuf_gpadl));
	memset(&nd->txbuf_gpadl, 0, sizeof(nd->txbuf_gpadl));
	nd->rx_sections = 0;
	nd->tx_sections = 0;
	nd->num_chn = 0;
	/* An offer before the next attach asks again is not ours to open. */
	WRITE_ONCE(nd->sc_asked, 0);
}

/* Open the primary channel, agree on a version, connect both buffers. */
int olnv_nvs_attach(struct olnv_dev *nd)
{
	struct olnv_chan *c0 = &nd->chans[0];
	int ret;

	vmbus_set_sc_create_callback(nd->hdev->channel, olnv_sc_open);
	ret = olnv_chan_open(nd, nd->hdev->channel, 0);
	if (ret)
		return ret;
	ret = olnv_negotiate(nd);
	if (!ret)
		ret = olnv_send_config(nd);
	if (!ret)
		ret = olnv_connect_bufs(nd);
	if (ret)
		goto fail;
	/* NAPI does not run on channel 0 without a receive buffer's data. */
	c0->owed_cap = nd->rx_sections + 1;
	c0->rx_copy = kmalloc(nd->rx_section_size, GFP_KERNEL);
	c0->owed = kcalloc(c0->owed_cap, sizeof(u64), GFP_KERNEL);
	if (!c0->rx_copy || !c0->owed) {
		ret = -ENOMEM;
		goto fail;
	}
	nd->num_chn = 1;
	return 0;
fail:
	olnv_nvs_detach(nd);
	return ret;
}

/*
 * Describe @n guest-contiguous pieces as a VMBus multi-page-buffer packet
 * in @desc (room for @room bytes) and send it with @msg.
 */
struct olnv_piece {
	void *va;
	struct page *page;	/* or a page and an offset in it */
	u32 off;
	u32 len;
};

static int olnv_send_pieces(struct vmbus_channel *ch, const struct olnv_piece *p,
			    u32 n, const void *msg, u64 tid, u8 *desc, u32 room)
{
	struct vmbus_packet_mpb_array *mpb = (void *)desc;
	struct hv_mpb_array *r = &mpb->range;
	u8 buf[NVSP_MSG_SIZE] = { 0 };
	u64 pa, pfn;
	u32 i, j, off, pfns;

	for (i = 0; i < n; i++) {
		pa = p[i].va ? virt_to_phys(p[i].va) :
		     page_to_phys(p[i].page) + p[i].off;
		off = offset_in_hvpage(pa);
		pfns = HVPFN_UP(off + p[i].len);
		if ((u8 *)&r->pfn_array[pfns] > desc + room)
			return -EMSGSIZE;
		r->offset = off;
		r->len = p[i].len;
		pfn = pa >> HV_HYP_PAGE_SHIFT;
		for (j = 0; j < pfns; j++)
			r->pfn_array[j] = pfn + j;
		r = (struct hv_mpb_array *)&r->pfn_array[pfns];
	}
	mpb->rangecount = n;
	memcpy(buf, msg, sizeof(struct nvsp_rndis_pkt));
	return vmbus_sendpacket_mpb_desc(ch, mpb, (u8 *)r - desc, buf,
					 sizeof(buf), tid);
}

/* An RNDIS control message at @msg (kmalloc'ed: contiguous). */
int olnv_nvs_send_rndis(struct olnv_dev *nd, struct olnv_chan *c, void *msg,
			u32 len, u64 tid)
{
	struct nvsp_rndis_pkt rp = {
		.type = NVSP_MSG1_RNDIS_PKT,
		.channel_type = NVSP_CHANNEL_CONTROL,
		.section_index = NVSP_NO_SECTION,
	};
	struct olnv_piece piece = { .va = msg, .len = len };
	u8 desc[sizeof(struct vmbus_packet_mpb_array) + 2 * sizeof(u64)];

	return olnv_send_pieces(c->chan, &piece, 1, &rp, tid, desc,
				sizeof(desc));
}

static int olnv_take_slot(struct olnv_chan *c, struct sk_buff *skb)
{
	u32 i, s;

	for (i = 0; i < OLNV_TX_SLOTS; i++) {
		s = (c->next_slot + i) % OLNV_TX_SLOTS;
		/* Pairs with olnv_send_done()'s release of the slot. */
		if (!smp_load_acquire(&c->slots[s].skb)) {
			c->slots[s].skb = skb;
			c->next_slot = s + 1;
			return s;
		}
	}
	return -ENOSPC;
}

static u32 olnv_take_section(struct olnv_dev *nd)
{
	u32 s;

	do {
		s = find_first_zero_bit(nd->tx_map, nd->tx_sections);
		if (s >= nd->tx_sections)
			return NVSP_NO_SECTION;
	} while (test_and_set_bit(s, nd->tx_map));
	return s;
}

/*
 * Send @skb with its RNDIS header @hdr on channel @c, under its queue's
 * xmit lock. A frame that fits a send section is copied there; a larger
 * one goes by page buffers, the header from the slot's own buffer.
 * Returns 0 (sent, or dropped and counted) or -EBUSY (ring or slots full:
 * the queue is stopped and the caller hands the frame back).
 */
int olnv_nvs_xmit(struct olnv_chan *c, struct sk_buff *skb, const void *hdr,
		  u32 hdr_len)
{
	struct olnv_dev *nd = c->nd;
	struct nvsp_rndis_pkt rp = {
		.type = NVSP_MSG1_RNDIS_PKT,
		.channel_type = NVSP_CHANNEL_DATA,
	};
	struct olnv_piece pieces[MAX_SKB_FRAGS + 2];
	u8 desc[sizeof(struct vmbus_packet_mpb_array) + 64 * sizeof(u64)];
	u32 total = hdr_len + skb->len, sec, n = 0, i;
	struct olnv_tx_slot *slot;
	int s, ret;

	s = olnv_take_slot(c, skb);
	if (s < 0)
		return -EBUSY;
	slot = &c->slots[s];
	sec = total <= nd->tx_section_size ? olnv_take_section(nd) :
	      NVSP_NO_SECTION;
	slot->section = sec;
	rp.section_index = sec;
	if (sec != NVSP_NO_SECTION) {
		u8 *dst = nd->txbuf + (size_t)sec * nd->tx_section_size;

		memcpy(dst, hdr, hdr_len);
		skb_copy_bits(skb, 0, dst + hdr_len, skb->len);
		rp.section_size = total;
		ret = olnv_send_msg(c->chan, &rp, sizeof(rp),
				    nvsp_tid(NVSP_TID_DATA, s),
				    VM_PKT_DATA_INBAND,
				    VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	} else {
		if (!slot->hdr)
			slot->hdr = kmalloc(OLNV_TX_HDR_MAX, GFP_ATOMIC);
		if (!slot->hdr || skb_shinfo(skb)->nr_frags > MAX_SKB_FRAGS) {
			ret = -ENOMEM;
			goto drop;
		}
		memcpy(slot->hdr, hdr, hdr_len);
		pieces[n++] = (struct olnv_piece){ .va = slot->hdr, .len = hdr_len };
		if (skb_headlen(skb))
			pieces[n++] = (struct olnv_piece){
				.va = skb->data, .len = skb_headlen(skb) };
		for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
			const skb_frag_t *f = &skb_shinfo(skb)->frags[i];

			pieces[n++] = (struct olnv_piece){
				.page = skb_frag_page(f), .off = skb_frag_off(f),
				.len = skb_frag_size(f) };
		}
		ret = olnv_send_pieces(c->chan, pieces, n, &rp,
				       nvsp_tid(NVSP_TID_DATA, s), desc,
				       sizeof(desc));
		if (ret == -EMSGSIZE)
			goto drop;
	}
	if (ret == -EAGAIN) {
		slot->skb = NULL;
		if (sec != NVSP_NO_SECTION)
			clear_bit(sec, nd->tx_map);
		olnv_count_drop_any(nd, OLNV_DROP_TX_BUSY);
		return -EBUSY;
	}
	if (ret)
		goto drop;
	atomic_inc(&c->in_flight);
	/* The send is made: only now may a completion release it. */
	smp_store_release(&slot->live, true);
	return 0;
drop:
	slot->skb = NULL;
	if (sec != NVSP_NO_SECTION)
		clear_bit(sec, nd->tx_map);
	olnv_count_drop_any(nd, OLNV_DROP_TX_BIG);
	dev_kfree_skb_any(skb);
	return 0;
}

/* The host is done with send slot @s: free its section and its skb. */
static void olnv_send_done(struct olnv_chan *c, u32 s)
{
	struct olnv_tx_slot *slot = &c->slots[s];
	struct sk_buff *skb;

	/* Pairs with the release in olnv_nvs_xmit() once sent. */
	if (!smp_load_acquire(&slot->live)) {
		olnv_count_drop(c, OLNV_DROP_TID);
		net_warn_ratelimited("%s: completion of a send never made\n",
				     netdev_name(c->nd->ndev));
		return;
	}
	skb = slot->skb;
	slot->live = false;
	if (slot->section != NVSP_NO_SECTION)
		clear_bit(slot->section, c->nd->tx_map);
	/* The slot's fields are done with before xmit may take it again. */
	smp_store_release(&slot->skb, NULL);
	atomic_dec(&c->in_flight);
	olnv_tx_done(c, skb);
}

static void olnv_comp(struct olnv_chan *c, const u8 *data, u32 len, u64 tid)
{
	struct nvsp_comp comp;
	enum nvsp_verdict v;

	v = nvsp_check_comp(data, len, tid, c->nd->nvsp_ver, OLNV_TX_SLOTS,
			    &comp);
	if (v == NVSP_OK && comp.kind == NVSP_TID_RNDIS &&
	    comp.slot >= OLNV_RNDIS_SLOTS)
		v = NVSP_BAD_TID;
	if (v != NVSP_OK) {
		olnv_count_drop(c, v == NVSP_BAD_TID ? OLNV_DROP_TID :
				OLNV_DROP_NVSP);
		net_warn_ratelimited("%s: completion dropped: %s\n",
				     netdev_name(c->nd->ndev),
				     nvsp_verdict_name(v));
		return;
	}
	if (comp.kind == NVSP_TID_CTRL)
		olnv_ctl_answer(c, &comp);
	else if (comp.kind == NVSP_TID_DATA)
		olnv_send_done(c, comp.slot);
	/* An RNDIS message's own answer arrives as an RNDIS message. */
}

/* Tell the host a transfer-page packet is consumed, now or from the queue. */
static bool olnv_send_owed(struct olnv_chan *c, u64 tid, u32 status)
{
	struct nvsp_rndis_pkt_complete m = {
		.type = NVSP_MSG1_RNDIS_PKT_COMPLETE,
		.status = status,
	};

	return !olnv_send_msg(c->chan, &m, sizeof(m), tid, VM_PKT_COMP, 0);
}

static void olnv_flush_owed(struct olnv_chan *c)
{
	while (c->owed_count &&
	       olnv_send_owed(c, c->owed[c->owed_head], NVSP_STATUS_SUCCESS)) {
		c->owed_head = (c->owed_head + 1) % c->owed_cap;
		c->owed_count--;
	}
}

static void olnv_owe(struct olnv_chan *c, u64 tid, u32 status)
{
	if (!c->owed_count && olnv_send_owed(c, tid, status))
		return;
	if (c->owed_count == c->owed_cap) {
		olnv_count_drop(c, OLNV_DROP_COMP_LOST);
		return;
	}
	c->owed[(c->owed_head + c->owed_count) % c->owed_cap] = tid;
	c->owed_count++;
}

/* Received messages: each range is copied out, then checked, then used. */
static int olnv_receive(struct olnv_chan *c, const void *pkt, u32 pkt_len)
{
	struct olnv_dev *nd = c->nd;
	u32 status = NVSP_STATUS_SUCCESS, i, off, len;
	struct rndis_host_msg m;
	enum rndis_verdict rv;
	enum nvsp_verdict v;
	struct nvsp_xfer x;

	v = nvsp_check_xfer(pkt, pkt_len, &x);
	if (v != NVSP_OK) {
		olnv_count_drop(c, OLNV_DROP_NVSP);
		net_warn_ratelimited("%s: receive packet dropped: %s\n",
				     netdev_name(nd->ndev), nvsp_verdict_name(v));
		return 1;
	}
	for (i = 0; i < x.count; i++) {
		v = nvsp_check_range(&x, i, nd->rxbuf_size, nd->rx_section_size,
				     &off, &len);
		if (v != NVSP_OK) {
			olnv_count_drop(c, OLNV_DROP_RANGE);
			net_warn_ratelimited("%s: range %u dropped: %s\n",
					     netdev_name(nd->ndev), i,
					     nvsp_verdict_name(v));
			status = NVSP_STATUS_FAIL;
			continue;
		}
		memcpy(c->rx_copy, nd->rxbuf + off, len);
		rv = rndis_check_msg(c->rx_copy, len, &m);
		if (rv != RNDIS_OK) {
			olnv_count_drop(c, OLNV_DROP_RNDIS);
			net_warn_ratelimited("%s: RNDIS message dropped: %s\n",
					     netdev_name(nd->ndev),
					     rndis_verdict_name(rv));
			status = NVSP_STATUS_FAIL;
			continue;
		}
		if (m.type == RNDIS_MSG_PACKET)
			olnv_rx_frame(c, c->rx_copy, &m);
		else
			olnv_rndis_receive(c, c->rx_copy, &m);
	}
	olnv_owe(c, x.tid, status);
	return x.count ? x.count : 1;
}

static void olnv_inband(struct olnv_chan *c, const u8 *data, u32 len)
{
	struct olnv_dev *nd = c->nd;
	struct nvsp_inband m;
	enum nvsp_verdict v;

	v = nvsp_check_inband(data, len, nd->nvsp_ver, OLNV_MAX_CHANNELS, &m);
	if (v != NVSP_OK) {
		olnv_count_drop(c, OLNV_DROP_NVSP);
		net_warn_ratelimited("%s: in-band message dropped: %s\n",
				     netdev_name(nd->ndev), nvsp_verdict_name(v));
		return;
	}
	if (m.type == NVSP_MSG5_SEND_TABLE)
		memcpy(nd->tx_table, m.table, sizeof(nd->tx_table));
	else
		netdev_info(nd->ndev, "VF serial %u %s (no VF support)\n",
			    m.vf.serial, m.vf.allocated ? "offered" : "removed");
}

static int olnv_packet(struct olnv_chan *c, const struct vmpacket_descriptor *d)
{
	u32 len = (u32)d->len8 << 3, off = (u32)d->offset8 << 3;
	const u8 *p = (const u8 *)d;

	/* The copy holds at most max_pkt_size bytes, header included. */
	if (len > c->chan->max_pkt_size || off > len || off < sizeof(*d)) {
		olnv_count_drop(c, OLNV_DROP_NVSP);
		return 1;
	}
	switch (d->type) {
	case VM_PKT_COMP:
		olnv_comp(c, p + off, len - off, d->trans_id);
		return 1;
	case VM_PKT_DATA_USING_XFER_PAGES:
		return olnv_receive(c, p, len);
	case VM_PKT_DATA_INBAND:
		olnv_inband(c, p + off, len - off);
		return 1;
	default:
		olnv_count_drop(c, OLNV_DROP_NVSP);
		net_warn_ratelimited("%s: VMBus packet type %u dropped\n",
				     netdev_name(c->nd->ndev), d->type);
		return 1;
	}
}

int olnv_poll(struct napi_struct *napi, int budget)
{
	struct olnv_chan *c = container_of(napi, struct olnv_chan, napi);
	struct vmbus_channel *ch = c->chan;
	const struct vmpacket_descriptor *d;
	struct netdev_queue *txq;
	int work = 0;

	if (c->owed)
		olnv_flush_owed(c);
	for (d = hv_pkt_iter_first(ch); d && work < budget;
	     d = hv_pkt_iter_next(ch, d)) {
		/* Before the receive buffer exists only completions come. */
		if (!c->rx_copy && d->type == VM_PKT_DATA_USING_XFER_PAGES) {
			olnv_count_drop(c, OLNV_DROP_NVSP);
			work++;
			continue;
		}
		work += olnv_packet(c, d);
	}
	hv_pkt_iter_close(ch);
	if (c->owed)
		olnv_flush_owed(c);

	txq = netdev_get_tx_queue(c->nd->ndev, c->idx);
	if (netif_tx_queue_stopped(txq) && !c->nd->detached &&
	    hv_get_avail_to_write_percent(&ch->outbound) > 10)
		netif_tx_wake_queue(txq);

	/*
	 * Completions the ring to the host had no room for hold receive
	 * sections the host needs back: poll on until they are sent, as no
	 * new packet may come to schedule us again.
	 */
	if (c->owed_count)
		return budget;
	if (work < budget && napi_complete_done(napi, work) &&
	    hv_end_read(&ch->inbound) && napi_schedule_prep(napi)) {
		hv_begin_read(&ch->inbound);
		__napi_schedule(napi);
	}
	return min(work, budget);
}
