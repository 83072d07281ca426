// SPDX-License-Identifier: GPL-2.0
/*
 * Ring buffer framing. The host owns write_index of our inbound ring and may
 * rewrite any byte of either ring at any time, so every index read from the
 * shared page is checked before use and each packet is copied out, with its
 * validated descriptor put back over whatever the host left there.
 */
#include "proto_env.h"

static void rb_copy_in(const struct olvb_rb *rb, u32 pos, const void *src,
		       u32 len)
{
	u32 first = min_t(u32, len, rb->dsize - pos);

	memcpy(rb->data + pos, src, first);
	memcpy(rb->data, (const u8 *)src + first, len - first);
}

static void rb_copy_out(const struct olvb_rb *rb, u32 pos, void *dst, u32 len)
{
	u32 first = min_t(u32, len, rb->dsize - pos);

	memcpy(dst, rb->data + pos, first);
	memcpy((u8 *)dst + first, rb->data, len - first);
}

static u32 rb_wrap(const struct olvb_rb *rb, u32 pos, u32 add)
{
	u64 p = (u64)pos + add;

	return (u32)(p % rb->dsize);
}

void olvb_rb_init(struct olvb_rb *rb)
{
	WRITE_ONCE(rb->hdr->write_index, 0);
	WRITE_ONCE(rb->hdr->read_index, 0);
	WRITE_ONCE(rb->hdr->interrupt_mask, 0);
	WRITE_ONCE(rb->hdr->pending_send_sz, 0);
	/* Tell the host we honour pending_send_sz on our side. */
	WRITE_ONCE(rb->hdr->feature_bits, OLVB_RING_FEAT_PENDING_SEND_SZ);
	*rb->priv_read = 0;
}

/*
 * Read the send ring's indexes once and check the copies: *@wr is where a
 * packet of @total bytes goes, valid only when this returns 0. The host may
 * rewrite either index at any time, so a caller writes at *@wr
 * (olvb_rb_write_at) and never reads write_index again.
 */
int olvb_rb_can_write(const struct olvb_rb *rb, u32 total, u32 *wr)
{
	u32 w = READ_ONCE(rb->hdr->write_index);
	u32 rd = READ_ONCE(rb->hdr->read_index);

	if (unlikely(!olvb_rb_index_ok(w, rb->dsize) ||
		     !olvb_rb_index_ok(rd, rb->dsize)))
		return -EIO;
	if (total & 7 || total > rb->dsize)
		return -EINVAL;
	/*
	 * Equal indexes mean empty, so a write may never make them meet: keep
	 * at least one byte free.
	 */
	if (rb->dsize - olvb_rb_used(rd, w, rb->dsize) <= total)
		return -EAGAIN;
	*wr = w;
	return 0;
}

/* The ring bytes a packet of @c takes with its trailer; 0 if it cannot fit. */
static u32 rb_packet_size(const struct olvb_rb *rb, const struct olvb_chunk *c,
			  unsigned int n)
{
	u32 total = OLVB_TRAILER;
	unsigned int i;

	if (!n || c[0].len < sizeof(struct olvb_pkt_desc))
		return 0;
	for (i = 0; i < n; i++) {
		if (c[i].len > rb->dsize)
			return 0;
		total += c[i].len;
		if (total > rb->dsize)
			return 0;
	}
	return total;
}

int olvb_rb_write(struct olvb_rb *rb, const struct olvb_chunk *c,
		  unsigned int n, u64 trans_id, bool *signal)
{
	u32 wr, total = rb_packet_size(rb, c, n);
	int ret;

	*signal = false;
	if (!total)
		return -EINVAL;
	ret = olvb_rb_can_write(rb, total, &wr);
	if (ret)
		return ret;
	return olvb_rb_write_at(rb, wr, total, c, n, trans_id, signal);
}

