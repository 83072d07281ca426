/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMBus wire formats as openlis's protocol code sees them. These mirror the
 * layouts of <linux/hyperv.h> under names of our own, so that the protocol
 * files build in user space for the unit tests; bus.c checks at build time
 * that both views agree on every size and offset that matters.
 *
 * One home per message. Each host-to-guest message has its struct here,
 * with its direction and the first VMBus version that has it (0.13 is
 * Windows Server 2008, 2.4 Windows 8, 3.0 Windows 8.1, 4.0 Windows 10,
 * 5.x its later releases) and a static_assert of its size; the least a
 * host may send of it is olvb_min_len[] in vmbus/msg_check.c, which
 * olvb_msg_check() enforces, and the request it answers is matched by
 * the key helpers at the end of this file, used by both the request and
 * the response side. The guest-to-host messages are the kernel's own
 * structs of <linux/hyperv.h>, since only the kernel builds them:
 *
 *   message             struct (vmbus_channel_*)  since  answer, matched by
 *   REQUESTOFFERS       message_header            0.13   the offers
 *   OPEN                open_channel              0.13   OPEN_RESULT: relid, openid
 *   CLOSE               close_channel             0.13   none
 *   GPADL_HEADER, BODY  gpadl_header, gpadl_body  0.13   GPADL_CREATED: relid, gpadl
 *   GPADL_TEARDOWN      gpadl_teardown            0.13   GPADL_TORNDOWN: gpadl
 *   RELID_RELEASED      relid_released            0.13   none
 *   INITIATE_CONTACT    initiate_contact          0.13   VERSION_RESPONSE, one at a time
 *   UNLOAD              message_header            0.13   UNLOAD_RESPONSE, since 3.0
 *   TL_CONNECT_REQUEST  tl_connect_request        4.0    TL_CONNECT_RESULT
 *   MODIFYCHANNEL       modifychannel             4.1    MODIFYCHANNEL_RESPONSE: relid, 5.3
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
/* Each packet in a ring is followed by 8 bytes: the sender's old index. */
#define OLVB_TRAILER		8u
/* The message type HvPostMessage carries for every VMBus channel message. */
#define OLVB_POST_MSG_TYPE	1

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

/* Both ways, every version: the head of every channel message. */
struct olvb_msg_hdr {
	u32 type;
	u32 padding;
} __packed;
static_assert(sizeof(struct olvb_msg_hdr) == 8);

/* Host to guest, 0.13: a device's channel, or a sub-channel of one. */
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
static_assert(sizeof(struct olvb_msg_offer) == 196);

/* Host to guest, 0.13: RESCIND (and the layout of CLOSE, RELID_RELEASED). */
struct olvb_msg_relid {
	struct olvb_msg_hdr hdr;
	u32 child_relid;
} __packed;
static_assert(sizeof(struct olvb_msg_relid) == 12);

/* Host to guest, 0.13: answers OPEN, matched by relid and openid. */
struct olvb_msg_open_result {
	struct olvb_msg_hdr hdr;
	u32 child_relid;
	u32 openid;
	u32 status;
} __packed;
static_assert(sizeof(struct olvb_msg_open_result) == 20);

/* Host to guest, 0.13: answers GPADL_HEADER, matched by relid and gpadl. */
struct olvb_msg_gpadl_created {
	struct olvb_msg_hdr hdr;
	u32 child_relid;
	u32 gpadl;
	u32 status;
} __packed;
static_assert(sizeof(struct olvb_msg_gpadl_created) == 20);

/* Host to guest, 0.13: answers GPADL_TEARDOWN, matched by gpadl. */
struct olvb_msg_gpadl_torndown {
	struct olvb_msg_hdr hdr;
	u32 gpadl;
} __packed;
static_assert(sizeof(struct olvb_msg_gpadl_torndown) == 12);

/*
 * Host to guest, 0.13: answers INITIATE_CONTACT; msg_conn_id since 5.0,
 * and older hosts may stop after version_supported.
 */
struct olvb_msg_version_response {
	struct olvb_msg_hdr hdr;
	u8 version_supported;
	u8 connection_state;
	u16 padding;
	u32 msg_conn_id;
} __packed;
static_assert(sizeof(struct olvb_msg_version_response) == 16);

/* Host to guest, 5.3: answers MODIFYCHANNEL, matched by relid. */
struct olvb_msg_modify_response {
	struct olvb_msg_hdr hdr;
	u32 child_relid;
	u32 status;
} __packed;
static_assert(sizeof(struct olvb_msg_modify_response) == 16);

/* Host to guest, 4.0: answers TL_CONNECT_REQUEST. */
struct olvb_msg_tl_result {
	struct olvb_msg_hdr hdr;
	u8 endpoint_id[16];
	u8 service_id[16];
	u32 status;
} __packed;
static_assert(sizeof(struct olvb_msg_tl_result) == 44);

/*
 * Guest to host, 0.13: the user-space view of GPADL_HEADER and GPADL_BODY,
 * which vmbus/gpadl_msg.c builds for the unit tests and the kernel alike.
 */
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
static_assert(sizeof(struct olvb_msg_gpadl_header) == 28);

struct olvb_msg_gpadl_body {
	struct olvb_msg_hdr hdr;
	u32 msgnumber;
	u32 gpadl;
	u64 pfn[];
} __packed;
static_assert(sizeof(struct olvb_msg_gpadl_body) == 16);

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
static_assert(sizeof(struct olvb_ring_hdr) == 68);

#define OLVB_RING_FEAT_PENDING_SEND_SZ	1u

/* Both ways, in a ring: the head of every packet. */
struct olvb_pkt_desc {
	u16 type;
	u16 offset8;
	u16 len8;
	u16 flags;
	u64 trans_id;
} __packed;
static_assert(sizeof(struct olvb_pkt_desc) == 16);

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

static_assert(sizeof(struct olvb_monitor_page) == 4096);

/* Packet types the ring code itself cares about. */
#define OLVB_PKT_DATA_INBAND		6
#define OLVB_PKT_DATA_USING_GPA_DIRECT	9
#define OLVB_PKT_COMP			11

/*
 * The keys that tie a response to the request waiting for it: the fields
 * the request put on the wire, so one channel's answer can never complete
 * another channel's wait. The request side builds its key with the same
 * helper that olvb_resp_key() applies to the response.
 */
static inline u64 olvb_key_open(u32 relid, u32 openid)
{
	return (u64)relid << 32 | openid;
}

static inline u64 olvb_key_gpadl(u32 relid, u32 gpadl)
{
	return (u64)relid << 32 | gpadl;
}

static inline u64 olvb_key_torndown(u32 gpadl)
{
	return gpadl;
}

static inline u64 olvb_key_modify(u32 relid)
{
	return relid;
}

#endif
