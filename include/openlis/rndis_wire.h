/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RNDIS as Hyper-V's network VSP speaks it inside NVSP RNDIS_PKT messages:
 * one struct per message with its direction (RNDIS itself has no versions
 * beyond the 1.0 both sides ask for; where a structure depends on the NVSP
 * or NDIS version, the comment says so), the OIDs and status indications
 * hv_netvsc uses, per-packet info, and the NDIS offload and RSS objects.
 *
 * Every message starts with struct rndis_hdr. Offsets inside a message
 * (data, per-packet info, information and status buffers) count from the
 * end of that header, RNDIS_HDR_SIZE bytes in. Bit layouts are shifts and
 * masks rather than C bitfields, so the wire does not depend on a compiler.
 */
#ifndef OPENLIS_RNDIS_WIRE_H
#define OPENLIS_RNDIS_WIRE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/build_bug.h>
#endif

#define RNDIS_MAJOR_VERSION		1
#define RNDIS_MINOR_VERSION		0
/* What the guest can take in one message: the in-tree value. */
#define RNDIS_MAX_XFER_SIZE		0x4000

#define RNDIS_MSG_COMPLETION		0x80000000U
enum rndis_msg_type {
	RNDIS_MSG_PACKET		= 0x00000001,
	RNDIS_MSG_INIT			= 0x00000002,
	RNDIS_MSG_HALT			= 0x00000003,
	RNDIS_MSG_QUERY			= 0x00000004,
	RNDIS_MSG_SET			= 0x00000005,
	RNDIS_MSG_RESET			= 0x00000006,
	RNDIS_MSG_INDICATE		= 0x00000007,
	RNDIS_MSG_KEEPALIVE		= 0x00000008,
	RNDIS_MSG_INIT_C		= 0x80000002,
	RNDIS_MSG_QUERY_C		= 0x80000004,
	RNDIS_MSG_SET_C			= 0x80000005,
	RNDIS_MSG_RESET_C		= 0x80000006,
	RNDIS_MSG_KEEPALIVE_C		= 0x80000008,
};

#define RNDIS_STATUS_SUCCESS		0x00000000U
#define RNDIS_STATUS_PENDING		0x00000103U
#define RNDIS_STATUS_MEDIA_CONNECT	0x4001000BU
#define RNDIS_STATUS_MEDIA_DISCONNECT	0x4001000CU
#define RNDIS_STATUS_LINK_SPEED_CHANGE	0x40010013U
#define RNDIS_STATUS_NETWORK_CHANGE	0x40010018U
#define RNDIS_STATUS_BUFFER_OVERFLOW	0x80000005U
#define RNDIS_STATUS_FAILURE		0xC0000001U
#define RNDIS_STATUS_RESOURCES		0xC000009AU
#define RNDIS_STATUS_NOT_SUPPORTED	0xC00000BBU

/* OIDs hv_netvsc queries (Q) or sets (S). */
#define RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE	0x00010106U	/* Q */
#define RNDIS_OID_GEN_LINK_SPEED		0x00010107U	/* Q, 100 b/s */
#define RNDIS_OID_GEN_CURRENT_PACKET_FILTER	0x0001010EU	/* S */
#define RNDIS_OID_GEN_MAXIMUM_TOTAL_SIZE	0x00010111U	/* Q */
#define RNDIS_OID_GEN_MEDIA_CONNECT_STATUS	0x00010114U	/* Q */
#define RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER	0x0001021BU	/* S */
#define RNDIS_OID_GEN_RSS_CAPABILITIES		0x00010203U	/* Q */
#define RNDIS_OID_GEN_RSS_PARAMETERS		0x00010204U	/* Q, S */
#define RNDIS_OID_GEN_XMIT_OK			0x00020101U	/* Q */
#define RNDIS_OID_GEN_RCV_OK			0x00020102U	/* Q */
#define RNDIS_OID_802_3_PERMANENT_ADDRESS	0x01010101U	/* Q */
#define RNDIS_OID_802_3_CURRENT_ADDRESS		0x01010102U	/* Q */
#define RNDIS_OID_802_3_MULTICAST_LIST		0x01010103U	/* S */
#define RNDIS_OID_OFFLOAD_ENCAPSULATION		0x0101010AU	/* Q, S */
#define RNDIS_OID_TCP_OFFLOAD_CURRENT_CONFIG	0xFC01020BU	/* Q */
#define RNDIS_OID_TCP_OFFLOAD_PARAMETERS	0xFC01020CU	/* S */
#define RNDIS_OID_TCP_OFFLOAD_HW_CAPS		0xFC01020DU	/* Q */

