// SPDX-License-Identifier: GPL-2.0
/*
 * lib/ol_xact.c, single-threaded: an answer that comes before the wait is
 * delivered, one for an id no request has (or had, before its timeout) is
 * refused and counted and writes no buffer, a cancellation wakes every
 * waiter and refuses new requests until resumed, and ids never repeat.
 * Answers that name only their kind go to the oldest request awaiting it,
 * never to one of another kind, to one matched by id, or to one whose
 * wait has ended.
 * The pretend kernel's wait returns at once: done or timed out.
 */
#include <errno.h>
#include <stdio.h>
#include "test_vstor_shim.h"
#include "unit.h"

typedef struct { int held; } spinlock_t;
#define spin_lock_init(l) ((l)->held = 0)
#define spin_lock_irqsave(l, f) do { if ((l)->held++) abort(); (f) = 0; } while (0)
#define spin_unlock_irqrestore(l, f) do { (void)(f); if (!(l)->held--) abort(); } while (0)
struct completion { int done; };
#define init_completion(c) ((c)->done = 0)
#define reinit_completion(c) ((c)->done = 0)
#define complete(c) ((c)->done = 1)
#define msecs_to_jiffies(ms) (ms)
static int waited;
static unsigned long wait_for_completion_timeout(struct completion *c,
						 unsigned long t)
{
	waited++;
	return c->done ? t : 0;
}

#include <stdlib.h>
#include "../../lib/ol_xact.c"

#define BASE (1ULL << 63)

static void test_answer_before_wait(void)
{
	struct ol_xact_ctx ctx;
	struct ol_xact *x;
	u8 buf[8] = {}, ans[12];
	u32 len = 0;

	ol_xact_ctx_init(&ctx, BASE);
	x = ol_xact_get(&ctx, buf, sizeof(buf));
	CHECK(x);
	CHECK(ol_xact_id(x) & BASE);
	memset(ans, 0x5a, sizeof(ans));
	/* longer than the buffer: the buffer's worth copied, the length said */
	CHECK(ol_xact_respond(&ctx, ol_xact_id(x), ans, sizeof(ans)));
	CHECK_EQ(ol_xact_wait(x, 1000, &len), 0);
	CHECK_EQ(len, 12);
	CHECK_EQ(buf[7], 0x5a);
	/* answered once: a second answer is stale */
	CHECK(!ol_xact_respond(&ctx, ol_xact_id(x), ans, sizeof(ans)));
	CHECK_EQ(ctx.stale, 1);
	ol_xact_put(x);
	CHECK_EQ(ctx.answered, 1);
}

static void test_timeout_then_late_answer(void)
{
	struct ol_xact_ctx ctx;
	struct ol_xact *x, *y;
	u8 buf[4] = {}, ans[4] = { 1, 2, 3, 4 };
	u64 old;
	u32 len = 99;

	ol_xact_ctx_init(&ctx, BASE);
	x = ol_xact_get(&ctx, buf, sizeof(buf));
	old = ol_xact_id(x);
	CHECK_EQ(ol_xact_wait(x, 10, &len), -ETIMEDOUT);
	CHECK_EQ(len, 99);
	CHECK_EQ(ctx.timeouts, 1);
	/* late, before the put: refused, the buffer untouched */
	CHECK(!ol_xact_respond(&ctx, old, ans, sizeof(ans)));
	CHECK_EQ(buf[0], 0);
	ol_xact_put(x);
	/* the slot is reused with a new id; the old one stays dead */
	y = ol_xact_get(&ctx, buf, sizeof(buf));
	CHECK(y == x);
	CHECK(ol_xact_id(y) != old);
	CHECK(!ol_xact_respond(&ctx, old, ans, sizeof(ans)));
	CHECK_EQ(buf[0], 0);
	CHECK_EQ(ctx.stale, 2);
	ol_xact_put(y);
}

static void test_unknown_ids(void)
{
	struct ol_xact_ctx ctx;
	u8 ans[4] = {};

	ol_xact_ctx_init(&ctx, BASE);
	CHECK(!ol_xact_respond(&ctx, 0, ans, sizeof(ans)));
	CHECK(!ol_xact_respond(&ctx, BASE | 1, ans, sizeof(ans)));
	CHECK(!ol_xact_respond(&ctx, ~0ULL, ans, sizeof(ans)));
	CHECK_EQ(ctx.stale, 3);
}

