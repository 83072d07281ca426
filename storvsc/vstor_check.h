/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Byte-level checks of every packet the storage host sends: each returns
 * a verdict, and only VSTOR_OK (or a bus change) lets the driver act on
 * the copy it was given. The packet is copied once out of the ring into a
 * zero-filled struct vstor_packet (vstor_copy()); every later check reads
 * that copy only, so a host that rewrites its ring cannot change what
 * was checked.
 *
 * Transaction ids: bit 63 set names a control request (ol_xact.h's ids,
 * matched by the transaction helper); clear, an I/O whose low 32 bits
 * are blk-mq's unique tag plus one and bits 32-62 a generation that
 * differs for every send of the same tag, so a late or repeated answer
 * cannot complete a later request that reuses the tag. Id 0 is the
 * host's own (bus changes) and never a request's.
 */
#ifndef OPENLIS_VSTOR_CHECK_H
#define OPENLIS_VSTOR_CHECK_H

#include <openlis/vstor_wire.h>

enum vstor_verdict {
	VSTOR_OK,		/* the answer a request waits for */
	VSTOR_BUS_CHANGED,	/* ENUMERATE_BUS or REMOVE_DEVICE: rescan */
	VSTOR_BAD_SHORT,	/* shorter than its kind needs */
	VSTOR_BAD_TYPE,		/* neither a completion nor in-band */
	VSTOR_BAD_ID0,		/* id 0 with something not a bus change */
	VSTOR_BAD_ID,		/* an id no request of ours has */
	VSTOR_BAD_OP,		/* an answer that is not COMPLETE_IO */
	VSTOR_BAD_SRB_STATUS,	/* pending, or past what Windows defines */
	VSTOR_BAD_SENSE,	/* sense longer than its buffer */
	VSTOR_BAD_TRANSFER,	/* more bytes moved than the request has */
	VSTOR_BAD_PROPERTIES,	/* a transfer limit below one page */
	VSTOR_NR_VERDICTS
};

const char *vstor_verdict_name(enum vstor_verdict v);

/* What kind of packet the host sent, from its VMBus header alone. */
enum vstor_kind {
	VSTOR_KIND_CONTROL,	/* answers a control request (ol_xact) */
	VSTOR_KIND_IO,		/* answers an SRB */
	VSTOR_KIND_HOST,	/* in-band from the host, id 0 */
};

#define VSTOR_ID_CONTROL	0x8000000000000000ULL
#define VSTOR_ID_GEN_MASK	0x7fffffffu

/* The id of an SRB: blk-mq's unique tag, and the generation of this send. */
static inline u64 vstor_io_id(u32 unique_tag, u32 gen)
{
	return ((u64)(gen & VSTOR_ID_GEN_MASK) << 32) | (u64)(unique_tag + 1);
}

/*
 * Sorts a packet by its VMBus type (VM_PKT_COMP = 11, DATA_INBAND = 6)
 * and transaction id; an I/O id gives its unique tag in @unique_tag.
 */
enum vstor_verdict vstor_classify(u16 pkt_type, u64 trans_id,
				  enum vstor_kind *kind, u32 *unique_tag);

#define VSTOR_PKT_COMP		11
#define VSTOR_PKT_INBAND	6

/*
 * Copies the packet's payload (@len bytes at @buf, at most a packet) into
 * @out, zero-filled past @len: the one read of the ring's bytes.
 */
void vstor_copy(struct vstor_packet *out, const void *buf, u32 len);

/* An in-band packet with id 0: a bus change, or refused. */
enum vstor_verdict vstor_check_host_msg(const struct vstor_packet *p, u32 len);

/*
 * The answer to a control request: COMPLETE_IO and long enough for what
 * @op's answer carries (the properties for QUERY_PROPERTIES, the header
 * for the rest). Its status is the caller's to read.
 */
enum vstor_verdict vstor_check_reply(const struct vstor_packet *p, u32 len,
				     u32 op);

/* What an SRB asked for, against which its answer is held. */
struct vstor_io_expect {
	u16 version;		/* negotiated */
	u32 length;		/* bytes the request's buffer has */
	u32 sense_size;		/* bytes the request's sense buffer has */
};

/*
 * The answer to an SRB: COMPLETE_IO, as long as the version's packet,
 * a defined SRB status, sense that fits its buffer and the SRB's field,
 * and no more bytes moved than the request has.
 */
enum vstor_verdict vstor_check_io(const struct vstor_packet *p, u32 len,
				  const struct vstor_io_expect *want);

/* The packet size of a version, or 0 for one not spoken. */
u32 vstor_packet_size(u16 version);

/*
 * The host's properties made into limits: the largest transfer rounded
 * down to a 4 KiB page and held to @max_xfer_cap, the sub-channels it
 * can open (0 without the multi-channel flag) held to @max_sub_cap.
 */
enum vstor_verdict vstor_check_properties(const struct vstor_properties *pr,
					  u32 max_xfer_cap, u16 max_sub_cap,
					  u32 *max_xfer, u16 *max_sub);

#endif
