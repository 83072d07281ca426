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

struct hv_ha_span {
	struct list_head list;
	unsigned long start, end;
};

struct hv_ha_region {
	struct list_head list;
	unsigned long start, end;	/* the region, in whole blocks */
	unsigned long added_end;	/* add_memory() done up to here */
	struct list_head backed;	/* hv_ha_span: what the host backs */
};

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

static bool hv_ha_backed(struct hv_ha_region *rg, unsigned long pfn)
{
	struct hv_ha_span *s;

	list_for_each_entry(s, &rg->backed, list)
		if (pfn >= s->start && pfn < s->end)
			return true;
	return false;
}

static struct hv_ha_region *hv_ha_find(struct hv_dm *dm, unsigned long pfn)
{
	struct hv_ha_region *rg;

	list_for_each_entry(rg, &dm->regions, list)
		if (pfn >= rg->start && pfn < rg->end)
			return rg;
	return NULL;
}

static bool hv_ha_overlaps(struct hv_dm *dm, struct hv_ha_region *self,
			   unsigned long start, unsigned long end)
{
	struct hv_ha_region *rg;

	list_for_each_entry(rg, &dm->regions, list)
		if (rg != self && start < rg->end && rg->start < end)
			return true;
	return false;
}

/* Online one page of a region, or hold it back if the host does not back it. */
static void hv_ha_online_one(struct hv_dm *dm, struct hv_ha_region *rg,
			     struct page *pg)
{
	if (!hv_ha_backed(rg, page_to_pfn(pg))) {
		if (!PageOffline(pg))
			__SetPageOffline(pg);
		return;
	}
	/*
	 * Kernels differ in whether new memmap starts PageOffline(); clearing
	 * it first suits both, as the generic path tolerates a clear page.
	 */
	if (PageOffline(pg))
		__ClearPageOffline(pg);
	generic_online_page(pg, 0);
	dm->pages_onlined++;
}

