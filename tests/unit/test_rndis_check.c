// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the RNDIS checks (netvsc/rndis_check.c): message lengths
 * against the range, the frame and per-packet info inside a data packet,
 * query answers, status indications and the NDIS objects the host answers
 * with. Every message sits in a heap buffer of exactly the range's length,
 * so AddressSanitizer catches a read past it.
 */
#include <stdlib.h>
#include "kshim.h"
#include "unit.h"
#include "../../netvsc/rndis_check.c"

static enum rndis_verdict check(const void *msg, u32 len, struct rndis_host_msg *m)
{
	u8 *p = malloc(len ? len : 1);
	enum rndis_verdict v;

	if (len)
		memcpy(p, msg, len);
	v = rndis_check_msg(p, len, m);
	free(p);
	return v;
}

static void put32(u8 *p, u32 off, u32 v)
{
	memcpy(p + off, &v, 4);
}

/*
 * A data packet as Hyper-V lays it out: the packet fields, @nppi u32
 * records (type, value) and then @data_len bytes of frame.
 */
static u32 data_pkt(u8 *p, const u32 (*ppi)[2], u32 nppi, u32 data_len)
{
	struct rndis_packet pk;
	u32 ppi_len = nppi * sizeof(struct rndis_ppi_u32), i;
	struct rndis_ppi_u32 r;

	memset(&pk, 0, sizeof(pk));
	pk.hdr.type = RNDIS_MSG_PACKET;
	pk.ppi_offset = sizeof(pk) - RNDIS_HDR_SIZE;
	pk.ppi_len = ppi_len;
	pk.data_offset = pk.ppi_offset + ppi_len;
	pk.data_len = data_len;
	pk.hdr.len = sizeof(pk) + ppi_len + data_len;
	memcpy(p, &pk, sizeof(pk));
	for (i = 0; i < nppi; i++) {
		r.ppi.size = sizeof(r);
		r.ppi.type = ppi[i][0];
		r.ppi.offset = sizeof(r.ppi);
		r.value = ppi[i][1];
		memcpy(p + sizeof(pk) + i * sizeof(r), &r, sizeof(r));
	}
	memset(p + sizeof(pk) + ppi_len, 0x5a, data_len);
	return pk.hdr.len;
}

static void test_layouts(void)
{
	CHECK_EQ(offsetof(struct rndis_packet, data_offset), 8);
	CHECK_EQ(offsetof(struct rndis_packet, ppi_offset), 28);
	CHECK_EQ(offsetof(struct rndis_init_comp, align_shift), 40);
	CHECK_EQ(offsetof(struct ndis_rss_params, ind_offset), 16);
	CHECK_EQ(offsetof(struct ndis_rss_params, key_offset), 24);
	CHECK_EQ(offsetof(struct ndis_offload_caps, lsov2), 80);
	CHECK_EQ(offsetof(struct ndis_offload_caps, ipsecv2), NDIS_OFFLOAD_SIZE_6_0);
	CHECK_EQ(offsetof(struct ndis_offload_caps, rsc_ip4), NDIS_OFFLOAD_SIZE_6_1);
	CHECK_EQ(offsetof(struct ndis_offload_params, flags), 16);
	CHECK_EQ(offsetof(struct ndis_offload_params, rsc_ip4), 22);
	CHECK_EQ(RNDIS_MSG_QUERY | RNDIS_MSG_COMPLETION, RNDIS_MSG_QUERY_C);
}

static void test_header(void)
{
	struct rndis_set_comp sc = { { RNDIS_MSG_SET_C, sizeof(sc) }, 9, 0 };
	struct rndis_host_msg m;
	u8 buf[64] = { 0 };

	CHECK_EQ(check(&sc, sizeof(sc), &m), RNDIS_OK);
	CHECK_EQ(m.type, RNDIS_MSG_SET_C);
	CHECK_EQ(m.comp.req_id, 9);
	/* Trailing padding in the range is fine; the header's length rules. */
	memcpy(buf, &sc, sizeof(sc));
	CHECK_EQ(check(buf, sizeof(buf), &m), RNDIS_OK);
	CHECK_EQ(m.len, sizeof(sc));
	CHECK_EQ(check(&sc, 7, &m), RNDIS_BAD_LENGTH);
	CHECK_EQ(check(&sc, 0, &m), RNDIS_BAD_LENGTH);
	/* A length past the range, or below a header. */
	sc.hdr.len = sizeof(sc) + 1;
	CHECK_EQ(check(&sc, sizeof(sc), &m), RNDIS_BAD_MSG_LEN);
	sc.hdr.len = 7;
	CHECK_EQ(check(&sc, sizeof(sc), &m), RNDIS_BAD_MSG_LEN);
	/* Shorter than its type. */
	sc.hdr.len = sizeof(sc) - 1;
	CHECK_EQ(check(&sc, sizeof(sc), &m), RNDIS_BAD_LENGTH);
	/* Requests only a guest sends, and nonsense. */
	sc.hdr.len = sizeof(sc);
	sc.hdr.type = RNDIS_MSG_QUERY;
	CHECK_EQ(check(&sc, sizeof(sc), &m), RNDIS_BAD_TYPE);
	sc.hdr.type = RNDIS_MSG_INIT;
	CHECK_EQ(check(&sc, sizeof(sc), &m), RNDIS_BAD_TYPE);
	sc.hdr.type = 0x42;
	CHECK_EQ(check(&sc, sizeof(sc), &m), RNDIS_BAD_TYPE);
}

