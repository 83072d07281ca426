// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the Dynamic Memory protocol code (balloon/dm_proto.c): the
 * wire layouts, the checks on host messages, our message builders, and the
 * balloon floor. Host messages are copied into buffers of exactly their
 * length, so AddressSanitizer catches any read past what the host sent.
 */
#include <stdlib.h>
#include "test_balloon_shim.h"
#include "unit.h"
#include "../../balloon/dm_proto.c"

static u8 *exact_copy(const void *msg, size_t len)
{
	u8 *p = malloc(len ? len : 1);

	memcpy(p, msg, len);
	return p;
}

/* Check @len bytes of @msg as the host would deliver them. */
static enum dm_verdict check(const void *msg, size_t len, struct dm_host_msg *m)
{
	u8 *p = exact_copy(msg, len);
	enum dm_verdict v = dm_check_msg(p, len, m);

	/* Decoded ranges point into the buffer: only the verdict survives. */
	if (m->type != DM_UNBALLOON_REQUEST)
		free(p);
	return v;
}

static void hdr(struct dm_header *h, u16 type, u16 size)
{
	dm_init_header(h, type, size, 77);
}

static void test_ranges(void)
{
	u64 r = dm_range_make(0x123456789aULL, 512);

	CHECK_EQ(dm_range_start(r), 0x123456789aULL);
	CHECK_EQ(dm_range_count(r), 512);
	r = dm_range_make(DM_RANGE_MAX_START, DM_RANGE_MAX_COUNT);
	CHECK_EQ(dm_range_start(r), DM_RANGE_MAX_START);
	CHECK_EQ(dm_range_count(r), DM_RANGE_MAX_COUNT);
	/* Same bits as the protocol's start:40, count:24 bitfield. */
	CHECK_EQ(dm_range_make(1, 1), (1ULL << 40) | 1);
}

static void test_header_checks(void)
{
	struct dm_balloon b;
	struct dm_host_msg m;
	u8 raw[4] = { 6, 0, 16, 0 };

	CHECK_EQ(dm_check_msg(raw, sizeof(raw), &m), DM_BAD_LENGTH);
	CHECK_EQ(dm_check_msg(raw, 0, &m), DM_BAD_LENGTH);

	memset(&b, 0, sizeof(b));
	hdr(&b.hdr, DM_BALLOON_REQUEST, sizeof(b) + 8);	/* says more than sent */
	CHECK_EQ(check(&b, sizeof(b), &m), DM_BAD_SIZE);
	hdr(&b.hdr, DM_BALLOON_REQUEST, 4);		/* smaller than a header */
	CHECK_EQ(check(&b, sizeof(b), &m), DM_BAD_SIZE);
	hdr(&b.hdr, DM_BALLOON_REQUEST, 12);		/* smaller than its type */
	CHECK_EQ(check(&b, sizeof(b), &m), DM_BAD_LENGTH);
	hdr(&b.hdr, 200, sizeof(b));
	CHECK_EQ(check(&b, sizeof(b), &m), DM_BAD_TYPE);
	/* Messages only a guest sends are refused from the host. */
	hdr(&b.hdr, DM_STATUS_REPORT, sizeof(b));
	CHECK_EQ(check(&b, sizeof(b), &m), DM_BAD_TYPE);
	hdr(&b.hdr, DM_BALLOON_RESPONSE, sizeof(b));
	CHECK_EQ(check(&b, sizeof(b), &m), DM_BAD_TYPE);
	hdr(&b.hdr, DM_ERROR, sizeof(b));
	CHECK_EQ(check(&b, sizeof(b), &m), DM_BAD_TYPE);

	/* Ring padding past the message is fine; the header size rules. */
	hdr(&b.hdr, DM_BALLOON_REQUEST, sizeof(b));
	b.num_pages = 4096;
	{
		u8 padded[24] = { 0 };

		memcpy(padded, &b, sizeof(b));
		CHECK_EQ(check(padded, sizeof(padded), &m), DM_OK);
	}
	CHECK_EQ(m.type, DM_BALLOON_REQUEST);
	CHECK_EQ(m.num_pages, 4096);
	CHECK_EQ(m.trans_id, 77);
}

static void test_size_over_page(void)
{
	static u8 big[DM_MAX_MSG_SIZE + 8];
	struct dm_host_msg m;
	struct dm_header h;

	hdr(&h, DM_UNBALLOON_REQUEST, DM_MAX_MSG_SIZE + 8);
	memcpy(big, &h, sizeof(h));
	CHECK_EQ(dm_check_msg(big, sizeof(big), &m), DM_BAD_SIZE);
}

