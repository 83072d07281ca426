// SPDX-License-Identifier: GPL-2.0
/*
 * The pages the balloon holds: how a page is marked as held, the floor an
 * inflate may not go below, and giving back what the host names (deflate)
 * or everything at once (unload). inflate.c takes them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/sched.h>
#include "hv_balloon.h"

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
void hv_dm_hold(struct hv_dm *dm, struct page *pg, unsigned int order)
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
		pr_err_ratelimited("unballoon response not sent\n");
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
