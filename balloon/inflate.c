// SPDX-License-Identifier: GPL-2.0
/*
 * Ballooning: taking pages from the guest for the host (up) and giving back
 * the ones the host names (down).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/sched.h>
#include "hv_balloon.h"

/* 2 MiB: what the host backs with one large page, so what it frees best. */
#define HV_DM_BIG_ORDER		(21 - PAGE_SHIFT)

/* A full ring clears in milliseconds; five seconds means the host is gone. */
#define HV_DM_SEND_TRIES	250

/*
 * Send what we hold every 32 MiB: the host releases one response's memory
 * while we allocate for the next, instead of all of it after we are done.
 */
#define HV_DM_RESP_FLUSH_PAGES	(SZ_32M >> PAGE_SHIFT)

/* How often a long request looks at the floor again: every 8 MiB. */
#define HV_DM_RECHECK_PAGES	(SZ_8M >> PAGE_SHIFT)

/*
 * The floor belongs to the guest's size with the balloon empty. Taken from
 * what ballooning leaves, it would shrink with every request, and a host
 * that keeps asking would wear the guest down far below it.
 */
unsigned long hv_dm_floor(struct hv_dm *dm)
{
	return dm_balloon_floor(totalram_pages() + READ_ONCE(dm->nr_ballooned),
				PAGE_SHIFT);
}

#define HV_DM_BLOCK_PAGES	BIT(HV_DM_BIG_ORDER)

static bool hv_dm_is_block(struct page *pg)
{
	return PageOffline(pg) && page_private(pg) == HV_DM_BLOCK_MARK;
}

/*
 * Whether @pfn is a page we ballooned out. The host may name any frame, so
 * look only at pages the kernel has online, and trust no single mark: our
 * pages are PageOffline() and carry one of our private marks, and a page
 * inside a block has the block's first page marked as such.
 */
static struct page *hv_dm_our_page(unsigned long pfn)
{
	struct page *pg = pfn_to_online_page(pfn), *head;

	if (!pg || !PageOffline(pg) || !hv_dm_marked(pg))
		return NULL;
	if (page_private(pg) != HV_DM_TAIL_MARK)
		return pg;
	head = pg - (pfn & (HV_DM_BLOCK_PAGES - 1));
	return hv_dm_is_block(head) ? pg : NULL;
}

bool hv_dm_is_ballooned(unsigned long pfn)
{
	return hv_dm_our_page(pfn);
}

/*
 * Take the 2^@order pages at @pg, just allocated, out of the guest's hands.
 * A block stays whole: one list entry, marked at its first page.
 */
static void hv_dm_hold(struct hv_dm *dm, struct page *pg, unsigned int order)
{
	unsigned long flags, nr = 1UL << order, i;

	for (i = 0; i < nr; i++) {
		__SetPageOffline(pg + i);
		set_page_private(pg + i, HV_DM_TAIL_MARK);
	}
	set_page_private(pg, order ? HV_DM_BLOCK_MARK : HV_DM_PAGE_MARK);
	adjust_managed_page_count(pg, -(long)nr);

	spin_lock_irqsave(&dm->balloon_lock, flags);
	list_add_tail(&pg->lru, &dm->ballooned);
	dm->nr_ballooned += nr;
	spin_unlock_irqrestore(&dm->balloon_lock, flags);
}

/*
 * Give one held page back to the guest. Called with balloon_lock held; the
 * caller adds the page to the managed count (in batches: it is an atomic
 * update of shared counters).
 */
static void hv_dm_release_locked(struct hv_dm *dm, struct page *pg)
{
	list_del(&pg->lru);
	dm->nr_ballooned--;
	set_page_private(pg, 0);
	__ClearPageOffline(pg);
	__free_page(pg);
}

/* The same for a whole block at @head, in one piece. */
static void hv_dm_release_block_locked(struct hv_dm *dm, struct page *head)
{
	unsigned long i;

	list_del(&head->lru);
	dm->nr_ballooned -= HV_DM_BLOCK_PAGES;
	for (i = 0; i < HV_DM_BLOCK_PAGES; i++) {
		set_page_private(head + i, 0);
		__ClearPageOffline(head + i);
	}
	__free_pages(head, HV_DM_BIG_ORDER);
}

/*
 * The host names only part of a block: from now on its pages are held one
 * by one, each on the list, each freed on its own.
 */
static void hv_dm_split_block_locked(struct hv_dm *dm, struct page *head)
{
	unsigned long i;

	split_page(head, HV_DM_BIG_ORDER);
	set_page_private(head, HV_DM_PAGE_MARK);
	for (i = 1; i < HV_DM_BLOCK_PAGES; i++) {
		set_page_private(head + i, HV_DM_PAGE_MARK);
		list_add(&head[i].lru, &head->lru);
	}
}

