// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the NVSP checks (netvsc/nvsp_check.c): completions matched
 * to the requests our transaction ids name, the buffer layouts the host
 * answers with, the sub-channel grant, in-band messages and transfer-page
 * packets. Every packet sits in a heap buffer of exactly its length, so
 * AddressSanitizer catches a read past what the host sent.
 */
#include <stdlib.h>
#include "kshim.h"
#include "unit.h"
#include "../../netvsc/nvsp_check.c"

#define V61 NVSP_VERSION_61

static u8 *copy(const void *msg, size_t len)
{
	u8 *p = malloc(len ? len : 1);

	if (len)
		memcpy(p, msg, len);
	return p;
}

static enum nvsp_verdict comp(const void *msg, u32 len, u64 tid, u32 ver,
			      struct nvsp_comp *c)
{
	u8 *p = copy(msg, len);
	enum nvsp_verdict v = nvsp_check_comp(p, len, tid, ver, 8, c);

	free(p);
	return v;
}

static enum nvsp_verdict inband(const void *msg, u32 len, u32 ver, u32 nchan,
				struct nvsp_inband *m)
{
	u8 *p = copy(msg, len);
	enum nvsp_verdict v = nvsp_check_inband(p, len, ver, nchan, m);

	free(p);
	return v;
}

static void test_layouts(void)
{
	CHECK_EQ(offsetof(struct nvsp_rxbuf_complete, section), 12);
	CHECK_EQ(offsetof(struct nvsp_ndis_config, caps), 12);
	CHECK_EQ(offsetof(struct nvsp_xfer_hdr, range_cnt), 20);
	CHECK_EQ(offsetof(struct nvsp_xfer_hdr, ranges), 24);
	CHECK_EQ(offsetof(struct nvsp_xfer_range, byte_offset), 4);
	CHECK_EQ(NVSP_MSG1_RNDIS_PKT_COMPLETE, 108);
	CHECK_EQ(NVSP_MSG2_NDIS_CONFIG, 125);
	CHECK_EQ(NVSP_MSG4_VF_ASSOCIATION, 128);
	CHECK_EQ(NVSP_MSG5_SUBCHANNEL, 133);
	CHECK_EQ(NVSP_MSG5_SEND_TABLE, 134);
}

static void test_tids(void)
{
	struct nvsp_rndis_pkt_complete pc = { NVSP_MSG1_RNDIS_PKT_COMPLETE, 1 };
	struct nvsp_comp c;

	CHECK_EQ(comp(&pc, sizeof(pc), nvsp_tid(NVSP_TID_DATA, 7), V61, &c), NVSP_OK);
	CHECK_EQ(c.kind, NVSP_TID_DATA);
	CHECK_EQ(c.slot, 7);
	CHECK_EQ(c.status, 1);
	CHECK_EQ(comp(&pc, sizeof(pc), nvsp_tid(NVSP_TID_RNDIS, 0), V61, &c), NVSP_OK);
	CHECK_EQ(c.kind, NVSP_TID_RNDIS);
	/* Slots are bounded by what we have (8 here). */
	CHECK_EQ(comp(&pc, sizeof(pc), nvsp_tid(NVSP_TID_DATA, 8), V61, &c), NVSP_BAD_TID);
	/* Not our tag, an unknown kind, stray bits, a control id naming no request. */
	CHECK_EQ(comp(&pc, sizeof(pc), 7, V61, &c), NVSP_BAD_TID);
	CHECK_EQ(comp(&pc, sizeof(pc), nvsp_tid(9, 0), V61, &c), NVSP_BAD_TID);
	CHECK_EQ(comp(&pc, sizeof(pc), nvsp_tid(NVSP_TID_DATA, 0) | 1ULL << 33, V61, &c),
		 NVSP_BAD_TID);
	CHECK_EQ(comp(&pc, sizeof(pc), nvsp_tid(NVSP_TID_CTRL, 55), V61, &c), NVSP_BAD_TID);
	/* A data id completed by anything but RNDIS_PKT_COMPLETE. */
	pc.type = NVSP_MSG1_TXBUF_COMPLETE;
	CHECK_EQ(comp(&pc, sizeof(pc), nvsp_tid(NVSP_TID_DATA, 1), V61, &c), NVSP_BAD_MATCH);
	CHECK_EQ(comp(NULL, 0, nvsp_tid(NVSP_TID_DATA, 1), V61, &c), NVSP_BAD_MATCH);
	pc.type = NVSP_MSG1_RNDIS_PKT_COMPLETE;
	CHECK_EQ(comp(&pc, 7, nvsp_tid(NVSP_TID_DATA, 1), V61, &c), NVSP_BAD_LENGTH);
	CHECK_EQ(comp(&pc, 3, nvsp_tid(NVSP_TID_DATA, 1), V61, &c), NVSP_BAD_LENGTH);
}

