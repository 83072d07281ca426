/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cold-discard hints (the HvExtCallMemoryHeatHint extended hypercall): the
 * input page's layout, and packing free guest ranges into it. Free page
 * reporting hands the driver free blocks; the host may drop what they hold.
 *
 * Plain data and arithmetic, so balloon/dm_hint.c builds both in the kernel
 * and in the user-space unit tests. All frames here are the hypervisor's
 * 4 KiB frames, whatever the guest's page size.
 */
#ifndef OPENLIS_DM_HINT_H
#define OPENLIS_DM_HINT_H

#ifdef __KERNEL__
#include <linux/types.h>
#endif

/* The extended hypercall's call code. */
#define DM_HINT_CALL_HEAT_HINT		0x8003

/* First u64 of the input: the heat type in bits 0-1, the rest reserved. */
#define DM_HINT_TYPE_MASK		0x3ULL
#define DM_HINT_TYPE_COLD_DISCARD	2ULL

#define DM_HINT_FRAME_SHIFT		12
#define DM_HINT_LARGE_ORDER		9	/* 2 MiB in 4 KiB frames */
#define DM_HINT_LARGE_FRAMES		0x200ULL	/* 1 << DM_HINT_LARGE_ORDER */

/*
 * One range entry (a GPA page range):
 *   bits 0-10   pages past the first, in the entry's unit
 *   bit 11      unit: 0 = 4 KiB, 1 = a large page
 * for 4 KiB units:
 *   bits 12-63  the first 4 KiB frame
 * for large units:
 *   bit 12      large page size: 0 = 2 MiB, 1 = 1 GiB (we use 2 MiB only)
 *   bits 21-63  the first 2 MiB frame
 */
#define DM_HINT_EXTRA_MASK		0x7ffULL
#define DM_HINT_MAX_UNITS		(DM_HINT_EXTRA_MASK + 1)
#define DM_HINT_LARGE			0x800ULL	/* bit 11 */
#define DM_HINT_LARGE_1G		0x1000ULL	/* bit 12 */
#define DM_HINT_PFN_SHIFT		12
#define DM_HINT_LARGE_PFN_SHIFT		21
/* Both encodings reach the same frames: 52 bits of 4 KiB frame number. */
#define DM_HINT_FRAME_LIMIT		0x10000000000000ULL	/* 1 << 52 */

/* Entries one 4 KiB input page holds after its header: 511. */
#define DM_HINT_PAGE_SIZE		4096U
#define DM_HINT_MAX_RANGES		((DM_HINT_PAGE_SIZE - 8) / 8)

/* Filling one hypercall's input page. */
struct dm_hint_packer {
	u64 *ranges;		/* the entries, right after the header */
	u32 n;			/* entries used */
	u32 max;		/* entries the page holds */
	u32 n_small;		/* of them, in 4 KiB units */
	bool large_only;	/* the host refuses hints below 2 MiB */
	u64 frames;		/* 4 KiB frames the entries cover */
	u64 skipped;		/* frames left out: not in whole 2 MiB frames */
};

/*
 * Start a hint in the @page_size bytes at @page (8-byte aligned). With
 * @large_only, only whole, aligned 2 MiB frames are hinted.
 */
void dm_hint_start(struct dm_hint_packer *p, void *page, u32 page_size,
		   bool large_only);

/*
 * Add [*@pfn, *@pfn + *@count) to the hint. Returns true when all of it is
 * in; false when the page filled first, with *@pfn and *@count left at the
 * part still to add (send this page, start another, add again).
 */
bool dm_hint_add(struct dm_hint_packer *p, u64 *pfn, u64 *count);

/* Decoding one entry, for tests and debugging. */
static inline bool dm_hint_entry_large(u64 e)
{
	return e & DM_HINT_LARGE;
}

static inline u64 dm_hint_entry_pfn(u64 e)
{
	if (dm_hint_entry_large(e))
		return (e >> DM_HINT_LARGE_PFN_SHIFT) << DM_HINT_LARGE_ORDER;
	return e >> DM_HINT_PFN_SHIFT;
}

static inline u64 dm_hint_entry_frames(u64 e)
{
	u64 units = (e & DM_HINT_EXTRA_MASK) + 1;

	return dm_hint_entry_large(e) ? units << DM_HINT_LARGE_ORDER : units;
}

#endif