#define RNDIS_MEDIA_STATE_CONNECTED	0
#define RNDIS_MEDIA_STATE_DISCONNECTED	1

/* OID_GEN_CURRENT_PACKET_FILTER bits. */
#define NDIS_PACKET_TYPE_DIRECTED	0x00000001U
#define NDIS_PACKET_TYPE_MULTICAST	0x00000002U
#define NDIS_PACKET_TYPE_ALL_MULTICAST	0x00000004U
#define NDIS_PACKET_TYPE_BROADCAST	0x00000008U
#define NDIS_PACKET_TYPE_PROMISCUOUS	0x00000020U

struct rndis_hdr {
	u32 type;
	u32 len;	/* of the whole message, this header included */
} __packed;
static_assert(sizeof(struct rndis_hdr) == 8);
#define RNDIS_HDR_SIZE		sizeof(struct rndis_hdr)

/* guest -> host. */
struct rndis_init_req {
	struct rndis_hdr hdr;
	u32 req_id;
	u32 major;
	u32 minor;
	u32 max_xfer_size;
} __packed;
static_assert(sizeof(struct rndis_init_req) == 24);

/* host -> guest: the host's limits on what one packet message may batch. */
struct rndis_init_comp {
	struct rndis_hdr hdr;
	u32 req_id;
	u32 status;
	u32 major;
	u32 minor;
	u32 dev_flags;
	u32 medium;
	u32 max_pkts;
	u32 max_xfer_size;
	u32 align_shift;	/* packets in a batch align to 1 << this */
	u32 af_list_offset;
	u32 af_list_size;
} __packed;
static_assert(sizeof(struct rndis_init_comp) == 52);

/* guest -> host: no completion. */
struct rndis_halt_req {
	struct rndis_hdr hdr;
	u32 req_id;
} __packed;
static_assert(sizeof(struct rndis_halt_req) == 12);

/* guest -> host: QUERY and SET; the information buffer follows at info_offset. */
struct rndis_oid_req {
	struct rndis_hdr hdr;
	u32 req_id;
	u32 oid;
	u32 info_len;
	u32 info_offset;
	u32 dev_vc_handle;
} __packed;
static_assert(sizeof(struct rndis_oid_req) == 28);

/* host -> guest (QUERY_C): the answer sits at info_offset, info_len long. */
struct rndis_query_comp {
	struct rndis_hdr hdr;
	u32 req_id;
	u32 status;
	u32 info_len;
	u32 info_offset;
} __packed;
static_assert(sizeof(struct rndis_query_comp) == 24);

/* host -> guest (SET_C). */
struct rndis_set_comp {
	struct rndis_hdr hdr;
	u32 req_id;
	u32 status;
} __packed;
static_assert(sizeof(struct rndis_set_comp) == 16);

/* guest -> host. */
struct rndis_reset_req {
	struct rndis_hdr hdr;
	u32 reserved;
} __packed;
static_assert(sizeof(struct rndis_reset_req) == 12);

/* host -> guest (RESET_C): no request id; matched as the one reset. */
struct rndis_reset_comp {
	struct rndis_hdr hdr;
	u32 status;
	u32 addressing_reset;
} __packed;
static_assert(sizeof(struct rndis_reset_comp) == 16);

/*
 * host -> guest, unsolicited: link changes and link speed (a u32 in 100 b/s
 * in the status buffer). Hosts before Windows Server 2016's vSwitch leave
 * the status buffer out of hdr.len: it is bounded by the transfer range.
 */
