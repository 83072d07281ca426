/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVSP, the Network Virtual Service Protocol: the messages hv_netvsc and the
 * host's network VSP exchange on a VMBus channel, one struct per message,
 * each with its direction and the NVSP version that introduced it. Every
 * message starts with its u32 type. The host (Hyper-V, OpenVMM) sends and
 * expects messages padded to NVSP_MSG_SIZE; what it sends us is checked by
 * netvsc/nvsp_check.c against the least sizes below.
 *
 * Plain data only, so the checks build in user space for the unit tests and
 * fuzzers. Little-endian, as every guest that speaks it.
 */
#ifndef OPENLIS_NVSP_WIRE_H
#define OPENLIS_NVSP_WIRE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/build_bug.h>
#endif
#include <openlis/vmbus_wire.h>

/* Protocol versions, as the guest offers them (min = max), newest first. */
#define NVSP_VERSION_1		0x00002
#define NVSP_VERSION_2		0x30002
#define NVSP_VERSION_4		0x40000
#define NVSP_VERSION_5		0x50000
#define NVSP_VERSION_6		0x60000
#define NVSP_VERSION_61		0x60001

/* NDIS version the guest announces: 6.1 up to NVSP 4, 6.30 above. */
#define NVSP_NDIS_MAJOR		6
#define NVSP_NDIS_MINOR_OLD	1
#define NVSP_NDIS_MINOR		30

/* Every message we send is this long, zero-padded; the host pads its own. */
#define NVSP_MSG_SIZE		40

enum nvsp_msg_type {
	NVSP_MSG_NONE			= 0,
	NVSP_MSG_INIT			= 1,
	NVSP_MSG_INIT_COMPLETE		= 2,
	/* NVSP 1 */
	NVSP_MSG1_NDIS_VERSION		= 100,
	NVSP_MSG1_RXBUF			= 101,
	NVSP_MSG1_RXBUF_COMPLETE	= 102,
	NVSP_MSG1_RXBUF_REVOKE		= 103,
	NVSP_MSG1_TXBUF			= 104,
	NVSP_MSG1_TXBUF_COMPLETE	= 105,
	NVSP_MSG1_TXBUF_REVOKE		= 106,
	NVSP_MSG1_RNDIS_PKT		= 107,
	NVSP_MSG1_RNDIS_PKT_COMPLETE	= 108,
	/* NVSP 2: 109..124 are chimney and VMQ messages no guest uses. */
	NVSP_MSG2_NDIS_CONFIG		= 125,
	/* NVSP 4 */
	NVSP_MSG4_VF_ASSOCIATION	= 128,
	NVSP_MSG4_SWITCH_DATA_PATH	= 129,
	/* NVSP 5 */
	NVSP_MSG5_OID_QUERY_EX		= 131,
	NVSP_MSG5_OID_QUERY_EX_COMPLETE	= 132,
	NVSP_MSG5_SUBCHANNEL		= 133,
	NVSP_MSG5_SEND_TABLE		= 134,
	/* NVSP 6: packet direct, which Linux guests do not use. */
	NVSP_MSG6_PD_API		= 135,
	NVSP_MSG6_PD_POST_BATCH		= 136,
};

enum nvsp_status {
	NVSP_STATUS_NONE		= 0,
	NVSP_STATUS_SUCCESS		= 1,
	NVSP_STATUS_FAIL		= 2,
	NVSP_STATUS_TOO_NEW		= 3,
	NVSP_STATUS_TOO_OLD		= 4,
	NVSP_STATUS_INVALID_RNDIS	= 5,
	NVSP_STATUS_BUSY		= 6,
	NVSP_STATUS_UNSUPPORTED		= 7,
};

struct nvsp_hdr {
	u32 type;
} __packed;
static_assert(sizeof(struct nvsp_hdr) == 4);

/* guest -> host, NVSP 1: offer one version (min = max). */
struct nvsp_init {
	u32 type;
	u32 ver_min;
	u32 ver_max;
} __packed;
static_assert(sizeof(struct nvsp_init) == 12);

/* host -> guest (completion of INIT), NVSP 1. */
struct nvsp_init_complete {
	u32 type;
	u32 ver;
	u32 max_mdl_chain_len;
	u32 status;
} __packed;
static_assert(sizeof(struct nvsp_init_complete) == 16);

/* guest -> host, NVSP 1. No answer. */
struct nvsp_ndis_version {
	u32 type;
	u32 major;
	u32 minor;
} __packed;
static_assert(sizeof(struct nvsp_ndis_version) == 12);

/* guest -> host, NVSP 2: the MTU here counts the Ethernet header. No answer. */
struct nvsp_ndis_config {
	u32 type;
	u32 mtu;
	u32 reserved;
	u64 caps;
} __packed;
static_assert(sizeof(struct nvsp_ndis_config) == 20);

#define NVSP_CAP_VMQ		0x1ULL
#define NVSP_CAP_CHIMNEY	0x2ULL
#define NVSP_CAP_SRIOV		0x4ULL	/* NVSP 5 */
#define NVSP_CAP_IEEE8021Q	0x8ULL
#define NVSP_CAP_CORRELATION	0x10ULL
#define NVSP_CAP_TEAMING	0x20ULL	/* NVSP 5 */
#define NVSP_CAP_VSUBNETID	0x40ULL
#define NVSP_CAP_RSC		0x80ULL	/* NVSP 6.1 */

