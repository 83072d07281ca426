// SPDX-License-Identifier: GPL-2.0
/*
 * NVSP messages from the host, checked before hv_netvsc acts on them.
 * Nothing here touches kernel state, so the unit tests and fuzzers compile
 * this file as is.
 *
 * The packets come from the VMBus core as private copies (hv_pkt_iter_*
 * copies each packet out of the ring on both cores), so a field checked
 * here cannot change before it is used; the decoded structs carry the
 * checked values, never pointers into shared memory. The receive buffer
 * is shared: nvsp_check_range() only says where a range lies, and the
 * caller copies the range out before rndis_check.c looks inside it.
 *
 * Overlapping ranges in one transfer-page packet are not refused. Every
 * range is copied out before it is parsed and the host gets the packet's
 * transaction id back once, whatever its ranges, so an overlap can only
 * show the guest the same bytes twice: what a host sending a frame twice
 * does anyway. Refusing it would cost a sort of up to 562 ranges on every
 * receive for no safety gained.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#endif
#include "nvsp_check.h"

/*
 * Each request we send that the host completes: the completion's type,
 * its least length, and the version that brought it. The completion of a
 * control request is matched by its transaction id, which names the
 * request's type; a data or RNDIS send is completed by RNDIS_PKT_COMPLETE.
 */
struct nvsp_comp_rule {
	u32 req;
	u32 comp;
	u32 min_len;
	u32 min_ver;
};

static const struct nvsp_comp_rule nvsp_comp_rules[] = {
	{ NVSP_MSG_INIT, NVSP_MSG_INIT_COMPLETE,
	  sizeof(struct nvsp_init_complete), 0 },
	{ NVSP_MSG1_RXBUF, NVSP_MSG1_RXBUF_COMPLETE,
	  sizeof(struct nvsp_rxbuf_complete), NVSP_VERSION_1 },
	{ NVSP_MSG1_TXBUF, NVSP_MSG1_TXBUF_COMPLETE,
	  sizeof(struct nvsp_txbuf_complete), NVSP_VERSION_1 },
	{ NVSP_MSG1_RNDIS_PKT, NVSP_MSG1_RNDIS_PKT_COMPLETE,
	  sizeof(struct nvsp_rndis_pkt_complete), NVSP_VERSION_1 },
	/* Completed with an empty VMBus completion, as Hyper-V does. */
	{ NVSP_MSG4_SWITCH_DATA_PATH, NVSP_MSG_NONE, 0, NVSP_VERSION_4 },
	{ NVSP_MSG5_SUBCHANNEL, NVSP_MSG5_SUBCHANNEL,
	  sizeof(struct nvsp_subchannel_complete), NVSP_VERSION_5 },
};

static const char * const nvsp_verdict_names[] = {
	[NVSP_OK]		= "ok",
	[NVSP_BAD_LENGTH]	= "too short",
	[NVSP_BAD_TYPE]		= "unexpected type",
	[NVSP_BAD_VERSION]	= "not in the protocol version",
	[NVSP_BAD_TID]		= "unknown transaction id",
	[NVSP_BAD_MATCH]	= "completes another request",
	[NVSP_BAD_XFER]		= "bad transfer-page header",
	[NVSP_BAD_PAGESET]	= "not our receive buffer",
	[NVSP_BAD_RANGES]	= "bad range count",
	[NVSP_BAD_RANGE]	= "range outside the buffer",
	[NVSP_BAD_STATUS]	= "host refused",
	[NVSP_BAD_SECTION]	= "unusable buffer sections",
	[NVSP_BAD_COUNT]	= "more channels than asked",
	[NVSP_BAD_TABLE]	= "bad send table",
};

const char *nvsp_verdict_name(enum nvsp_verdict v)
{
	if ((unsigned int)v < NVSP_NR_VERDICTS)
		return nvsp_verdict_names[v];
	return "unknown";
}

static const struct nvsp_comp_rule *nvsp_rule_of(u32 req)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nvsp_comp_rules); i++)
		if (nvsp_comp_rules[i].req == req)
			return &nvsp_comp_rules[i];
	return NULL;
}

/* Splits one of our transaction ids; @nslots bounds a data or RNDIS slot. */
static enum nvsp_verdict nvsp_parse_tid(u64 tid, u32 nslots, u32 *kind,
					u32 *slot)
{
	u32 k = (tid >> NVSP_TID_KIND_SHIFT) & 0xff;
	u32 s = (u32)tid;

	if (tid >> NVSP_TID_TAG_SHIFT != NVSP_TID_TAG ||
	    ((tid >> 32) & 0xff) != 0)
		return NVSP_BAD_TID;
	switch (k) {
	case NVSP_TID_CTRL:
		if (!nvsp_rule_of(s))
			return NVSP_BAD_TID;
		break;
	case NVSP_TID_DATA:
	case NVSP_TID_RNDIS:
		if (s >= nslots)
			return NVSP_BAD_TID;
		break;
	default:
		return NVSP_BAD_TID;
	}
	*kind = k;
	*slot = s;
	return NVSP_OK;
}

