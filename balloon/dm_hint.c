// SPDX-License-Identifier: GPL-2.0
/*
 * Packing free ranges into cold-discard hint entries. Nothing here touches
 * kernel state, so the unit tests compile this file as is.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#endif
#include <openlis/dm_hint.h>

static_assert(DM_HINT_MAX_RANGES == 511, "hint page layout");
static_assert(DM_HINT_LARGE_FRAMES == 1ULL << DM_HINT_LARGE_ORDER, "2 MiB");

void dm_hint_start(struct dm_hint_packer *p, void *page, u32 page_size,
		   bool large_only)
{
	u64 *words = page;

	words[0] = DM_HINT_TYPE_COLD_DISCARD;
	p->ranges = words + 1;
	p->max = page_size < 16 ? 0 : (page_size - 8) / 8;
	/* The rep count field has 12 bits; a bigger page gains nothing. */
	if (p->max > DM_HINT_MAX_RANGES)
		p->max = DM_HINT_MAX_RANGES;
	p->n = 0;
	p->n_small = 0;
	p->large_only = large_only;
	p->frames = 0;
	p->skipped = 0;
}

static u64 dm_hint_min(u64 a, u64 b)
{
	return a < b ? a : b;
}

/*
 * Large units for the whole, aligned 2 MiB frames; 4 KiB units for a head
 * before the first and a tail after the last, each under 2 MiB. Free page
 * reporting hands out naturally aligned blocks of 2 MiB or more, so in
 * practice every entry is a large one.
 */
bool dm_hint_add(struct dm_hint_packer *p, u64 *pfn, u64 *count)
{
	/* A frame past the 52-bit limit exists on no guest: leave it out. */
	if (*pfn >= DM_HINT_FRAME_LIMIT) {
		p->skipped += *count;
		*pfn += *count;
		*count = 0;
		return true;
	}
	if (*count > DM_HINT_FRAME_LIMIT - *pfn) {
		p->skipped += *count - (DM_HINT_FRAME_LIMIT - *pfn);
		*count = DM_HINT_FRAME_LIMIT - *pfn;
	}

	while (*count) {
		u64 off = *pfn & (DM_HINT_LARGE_FRAMES - 1);
		u64 len, e;

		if (!off && *count >= DM_HINT_LARGE_FRAMES) {
			u64 units = dm_hint_min(*count >> DM_HINT_LARGE_ORDER,
						DM_HINT_MAX_UNITS);

			if (p->n >= p->max)
				return false;
			len = units << DM_HINT_LARGE_ORDER;
			e = (*pfn >> DM_HINT_LARGE_ORDER) <<
			    DM_HINT_LARGE_PFN_SHIFT;
			e |= DM_HINT_LARGE | (units - 1);
		} else {
			/* Up to the next 2 MiB boundary: under 512 frames. */
			len = off ? DM_HINT_LARGE_FRAMES - off : *count;
			len = dm_hint_min(len, *count);
			if (p->large_only) {
				p->skipped += len;
				*pfn += len;
				*count -= len;
				continue;
			}
			if (p->n >= p->max)
				return false;
			e = (*pfn << DM_HINT_PFN_SHIFT) | (len - 1);
			p->n_small++;
		}
		p->ranges[p->n++] = e;
		p->frames += len;
		*pfn += len;
		*count -= len;
	}
	return true;
}
