// SPDX-License-Identifier: GPL-2.0
/*
 * Hot-add: the host offers memory as a region (added to the kernel in whole
 * memory blocks) and a range of it that it actually backs. Pages of an added
 * block that the host does not back yet are held offline; they come online
 * when a later request backs them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/page-flags.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "hv_balloon.h"

/* The online-page callback has no context argument. */
static struct hv_dm *hv_dm_ha;
static bool hv_ha_hooked;

bool hv_dm_hot_add_possible(void)
{
	/*
	 * Hyper-V gives no NUMA node with a hot-add request, and only x86
	 * maps an address to its node; elsewhere the memory would land on
	 * the wrong node. The protocol also counts in 4 KiB pages.
	 */
	return IS_ENABLED(CONFIG_MEMORY_HOTPLUG) && IS_ENABLED(CONFIG_X86) &&
	       PAGE_SIZE == 4096;
}

/* Online the pages [@pg, @pg + @nr) if @backed, else hold them back. */
static void hv_ha_online_run(struct hv_dm *dm, struct page *pg,
			     unsigned long nr, bool backed)
{
	for (; nr; nr--, pg++) {
		if (!backed) {
			if (!PageOffline(pg))
				__SetPageOffline(pg);
			continue;
		}
		/*
		 * Kernels differ in whether new memmap starts PageOffline();
		 * clearing it first suits both, as the generic path tolerates
		 * a clear page.
		 */
		if (PageOffline(pg))
			__ClearPageOffline(pg);
		generic_online_page(pg, 0);
		dm->pages_onlined++;
	}
}

/*
 * Online what the host backs of the pages [@pg, @pg + @nr) of @rg and hold
 * back the rest, a run at a time: the work under the lock is the pages and
 * the spans, not the two multiplied.
 */
static void hv_ha_online_part(struct hv_dm *dm, struct dm_ha_region *rg,
			      struct page *pg, unsigned long nr)
{
	u64 first = page_to_pfn(pg), pos = first, done = first, s, e;

	while (dm_ha_next_backed(rg, &pos, first + nr, &s, &e)) {
		hv_ha_online_run(dm, pg + (done - first), s - done, false);
		hv_ha_online_run(dm, pg + (s - first), e - s, true);
		done = e;
	}
	hv_ha_online_run(dm, pg + (done - first), first + nr - done, false);
}

static void hv_ha_online_page(struct page *pg, unsigned int order)
{
	struct hv_dm *dm = hv_dm_ha;
	unsigned long pfn = page_to_pfn(pg), nr = 1UL << order, flags, i;
	struct dm_ha_region *rg;

	spin_lock_irqsave(&dm->ha_lock, flags);
	rg = dm_ha_find(&dm->regions, pfn);
	if (rg && pfn + nr > rg->end)
		rg = NULL;
	if (rg && dm_ha_backed_in(rg, pfn, pfn + nr) == nr) {
		/*
		 * All backed: free the block whole. Freed page by page, it
		 * is merged up through the buddy orders once per page.
		 */
		for (i = 0; i < nr; i++)
			if (PageOffline(pg + i))
				__ClearPageOffline(pg + i);
		generic_online_page(pg, order);
		dm->pages_onlined += nr;
	} else if (rg) {
		hv_ha_online_part(dm, rg, pg, nr);
	} else {
		/* Not ours (e.g. memory plugged by someone else). */
		generic_online_page(pg, order);
	}
	spin_unlock_irqrestore(&dm->ha_lock, flags);
}

