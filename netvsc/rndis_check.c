// SPDX-License-Identifier: GPL-2.0
/*
 * RNDIS messages from the host, checked before hv_netvsc acts on them.
 * Nothing here touches kernel state, so the unit tests and fuzzers compile
 * this file as is.
 *
 * The caller hands in its own copy of one receive-buffer range (@buf_len
 * bytes), never the shared buffer itself. The header's length must fit in
 * the range; everything a message points at (the frame, its per-packet
 * info, a query's answer) must fit in the header's length, except a status
 * indication's buffer, which old vSwitches leave out of it and which is
 * then bounded by the range. Arithmetic on host values is done in 64 bits,
 * so no sum of two u32 wraps.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#endif
#include "rndis_check.h"

/* The least length of each message a host sends us, its header included. */
struct rndis_min_len {
	u32 type;
	u32 len;
};

static const struct rndis_min_len rndis_host_msgs[] = {
	{ RNDIS_MSG_PACKET,		sizeof(struct rndis_packet) },
	{ RNDIS_MSG_INIT_C,		sizeof(struct rndis_init_comp) },
	{ RNDIS_MSG_QUERY_C,		sizeof(struct rndis_query_comp) },
	{ RNDIS_MSG_SET_C,		sizeof(struct rndis_set_comp) },
	{ RNDIS_MSG_RESET_C,		sizeof(struct rndis_reset_comp) },
	{ RNDIS_MSG_INDICATE,		sizeof(struct rndis_indicate) },
	{ RNDIS_MSG_KEEPALIVE,		sizeof(struct rndis_keepalive_req) },
	{ RNDIS_MSG_KEEPALIVE_C,	sizeof(struct rndis_keepalive_comp) },
};

static const char * const rndis_verdict_names[] = {
	[RNDIS_OK]		= "ok",
	[RNDIS_BAD_LENGTH]	= "too short",
	[RNDIS_BAD_MSG_LEN]	= "length disagrees with range",
	[RNDIS_BAD_TYPE]	= "unexpected type",
	[RNDIS_BAD_DATA]	= "frame outside message",
	[RNDIS_BAD_PPI]		= "bad per-packet info",
	[RNDIS_BAD_INFO]	= "answer outside message",
	[RNDIS_BAD_STATUS_BUF]	= "status buffer outside range",
	[RNDIS_BAD_OBJECT]	= "bad NDIS object",
};

const char *rndis_verdict_name(enum rndis_verdict v)
{
	if ((unsigned int)v < RNDIS_NR_VERDICTS)
		return rndis_verdict_names[v];
	return "unknown";
}

/* [@off, @off + @len) lies inside [@lo, @hi). */
static bool rndis_inside(u64 off, u64 len, u64 lo, u64 hi)
{
	return off >= lo && off <= hi && len <= hi - off;
}

/*
 * The per-packet info chain at [@off, @off + @len) of @p: records of at
 * least a header each, none running past the chain, each value after its
 * header and inside its record. The first record of each known type wins;
 * unknown types are skipped. The walk ends: every record is >= 12 bytes.
 */
static enum rndis_verdict rndis_walk_ppi(const u8 *p, u32 off, u32 len,
					 struct rndis_host_msg *m)
{
	struct rndis_ppi r;
	u32 left = len, vlen, flag;
	const u8 *val;