static void test_init(void)
{
	struct rndis_init_comp ic = { { RNDIS_MSG_INIT_C, sizeof(ic) }, 1, 0,
				      1, 0, 1, 0, 8, 0x4000, 3, 0, 0 };
	struct rndis_host_msg m;

	CHECK_EQ(check(&ic, sizeof(ic), &m), RNDIS_OK);
	CHECK_EQ(m.init.max_pkts, 8);
	CHECK_EQ(m.init.align_shift, 3);
	CHECK_EQ(m.init.max_xfer_size, 0x4000);
	ic.hdr.len = sizeof(ic) - 4;
	CHECK_EQ(check(&ic, sizeof(ic), &m), RNDIS_BAD_LENGTH);
}

static void test_packet(void)
{
	const u32 ppi[][2] = {
		{ 77, 1 },			/* unknown: skipped */
		{ RNDIS_PPI_CSUM, NDIS_RXCSUM_TCP_OK },
		{ RNDIS_PPI_VLAN, 5 << NDIS_VLAN_ID_SHIFT },
		{ RNDIS_PPI_HASH_VALUE, 0xabcdef01 },
		{ RNDIS_PPI_CSUM, 0 },		/* a second one: the first wins */
	};
	struct rndis_host_msg m;
	u8 p[512];
	u32 len;

	len = data_pkt(p, ppi, 5, 60);
	CHECK_EQ(check(p, len, &m), RNDIS_OK);
	CHECK_EQ(m.pkt.data_off, 44 + 5 * 16);
	CHECK_EQ(m.pkt.data_len, 60);
	CHECK_EQ(m.pkt.has, RNDIS_HAS_CSUM | RNDIS_HAS_VLAN | RNDIS_HAS_HASH);
	CHECK_EQ(m.pkt.csum, NDIS_RXCSUM_TCP_OK);
	CHECK_EQ(m.pkt.vlan, 5 << NDIS_VLAN_ID_SHIFT);
	CHECK_EQ(m.pkt.hash, 0xabcdef01);

	/* The frame one byte past the header's length. */
	len = data_pkt(p, ppi, 1, 60);
	put32(p, 12, 61);
	CHECK_EQ(check(p, len, &m), RNDIS_BAD_DATA);
	/* An offset that wraps when the length is added. */
	put32(p, 12, 60);
	put32(p, 8, 0xfffffff8);
	CHECK_EQ(check(p, len, &m), RNDIS_BAD_DATA);
	/* Data over the packet's own fields. */
	put32(p, 8, 4);
	CHECK_EQ(check(p, len, &m), RNDIS_BAD_DATA);
	/* An empty frame at the very end is inside. */
	put32(p, 8, len - 8);
	put32(p, 12, 0);
	CHECK_EQ(check(p, len, &m), RNDIS_OK);

	/* No per-packet info: ppi_offset is not looked at. */
	len = data_pkt(p, NULL, 0, 60);
	put32(p, 28, 0xffffffff);
	CHECK_EQ(check(p, len, &m), RNDIS_OK);
	CHECK_EQ(m.pkt.has, 0);
}