/* guest -> host, NVSP 1: the receive buffer's GPADL; completed with one. */
struct nvsp_rxbuf {
	u32 type;
	u32 gpadl;
	u16 id;
} __packed;
static_assert(sizeof(struct nvsp_rxbuf) == 10);

#define NVSP_RXBUF_ID		0xcafe
#define NVSP_TXBUF_ID		0

struct nvsp_rxbuf_section {
	u32 offset;
	u32 sub_alloc_size;
	u32 num_sub_allocs;
	u32 end_offset;
} __packed;
static_assert(sizeof(struct nvsp_rxbuf_section) == 16);

/* host -> guest (completion of RXBUF), NVSP 1: Linux takes one section. */
struct nvsp_rxbuf_complete {
	u32 type;
	u32 status;
	u32 num_sections;
	struct nvsp_rxbuf_section section;
} __packed;
static_assert(sizeof(struct nvsp_rxbuf_complete) == 28);

/* guest -> host, NVSP 1: the receive or send buffer is taken back. */
struct nvsp_buf_revoke {
	u32 type;
	u16 id;
} __packed;
static_assert(sizeof(struct nvsp_buf_revoke) == 6);

/* guest -> host, NVSP 1: the send buffer's GPADL; completed with one. */
struct nvsp_txbuf {
	u32 type;
	u32 gpadl;
	u16 id;
} __packed;
static_assert(sizeof(struct nvsp_txbuf) == 10);

/* host -> guest (completion of TXBUF), NVSP 1: the host picks the section. */
struct nvsp_txbuf_complete {
	u32 type;
	u32 status;
	u32 section_size;
} __packed;
static_assert(sizeof(struct nvsp_txbuf_complete) == 12);

/*
 * both ways, NVSP 1: an RNDIS message. From the guest it sits in a send
 * buffer section (index, size) or in page buffers (index NVSP_NO_SECTION);
 * from the host it arrives as a transfer-page packet, one message a range.
 */
struct nvsp_rndis_pkt {
	u32 type;
	u32 channel_type;
	u32 section_index;
	u32 section_size;
} __packed;
static_assert(sizeof(struct nvsp_rndis_pkt) == 16);

#define NVSP_CHANNEL_DATA	0
#define NVSP_CHANNEL_CONTROL	1
#define NVSP_NO_SECTION		0xffffffffU

/* both ways (completion of RNDIS_PKT), NVSP 1. */
struct nvsp_rndis_pkt_complete {
	u32 type;
	u32 status;
} __packed;
static_assert(sizeof(struct nvsp_rndis_pkt_complete) == 8);

/* host -> guest (in-band), NVSP 4: a VF to team with, by its serial. */
struct nvsp_vf_association {
	u32 type;
	u32 allocated;
	u32 serial;
} __packed;
static_assert(sizeof(struct nvsp_vf_association) == 12);

/* guest -> host, NVSP 4: completed by an empty VMBus completion. */
struct nvsp_switch_data_path {
	u32 type;
	u32 active;
} __packed;
static_assert(sizeof(struct nvsp_switch_data_path) == 8);

#define NVSP_DATA_PATH_SYNTHETIC	0
#define NVSP_DATA_PATH_VF		1

/* guest -> host, NVSP 5: ask for sub-channels; completed with the grant. */
struct nvsp_subchannel_req {
	u32 type;
	u32 op;
	u32 count;
} __packed;
static_assert(sizeof(struct nvsp_subchannel_req) == 12);

#define NVSP_SUBCHANNEL_ALLOCATE	1

/* host -> guest (completion of SUBCHANNEL), NVSP 5. */
struct nvsp_subchannel_complete {
	u32 type;
	u32 status;
	u32 count;
} __packed;
static_assert(sizeof(struct nvsp_subchannel_complete) == 12);

/*
 * host -> guest (in-band), NVSP 5: the send indirection table, @count u32
 * channel indexes at @offset from the start of this message. Hosts up to
 * NVSP 6 put the table right after a full message (NVSP_MSG_SIZE) whatever
 * @offset says.
 */
struct nvsp_send_table {
	u32 type;
	u32 count;
	u32 offset;
} __packed;
static_assert(sizeof(struct nvsp_send_table) == 12);

#define NVSP_SEND_TABLE_SIZE	16

/*
 * The VMBus transfer-page packet the host sends received frames in: the
 * descriptor, the buffer's id, and @range_cnt byte ranges of the receive
 * buffer, each one RNDIS message. The NVSP message follows at offset8 * 8.
 */
#define NVSP_PKT_XFER_PAGES	7

struct nvsp_xfer_range {
	u32 byte_count;
	u32 byte_offset;
} __packed;
static_assert(sizeof(struct nvsp_xfer_range) == 8);

struct nvsp_xfer_hdr {
	struct olvb_pkt_desc desc;
	u16 pageset_id;
	u8 sender_owns_set;
	u8 reserved;
	u32 range_cnt;
	struct nvsp_xfer_range ranges[];
} __packed;
static_assert(sizeof(struct nvsp_xfer_hdr) == 24);

/* RSC coalesces up to this many frames into one packet; 375 without it. */
#define NVSP_MAX_XFER_RANGES	562

/* Sections smaller than the least Ethernet MTU cannot carry a frame. */
#define NVSP_MIN_SECTION	68

#endif
