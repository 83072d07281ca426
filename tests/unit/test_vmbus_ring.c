// SPDX-License-Identifier: GPL-2.0
/* Ring buffer framing: wrap-around, full, empty and a lying host. */
#include "kshim.h"
#include "unit.h"
#include "../../vmbus/ring.c"

#include <stdlib.h>

#define DSIZE 256

static struct olvb_ring_hdr hdr;
static u8 data[DSIZE];
static u32 priv;
static struct olvb_rb rb = { &hdr, data, DSIZE, &priv };

static void reset(void)
{
	memset(data, 0xcc, sizeof(data));
	olvb_rb_init(&rb);
}

/* Write an inband packet carrying @len payload bytes of value @fill. */
static int put(u32 len, u8 fill, u64 id, bool *sig)
{
	u8 payload[256];
	struct olvb_pkt_desc d = {
		.type = OLVB_PKT_DATA_INBAND, .offset8 = 2,
		.len8 = (u16)((16 + len + 7) / 8), .trans_id = 0,
	};
	u64 pad = 0;
	struct olvb_chunk c[3] = {
		{ &d, sizeof(d) }, { payload, len },
		{ &pad, ((16 + len + 7) & ~7u) - 16 - len },
	};

	memset(payload, fill, len);
	return olvb_rb_write(&rb, c, 3, id, sig);
}

static void test_empty(void)
{
	u8 buf[64];
	u32 len;

	reset();
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), -ENODATA);
	CHECK_EQ(hdr.feature_bits, OLVB_RING_FEAT_PENDING_SEND_SZ);
}

static void test_roundtrip(void)
{
	u8 buf[64];
	struct olvb_pkt_desc *d = (void *)buf;
	u32 len;
	bool sig;

	reset();
	CHECK_EQ(put(10, 0xab, 77, &sig), 0);
	CHECK(sig);		/* ring was empty: host must be kicked */
	CHECK_EQ(hdr.write_index, 16 + 16 + 8);
	CHECK_EQ(put(3, 0xcd, 78, &sig), 0);
	CHECK(!sig);		/* host has not drained the first one */
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), 0);
	CHECK_EQ(len, 32);
	CHECK_EQ(d->trans_id, 77);
	CHECK_EQ(buf[16], 0xab);
	CHECK_EQ(buf[25], 0xab);
	olvb_rb_advance(&rb, len);
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), 0);
	CHECK_EQ(d->trans_id, 78);
	olvb_rb_advance(&rb, len);
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), -ENODATA);
	CHECK(!olvb_rb_commit_read(&rb));
	CHECK_EQ(hdr.read_index, hdr.write_index);
}

static void test_wraparound(void)
{
	u8 buf[128];
	u32 len, i;
	bool sig;

	reset();
	/* Walk the indexes around the ring many times with odd sizes. */
	for (i = 0; i < 200; i++) {
		u32 plen = (i * 13) % 90;

		CHECK_EQ(put(plen, (u8)i, i, &sig), 0);
		CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), 0);
		CHECK_EQ(len, (16 + plen + 7) & ~7u);
		CHECK_EQ(((struct olvb_pkt_desc *)buf)->trans_id, i);
		if (plen)
			CHECK_EQ(buf[16 + plen - 1], (u8)i);
		olvb_rb_advance(&rb, len);
		olvb_rb_commit_read(&rb);
		CHECK(olvb_rb_index_ok(hdr.write_index, DSIZE));
		CHECK_EQ(hdr.read_index, hdr.write_index);
	}
}

static void test_full(void)
{
	bool sig;
	int n = 0;

	reset();
	/* 40-byte frames: 6 fit in 256 with the mandatory free byte. */
	while (put(10, 1, 0, &sig) == 0)
		n++;
	CHECK_EQ(n, 6);
	CHECK_EQ(put(10, 1, 0, &sig), -EAGAIN);
	CHECK_EQ(olvb_rb_used(hdr.read_index, hdr.write_index, DSIZE), 240);
	/* The host drains: now there is room again. */
	hdr.read_index = hdr.write_index;
	CHECK_EQ(put(10, 1, 0, &sig), 0);
	CHECK(sig);
}

static void test_interrupt_mask(void)
{
	bool sig;

	reset();
	hdr.interrupt_mask = 1;
	CHECK_EQ(put(8, 1, 0, &sig), 0);
	CHECK(!sig);
}