static void test_version_and_caps_responses(void)
{
	struct dm_version_response vr;
	struct dm_capabilities_response cr;
	struct dm_host_msg m;

	memset(&vr, 0, sizeof(vr));
	hdr(&vr.hdr, DM_VERSION_RESPONSE, sizeof(vr));
	CHECK_EQ(check(&vr, sizeof(vr), &m), DM_OK);
	CHECK(!m.accepted);
	vr.flags = DM_VERSION_ACCEPTED;
	CHECK_EQ(check(&vr, sizeof(vr), &m), DM_OK);
	CHECK(m.accepted);
	hdr(&vr.hdr, DM_VERSION_RESPONSE, 8);
	CHECK_EQ(check(&vr, 8, &m), DM_BAD_LENGTH);

	memset(&cr, 0, sizeof(cr));
	hdr(&cr.hdr, DM_CAPABILITIES_RESPONSE, sizeof(cr));
	cr.flags = DM_CAPS_ACCEPTED | 0x6;	/* QEMU's extra bits are ignored */
	CHECK_EQ(check(&cr, sizeof(cr), &m), DM_OK);
	CHECK(m.accepted);
}

static u8 *unballoon(u32 nr_slots, u32 range_count, u32 flags, u16 *size)
{
	struct dm_unballoon_request *r;
	size_t len = sizeof(*r) + nr_slots * sizeof(u64);

	r = calloc(1, len);
	hdr(&r->hdr, DM_UNBALLOON_REQUEST, len);
	r->range_count = range_count;
	r->flags = flags;
	*size = len;
	return (u8 *)r;
}

static void test_unballoon(void)
{
	struct dm_unballoon_request *r;
	struct dm_host_msg m;
	u16 len;
	u8 *p;

	p = unballoon(2, 2, DM_UNBALLOON_MORE_PAGES, &len);
	r = (void *)p;
	r->ranges[0] = dm_range_make(0x1000, 512);
	r->ranges[1] = dm_range_make(0x5000, 1);
	CHECK_EQ(dm_check_msg(p, len, &m), DM_OK);
	CHECK(m.unballoon.more);
	CHECK_EQ(m.unballoon.count, 2);
	CHECK_EQ(dm_range_start(dm_unballoon_range(&m, 1)), 0x5000);

	r->range_count = 3;			/* one more than it carries */
	CHECK_EQ(dm_check_msg(p, len, &m), DM_BAD_COUNT);
	r->range_count = 0xffffffff;
	CHECK_EQ(dm_check_msg(p, len, &m), DM_BAD_COUNT);
	r->range_count = 2;
	r->ranges[1] = dm_range_make(0x5000, 0);	/* empty range */
	CHECK_EQ(dm_check_msg(p, len, &m), DM_BAD_RANGE);
	r->ranges[1] = dm_range_make(DM_RANGE_MAX_START, 2);	/* past the limit */
	CHECK_EQ(dm_check_msg(p, len, &m), DM_BAD_RANGE);
	r->ranges[1] = dm_range_make(DM_RANGE_MAX_START, 1);
	CHECK_EQ(dm_check_msg(p, len, &m), DM_OK);
	free(p);

	/* No ranges at all is a valid (if pointless) final message. */
	p = unballoon(0, 0, 0, &len);
	CHECK_EQ(dm_check_msg(p, len, &m), DM_OK);
	CHECK(!m.unballoon.more);
	CHECK_EQ(m.unballoon.count, 0);
	free(p);
}

