// SPDX-License-Identifier: GPL-2.0
/*
 * storvsc/vstor_check.c: each host packet kind accepted only when whole,
 * and each malformation the storage host model can send (tests/host/
 * hv-scsi.c's inject) refused with its own verdict.
 */
#include <stdio.h>
#include "test_vstor_shim.h"
#include "unit.h"
#include "../../storvsc/vstor_check.c"

static struct vstor_packet io_answer(u8 srb_status, u32 moved)
{
	struct vstor_packet p;

	memset(&p, 0, sizeof(p));
	p.hdr.operation = VSTOR_OP_COMPLETE_IO;
	p.srb.length = VSTOR_SRB_SIZE;
	p.srb.srb_status = srb_status;
	p.srb.transfer_length = moved;
	return p;
}

static const struct vstor_io_expect want_4k = {
	.version = VSTOR_VERSION_WIN10, .length = 4096, .sense_size = 96,
};

static void test_classify(void)
{
	enum vstor_kind k;
	u32 tag;

	CHECK_EQ(vstor_classify(VSTOR_PKT_COMP, vstor_io_id(7, 3), &k, &tag),
		 VSTOR_OK);
	CHECK_EQ(k, VSTOR_KIND_IO);
	CHECK_EQ(tag, 7);
	CHECK_EQ(vstor_classify(VSTOR_PKT_COMP, VSTOR_ID_CONTROL | 5, &k, &tag),
		 VSTOR_OK);
	CHECK_EQ(k, VSTOR_KIND_CONTROL);
	CHECK_EQ(vstor_classify(VSTOR_PKT_INBAND, 0, &k, &tag), VSTOR_OK);
	CHECK_EQ(k, VSTOR_KIND_HOST);
	/* the model's id0-complete is in-band; a completion with id 0 */
	CHECK_EQ(vstor_classify(VSTOR_PKT_COMP, 0, &k, &tag), VSTOR_BAD_ID0);
	/* an in-band packet that claims a request */
	CHECK_EQ(vstor_classify(VSTOR_PKT_INBAND, 9, &k, &tag), VSTOR_BAD_TYPE);
	CHECK_EQ(vstor_classify(7, 9, &k, &tag), VSTOR_BAD_TYPE);
	/* a generation with no tag in it */
	CHECK_EQ(vstor_classify(VSTOR_PKT_COMP, 1ULL << 32, &k, &tag),
		 VSTOR_BAD_ID);
}

static void test_io_id_generations(void)
{
	/* the same tag sent twice has two ids; the gen wraps inside its bits */
	CHECK(vstor_io_id(0, 1) != vstor_io_id(0, 2));
	CHECK_EQ(vstor_io_id(0xffff, 0xffffffffu) & VSTOR_ID_CONTROL, 0);
	CHECK_EQ((u32)vstor_io_id(0xfffffffeu, 0), 0xffffffffu);
}

static void test_copy_reads_once_and_zero_fills(void)
{
	u8 ring[200];
	struct vstor_packet p;

	memset(ring, 0xab, sizeof(ring));
	vstor_copy(&p, ring, 8);
	CHECK_EQ(p.hdr.operation, 0xabababab);
	CHECK_EQ(p.hdr.status, 0);
	CHECK_EQ(p.srb.transfer_length, 0);
	/* longer than a packet: only a packet is copied */
	vstor_copy(&p, ring, sizeof(ring));
	CHECK_EQ(p.srb.queue_sort_key, 0xabababab);
}

