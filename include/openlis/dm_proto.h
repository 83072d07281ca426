/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hyper-V Dynamic Memory (DM) protocol: wire layouts and the checks every
 * host message must pass before the driver acts on it.
 *
 * Everything here is plain data and arithmetic, so balloon/dm_proto.c builds
 * both in the kernel and in the user-space unit tests. Layouts use explicit
 * shifts instead of C bitfields, so that what goes on the wire does not
 * depend on how a compiler packs bits. The protocol is little-endian and only
 * spoken by little-endian guests (x86, arm64), so the fields are host order.
 *
 * One struct per message, each with the direction it travels, the first
 * protocol version that has it, and what answers it. A host message must
 * be at least its struct's size (dm_host_min_size[] in balloon/dm_proto.c
 * is the one table that enforces it) and at most DM_MAX_MSG_SIZE; its
 * header's size, not the packet's length, bounds what is read.
 *
 * Matching: the guest has one request of its own in flight at a time
 * (version, then capabilities), and the host's answer is known by its
 * type alone: the trans_id a host echoes is not relied on. The host's
 * requests are served one at a time in arrival order, and each answer
 * carries a fresh trans_id of the guest's; the host matches it by type.
 */
#ifndef OPENLIS_DM_PROTO_H
#define OPENLIS_DM_PROTO_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/build_bug.h>
#include <linux/string.h>
#endif

#define DM_VERSION(major, minor)	((u32)(((major) << 16) | (minor)))
#define DM_VERSION_MAJOR(v)		((u32)(v) >> 16)
#define DM_VERSION_MINOR(v)		((u32)(v) & 0xffff)

/* Win7, Win8 and Win10 hosts, tried newest first. */
#define DM_VERSION_0_3			DM_VERSION(0, 3)
#define DM_VERSION_1_0			DM_VERSION(1, 0)
#define DM_VERSION_2_0			DM_VERSION(2, 0)

enum dm_msg_type {
	DM_ERROR			= 0,
	DM_VERSION_REQUEST		= 1,
	DM_VERSION_RESPONSE		= 2,
	DM_CAPABILITIES_REPORT		= 3,
	DM_CAPABILITIES_RESPONSE	= 4,
	DM_STATUS_REPORT		= 5,
	DM_BALLOON_REQUEST		= 6,
	DM_BALLOON_RESPONSE		= 7,
	DM_UNBALLOON_REQUEST		= 8,
	DM_UNBALLOON_RESPONSE		= 9,
	DM_MEM_HOT_ADD_REQUEST		= 10,
	DM_MEM_HOT_ADD_RESPONSE		= 11,
	DM_INFO_MESSAGE			= 12,
};

/* The host never sends more than one of its pages in a DM message. */
#define DM_MAX_MSG_SIZE			4096U
#define DM_PAGE_SHIFT			12

/* both ways, 0.3: starts every message. */
struct dm_header {
	u16 type;
	u16 size;	/* of the whole message, this header included */
	u32 trans_id;	/* made by whoever sends the message */
} __packed;
static_assert(sizeof(struct dm_header) == 8);

/*
 * A page range: the first 4 KiB frame in bits 0-39 (the architectural limit
 * of a frame number on x86-64), the frame count in bits 40-63.
 */
#define DM_RANGE_START_BITS		40
#define DM_RANGE_COUNT_BITS		24
#define DM_RANGE_MAX_START		((1ULL << DM_RANGE_START_BITS) - 1)
#define DM_RANGE_MAX_COUNT		((1ULL << DM_RANGE_COUNT_BITS) - 1)

static inline u64 dm_range_start(u64 r)
{
	return r & DM_RANGE_MAX_START;
}

static inline u64 dm_range_count(u64 r)
{
	return r >> DM_RANGE_START_BITS;
}

static inline u64 dm_range_make(u64 start, u64 count)
{
	return (start & DM_RANGE_MAX_START) | (count << DM_RANGE_START_BITS);
}

/*
 * guest -> host, 0.3: a version to speak, newest first; answered by
 * VERSION_RESPONSE.
 */
struct dm_version_request {
	struct dm_header hdr;
	u32 version;
	u32 flags;
} __packed;
static_assert(sizeof(struct dm_version_request) == 16);
#define DM_VERSION_LAST_ATTEMPT		0x1U

/* host -> guest, 0.3: answers VERSION_REQUEST; at least 16 bytes. */
struct dm_version_response {
	struct dm_header hdr;
	u64 flags;
} __packed;
static_assert(sizeof(struct dm_version_response) == 16);
#define DM_VERSION_ACCEPTED		0x1ULL

