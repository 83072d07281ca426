/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks on every NVSP message the host sends, by the VMBus packet it comes
 * in: completions (of our requests and our sends), in-band messages (VF
 * association, send indirection table) and transfer-page packets (received
 * RNDIS messages). Each check copies what it accepts into a decoded struct,
 * so the caller never reads the packet again. See nvsp_check.c.
 */
#ifndef OPENLIS_NETVSC_NVSP_CHECK_H
#define OPENLIS_NETVSC_NVSP_CHECK_H

#include <openlis/nvsp_wire.h>

enum nvsp_verdict {
	NVSP_OK,
	NVSP_BAD_LENGTH,	/* shorter than its type's structure */
	NVSP_BAD_TYPE,		/* not a message the host sends in this packet */
	NVSP_BAD_VERSION,	/* newer than the protocol agreed */
	NVSP_BAD_TID,		/* a transaction id we never gave out */
	NVSP_BAD_MATCH,		/* a completion of another request */
	NVSP_BAD_XFER,		/* a malformed transfer-page header */
	NVSP_BAD_PAGESET,	/* a transfer page set that is not our buffer */
	NVSP_BAD_RANGES,	/* more ranges than the header or the cap holds */
	NVSP_BAD_RANGE,		/* a range outside the buffer or its section */
	NVSP_BAD_STATUS,	/* the host refused */
	NVSP_BAD_SECTION,	/* a buffer layout the guest cannot use */
	NVSP_BAD_COUNT,		/* more sub-channels than asked for */
	NVSP_BAD_TABLE,		/* a send table of the wrong size or channels */
	NVSP_NR_VERDICTS
};

/*
 * Our transaction ids: a tag, the kind of request, and for a control
 * request the NVSP type it sends (one of each is in flight at a time), for
 * a send the slot that holds it. Anything else in a completion is a lie.
 */
enum nvsp_tid_kind {
	NVSP_TID_CTRL = 1,	/* an NVSP request: INIT, RXBUF, TXBUF, ... */
	NVSP_TID_DATA = 2,	/* a data frame, slot into the send table */
	NVSP_TID_RNDIS = 3,	/* an RNDIS control message, its request slot */
};

#define NVSP_TID_TAG		0x4e56ULL
#define NVSP_TID_TAG_SHIFT	48
#define NVSP_TID_KIND_SHIFT	40

static inline u64 nvsp_tid(enum nvsp_tid_kind kind, u32 slot)
{
	return NVSP_TID_TAG << NVSP_TID_TAG_SHIFT |
	       (u64)kind << NVSP_TID_KIND_SHIFT | slot;
}

/* A completion as accepted: whose it is and what it says. */
struct nvsp_comp {
	u32 type;		/* NVSP_MSG_NONE: an empty completion */
	u32 kind;		/* enum nvsp_tid_kind */
	u32 slot;		/* CTRL: the request's type; else its slot */
	u32 status;
	union {
		u32 ver;			/* INIT_COMPLETE */
		struct {			/* RXBUF_COMPLETE */
			u32 num_sections;
			struct nvsp_rxbuf_section section;
		} rxbuf;
		u32 section_size;		/* TXBUF_COMPLETE */
		u32 subch_count;		/* SUBCHANNEL */
	};
};

/* An in-band message as accepted. */
struct nvsp_inband {
	u32 type;
	union {
		struct {			/* VF_ASSOCIATION */
			u32 allocated;
			u32 serial;
		} vf;
		u32 table[NVSP_SEND_TABLE_SIZE];	/* SEND_TABLE */
	};
};

/* A transfer-page packet as accepted; ranges are checked one by one. */
struct nvsp_xfer {
	u64 tid;
	u32 count;
	const struct nvsp_xfer_range *ranges;	/* inside the packet */
};

enum nvsp_verdict nvsp_check_comp(const void *msg, u32 len, u64 tid,
				  u32 ver, u32 nslots, struct nvsp_comp *c);
enum nvsp_verdict nvsp_check_inband(const void *msg, u32 len, u32 ver,
				    u32 nchan, struct nvsp_inband *m);
enum nvsp_verdict nvsp_check_xfer(const void *pkt, u32 pkt_len,
				  struct nvsp_xfer *x);
enum nvsp_verdict nvsp_check_range(const struct nvsp_xfer *x, u32 i,
				   u32 buf_size, u32 max_len,
				   u32 *offset, u32 *len);
enum nvsp_verdict nvsp_check_rxbuf(const struct nvsp_comp *c, u32 buf_size,
				   u32 *section_size, u32 *sections);
enum nvsp_verdict nvsp_check_txbuf(const struct nvsp_comp *c, u32 buf_size,
				   u32 *section_size, u32 *sections);
enum nvsp_verdict nvsp_check_subch(const struct nvsp_comp *c, u32 asked,
				   u32 *granted);
const char *nvsp_verdict_name(enum nvsp_verdict v);

#endif
