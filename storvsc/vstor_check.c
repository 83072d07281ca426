// SPDX-License-Identifier: GPL-2.0
/*
 * The checks of vstor_check.h. No kernel state and no allocation, so the
 * unit tests and the fuzzer compile this file as it is.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#endif
#include "vstor_check.h"

static const char *const vstor_verdict_names[VSTOR_NR_VERDICTS] = {
	[VSTOR_OK]		= "ok",
	[VSTOR_BUS_CHANGED]	= "bus changed",
	[VSTOR_BAD_SHORT]	= "too short",
	[VSTOR_BAD_TYPE]	= "wrong packet type",
	[VSTOR_BAD_ID0]		= "id 0 that is no bus change",
	[VSTOR_BAD_ID]		= "unknown transaction id",
	[VSTOR_BAD_OP]		= "answer that is not COMPLETE_IO",
	[VSTOR_BAD_SRB_STATUS]	= "undefined SRB status",
	[VSTOR_BAD_SENSE]	= "sense longer than its buffer",
	[VSTOR_BAD_TRANSFER]	= "transfer longer than the request",
	[VSTOR_BAD_PROPERTIES]	= "unusable properties",
};

const char *vstor_verdict_name(enum vstor_verdict v)
{
	if ((unsigned int)v >= VSTOR_NR_VERDICTS)
		return "unknown verdict";
	return vstor_verdict_names[v];
}

enum vstor_verdict vstor_classify(u16 pkt_type, u64 trans_id,
				  enum vstor_kind *kind, u32 *unique_tag)
{
	*unique_tag = 0;
	if (pkt_type == VSTOR_PKT_INBAND) {
		/* the host asks for nothing; a request id here is a lie */
		if (trans_id)
			return VSTOR_BAD_TYPE;
		*kind = VSTOR_KIND_HOST;
		return VSTOR_OK;
	}
	if (pkt_type != VSTOR_PKT_COMP)
		return VSTOR_BAD_TYPE;
	if (!trans_id)
		return VSTOR_BAD_ID0;
	if (trans_id & VSTOR_ID_CONTROL) {
		*kind = VSTOR_KIND_CONTROL;
		return VSTOR_OK;
	}
	/* the low half is a unique tag plus one: never 0 */
	if (!(u32)trans_id)
		return VSTOR_BAD_ID;
	*kind = VSTOR_KIND_IO;
	*unique_tag = (u32)trans_id - 1;
	return VSTOR_OK;
}

void vstor_copy(struct vstor_packet *out, const void *buf, u32 len)
{
	memset(out, 0, sizeof(*out));
	memcpy(out, buf, len < sizeof(*out) ? len : sizeof(*out));
}

enum vstor_verdict vstor_check_host_msg(const struct vstor_packet *p, u32 len)
{
	if (len < VSTOR_UNSOLICITED_MIN)
		return VSTOR_BAD_SHORT;
	switch (p->hdr.operation) {
	case VSTOR_OP_ENUMERATE_BUS:
	case VSTOR_OP_REMOVE_DEVICE:
		return VSTOR_BUS_CHANGED;
	default:
		/* a completion or FC data with no request to name */
		return VSTOR_BAD_ID0;
	}
}

enum vstor_verdict vstor_check_reply(const struct vstor_packet *p, u32 len,
				     u32 op)
{
	u32 need = sizeof(struct vstor_hdr);

	if (op == VSTOR_OP_QUERY_PROPERTIES)
		need += sizeof(struct vstor_properties);
	if (len < need)
		return VSTOR_BAD_SHORT;
	if (p->hdr.operation != VSTOR_OP_COMPLETE_IO)
		return VSTOR_BAD_OP;
	return VSTOR_OK;
}

u32 vstor_packet_size(u16 version)
{
	switch (version) {
	case VSTOR_VERSION_WIN8:
	case VSTOR_VERSION_WIN8_1:
	case VSTOR_VERSION_WIN10:
		return VSTOR_PACKET_SIZE;
	default:
		return 0;
	}
}

enum vstor_verdict vstor_check_io(const struct vstor_packet *p, u32 len,
				  const struct vstor_io_expect *want)
{
	const struct vstor_srb *srb = &p->srb;
	u32 need = vstor_packet_size(want->version);
	u8 st = VSTOR_SRB_STATUS(srb->srb_status);

	if (!need || len < need)
		return VSTOR_BAD_SHORT;
	if (p->hdr.operation != VSTOR_OP_COMPLETE_IO)
		return VSTOR_BAD_OP;
	if (st == VSTOR_SRB_PENDING || st > VSTOR_SRB_STATUS_MAX)
		return VSTOR_BAD_SRB_STATUS;
	if ((srb->srb_status & VSTOR_SRB_AUTOSENSE_VALID) &&
	    (srb->sense_length > VSTOR_SENSE_MAX ||
	     srb->sense_length > want->sense_size))
		return VSTOR_BAD_SENSE;
	if (srb->transfer_length > want->length)
		return VSTOR_BAD_TRANSFER;
	return VSTOR_OK;
}

enum vstor_verdict vstor_check_properties(const struct vstor_properties *pr,
					  u32 max_xfer_cap, u16 max_sub_cap,
					  u32 *max_xfer, u16 *max_sub)
{
	u32 x = pr->max_transfer_bytes & ~4095u;

	*max_xfer = 0;
	*max_sub = 0;
	if (!x)
		return VSTOR_BAD_PROPERTIES;
	*max_xfer = x < max_xfer_cap ? x : max_xfer_cap;
	if (pr->flags & VSTOR_PROP_MULTI_CHANNEL)
		*max_sub = pr->max_channel_count < max_sub_cap ?
			   pr->max_channel_count : max_sub_cap;
	return VSTOR_OK;
}
