// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the balloon's bookkeeping: the hot-add regions and backed
 * spans (balloon/dm_track.c), the host requests they refuse, pages the host
 * gives back by hot-adding them again, and an inflate/deflate simulation on
 * the pure parts of balloon/dm_proto.c (allowance, responses, floor).
 */
#include <stdlib.h>
#include "test_balloon_shim.h"
#include "unit.h"
#include "../../balloon/dm_proto.c"
#include "../../balloon/dm_track.c"

#define CHUNK	32768ULL	/* a 128 MiB memory block in 4 KiB frames */
#define BASE	(4 * 262144ULL)	/* 4 GiB */

static struct list_head regions = LIST_HEAD_INIT(regions);

static struct dm_ha_region *region(u64 start, u64 end)
{
	struct dm_ha_region *rg = calloc(1, sizeof(*rg));

	rg->start = start;
	rg->end = end;
	rg->added_end = start;
	INIT_LIST_HEAD(&rg->backed);
	list_add_tail(&rg->list, &regions);
	return rg;
}

static void free_spans(struct list_head *h)
{
	struct dm_ha_span *s, *t;

	list_for_each_entry_safe(s, t, h, list) {
		list_del(&s->list);
		free(s);
	}
}

static void reset(void)
{
	struct dm_ha_region *rg, *t;

	list_for_each_entry_safe(rg, t, &regions, list) {
		free_spans(&rg->backed);
		list_del(&rg->list);
		free(rg);
	}
}

/* Back [start, end) as hot_add.c does; returns the span count after. */
static int back(struct dm_ha_region *rg, u64 start, u64 end)
{
	struct dm_ha_span *fresh = calloc(1, sizeof(*fresh));
	struct list_head spare = LIST_HEAD_INIT(spare);
	struct dm_ha_span *s;
	int n = 0;

	if (!dm_ha_back(rg, start, end, fresh, &spare))
		free(fresh);
	free_spans(&spare);
	list_for_each_entry(s, &rg->backed, list)
		n++;
	return n;
}

static void plan(u64 start, u64 count, u64 rg_start, u64 rg_count,
		 struct dm_ha_plan *p)
{
	dm_ha_plan(&regions, CHUNK, start, count, rg_start, rg_count, p);
}

static void test_plan_new(void)
{
	struct dm_ha_plan p;

	/* No region named: whole blocks around the range. */
	plan(BASE + 100, 1000, 0, 0, &p);
	CHECK_EQ(p.verdict, DM_HA_NEW);
	CHECK_EQ(p.start, BASE);
	CHECK_EQ(p.end, BASE + CHUNK);
	CHECK(!p.rg);
	plan(BASE + CHUNK - 1, 2, 0, 0, &p);	/* straddles a block edge */
	CHECK_EQ(p.start, BASE);
	CHECK_EQ(p.end, BASE + 2 * CHUNK);

	/* The host's region, whole blocks. */
	plan(BASE, 1000, BASE, 4 * CHUNK, &p);
	CHECK_EQ(p.verdict, DM_HA_NEW);
	CHECK_EQ(p.end, BASE + 4 * CHUNK);
	/* A region that is not whole blocks is refused, either end. */
	plan(BASE + 512, 1000, BASE + 512, CHUNK, &p);
	CHECK_EQ(p.verdict, DM_HA_UNALIGNED);
	plan(BASE, 1000, BASE, CHUNK + 1, &p);
	CHECK_EQ(p.verdict, DM_HA_UNALIGNED);
	/* Pages outside the region named with them. */
	plan(BASE + CHUNK - 10, 20, BASE, CHUNK, &p);
	CHECK_EQ(p.verdict, DM_HA_PAST_REGION);
	CHECK(strcmp(dm_ha_verdict_name(p.verdict), "unknown"));
}