static void test_hot_add(void)
{
	u8 buf[sizeof(struct dm_hot_add) + sizeof(u64)];
	struct dm_hot_add *ha = (void *)buf;
	struct dm_host_msg m;
	u64 region;

	memset(buf, 0, sizeof(buf));
	hdr(&ha->hdr, DM_MEM_HOT_ADD_REQUEST, sizeof(*ha));
	ha->range = dm_range_make(0x100000, 0x8000);
	CHECK_EQ(check(buf, sizeof(*ha), &m), DM_OK);
	CHECK_EQ(m.hot_add.start, 0x100000);
	CHECK_EQ(m.hot_add.count, 0x8000);
	CHECK_EQ(m.hot_add.rg_count, 0);

	/* QEMU's form: the region equals the range. */
	hdr(&ha->hdr, DM_MEM_HOT_ADD_REQUEST, sizeof(buf));
	region = dm_range_make(0x100000, 0x8000);
	memcpy(buf + sizeof(*ha), &region, sizeof(region));
	CHECK_EQ(check(buf, sizeof(buf), &m), DM_OK);
	CHECK_EQ(m.hot_add.rg_start, 0x100000);
	CHECK_EQ(m.hot_add.rg_count, 0x8000);

	region = dm_range_make(0x100001, 0x8000);	/* range starts before */
	memcpy(buf + sizeof(*ha), &region, sizeof(region));
	CHECK_EQ(check(buf, sizeof(buf), &m), DM_BAD_REGION);
	region = dm_range_make(0x100000, 0x7fff);	/* range ends after */
	memcpy(buf + sizeof(*ha), &region, sizeof(region));
	CHECK_EQ(check(buf, sizeof(buf), &m), DM_BAD_REGION);
	region = dm_range_make(0x100000, 0);
	memcpy(buf + sizeof(*ha), &region, sizeof(region));
	CHECK_EQ(check(buf, sizeof(buf), &m), DM_BAD_RANGE);

	/* A region cut short. */
	hdr(&ha->hdr, DM_MEM_HOT_ADD_REQUEST, sizeof(*ha) + 4);
	CHECK_EQ(check(buf, sizeof(*ha) + 4, &m), DM_BAD_LENGTH);

	hdr(&ha->hdr, DM_MEM_HOT_ADD_REQUEST, sizeof(*ha));
	ha->range = dm_range_make(0x100000, 0);
	CHECK_EQ(check(buf, sizeof(*ha), &m), DM_BAD_RANGE);
}

static void test_info(void)
{
	u8 buf[sizeof(struct dm_info) + sizeof(struct dm_info_header) + 8];
	struct dm_info *in = (void *)buf;
	struct dm_info_header ih = { DM_INFO_MAX_PAGE_CNT, 8 };
	u64 max = 0x400000;
	struct dm_host_msg m;

	memset(buf, 0, sizeof(buf));
	hdr(&in->hdr, DM_INFO_MESSAGE, sizeof(buf));
	in->info_size = sizeof(ih) + 8;
	memcpy(in->info, &ih, sizeof(ih));
	memcpy(in->info + sizeof(ih), &max, sizeof(max));
	CHECK_EQ(check(buf, sizeof(buf), &m), DM_OK);
	CHECK(m.info.has_max_page_cnt);
	CHECK_EQ(m.info.max_page_cnt, 0x400000);

	in->info_size = sizeof(ih) + 9;			/* beyond the message */
	CHECK_EQ(check(buf, sizeof(buf), &m), DM_BAD_COUNT);
	in->info_size = 4;				/* no room for a header */
	CHECK_EQ(check(buf, sizeof(buf), &m), DM_BAD_INFO);
	in->info_size = sizeof(ih) + 8;
	ih.data_size = 9;				/* beyond the info */
	memcpy(in->info, &ih, sizeof(ih));
	CHECK_EQ(check(buf, sizeof(buf), &m), DM_BAD_INFO);
	ih.data_size = 4;				/* wrong for the type */
	memcpy(in->info, &ih, sizeof(ih));
	CHECK_EQ(check(buf, sizeof(buf), &m), DM_BAD_INFO);
	ih.type = 7;					/* unknown: skipped */
	memcpy(in->info, &ih, sizeof(ih));
	CHECK_EQ(check(buf, sizeof(buf), &m), DM_OK);
	CHECK(!m.info.has_max_page_cnt);
	in->info_size = 0;
	CHECK_EQ(check(buf, sizeof(buf), &m), DM_OK);
}

static void test_versions(void)
{
	struct dm_version_request vr;

	CHECK_EQ(dm_next_version(DM_VERSION_2_0), DM_VERSION_1_0);
	CHECK_EQ(dm_next_version(DM_VERSION_1_0), DM_VERSION_0_3);
	CHECK_EQ(dm_next_version(DM_VERSION_0_3), 0);
	CHECK_EQ(DM_VERSION_2_0, 0x20000);
	CHECK_EQ(DM_VERSION_0_3, 0x3);

	dm_build_version_request(&vr, DM_VERSION_2_0, 5);
	CHECK_EQ(vr.hdr.type, DM_VERSION_REQUEST);
	CHECK_EQ(vr.hdr.size, 16);
	CHECK_EQ(vr.hdr.trans_id, 5);
	CHECK_EQ(vr.version, 0x20000);
	CHECK_EQ(vr.flags, 0);
	dm_build_version_request(&vr, DM_VERSION_0_3, 6);
	CHECK_EQ(vr.flags, DM_VERSION_LAST_ATTEMPT);
}