static void test_host_msgs(void)
{
	struct vstor_packet p;

	memset(&p, 0, sizeof(p));
	p.hdr.operation = VSTOR_OP_ENUMERATE_BUS;
	CHECK_EQ(vstor_check_host_msg(&p, VSTOR_PACKET_SIZE), VSTOR_BUS_CHANGED);
	p.hdr.operation = VSTOR_OP_REMOVE_DEVICE;
	CHECK_EQ(vstor_check_host_msg(&p, 4), VSTOR_BUS_CHANGED);
	CHECK_EQ(vstor_check_host_msg(&p, 3), VSTOR_BAD_SHORT);
	/* the model's id0-complete, fchba and unknown-op */
	p.hdr.operation = VSTOR_OP_COMPLETE_IO;
	CHECK_EQ(vstor_check_host_msg(&p, VSTOR_PACKET_SIZE), VSTOR_BAD_ID0);
	p.hdr.operation = VSTOR_OP_FCHBA_DATA;
	CHECK_EQ(vstor_check_host_msg(&p, VSTOR_PACKET_SIZE), VSTOR_BAD_ID0);
	p.hdr.operation = 0x42;
	CHECK_EQ(vstor_check_host_msg(&p, VSTOR_PACKET_SIZE), VSTOR_BAD_ID0);
}

static void test_io_answers(void)
{
	struct vstor_packet p = io_answer(VSTOR_SRB_SUCCESS, 4096);
	struct vstor_io_expect old = want_4k;

	CHECK_EQ(vstor_check_io(&p, VSTOR_PACKET_SIZE, &want_4k), VSTOR_OK);
	/* the model's short: 8 bytes */
	CHECK_EQ(vstor_check_io(&p, 8, &want_4k), VSTOR_BAD_SHORT);
	CHECK_EQ(vstor_check_io(&p, VSTOR_PACKET_SIZE - 1, &want_4k),
		 VSTOR_BAD_SHORT);
	/* a version not spoken has no size */
	old.version = VSTOR_VERSION(4, 2);
	CHECK_EQ(vstor_check_io(&p, VSTOR_PACKET_SIZE, &old), VSTOR_BAD_SHORT);
	/* the model's transfer-length: 2^32-1 bytes of a 4 KiB read */
	p.srb.transfer_length = 0xffffffffu;
	CHECK_EQ(vstor_check_io(&p, VSTOR_PACKET_SIZE, &want_4k),
		 VSTOR_BAD_TRANSFER);
	p.srb.transfer_length = 4097;
	CHECK_EQ(vstor_check_io(&p, VSTOR_PACKET_SIZE, &want_4k),
		 VSTOR_BAD_TRANSFER);
	p.srb.transfer_length = 0;
	p.hdr.operation = VSTOR_OP_ENUMERATE_BUS;
	CHECK_EQ(vstor_check_io(&p, VSTOR_PACKET_SIZE, &want_4k), VSTOR_BAD_OP);
}

static void test_srb_status(void)
{
	struct vstor_packet p = io_answer(VSTOR_SRB_PENDING, 0);

	CHECK_EQ(vstor_check_io(&p, VSTOR_PACKET_SIZE, &want_4k),
		 VSTOR_BAD_SRB_STATUS);
	p.srb.srb_status = VSTOR_SRB_STATUS_MAX + 1;
	CHECK_EQ(vstor_check_io(&p, VSTOR_PACKET_SIZE, &want_4k),
		 VSTOR_BAD_SRB_STATUS);
	p.srb.srb_status = VSTOR_SRB_ERROR | VSTOR_SRB_QUEUE_FROZEN;
	CHECK_EQ(vstor_check_io(&p, VSTOR_PACKET_SIZE, &want_4k), VSTOR_OK);
	p.srb.srb_status = VSTOR_SRB_INVALID_LUN;
	CHECK_EQ(vstor_check_io(&p, VSTOR_PACKET_SIZE, &want_4k), VSTOR_OK);
}