/*
 * Give back the pages of [@start, @start + @count) that we hold; returns
 * how many of them were not ours. The work goes in 2 MiB-aligned batches:
 * whether a frame's page is online holds for the whole of such a batch
 * (it is within one memory subsection), a block of ours is one batch, and
 * the lock is dropped between batches, since a host may name ranges of
 * millions of pages.
 */
u64 hv_dm_release_range(struct hv_dm *dm, u64 start, u64 count)
{
	u64 pfn = start, end = start + count, strangers = 0;
	unsigned long flags;

	BUILD_BUG_ON(HV_DM_BLOCK_PAGES > PAGES_PER_SUBSECTION);
	while (pfn < end) {
		u64 base = round_down(pfn, HV_DM_BLOCK_PAGES);
		u64 batch_end = min(end, base + HV_DM_BLOCK_PAGES);
		struct page *first = pfn_to_online_page(pfn), *head;
		long freed = 0;

		if (!first) {
			strangers += batch_end - pfn;
			pfn = batch_end;
			continue;
		}
		head = first - (pfn - base);
		spin_lock_irqsave(&dm->balloon_lock, flags);
		/* Nothing left to give back: the rest cannot be ours. */
		if (!dm->nr_ballooned) {
			spin_unlock_irqrestore(&dm->balloon_lock, flags);
			return strangers + end - pfn;
		}
		if (hv_dm_is_block(head)) {
			if (pfn == base && batch_end == base + HV_DM_BLOCK_PAGES) {
				hv_dm_release_block_locked(dm, head);
				spin_unlock_irqrestore(&dm->balloon_lock, flags);
				adjust_managed_page_count(head, HV_DM_BLOCK_PAGES);
				pfn = batch_end;
				cond_resched();
				continue;
			}
			hv_dm_split_block_locked(dm, head);
		}
		for (; pfn < batch_end; pfn++) {
			struct page *pg = head + (pfn - base);

			if (!PageOffline(pg) ||
			    page_private(pg) != HV_DM_PAGE_MARK) {
				strangers++;
				continue;
			}
			/* One count update per batch and zone. */
			if (freed && page_zone(first) != page_zone(pg)) {
				adjust_managed_page_count(first, freed);
				freed = 0;
			}
			if (!freed)
				first = pg;
			hv_dm_release_locked(dm, pg);
			freed++;
		}
		if (freed)
			adjust_managed_page_count(first, freed);
		spin_unlock_irqrestore(&dm->balloon_lock, flags);
		cond_resched();
	}
	return strangers;
}

/* Send @r, waiting out a full ring; on failure give its pages back. */
static bool hv_dm_send_balloon_resp(struct hv_dm *dm,
				    struct dm_balloon_response *r, bool more)
{
	unsigned int tries = 0;
	u32 i;
	int ret;

	do {
		dm_balloon_resp_finish(r, more, hv_dm_next_trans(dm));
		ret = hv_dm_send(dm, r, r->hdr.size);
		if (ret != -EAGAIN)
			break;
		msleep(20);
		hv_dm_post_status(dm, false);
	} while (++tries < HV_DM_SEND_TRIES);

	if (!ret)
		return true;

	pr_err("balloon response not sent (%d); returning its pages\n", ret);
	for (i = 0; i < dm_balloon_resp_ranges(r); i++)
		hv_dm_release_range(dm, dm_range_start(r->ranges[i]),
				    dm_range_count(r->ranges[i]));
	return false;
}

static u64 hv_dm_resp_pages(const struct dm_balloon_response *r)
{
	u64 n = 0;
	u32 i;

	for (i = 0; i < dm_balloon_resp_ranges(r); i++)
		n += dm_range_count(r->ranges[i]);
	return n;
}

/*
 * How many more of @left pages the balloon may take now. Both the guest's
 * load and the memory the balloon already holds move while a request runs.
 */
static unsigned long hv_dm_allowance(struct hv_dm *dm, unsigned long left)
{
	return dm_balloon_allowance(si_mem_available(), hv_dm_floor(dm), left);
}

/*
 * Balloon up by @num_pages, never leaving the guest less available memory
 * than the floor. The answer goes out in as many responses as the ranges
 * need, all but the last marked "more"; the host counts what the ranges
 * hold, so a partial success is a shorter list, and every page in it is one
 * we hold.
 */
