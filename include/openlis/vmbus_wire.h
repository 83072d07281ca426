/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMBus wire formats as openlis's protocol code sees them. These mirror the
 * layouts of <linux/hyperv.h> under names of our own, so that the protocol
 * files build in user space for the unit tests; bus.c checks at build time
 * that both views agree on every size and offset that matters.
 */
#ifndef OPENLIS_VMBUS_WIRE_H
#define OPENLIS_VMBUS_WIRE_H

/* A SynIC message carries at most this much VMBus payload. */
#define OLVB_MSG_MAX		240
/* Relids index the 2048-bit event-flags page; anything above is bogus. */
#define OLVB_MAX_RELID		2048
/* Two monitor pages hold four groups of 32 trigger bits. */
#define OLVB_MAX_MONITOR_ID	128
#define OLVB_RING_HDR_SIZE	4096

enum olvb_msg_type {
	OLVB_MSG_INVALID = 0,
	OLVB_MSG_OFFER = 1,
	OLVB_MSG_RESCIND = 2,
	OLVB_MSG_REQUESTOFFERS = 3,
	OLVB_MSG_ALLOFFERS_DELIVERED = 4,
	OLVB_MSG_OPEN = 5,
	OLVB_MSG_OPEN_RESULT = 6,
	OLVB_MSG_CLOSE = 7,
	OLVB_MSG_GPADL_HEADER = 8,
	OLVB_MSG_GPADL_BODY = 9,
	OLVB_MSG_GPADL_CREATED = 10,
	OLVB_MSG_GPADL_TEARDOWN = 11,
	OLVB_MSG_GPADL_TORNDOWN = 12,
	OLVB_MSG_RELID_RELEASED = 13,
	OLVB_MSG_INITIATE_CONTACT = 14,
	OLVB_MSG_VERSION_RESPONSE = 15,
	OLVB_MSG_UNLOAD = 16,
	OLVB_MSG_UNLOAD_RESPONSE = 17,
	OLVB_MSG_TL_CONNECT_REQUEST = 21,
	OLVB_MSG_MODIFYCHANNEL = 22,
	OLVB_MSG_TL_CONNECT_RESULT = 23,
	OLVB_MSG_MODIFYCHANNEL_RESPONSE = 24,
	OLVB_MSG_COUNT = 25,
};

struct olvb_msg_hdr {
	u32 type;
	u32 padding;
} __packed;

struct olvb_msg_offer {
	struct olvb_msg_hdr hdr;
	u8 if_type[16];
	u8 if_instance[16];
	u64 reserved1;
	u64 reserved2;
	u16 chn_flags;
	u16 mmio_megabytes;
	u8 user_def[120];
	u16 sub_channel_index;
	u16 reserved3;
	u32 child_relid;
	u8 monitorid;
	u8 monitor_flags;	/* bit 0: monitor_allocated */
	u16 intr_flags;		/* bit 0: is_dedicated_interrupt */
	u32 connection_id;
} __packed;

struct olvb_msg_relid {		/* RESCIND, CLOSE, RELID_RELEASED */
	struct olvb_msg_hdr hdr;
	u32 child_relid;
} __packed;

struct olvb_msg_open_result {
	struct olvb_msg_hdr hdr;
	u32 child_relid;
	u32 openid;
	u32 status;
} __packed;

struct olvb_msg_gpadl_created {
	struct olvb_msg_hdr hdr;
	u32 child_relid;
	u32 gpadl;
	u32 status;
} __packed;

struct olvb_msg_gpadl_torndown {
	struct olvb_msg_hdr hdr;
	u32 gpadl;
} __packed;

struct olvb_msg_version_response {
	struct olvb_msg_hdr hdr;
	u8 version_supported;
	u8 connection_state;
	u16 padding;
	u32 msg_conn_id;	/* only sent by hosts speaking 5.0 and up */
} __packed;

struct olvb_msg_modify_response {
	struct olvb_msg_hdr hdr;
	u32 child_relid;
	u32 status;
} __packed;

struct olvb_msg_tl_result {
	struct olvb_msg_hdr hdr;
	u8 endpoint_id[16];
	u8 service_id[16];
	u32 status;
} __packed;

struct olvb_msg_gpadl_header {
	struct olvb_msg_hdr hdr;
	u32 child_relid;
	u32 gpadl;
	u16 range_buflen;
	u16 rangecount;
	u32 byte_count;
	u32 byte_offset;
	u64 pfn[];
} __packed;

struct olvb_msg_gpadl_body {
	struct olvb_msg_hdr hdr;
	u32 msgnumber;
	u32 gpadl;
	u64 pfn[];
} __packed;

#define OLVB_GPADL_HDR_PFNS \
	((OLVB_MSG_MAX - sizeof(struct olvb_msg_gpadl_header)) / sizeof(u64))
#define OLVB_GPADL_BODY_PFNS \
	((OLVB_MSG_MAX - sizeof(struct olvb_msg_gpadl_body)) / sizeof(u64))

/* The shared control page in front of each ring's data area. */
struct olvb_ring_hdr {
	u32 write_index;
	u32 read_index;
	u32 interrupt_mask;
	u32 pending_send_sz;
	u32 reserved1[12];
	u32 feature_bits;	/* bit 0: host honours pending_send_sz */
} __packed;

#define OLVB_RING_FEAT_PENDING_SEND_SZ	1u

struct olvb_pkt_desc {
	u16 type;
	u16 offset8;
	u16 len8;
	u16 flags;
	u64 trans_id;
} __packed;

/*
 * A monitor page: the host watches the guest's page for trigger bits and
 * keeps its own with the latency and connection id of each monitored
 * channel. Group g, bit b describes monitor id 32 * g + b.
 */
struct olvb_monitor_group {
	u32 pending;
	u32 armed;
};

struct olvb_monitor_param {
	u32 conn_id;		/* low 24 bits */
	u16 flag_number;
	u16 reserved;
};

struct olvb_monitor_page {
	u32 trigger_state;
	u32 reserved1;
	struct olvb_monitor_group group[4];
	u64 reserved2[3];
	s32 next_check[4][32];
	u16 latency[4][32];
	u64 reserved3[32];
	struct olvb_monitor_param param[4][32];
	u8 reserved4[1984];
};

/* Packet types the ring code itself cares about. */
#define OLVB_PKT_DATA_INBAND		6
#define OLVB_PKT_DATA_USING_GPA_DIRECT	9
#define OLVB_PKT_COMP			11

#endif
