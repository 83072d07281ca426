/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks on every RNDIS message the host sends, and on the NDIS objects its
 * query answers carry. The message is a private copy of one receive-buffer
 * range; what a check accepts is decoded into struct rndis_host_msg, with
 * offsets that count from the start of that copy. See rndis_check.c.
 */
#ifndef OPENLIS_NETVSC_RNDIS_CHECK_H
#define OPENLIS_NETVSC_RNDIS_CHECK_H

#include <openlis/rndis_wire.h>

enum rndis_verdict {
	RNDIS_OK,
	RNDIS_BAD_LENGTH,	/* shorter than a header or its type */
	RNDIS_BAD_MSG_LEN,	/* the header's length disagrees with the range */
	RNDIS_BAD_TYPE,		/* not a message the host sends */
	RNDIS_BAD_DATA,		/* the frame lies outside the message */
	RNDIS_BAD_PPI,		/* per-packet info outside or malformed */
	RNDIS_BAD_INFO,		/* a query answer outside the message */
	RNDIS_BAD_STATUS_BUF,	/* a status buffer outside the range */
	RNDIS_BAD_OBJECT,	/* an NDIS object of the wrong type or size */
	RNDIS_NR_VERDICTS
};

/* Which per-packet info values a packet carried. */
#define RNDIS_HAS_CSUM		0x01
#define RNDIS_HAS_VLAN		0x02
#define RNDIS_HAS_HASH		0x04
#define RNDIS_HAS_PKT_ID	0x08

struct rndis_host_msg {
	u32 type;
	u32 len;			/* the header's, <= the range */
	union {
		struct {		/* RNDIS_MSG_PACKET */
			u32 data_off;	/* from the message's start */
			u32 data_len;
			u32 has;	/* RNDIS_HAS_* */
			u32 csum;
			u32 vlan;
			u32 hash;
			struct rndis_pktinfo_id pkt_id;
		} pkt;
		struct {		/* INIT_C */
			u32 req_id;
			u32 status;
			u32 max_pkts;
			u32 max_xfer_size;
			u32 align_shift;
		} init;
		struct {		/* QUERY_C, SET_C, KEEPALIVE(_C), RESET_C */
			u32 req_id;	/* 0 for RESET_C, which has none */
			u32 status;
			u32 info_off;	/* QUERY_C: from the message's start */
			u32 info_len;
		} comp;
		struct {		/* INDICATE */
			u32 status;
			u32 buf_off;	/* from the message's start */
			u32 buf_len;
			u32 speed;	/* LINK_SPEED_CHANGE, in 100 b/s */
		} ind;
	};
};

enum rndis_verdict rndis_check_msg(const void *buf, u32 buf_len,
				   struct rndis_host_msg *m);
enum rndis_verdict rndis_check_offload_caps(const void *info, u32 len,
					    struct ndis_offload_caps *caps);
enum rndis_verdict rndis_check_rss_caps(const void *info, u32 len,
					u32 *queues, u32 *ind_entries);
const char *rndis_verdict_name(enum rndis_verdict v);

#endif