void hv_dm_balloon_up(struct hv_dm *dm, u32 num_pages)
{
	struct dm_balloon_response *r = (void *)dm->send_buf;
	unsigned int order = HV_DM_BIG_ORDER;
	unsigned long want, done = 0, in_resp = 0, since_check = 0;
	unsigned long sent = 0;
	const char *why = NULL;

	atomic64_inc(&dm->stats.inflate_ops);
	want = hv_dm_allowance(dm, num_pages);
	if (want < num_pages)
		why = si_mem_available() < num_pages ? "not enough memory" :
		      "the floor is reached";

	dm_balloon_resp_init(r);
	while (done < want) {
		unsigned int nr;
		struct page *pg;

		if (since_check >= HV_DM_RECHECK_PAGES) {
			unsigned long more = hv_dm_allowance(dm, want - done);

			since_check = 0;
			if (more < want - done) {
				want = done + more;
				why = "the floor is reached";
				if (!more)
					break;
			}
		}
		if (in_resp >= HV_DM_RESP_FLUSH_PAGES ||
		    dm_balloon_resp_ranges(r) >= DM_BALLOON_RESP_MAX_RANGES) {
			if (!hv_dm_send_balloon_resp(dm, r, true))
				goto failed;
			sent += in_resp;
			dm_balloon_resp_init(r);
			in_resp = 0;
		}
		if (order && want - done < (1UL << order))
			order = 0;
		pg = alloc_pages(GFP_HIGHUSER | __GFP_NORETRY |
				 __GFP_NOMEMALLOC | __GFP_NOWARN, order);
		if (!pg && order) {
			/* Fragmented: fall back to single pages for good. */
			order = 0;
			continue;
		}
		if (!pg) {
			why = "allocation failed";
			break;
		}
		nr = 1U << order;
		hv_dm_hold(dm, pg, order);
		/* A range at or past the 40-bit frame limit fails here. */
		if (!dm_balloon_resp_add(r, page_to_pfn(pg), nr)) {
			hv_dm_release_range(dm, page_to_pfn(pg), nr);
			why = "a page beyond the protocol's frame limit";
			break;
		}
		done += nr;
		in_resp += nr;
		since_check += nr;
		cond_resched();
	}

	/* What we tell the host is what the ranges hold, nothing else. */
	WARN_ON_ONCE(sent + hv_dm_resp_pages(r) != done);
	if (!hv_dm_send_balloon_resp(dm, r, false))
		goto failed;
	if (done < num_pages) {
		atomic64_inc(&dm->stats.inflate_partial);
		pr_info("ballooned %lu of %u requested pages: %s\n", done,
			num_pages, why ?: "unknown");
	}
	return;
failed:
	atomic64_inc(&dm->stats.inflate_failed);
	pr_err("balloon request for %u pages failed; the host holds %lu of them\n",
	       num_pages, sent);
}

/*
 * Give back what the host names. A range that is not wholly ours is still
 * answered, because the host waits for the last response, but only our
 * pages in it are freed.
 */
void hv_dm_balloon_down(struct hv_dm *dm, const struct dm_host_msg *m)
{
	struct dm_unballoon_response resp;
	u32 i;

	atomic64_inc(&dm->stats.deflate_ops);
	for (i = 0; i < m->unballoon.count; i++) {
		u64 r = dm_unballoon_range(m, i);
		u64 start = dm_range_start(r);
		u64 count = dm_range_count(r);
		u64 strangers = hv_dm_release_range(dm, start, count);

		if (strangers) {
			atomic64_inc(&dm->stats.deflate_bad_ranges);
			pr_warn_ratelimited("unballoon range %#llx+%llu: %llu pages are not ballooned\n",
					    start, count, strangers);
		}
	}
	complete(&dm->status_kick);

	if (m->unballoon.more)
		return;
	memset(&resp, 0, sizeof(resp));
	dm_init_header(&resp.hdr, DM_UNBALLOON_RESPONSE, sizeof(resp),
		       hv_dm_next_trans(dm));
	if (hv_dm_send(dm, &resp, sizeof(resp)))
		pr_err("unballoon response not sent\n");
}

/* On unload every ballooned page goes back to the guest. */
void hv_dm_return_all(struct hv_dm *dm)
{
	unsigned long flags, n = 0, nr;

	spin_lock_irqsave(&dm->balloon_lock, flags);
	while (!list_empty(&dm->ballooned)) {
		struct page *pg = list_first_entry(&dm->ballooned, struct page,
						   lru);

		if (hv_dm_is_block(pg)) {
			nr = HV_DM_BLOCK_PAGES;
			hv_dm_release_block_locked(dm, pg);
		} else {
			nr = 1;
			hv_dm_release_locked(dm, pg);
		}
		adjust_managed_page_count(pg, nr);
		n += nr;
		if (!(n & 511) || nr > 1) {
			spin_unlock_irqrestore(&dm->balloon_lock, flags);
			cond_resched();
			spin_lock_irqsave(&dm->balloon_lock, flags);
		}
	}
	spin_unlock_irqrestore(&dm->balloon_lock, flags);
	if (n)
		pr_info("returned %lu ballooned pages to the guest\n", n);
}