static void test_plan_existing_and_overlap(void)
{
	struct dm_ha_region *a = region(BASE, BASE + 2 * CHUNK);
	struct dm_ha_plan p;

	region(BASE + 4 * CHUNK, BASE + 5 * CHUNK);
	plan(BASE + 10, 100, 0, 0, &p);
	CHECK_EQ(p.verdict, DM_HA_EXISTING);
	CHECK(p.rg == a);
	CHECK_EQ(p.end, BASE + 2 * CHUNK);
	/* Growing into free space is fine without a named region... */
	plan(BASE + CHUNK, 2 * CHUNK, 0, 0, &p);
	CHECK_EQ(p.verdict, DM_HA_EXISTING);
	CHECK_EQ(p.end, BASE + 3 * CHUNK);
	/* ...not when the host names one (it disagrees with ours)... */
	plan(BASE + CHUNK, 2 * CHUNK, BASE, 4 * CHUNK, &p);
	CHECK_EQ(p.verdict, DM_HA_PAST_REGION);
	/* ...nor into the next region. */
	plan(BASE + CHUNK, 3 * CHUNK + 1, 0, 0, &p);
	CHECK_EQ(p.verdict, DM_HA_OVERLAP);
	/* New regions that overlap one we have. */
	plan(BASE + 3 * CHUNK, CHUNK + 5, 0, 0, &p);
	CHECK_EQ(p.verdict, DM_HA_OVERLAP);
	plan(BASE + 3 * CHUNK, 10, BASE + 3 * CHUNK, 2 * CHUNK, &p);
	CHECK_EQ(p.verdict, DM_HA_OVERLAP);
	plan(BASE - CHUNK, 10, BASE - CHUNK, 2 * CHUNK, &p);
	CHECK_EQ(p.verdict, DM_HA_OVERLAP);
	/* Touching is not overlapping. */
	plan(BASE + 3 * CHUNK, 10, BASE + 3 * CHUNK, CHUNK, &p);
	CHECK_EQ(p.verdict, DM_HA_NEW);
	reset();
}

static void test_plan_limits(void)
{
	struct dm_ha_plan p;
	u64 lim = DM_RANGE_MAX_START + 1;

	/* The last block the protocol can name is fine... */
	plan(lim - CHUNK, CHUNK, 0, 0, &p);
	CHECK_EQ(p.verdict, DM_HA_NEW);
	CHECK_EQ(p.end, lim);
	/* ...a region rounded up past it, or named past it, is not. */
	plan(lim - 10, 5, 0, 0, &p);
	CHECK_EQ(p.verdict, DM_HA_NEW);
	plan(lim - CHUNK - 1, CHUNK, lim - 2 * CHUNK, 3 * CHUNK, &p);
	CHECK_EQ(p.verdict, DM_HA_TOO_BIG);
	plan(lim - 1, 2, 0, 0, &p);
	CHECK_EQ(p.verdict, DM_HA_TOO_BIG);
}

static void test_backing(void)
{
	struct dm_ha_region *rg = region(BASE, BASE + 2 * CHUNK);
	u64 pos, s, e;

	CHECK_EQ(back(rg, BASE, BASE + 100), 1);
	CHECK(dm_ha_backed(rg, BASE));
	CHECK(dm_ha_backed(rg, BASE + 99));
	CHECK(!dm_ha_backed(rg, BASE + 100));
	/* Continuing the last span extends it. */
	CHECK_EQ(back(rg, BASE + 100, BASE + 200), 1);
	/* A gap makes a second span. */
	CHECK_EQ(back(rg, BASE + 300, BASE + 400), 2);
	CHECK_EQ(dm_ha_backed_in(rg, BASE, BASE + 1000), 300);
	CHECK_EQ(dm_ha_backed_in(rg, BASE + 150, BASE + 350), 100);
	CHECK_EQ(dm_ha_backed_in(rg, BASE + 200, BASE + 300), 0);

	/* Runs come out in address order, clipped to the window. */
	pos = BASE + 150;
	CHECK(dm_ha_next_backed(rg, &pos, BASE + 350, &s, &e));
	CHECK_EQ(s, BASE + 150);
	CHECK_EQ(e, BASE + 200);
	CHECK(dm_ha_next_backed(rg, &pos, BASE + 350, &s, &e));
	CHECK_EQ(s, BASE + 300);
	CHECK_EQ(e, BASE + 350);
	CHECK(!dm_ha_next_backed(rg, &pos, BASE + 350, &s, &e));

	/* Filling the gap merges all three into one span. */
	CHECK_EQ(back(rg, BASE + 200, BASE + 300), 1);
	CHECK_EQ(dm_ha_backed_in(rg, BASE, BASE + 1000), 400);
	/* Backing a range that straddles spans folds them too. */
	CHECK_EQ(back(rg, BASE + 500, BASE + 600), 2);
	CHECK_EQ(back(rg, BASE + 700, BASE + 800), 3);
	CHECK_EQ(back(rg, BASE + 350, BASE + 750), 1);
	CHECK_EQ(dm_ha_backed_in(rg, BASE, BASE + 1000), 800);
	reset();
}