static void test_ctrl_comps(void)
{
	struct nvsp_init_complete ic = { NVSP_MSG_INIT_COMPLETE, V61, 0, 1 };
	struct nvsp_subchannel_complete sc = { NVSP_MSG5_SUBCHANNEL, 1, 3 };
	u64 init = nvsp_tid(NVSP_TID_CTRL, NVSP_MSG_INIT);
	u64 sub = nvsp_tid(NVSP_TID_CTRL, NVSP_MSG5_SUBCHANNEL);
	struct nvsp_comp c;
	u32 n = 0, zero = 0;

	/* INIT_COMPLETE arrives before any version is agreed. */
	CHECK_EQ(comp(&ic, sizeof(ic), init, 0, &c), NVSP_OK);
	CHECK_EQ(c.ver, V61);
	CHECK_EQ(c.status, 1);
	CHECK_EQ(comp(&ic, sizeof(ic) - 1, init, 0, &c), NVSP_BAD_LENGTH);
	/* The completion of another request than the id names. */
	CHECK_EQ(comp(&sc, sizeof(sc), init, V61, &c), NVSP_BAD_MATCH);
	/* A sub-channel grant is NVSP 5's. */
	CHECK_EQ(comp(&sc, sizeof(sc), sub, NVSP_VERSION_4, &c), NVSP_BAD_VERSION);
	CHECK_EQ(comp(&sc, sizeof(sc), sub, NVSP_VERSION_5, &c), NVSP_OK);
	CHECK_EQ(nvsp_check_subch(&c, 3, &n), NVSP_OK);
	CHECK_EQ(n, 3);
	CHECK_EQ(nvsp_check_subch(&c, 2, &n), NVSP_BAD_COUNT);
	sc.status = NVSP_STATUS_FAIL;
	CHECK_EQ(comp(&sc, sizeof(sc), sub, V61, &c), NVSP_OK);
	CHECK_EQ(nvsp_check_subch(&c, 3, &n), NVSP_BAD_STATUS);
	/* The data-path switch is completed empty, and only empty. */
	CHECK_EQ(comp(NULL, 0, nvsp_tid(NVSP_TID_CTRL, NVSP_MSG4_SWITCH_DATA_PATH),
		      V61, &c), NVSP_OK);
	CHECK_EQ(c.type, NVSP_MSG_NONE);
	/* A body of type NONE is not an empty completion. */
	CHECK_EQ(comp(&zero, 4, nvsp_tid(NVSP_TID_CTRL, NVSP_MSG4_SWITCH_DATA_PATH),
		      V61, &c), NVSP_BAD_TYPE);
	CHECK_EQ(comp(&ic, sizeof(ic), nvsp_tid(NVSP_TID_CTRL, NVSP_MSG4_SWITCH_DATA_PATH),
		      V61, &c), NVSP_BAD_MATCH);
	CHECK_EQ(comp(NULL, 0, nvsp_tid(NVSP_TID_CTRL, NVSP_MSG4_SWITCH_DATA_PATH),
		      NVSP_VERSION_2, &c), NVSP_BAD_VERSION);
}

