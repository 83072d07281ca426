/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hot-add bookkeeping: the regions the host added memory in and the spans
 * of them it backs. balloon/dm_track.c decides where a host request goes
 * and what it may claim; balloon/hot_add.c does the locking, allocation and
 * the kernel's memory calls. Frames are guest page frames.
 *
 * Plain lists and arithmetic, so the file builds both in the kernel and in
 * the user-space unit tests.
 */
#ifndef OPENLIS_DM_TRACK_H
#define OPENLIS_DM_TRACK_H

#ifdef __KERNEL__
#include <linux/list.h>
#include <linux/types.h>
#endif

struct dm_ha_span {
	struct list_head list;
	u64 start, end;
};

struct dm_ha_region {
	struct list_head list;
	u64 start, end;		/* the region, in whole blocks */
	u64 added_end;		/* memory added to the kernel up to here */
	struct list_head backed;	/* dm_ha_span: what the host backs */
	unsigned int nr_spans;	/* on backed; dm_ha_back() keeps it */
};

/*
 * The spans one region may have. They are searched with the hot-add lock
 * held and interrupts off, so a host must not make them without bound: a
 * request that would need one more is refused (DM_HA_TOO_MANY_SPANS).
 * Hosts back a region in a few contiguous runs; this is far more.
 */
#define DM_HA_MAX_SPANS		64

struct dm_ha_region *dm_ha_find(struct list_head *regions, u64 pfn);
bool dm_ha_overlaps(struct list_head *regions,
		    const struct dm_ha_region *self, u64 start, u64 end);
bool dm_ha_backed(const struct dm_ha_region *rg, u64 pfn);

/* Frames of [@start, @end) that @rg's host already backs. */
u64 dm_ha_backed_in(const struct dm_ha_region *rg, u64 start, u64 end);

/* The same over every region: work bounded by regions and spans, not frames. */
u64 dm_ha_backed_total(struct list_head *regions, u64 start, u64 end);

/*
 * The first backed run at or after *@pos and before @end, as [*@s, *@e);
 * *@pos moves past it. False when there is none.
 */
bool dm_ha_next_backed(const struct dm_ha_region *rg, u64 *pos, u64 end,
		       u64 *s, u64 *e);

/* Whether @ok holds for every backed frame of [@start, @end). */
bool dm_ha_backed_all(const struct dm_ha_region *rg, u64 start, u64 end,
		      bool (*ok)(void *ctx, u64 pfn), void *ctx);

/*
 * Record [@start, @end) as backed, merging it with every span it overlaps
 * or touches. @fresh is used when no span is; spans merged away move to
 * @spare for the caller to free. Returns whether @fresh was used.
 */
bool dm_ha_back(struct dm_ha_region *rg, u64 start, u64 end,
		struct dm_ha_span *fresh, struct list_head *spare);

enum dm_ha_verdict {
	DM_HA_EXISTING,		/* in a region we have; maybe grows it */
	DM_HA_NEW,		/* a new region */
	DM_HA_UNALIGNED,	/* the host's region is not whole blocks */
	DM_HA_OVERLAP,		/* would overlap another region */
	DM_HA_PAST_REGION,	/* runs past the region the host named */
	DM_HA_TOO_BIG,		/* past the frames the protocol can name */
	DM_HA_TOO_MANY_SPANS,	/* its region has DM_HA_MAX_SPANS already */
};

/* Where a checked hot-add request goes; nothing is changed. */
struct dm_ha_plan {
	enum dm_ha_verdict verdict;
	struct dm_ha_region *rg;	/* DM_HA_EXISTING */
	u64 start, end;			/* the region's bounds after it */
};

/*
 * @start, @count: the pages the host backs; @rg_start, @rg_count: the
 * region it names, or a zero count for none; @chunk: the memory block
 * size in frames, a power of two.
 */
void dm_ha_plan(struct list_head *regions, u64 chunk, u64 start, u64 count,
		u64 rg_start, u64 rg_count, struct dm_ha_plan *p);
const char *dm_ha_verdict_name(enum dm_ha_verdict v);

#endif