int olvb_rb_write_at(struct olvb_rb *rb, u32 wr, u32 total,
		     const struct olvb_chunk *c, unsigned int n, u64 trans_id,
		     bool *signal)
{
	struct olvb_pkt_desc desc;
	u32 pos;
	u64 trailer;
	unsigned int i;

	*signal = false;
	/* Only what olvb_rb_can_write() found room for. */
	if (rb_packet_size(rb, c, n) != total)
		return -EINVAL;

	pos = wr;
	/* The id the host echoes back is ours to choose, not the caller's. */
	memcpy(&desc, c[0].buf, sizeof(desc));
	desc.trans_id = trans_id;
	rb_copy_in(rb, pos, &desc, sizeof(desc));
	pos = rb_wrap(rb, pos, sizeof(desc));
	rb_copy_in(rb, pos, (const u8 *)c[0].buf + sizeof(desc),
		   c[0].len - sizeof(desc));
	pos = rb_wrap(rb, pos, c[0].len - sizeof(desc));
	for (i = 1; i < n; i++) {
		rb_copy_in(rb, pos, c[i].buf, c[i].len);
		pos = rb_wrap(rb, pos, c[i].len);
	}
	trailer = (u64)wr << 32;
	rb_copy_in(rb, pos, &trailer, sizeof(trailer));
	pos = rb_wrap(rb, pos, sizeof(trailer));

	/* The packet must be visible before the index that publishes it. */
	virt_mb();
	WRITE_ONCE(rb->hdr->write_index, pos);
	/*
	 * Order the index store before reading the host's state: the host
	 * only needs a kick when it may have gone idle on an empty ring.
	 */
	virt_mb();
	if (READ_ONCE(rb->hdr->interrupt_mask))
		return 0;
	*signal = READ_ONCE(rb->hdr->read_index) == wr;
	return 0;
}

int olvb_rb_peek(const struct olvb_rb *rb, void *buf, u32 bufsize,
		 u32 *pktlen)
{
	struct olvb_pkt_desc desc;
	u32 rd = *rb->priv_read;
	u32 wr = READ_ONCE(rb->hdr->write_index);
	u32 avail, len, off;

	*pktlen = 0;
	if (unlikely(!olvb_rb_index_ok(wr, rb->dsize) ||
		     !olvb_rb_index_ok(rd, rb->dsize)))
		return -EIO;
	/* Read the data only after the index that says it is there. */
	virt_rmb();
	avail = olvb_rb_used(rd, wr, rb->dsize);
	if (!avail)
		return -ENODATA;
	if (avail < sizeof(desc) + OLVB_TRAILER)
		return -EIO;
	rb_copy_out(rb, rd, &desc, sizeof(desc));
	len = (u32)desc.len8 << 3;
	off = (u32)desc.offset8 << 3;
	if (off < sizeof(desc) || len < off || len + OLVB_TRAILER > avail)
		return -EIO;
	*pktlen = len;
	if (len > bufsize)
		return -EMSGSIZE;
	rb_copy_out(rb, rd, buf, len);
	/* The host may have changed the ring since we checked it. */
	memcpy(buf, &desc, sizeof(desc));
	return 0;
}

void olvb_rb_advance(struct olvb_rb *rb, u32 pktlen)
{
	*rb->priv_read = rb_wrap(rb, *rb->priv_read, pktlen + OLVB_TRAILER);
}

bool olvb_rb_commit_read(struct olvb_rb *rb)
{
	u32 old = READ_ONCE(rb->hdr->read_index);
	u32 rd = *rb->priv_read;
	u32 wr, pending, now_free, was_free, consumed;

	/* Finish reading the packets before handing their space back. */
	virt_mb();
	WRITE_ONCE(rb->hdr->read_index, rd);
	/* Publish the new index before sampling pending_send_sz. */
	virt_mb();

	if (!(READ_ONCE(rb->hdr->feature_bits) & OLVB_RING_FEAT_PENDING_SEND_SZ))
		return false;
	pending = READ_ONCE(rb->hdr->pending_send_sz);
	if (!pending)
		return false;
	wr = READ_ONCE(rb->hdr->write_index);
	if (!olvb_rb_index_ok(wr, rb->dsize) || !olvb_rb_index_ok(old, rb->dsize))
		return true;	/* a spurious kick is harmless, a lost one is not */
	now_free = rb->dsize - olvb_rb_used(rd, wr, rb->dsize);
	consumed = olvb_rb_used(old, rd, rb->dsize);
	was_free = now_free > consumed ? now_free - consumed : 0;
	/* Kick only when this read crossed the host's threshold. */
	return was_free <= pending && now_free > pending;
}