/* Backed pages leaving with an offlined block are no longer onlined ones. */
static int hv_ha_memory_event(struct notifier_block *nb, unsigned long action,
			      void *arg)
{
	struct memory_notify *mn = arg;
	struct hv_dm *dm = hv_dm_ha;
	unsigned long gone, flags;

	switch (action) {
	case MEM_ONLINE:
	case MEM_CANCEL_ONLINE:
		complete(&dm->ol_event);
		break;
	case MEM_OFFLINE:
		spin_lock_irqsave(&dm->ha_lock, flags);
		gone = dm_ha_backed_total(&dm->regions, mn->start_pfn,
					  mn->start_pfn + mn->nr_pages);
		dm->pages_onlined -= min(gone, dm->pages_onlined);
		spin_unlock_irqrestore(&dm->ha_lock, flags);
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block hv_ha_nb = {
	.notifier_call = hv_ha_memory_event,
};

/*
 * Bring online the newly backed pages of blocks that are already online:
 * they were held back when their block came up.
 */
static void hv_ha_online_held(struct hv_dm *dm, struct dm_ha_region *rg,
			      unsigned long start, unsigned long end)
{
	unsigned long pfn, flags;

	for (pfn = start; pfn < end; pfn++) {
		struct page *pg;

		if (!online_section_nr(pfn_to_section_nr(pfn)))
			continue;
		pg = pfn_to_page(pfn);
		spin_lock_irqsave(&dm->ha_lock, flags);
		if (PageOffline(pg) && !hv_dm_marked(pg))
			hv_ha_online_part(dm, rg, pg, 1);
		spin_unlock_irqrestore(&dm->ha_lock, flags);
		if (!(pfn & 511))
			cond_resched();
	}
}

/* Add whole blocks of @rg until [.., end) is covered; false on failure. */
static bool hv_ha_add_blocks(struct hv_dm *dm, struct dm_ha_region *rg,
			     unsigned long end)
{
	unsigned long chunk = dm->ha_chunk_pages, flags;
	int nid, ret;

	while (rg->added_end < end && rg->added_end < rg->end) {
		u64 base = PFN_PHYS(rg->added_end);

		reinit_completion(&dm->ol_event);
		nid = memory_add_physaddr_to_nid(base);
		ret = add_memory(nid, base, PFN_PHYS(chunk), MHP_MERGE_RESOURCE);
		if (ret) {
			pr_err_ratelimited("adding memory at %#llx failed: %d\n",
					   base, ret);
			/* The guest's address map rules it out for good. */
			if (ret == -EEXIST)
				dm->hot_add_ok = false;
			return false;
		}
		spin_lock_irqsave(&dm->ha_lock, flags);
		rg->added_end += chunk;
		spin_unlock_irqrestore(&dm->ha_lock, flags);
		/*
		 * With auto-online the block is up already; otherwise give
		 * user space a moment, so we do not add faster than it
		 * onlines. Pages online later just as well.
		 */
		wait_for_completion_timeout(&dm->ol_event, 5 * HZ);
		hv_dm_post_status(dm, false);
	}
	return true;
}

/* Make the region dm_ha_plan() asked for, or grow the one it found. */
static struct dm_ha_region *hv_ha_region_for(struct hv_dm *dm,
					     const struct dm_ha_plan *p)
{
	struct dm_ha_region *rg = p->rg;
	unsigned long flags;

	if (rg) {
		spin_lock_irqsave(&dm->ha_lock, flags);
		rg->end = p->end;
		spin_unlock_irqrestore(&dm->ha_lock, flags);
		return rg;
	}
	rg = kzalloc(sizeof(*rg), GFP_KERNEL);
	if (!rg)
		return NULL;
	rg->start = p->start;
	rg->end = p->end;
	rg->added_end = p->start;
	INIT_LIST_HEAD(&rg->backed);
	spin_lock_irqsave(&dm->ha_lock, flags);
	list_add_tail(&rg->list, &dm->regions);
	spin_unlock_irqrestore(&dm->ha_lock, flags);
	return rg;
}

static bool hv_ha_ballooned(void *ctx, u64 pfn)
{
	return hv_dm_is_ballooned(pfn);
}

/*
 * The host names pages it backs already. That makes sense only for pages
 * we ballooned out of added memory: it gives them back, and they return to
 * the guest as an unballoon would. Anything else is a confused host and
 * the whole request is refused. Returns the pages given back, or -1.
 *
 * Regions and spans change only on the work queue, which runs this too,
 * so reading them needs no lock here.
 */
static long hv_ha_reclaim(struct hv_dm *dm, struct dm_ha_region *rg,
			  unsigned long start, unsigned long end)
{
	u64 pos = start, s, e;
	long back = 0;

	if (!dm_ha_backed_in(rg, start, end))
		return 0;
	if (!dm_ha_backed_all(rg, start, end, hv_ha_ballooned, NULL))
		return -1;
	while (dm_ha_next_backed(rg, &pos, end, &s, &e))
		back += (e - s) - hv_dm_release_range(dm, s, e - s);
	return back;
}

/*
 * Returns how many pages of the request the guest now has; *@reclaimed
 * says how many of them came back from the balloon.
 */
static unsigned long hv_ha_process(struct hv_dm *dm,
				   const struct dm_host_msg *m,
				   unsigned long *reclaimed)
{
	unsigned long start = m->hot_add.start;
	unsigned long end = start + m->hot_add.count;
	unsigned long before, after, flags;
	struct dm_ha_region *rg;
	struct dm_ha_span *fresh, *sp, *tmp;
	struct dm_ha_plan plan;
	LIST_HEAD(spare);
	long back;

	dm_ha_plan(&dm->regions, dm->ha_chunk_pages, start, m->hot_add.count,
		   m->hot_add.rg_start, m->hot_add.rg_count, &plan);
	if (plan.verdict != DM_HA_EXISTING && plan.verdict != DM_HA_NEW) {
		pr_warn_ratelimited("hot-add of %#lx+%llu refused: %s\n",
				    start, m->hot_add.count,
				    dm_ha_verdict_name(plan.verdict));
		return 0;
	}
	back = plan.rg ? hv_ha_reclaim(dm, plan.rg, start, end) : 0;
	if (back < 0) {
		pr_warn_ratelimited("hot-add of %#lx+%llu refused: already backed and in use\n",
				    start, m->hot_add.count);
		return 0;
	}
	*reclaimed = back;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	rg = fresh ? hv_ha_region_for(dm, &plan) : NULL;
	if (!rg) {
		kfree(fresh);
		/* What came back from the balloon stays the guest's. */
		return back;
	}
	spin_lock_irqsave(&dm->ha_lock, flags);
	if (!dm_ha_back(rg, start, end, fresh, &spare))
		list_add(&fresh->list, &spare);
	spin_unlock_irqrestore(&dm->ha_lock, flags);
	list_for_each_entry_safe(sp, tmp, &spare, list)
		kfree(sp);

	before = rg->added_end;
	hv_ha_online_held(dm, rg, start, min(end, before));
	hv_ha_add_blocks(dm, rg, end);
	after = min(end, rg->added_end);

	/* Report what now lies in added memory: the rest was not added. */
	return after > start ? after - start : 0;
}

void hv_dm_hot_add(struct hv_dm *dm, const struct dm_host_msg *m)
{
	struct dm_hot_add_response resp;
	unsigned long added = 0, reclaimed = 0, flags;

	memset(&resp, 0, sizeof(resp));
	atomic64_inc(&dm->stats.hot_add_ops);
	if (dm->hot_add_ok)
		added = hv_ha_process(dm, m, &reclaimed);

	/* Pages back from the balloon were added and onlined before. */
	spin_lock_irqsave(&dm->ha_lock, flags);
	dm->pages_added += added - min(added, reclaimed);
	spin_unlock_irqrestore(&dm->ha_lock, flags);

	/*
	 * Success with no pages tells the host to stop offering; failure
	 * means try again later. Only a guest that cannot hot-add at all
	 * says the former.
	 */
	resp.page_count = added;
	resp.result = added || !dm->hot_add_ok;
	if (!added) {
		atomic64_inc(&dm->stats.hot_add_failed);
		pr_err_ratelimited("hot-add of %llu pages at %#llx failed\n",
				   m->hot_add.count, m->hot_add.start);
	} else {
		pr_info_ratelimited("hot-added %lu pages at %#llx\n", added,
				    m->hot_add.start);
	}
	dm_init_header(&resp.hdr, DM_MEM_HOT_ADD_RESPONSE, sizeof(resp),
		       hv_dm_next_trans(dm));
	if (hv_dm_send(dm, &resp, sizeof(resp)))
		pr_err_ratelimited("hot-add response not sent\n");
}

int hv_dm_hot_add_init(struct hv_dm *dm)
{
	int ret;

	dm->ha_chunk_pages = memory_block_size_bytes() >> PAGE_SHIFT;
	dm->hot_add_ok = hv_dm_hot_add_param && hv_dm_hot_add_possible();
	init_completion(&dm->ol_event);
	hv_dm_ha = dm;
	if (!hv_dm_hot_add_possible())
		return 0;
	ret = set_online_page_callback(hv_ha_online_page);
	if (ret) {
		/* Another driver (virtio-mem?) owns onlining: no hot-add. */
		pr_warn("online page callback taken (%d): hot-add disabled\n",
			ret);
		dm->hot_add_ok = false;
		return 0;
	}
	ret = register_memory_notifier(&hv_ha_nb);
	if (ret) {
		restore_online_page_callback(hv_ha_online_page);
		return ret;
	}
	hv_ha_hooked = true;
	return 0;
}

/*
 * Added memory stays: the kernel cannot give back blocks in use. Pages held
 * offline stay offline, since nothing backs them.
 */
void hv_dm_hot_add_exit(struct hv_dm *dm)
{
	struct dm_ha_region *rg, *rtmp;
	struct dm_ha_span *s, *stmp;
	unsigned long flags;

	if (hv_ha_hooked) {
		unregister_memory_notifier(&hv_ha_nb);
		restore_online_page_callback(hv_ha_online_page);
		hv_ha_hooked = false;
	}
	spin_lock_irqsave(&dm->ha_lock, flags);
	list_for_each_entry_safe(rg, rtmp, &dm->regions, list) {
		list_for_each_entry_safe(s, stmp, &rg->backed, list)
			kfree(s);
		list_del(&rg->list);
		kfree(rg);
	}
	spin_unlock_irqrestore(&dm->ha_lock, flags);
	hv_dm_ha = NULL;
}