static void test_capabilities(void)
{
	struct dm_capabilities c;

	dm_build_capabilities(&c, true, true, 7, 9);	/* 128 MiB blocks */
	CHECK_EQ(c.hdr.type, DM_CAPABILITIES_REPORT);
	CHECK_EQ(c.hdr.size, 32);
	CHECK_EQ(c.caps, 0x1 | 0x2 | (7 << 2));
	CHECK_EQ(c.min_page_cnt, 0);
	CHECK_EQ(c.max_page_number, ~0ULL);
	dm_build_capabilities(&c, true, false, 40, 9);	/* clamped to 4 bits */
	CHECK_EQ(c.caps, 0x1 | (15 << 2));
}

static void test_status(void)
{
	struct dm_status s;

	dm_build_status(&s, 1000, 2000, 3);
	CHECK_EQ(s.hdr.type, DM_STATUS_REPORT);
	CHECK_EQ(s.hdr.size, 48);
	CHECK_EQ(s.num_avail, 1000);
	CHECK_EQ(s.num_committed, 2000);
	CHECK_EQ(s.page_file_size, 0);
	CHECK_EQ(s.io_diff, 0);
}

static void test_balloon_response(void)
{
	static u64 buf[DM_MAX_MSG_SIZE / sizeof(u64)];
	struct dm_balloon_response *r = (void *)buf;
	u32 i;

	dm_balloon_resp_init(r);
	CHECK_EQ(r->hdr.type, DM_BALLOON_RESPONSE);
	CHECK_EQ(r->hdr.size, 16);
	CHECK_EQ(dm_balloon_resp_ranges(r), 0);

	CHECK(dm_balloon_resp_add(r, 0x1000, 512));
	CHECK(dm_balloon_resp_add(r, 0x1200, 512));	/* merges */
	CHECK_EQ(dm_balloon_resp_ranges(r), 1);
	CHECK_EQ(dm_range_count(r->ranges[0]), 1024);
	CHECK(dm_balloon_resp_add(r, 0x9000, 1));	/* does not */
	CHECK_EQ(dm_balloon_resp_ranges(r), 2);
	CHECK_EQ(r->hdr.size, 16 + 2 * 8);
	CHECK(!dm_balloon_resp_add(r, 0x9001, 0));
	CHECK(!dm_balloon_resp_add(r, DM_RANGE_MAX_START, 2));

	dm_balloon_resp_finish(r, true, 11);
	CHECK_EQ(r->flags, (2 << 1) | 1);
	CHECK_EQ(r->hdr.trans_id, 11);
	dm_balloon_resp_finish(r, false, 12);
	CHECK_EQ(r->flags, 2 << 1);

	/* Fill it: every range must fit in one host page. */
	dm_balloon_resp_init(r);
	for (i = 0; i < DM_BALLOON_RESP_MAX_RANGES; i++)
		CHECK(dm_balloon_resp_add(r, 0x10000 + 2 * i, 1));
	CHECK(!dm_balloon_resp_add(r, 0x90000, 1));
	CHECK_EQ(r->hdr.size, DM_MAX_MSG_SIZE);
	CHECK_EQ(dm_balloon_resp_ranges(r), 510);
	/* A full response still merges what continues its last range. */
	CHECK(dm_balloon_resp_add(r, 0x10000 + 2 * (i - 1) + 1, 1));

	/* A merge never overflows the 24-bit count. */
	dm_balloon_resp_init(r);
	CHECK(dm_balloon_resp_add(r, 0, DM_RANGE_MAX_COUNT));
	CHECK(dm_balloon_resp_add(r, DM_RANGE_MAX_COUNT, 1));
	CHECK_EQ(dm_balloon_resp_ranges(r), 2);
}

#define MIB(x) ((u64)(x) << 8)	/* MiB in 4 KiB pages */

static void test_floor(void)
{
	CHECK_EQ(dm_balloon_floor(0, 12), MIB(8));
	CHECK_EQ(dm_balloon_floor(MIB(64), 12), MIB(8 + 32));
	CHECK_EQ(dm_balloon_floor(MIB(128), 12), MIB(40 + 32));
	CHECK_EQ(dm_balloon_floor(MIB(1024), 12), MIB(104 + 128));
	CHECK_EQ(dm_balloon_floor(MIB(2048), 12), MIB(232 + 128));
	CHECK_EQ(dm_balloon_floor(MIB(8192), 12), MIB(488 + 256));
	CHECK_EQ(dm_balloon_floor(MIB(32768), 12), MIB(488 + 1024));
	/* The curve has no steps: each piece meets the next. */
	CHECK_EQ(dm_balloon_floor(MIB(128) - 2, 12) + 1,
		 dm_balloon_floor(MIB(128), 12));
	/* 64 KiB pages: the same MiB figures. */
	CHECK_EQ(dm_balloon_floor(1024 * 16, 16), 104 * 16 + 1024 * 16 / 8);
}