	while (left) {
		if (left < sizeof(r))
			return RNDIS_BAD_PPI;
		memcpy(&r, p + off, sizeof(r));
		if (r.size < sizeof(r) || r.size > left ||
		    r.offset < sizeof(r) || r.offset > r.size)
			return RNDIS_BAD_PPI;
		vlen = r.size - r.offset;
		val = p + off + r.offset;
		switch (r.type) {
		case RNDIS_PPI_CSUM:
			flag = RNDIS_HAS_CSUM;
			break;
		case RNDIS_PPI_VLAN:
			flag = RNDIS_HAS_VLAN;
			break;
		case RNDIS_PPI_HASH_VALUE:
			flag = RNDIS_HAS_HASH;
			break;
		case RNDIS_PPI_PKT_ID:
			flag = RNDIS_HAS_PKT_ID;
			break;
		default:
			flag = 0;
			break;
		}
		if (flag && !(m->pkt.has & flag)) {
			/* Every value we read is 4 bytes. */
			if (vlen < sizeof(u32))
				return RNDIS_BAD_PPI;
			if (flag == RNDIS_HAS_CSUM)
				memcpy(&m->pkt.csum, val, sizeof(u32));
			else if (flag == RNDIS_HAS_VLAN)
				memcpy(&m->pkt.vlan, val, sizeof(u32));
			else if (flag == RNDIS_HAS_HASH)
				memcpy(&m->pkt.hash, val, sizeof(u32));
			else
				memcpy(&m->pkt.pkt_id, val, sizeof(u32));
			m->pkt.has |= flag;
		}
		off += r.size;
		left -= r.size;
	}
	return RNDIS_OK;
}

/*
 * A data packet: the frame and the per-packet info lie inside the message,
 * after the packet's own fields (offsets count from the end of the header).
 */
static enum rndis_verdict rndis_check_packet(const u8 *p, u32 len,
					     struct rndis_host_msg *m)
{
	const u32 fields = sizeof(struct rndis_packet);
	struct rndis_packet pk;

	memcpy(&pk, p, sizeof(pk));
	if (!rndis_inside((u64)RNDIS_HDR_SIZE + pk.data_offset, pk.data_len,
			  fields, len))
		return RNDIS_BAD_DATA;
	m->pkt.data_off = RNDIS_HDR_SIZE + pk.data_offset;
	m->pkt.data_len = pk.data_len;
	if (!pk.ppi_len)
		return RNDIS_OK;
	if (!rndis_inside((u64)RNDIS_HDR_SIZE + pk.ppi_offset, pk.ppi_len,
			  fields, len))
		return RNDIS_BAD_PPI;
	return rndis_walk_ppi(p, RNDIS_HDR_SIZE + pk.ppi_offset, pk.ppi_len, m);
}

static enum rndis_verdict rndis_check_query(const u8 *p, u32 len,
					    struct rndis_host_msg *m)
{
	struct rndis_query_comp q;

	memcpy(&q, p, sizeof(q));
	m->comp.req_id = q.req_id;
	m->comp.status = q.status;
	if (!q.info_len)
		return RNDIS_OK;
	if (!rndis_inside((u64)RNDIS_HDR_SIZE + q.info_offset, q.info_len,
			  sizeof(q), len))
		return RNDIS_BAD_INFO;
	m->comp.info_off = RNDIS_HDR_SIZE + q.info_offset;
	m->comp.info_len = q.info_len;
	return RNDIS_OK;
}

static enum rndis_verdict rndis_check_indicate(const u8 *p, u32 buf_len,
					       struct rndis_host_msg *m)
{
	struct rndis_indicate ind;

	memcpy(&ind, p, sizeof(ind));
	m->ind.status = ind.status;
	if (ind.buf_len &&
	    !rndis_inside((u64)RNDIS_HDR_SIZE + ind.buf_offset, ind.buf_len,
			  sizeof(ind), buf_len))
		return RNDIS_BAD_STATUS_BUF;
	if (ind.buf_len) {
		m->ind.buf_off = RNDIS_HDR_SIZE + ind.buf_offset;
		m->ind.buf_len = ind.buf_len;
	}
	if (ind.status == RNDIS_STATUS_LINK_SPEED_CHANGE) {
		if (m->ind.buf_len < sizeof(u32))
			return RNDIS_BAD_STATUS_BUF;
		memcpy(&m->ind.speed, p + m->ind.buf_off, sizeof(u32));
	}
	return RNDIS_OK;
}

/* One RNDIS message, @buf_len bytes of the guest's own copy. */
enum rndis_verdict rndis_check_msg(const void *buf, u32 buf_len,
				   struct rndis_host_msg *m)
{
	const u8 *p = buf;
	struct rndis_hdr h;
	u32 min = 0;
	unsigned int i;

