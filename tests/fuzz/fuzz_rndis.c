// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: RNDIS messages, as one receive-buffer range the guest copied
 * out, into netvsc/rndis_check.c, in a heap buffer of exactly the range's
 * length. For what is accepted the fuzzer checks what hv_netvsc then
 * trusts: the header's length fits the range and its type's structure; a
 * frame lies inside the message after the packet's fields (and is read
 * whole, so AddressSanitizer sees any overrun); per-packet info flags name
 * only the values it decodes; a query answer lies inside the message after
 * the completion's fields and, read as the offload or RSS object the guest
 * asked for, passes only when that object fits the answer; a status buffer
 * lies inside the range and a speed change carries its u32.
 */
#include <stdint.h>
#include <stdlib.h>
#include "../unit/kshim.h"
#include "../../netvsc/rndis_check.c"

static void read_all(const u8 *p, u32 off, u32 len)
{
	volatile u8 sum = 0;
	u32 i;

	for (i = 0; i < len; i++)
		sum += p[off + i];
	(void)sum;
}

static void check_answer(const u8 *info, u32 len)
{
	struct ndis_offload_caps caps;
	struct ndis_obj_hdr h;
	u32 q, n;

	if (rndis_check_offload_caps(info, len, &caps) == RNDIS_OK) {
		memcpy(&h, info, sizeof(h));
		if (h.size > len || h.size < NDIS_OFFLOAD_SIZE_6_0 ||
		    caps.hdr.type != NDIS_OBJTYPE_OFFLOAD)
			abort();
	}
	if (rndis_check_rss_caps(info, len, &q, &n) == RNDIS_OK &&
	    (len < NDIS_RSS_CAPS_SIZE_REV_1 || !q || !n ||
	     n > NDIS_RSS_IND_ENTRIES_MAX))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const u32 has_all = RNDIS_HAS_CSUM | RNDIS_HAS_VLAN | RNDIS_HAS_HASH |
			    RNDIS_HAS_PKT_ID;
	struct rndis_host_msg m;
	u32 len, min = 0, i;
	u8 *p;

	if (size > 8192)
		return 0;
	len = (u32)size;
	p = malloc(len ? len : 1);
	memcpy(p, data, len);
	if (rndis_check_msg(p, len, &m) != RNDIS_OK)
		goto out;
	for (i = 0; i < ARRAY_SIZE(rndis_host_msgs); i++)
		if (rndis_host_msgs[i].type == m.type)
			min = rndis_host_msgs[i].len;
	if (!min || m.len < min || m.len > len)
		abort();
	switch (m.type) {
	case RNDIS_MSG_PACKET:
		if (m.pkt.data_off < sizeof(struct rndis_packet) ||
		    (u64)m.pkt.data_off + m.pkt.data_len > m.len ||
		    (m.pkt.has & ~has_all))
			abort();
		read_all(p, m.pkt.data_off, m.pkt.data_len);
		break;
	case RNDIS_MSG_QUERY_C:
		if (!m.comp.info_len)
			break;
		if (m.comp.info_off < sizeof(struct rndis_query_comp) ||
		    (u64)m.comp.info_off + m.comp.info_len > m.len)
			abort();
		read_all(p, m.comp.info_off, m.comp.info_len);
		check_answer(p + m.comp.info_off, m.comp.info_len);
		break;
	case RNDIS_MSG_INDICATE:
		if (m.ind.buf_len &&
		    (m.ind.buf_off < sizeof(struct rndis_indicate) ||
		     (u64)m.ind.buf_off + m.ind.buf_len > len))
			abort();
		if (m.ind.status == RNDIS_STATUS_LINK_SPEED_CHANGE &&
		    m.ind.buf_len < sizeof(u32))
			abort();
		read_all(p, m.ind.buf_off, m.ind.buf_len);
		break;
	}
	if (!rndis_verdict_name(RNDIS_BAD_OBJECT))
		abort();
out:
	free(p);
	return 0;
}
