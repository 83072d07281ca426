// SPDX-License-Identifier: GPL-2.0
/*
 * Hot-add bookkeeping: regions, their backed spans, and the decisions on
 * host requests. Nothing here touches kernel state or allocates, so the
 * unit tests compile this file as is.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/list.h>
#endif
#include <openlis/dm_proto.h>
#include <openlis/dm_track.h>

struct dm_ha_region *dm_ha_find(struct list_head *regions, u64 pfn)
{
	struct dm_ha_region *rg;

	list_for_each_entry(rg, regions, list)
		if (pfn >= rg->start && pfn < rg->end)
			return rg;
	return NULL;
}

bool dm_ha_overlaps(struct list_head *regions,
		    const struct dm_ha_region *self, u64 start, u64 end)
{
	struct dm_ha_region *rg;

	list_for_each_entry(rg, regions, list)
		if (rg != self && start < rg->end && rg->start < end)
			return true;
	return false;
}

bool dm_ha_backed(const struct dm_ha_region *rg, u64 pfn)
{
	struct dm_ha_span *s;

	list_for_each_entry(s, &rg->backed, list)
		if (pfn >= s->start && pfn < s->end)
			return true;
	return false;
}

u64 dm_ha_backed_in(const struct dm_ha_region *rg, u64 start, u64 end)
{
	u64 pos = start, s, e, n = 0;

	while (dm_ha_next_backed(rg, &pos, end, &s, &e))
		n += e - s;
	return n;
}

u64 dm_ha_backed_total(struct list_head *regions, u64 start, u64 end)
{
	struct dm_ha_region *rg;
	u64 n = 0;

	list_for_each_entry(rg, regions, list)
		if (start < rg->end && rg->start < end)
			n += dm_ha_backed_in(rg,
					     start > rg->start ? start : rg->start,
					     end < rg->end ? end : rg->end);
	return n;
}

/* Spans never overlap, so the one with the lowest start comes first. */
bool dm_ha_next_backed(const struct dm_ha_region *rg, u64 *pos, u64 end,
		       u64 *s, u64 *e)
{
	const struct dm_ha_span *sp, *best = NULL;

	if (*pos >= end)
		return false;
	list_for_each_entry(sp, &rg->backed, list) {
		if (sp->end <= *pos || sp->start >= end)
			continue;
		if (!best || sp->start < best->start)
			best = sp;
	}
	if (!best)
		return false;
	*s = best->start > *pos ? best->start : *pos;
	*e = best->end < end ? best->end : end;
	*pos = *e;
	return true;
}

bool dm_ha_backed_all(const struct dm_ha_region *rg, u64 start, u64 end,
		      bool (*ok)(void *ctx, u64 pfn), void *ctx)
{
	u64 pos = start, s, e, pfn;

	while (dm_ha_next_backed(rg, &pos, end, &s, &e))
		for (pfn = s; pfn < e; pfn++)
			if (!ok(ctx, pfn))
				return false;
	return true;
}

/* Whether @s overlaps or touches [@start, @end): backing it extends @s. */
static bool dm_ha_joins(const struct dm_ha_span *s, u64 start, u64 end)
{
	return s->end >= start && s->start <= end;
}

bool dm_ha_back(struct dm_ha_region *rg, u64 start, u64 end,
		struct dm_ha_span *fresh, struct list_head *spare)
{
	struct dm_ha_span *s, *tmp, *keep = NULL;

	list_for_each_entry_safe(s, tmp, &rg->backed, list) {
		if (!dm_ha_joins(s, start, end))
			continue;
		/* Overlapping or touching: fold it into the new span. */
		if (s->start < start)
			start = s->start;
		if (s->end > end)
			end = s->end;
		if (!keep) {
			keep = s;
		} else {
			list_del(&s->list);
			list_add_tail(&s->list, spare);
			rg->nr_spans--;
		}
	}
	if (keep) {
		keep->start = start;
		keep->end = end;
		return false;
	}
	fresh->start = start;
	fresh->end = end;
	list_add_tail(&fresh->list, &rg->backed);
	rg->nr_spans++;
	return true;
}

/* Whether backing [@start, @end) in @rg would take a span it cannot have. */
static bool dm_ha_spans_full(const struct dm_ha_region *rg, u64 start,
			     u64 end)
{
	const struct dm_ha_span *s;

	if (rg->nr_spans < DM_HA_MAX_SPANS)
		return false;
	list_for_each_entry(s, &rg->backed, list)
		if (dm_ha_joins(s, start, end))
			return false;
	return true;
}

static u64 dm_align_down(u64 x, u64 a)
{
	return x & ~(a - 1);
}

static u64 dm_align_up(u64 x, u64 a)
{
	return dm_align_down(x + a - 1, a);
}

/*
 * A region the host names must be whole blocks and clear of the others;
 * without one we cover the range with whole blocks ourselves. A request
 * that starts in a region we have may grow it, but only where the host
 * named no region (it would disagree with ours) and only into free space.
 */
void dm_ha_plan(struct list_head *regions, u64 chunk, u64 start, u64 count,
		u64 rg_start, u64 rg_count, struct dm_ha_plan *p)
{
	u64 end = start + count;
	struct dm_ha_region *rg;

	p->rg = NULL;
	p->start = 0;
	p->end = 0;
	if (end > DM_RANGE_MAX_START + 1 ||
	    rg_start + rg_count > DM_RANGE_MAX_START + 1 ||
	    dm_align_up(end, chunk) > DM_RANGE_MAX_START + 1) {
		p->verdict = DM_HA_TOO_BIG;
		return;
	}

	rg = dm_ha_find(regions, start);
	if (rg) {
		p->rg = rg;
		p->start = rg->start;
		p->end = rg->end;
		p->verdict = DM_HA_EXISTING;
		if (end > rg->end) {
			p->end = dm_align_up(end, chunk);
			if (rg_count)
				p->verdict = DM_HA_PAST_REGION;
			else if (dm_ha_overlaps(regions, rg, rg->start, p->end))
				p->verdict = DM_HA_OVERLAP;
		}
		if (p->verdict == DM_HA_EXISTING &&
		    dm_ha_spans_full(rg, start, end))
			p->verdict = DM_HA_TOO_MANY_SPANS;
		return;
	}

	if (rg_count) {
		p->start = rg_start;
		p->end = rg_start + rg_count;
		if (p->start & (chunk - 1) || p->end & (chunk - 1)) {
			p->verdict = DM_HA_UNALIGNED;
			return;
		}
		if (start < p->start || end > p->end) {
			p->verdict = DM_HA_PAST_REGION;
			return;
		}
	} else {
		p->start = dm_align_down(start, chunk);
		p->end = dm_align_up(end, chunk);
	}
	p->verdict = dm_ha_overlaps(regions, NULL, p->start, p->end) ?
		     DM_HA_OVERLAP : DM_HA_NEW;
}

const char *dm_ha_verdict_name(enum dm_ha_verdict v)
{
	switch (v) {
	case DM_HA_EXISTING:
		return "in a known region";
	case DM_HA_NEW:
		return "new region";
	case DM_HA_UNALIGNED:
		return "region not in whole memory blocks";
	case DM_HA_OVERLAP:
		return "overlaps another region";
	case DM_HA_PAST_REGION:
		return "runs past its region";
	case DM_HA_TOO_BIG:
		return "past the protocol's frame limit";
	case DM_HA_TOO_MANY_SPANS:
		return "its region has too many backed spans";
	}
	return "unknown";
}
