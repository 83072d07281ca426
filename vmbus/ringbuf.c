// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of the ring buffer: struct hv_ring_buffer_info set-up and
 * the packet iterator drivers use, on top of the framing in ring.c. Packets
 * are handed out as copies in pkt_buffer, never as pointers into the ring.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/hyperv.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/prefetch.h>
#include <linux/io.h>
#include <asm/mshyperv.h>

#include "vmbus_priv.h"
#include "ringbuf.h"

void olvb_rb_view(struct hv_ring_buffer_info *rbi, struct olvb_rb *rb)
{
	BUILD_BUG_ON(offsetof(struct hv_ring_buffer, feature_bits) !=
		     offsetof(struct olvb_ring_hdr, feature_bits));
	BUILD_BUG_ON(offsetof(struct hv_ring_buffer, buffer) !=
		     OLVB_RING_HDR_SIZE);
	rb->hdr = (struct olvb_ring_hdr *)rbi->ring_buffer;
	rb->data = rbi->ring_buffer->buffer;
	rb->dsize = rbi->ring_datasize;
	rb->priv_read = &rbi->priv_read_index;
}

int olvb_ring_init(struct hv_ring_buffer_info *rbi, struct page *pages,
		   u32 npages, u32 max_pkt_size)
{
	struct olvb_rb rb;

	/* sysfs readers look at the ring under the mutex. */
	mutex_lock(&rbi->ring_buffer_mutex);
	memset(rbi, 0, offsetof(struct hv_ring_buffer_info, ring_lock));
	rbi->ring_buffer = page_address(pages);
	rbi->ring_size = npages << PAGE_SHIFT;
	rbi->ring_size_div10_reciprocal = reciprocal_value(rbi->ring_size / 10);
	rbi->ring_datasize = rbi->ring_size - PAGE_SIZE;
	rbi->priv_read_index = 0;
	olvb_rb_view(rbi, &rb);
	olvb_rb_init(&rb);
	mutex_unlock(&rbi->ring_buffer_mutex);
	if (max_pkt_size) {
		rbi->pkt_buffer = kzalloc(max_pkt_size, GFP_KERNEL);
		if (!rbi->pkt_buffer)
			return -ENOMEM;
		rbi->pkt_buffer_size = max_pkt_size;
	}
	return 0;
}

void olvb_ring_cleanup(struct hv_ring_buffer_info *rbi)
{
	mutex_lock(&rbi->ring_buffer_mutex);
	rbi->ring_buffer = NULL;
	mutex_unlock(&rbi->ring_buffer_mutex);
	kfree(rbi->pkt_buffer);
	rbi->pkt_buffer = NULL;
	rbi->pkt_buffer_size = 0;
}

static void olvb_ring_complain(struct vmbus_channel *ch, int err, u32 len)
{
	olvb_count_drop(OLVB_DROP_PACKET);
	pr_warn_ratelimited("relid %u: %s packet (%u bytes) dropped: %d\n",
			    ch->offermsg.child_relid,
			    err == -EMSGSIZE ? "oversized" : "corrupt", len, err);
}

/*
 * The next packet, copied out; oversized packets are skipped, and a corrupt
 * ring reads as empty: there is no way to find the next packet in it.
 */
struct vmpacket_descriptor *hv_pkt_iter_first(struct vmbus_channel *channel)
{
	struct hv_ring_buffer_info *rbi = &channel->inbound;
	struct olvb_rb rb;
	u32 len;
	int ret;

	if (!rbi->ring_buffer || !rbi->pkt_buffer)
		return NULL;
	olvb_rb_view(rbi, &rb);
	for (;;) {
		ret = olvb_rb_peek(&rb, rbi->pkt_buffer, rbi->pkt_buffer_size,
				   &len);
		if (!ret)
			return rbi->pkt_buffer;
		if (ret == -ENODATA)
			return NULL;
		olvb_ring_complain(channel, ret, len);
		if (ret != -EMSGSIZE)
			return NULL;
		olvb_rb_advance(&rb, len);
	}
}
EXPORT_SYMBOL_GPL(hv_pkt_iter_first);

struct vmpacket_descriptor *
__hv_pkt_iter_next(struct vmbus_channel *channel,
		   const struct vmpacket_descriptor *pkt)
{
	struct olvb_rb rb;

	olvb_rb_view(&channel->inbound, &rb);
	/* The copy's length is the one peek validated. */
	olvb_rb_advance(&rb, (u32)pkt->len8 << 3);
	return hv_pkt_iter_first(channel);
}
EXPORT_SYMBOL_GPL(__hv_pkt_iter_next);

void hv_pkt_iter_close(struct vmbus_channel *channel)
{
	struct olvb_rb rb;

	if (!channel->inbound.ring_buffer)
		return;
	olvb_rb_view(&channel->inbound, &rb);
	if (olvb_rb_commit_read(&rb)) {
		channel->intr_in_full++;
		vmbus_setevent(channel);
	}
}
EXPORT_SYMBOL_GPL(hv_pkt_iter_close);