static void test_corrupt_indexes(void)
{
	u8 buf[64];
	u32 len;
	bool sig;

	reset();
	hdr.write_index = DSIZE;	/* out of range */
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), -EIO);
	hdr.write_index = 12;		/* not 8-aligned */
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), -EIO);
	hdr.write_index = 0;
	hdr.read_index = 0xffffff00;
	CHECK_EQ(put(8, 1, 0, &sig), -EIO);
	hdr.read_index = 0;
	hdr.write_index = 8;		/* less than a descriptor + trailer */
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), -EIO);
}

static void test_lengths_past_end(void)
{
	u8 buf[512];
	struct olvb_pkt_desc *d = (void *)data;
	u32 len;
	bool sig;

	reset();
	CHECK_EQ(put(16, 2, 0, &sig), 0);	/* 40 bytes with trailer */
	d->len8 = 200;				/* 1600 bytes: past the end */
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), -EIO);
	d->len8 = 5;				/* 40: eats the trailer */
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), -EIO);
	d->len8 = 4;
	d->offset8 = 5;				/* data starts after the end */
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), -EIO);
	d->offset8 = 1;				/* data inside the descriptor */
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), -EIO);
	d->offset8 = 2;
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), 0);
	/* Too big for the caller: reported with its length, to be skipped. */
	CHECK_EQ(olvb_rb_peek(&rb, buf, 16, &len), -EMSGSIZE);
	CHECK_EQ(len, 32);
}

static void test_invalid_write(void)
{
	u64 x = 0;
	struct olvb_chunk c = { &x, sizeof(x) };	/* shorter than a desc */
	bool sig;
	u32 wr;

	reset();
	CHECK_EQ(olvb_rb_write(&rb, &c, 1, 0, &sig), -EINVAL);
	CHECK_EQ(olvb_rb_can_write(&rb, 12, &wr), -EINVAL);
	CHECK_EQ(olvb_rb_can_write(&rb, DSIZE + 8, &wr), -EINVAL);
}

static void test_pending_send_sz(void)
{
	u8 buf[64];
	u32 len;
	bool sig;
	int i;

	reset();
	for (i = 0; i < 6; i++)
		CHECK_EQ(put(10, 1, 0, &sig), 0);
	/* Host waits for 100 bytes; 16 are free now. */
	hdr.pending_send_sz = 100;
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), 0);
	olvb_rb_advance(&rb, len);
	CHECK(!olvb_rb_commit_read(&rb));	/* 56 free: not yet */
	for (i = 0; i < 2; i++) {
		CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), 0);
		olvb_rb_advance(&rb, len);
	}
	CHECK(olvb_rb_commit_read(&rb));	/* 136 free: crossed */
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), 0);
	olvb_rb_advance(&rb, len);
	CHECK(!olvb_rb_commit_read(&rb));	/* already above before */
	hdr.feature_bits = 0;
	hdr.pending_send_sz = 1000;
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), 0);
	olvb_rb_advance(&rb, len);
	CHECK(!olvb_rb_commit_read(&rb));
}

static void test_toctou_descriptor(void)
{
	u8 buf[64];
	u32 len;
	bool sig;

	reset();
	CHECK_EQ(put(8, 3, 5, &sig), 0);
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), 0);
	/* What the caller sees is exactly what was validated. */
	CHECK_EQ(((struct olvb_pkt_desc *)buf)->len8 * 8u, len);
}

static void test_fuzz(void)
{
	u8 buf[DSIZE];
	u32 len, i;

	srand(1);
	for (i = 0; i < 20000; i++) {
		u32 j;

		for (j = 0; j < DSIZE; j++)
			data[j] = (u8)rand();
		hdr.write_index = (u32)rand() % (DSIZE + 16);
		priv = ((u32)rand() % DSIZE) & ~7u;
		if (olvb_rb_peek(&rb, buf, sizeof(buf), &len) == 0) {
			CHECK(len <= olvb_rb_used(priv, hdr.write_index, DSIZE) - 8);
			CHECK(len >= 16);
			olvb_rb_advance(&rb, len);
			CHECK(olvb_rb_index_ok(priv, DSIZE));
		}
	}
}

int main(void)
{
	UNIT_RUN(test_empty);
	UNIT_RUN(test_roundtrip);
	UNIT_RUN(test_wraparound);
	UNIT_RUN(test_full);
	UNIT_RUN(test_interrupt_mask);
	UNIT_RUN(test_corrupt_indexes);
	UNIT_RUN(test_lengths_past_end);
	UNIT_RUN(test_invalid_write);
	UNIT_RUN(test_pending_send_sz);
	UNIT_RUN(test_toctou_descriptor);
	UNIT_RUN(test_fuzz);
	return unit_summary();
}