static void test_sense(void)
{
	struct vstor_packet p = io_answer(VSTOR_SRB_ERROR |
					  VSTOR_SRB_AUTOSENSE_VALID, 0);
	struct vstor_io_expect small = want_4k;

	p.srb.sense_length = VSTOR_SENSE_MAX;
	CHECK_EQ(vstor_check_io(&p, VSTOR_PACKET_SIZE, &want_4k), VSTOR_OK);
	p.srb.sense_length = VSTOR_SENSE_MAX + 1;
	CHECK_EQ(vstor_check_io(&p, VSTOR_PACKET_SIZE, &want_4k),
		 VSTOR_BAD_SENSE);
	small.sense_size = 8;
	p.srb.sense_length = 9;
	CHECK_EQ(vstor_check_io(&p, VSTOR_PACKET_SIZE, &small), VSTOR_BAD_SENSE);
	/* without AUTOSENSE_VALID the length is not used: not refused */
	p.srb.srb_status = VSTOR_SRB_ERROR;
	p.srb.sense_length = 0xff;
	CHECK_EQ(vstor_check_io(&p, VSTOR_PACKET_SIZE, &want_4k), VSTOR_OK);
}

static void test_replies(void)
{
	struct vstor_packet p;

	memset(&p, 0, sizeof(p));
	p.hdr.operation = VSTOR_OP_COMPLETE_IO;
	CHECK_EQ(vstor_check_reply(&p, 12, VSTOR_OP_BEGIN_INITIALIZATION),
		 VSTOR_OK);
	CHECK_EQ(vstor_check_reply(&p, 11, VSTOR_OP_QUERY_PROTOCOL_VERSION),
		 VSTOR_BAD_SHORT);
	CHECK_EQ(vstor_check_reply(&p, 35, VSTOR_OP_QUERY_PROPERTIES),
		 VSTOR_BAD_SHORT);
	CHECK_EQ(vstor_check_reply(&p, 36, VSTOR_OP_QUERY_PROPERTIES),
		 VSTOR_OK);
	p.hdr.operation = VSTOR_OP_EXECUTE_SRB;
	CHECK_EQ(vstor_check_reply(&p, 64, VSTOR_OP_CREATE_SUB_CHANNELS),
		 VSTOR_BAD_OP);
}

static void test_properties(void)
{
	struct vstor_properties pr;
	u32 x;
	u16 n;

	memset(&pr, 0, sizeof(pr));
	pr.max_transfer_bytes = 512 * 1024 + 100;
	pr.max_channel_count = 3;
	CHECK_EQ(vstor_check_properties(&pr, 8 << 20, 64, &x, &n), VSTOR_OK);
	CHECK_EQ(x, 512 * 1024);
	CHECK_EQ(n, 0);		/* no multi-channel flag: no sub-channels */
	pr.flags = VSTOR_PROP_MULTI_CHANNEL;
	pr.max_channel_count = 1000;
	pr.max_transfer_bytes = 0xffffffffu;
	CHECK_EQ(vstor_check_properties(&pr, 8 << 20, 64, &x, &n), VSTOR_OK);
	CHECK_EQ(x, 8 << 20);
	CHECK_EQ(n, 64);
	pr.max_transfer_bytes = 4095;
	CHECK_EQ(vstor_check_properties(&pr, 8 << 20, 64, &x, &n),
		 VSTOR_BAD_PROPERTIES);
	CHECK_EQ(x, 0);
}

static void test_names(void)
{
	int v;

	for (v = 0; v < VSTOR_NR_VERDICTS; v++)
		CHECK(vstor_verdict_names[v]);
	CHECK(!strcmp(vstor_verdict_name(VSTOR_NR_VERDICTS), "unknown verdict"));
}

int main(void)
{
	UNIT_RUN(test_classify);
	UNIT_RUN(test_io_id_generations);
	UNIT_RUN(test_copy_reads_once_and_zero_fills);
	UNIT_RUN(test_host_msgs);
	UNIT_RUN(test_io_answers);
	UNIT_RUN(test_srb_status);
	UNIT_RUN(test_sense);
	UNIT_RUN(test_replies);
	UNIT_RUN(test_properties);
	UNIT_RUN(test_names);
	return unit_summary();
}