/*
 * Issue 24, item 5: each request backing pages apart from the rest made
 * one more span, and spans are searched under the hot-add lock with
 * interrupts off. Past DM_HA_MAX_SPANS a region refuses such requests;
 * one that merges into its spans still goes.
 */
static void test_span_cap(void)
{
	struct dm_ha_region *rg = region(BASE, BASE + CHUNK);
	struct dm_ha_plan p;
	int n = 0;
	u64 i;

	for (i = 0; i < 2 * DM_HA_MAX_SPANS; i++) {
		plan(BASE + 2 * i, 1, 0, 0, &p);
		if (p.verdict == DM_HA_EXISTING)
			n = back(rg, BASE + 2 * i, BASE + 2 * i + 1);
	}
	CHECK_EQ(n, DM_HA_MAX_SPANS);
	plan(BASE + 1, 1, 0, 0, &p);
	CHECK_EQ(p.verdict, DM_HA_EXISTING);
	CHECK_EQ(back(rg, BASE + 1, BASE + 2), DM_HA_MAX_SPANS - 1);
	CHECK_EQ(rg->nr_spans, DM_HA_MAX_SPANS - 1);
	plan(BASE + 1000, 1, 0, 0, &p);
	CHECK_EQ(p.verdict, DM_HA_EXISTING);
	CHECK_EQ(back(rg, BASE + 1000, BASE + 1001), DM_HA_MAX_SPANS);
	/* Growing the region by a span of its own is refused as well. */
	plan(BASE + CHUNK - 1, 2, 0, 0, &p);
	CHECK_EQ(p.verdict, DM_HA_TOO_MANY_SPANS);
	reset();
}

/* What offlining a block counts, whatever regions it spans. */
static void test_backed_total(void)
{
	struct dm_ha_region *a = region(BASE, BASE + CHUNK);
	struct dm_ha_region *b = region(BASE + CHUNK, BASE + 2 * CHUNK);

	back(a, BASE + 10, BASE + 20);
	back(a, BASE + CHUNK - 5, BASE + CHUNK);
	back(b, BASE + CHUNK, BASE + CHUNK + 7);
	CHECK_EQ(dm_ha_backed_total(&regions, BASE, BASE + 2 * CHUNK), 22);
	CHECK_EQ(dm_ha_backed_total(&regions, BASE + 15, BASE + CHUNK + 1), 11);
	CHECK_EQ(dm_ha_backed_total(&regions, BASE + 20, BASE + CHUNK - 5), 0);
	CHECK_EQ(dm_ha_backed_total(&regions, 0, BASE), 0);
	reset();
}

/* The frames the simulated guest holds ballooned out. */
static unsigned char held[4096];

static bool is_held(void *ctx, u64 pfn)
{
	u64 base = *(u64 *)ctx;

	return pfn >= base && pfn - base < sizeof(held) && held[pfn - base];
}

/*
 * The host gives back pages we ballooned out of added memory by hot-adding
 * them again: fine where every re-backed page is one we hold, refused
 * where it names a page the guest uses.
 */
static void test_reuse_of_ballooned(void)
{
	struct dm_ha_region *rg = region(BASE, BASE + CHUNK);
	u64 base = BASE, pos, s, e, back_pages = 0;

	back(rg, BASE, BASE + 2048);
	memset(held, 0, sizeof(held));
	memset(held + 100, 1, 200);	/* ballooned: 100..299 */

	/* Re-backing 100..299 plus new pages past the backed span. */
	CHECK_EQ(dm_ha_backed_in(rg, BASE + 2000, BASE + 3000), 48);
	CHECK(dm_ha_backed_all(rg, BASE + 100, BASE + 300, is_held, &base));
	CHECK(dm_ha_backed_all(rg, BASE + 2048, BASE + 3000, is_held, &base));
	pos = BASE + 100;
	while (dm_ha_next_backed(rg, &pos, BASE + 300, &s, &e))
		back_pages += e - s;
	CHECK_EQ(back_pages, 200);

	/* One page in use in the window: the request is refused. */
	CHECK(!dm_ha_backed_all(rg, BASE + 99, BASE + 300, is_held, &base));
	CHECK(!dm_ha_backed_all(rg, BASE + 100, BASE + 301, is_held, &base));
	/* Unbacked pages are not asked about. */
	memset(held, 0, sizeof(held));
	CHECK(dm_ha_backed_all(rg, BASE + 2048, BASE + 4000, is_held, &base));

	/* After the reuse the span stays one, not two overlapping. */
	CHECK_EQ(back(rg, BASE + 100, BASE + 300), 1);
	CHECK_EQ(dm_ha_backed_in(rg, BASE, BASE + CHUNK), 2048);
	reset();
}

