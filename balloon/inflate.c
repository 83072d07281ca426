// SPDX-License-Identifier: GPL-2.0
/*
 * Balloon up: take the pages the host asks for and tell it which they are.
 *
 * Most of an inflate's time is the page allocator's, not ours: with
 * init_on_alloc (on in Debian's kernels, among others) every page is
 * cleared as it is allocated, and a page the host had taken away before
 * must be backed again by the host on that first write. A large request is
 * therefore filled by several threads at once, which the scheduler spreads
 * over the CPUs, each with its own response buffer; the request's budget is
 * shared, so that together they take no more than asked and never go below
 * the floor.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/sched.h>
#include "hv_balloon.h"

/* A full ring clears in milliseconds; five seconds means the host is gone. */
#define HV_DM_SEND_TRIES	250

/*
 * Send what a thread holds every 32 MiB: the host releases one response's
 * memory while we allocate for the next, instead of all of it at the end.
 */
#define HV_DM_RESP_FLUSH_PAGES	(SZ_32M >> PAGE_SHIFT)

/* How often a long request looks at the floor again: every 8 MiB. */
#define HV_DM_RECHECK_PAGES	(SZ_8M >> PAGE_SHIFT)

/*
 * Requests smaller than 64 MiB (the host's trims as pressure changes) stay
 * on one thread: the helpers are for the large inflates, where clearing
 * the pages is nearly all of the time.
 */
#define HV_DM_PARALLEL_MIN	(SZ_64M >> PAGE_SHIFT)

static unsigned int hv_dm_inflate_threads;
module_param_named(inflate_threads, hv_dm_inflate_threads, uint, 0644);
MODULE_PARM_DESC(inflate_threads,
		 "Threads that fill a large balloon request (0: one per online CPU, at most "
		 __stringify(HV_DM_MAX_FILLERS) "; 1: the request's own only)");

/* One balloon request, as the threads filling it share it. */
struct hv_dm_inflate {
	struct hv_dm *dm;
	spinlock_t lock;	/* all below */
	unsigned long want;	/* pages to take in all; lowered on a stop */
	unsigned long claimed;	/* handed out to threads */
	unsigned long done;	/* taken, held and put in a response */
	unsigned long sent;	/* in responses the host has */
	unsigned long since_check;
	const char *why;	/* why fewer than asked, if so */
	bool failed;		/* a response was lost */
};

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

	pr_err_ratelimited("balloon response not sent (%d); returning its pages\n",
			   ret);
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
 * load and the memory the balloon already holds move while a request runs;
 * pages claimed by a thread but not yet allocated are still free, so they
 * do not count as available.
 */
static unsigned long hv_dm_allowance(struct hv_dm *dm, unsigned long pending,
				     unsigned long left)
{
	unsigned long avail = si_mem_available();

	avail = avail > pending ? avail - pending : 0;
	return dm_balloon_allowance(avail, hv_dm_floor(dm), left);
}

/* No more claims: what is claimed now is what the request gets. */
static void hv_dm_stop_locked(struct hv_dm_inflate *req, const char *why)
{
	req->want = req->claimed;
	if (!req->why)
		req->why = why;
}

/* Up to @max more pages for one thread to take; 0: the request is full. */
static unsigned long hv_dm_claim(struct hv_dm_inflate *req, unsigned long max)
{
	unsigned long n;

	spin_lock(&req->lock);
	if (req->since_check >= HV_DM_RECHECK_PAGES &&
	    req->claimed < req->want) {
		unsigned long left = req->want - req->claimed;
		unsigned long more = hv_dm_allowance(req->dm,
						     req->claimed - req->done,
						     left);

		req->since_check = 0;
		if (more < left) {
			req->want = req->claimed + more;
			req->why = "the floor is reached";
		}
	}
	n = min(max, req->want - req->claimed);
	req->claimed += n;
	req->since_check += n;
	spin_unlock(&req->lock);
	return n;
}

/* Pages a thread claimed and will not take: stop there. */
static void hv_dm_unclaim(struct hv_dm_inflate *req, unsigned long n,
			  const char *why)
{
	spin_lock(&req->lock);
	req->claimed -= n;
	hv_dm_stop_locked(req, why);
	spin_unlock(&req->lock);
}

/*
 * One thread's share of a request: claim up to a block at a time, allocate
 * it, hold it, and send responses marked "more" as they fill. What is left
 * in @r at the end is the caller's to send. Returns false when a response
 * was lost; the request then stops.
 */
