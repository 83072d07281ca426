// SPDX-License-Identifier: GPL-2.0
/*
 * Dynamic Memory messages: building ours and checking the host's. Nothing
 * here touches kernel state, so the unit tests compile this file as is.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/stddef.h>
#endif
#include <openlis/dm_proto.h>

/* The least size of each message a host may send us; 0: not a host message. */
static const u16 dm_host_min_size[] = {
	[DM_VERSION_RESPONSE]		= sizeof(struct dm_version_response),
	[DM_CAPABILITIES_RESPONSE]	= sizeof(struct dm_capabilities_response),
	[DM_BALLOON_REQUEST]		= sizeof(struct dm_balloon),
	[DM_UNBALLOON_REQUEST]		= sizeof(struct dm_unballoon_request),
	[DM_MEM_HOT_ADD_REQUEST]	= sizeof(struct dm_hot_add),
	[DM_INFO_MESSAGE]		= sizeof(struct dm_info),
};

static const char * const dm_msg_names[] = {
	[DM_ERROR]			= "error",
	[DM_VERSION_REQUEST]		= "version request",
	[DM_VERSION_RESPONSE]		= "version response",
	[DM_CAPABILITIES_REPORT]	= "capabilities report",
	[DM_CAPABILITIES_RESPONSE]	= "capabilities response",
	[DM_STATUS_REPORT]		= "status report",
	[DM_BALLOON_REQUEST]		= "balloon request",
	[DM_BALLOON_RESPONSE]		= "balloon response",
	[DM_UNBALLOON_REQUEST]		= "unballoon request",
	[DM_UNBALLOON_RESPONSE]		= "unballoon response",
	[DM_MEM_HOT_ADD_REQUEST]	= "hot-add request",
	[DM_MEM_HOT_ADD_RESPONSE]	= "hot-add response",
	[DM_INFO_MESSAGE]		= "info",
};

static const char * const dm_verdict_names[] = {
	[DM_OK]		= "ok",
	[DM_BAD_LENGTH]	= "too short",
	[DM_BAD_SIZE]	= "size field disagrees with packet",
	[DM_BAD_TYPE]	= "unexpected type",
	[DM_BAD_COUNT]	= "count beyond message",
	[DM_BAD_RANGE]	= "bad page range",
	[DM_BAD_REGION]	= "range outside region",
	[DM_BAD_INFO]	= "bad info record",
};

const char *dm_msg_name(u16 type)
{
	if (type < ARRAY_SIZE(dm_msg_names))
		return dm_msg_names[type];
	return "unknown";
}

const char *dm_verdict_name(enum dm_verdict v)
{
	if ((unsigned int)v < DM_NR_VERDICTS)
		return dm_verdict_names[v];
	return "unknown";
}

/* An empty range means nothing and one past the pfn limit cannot be ours. */
static bool dm_range_ok(u64 r)
{
	return dm_range_count(r) &&
	       dm_range_start(r) + dm_range_count(r) - 1 <= DM_RANGE_MAX_START;
}

static enum dm_verdict dm_check_unballoon(const u8 *buf, u32 size,
					  struct dm_host_msg *m)
{
	const struct dm_unballoon_request *req = (const void *)buf;
	u32 room = (size - sizeof(*req)) / sizeof(u64);
	u32 i;

	if (req->range_count > room)
		return DM_BAD_COUNT;
	for (i = 0; i < req->range_count; i++)
		if (!dm_range_ok(req->ranges[i]))
			return DM_BAD_RANGE;
	m->unballoon.more = req->flags & DM_UNBALLOON_MORE_PAGES;
	m->unballoon.count = req->range_count;
	m->unballoon.ranges = buf + sizeof(*req);
	return DM_OK;
}

static enum dm_verdict dm_check_hot_add(const u8 *buf, u32 size,
					struct dm_host_msg *m)
{
	const struct dm_hot_add *req = (const void *)buf;
	u64 region = 0;

	if (!dm_range_ok(req->range))
		return DM_BAD_RANGE;
	m->hot_add.start = dm_range_start(req->range);
	m->hot_add.count = dm_range_count(req->range);
	m->hot_add.rg_start = 0;
	m->hot_add.rg_count = 0;

	/* Anything past the page range is the region it lies in. */
	if (size == sizeof(*req))
		return DM_OK;
	if (size < sizeof(*req) + sizeof(u64))
		return DM_BAD_LENGTH;
	memcpy(&region, buf + sizeof(*req), sizeof(region));
	if (!dm_range_ok(region))
		return DM_BAD_RANGE;
	m->hot_add.rg_start = dm_range_start(region);
	m->hot_add.rg_count = dm_range_count(region);
	if (m->hot_add.start < m->hot_add.rg_start ||
	    m->hot_add.start + m->hot_add.count >
	    m->hot_add.rg_start + m->hot_add.rg_count)
		return DM_BAD_REGION;
	return DM_OK;
}

