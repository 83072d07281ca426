// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: a VMBus ring (vmbus/ring.c) whose host side is the input. The
 * input picks the ring's size, its indexes and bytes, then a sequence of
 * reads (peek and advance), commits and writes, with the host rewriting
 * the ring between them and, in one mode, at every shared read the ring
 * code makes (READ_ONCE), as a host on another CPU may. The data area and
 * header are heap buffers of their exact size, so AddressSanitizer sees
 * any access outside them.
 *
 * Contracts checked: a peeked packet fits the caller's buffer, is whole
 * 8-byte units, starts with the descriptor that was validated (length and
 * offset consistent) and, with the host still, lay within the bytes the
 * host published; -EMSGSIZE says how large the packet is; the guest's own
 * read index stays aligned and inside the ring; an accepted write, with
 * the host still, lands where write_index was, as the caller's bytes, our
 * transaction id and the trailer, and moves write_index past them only,
 * never filling the ring.
 */
#include <stdlib.h>
#include "kshim.h"
#include <openlis/vmbus_proto.h>

static const u8 *in;
static size_t in_left;
static bool tamper;
static struct olvb_ring_hdr *fz_hdr;
static u8 *fz_data;
static u32 fz_dsize;

static u32 take(unsigned int n)
{
	u32 v = 0;

	while (n-- && in_left) {
		v = v << 8 | *in++;
		in_left--;
	}
	return v;
}

/* The host, between any two of the guest's reads of the shared header. */
static void host_acts(void)
{
	u32 op = take(1);

	switch (op & 3) {
	case 0:
		break;
	case 1:
		fz_hdr->write_index = take(4);
		break;
	case 2:
		fz_hdr->read_index = take(4);
		break;
	case 3:
		fz_data[take(2) % fz_dsize] = (u8)take(1);
		break;
	}
}

static void tamper_hook(void)
{
	if (tamper)
		host_acts();
}

#undef READ_ONCE
#define READ_ONCE(x) ({							\
	typeof(x) __v = *(const volatile typeof(x) *)&(x);		\
	tamper_hook();							\
	__v;								\
})

#include "../../vmbus/ring.c"

static void check_peek(struct olvb_rb *rb)
{
	u32 bufsize = take(2) % (fz_dsize + 64), pktlen, used;
	u32 wr = fz_hdr->write_index, rd = *rb->priv_read;
	struct olvb_pkt_desc d;
	u8 *buf = malloc(bufsize ? bufsize : 1);
	int ret;

	ret = olvb_rb_peek(rb, buf, bufsize, &pktlen);
	if (ret == -EMSGSIZE && pktlen <= bufsize)
		abort();
	if (ret == 0) {
		if (pktlen > bufsize || pktlen < sizeof(d) || pktlen & 7)
			abort();
		memcpy(&d, buf, sizeof(d));
		if ((u32)d.len8 << 3 != pktlen || (u32)d.offset8 << 3 < sizeof(d) ||
		    (u32)d.offset8 << 3 > pktlen)
			abort();
		if (!tamper) {
			used = olvb_rb_used(rd, wr, fz_dsize);
			if (pktlen + OLVB_TRAILER > used)
				abort();
		}
		olvb_rb_advance(rb, pktlen);
		if (!olvb_rb_index_ok(*rb->priv_read, fz_dsize))
			abort();
	}
	free(buf);
}

static void check_write(struct olvb_rb *rb)
{
	unsigned int n = take(1) % 3 + 1, i;
	struct olvb_chunk c[3];
	u8 *bufs[3] = { NULL, NULL, NULL }, *pkt;
	u32 wr = fz_hdr->write_index, rd = fz_hdr->read_index;
	u32 total = OLVB_TRAILER, pos;
	u64 id = take(4), trailer;
	struct olvb_pkt_desc d;
	bool signal;
	int ret;

	for (i = 0; i < n; i++) {
		u32 len = take(2) % (fz_dsize + 16);

		if (!i && len < sizeof(d))
			len = sizeof(d);
		bufs[i] = malloc(len);
		memset(bufs[i], (int)(0x11 * (i + 1)), len);
		c[i].buf = bufs[i];
		c[i].len = len;
		total += len;
	}
	ret = olvb_rb_write(rb, c, n, id, &signal);
	if (ret == 0 && !tamper) {
		if (!olvb_rb_index_ok(wr, fz_dsize) || total & 7 ||
		    olvb_rb_used(rd, wr, fz_dsize) + total >= fz_dsize ||
		    fz_hdr->write_index != (wr + total) % fz_dsize)
			abort();
		pkt = malloc(total);
		rb_copy_out(rb, wr, pkt, total);
		memcpy(&d, pkt, sizeof(d));
		/* The descriptor as given but for the id, which is ours. */
		if (d.trans_id != id || memcmp(pkt, c[0].buf, 8) ||
		    memcmp(pkt + sizeof(d), (const u8 *)c[0].buf + sizeof(d),
			   c[0].len - sizeof(d)))
			abort();
		pos = c[0].len;
		for (i = 1; i < n; i++) {
			if (memcmp(pkt + pos, c[i].buf, c[i].len))
				abort();
			pos += c[i].len;
		}
		memcpy(&trailer, pkt + pos, sizeof(trailer));
		if (trailer != (u64)wr << 32)
			abort();
		free(pkt);
	}
	for (i = 0; i < n; i++)
		free(bufs[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct olvb_rb rb;
	u32 priv, i, steps;

	in = data;
	in_left = size;
	tamper = false;
	if (size < 4)
		return 0;
	i = take(1);
	fz_dsize = 64 + 8 * (take(2) % 505);
	fz_hdr = malloc(sizeof(*fz_hdr));
	fz_data = malloc(fz_dsize);
	rb.hdr = fz_hdr;
	rb.data = fz_data;
	rb.dsize = fz_dsize;
	rb.priv_read = &priv;
	olvb_rb_init(&rb);
	for (steps = 0; steps < fz_dsize; steps++)
		fz_data[steps] = (u8)take(1);
	fz_hdr->write_index = take(4);
	if (i & 2)
		fz_hdr->write_index = (fz_hdr->write_index % fz_dsize) & ~7u;
	fz_hdr->read_index = (take(4) % fz_dsize) & ~7u;
	/* The guest's read index is its own: it starts where the ring's is. */
	priv = fz_hdr->read_index;
	tamper = i & 1;

	for (steps = 0; steps < 64 && in_left; steps++) {
		switch (take(1) % 4) {
		case 0:
			check_peek(&rb);
			break;
		case 1:
			olvb_rb_commit_read(&rb);
			if (!olvb_rb_index_ok(priv, fz_dsize))
				abort();
			break;
		case 2:
			check_write(&rb);
			break;
		case 3:
			host_acts();
			break;
		}
	}
	free(fz_hdr);
	free(fz_data);
	return 0;
}
