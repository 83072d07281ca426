/* SPDX-License-Identifier: GPL-2.0 */
/* State shared by the files of the Hyper-V Dynamic Memory driver. */
#ifndef OPENLIS_HV_BALLOON_H
#define OPENLIS_HV_BALLOON_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/hyperv.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/page_reporting.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <openlis/dm_proto.h>
#include <openlis/dm_track.h>
#include <openlis/ol_xact.h>

/* Threads that may fill one balloon request, its own included. */
#define HV_DM_MAX_FILLERS	4

enum hv_dm_state {
	HV_DM_INITIALIZING,
	HV_DM_IDLE,
	HV_DM_BALLOON_UP,
	HV_DM_BALLOON_DOWN,
	HV_DM_HOT_ADD,
	HV_DM_ERROR,
};

/* Counters shown in debugfs; all only grow. */
struct hv_dm_stats {
	atomic64_t inflate_ops, inflate_failed, inflate_partial;
	atomic64_t inflate_parallel;	/* filled by more than one thread */
	atomic64_t deflate_ops, deflate_bad_ranges;
	atomic64_t hot_add_ops, hot_add_failed;
	atomic64_t refused[DM_NR_VERDICTS];
	atomic64_t refused_state;	/* well formed but unexpected now */
	atomic64_t refused_busy;	/* too many requests queued */
	atomic64_t send_failed;
	/* Free page reporting: hypercalls that went through, their ranges. */
	atomic64_t hint_reports, hint_ranges, hint_failures;
};

struct hv_dm {
	struct hv_device *hdev;
	enum hv_dm_state state;
	atomic_t trans_id;

	/*
	 * Negotiation: the channel callback hands the host's answers, known
	 * by their type, to the probe's waits.
	 */
	struct ol_xact_ctx xact;	/* its own lock, taken innermost */
	u32 version;

	/* Host requests run one at a time, in order, on this queue. */
	struct workqueue_struct *wq;
	spinlock_t job_lock;	/* closing, queued, queued_unballoon */
	bool closing;		/* no more jobs: the channel is going away */
	unsigned int queued;
	u64 queued_unballoon;	/* pages named by queued unballoon requests */
	bool balloon_ok;	/* act on balloon requests */

	/* Pages we have given to the host, linked through page->lru. */
	spinlock_t balloon_lock;	/* ballooned, nr_ballooned, page marks */
	struct list_head ballooned;
	unsigned long nr_ballooned;

	/* Hot-added regions (struct dm_ha_region); see hot_add.c. */
	spinlock_t ha_lock;	/* regions, their spans, page counts */
	struct list_head regions;
	unsigned long pages_added, pages_onlined;
	unsigned long ha_chunk_pages;
	bool hot_add_ok;
	struct completion ol_event;

	u64 max_dynamic_page_count;

	/* Status reports. */
	struct mutex status_lock;
	struct task_struct *thread;
	struct completion status_kick;
	unsigned long last_status;
	unsigned int status_delay;

	/* Free page reporting; the hint fields are the report work's own. */
	struct page_reporting_dev_info reporting;
	const char *hint_state;
	bool hint_large_only;	/* the host refused 4 KiB-granular hints */
	bool hint_stopped;	/* it failed too often: hints are off */
	unsigned int hint_fails;	/* in a row */

	struct hv_dm_stats stats;
	struct dentry *debugfs;

	/* Big enough for the largest packet the channel delivers. */
	u8 *recv_buf;
	/* Balloon responses are built here; only the work queue uses it. */
	u8 *send_buf;
	/* Helpers filling a large balloon request, each with its buffer. */
	struct workqueue_struct *fill_wq;
	u8 *fill_buf[HV_DM_MAX_FILLERS - 1];
};

/* A host request, copied out of the ring for the work queue. */
struct hv_dm_job {
	struct work_struct work;
	struct hv_dm *dm;
	struct dm_host_msg msg;
	u64 unballoon_pages;	/* what the ranges below name */
	u64 ranges[];		/* unballoon ranges, copied */
};

/*
 * The page-private marks of the pages we ballooned out: a page on its own,
 * or the first and the other pages of a 2 MiB block we hold unsplit, so
 * that it goes back to the allocator in one piece when the host returns it
 * whole.
 */
#define HV_DM_PAGE_MARK		0x6876646d62616c6cUL
#define HV_DM_BLOCK_MARK	0x6876646d626c6f63UL
#define HV_DM_TAIL_MARK		0x6876646d7461696cUL

static inline bool hv_dm_marked(const struct page *pg)
{
	unsigned long m = page_private(pg);

	return m == HV_DM_PAGE_MARK || m == HV_DM_BLOCK_MARK ||
	       m == HV_DM_TAIL_MARK;
}

extern bool hv_dm_hot_add_param;
extern unsigned int hv_dm_pressure_delay;

u32 hv_dm_next_trans(struct hv_dm *dm);
int hv_dm_send(struct hv_dm *dm, const void *msg, u32 len);

/* 2 MiB: what the host backs with one large page, so what it frees best. */
#define HV_DM_BIG_ORDER		(21 - PAGE_SHIFT)
#define HV_DM_BLOCK_PAGES	BIT(HV_DM_BIG_ORDER)

/* inflate.c */
void hv_dm_balloon_up(struct hv_dm *dm, u32 num_pages);

/* pages.c */
void hv_dm_hold(struct hv_dm *dm, struct page *pg, unsigned int order);
void hv_dm_balloon_down(struct hv_dm *dm, const struct dm_host_msg *m);
void hv_dm_return_all(struct hv_dm *dm);
unsigned long hv_dm_floor(struct hv_dm *dm);
bool hv_dm_is_ballooned(unsigned long pfn);
u64 hv_dm_release_range(struct hv_dm *dm, u64 start, u64 count);

/* hot_add.c */
#ifdef CONFIG_MEMORY_HOTPLUG
int hv_dm_hot_add_init(struct hv_dm *dm);
void hv_dm_hot_add_exit(struct hv_dm *dm);
void hv_dm_hot_add(struct hv_dm *dm, const struct dm_host_msg *m);
bool hv_dm_hot_add_possible(void);
#else
/* Hosts want an alignment even from guests that cannot hot-add. */
static inline int hv_dm_hot_add_init(struct hv_dm *dm)
{
	dm->ha_chunk_pages = SZ_128M >> PAGE_SHIFT;
	dm->hot_add_ok = false;
	return 0;
}

static inline void hv_dm_hot_add_exit(struct hv_dm *dm)
{
}

static inline bool hv_dm_hot_add_possible(void)
{
	return false;
}

/* Success with no pages: the host should stop offering. */
static inline void hv_dm_hot_add(struct hv_dm *dm, const struct dm_host_msg *m)
{
	struct dm_hot_add_response resp = { .result = 1 };

	dm_init_header(&resp.hdr, DM_MEM_HOT_ADD_RESPONSE, sizeof(resp),
		       hv_dm_next_trans(dm));
	hv_dm_send(dm, &resp, sizeof(resp));
}
#endif

/* reporting.c */
void hv_dm_reporting_start(struct hv_dm *dm);
void hv_dm_reporting_stop(struct hv_dm *dm);

/* status.c */
unsigned long hv_dm_committed(struct hv_dm *dm);
void hv_dm_post_status(struct hv_dm *dm, bool force);
int hv_dm_status_start(struct hv_dm *dm);
void hv_dm_status_stop(struct hv_dm *dm);
void hv_dm_debugfs_init(struct hv_dm *dm);
void hv_dm_debugfs_exit(struct hv_dm *dm);

#endif