static enum dm_verdict dm_check_info(const u8 *buf, u32 size,
				     struct dm_host_msg *m)
{
	const struct dm_info *msg = (const void *)buf;
	struct dm_info_header ih;

	m->info.has_max_page_cnt = false;
	if (msg->info_size > size - sizeof(*msg))
		return DM_BAD_COUNT;
	/* An empty info message carries nothing we need. */
	if (!msg->info_size)
		return DM_OK;
	if (msg->info_size < sizeof(ih))
		return DM_BAD_INFO;
	memcpy(&ih, msg->info, sizeof(ih));
	if (ih.data_size > msg->info_size - sizeof(ih))
		return DM_BAD_INFO;
	if (ih.type != DM_INFO_MAX_PAGE_CNT)
		return DM_OK;	/* newer hosts may add types; skip them */
	if (ih.data_size != sizeof(u64))
		return DM_BAD_INFO;
	memcpy(&m->info.max_page_cnt, msg->info + sizeof(ih), sizeof(u64));
	m->info.has_max_page_cnt = true;
	return DM_OK;
}

/*
 * Check the @len bytes a host sent at @buf and decode them into @m.
 * @len is what the ring delivered, which may include padding past the
 * message; the header's size must fit inside it, and is what we trust.
 */
enum dm_verdict dm_check_msg(const void *buf, u32 len, struct dm_host_msg *m)
{
	const u8 *p = buf;
	struct dm_header h;

	memset(m, 0, sizeof(*m));
	if (len < sizeof(h))
		return DM_BAD_LENGTH;
	memcpy(&h, p, sizeof(h));
	m->type = h.type;
	m->size = h.size;
	m->trans_id = h.trans_id;
	if (h.size > len || h.size > DM_MAX_MSG_SIZE || h.size < sizeof(h))
		return DM_BAD_SIZE;
	if (h.type >= ARRAY_SIZE(dm_host_min_size) ||
	    !dm_host_min_size[h.type])
		return DM_BAD_TYPE;
	if (h.size < dm_host_min_size[h.type])
		return DM_BAD_LENGTH;

	switch (h.type) {
	case DM_VERSION_RESPONSE:
		m->accepted = ((const struct dm_version_response *)p)->flags &
			      DM_VERSION_ACCEPTED;
		return DM_OK;
	case DM_CAPABILITIES_RESPONSE:
		m->accepted =
			((const struct dm_capabilities_response *)p)->flags &
			DM_CAPS_ACCEPTED;
		return DM_OK;
	case DM_BALLOON_REQUEST:
		m->num_pages = ((const struct dm_balloon *)p)->num_pages;
		return DM_OK;
	case DM_UNBALLOON_REQUEST:
		return dm_check_unballoon(p, h.size, m);
	case DM_MEM_HOT_ADD_REQUEST:
		return dm_check_hot_add(p, h.size, m);
	default:
		return dm_check_info(p, h.size, m);
	}
}

u32 dm_next_version(u32 v)
{
	switch (v) {
	case DM_VERSION_2_0:
		return DM_VERSION_1_0;
	case DM_VERSION_1_0:
		return DM_VERSION_0_3;
	default:
		return 0;
	}
}

void dm_init_header(struct dm_header *h, u16 type, u16 size, u32 trans_id)
{
	h->type = type;
	h->size = size;
	h->trans_id = trans_id;
}

void dm_build_version_request(struct dm_version_request *m, u32 version,
			      u32 trans_id)
{
	memset(m, 0, sizeof(*m));
	dm_init_header(&m->hdr, DM_VERSION_REQUEST, sizeof(*m), trans_id);
	m->version = version;
	if (!dm_next_version(version))
		m->flags |= DM_VERSION_LAST_ATTEMPT;
}

void dm_build_capabilities(struct dm_capabilities *m, bool balloon,
			   bool hot_add, unsigned int ha_align_log2_mb,
			   u32 trans_id)
{
	memset(m, 0, sizeof(*m));
	dm_init_header(&m->hdr, DM_CAPABILITIES_REPORT, sizeof(*m), trans_id);
	if (balloon)
		m->caps |= DM_CAP_BALLOON;
	if (hot_add)
		m->caps |= DM_CAP_HOT_ADD;
	if (ha_align_log2_mb > DM_CAP_HA_ALIGN_MAX)
		ha_align_log2_mb = DM_CAP_HA_ALIGN_MAX;
	m->caps |= (u64)ha_align_log2_mb << DM_CAP_HA_ALIGN_SHIFT;
	/* Hosts ignore these; Windows guests send "no limit" and so do we. */
	m->min_page_cnt = 0;
	m->max_page_number = ~0ULL;
}