static bool hv_dm_fill(struct hv_dm_inflate *req, struct dm_balloon_response *r)
{
	struct hv_dm *dm = req->dm;
	unsigned int order = HV_DM_BIG_ORDER;
	unsigned long claim, in_resp = 0, sent = 0, done = 0;
	bool ok = true;

	dm_balloon_resp_init(r);
	while ((claim = hv_dm_claim(req, HV_DM_BLOCK_PAGES))) {
		while (claim) {
			unsigned int o = claim < (1UL << order) ? 0 : order;
			unsigned long nr;
			struct page *pg;

			if (in_resp >= HV_DM_RESP_FLUSH_PAGES ||
			    dm_balloon_resp_ranges(r) >=
			    DM_BALLOON_RESP_MAX_RANGES) {
				ok = hv_dm_send_balloon_resp(dm, r, true);
				if (!ok) {
					hv_dm_unclaim(req, claim, NULL);
					goto out;
				}
				sent += in_resp;
				dm_balloon_resp_init(r);
				in_resp = 0;
			}
			pg = alloc_pages(GFP_HIGHUSER | __GFP_NORETRY |
					 __GFP_NOMEMALLOC | __GFP_NOWARN, o);
			if (!pg && o) {
				/* Fragmented: fall back to single pages for good. */
				order = 0;
				continue;
			}
			if (!pg) {
				hv_dm_unclaim(req, claim, "allocation failed");
				goto out;
			}
			nr = 1UL << o;
			hv_dm_hold(dm, pg, o);
			/* A range at or past the 40-bit frame limit fails here. */
			if (!dm_balloon_resp_add(r, page_to_pfn(pg), nr)) {
				hv_dm_release_range(dm, page_to_pfn(pg), nr);
				hv_dm_unclaim(req, claim,
					      "a page beyond the protocol's frame limit");
				goto out;
			}
			claim -= nr;
			done += nr;
			in_resp += nr;
			cond_resched();
		}
	}
out:
	/* What we tell the host is what the ranges hold, nothing else. */
	WARN_ON_ONCE(sent + hv_dm_resp_pages(r) != done);
	spin_lock(&req->lock);
	req->done += done;
	req->sent += sent;
	if (!ok) {
		req->failed = true;
		req->done -= in_resp;
	}
	spin_unlock(&req->lock);
	if (!ok)
		dm_balloon_resp_init(r);
	return ok;
}

/* A helper thread's share, sent whole before the request's last answer. */
struct hv_dm_filler {
	struct work_struct work;
	struct hv_dm_inflate *req;
	struct dm_balloon_response *r;
};

/*
 * Send what @r still holds and count it: sent, or given back and the
 * request stopped.
 */
static bool hv_dm_send_rest(struct hv_dm_inflate *req,
			    struct dm_balloon_response *r, bool more)
{
	u64 left = hv_dm_resp_pages(r);
	bool ok = hv_dm_send_balloon_resp(req->dm, r, more);

	spin_lock(&req->lock);
	if (ok) {
		req->sent += left;
	} else {
		req->failed = true;
		req->done -= left;
		hv_dm_stop_locked(req, NULL);
	}
	spin_unlock(&req->lock);
	return ok;
}

static void hv_dm_filler_run(struct work_struct *work)
{
	struct hv_dm_filler *f = container_of(work, struct hv_dm_filler, work);

	if (hv_dm_fill(f->req, f->r) && hv_dm_resp_pages(f->r))
		hv_dm_send_rest(f->req, f->r, true);
}

/* How many threads, this one included, fill a request of @pages. */
static unsigned int hv_dm_nr_fillers(unsigned long pages)
{
	unsigned int n = READ_ONCE(hv_dm_inflate_threads);

	if (pages < HV_DM_PARALLEL_MIN)
		return 1;
	if (!n)
		n = HV_DM_MAX_FILLERS;
	return clamp(n, 1U, min_t(unsigned int, num_online_cpus(),
				  HV_DM_MAX_FILLERS));
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
	struct hv_dm_filler fillers[HV_DM_MAX_FILLERS - 1];
	struct hv_dm_inflate req = { .dm = dm };
	unsigned int i, helpers;
	bool ok;

	atomic64_inc(&dm->stats.inflate_ops);
	spin_lock_init(&req.lock);
	req.want = hv_dm_allowance(dm, 0, num_pages);
	if (req.want < num_pages)
		req.why = si_mem_available() < num_pages ?
			  "not enough memory" : "the floor is reached";

	helpers = hv_dm_nr_fillers(req.want) - 1;
	if (helpers)
		atomic64_inc(&dm->stats.inflate_parallel);
	for (i = 0; i < helpers; i++) {
		fillers[i].req = &req;
		fillers[i].r = (void *)dm->fill_buf[i];
		INIT_WORK_ONSTACK(&fillers[i].work, hv_dm_filler_run);
		queue_work(dm->fill_wq, &fillers[i].work);
	}
	ok = hv_dm_fill(&req, r);
	for (i = 0; i < helpers; i++) {
		flush_work(&fillers[i].work);
		destroy_work_on_stack(&fillers[i].work);
	}

	/*
	 * The last answer goes out after every helper's, and only then. The
	 * host waits for it even after a lost response, so it goes out then
	 * too, with what this thread still holds (nothing, if the lost one was
	 * its own).
	 */
	hv_dm_send_rest(&req, r, false);
	if (!ok || req.failed)
		goto failed;
	WARN_ON_ONCE(req.sent != req.done);
	if (req.done < num_pages) {
		atomic64_inc(&dm->stats.inflate_partial);
		pr_info_ratelimited("ballooned %lu of %u requested pages: %s\n",
				    req.done, num_pages,
				    req.why ?: "unknown");
	}
	return;
failed:
	atomic64_inc(&dm->stats.inflate_failed);
	pr_err_ratelimited("balloon request for %u pages failed; the host holds %lu of them\n",
			   num_pages, req.sent);
}