struct rndis_indicate {
	struct rndis_hdr hdr;
	u32 status;
	u32 buf_len;
	u32 buf_offset;
} __packed;
static_assert(sizeof(struct rndis_indicate) == 20);

/* both ways. */
struct rndis_keepalive_req {
	struct rndis_hdr hdr;
	u32 req_id;
} __packed;
static_assert(sizeof(struct rndis_keepalive_req) == 12);

/* both ways (KEEPALIVE_C). */
struct rndis_keepalive_comp {
	struct rndis_hdr hdr;
	u32 req_id;
	u32 status;
} __packed;
static_assert(sizeof(struct rndis_keepalive_comp) == 16);

/* both ways: one Ethernet frame at data_offset, with its per-packet info. */
struct rndis_packet {
	struct rndis_hdr hdr;
	u32 data_offset;
	u32 data_len;
	u32 oob_offset;
	u32 oob_len;
	u32 oob_count;
	u32 ppi_offset;
	u32 ppi_len;
	u32 vc_handle;
	u32 reserved;
} __packed;
static_assert(sizeof(struct rndis_packet) == 44);

/*
 * Per-packet info: a chain of records, each @size bytes long (header
 * included) with its value at @offset from the record's start.
 */
struct rndis_ppi {
	u32 size;
	u32 type;	/* bits 0-30 the type, bit 31: an RNDIS-internal type */
	u32 offset;
} __packed;
static_assert(sizeof(struct rndis_ppi) == 12);

#define RNDIS_PPI_INTERNAL		0x80000000U
#define RNDIS_PPI_TYPE_MASK		0x7fffffffU

enum rndis_ppi_type {
	RNDIS_PPI_CSUM			= 0,
	RNDIS_PPI_IPSEC			= 1,
	RNDIS_PPI_LSO			= 2,
	RNDIS_PPI_CLASSIFY		= 3,
	RNDIS_PPI_SG_LIST		= 5,
	RNDIS_PPI_VLAN			= 6,
	RNDIS_PPI_ORIGINAL		= 7,
	RNDIS_PPI_HASH_VALUE		= 8,
	RNDIS_PPI_ORIGINAL_NBL		= 9,
	RNDIS_PPI_CACHED_NBL		= 10,
	RNDIS_PPI_SHORT_PAD		= 11,
};

/* An internal type (bit 31 set): which fragment of an RSC packet this is. */
#define RNDIS_PPI_PKT_ID		(RNDIS_PPI_INTERNAL | 1)

/* RNDIS_PPI_PKT_ID (internal), host -> guest with RSC, NVSP 6.1. */
struct rndis_pktinfo_id {
	u8 ver;
	u8 flags;
	u16 pkt_id;
} __packed;
static_assert(sizeof(struct rndis_pktinfo_id) == 4);

#define RNDIS_PKTINFO_SUBALLOC		0x01
#define RNDIS_PKTINFO_1ST_FRAG		0x02
#define RNDIS_PKTINFO_LAST_FRAG		0x04

/* RNDIS_PPI_CSUM, guest -> host: what to compute. */
#define NDIS_TXCSUM_IPV4		0x1U
#define NDIS_TXCSUM_IPV6		0x2U
#define NDIS_TXCSUM_TCP			0x4U
#define NDIS_TXCSUM_UDP			0x8U
#define NDIS_TXCSUM_IP_HDR		0x10U
#define NDIS_TXCSUM_TCP_OFF_SHIFT	16	/* 10 bits */
/* RNDIS_PPI_CSUM, host -> guest: what the host verified. */
#define NDIS_RXCSUM_TCP_FAILED		0x1U
#define NDIS_RXCSUM_UDP_FAILED		0x2U
#define NDIS_RXCSUM_IP_FAILED		0x4U
#define NDIS_RXCSUM_TCP_OK		0x8U
#define NDIS_RXCSUM_UDP_OK		0x10U
#define NDIS_RXCSUM_IP_OK		0x20U

/* RNDIS_PPI_LSO, guest -> host, LSOv2. */
#define NDIS_LSO2_MSS_MASK		0x000fffffU
#define NDIS_LSO2_TCP_OFF_SHIFT		20	/* 10 bits */
#define NDIS_LSO2_TYPE			0x40000000U
#define NDIS_LSO2_IPV6			0x80000000U