void dm_build_status(struct dm_status *m, u64 avail, u64 committed,
		     u32 trans_id)
{
	memset(m, 0, sizeof(*m));
	dm_init_header(&m->hdr, DM_STATUS_REPORT, sizeof(*m), trans_id);
	m->num_avail = avail;
	m->num_committed = committed;
}

void dm_balloon_resp_init(struct dm_balloon_response *r)
{
	memset(r, 0, sizeof(*r));
	dm_init_header(&r->hdr, DM_BALLOON_RESPONSE, sizeof(*r), 0);
}

u32 dm_balloon_resp_ranges(const struct dm_balloon_response *r)
{
	return r->flags >> DM_BALLOON_RANGE_SHIFT;
}

/*
 * Append [@start, @start + @count) to @r, which must sit in a buffer of
 * DM_MAX_MSG_SIZE bytes. A range that continues the last one is merged into
 * it, so contiguous allocations cost no extra room. Returns false, leaving
 * @r as it was, when the range does not fit.
 */
bool dm_balloon_resp_add(struct dm_balloon_response *r, u64 start, u64 count)
{
	u32 n = dm_balloon_resp_ranges(r);

	if (!count || count > DM_RANGE_MAX_COUNT ||
	    start > DM_RANGE_MAX_START ||
	    start + count - 1 > DM_RANGE_MAX_START)
		return false;
	if (n) {
		u64 last = r->ranges[n - 1];
		u64 lc = dm_range_count(last);

		if (dm_range_start(last) + lc == start &&
		    lc + count <= DM_RANGE_MAX_COUNT) {
			r->ranges[n - 1] = dm_range_make(dm_range_start(last),
							 lc + count);
			return true;
		}
	}
	if (n >= DM_BALLOON_RESP_MAX_RANGES)
		return false;
	r->ranges[n] = dm_range_make(start, count);
	r->flags += 1U << DM_BALLOON_RANGE_SHIFT;
	r->hdr.size += sizeof(u64);
	return true;
}

void dm_balloon_resp_finish(struct dm_balloon_response *r, bool more,
			    u32 trans_id)
{
	r->hdr.trans_id = trans_id;
	if (more)
		r->flags |= DM_BALLOON_MORE_PAGES;
	else
		r->flags &= ~DM_BALLOON_MORE_PAGES;
}

/*
 * Pieces of a continuous, piecewise linear curve: a guest of up to @below
 * MiB keeps @base MiB plus 1/2^@shift of its size. Small guests keep half,
 * large ones a thirty-second: the figures Hyper-V's own guests use, which
 * the host's sizing decisions assume.
 */
static const struct {
	u64 below_mb;
	u64 base_mb;
	unsigned int shift;
} dm_floor_curve[] = {
	{ 128, 8, 1 },
	{ 512, 40, 2 },
	{ 2048, 104, 3 },
	{ 8192, 232, 4 },
	{ ~0ULL, 488, 5 },
};

u64 dm_balloon_floor(u64 total, unsigned int page_shift)
{
	unsigned int mb_shift = 20 - page_shift;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dm_floor_curve); i++)
		if ((total >> mb_shift) < dm_floor_curve[i].below_mb)
			break;
	if (i == ARRAY_SIZE(dm_floor_curve))
		i--;
	return (dm_floor_curve[i].base_mb << mb_shift) +
	       (total >> dm_floor_curve[i].shift);
}

/*
 * Checked again while a large request runs: the guest's own use may grow
 * meanwhile, and what was safe at the start may no longer be.
 */
u64 dm_balloon_allowance(u64 avail, u64 floor, u64 want)
{
	if (avail <= floor)
		return 0;
	return want < avail - floor ? want : avail - floor;
}

bool dm_queue_takes_slot(u16 type, u64 pages)
{
	/* One naming no pages is bounded by nothing else. */
	return type != DM_UNBALLOON_REQUEST || !pages;
}

bool dm_queue_room(unsigned int queued, u64 queued_pages, u64 ballooned,
		   u16 type, u64 pages)
{
	if (dm_queue_takes_slot(type, pages))
		return queued < DM_MAX_QUEUED;
	return queued_pages + pages <= ballooned;
}

/*
 * The host sizes the guest by its committed memory. Ballooned pages and
 * hot-added pages we could not online count as committed too, or the host
 * would ask for them again; the floor counts so the host leaves us room.
 */
u64 dm_committed(u64 vm_committed, u64 ballooned, u64 added, u64 onlined,
		 u64 floor)
{
	return vm_committed + ballooned +
	       (added > onlined ? added - onlined : 0) + floor;
}
