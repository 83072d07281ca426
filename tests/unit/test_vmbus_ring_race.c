// SPDX-License-Identifier: GPL-2.0
/*
 * Ring buffer framing against a host that rewrites the shared header
 * between two of our reads: READ_ONCE is hooked so that the host acts
 * right after every read of a header field. Code that reads a field once,
 * checks the copy and uses the copy cannot be fooled; code that reads it
 * again uses whatever the host wrote, and ASan sees the access land
 * outside the ring.
 */
#include "kshim.h"

#include <stdlib.h>

static void host_after_read(const void *field);

#undef READ_ONCE
#define READ_ONCE(x) ({							\
	typeof(x) __v = *(const volatile typeof(x) *)&(x);		\
	host_after_read(&(x));						\
	__v;								\
})

#include "unit.h"
#include "../../vmbus/ring.c"

#define DSIZE 256

/* The data area is a heap block of its own, so ASan sees a stray byte. */
static struct olvb_ring_hdr hdr;
static u8 *data;
static u32 priv;
static struct olvb_rb rb;

/* After the host's next read of @field, it stores @value there. */
static const void *host_field;
static u32 host_value;
static int host_reads;

static void host_after_read(const void *field)
{
	if (field != host_field)
		return;
	host_reads++;
	*(u32 *)field = host_value;
}

static void host_rewrites(const void *field, u32 value)
{
	host_field = field;
	host_value = value;
	host_reads = 0;
}

static void reset(void)
{
	host_field = NULL;
	free(data);
	data = malloc(DSIZE);
	memset(data, 0xcc, DSIZE);
	rb = (struct olvb_rb){ &hdr, data, DSIZE, &priv };
	olvb_rb_init(&rb);
}

static int put(u32 len, u64 id, bool *sig)
{
	u8 payload[64];
	struct olvb_pkt_desc d = {
		.type = OLVB_PKT_DATA_INBAND, .offset8 = 2,
		.len8 = (u16)((16 + len + 7) / 8),
	};
	struct olvb_chunk c[2] = { { &d, sizeof(d) }, { payload, len } };

	memset(payload, 0x5a, len);
	return olvb_rb_write(&rb, c, 2, id, sig);
}

/*
 * The host moves our send ring's write_index far past the end after we
 * first read it: the write must go where the checked copy said, or not at
 * all, never to the index the host wrote.
 */
static void test_write_index_moves_far(void)
{
	bool sig;

	reset();
	host_rewrites(&hdr.write_index, 0x7ffffff8);
	CHECK_EQ(put(16, 1, &sig), 0);
	CHECK(host_reads >= 1);
	/* One read, one store of our own: what the host wrote is gone. */
	CHECK_EQ(hdr.write_index, 40);
	CHECK_EQ(data[0], OLVB_PKT_DATA_INBAND);
}

/* Just past the end: the smallest lie that leaves the ring. */
static void test_write_index_moves_past_end(void)
{
	bool sig;

	reset();
	host_rewrites(&hdr.write_index, DSIZE);
	CHECK_EQ(put(16, 1, &sig), 0);
	CHECK_EQ(hdr.write_index, 40);
}

/* A rewrite to a valid but different place must not be taken either. */
static void test_write_index_moves_inside(void)
{
	bool sig;

	reset();
	host_rewrites(&hdr.write_index, 200);
	CHECK_EQ(put(16, 1, &sig), 0);
	CHECK_EQ(hdr.write_index, 40);
	CHECK_EQ(data[200], 0xcc);
}

/* The read index the host owns changes under us: the write still fits. */
static void test_read_index_moves(void)
{
	bool sig;
	int i;

	reset();
	host_rewrites(&hdr.read_index, 0xfffffff0);
	for (i = 0; i < 8; i++) {
		int ret = put(16, 1, &sig);

		CHECK(ret == 0 || ret == -EIO || ret == -EAGAIN);
		CHECK(olvb_rb_index_ok(hdr.write_index, DSIZE));
	}
}

/* The inbound ring's write_index moves after peek has checked it. */
static void test_peek_write_index_moves(void)
{
	u8 buf[DSIZE];
	u32 len;
	bool sig;

	reset();
	CHECK_EQ(put(16, 7, &sig), 0);
	host_rewrites(&hdr.write_index, 0x7ffffff8);
	CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), 0);
	CHECK_EQ(len, 32);
	olvb_rb_advance(&rb, len);
	CHECK(olvb_rb_index_ok(priv, DSIZE));
}

/* pending_send_sz and the indexes change while a read is committed. */
static void test_commit_fields_move(void)
{
	static const u32 lies[] = { 0, 8, DSIZE, 0xfffffff8, 12 };
	u8 buf[DSIZE];
	u32 len;
	unsigned int i, f;
	bool sig;

	for (f = 0; f < 3; f++) {
		for (i = 0; i < ARRAY_SIZE(lies); i++) {
			const void *field[] = { &hdr.write_index,
						&hdr.read_index,
						&hdr.pending_send_sz };

			reset();
			CHECK_EQ(put(16, 7, &sig), 0);
			CHECK_EQ(olvb_rb_peek(&rb, buf, sizeof(buf), &len), 0);
			olvb_rb_advance(&rb, len);
			hdr.pending_send_sz = 64;
			host_rewrites(field[f], lies[i]);
			olvb_rb_commit_read(&rb);
			CHECK_EQ(hdr.read_index, 40);
		}
	}
}

int main(void)
{
	UNIT_RUN(test_write_index_moves_far);
	UNIT_RUN(test_write_index_moves_past_end);
	UNIT_RUN(test_write_index_moves_inside);
	UNIT_RUN(test_read_index_moves);
	UNIT_RUN(test_peek_write_index_moves);
	UNIT_RUN(test_commit_fields_move);
	free(data);
	return unit_summary();
}