static void test_ppi(void)
{
	const u32 ppi[][2] = { { RNDIS_PPI_VLAN, 7 }, { RNDIS_PPI_HASH_VALUE, 9 } };
	const u32 rec = 44;	/* the first record's offset in the message */
	struct rndis_host_msg m;
	u8 p[256];
	u32 len;

	/* The chain past the message. */
	len = data_pkt(p, ppi, 2, 20);
	put32(p, 32, 32 + 20 + 1);
	CHECK_EQ(check(p, len, &m), RNDIS_BAD_PPI);
	/* The chain over the packet's fields. */
	len = data_pkt(p, ppi, 2, 20);
	put32(p, 28, 0);
	CHECK_EQ(check(p, len, &m), RNDIS_BAD_PPI);
	/* A record larger than what is left of the chain. */
	len = data_pkt(p, ppi, 2, 20);
	put32(p, rec + 16, 17);
	CHECK_EQ(check(p, len, &m), RNDIS_BAD_PPI);
	/* A record smaller than its header: would loop or underflow. */
	len = data_pkt(p, ppi, 2, 20);
	put32(p, rec, 0);
	CHECK_EQ(check(p, len, &m), RNDIS_BAD_PPI);
	put32(p, rec, 11);
	CHECK_EQ(check(p, len, &m), RNDIS_BAD_PPI);
	/* A value offset past its record, or inside its header. */
	len = data_pkt(p, ppi, 2, 20);
	put32(p, rec + 8, 17);
	CHECK_EQ(check(p, len, &m), RNDIS_BAD_PPI);
	put32(p, rec + 8, 8);
	CHECK_EQ(check(p, len, &m), RNDIS_BAD_PPI);
	/* A known value with fewer than 4 bytes in its record. */
	put32(p, rec + 8, 13);
	CHECK_EQ(check(p, len, &m), RNDIS_BAD_PPI);
	/* An unknown one may be empty. */
	put32(p, rec + 4, 99);
	put32(p, rec + 8, 16);
	CHECK_EQ(check(p, len, &m), RNDIS_OK);
	CHECK_EQ(m.pkt.has, RNDIS_HAS_HASH);
	/* A chain length that leaves a piece shorter than a record. */
	len = data_pkt(p, ppi, 2, 20);
	put32(p, 32, 32 - 4);
	CHECK_EQ(check(p, len, &m), RNDIS_BAD_PPI);
	/* The internal packet id, as RSC sends it. */
	len = data_pkt(p, ppi, 2, 20);
	put32(p, rec + 4, RNDIS_PPI_PKT_ID);
	put32(p, rec + 12, 1 | RNDIS_PKTINFO_1ST_FRAG << 8 | 0x1234u << 16);
	CHECK_EQ(check(p, len, &m), RNDIS_OK);
	CHECK_EQ(m.pkt.has, RNDIS_HAS_PKT_ID | RNDIS_HAS_HASH);
	CHECK_EQ(m.pkt.pkt_id.flags, RNDIS_PKTINFO_1ST_FRAG);
	CHECK_EQ(m.pkt.pkt_id.pkt_id, 0x1234);
	/* Type 1 without the internal bit is IPsec, not the packet id. */
	put32(p, rec + 4, 1);
	CHECK_EQ(check(p, len, &m), RNDIS_OK);
	CHECK_EQ(m.pkt.has, RNDIS_HAS_HASH);
}

static void test_query(void)
{
	struct rndis_host_msg m;
	u8 p[64] = { 0 };
	struct rndis_query_comp q = { { RNDIS_MSG_QUERY_C, 30 }, 5, 0, 6, 16 };

	memcpy(p, &q, sizeof(q));
	CHECK_EQ(check(p, 30, &m), RNDIS_OK);
	CHECK_EQ(m.comp.req_id, 5);
	CHECK_EQ(m.comp.info_off, 24);
	CHECK_EQ(m.comp.info_len, 6);
	/* One byte past the header's length, even if the range has it. */
	put32(p, 16, 7);
	CHECK_EQ(check(p, 40, &m), RNDIS_BAD_INFO);
	put32(p, 16, 6);
	/* The answer over the completion's own fields. */
	put32(p, 20, 15);
	CHECK_EQ(check(p, 30, &m), RNDIS_BAD_INFO);
	put32(p, 20, 0xfffffffc);
	CHECK_EQ(check(p, 30, &m), RNDIS_BAD_INFO);
	/* No answer: the offset does not matter. */
	put32(p, 16, 0);
	CHECK_EQ(check(p, 30, &m), RNDIS_OK);
	CHECK_EQ(m.comp.info_len, 0);
}