	memset(m, 0, sizeof(*m));
	if (buf_len < sizeof(h))
		return RNDIS_BAD_LENGTH;
	memcpy(&h, p, sizeof(h));
	if (h.len < sizeof(h) || h.len > buf_len)
		return RNDIS_BAD_MSG_LEN;
	for (i = 0; i < ARRAY_SIZE(rndis_host_msgs); i++)
		if (rndis_host_msgs[i].type == h.type)
			min = rndis_host_msgs[i].len;
	if (!min)
		return RNDIS_BAD_TYPE;
	if (h.len < min)
		return RNDIS_BAD_LENGTH;
	m->type = h.type;
	m->len = h.len;

	switch (h.type) {
	case RNDIS_MSG_PACKET:
		return rndis_check_packet(p, h.len, m);
	case RNDIS_MSG_INIT_C: {
		struct rndis_init_comp c;

		memcpy(&c, p, sizeof(c));
		m->init.req_id = c.req_id;
		m->init.status = c.status;
		m->init.max_pkts = c.max_pkts;
		m->init.max_xfer_size = c.max_xfer_size;
		m->init.align_shift = c.align_shift;
		return RNDIS_OK;
	}
	case RNDIS_MSG_QUERY_C:
		return rndis_check_query(p, h.len, m);
	case RNDIS_MSG_INDICATE:
		return rndis_check_indicate(p, buf_len, m);
	case RNDIS_MSG_RESET_C: {
		struct rndis_reset_comp c;

		memcpy(&c, p, sizeof(c));
		m->comp.status = c.status;
		return RNDIS_OK;
	}
	case RNDIS_MSG_KEEPALIVE:
		memcpy(&m->comp.req_id, p + RNDIS_HDR_SIZE, sizeof(u32));
		return RNDIS_OK;
	default: {	/* SET_C, KEEPALIVE_C: a request id and a status */
		struct rndis_set_comp c;

		memcpy(&c, p, sizeof(c));
		m->comp.req_id = c.req_id;
		m->comp.status = c.status;
		return RNDIS_OK;
	}
	}
}

/*
 * The host's offload capabilities: an offload object of revision 1 or
 * more, its size at least NDIS 6.0's and inside the answer. @caps gets
 * what the host sent, zero past it.
 */
enum rndis_verdict rndis_check_offload_caps(const void *info, u32 len,
					    struct ndis_offload_caps *caps)
{
	struct ndis_obj_hdr h;

	memset(caps, 0, sizeof(*caps));
	if (len < sizeof(h))
		return RNDIS_BAD_OBJECT;
	memcpy(&h, info, sizeof(h));
	if (h.type != NDIS_OBJTYPE_OFFLOAD || h.rev < NDIS_OFFLOAD_REV_1 ||
	    h.size < NDIS_OFFLOAD_SIZE_6_0 || h.size > len)
		return RNDIS_BAD_OBJECT;
	memcpy(caps, info, min_t(u32, h.size, sizeof(*caps)));
	return RNDIS_OK;
}

/*
 * The host's RSS capabilities: how many receive queues, and how many
 * indirection table entries (revision 2; 128 when absent, zero or above
 * what the guest keeps). A host with no queue offers no RSS.
 */
enum rndis_verdict rndis_check_rss_caps(const void *info, u32 len,
					u32 *queues, u32 *ind_entries)
{
	struct ndis_rss_caps c;

	memset(&c, 0, sizeof(c));
	if (len < NDIS_RSS_CAPS_SIZE_REV_1)
		return RNDIS_BAD_OBJECT;
	memcpy(&c, info, min_t(u32, len, sizeof(c)));
	if (c.hdr.type != NDIS_OBJTYPE_RSS_CAPS || !c.num_queues)
		return RNDIS_BAD_OBJECT;
	*queues = c.num_queues;
	*ind_entries = NDIS_RSS_IND_ENTRIES;
	if (c.hdr.rev >= NDIS_RSS_CAPS_REV_2 && len >= sizeof(c) &&
	    c.num_ind_entries && c.num_ind_entries <= NDIS_RSS_IND_ENTRIES_MAX)
		*ind_entries = c.num_ind_entries;
	return RNDIS_OK;
}