static void test_rxbuf(void)
{
	struct nvsp_rxbuf_complete rc = {
		NVSP_MSG1_RXBUF_COMPLETE, 1, 1, { 0, 1728, 9709, 1728 * 9709 }
	};
	u64 tid = nvsp_tid(NVSP_TID_CTRL, NVSP_MSG1_RXBUF);
	u32 size = 16 << 20, sz = 0, n = 0;
	struct nvsp_comp c;

	CHECK_EQ(comp(&rc, sizeof(rc), tid, V61, &c), NVSP_OK);
	CHECK_EQ(nvsp_check_rxbuf(&c, size, &sz, &n), NVSP_OK);
	CHECK_EQ(sz, 1728);
	CHECK_EQ(n, 9709);
	/* Exactly as large as the buffer is fine, one more is not. */
	rc.section.num_sub_allocs = size / 1728;
	CHECK_EQ(comp(&rc, sizeof(rc), tid, V61, &c), NVSP_OK);
	CHECK_EQ(nvsp_check_rxbuf(&c, size / 1728 * 1728, &sz, &n), NVSP_OK);
	CHECK_EQ(nvsp_check_rxbuf(&c, size / 1728 * 1728 - 1, &sz, &n), NVSP_BAD_SECTION);
	/* A product that wraps 32 bits is still too large. */
	rc.section.sub_alloc_size = 0x10000;
	rc.section.num_sub_allocs = 0x10000;
	CHECK_EQ(comp(&rc, sizeof(rc), tid, V61, &c), NVSP_OK);
	CHECK_EQ(nvsp_check_rxbuf(&c, size, &sz, &n), NVSP_BAD_SECTION);
	rc.section.sub_alloc_size = 67;
	rc.section.num_sub_allocs = 10;
	CHECK_EQ(comp(&rc, sizeof(rc), tid, V61, &c), NVSP_OK);
	CHECK_EQ(nvsp_check_rxbuf(&c, size, &sz, &n), NVSP_BAD_SECTION);
	rc.section.sub_alloc_size = 1728;
	rc.section.num_sub_allocs = 0;
	CHECK_EQ(comp(&rc, sizeof(rc), tid, V61, &c), NVSP_OK);
	CHECK_EQ(nvsp_check_rxbuf(&c, size, &sz, &n), NVSP_BAD_SECTION);
	rc.section.num_sub_allocs = 10;
	rc.section.offset = 64;
	CHECK_EQ(comp(&rc, sizeof(rc), tid, V61, &c), NVSP_OK);
	CHECK_EQ(nvsp_check_rxbuf(&c, size, &sz, &n), NVSP_BAD_SECTION);
	rc.section.offset = 0;
	rc.num_sections = 2;
	CHECK_EQ(comp(&rc, sizeof(rc), tid, V61, &c), NVSP_OK);
	CHECK_EQ(nvsp_check_rxbuf(&c, size, &sz, &n), NVSP_BAD_SECTION);
	rc.num_sections = 1;
	rc.status = NVSP_STATUS_FAIL;
	CHECK_EQ(comp(&rc, sizeof(rc), tid, V61, &c), NVSP_OK);
	CHECK_EQ(nvsp_check_rxbuf(&c, size, &sz, &n), NVSP_BAD_STATUS);
	/* The section lies past a short completion's end. */
	CHECK_EQ(comp(&rc, sizeof(rc) - 4, tid, V61, &c), NVSP_BAD_LENGTH);
}

static void test_txbuf(void)
{
	struct nvsp_txbuf_complete tc = { NVSP_MSG1_TXBUF_COMPLETE, 1, 6144 };
	u64 tid = nvsp_tid(NVSP_TID_CTRL, NVSP_MSG1_TXBUF);
	u32 sz = 0, n = 0;
	struct nvsp_comp c;

	CHECK_EQ(comp(&tc, sizeof(tc), tid, V61, &c), NVSP_OK);
	CHECK_EQ(nvsp_check_txbuf(&c, 1 << 20, &sz, &n), NVSP_OK);
	CHECK_EQ(sz, 6144);
	CHECK_EQ(n, (1 << 20) / 6144);
	/* Virtuozzo's model answered 1: below a frame, refused. */
	tc.section_size = 1;
	CHECK_EQ(comp(&tc, sizeof(tc), tid, V61, &c), NVSP_OK);
	CHECK_EQ(nvsp_check_txbuf(&c, 1 << 20, &sz, &n), NVSP_BAD_SECTION);
	tc.section_size = (1 << 20) + 1;
	CHECK_EQ(comp(&tc, sizeof(tc), tid, V61, &c), NVSP_OK);
	CHECK_EQ(nvsp_check_txbuf(&c, 1 << 20, &sz, &n), NVSP_BAD_SECTION);
	/* A receive-buffer answer is not a send-buffer one. */
	CHECK_EQ(nvsp_check_rxbuf(&c, 1 << 20, &sz, &n), NVSP_BAD_MATCH);
}

static void table_msg(u8 *buf, u32 count, u32 offset, u32 tab_at, u32 first)
{
	struct nvsp_send_table t = { NVSP_MSG5_SEND_TABLE, count, offset };
	u32 i, e;

	memcpy(buf, &t, sizeof(t));
	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++) {
		e = (first + i) % 4;
		memcpy(buf + tab_at + 4 * i, &e, 4);
	}
}

