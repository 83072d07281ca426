// SPDX-License-Identifier: GPL-2.0
/*
 * Request ids: a table of the callers' request addresses whose free slots are
 * chained through the table itself, so allocation and release are O(1). Ids
 * are slot + 1, leaving 0 free for "no request". The caller holds the lock.
 */
#include "proto_env.h"

#define OLVB_END	U64_MAX

static bool slot_busy(const struct olvb_rqstor *r, u32 i)
{
	return r->bitmap[i / BITS_PER_LONG] & (1UL << (i % BITS_PER_LONG));
}

static void slot_mark(const struct olvb_rqstor *r, u32 i, bool busy)
{
	unsigned long bit = 1UL << (i % BITS_PER_LONG);

	if (busy)
		r->bitmap[i / BITS_PER_LONG] |= bit;
	else
		r->bitmap[i / BITS_PER_LONG] &= ~bit;
}

void olvb_rqstor_init(const struct olvb_rqstor *r)
{
	u32 i;

	for (i = 0; i < r->size; i++) {
		r->arr[i] = i + 1 < r->size ? i + 1 : OLVB_END;
		slot_mark(r, i, false);
	}
	*r->next = 0;
}

u64 olvb_rqstor_get(const struct olvb_rqstor *r, u64 addr)
{
	u64 slot = *r->next;

	if (slot >= r->size)
		return OLVB_RQST_ERROR;
	*r->next = r->arr[slot];
	r->arr[slot] = addr;
	slot_mark(r, slot, true);
	return slot + 1;
}

/*
 * Return the address stored under @id and free the slot if it matches @addr
 * (or @addr is OLVB_RQST_ADDR_ANY). An id the host made up is an error.
 */
u64 olvb_rqstor_put(const struct olvb_rqstor *r, u64 id, u64 addr)
{
	u64 slot, stored;

	if (!id || id > r->size)
		return OLVB_RQST_ERROR;
	slot = id - 1;
	if (!slot_busy(r, slot))
		return OLVB_RQST_ERROR;
	stored = r->arr[slot];
	if (addr == OLVB_RQST_ADDR_ANY || addr == stored) {
		r->arr[slot] = *r->next;
		*r->next = slot;
		slot_mark(r, slot, false);
	}
	return stored;
}
