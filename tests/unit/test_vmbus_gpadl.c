// SPDX-License-Identifier: GPL-2.0
/* GPADL message construction from one page to 1 GiB. */
#include "kshim.h"
#include "unit.h"
#include "../../vmbus/gpadl_msg.c"

static u64 pfn_of(const void *ctx, u32 i)
{
	return *(const u64 *)ctx + i;
}

/* Build every message of an n-page GPADL and check it reassembles. */
static int roundtrip(u32 npages)
{
	u64 base = 0x100000, want = base;
	u8 msg[OLVB_MSG_MAX];
	u32 count = olvb_gpadl_msg_count(npages), i, got = 0;

	for (i = 0; i < count; i++) {
		u32 len = olvb_gpadl_msg_build(msg, i, 7, 0xe1e10, npages,
					       pfn_of, &base);
		const u8 *pfn;
		u32 n, k;

		if (len < 16 || len > OLVB_MSG_MAX || (len - (i ? 16 : 28)) % 8)
			return -1;
		if (!i) {
			const struct olvb_msg_gpadl_header *h = (void *)msg;

			if (h->hdr.type != OLVB_MSG_GPADL_HEADER ||
			    h->child_relid != 7 || h->gpadl != 0xe1e10 ||
			    h->rangecount != 1 || h->byte_offset ||
			    h->byte_count != npages * 4096u ||
			    h->range_buflen != (u16)(8 + npages * 8u))
				return -2;
			pfn = msg + sizeof(*h);
			n = (len - sizeof(*h)) / 8;
		} else {
			const struct olvb_msg_gpadl_body *b = (void *)msg;

			if (b->hdr.type != OLVB_MSG_GPADL_BODY ||
			    b->gpadl != 0xe1e10)
				return -3;
			pfn = msg + sizeof(*b);
			n = (len - sizeof(*b)) / 8;
			/* Every body but the last is full. */
			if (i + 1 < count && n != OLVB_GPADL_BODY_PFNS)
				return -4;
		}
		for (k = 0; k < n; k++) {
			u64 v;

			memcpy(&v, pfn + 8 * k, sizeof(v));
			if (v != want++)
				return -5;
		}
		got += n;
	}
	if (olvb_gpadl_msg_build(msg, count, 7, 1, npages, pfn_of, &base))
		return -6;
	return got == npages ? 0 : -7;
}

static void test_layout(void)
{
	CHECK_EQ(sizeof(struct olvb_msg_gpadl_header), 28);
	CHECK_EQ(sizeof(struct olvb_msg_gpadl_body), 16);
	CHECK_EQ(OLVB_GPADL_HDR_PFNS, 26);
	CHECK_EQ(OLVB_GPADL_BODY_PFNS, 28);
}

static void test_counts(void)
{
	CHECK_EQ(olvb_gpadl_msg_count(0), 0);
	CHECK_EQ(olvb_gpadl_msg_count(1), 1);
	CHECK_EQ(olvb_gpadl_msg_count(26), 1);
	CHECK_EQ(olvb_gpadl_msg_count(27), 2);
	CHECK_EQ(olvb_gpadl_msg_count(26 + 28), 2);
	CHECK_EQ(olvb_gpadl_msg_count(26 + 29), 3);
	/* 1 GiB: 262118 pages after the header, in 9362 bodies (+1 partial) */
	CHECK_EQ(olvb_gpadl_msg_count(262144), 1 + 9362);
	CHECK_EQ(olvb_gpadl_msg_count(OLVB_GPADL_MAX_PAGES + 1), 0);
}

static void test_sizes(void)
{
	static const u32 sizes[] = { 1, 2, 26, 27, 28, 54, 55, 56, 83, 256,
				     1024, 4096, 8191, 8192, 65536, 262144 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		CHECK_EQ(roundtrip(sizes[i]), 0);
}

static void test_one_page(void)
{
	u64 base = 42;
	u8 msg[OLVB_MSG_MAX];

	CHECK_EQ(olvb_gpadl_msg_build(msg, 0, 1, 2, 1, pfn_of, &base), 36);
	CHECK_EQ(msg[28], 42);
	CHECK_EQ(olvb_gpadl_msg_build(msg, 1, 1, 2, 1, pfn_of, &base), 0);
}

int main(void)
{
	UNIT_RUN(test_layout);
	UNIT_RUN(test_counts);
	UNIT_RUN(test_sizes);
	UNIT_RUN(test_one_page);
	return unit_summary();
}