/*
 * A VMBus completion packet: @msg, @len its data, @tid its transaction id,
 * @ver the version agreed (0 while negotiating), @nslots the data and RNDIS
 * slots we have. The completion must carry the type that answers what the
 * id names, be long enough for it, and belong to the version agreed.
 */
enum nvsp_verdict nvsp_check_comp(const void *msg, u32 len, u64 tid,
				  u32 ver, u32 nslots, struct nvsp_comp *c)
{
	const struct nvsp_comp_rule *rule;
	enum nvsp_verdict v;
	u32 req, type = NVSP_MSG_NONE;

	memset(c, 0, sizeof(*c));
	v = nvsp_parse_tid(tid, nslots, &c->kind, &c->slot);
	if (v != NVSP_OK)
		return v;
	req = c->kind == NVSP_TID_CTRL ? c->slot : NVSP_MSG1_RNDIS_PKT;
	rule = nvsp_rule_of(req);

	if (len) {
		if (len < sizeof(struct nvsp_hdr))
			return NVSP_BAD_LENGTH;
		memcpy(&type, msg, sizeof(type));
		if (type == NVSP_MSG_NONE)
			return NVSP_BAD_TYPE;
	}
	if (type != rule->comp)
		return NVSP_BAD_MATCH;
	if (ver < rule->min_ver)
		return NVSP_BAD_VERSION;
	if (len < rule->min_len)
		return NVSP_BAD_LENGTH;
	c->type = type;

	switch (type) {
	case NVSP_MSG_INIT_COMPLETE: {
		struct nvsp_init_complete m;

		memcpy(&m, msg, sizeof(m));
		c->status = m.status;
		c->ver = m.ver;
		break;
	}
	case NVSP_MSG1_RXBUF_COMPLETE: {
		struct nvsp_rxbuf_complete m;

		memcpy(&m, msg, sizeof(m));
		c->status = m.status;
		c->rxbuf.num_sections = m.num_sections;
		c->rxbuf.section = m.section;
		break;
	}
	case NVSP_MSG1_TXBUF_COMPLETE: {
		struct nvsp_txbuf_complete m;

		memcpy(&m, msg, sizeof(m));
		c->status = m.status;
		c->section_size = m.section_size;
		break;
	}
	case NVSP_MSG1_RNDIS_PKT_COMPLETE: {
		struct nvsp_rndis_pkt_complete m;

		memcpy(&m, msg, sizeof(m));
		c->status = m.status;
		break;
	}
	case NVSP_MSG5_SUBCHANNEL: {
		struct nvsp_subchannel_complete m;

		memcpy(&m, msg, sizeof(m));
		c->status = m.status;
		c->subch_count = m.count;
		break;
	}
	default:	/* the empty completion of SWITCH_DATA_PATH */
		c->status = NVSP_STATUS_SUCCESS;
		break;
	}
	return NVSP_OK;
}

/*
 * The send table: NVSP_SEND_TABLE_SIZE channel indexes, each below @nchan.
 * Hosts up to NVSP 6 place it right after a full NVSP message whatever the
 * offset field says; newer ones are taken at their word.
 */
static enum nvsp_verdict nvsp_check_table(const u8 *msg, u32 len, u32 ver,
					  u32 nchan, struct nvsp_inband *m)
{
	const u32 tab_len = NVSP_SEND_TABLE_SIZE * sizeof(u32);
	struct nvsp_send_table t;
	u32 i, off;

	memcpy(&t, msg, sizeof(t));
	if (t.count != NVSP_SEND_TABLE_SIZE)
		return NVSP_BAD_TABLE;
	off = t.offset;
	if (ver <= NVSP_VERSION_6 && len >= NVSP_MSG_SIZE + tab_len)
		off = NVSP_MSG_SIZE;
	if (len < tab_len || off > len - tab_len ||
	    off < sizeof(struct nvsp_send_table))
		return NVSP_BAD_TABLE;
	memcpy(m->table, msg + off, tab_len);
	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++)
		if (m->table[i] >= nchan)
			return NVSP_BAD_TABLE;
	return NVSP_OK;
}

/* An in-band packet: VF association (NVSP 4) or the send table (NVSP 5). */
enum nvsp_verdict nvsp_check_inband(const void *msg, u32 len, u32 ver,
				    u32 nchan, struct nvsp_inband *m)
{
	struct nvsp_vf_association vf;
	u32 type;

	memset(m, 0, sizeof(*m));
	if (len < sizeof(struct nvsp_hdr))
		return NVSP_BAD_LENGTH;
	memcpy(&type, msg, sizeof(type));
	m->type = type;
	switch (type) {
	case NVSP_MSG4_VF_ASSOCIATION:
		if (ver < NVSP_VERSION_4)
			return NVSP_BAD_VERSION;
		if (len < sizeof(vf))
			return NVSP_BAD_LENGTH;
		memcpy(&vf, msg, sizeof(vf));
		m->vf.allocated = vf.allocated;
		m->vf.serial = vf.serial;
		return NVSP_OK;
	case NVSP_MSG5_SEND_TABLE:
		if (ver < NVSP_VERSION_5)
			return NVSP_BAD_VERSION;
		if (len < sizeof(struct nvsp_send_table))
			return NVSP_BAD_LENGTH;
		return nvsp_check_table(msg, len, ver, nchan, m);
	default:
		return NVSP_BAD_TYPE;
	}
}