/*
 * guest -> host, 0.3: what the guest can do, once a version is agreed;
 * answered by CAPABILITIES_RESPONSE.
 */
struct dm_capabilities {
	struct dm_header hdr;
	u64 caps;
	u64 min_page_cnt;
	u64 max_page_number;
} __packed;
static_assert(sizeof(struct dm_capabilities) == 32);
#define DM_CAP_BALLOON			0x1ULL
#define DM_CAP_HOT_ADD			0x2ULL
#define DM_CAP_HA_ALIGN_SHIFT		2	/* log2 of the MiB of a chunk */
#define DM_CAP_HA_ALIGN_MAX		15

/*
 * host -> guest, 0.3: answers CAPABILITIES_REPORT; at least 16 bytes.
 * Only bit 0 is read; the bits above it (hot-remove, pressure reports
 * suppressed) ask for nothing this driver does.
 */
struct dm_capabilities_response {
	struct dm_header hdr;
	u64 flags;
} __packed;
static_assert(sizeof(struct dm_capabilities_response) == 16);
#define DM_CAPS_ACCEPTED		0x1ULL

/* guest -> host, 0.3: memory pressure, about once a second; unanswered. */
struct dm_status {
	struct dm_header hdr;
	u64 num_avail;
	u64 num_committed;
	u64 page_file_size;
	u64 zero_free;
	u32 page_file_writes;
	u32 io_diff;
} __packed;
static_assert(sizeof(struct dm_status) == 48);

/*
 * host -> guest, 0.3: take @num_pages from the guest; at least 16 bytes.
 * Answered by BALLOON_RESPONSEs, the last with DM_BALLOON_MORE_PAGES clear.
 */
struct dm_balloon {
	struct dm_header hdr;
	u32 num_pages;
	u32 reserved;
} __packed;
static_assert(sizeof(struct dm_balloon) == 16);

/* guest -> host, 0.3: the ranges given up for a BALLOON_REQUEST. */
struct dm_balloon_response {
	struct dm_header hdr;
	u32 reserved;
	u32 flags;	/* bit 0: more pages follow; bits 1-31: range count */
	u64 ranges[];
} __packed;
static_assert(sizeof(struct dm_balloon_response) == 16);
#define DM_BALLOON_MORE_PAGES		0x1U
#define DM_BALLOON_RANGE_SHIFT		1

/*
 * host -> guest, 0.3: ranges given back, sent as a burst; at least 16
 * bytes, the ranges within the header's size. One UNBALLOON_RESPONSE
 * answers the burst, after the request with DM_UNBALLOON_MORE_PAGES clear.
 */
struct dm_unballoon_request {
	struct dm_header hdr;
	u32 flags;	/* bit 0: more requests follow */
	u32 range_count;
	u64 ranges[];
} __packed;
static_assert(sizeof(struct dm_unballoon_request) == 16);
#define DM_UNBALLOON_MORE_PAGES		0x1U

/* guest -> host, 0.3: answers the last UNBALLOON_REQUEST of a burst. */
struct dm_unballoon_response {
	struct dm_header hdr;
} __packed;
static_assert(sizeof(struct dm_unballoon_response) == 8);

/*
 * host -> guest, 0.3: memory to add; at least 16 bytes, optionally
 * followed by a second range, the region the first lies in (24 bytes).
 * Answered by one HOT_ADD_RESPONSE.
 */
struct dm_hot_add {
	struct dm_header hdr;
	u64 range;
} __packed;
static_assert(sizeof(struct dm_hot_add) == 16);

/* guest -> host, 0.3: pages added for a HOT_ADD_REQUEST; result 1: done. */
struct dm_hot_add_response {
	struct dm_header hdr;
	u32 page_count;
	u32 result;
} __packed;
static_assert(sizeof(struct dm_hot_add_response) == 16);

/* One record of an INFO_MESSAGE: its type, then data_size bytes. */
struct dm_info_header {
	u32 type;
	u32 data_size;
} __packed;
static_assert(sizeof(struct dm_info_header) == 8);
#define DM_INFO_MAX_PAGE_CNT		0

/*
 * host -> guest, 1.0: information records, info_size bytes of them; at
 * least 16 bytes. Unanswered.
 */
struct dm_info {
	struct dm_header hdr;
	u32 reserved;
	u32 info_size;
	u8 info[];
} __packed;
static_assert(sizeof(struct dm_info) == 16);