static void test_allowance(void)
{
	CHECK_EQ(dm_balloon_allowance(1000, 200, 500), 500);
	CHECK_EQ(dm_balloon_allowance(1000, 200, 800), 800);
	CHECK_EQ(dm_balloon_allowance(1000, 200, 801), 800);
	CHECK_EQ(dm_balloon_allowance(200, 200, 1), 0);
	CHECK_EQ(dm_balloon_allowance(100, 200, 1), 0);
	CHECK_EQ(dm_balloon_allowance(1000, 0, ~0ULL), 1000);
	/* No sum may wrap, whatever the sizes. */
	CHECK_EQ(dm_balloon_allowance(~0ULL, ~0ULL - 5, ~0ULL), 5);
	CHECK_EQ(dm_balloon_allowance(~0ULL, 1, 0xffffffff), 0xffffffff);
}

#define MIB(x) ((u64)(x) << 8)	/* MiB in 4 KiB pages */

/*
 * An inflate driven as inflate.c drives it, against a simulated guest whose
 * own use grows while the request runs: the balloon stops at the floor,
 * every page it holds is in exactly one response, and what the responses
 * add up to is what the host is told.
 */
static void test_inflate_simulation(void)
{
	static u64 buf[DM_MAX_MSG_SIZE / sizeof(u64)];
	struct dm_balloon_response *r = (void *)buf;
	u64 total = MIB(2048), avail = MIB(1800), used_growth = 0;
	u64 floor = dm_balloon_floor(total, 12);
	u64 want = dm_balloon_allowance(avail, floor, MIB(4096));
	u64 done = 0, reported = 0, since = 0, pfn = 0x100000, nresp = 0;
	u32 i;

	CHECK_EQ(floor, MIB(104 + 256));
	CHECK_EQ(want, MIB(1800) - floor);
	dm_balloon_resp_init(r);
	while (done < want) {
		/* The guest's load grows 1 MiB every 4 MiB ballooned. */
		if (since >= MIB(8)) {
			u64 more = dm_balloon_allowance(avail, floor,
							want - done);

			since = 0;
			if (more < want - done)
				want = done + more;
			if (!more)
				break;
		}
		if (dm_balloon_resp_ranges(r) >= DM_BALLOON_RESP_MAX_RANGES) {
			for (i = 0; i < dm_balloon_resp_ranges(r); i++)
				reported += dm_range_count(r->ranges[i]);
			nresp++;
			dm_balloon_resp_init(r);
		}
		/* Scattered single pages: every one a new range. */
		CHECK(dm_balloon_resp_add(r, pfn, 1));
		pfn += 2;
		done++;
		since++;
		avail--;
		if (!(done % MIB(4))) {
			avail -= MIB(1);
			used_growth += MIB(1);
		}
	}
	for (i = 0; i < dm_balloon_resp_ranges(r); i++)
		reported += dm_range_count(r->ranges[i]);
	nresp++;
	CHECK_EQ(reported, done);
	CHECK(nresp > 1);
	/* The growth was seen: never more than one check period below. */
	CHECK(avail + MIB(8) >= floor);
	CHECK(done < MIB(1800) - floor);
	CHECK(used_growth > 0);
	/* Guest size with the balloon empty is what the floor comes from. */
	CHECK_EQ(dm_balloon_floor((total - done) + done, 12), floor);
}

int main(void)
{
	UNIT_RUN(test_plan_new);
	UNIT_RUN(test_plan_existing_and_overlap);
	UNIT_RUN(test_plan_limits);
	UNIT_RUN(test_backing);
	UNIT_RUN(test_span_cap);
	UNIT_RUN(test_backed_total);
	UNIT_RUN(test_reuse_of_ballooned);
	UNIT_RUN(test_allowance);
	UNIT_RUN(test_inflate_simulation);
	reset();
	return unit_summary();
}