/*
 * A transfer-page packet, @pkt_len bytes from its descriptor on: the
 * header and its ranges lie before the NVSP message (at offset8 * 8),
 * which must be an RNDIS_PKT on our receive buffer's page set.
 */
enum nvsp_verdict nvsp_check_xfer(const void *pkt, u32 pkt_len,
				  struct nvsp_xfer *x)
{
	const u8 *p = pkt;
	struct nvsp_xfer_hdr h;
	u32 off, type;

	memset(x, 0, sizeof(*x));
	if (pkt_len < sizeof(h))
		return NVSP_BAD_XFER;
	memcpy(&h, p, sizeof(h));
	off = (u32)h.desc.offset8 << 3;
	if (h.desc.type != NVSP_PKT_XFER_PAGES || off < sizeof(h) ||
	    off > pkt_len)
		return NVSP_BAD_XFER;
	if (h.pageset_id != NVSP_RXBUF_ID)
		return NVSP_BAD_PAGESET;
	if (h.range_cnt > NVSP_MAX_XFER_RANGES ||
	    h.range_cnt > (off - sizeof(h)) / sizeof(struct nvsp_xfer_range))
		return NVSP_BAD_RANGES;
	if (pkt_len - off < sizeof(struct nvsp_hdr))
		return NVSP_BAD_LENGTH;
	memcpy(&type, p + off, sizeof(type));
	if (type != NVSP_MSG1_RNDIS_PKT)
		return NVSP_BAD_TYPE;
	x->tid = h.desc.trans_id;
	x->count = h.range_cnt;
	x->ranges = (const void *)(p + sizeof(h));
	return NVSP_OK;
}

/*
 * Range @i of an accepted packet, read once: it must lie inside the
 * receive buffer of @buf_size bytes and be at most @max_len (the section
 * size, which is what the guest copies a message into).
 */
enum nvsp_verdict nvsp_check_range(const struct nvsp_xfer *x, u32 i,
				   u32 buf_size, u32 max_len,
				   u32 *offset, u32 *len)
{
	struct nvsp_xfer_range r;

	if (i >= x->count)
		return NVSP_BAD_RANGES;
	memcpy(&r, &x->ranges[i], sizeof(r));
	if (r.byte_offset > buf_size || r.byte_count > buf_size - r.byte_offset ||
	    r.byte_count > max_len || !r.byte_count)
		return NVSP_BAD_RANGE;
	*offset = r.byte_offset;
	*len = r.byte_count;
	return NVSP_OK;
}

/*
 * The receive buffer as the host cut it: Linux takes exactly one section
 * at offset 0, of sub-allocations large enough for a minimal frame, that
 * fit in the @buf_size bytes we gave.
 */
enum nvsp_verdict nvsp_check_rxbuf(const struct nvsp_comp *c, u32 buf_size,
				   u32 *section_size, u32 *sections)
{
	const struct nvsp_rxbuf_section *s = &c->rxbuf.section;

	if (c->type != NVSP_MSG1_RXBUF_COMPLETE)
		return NVSP_BAD_MATCH;
	if (c->status != NVSP_STATUS_SUCCESS)
		return NVSP_BAD_STATUS;
	if (c->rxbuf.num_sections != 1 || s->offset != 0 ||
	    s->sub_alloc_size < NVSP_MIN_SECTION || !s->num_sub_allocs ||
	    (u64)s->sub_alloc_size * s->num_sub_allocs > buf_size)
		return NVSP_BAD_SECTION;
	*section_size = s->sub_alloc_size;
	*sections = s->num_sub_allocs;
	return NVSP_OK;
}

/* The send buffer: the host picks the section size, we count the sections. */
enum nvsp_verdict nvsp_check_txbuf(const struct nvsp_comp *c, u32 buf_size,
				   u32 *section_size, u32 *sections)
{
	if (c->type != NVSP_MSG1_TXBUF_COMPLETE)
		return NVSP_BAD_MATCH;
	if (c->status != NVSP_STATUS_SUCCESS)
		return NVSP_BAD_STATUS;
	if (c->section_size < NVSP_MIN_SECTION || c->section_size > buf_size)
		return NVSP_BAD_SECTION;
	*section_size = c->section_size;
	*sections = buf_size / c->section_size;
	return NVSP_OK;
}

/* The sub-channel grant: never more than @asked. */
enum nvsp_verdict nvsp_check_subch(const struct nvsp_comp *c, u32 asked,
				   u32 *granted)
{
	if (c->type != NVSP_MSG5_SUBCHANNEL)
		return NVSP_BAD_MATCH;
	if (c->status != NVSP_STATUS_SUCCESS)
		return NVSP_BAD_STATUS;
	if (c->subch_count > asked)
		return NVSP_BAD_COUNT;
	*granted = c->subch_count;
	return NVSP_OK;
}