/* How many ranges one balloon response can carry. */
#define DM_BALLOON_RESP_MAX_RANGES \
	((DM_MAX_MSG_SIZE - sizeof(struct dm_balloon_response)) / sizeof(u64))

/* Why a host message was refused; the driver counts each kind. */
enum dm_verdict {
	DM_OK = 0,
	DM_BAD_LENGTH,		/* shorter than its header or its type needs */
	DM_BAD_SIZE,		/* header size disagrees with the packet */
	DM_BAD_TYPE,		/* not a message a host sends */
	DM_BAD_COUNT,		/* range or info count beyond the message */
	DM_BAD_RANGE,		/* an empty range, or one past the pfn limit */
	DM_BAD_REGION,		/* hot-add range outside its region */
	DM_BAD_INFO,		/* malformed info record */
	DM_NR_VERDICTS,
};

/*
 * A host message that passed dm_check_msg(), decoded: the driver only ever
 * reads these fields, never the raw buffer.
 */
struct dm_host_msg {
	u16 type;
	u16 size;
	u32 trans_id;
	union {
		bool accepted;			/* version, capabilities */
		u32 num_pages;			/* balloon */
		struct {			/* unballoon */
			bool more;
			u32 count;
			const u8 *ranges;	/* read with dm_unballoon_range() */
		} unballoon;
		struct {			/* hot-add */
			u64 start, count;
			u64 rg_start, rg_count;	/* rg_count 0: no region */
		} hot_add;
		struct {			/* info */
			bool has_max_page_cnt;
			u64 max_page_cnt;
		} info;
	};
};

/* The @i-th range of a checked unballoon request, wherever it lies. */
static inline u64 dm_unballoon_range(const struct dm_host_msg *m, u32 i)
{
	u64 r;

	memcpy(&r, m->unballoon.ranges + i * sizeof(r), sizeof(r));
	return r;
}

enum dm_verdict dm_check_msg(const void *buf, u32 len, struct dm_host_msg *m);
const char *dm_verdict_name(enum dm_verdict v);
const char *dm_msg_name(u16 type);

/* The version to offer after the host refused @v; 0 when none is left. */
u32 dm_next_version(u32 v);

void dm_init_header(struct dm_header *h, u16 type, u16 size, u32 trans_id);
void dm_build_version_request(struct dm_version_request *m, u32 version,
			      u32 trans_id);
void dm_build_capabilities(struct dm_capabilities *m, bool balloon,
			   bool hot_add, unsigned int ha_align_log2_mb,
			   u32 trans_id);
void dm_build_status(struct dm_status *m, u64 avail, u64 committed,
		     u32 trans_id);

void dm_balloon_resp_init(struct dm_balloon_response *r);
bool dm_balloon_resp_add(struct dm_balloon_response *r, u64 start, u64 count);
u32 dm_balloon_resp_ranges(const struct dm_balloon_response *r);
void dm_balloon_resp_finish(struct dm_balloon_response *r, bool more,
			    u32 trans_id);

/*
 * The least memory (in pages of @page_shift) a guest of @total pages keeps
 * when ballooning, so the balloon never pushes it into the OOM killer.
 */
u64 dm_balloon_floor(u64 total, unsigned int page_shift);

/*
 * How many of @want more pages the balloon may take from a guest with
 * @avail pages available that must keep @floor: what it takes must leave
 * @floor available. Written so that no sum can wrap.
 */
u64 dm_balloon_allowance(u64 avail, u64 floor, u64 want);

/*
 * Host requests wait on one ordered queue. A sane host has one in flight;
 * DM_MAX_QUEUED of them means a flood. Unballoon requests naming pages are
 * the exception: the host sends a deflate as a burst of them, answered
 * once, after the last; they are bounded by what they name, which cannot be
 * more than the balloon holds. One naming none takes a slot like the rest.
 */
#define DM_MAX_QUEUED			64

/* Whether a request of @type naming @pages takes one of the queue's slots. */
bool dm_queue_takes_slot(u16 type, u64 pages);

/*
 * Room for one more such request, with @queued slots taken, @queued_pages
 * named by the queued requests that take none, and @ballooned pages in
 * the balloon.
 */
bool dm_queue_room(unsigned int queued, u64 queued_pages, u64 ballooned,
		   u16 type, u64 pages);

/* Committed figure reported to the host, in the same units as its inputs. */
u64 dm_committed(u64 vm_committed, u64 ballooned, u64 added, u64 onlined,
		 u64 floor);

#endif