/* RNDIS_PPI_VLAN, both ways: 802.1Q priority and id. */
#define NDIS_VLAN_PRI_MASK		0x7U
#define NDIS_VLAN_CFI			0x8U
#define NDIS_VLAN_ID_SHIFT		4
#define NDIS_VLAN_ID_MASK		0xfffU

/* Each PPI value above is one u32. */
struct rndis_ppi_u32 {
	struct rndis_ppi ppi;
	u32 value;
} __packed;
static_assert(sizeof(struct rndis_ppi_u32) == 16);

/* guest -> host, OID_GEN_RNDIS_CONFIG_PARAMETER: a named parameter. */
struct rndis_config_param {
	u32 name_offset;	/* from the start of this structure */
	u32 name_len;		/* bytes of UTF-16 */
	u32 param_type;
	u32 value_offset;
	u32 value_len;
} __packed;
static_assert(sizeof(struct rndis_config_param) == 20);

#define RNDIS_CONFIG_PARAM_INTEGER	0
#define RNDIS_CONFIG_PARAM_STRING	2

/* The header of every NDIS object an OID carries. */
struct ndis_obj_hdr {
	u8 type;
	u8 rev;
	u16 size;
} __packed;
static_assert(sizeof(struct ndis_obj_hdr) == 4);

#define NDIS_OBJTYPE_DEFAULT		0x80
#define NDIS_OBJTYPE_RSS_CAPS		0x88
#define NDIS_OBJTYPE_RSS_PARAMS		0x89
#define NDIS_OBJTYPE_OFFLOAD		0xa7

/* host -> guest (OID_GEN_RSS_CAPABILITIES answer), revision 2. */
struct ndis_rss_caps {
	struct ndis_obj_hdr hdr;
	u32 caps;
	u32 num_int_msgs;
	u32 num_queues;
	u16 num_ind_entries;	/* revision 2; 0 or absent means 128 */
} __packed;
static_assert(sizeof(struct ndis_rss_caps) == 18);
#define NDIS_RSS_CAPS_REV_2		2
#define NDIS_RSS_CAPS_SIZE_REV_1	16

/*
 * guest -> host (OID_GEN_RSS_PARAMETERS set), revision 2: the indirection
 * table (u32 entries) and the Toeplitz key follow, at their offsets from
 * the start of this structure.
 */
struct ndis_rss_params {
	struct ndis_obj_hdr hdr;
	u16 flags;
	u16 base_cpu;
	u32 hash_info;
	u16 ind_size;		/* bytes */
	u16 pad1;
	u32 ind_offset;
	u16 key_size;		/* bytes */
	u16 pad2;
	u32 key_offset;
	u32 cpu_masks_offset;
	u32 cpu_masks_count;
	u32 cpu_masks_entry_size;
} __packed;
static_assert(sizeof(struct ndis_rss_params) == 40);
#define NDIS_RSS_PARAMS_REV_2		2
#define NDIS_RSS_FLAG_DISABLE		0x0010
#define NDIS_HASH_FUNC_TOEPLITZ		0x00000001U
#define NDIS_HASH_IPV4			0x00000100U
#define NDIS_HASH_TCP_IPV4		0x00000200U
#define NDIS_HASH_IPV6			0x00000400U
#define NDIS_HASH_TCP_IPV6		0x00001000U
#define NDIS_RSS_KEY_SIZE		40
#define NDIS_RSS_IND_ENTRIES		128
#define NDIS_RSS_IND_ENTRIES_MAX	256