static void hv_ha_online_page(struct page *pg, unsigned int order)
{
	struct hv_dm *dm = hv_dm_ha;
	unsigned long pfn = page_to_pfn(pg), flags, i;
	struct hv_ha_region *rg;

	spin_lock_irqsave(&dm->ha_lock, flags);
	rg = hv_ha_find(dm, pfn);
	if (rg && pfn + (1UL << order) <= rg->end) {
		for (i = 0; i < (1UL << order); i++)
			hv_ha_online_one(dm, rg, pg + i);
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
	unsigned long pfn, gone = 0, flags;
	struct hv_ha_region *rg;

	switch (action) {
	case MEM_ONLINE:
	case MEM_CANCEL_ONLINE:
		complete(&dm->ol_event);
		break;
	case MEM_OFFLINE:
		spin_lock_irqsave(&dm->ha_lock, flags);
		for (pfn = mn->start_pfn; pfn < mn->start_pfn + mn->nr_pages;
		     pfn++) {
			rg = hv_ha_find(dm, pfn);
			if (rg && hv_ha_backed(rg, pfn))
				gone++;
		}
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
 * Record that the host backs [start, end). Returns false if any of it was
 * already backed: a host repeating itself gets nothing twice.
 */
static bool hv_ha_back(struct hv_dm *dm, struct hv_ha_region *rg,
		       unsigned long start, unsigned long end,
		       struct hv_ha_span *fresh)
{
	struct hv_ha_span *s, *last = NULL;
	unsigned long flags;

	spin_lock_irqsave(&dm->ha_lock, flags);
	list_for_each_entry(s, &rg->backed, list) {
		if (start < s->end && s->start < end) {
			spin_unlock_irqrestore(&dm->ha_lock, flags);
			return false;
		}
		last = s;
	}
	if (last && last->end == start) {
		last->end = end;
		kfree(fresh);
	} else {
		fresh->start = start;
		fresh->end = end;
		list_add_tail(&fresh->list, &rg->backed);
	}
	spin_unlock_irqrestore(&dm->ha_lock, flags);
	return true;
}

/*
 * Bring online the newly backed pages of blocks that are already online:
 * they were held back when their block came up.
 */
static void hv_ha_online_held(struct hv_dm *dm, struct hv_ha_region *rg,
			      unsigned long start, unsigned long end)
{
	unsigned long pfn, flags;

	for (pfn = start; pfn < end; pfn++) {
		struct page *pg;

		if (!online_section_nr(pfn_to_section_nr(pfn)))
			continue;
		pg = pfn_to_page(pfn);
		spin_lock_irqsave(&dm->ha_lock, flags);
		if (PageOffline(pg) && page_private(pg) != HV_DM_PAGE_MARK)
			hv_ha_online_one(dm, rg, pg);
		spin_unlock_irqrestore(&dm->ha_lock, flags);
		if (!(pfn & 511))
			cond_resched();
	}
}

/* Add whole blocks of @rg until [.., end) is covered; false on failure. */
static bool hv_ha_add_blocks(struct hv_dm *dm, struct hv_ha_region *rg,
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
			pr_err("adding memory at %#llx failed: %d\n", base, ret);
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

/*
 * Find or make the region the request falls in. A region the host names
 * must be whole blocks and clear of the others; without one we cover the
 * range with whole blocks ourselves.
 */
static struct hv_ha_region *hv_ha_region_for(struct hv_dm *dm,
					     const struct dm_host_msg *m)
{
	unsigned long chunk = dm->ha_chunk_pages, start, end, flags;
	unsigned long pend = m->hot_add.start + m->hot_add.count;
	struct hv_ha_region *rg;

	rg = hv_ha_find(dm, m->hot_add.start);
	if (rg) {
		end = ALIGN(pend, chunk);
		if (end > rg->end) {
			if (m->hot_add.rg_count ||
			    hv_ha_overlaps(dm, rg, rg->start, end))
				return NULL;
			spin_lock_irqsave(&dm->ha_lock, flags);
			rg->end = end;
			spin_unlock_irqrestore(&dm->ha_lock, flags);
		}
		return rg;
	}

	if (m->hot_add.rg_count) {
		start = m->hot_add.rg_start;
		end = start + m->hot_add.rg_count;
		if (!IS_ALIGNED(start, chunk) || !IS_ALIGNED(end, chunk))
			return NULL;
	} else {
		start = ALIGN_DOWN(m->hot_add.start, chunk);
		end = ALIGN(pend, chunk);
	}
	if (hv_ha_overlaps(dm, NULL, start, end))
		return NULL;

	rg = kzalloc(sizeof(*rg), GFP_KERNEL);
	if (!rg)
		return NULL;
	rg->start = start;
	rg->end = end;
	rg->added_end = start;
	INIT_LIST_HEAD(&rg->backed);
	spin_lock_irqsave(&dm->ha_lock, flags);
	list_add_tail(&rg->list, &dm->regions);
	spin_unlock_irqrestore(&dm->ha_lock, flags);
	return rg;
}

static unsigned long hv_ha_process(struct hv_dm *dm,
				   const struct dm_host_msg *m)
{
	unsigned long start = m->hot_add.start;
	unsigned long end = start + m->hot_add.count;
	unsigned long before, after;
	struct hv_ha_region *rg;
	struct hv_ha_span *fresh;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		return 0;
	rg = hv_ha_region_for(dm, m);
	if (!rg) {
		kfree(fresh);
		pr_warn_ratelimited("hot-add of %#lx+%llu refused: bad or overlapping region\n",
				    start, m->hot_add.count);
		return 0;
	}
	if (!hv_ha_back(dm, rg, start, end, fresh)) {
		kfree(fresh);
		pr_warn_ratelimited("hot-add of %#lx+%llu refused: already backed\n",
				    start, m->hot_add.count);
		return 0;
	}

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
	unsigned long added = 0, flags;

	memset(&resp, 0, sizeof(resp));
	atomic64_inc(&dm->stats.hot_add_ops);
	if (dm->hot_add_ok)
		added = hv_ha_process(dm, m);

	spin_lock_irqsave(&dm->ha_lock, flags);
	dm->pages_added += added;
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
		pr_info("hot-added %lu pages at %#llx\n", added,
			m->hot_add.start);
	}
	dm_init_header(&resp.hdr, DM_MEM_HOT_ADD_RESPONSE, sizeof(resp),
		       hv_dm_next_trans(dm));
	if (hv_dm_send(dm, &resp, sizeof(resp)))
		pr_err("hot-add response not sent\n");
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
	struct hv_ha_region *rg, *rtmp;
	struct hv_ha_span *s, *stmp;
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
