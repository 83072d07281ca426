/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMSTOR, the synthetic SCSI protocol of Hyper-V's storage VSP, as
 * openlis's hv_storvsc speaks it: one struct per message, each with the
 * direction it travels and the first protocol version that has it.
 *
 * Every message is one fixed-size packet: a 12-byte header (operation,
 * flags, status) and a 52-byte body whose meaning the operation names.
 * The guest's requests go in-band (EXECUTE_SRB with a page list), the
 * host answers each with a VMBus completion packet that carries the
 * request's transaction id. The host also sends ENUMERATE_BUS and
 * REMOVE_DEVICE in-band with transaction id 0, unasked.
 *
 * Only Win8 (5.1) and newer are spoken, so the SRB always carries the
 * Win8 extension and every packet is VSTOR_PACKET_SIZE bytes; the table
 * in storvsc/vstor_check.c still states the size per version.
 *
 * Plain data and arithmetic only: storvsc/vstor_check.c builds in the
 * kernel and in the user-space unit tests and fuzzer. The protocol is
 * little-endian and only little-endian guests speak it.
 */
#ifndef OPENLIS_VSTOR_WIRE_H
#define OPENLIS_VSTOR_WIRE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/build_bug.h>
#endif

#define VSTOR_VERSION(major, minor)	((u16)(((major) << 8) | (minor)))
#define VSTOR_VERSION_WIN8		VSTOR_VERSION(5, 1)
#define VSTOR_VERSION_WIN8_1		VSTOR_VERSION(6, 0)
#define VSTOR_VERSION_WIN10		VSTOR_VERSION(6, 2)

enum vstor_op {
	VSTOR_OP_COMPLETE_IO		= 1,
	VSTOR_OP_REMOVE_DEVICE		= 2,
	VSTOR_OP_EXECUTE_SRB		= 3,
	VSTOR_OP_RESET_LUN		= 4,
	VSTOR_OP_RESET_ADAPTER		= 5,
	VSTOR_OP_RESET_BUS		= 6,
	VSTOR_OP_BEGIN_INITIALIZATION	= 7,
	VSTOR_OP_END_INITIALIZATION	= 8,
	VSTOR_OP_QUERY_PROTOCOL_VERSION	= 9,
	VSTOR_OP_QUERY_PROPERTIES	= 10,
	VSTOR_OP_ENUMERATE_BUS		= 11,
	VSTOR_OP_FCHBA_DATA		= 12,
	VSTOR_OP_CREATE_SUB_CHANNELS	= 13,
};

/* vstor_hdr.flags: the guest wants an answer. */
#define VSTOR_FLAG_REQUEST_COMPLETION	0x1

/* NT status codes in vstor_hdr.status */
#define VSTOR_STATUS_SUCCESS		0x00000000u
#define VSTOR_STATUS_REVISION_MISMATCH	0xc0000059u

/* SRB status: the low six bits, with two flags above them. */
#define VSTOR_SRB_STATUS(s)		((s) & 0x3f)
#define VSTOR_SRB_PENDING		0x00
#define VSTOR_SRB_SUCCESS		0x01
#define VSTOR_SRB_ABORTED		0x02
#define VSTOR_SRB_ERROR			0x04
#define VSTOR_SRB_INVALID_REQUEST	0x06
#define VSTOR_SRB_NO_DEVICE		0x08
#define VSTOR_SRB_TIMEOUT		0x09
#define VSTOR_SRB_SELECTION_TIMEOUT	0x0a
#define VSTOR_SRB_BUS_RESET		0x0e
#define VSTOR_SRB_DATA_OVERRUN		0x12
#define VSTOR_SRB_INVALID_LUN		0x20
#define VSTOR_SRB_INTERNAL_ERROR	0x30
/* The largest low-six-bit value Windows defines (SRB_STATUS_LINK_DOWN). */
#define VSTOR_SRB_STATUS_MAX		0x35
#define VSTOR_SRB_QUEUE_FROZEN		0x40
#define VSTOR_SRB_AUTOSENSE_VALID	0x80

/* vstor_srb.data_in */
#define VSTOR_DATA_WRITE		0
#define VSTOR_DATA_READ			1
#define VSTOR_DATA_NONE			2