struct ndis_csum_caps {
	u32 ip4_txenc;
	u32 ip4_txcsum;
	u32 ip4_rxenc;
	u32 ip4_rxcsum;
	u32 ip6_txenc;
	u32 ip6_txcsum;
	u32 ip6_rxenc;
	u32 ip6_rxcsum;
} __packed;
static_assert(sizeof(struct ndis_csum_caps) == 32);
#define NDIS_CSUM_CAP_TCP4OPT		0x004	/* ip4_txcsum, ip4_rxcsum */
#define NDIS_CSUM_CAP_TCP4		0x010
#define NDIS_CSUM_CAP_UDP4		0x040
#define NDIS_CSUM_CAP_IP4		0x100
#define NDIS_CSUM_CAP_IP6EXT		0x001	/* ip6_txcsum, ip6_rxcsum */
#define NDIS_CSUM_CAP_TCP6OPT		0x004
#define NDIS_CSUM_CAP_TCP6		0x010
#define NDIS_CSUM_CAP_UDP6		0x040

struct ndis_lsov2_caps {
	u32 ip4_encap;
	u32 ip4_maxsz;
	u32 ip4_minsg;
	u32 ip6_encap;
	u32 ip6_maxsz;
	u32 ip6_minsg;
	u32 ip6_opts;
} __packed;
static_assert(sizeof(struct ndis_lsov2_caps) == 28);
#define NDIS_ENCAP_8023			0x0002
#define NDIS_LSOV2_CAP_IP6		0x005	/* IP6EXT | TCP6OPT */

/*
 * host -> guest (OID_TCP_OFFLOAD_HW_CAPS answer). The guest asks for
 * revision 1 (NDIS_OFFLOAD_SIZE_6_0 bytes) below NVSP 4, 2 (..._6_1) on
 * NVSP 4 and 3 (the whole structure) from NVSP 5; the host may answer
 * with less, never less than NDIS_OFFLOAD_SIZE_6_0.
 */
struct ndis_offload_caps {
	struct ndis_obj_hdr hdr;
	struct ndis_csum_caps csum;
	u32 lsov1[4];
	u32 ipsecv1[7];
	struct ndis_lsov2_caps lsov2;
	u32 flags;
	u32 ipsecv2[8];
	u8 rsc_ip4;		/* revision 3 */
	u8 rsc_ip6;
	u16 pad;
	u32 encap_gre[2];
} __packed;
static_assert(sizeof(struct ndis_offload_caps) == 156);
#define NDIS_OFFLOAD_SIZE_6_0		112	/* up to ipsecv2 */
#define NDIS_OFFLOAD_SIZE_6_1		144	/* up to rsc_ip4 */
#define NDIS_OFFLOAD_REV_1		1
#define NDIS_OFFLOAD_REV_2		2
#define NDIS_OFFLOAD_REV_3		3

/*
 * guest -> host (OID_TCP_OFFLOAD_PARAMETERS set), revision 3; up to NVSP 4
 * only the first NDIS_OFFLOAD_PARAMS_SIZE_4 bytes, without UDP checksum.
 */
struct ndis_offload_params {
	struct ndis_obj_hdr hdr;
	u8 ip4_csum;
	u8 tcp4_csum;
	u8 udp4_csum;
	u8 tcp6_csum;
	u8 udp6_csum;
	u8 lsov1;
	u8 ipsecv1;
	u8 lsov2_ip4;
	u8 lsov2_ip6;
	u8 tcp_conn_ip4;
	u8 tcp_conn_ip6;
	u8 pad1;
	u32 flags;
	u8 ipsecv2;
	u8 ipsecv2_ip4;
	u8 rsc_ip4;
	u8 rsc_ip6;
	u8 encap_task;
	u8 encap_types;
	u16 pad2;
} __packed;
static_assert(sizeof(struct ndis_offload_params) == 28);
#define NDIS_OFFLOAD_PARAMS_SIZE_4	22
#define NDIS_OFFLOAD_NO_CHANGE		0
#define NDIS_OFFLOAD_LSOV2_DISABLED	1
#define NDIS_OFFLOAD_LSOV2_ENABLED	2
#define NDIS_OFFLOAD_RSC_DISABLED	1
#define NDIS_OFFLOAD_RSC_ENABLED	2
#define NDIS_OFFLOAD_CSUM_DISABLED	1
#define NDIS_OFFLOAD_CSUM_TX		2
#define NDIS_OFFLOAD_CSUM_RX		3
#define NDIS_OFFLOAD_CSUM_TX_RX		4

#endif
