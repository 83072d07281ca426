// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the cold-discard hint packing (balloon/dm_hint.c): the entry
 * layout against the TLFS bit positions, 2 MiB alignment, the entries one
 * input page holds, ranges longer than one entry expresses, and a random
 * walk that decodes every page back into the ranges that went in.
 */
#include <stdlib.h>
#include "test_balloon_shim.h"
#include "unit.h"
#include "../../balloon/dm_hint.c"

static u64 page[DM_HINT_PAGE_SIZE / 8];

/* The expected entries, spelt out from the bit positions, not the header. */
static u64 small(u64 pfn, u64 frames)
{
	return (pfn << 12) | (frames - 1);
}

static u64 large(u64 pfn, u64 units)
{
	return ((pfn >> 9) << 21) | (1ULL << 11) | (units - 1);
}

static void test_header(void)
{
	struct dm_hint_packer p;

	memset(page, 0xff, sizeof(page));
	dm_hint_start(&p, page, sizeof(page), false);
	CHECK_EQ(page[0], 2);	/* cold discard, reserved bits clear */
	CHECK(p.ranges == page + 1);
	CHECK_EQ(p.max, 511);
	CHECK_EQ(p.n, 0);
	/* A bigger page does not raise the count past one 4 KiB page's. */
	{
		static u64 big[2048];

		dm_hint_start(&p, big, sizeof(big), false);
		CHECK_EQ(p.max, 511);
	}
	dm_hint_start(&p, page, 8, false);
	CHECK_EQ(p.max, 0);
}

static void test_aligned_blocks(void)
{
	struct dm_hint_packer p;
	u64 pfn = 0x40000, count = 512;

	dm_hint_start(&p, page, sizeof(page), false);
	CHECK(dm_hint_add(&p, &pfn, &count));
	CHECK_EQ(count, 0);
	CHECK_EQ(pfn, 0x40200);
	CHECK_EQ(p.n, 1);
	CHECK_EQ(p.ranges[0], large(0x40000, 1));
	CHECK_EQ(p.ranges[0], (0x200ULL << 21) | 0x800);
	CHECK_EQ(p.n_small, 0);

	/* A 4 MiB block: one entry, two units. */
	pfn = 0x80000;
	count = 1024;
	CHECK(dm_hint_add(&p, &pfn, &count));
	CHECK_EQ(p.n, 2);
	CHECK_EQ(p.ranges[1], large(0x80000, 2));
	CHECK_EQ(p.frames, 1536);
	CHECK_EQ(dm_hint_entry_pfn(p.ranges[1]), 0x80000);
	CHECK_EQ(dm_hint_entry_frames(p.ranges[1]), 1024);
	/* Never the 1 GiB size bit. */
	CHECK_EQ(p.ranges[1] & (1ULL << 12), 0);
}

static void test_unaligned(void)
{
	struct dm_hint_packer p;
	u64 pfn = 0x201, count = 0x400;

	/* 511 frames to the boundary, a 2 MiB frame, one frame of tail. */
	dm_hint_start(&p, page, sizeof(page), false);
	CHECK(dm_hint_add(&p, &pfn, &count));
	CHECK_EQ(p.n, 3);
	CHECK_EQ(p.ranges[0], small(0x201, 511));
	CHECK_EQ(p.ranges[1], large(0x400, 1));
	CHECK_EQ(p.ranges[2], small(0x600, 1));
	CHECK_EQ(p.n_small, 2);
	CHECK_EQ(p.frames, 0x400);

	/* Aligned but short: 4 KiB units. */
	pfn = 0x1000;
	count = 100;
	CHECK(dm_hint_add(&p, &pfn, &count));
	CHECK_EQ(p.ranges[3], small(0x1000, 100));

	/* Short and not crossing a boundary. */
	pfn = 0x2010;
	count = 16;
	CHECK(dm_hint_add(&p, &pfn, &count));
	CHECK_EQ(p.n, 5);
	CHECK_EQ(p.ranges[4], small(0x2010, 16));
	CHECK_EQ(p.skipped, 0);
}

static void test_large_only(void)
{
	struct dm_hint_packer p;
	u64 pfn = 0x201, count = 0x400;

	dm_hint_start(&p, page, sizeof(page), true);
	CHECK(dm_hint_add(&p, &pfn, &count));
	CHECK_EQ(p.n, 1);
	CHECK_EQ(p.ranges[0], large(0x400, 1));
	CHECK_EQ(p.skipped, 512);
	CHECK_EQ(p.n_small, 0);
	/* Nothing of a range under 2 MiB goes in; it is still consumed. */
	pfn = 0x5000;
	count = 511;
	CHECK(dm_hint_add(&p, &pfn, &count));
	CHECK_EQ(p.n, 1);
	CHECK_EQ(count, 0);
	CHECK_EQ(p.skipped, 1023);
}

/* 2048 units is the most one entry says: 8 MiB small, 4 GiB large. */
static void test_longer_than_an_entry(void)
{
	struct dm_hint_packer p;
	u64 gib = 1ULL << 18;	/* frames */
	u64 pfn = 4 * gib, count = 5 * gib;

	dm_hint_start(&p, page, sizeof(page), false);
	CHECK(dm_hint_add(&p, &pfn, &count));
	CHECK_EQ(p.n, 2);
	CHECK_EQ(p.ranges[0], large(4 * gib, 2048));
	CHECK_EQ(p.ranges[0] & 0x7ff, 0x7ff);
	CHECK_EQ(p.ranges[1], large(8 * gib, 512));
	CHECK_EQ(p.frames, 5 * gib);

	/* A long range with an unaligned head and tail. */
	dm_hint_start(&p, page, sizeof(page), false);
	pfn = 4 * gib - 3;
	count = 4 * gib + 3 + 7;
	CHECK(dm_hint_add(&p, &pfn, &count));
	CHECK_EQ(p.n, 3);
	CHECK_EQ(p.ranges[0], small(4 * gib - 3, 3));
	CHECK_EQ(p.ranges[1], large(4 * gib, 2048));
	CHECK_EQ(p.ranges[2], small(8 * gib, 7));
}