/* vstor_srb.srb_flags */
#define VSTOR_SRB_FLAGS_QUEUE_ACTION_ENABLE	0x00000002
#define VSTOR_SRB_FLAGS_DISABLE_SYNCH_TRANSFER	0x00000008
#define VSTOR_SRB_FLAGS_DATA_IN			0x00000040
#define VSTOR_SRB_FLAGS_DATA_OUT		0x00000080
#define VSTOR_SRB_FLAGS_NO_QUEUE_FREEZE		0x00000100
#define VSTOR_SRB_SIMPLE_TAG_REQUEST		0x20
#define VSTOR_SP_UNTAGGED			0xff

#define VSTOR_CDB_MAX			16
#define VSTOR_SENSE_MAX			20
/* The host's own SRB timeout, in seconds, as the in-tree guest sends it. */
#define VSTOR_SRB_TIMEOUT_S		60

/* vstor_properties.flags */
#define VSTOR_PROP_MULTI_CHANNEL	0x1

/* The 12-byte header of every packet. */
struct vstor_hdr {
	u32 operation;			/* enum vstor_op */
	u32 flags;
	u32 status;			/* NT status, in answers */
} __packed;

static_assert(sizeof(struct vstor_hdr) == 12);

/*
 * EXECUTE_SRB, guest -> host (5.1), and its COMPLETE_IO, host -> guest,
 * which carries the same SRB back with the status, the bytes moved and,
 * with VSTOR_SRB_AUTOSENSE_VALID, sense data where the CDB was. Answers
 * RESET_LUN and RESET_BUS too (their SRB names the LUN or bus only).
 */
struct vstor_srb {
	u16 length;			/* of this SRB: VSTOR_SRB_SIZE */
	u8 srb_status;
	u8 scsi_status;
	u8 port;
	u8 path_id;
	u8 target_id;
	u8 lun;
	u8 cdb_length;
	u8 sense_length;		/* in answers: sense bytes valid */
	u8 data_in;			/* VSTOR_DATA_* */
	u8 reserved;
	u32 transfer_length;		/* in answers: bytes moved */
	union {
		u8 cdb[VSTOR_CDB_MAX];
		u8 sense[VSTOR_SENSE_MAX];
	};
	/* The Win8 extension (5.1) */
	u16 reserve;
	u8 queue_tag;
	u8 queue_action;
	u32 srb_flags;
	u32 time_out_value;		/* seconds */
	u32 queue_sort_key;
} __packed;

static_assert(sizeof(struct vstor_srb) == 0x34);
#define VSTOR_SRB_SIZE			((u16)sizeof(struct vstor_srb))
/* The SRB of hosts before Win8, without the extension: not spoken. */
#define VSTOR_SRB_SIZE_PRE_WIN8		0x24

/*
 * QUERY_PROTOCOL_VERSION, guest -> host (all versions): the version the
 * guest asks for; the answer's status is SUCCESS or REVISION_MISMATCH.
 */
struct vstor_version {
	u16 major_minor;
	u16 revision;			/* Windows only: 0 */
} __packed;

static_assert(sizeof(struct vstor_version) == 4);

/*
 * The answer to QUERY_PROPERTIES, host -> guest (5.1 for the channel
 * fields): how many sub-channels the host can open and the largest
 * transfer of one SRB. The guest also hands a zeroed copy to vmbus_open()
 * as the channel's user data, as Hyper-V expects.
 */
struct vstor_properties {
	u32 reserved;
	u16 max_channel_count;
	u16 reserved1;
	u32 flags;			/* VSTOR_PROP_* */
	u32 max_transfer_bytes;
	u64 reserved2;
} __packed;

static_assert(sizeof(struct vstor_properties) == 24);

/*
 * CREATE_SUB_CHANNELS, guest -> host (5.1): the host offers this many
 * sub-channels after its SUCCESS answer.
 */
struct vstor_sub_channels {
	u16 count;
} __packed;

static_assert(sizeof(struct vstor_sub_channels) == 2);

/* A whole packet: the header and the body its operation names. */
struct vstor_packet {
	struct vstor_hdr hdr;
	union {
		struct vstor_srb srb;
		struct vstor_version version;
		struct vstor_properties props;
		struct vstor_sub_channels sub;
		u8 body[0x34];
	};
} __packed;

static_assert(sizeof(struct vstor_packet) == 64);
#define VSTOR_PACKET_SIZE		((u32)sizeof(struct vstor_packet))

/*
 * Unsolicited host messages (ENUMERATE_BUS, REMOVE_DEVICE; 5.1) come with
 * transaction id 0 and need no body: only the operation is read.
 */
#define VSTOR_UNSOLICITED_MIN		4u

#endif