static void test_inband(void)
{
	struct nvsp_vf_association vf = { NVSP_MSG4_VF_ASSOCIATION, 1, 42 };
	u8 buf[NVSP_MSG_SIZE + 64 + 8];
	struct nvsp_inband m;
	u32 one = NVSP_MSG1_RNDIS_PKT;

	CHECK_EQ(inband(&vf, sizeof(vf), NVSP_VERSION_4, 1, &m), NVSP_OK);
	CHECK_EQ(m.vf.allocated, 1);
	CHECK_EQ(m.vf.serial, 42);
	CHECK_EQ(inband(&vf, sizeof(vf), NVSP_VERSION_2, 1, &m), NVSP_BAD_VERSION);
	CHECK_EQ(inband(&vf, sizeof(vf) - 1, NVSP_VERSION_4, 1, &m), NVSP_BAD_LENGTH);
	CHECK_EQ(inband(&one, 4, V61, 1, &m), NVSP_BAD_TYPE);
	CHECK_EQ(inband(&one, 3, V61, 1, &m), NVSP_BAD_LENGTH);

	/* NVSP 6.1: the table where the offset says. */
	memset(buf, 0xee, sizeof(buf));
	table_msg(buf, 16, 12, 12, 1);
	CHECK_EQ(inband(buf, 12 + 64, V61, 4, &m), NVSP_OK);
	CHECK_EQ(m.table[0], 1);
	CHECK_EQ(m.table[15], 0);
	/* An entry naming a channel we do not have. */
	CHECK_EQ(inband(buf, 12 + 64, V61, 3, &m), NVSP_BAD_TABLE);
	/* The table running past the message, or over its own fields. */
	CHECK_EQ(inband(buf, 12 + 63, V61, 4, &m), NVSP_BAD_TABLE);
	table_msg(buf, 16, 0xfffffff0, 12, 1);
	CHECK_EQ(inband(buf, 12 + 64, V61, 4, &m), NVSP_BAD_TABLE);
	table_msg(buf, 16, 4, 12, 1);
	CHECK_EQ(inband(buf, 12 + 64, V61, 4, &m), NVSP_BAD_TABLE);
	table_msg(buf, 15, 12, 12, 1);
	CHECK_EQ(inband(buf, 12 + 64, V61, 4, &m), NVSP_BAD_TABLE);
	/* Up to NVSP 6 the table follows a full message, whatever the offset. */
	memset(buf, 0xee, sizeof(buf));
	table_msg(buf, 16, 12, NVSP_MSG_SIZE, 2);
	CHECK_EQ(inband(buf, NVSP_MSG_SIZE + 64, NVSP_VERSION_6, 4, &m), NVSP_OK);
	CHECK_EQ(m.table[0], 2);
	CHECK_EQ(m.table[2], 0);
	/* ...and on 6.1 the same bytes at offset 12 are garbage. */
	CHECK_EQ(inband(buf, NVSP_MSG_SIZE + 64, V61, 4, &m), NVSP_BAD_TABLE);
	CHECK_EQ(inband(buf, NVSP_MSG_SIZE + 64, NVSP_VERSION_4, 4, &m),
		 NVSP_BAD_VERSION);
}

/* A transfer-page packet of @n ranges, with @extra bytes of NVSP message. */
static u8 *xfer_pkt(u32 n, u32 *len, u16 pageset, u32 type)
{
	u32 off = (u32)(sizeof(struct nvsp_xfer_hdr) + n * 8 + 7) & ~7u;
	struct nvsp_xfer_hdr h = { 0 };
	struct nvsp_rndis_pkt rp = { type, 0, NVSP_NO_SECTION, 0 };
	u8 *p;
	u32 i, r[2];

	*len = off + sizeof(rp);
	p = calloc(1, *len);
	h.desc.type = NVSP_PKT_XFER_PAGES;
	h.desc.offset8 = off >> 3;
	h.desc.len8 = (*len + 7) >> 3;
	h.desc.trans_id = 0x1234;
	h.pageset_id = pageset;
	h.range_cnt = n;
	memcpy(p, &h, sizeof(h));
	for (i = 0; i < n; i++) {
		r[0] = 100 + i;		/* byte_count */
		r[1] = 2000 * i;	/* byte_offset */
		memcpy(p + sizeof(h) + 8 * i, r, 8);
	}
	memcpy(p + off, &rp, sizeof(rp));
	return p;
}

