// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: Dynamic Memory messages from the host into dm_check_msg()
 * (balloon/dm_proto.c), at the lengths the channel delivers, a page and
 * more. The packet sits in a heap buffer of exactly its length, so
 * AddressSanitizer sees any read past it. For an accepted message the
 * fuzzer checks what the driver then trusts: the header's size fits the
 * packet, a page and the least size of its type; an unballoon request's
 * ranges lie inside that size, each non-empty and below the frame limit;
 * a hot-add range is non-empty, below the limit and inside the region it
 * names; an info message's page count came from inside the message. It
 * then reads every range as the driver does and asks the queue whether it
 * may wait (dm_queue_room()), which must bound what it counts.
 */
#include <stdint.h>
#include <stdlib.h>
#include "../unit/test_balloon_shim.h"
#include "../../balloon/dm_proto.c"

static bool range_ok(u64 start, u64 count)
{
	return count && start + count - 1 <= DM_RANGE_MAX_START;
}

static void check_unballoon(const u8 *buf, const struct dm_host_msg *m)
{
	u64 pages = 0, r;
	u32 i;

	if (m->unballoon.ranges != buf + sizeof(struct dm_unballoon_request) ||
	    sizeof(struct dm_unballoon_request) +
	    (u64)m->unballoon.count * sizeof(u64) > m->size)
		abort();
	for (i = 0; i < m->unballoon.count; i++) {
		r = dm_unballoon_range(m, i);
		if (!range_ok(dm_range_start(r), dm_range_count(r)))
			abort();
		pages += dm_range_count(r);
	}
	/* No queue takes more than its cap, nor more pages than it holds. */
	if (dm_queue_takes_slot(m->type, pages)) {
		if (dm_queue_room(DM_MAX_QUEUED, 0, ~0ULL, m->type, pages))
			abort();
	} else if (dm_queue_room(0, 0, pages - 1, m->type, pages)) {
		abort();
	}
}

static void check_hot_add(const struct dm_host_msg *m)
{
	u64 s = m->hot_add.start, c = m->hot_add.count;
	u64 rs = m->hot_add.rg_start, rc = m->hot_add.rg_count;

	if (!range_ok(s, c))
		abort();
	if (!rc)
		return;
	if (m->size < sizeof(struct dm_hot_add) + sizeof(u64) ||
	    !range_ok(rs, rc) || s < rs || s + c > rs + rc)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dm_host_msg m;
	enum dm_verdict v;
	u32 len;
	u8 *buf;

	if (size > 2 * DM_MAX_MSG_SIZE)
		return 0;
	len = (u32)size;
	buf = malloc(len ? len : 1);
	memcpy(buf, data, len);
	v = dm_check_msg(buf, len, &m);
	if ((unsigned int)v >= DM_NR_VERDICTS || !dm_verdict_name(v))
		abort();
	if (v != DM_OK) {
		free(buf);
		return 0;
	}
	/* The type's least size is the parser's own table, dm_host_min_size. */
	if (m.size > len || m.size > DM_MAX_MSG_SIZE ||
	    m.type >= ARRAY_SIZE(dm_host_min_size) ||
	    !dm_host_min_size[m.type] || m.size < dm_host_min_size[m.type])
		abort();
	switch (m.type) {
	case DM_UNBALLOON_REQUEST:
		check_unballoon(buf, &m);
		break;
	case DM_MEM_HOT_ADD_REQUEST:
		check_hot_add(&m);
		break;
	case DM_INFO_MESSAGE:
		if (m.info.has_max_page_cnt &&
		    m.size < sizeof(struct dm_info) +
			     sizeof(struct dm_info_header) + sizeof(u64))
			abort();
		break;
	case DM_BALLOON_REQUEST:
		if (dm_queue_room(DM_MAX_QUEUED, 0, 0, m.type, m.num_pages))
			abort();
		break;
	}
	free(buf);
	return 0;
}