static void test_indicate(void)
{
	struct rndis_indicate ind = { { RNDIS_MSG_INDICATE, sizeof(ind) },
				      RNDIS_STATUS_MEDIA_CONNECT, 0, 0 };
	struct rndis_host_msg m;
	u8 p[64] = { 0 };

	CHECK_EQ(check(&ind, sizeof(ind), &m), RNDIS_OK);
	CHECK_EQ(m.ind.status, RNDIS_STATUS_MEDIA_CONNECT);
	/* Link speed: a u32 the old vSwitch leaves out of the length. */
	ind.status = RNDIS_STATUS_LINK_SPEED_CHANGE;
	ind.buf_len = 4;
	ind.buf_offset = 12;
	memcpy(p, &ind, sizeof(ind));
	put32(p, 20, 100000000);
	CHECK_EQ(check(p, 24, &m), RNDIS_OK);
	CHECK_EQ(m.ind.speed, 100000000);
	CHECK_EQ(m.ind.buf_off, 20);
	/* ...but never past the range. */
	CHECK_EQ(check(p, 23, &m), RNDIS_BAD_STATUS_BUF);
	/* A speed change with no speed. */
	put32(p, 12, 0);
	CHECK_EQ(check(p, 24, &m), RNDIS_BAD_STATUS_BUF);
	put32(p, 12, 4);
	put32(p, 16, 8);
	CHECK_EQ(check(p, 24, &m), RNDIS_BAD_STATUS_BUF);
	put32(p, 16, 0xfffffff8);
	CHECK_EQ(check(p, 64, &m), RNDIS_BAD_STATUS_BUF);
}

static void test_offload_caps(void)
{
	struct ndis_offload_caps in, out;

	memset(&in, 0, sizeof(in));
	in.hdr.type = NDIS_OBJTYPE_OFFLOAD;
	in.hdr.rev = NDIS_OFFLOAD_REV_3;
	in.hdr.size = sizeof(in);
	in.lsov2.ip4_maxsz = 62780;
	in.rsc_ip4 = 1;
	CHECK_EQ(rndis_check_offload_caps(&in, sizeof(in), &out), RNDIS_OK);
	CHECK_EQ(out.lsov2.ip4_maxsz, 62780);
	CHECK_EQ(out.rsc_ip4, 1);
	/* An NDIS 6.0 answer: what lies past it reads as zero. */
	in.hdr.size = NDIS_OFFLOAD_SIZE_6_0;
	CHECK_EQ(rndis_check_offload_caps(&in, sizeof(in), &out), RNDIS_OK);
	CHECK_EQ(out.rsc_ip4, 0);
	CHECK_EQ(out.lsov2.ip4_maxsz, 62780);
	in.hdr.size = NDIS_OFFLOAD_SIZE_6_0 - 1;
	CHECK_EQ(rndis_check_offload_caps(&in, sizeof(in), &out), RNDIS_BAD_OBJECT);
	in.hdr.size = sizeof(in);
	CHECK_EQ(rndis_check_offload_caps(&in, sizeof(in) - 1, &out), RNDIS_BAD_OBJECT);
	in.hdr.rev = 0;
	CHECK_EQ(rndis_check_offload_caps(&in, sizeof(in), &out), RNDIS_BAD_OBJECT);
	in.hdr.rev = 1;
	in.hdr.type = NDIS_OBJTYPE_RSS_CAPS;
	CHECK_EQ(rndis_check_offload_caps(&in, sizeof(in), &out), RNDIS_BAD_OBJECT);
	CHECK_EQ(rndis_check_offload_caps(&in, 3, &out), RNDIS_BAD_OBJECT);
}

static void test_rss_caps(void)
{
	struct ndis_rss_caps c = { { NDIS_OBJTYPE_RSS_CAPS, 2, sizeof(c) },
				   0, 8, 8, 256 };
	u32 q = 0, n = 0;

	CHECK_EQ(rndis_check_rss_caps(&c, sizeof(c), &q, &n), RNDIS_OK);
	CHECK_EQ(q, 8);
	CHECK_EQ(n, 256);
	/* Revision 1 has no entry count: 128. */
	CHECK_EQ(rndis_check_rss_caps(&c, 16, &q, &n), RNDIS_OK);
	CHECK_EQ(n, 128);
	c.num_ind_entries = 257;
	CHECK_EQ(rndis_check_rss_caps(&c, sizeof(c), &q, &n), RNDIS_OK);
	CHECK_EQ(n, 128);
	CHECK_EQ(rndis_check_rss_caps(&c, 15, &q, &n), RNDIS_BAD_OBJECT);
	c.num_queues = 0;
	CHECK_EQ(rndis_check_rss_caps(&c, sizeof(c), &q, &n), RNDIS_BAD_OBJECT);
	c.num_queues = 8;
	c.hdr.type = NDIS_OBJTYPE_OFFLOAD;
	CHECK_EQ(rndis_check_rss_caps(&c, sizeof(c), &q, &n), RNDIS_BAD_OBJECT);
}

int main(void)
{
	UNIT_RUN(test_layouts);
	UNIT_RUN(test_header);
	UNIT_RUN(test_init);
	UNIT_RUN(test_packet);
	UNIT_RUN(test_ppi);
	UNIT_RUN(test_query);
	UNIT_RUN(test_indicate);
	UNIT_RUN(test_offload_caps);
	UNIT_RUN(test_rss_caps);
	return unit_summary();
}