static void test_xfer(void)
{
	struct nvsp_xfer x;
	u32 len, o = 0, l = 0, r[2];
	u8 *p;

	p = xfer_pkt(3, &len, NVSP_RXBUF_ID, NVSP_MSG1_RNDIS_PKT);
	CHECK_EQ(nvsp_check_xfer(p, len, &x), NVSP_OK);
	CHECK_EQ(x.count, 3);
	CHECK_EQ(x.tid, 0x1234);
	CHECK_EQ(nvsp_check_range(&x, 2, 1 << 20, 1728, &o, &l), NVSP_OK);
	CHECK_EQ(o, 4000);
	CHECK_EQ(l, 102);
	CHECK_EQ(nvsp_check_range(&x, 3, 1 << 20, 1728, &o, &l), NVSP_BAD_RANGES);
	/* Range 2 ends at 4102: a buffer of 4101 bytes cannot hold it. */
	CHECK_EQ(nvsp_check_range(&x, 2, 4102, 1728, &o, &l), NVSP_OK);
	CHECK_EQ(nvsp_check_range(&x, 2, 4101, 1728, &o, &l), NVSP_BAD_RANGE);
	CHECK_EQ(nvsp_check_range(&x, 2, 1 << 20, 101, &o, &l), NVSP_BAD_RANGE);
	/* Offset and count that wrap 32 bits when added. */
	r[0] = 16;
	r[1] = 0xfffffff8;
	memcpy(p + sizeof(struct nvsp_xfer_hdr), r, 8);
	CHECK_EQ(nvsp_check_range(&x, 0, 0xffffffff, 1728, &o, &l), NVSP_BAD_RANGE);
	r[0] = 0;
	r[1] = 0;
	memcpy(p + sizeof(struct nvsp_xfer_hdr), r, 8);
	CHECK_EQ(nvsp_check_range(&x, 0, 1 << 20, 1728, &o, &l), NVSP_BAD_RANGE);
	/* Truncated before the NVSP message, or inside the header. */
	CHECK_EQ(nvsp_check_xfer(p, len - sizeof(struct nvsp_rndis_pkt) + 3, &x),
		 NVSP_BAD_LENGTH);
	CHECK_EQ(nvsp_check_xfer(p, 23, &x), NVSP_BAD_XFER);
	/* More ranges than the header room before the message. */
	p[20] = 4;
	CHECK_EQ(nvsp_check_xfer(p, len, &x), NVSP_BAD_RANGES);
	p[20] = 3;
	/* A data offset past the packet, or inside the fixed header. */
	p[2] = (u8)((len >> 3) + 1);
	CHECK_EQ(nvsp_check_xfer(p, len, &x), NVSP_BAD_XFER);
	p[2] = 2;
	CHECK_EQ(nvsp_check_xfer(p, len, &x), NVSP_BAD_XFER);
	free(p);

	p = xfer_pkt(1, &len, 0xcaff, NVSP_MSG1_RNDIS_PKT);
	CHECK_EQ(nvsp_check_xfer(p, len, &x), NVSP_BAD_PAGESET);
	free(p);
	p = xfer_pkt(1, &len, NVSP_RXBUF_ID, NVSP_MSG1_RXBUF_COMPLETE);
	CHECK_EQ(nvsp_check_xfer(p, len, &x), NVSP_BAD_TYPE);
	p[0] = 6;	/* an in-band packet is not a transfer-page one */
	CHECK_EQ(nvsp_check_xfer(p, len, &x), NVSP_BAD_XFER);
	free(p);
	/* The cap: 562 ranges fit, 563 do not, however much room. */
	p = xfer_pkt(NVSP_MAX_XFER_RANGES, &len, NVSP_RXBUF_ID, NVSP_MSG1_RNDIS_PKT);
	CHECK_EQ(nvsp_check_xfer(p, len, &x), NVSP_OK);
	CHECK_EQ(nvsp_check_range(&x, 561, 2 << 20, 1728, &o, &l), NVSP_OK);
	CHECK_EQ(o, 2000 * 561);
	free(p);
	p = xfer_pkt(NVSP_MAX_XFER_RANGES + 1, &len, NVSP_RXBUF_ID, NVSP_MSG1_RNDIS_PKT);
	CHECK_EQ(nvsp_check_xfer(p, len, &x), NVSP_BAD_RANGES);
	free(p);
}

static void test_names(void)
{
	int v;

	for (v = 0; v < NVSP_NR_VERDICTS; v++)
		CHECK(nvsp_verdict_name(v) != NULL);
	CHECK(!strcmp(nvsp_verdict_name(NVSP_NR_VERDICTS), "unknown"));
}

int main(void)
{
	UNIT_RUN(test_layouts);
	UNIT_RUN(test_tids);
	UNIT_RUN(test_ctrl_comps);
	UNIT_RUN(test_rxbuf);
	UNIT_RUN(test_txbuf);
	UNIT_RUN(test_inband);
	UNIT_RUN(test_xfer);
	UNIT_RUN(test_names);
	return unit_summary();
}