static void test_page_fills(void)
{
	struct dm_hint_packer p;
	u64 pfn, count;
	u32 i;

	/* 511 separate 2 MiB blocks fit; the 512th waits for a new page. */
	dm_hint_start(&p, page, sizeof(page), false);
	for (i = 0; i < 511; i++) {
		pfn = (u64)i * 1024;
		count = 512;
		CHECK(dm_hint_add(&p, &pfn, &count));
	}
	CHECK_EQ(p.n, 511);
	pfn = 511 * 1024;
	count = 512;
	CHECK(!dm_hint_add(&p, &pfn, &count));
	CHECK_EQ(pfn, 511 * 1024);
	CHECK_EQ(count, 512);
	CHECK_EQ(p.n, 511);
	/* The entry after the header is the last the page has room for. */
	CHECK((u8 *)&p.ranges[p.n] == (u8 *)page + DM_HINT_PAGE_SIZE);

	/* A range split across pages: what went in is consumed. */
	dm_hint_start(&p, page, sizeof(page), false);
	for (i = 0; i < 509; i++) {
		pfn = (u64)i * 1024;
		count = 512;
		CHECK(dm_hint_add(&p, &pfn, &count));
	}
	pfn = 0x10000001;
	count = 511 + 512 + 5;	/* three entries, two slots left */
	CHECK(!dm_hint_add(&p, &pfn, &count));
	CHECK_EQ(p.n, 511);
	CHECK_EQ(pfn, 0x10000001 + 511 + 512);
	CHECK_EQ(count, 5);
	dm_hint_start(&p, page, sizeof(page), false);
	CHECK(dm_hint_add(&p, &pfn, &count));
	CHECK_EQ(p.n, 1);
	CHECK_EQ(p.ranges[0], small(0x10000001 + 511 + 512, 5));
}

static void test_frame_limit(void)
{
	struct dm_hint_packer p;
	u64 lim = 1ULL << 52;
	u64 pfn = lim - 512, count = 2048;

	dm_hint_start(&p, page, sizeof(page), false);
	CHECK(dm_hint_add(&p, &pfn, &count));
	CHECK_EQ(p.n, 1);
	CHECK_EQ(p.ranges[0], large(lim - 512, 1));
	CHECK_EQ(p.skipped, 1536);
	pfn = ~0ULL - 10;
	count = 5;
	CHECK(dm_hint_add(&p, &pfn, &count));
	CHECK_EQ(p.n, 1);
	CHECK_EQ(p.skipped, 1541);
}

/*
 * Random ranges, packed page after page: decoding every page must give back
 * exactly the frames that went in, in order, each entry inside one encoding's
 * limits and large entries on 2 MiB boundaries.
 */
static void test_random_roundtrip(void)
{
	unsigned int seed = 4242, i;

	for (i = 0; i < 20000; i++) {
		struct dm_hint_packer p;
		bool lo = !(rand_r(&seed) % 4);
		u64 pfn = ((u64)rand_r(&seed) << 12) ^ rand_r(&seed);
		u64 count = 1 + (u64)rand_r(&seed) % (1 << (rand_r(&seed) % 24));
		u64 next = pfn, left = count, covered = 0, skipped = 0;
		u32 cap = 1 + rand_r(&seed) % 4;	/* tiny pages: many flushes */
		bool done;

		if (!(i % 7))
			pfn &= ~511ULL, next = pfn;
		do {
			u32 k;

			dm_hint_start(&p, page, 8 + 8 * cap, lo);
			done = dm_hint_add(&p, &pfn, &count);
			CHECK(done || p.n == cap);
			for (k = 0; k < p.n; k++) {
				u64 e = p.ranges[k];
				u64 s = dm_hint_entry_pfn(e);
				u64 f = dm_hint_entry_frames(e);

				/* Skipped frames only ever come before an entry. */
				CHECK(lo || s == next);
				CHECK(s >= next);
				skipped += s - next;
				if (dm_hint_entry_large(e)) {
					CHECK_EQ(s & 511, 0);
					CHECK(!(e & (1ULL << 12)));
					CHECK_EQ((e >> 13) & 0xff, 0);
				} else {
					CHECK(!lo);
					CHECK(f < 512);
					/* Never crosses a 2 MiB boundary. */
					CHECK_EQ(s >> 9, (s + f - 1) >> 9);
				}
				covered += f;
				next = s + f;
			}
		} while (!done);
		CHECK_EQ(count, 0);
		CHECK(next <= pfn);
		skipped += pfn - next;
		CHECK_EQ(covered + skipped, left);
		if (!lo)
			CHECK_EQ(skipped, 0);
	}
}

int main(void)
{
	UNIT_RUN(test_header);
	UNIT_RUN(test_aligned_blocks);
	UNIT_RUN(test_unaligned);
	UNIT_RUN(test_large_only);
	UNIT_RUN(test_longer_than_an_entry);
	UNIT_RUN(test_page_fills);
	UNIT_RUN(test_frame_limit);
	UNIT_RUN(test_random_roundtrip);
	return unit_summary();
}