static void test_committed(void)
{
	CHECK_EQ(dm_committed(100, 10, 50, 20, 5), 100 + 10 + 30 + 5);
	/* Offlining after onlining never makes the figure wrap. */
	CHECK_EQ(dm_committed(100, 0, 10, 20, 0), 100);
}

/*
 * Issue 24, item 4: unballoon requests naming no pages, sent while a long
 * inflate holds the queue, each cost an allocation and passed the cap.
 * Requests that take a slot stop at DM_MAX_QUEUED; a deflate burst naming
 * pages is bounded by the balloon instead.
 */
static void test_queue_bound(void)
{
	unsigned int queued = 0, taken = 0, i;
	u64 pages = 0;

	for (i = 0; i < 10 * DM_MAX_QUEUED; i++) {
		if (!dm_queue_room(queued, pages, 1000, DM_UNBALLOON_REQUEST, 0))
			continue;
		taken++;
		if (dm_queue_takes_slot(DM_UNBALLOON_REQUEST, 0))
			queued++;
	}
	CHECK_EQ(taken, DM_MAX_QUEUED);
	CHECK(!dm_queue_room(queued, pages, 1000, DM_BALLOON_REQUEST, 0));
	CHECK(!dm_queue_room(queued, pages, 1000, DM_MEM_HOT_ADD_REQUEST, 0));
	/* Pages named still go while the balloon holds them. */
	CHECK(!dm_queue_takes_slot(DM_UNBALLOON_REQUEST, 1));
	CHECK(dm_queue_room(queued, 0, 1000, DM_UNBALLOON_REQUEST, 1000));
	CHECK(!dm_queue_room(queued, 1, 1000, DM_UNBALLOON_REQUEST, 1000));
	CHECK(dm_queue_room(0, 0, 0, DM_BALLOON_REQUEST, 0));
}

static void test_names(void)
{
	CHECK(!strcmp(dm_msg_name(DM_INFO_MESSAGE), "info"));
	CHECK(!strcmp(dm_msg_name(999), "unknown"));
	CHECK(!strcmp(dm_verdict_name(DM_BAD_REGION), "range outside region"));
	CHECK(!strcmp(dm_verdict_name(DM_NR_VERDICTS), "unknown"));
}

/* Whatever the host sends, the checker reads only what it was given. */
static void test_fuzz(void)
{
	unsigned int seed = 12345, i, j;

	for (i = 0; i < 200000; i++) {
		u32 len = rand_r(&seed) % 64;
		struct dm_host_msg m;
		u8 *p = malloc(len ? len : 1);
		enum dm_verdict v;

		for (j = 0; j < len; j++)
			p[j] = rand_r(&seed);
		/* Keep the type and size plausible often enough to go deep. */
		if (len >= 4 && (i & 1)) {
			p[0] = rand_r(&seed) % 14;
			p[1] = 0;
			p[2] = len - (rand_r(&seed) % 3);
			p[3] = 0;
		}
		v = dm_check_msg(p, len, &m);
		CHECK((unsigned int)v < DM_NR_VERDICTS);
		if (v == DM_OK && m.type == DM_UNBALLOON_REQUEST)
			CHECK(sizeof(struct dm_unballoon_request) +
			      (u64)m.unballoon.count * 8 <= len);
		free(p);
	}
}

int main(void)
{
	UNIT_RUN(test_ranges);
	UNIT_RUN(test_header_checks);
	UNIT_RUN(test_size_over_page);
	UNIT_RUN(test_version_and_caps_responses);
	UNIT_RUN(test_unballoon);
	UNIT_RUN(test_hot_add);
	UNIT_RUN(test_info);
	UNIT_RUN(test_versions);
	UNIT_RUN(test_capabilities);
	UNIT_RUN(test_status);
	UNIT_RUN(test_balloon_response);
	UNIT_RUN(test_floor);
	UNIT_RUN(test_committed);
	UNIT_RUN(test_queue_bound);
	UNIT_RUN(test_names);
	UNIT_RUN(test_fuzz);
	return unit_summary();
}