int hv_ringbuffer_get_debuginfo(struct hv_ring_buffer_info *ring_info,
				struct hv_ring_buffer_debug_info *debug_info)
{
	u32 rd, wr;

	mutex_lock(&ring_info->ring_buffer_mutex);
	if (!ring_info->ring_buffer) {
		mutex_unlock(&ring_info->ring_buffer_mutex);
		return -EINVAL;
	}
	rd = READ_ONCE(ring_info->ring_buffer->read_index);
	wr = READ_ONCE(ring_info->ring_buffer->write_index);
	debug_info->current_interrupt_mask =
		READ_ONCE(ring_info->ring_buffer->interrupt_mask);
	debug_info->current_read_index = rd;
	debug_info->current_write_index = wr;
	if (olvb_rb_index_ok(rd, ring_info->ring_datasize) &&
	    olvb_rb_index_ok(wr, ring_info->ring_datasize)) {
		debug_info->bytes_avail_toread =
			olvb_rb_used(rd, wr, ring_info->ring_datasize);
		debug_info->bytes_avail_towrite = ring_info->ring_datasize -
			debug_info->bytes_avail_toread;
	} else {
		debug_info->bytes_avail_toread = 0;
		debug_info->bytes_avail_towrite = 0;
	}
	mutex_unlock(&ring_info->ring_buffer_mutex);
	return 0;
}
EXPORT_SYMBOL_GPL(hv_ringbuffer_get_debuginfo);

bool hv_ringbuffer_spinlock_busy(struct vmbus_channel *channel)
{
	return spin_is_locked(&channel->outbound.ring_lock);
}
EXPORT_SYMBOL_GPL(hv_ringbuffer_spinlock_busy);

/* Send one packet built from @kv; the caller's descriptor comes first. */
int olvb_ring_send(struct vmbus_channel *ch, const struct kvec *kv,
		   unsigned int n, u64 requestid, u64 *trans_id)
{
	struct olvb_chunk c[4];
	const struct vmpacket_descriptor *desc = kv[0].iov_base;
	struct olvb_rb rb;
	unsigned long flags;
	u64 id = requestid, rq = VMBUS_NO_RQSTOR;
	u32 total = OLVB_TRAILER, wr;
	unsigned int i;
	bool signal;
	int ret;

	if (n > ARRAY_SIZE(c))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		c[i].buf = kv[i].iov_base;
		c[i].len = kv[i].iov_len;
		total += kv[i].iov_len;
	}

	spin_lock_irqsave(&ch->outbound.ring_lock, flags);
	if (ch->rescind) {
		ret = -ENODEV;
		goto out;
	}
	if (!ch->outbound.ring_buffer) {
		ret = -EINVAL;
		goto out;
	}
	olvb_rb_view(&ch->outbound, &rb);
	ret = olvb_rb_can_write(&rb, total, &wr);
	if (ret) {
		if (ret == -EAGAIN) {
			ch->out_full_total++;
			if (!ch->out_full_flag) {
				ch->out_full_first++;
				ch->out_full_flag = true;
			}
		}
		goto out;
	}
	ch->out_full_flag = false;
	if (desc->flags == VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED &&
	    ch->next_request_id_callback) {
		rq = ch->next_request_id_callback(ch, requestid);
		if (rq == VMBUS_RQST_ERROR) {
			ret = -EAGAIN;
			goto out;
		}
		if (rq != VMBUS_NO_RQSTOR)
			id = rq;
	}
	ret = olvb_rb_write_at(&rb, wr, total, c, n, id, &signal);
	if (ret && rq != VMBUS_NO_RQSTOR && ch->request_addr_callback)
		ch->request_addr_callback(ch, rq);
	if (!ret && trans_id)
		*trans_id = id;
out:
	spin_unlock_irqrestore(&ch->outbound.ring_lock, flags);
	if (ret == -EIO) {
		/* A broken ring: the packet is refused, never written. */
		olvb_count_drop(OLVB_DROP_RING);
		pr_warn_ratelimited("relid %u: outbound ring indexes corrupt\n",
				    ch->offermsg.child_relid);
	}
	if (!ret && signal) {
		ch->intr_out_empty++;
		vmbus_setevent(ch);
	}
	return ret;
}

int olvb_ring_read(struct vmbus_channel *ch, void *buf, u32 buflen,
		   u32 *actual, u64 *requestid, bool raw)
{
	struct vmpacket_descriptor *desc;
	u32 off, len;

	*actual = 0;
	*requestid = 0;
	desc = hv_pkt_iter_first(ch);
	if (!desc)
		return 0;
	off = raw ? 0 : (u32)desc->offset8 << 3;
	len = ((u32)desc->len8 << 3) - off;
	*actual = len;
	*requestid = desc->trans_id;
	if (len > buflen)
		return -ENOBUFS;
	memcpy(buf, (u8 *)desc + off, len);
	__hv_pkt_iter_next(ch, desc);
	hv_pkt_iter_close(ch);
	return 0;
}