static void test_slots_run_out(void)
{
	struct ol_xact_ctx ctx;
	struct ol_xact *x[OL_XACT_SLOTS];
	u8 buf[4];
	int i, j;

	ol_xact_ctx_init(&ctx, BASE);
	for (i = 0; i < OL_XACT_SLOTS; i++) {
		x[i] = ol_xact_get(&ctx, buf, sizeof(buf));
		CHECK(x[i]);
		for (j = 0; j < i; j++)
			CHECK(ol_xact_id(x[j]) != ol_xact_id(x[i]));
	}
	CHECK(!ol_xact_get(&ctx, buf, sizeof(buf)));
	ol_xact_put(x[3]);
	CHECK(ol_xact_get(&ctx, buf, sizeof(buf)) == x[3]);
}

static void test_cancel_all(void)
{
	struct ol_xact_ctx ctx;
	struct ol_xact *a, *b;
	u8 buf[4], ans[4] = {};
	u32 len;

	ol_xact_ctx_init(&ctx, BASE);
	a = ol_xact_get(&ctx, buf, sizeof(buf));
	b = ol_xact_get(&ctx, buf, sizeof(buf));
	ol_xact_cancel_all(&ctx);
	CHECK_EQ(ol_xact_wait(a, 10, &len), -ECANCELED);
	CHECK_EQ(ol_xact_wait(b, 10, &len), -ECANCELED);
	CHECK(!ol_xact_respond(&ctx, ol_xact_id(a), ans, sizeof(ans)));
	ol_xact_put(a);
	ol_xact_put(b);
	CHECK(!ol_xact_get(&ctx, buf, sizeof(buf)));
	ol_xact_resume(&ctx);
	a = ol_xact_get(&ctx, buf, sizeof(buf));
	CHECK(a);
	CHECK(ol_xact_respond(&ctx, ol_xact_id(a), ans, sizeof(ans)));
	CHECK_EQ(ol_xact_wait(a, 10, &len), 0);
	ol_xact_put(a);
}

static void test_kind(void)
{
	struct ol_xact_ctx ctx;
	struct ol_xact *byid, *other, *old, *young;
	u8 b0[4] = {}, b1[4] = {}, b2[4] = {}, b3[4] = {}, ans[4] = { 7 };
	u32 len = 0;

	ol_xact_ctx_init(&ctx, BASE);
	byid = ol_xact_get(&ctx, b0, sizeof(b0));
	other = ol_xact_get_kind(&ctx, 4, b1, sizeof(b1));
	old = ol_xact_get_kind(&ctx, 2, b2, sizeof(b2));
	young = ol_xact_get_kind(&ctx, 2, b3, sizeof(b3));
	CHECK(byid && other && old && young);
	/* kind 0 is "matched by id", never a kind an answer may name */
	CHECK(!ol_xact_respond_kind(&ctx, 0, ans, sizeof(ans)));
	CHECK(!ol_xact_respond_kind(&ctx, 9, ans, sizeof(ans)));
	CHECK_EQ(ctx.stale, 2);
	CHECK(ol_xact_respond_kind(&ctx, 2, ans, sizeof(ans)));
	CHECK_EQ(b2[0], 7);
	CHECK_EQ(b3[0], 0);
	CHECK_EQ(b0[0] + b1[0], 0);
	CHECK_EQ(ol_xact_wait(old, 10, &len), 0);
	CHECK_EQ(len, 4);
	/* the younger one times out; its late answer is refused */
	CHECK_EQ(ol_xact_wait(young, 10, &len), -ETIMEDOUT);
	CHECK(!ol_xact_respond_kind(&ctx, 2, ans, sizeof(ans)));
	CHECK_EQ(b3[0], 0);
	/* a kind request is still known by its id */
	CHECK(ol_xact_respond(&ctx, ol_xact_id(other), ans, sizeof(ans)));
	CHECK_EQ(b1[0], 7);
	ol_xact_put(old);
	ol_xact_put(young);
	ol_xact_put(other);
	/* a reused slot is matched by id again */
	other = ol_xact_get(&ctx, b1, sizeof(b1));
	CHECK(!ol_xact_respond_kind(&ctx, 4, ans, sizeof(ans)));
	ol_xact_put(other);
	ol_xact_put(byid);
}

int main(void)
{
	UNIT_RUN(test_answer_before_wait);
	UNIT_RUN(test_timeout_then_late_answer);
	UNIT_RUN(test_unknown_ids);
	UNIT_RUN(test_slots_run_out);
	UNIT_RUN(test_cancel_all);
	UNIT_RUN(test_kind);
	printf("%d waits\n", waited);
	return unit_summary();
}
