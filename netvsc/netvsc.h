/* SPDX-License-Identifier: GPL-2.0 */
/*
 * openlis's hv_netvsc: the Hyper-V synthetic NIC, by protocol layer.
 * nvs.c speaks NVSP on the VMBus channels (negotiation, the receive and
 * send buffers, sub-channels, the packets on each channel), rndis.c speaks
 * RNDIS through it (initialisation, OIDs, offloads, RSS), netdev.c is the
 * net_device (NAPI per channel, transmit, ethtool). Everything the host
 * sends goes through nvsp_check.c and rndis_check.c first.
 *
 * Locking: RTNL serialises configuration (open, stop, MTU, channels,
 * filters). ctl.lock (a mutex) keeps one control request of each kind in
 * flight and is taken under RTNL, never the other way round. Each
 * channel's NAPI context alone touches its receive copy, its owed
 * completions and its send slots' release; the transmit path takes the
 * send-section bitmap with atomic bit operations and a slot under the
 * queue's xmit lock.
 */
#ifndef OPENLIS_NETVSC_H
#define OPENLIS_NETVSC_H

#include <linux/hyperv.h>
#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include "nvsp_check.h"
#include "rndis_check.h"

#define OLNV_MAX_CHANNELS	64
#define OLNV_DEFAULT_CHANNELS	16
#define OLNV_RING_BYTES		(128 * 4096)
#define OLNV_RXBUF_DEFAULT	(16 * 1024 * 1024)
#define OLNV_RXBUF_MAX		(31 * 1024 * 1024)
#define OLNV_RXBUF_MAX_LEGACY	(15 * 1024 * 1024)	/* NVSP <= 2 */
#define OLNV_TXBUF_DEFAULT	(1024 * 1024)
#define OLNV_TXBUF_MAX		(15 * 1024 * 1024)
/* In-flight sends a channel tracks: its ring cannot hold more. */
#define OLNV_TX_SLOTS		1024
#define OLNV_CTL_TIMEOUT	(10 * HZ)
#define OLNV_MTU_MAX		65521
#define OLNV_RNDIS_SLOTS	4
/* An RNDIS answer we keep: the biggest object we ask for, and more. */
#define OLNV_RNDIS_RESP_MAX	512
/*
 * An RNDIS request: the RSS parameters with the largest indirection table
 * (1132 bytes) fit, and it spans two pages at most, as a send allows.
 */
#define OLNV_RNDIS_REQ_MAX	2048

/* What each drop is counted as; ethtool -S shows every one. */
enum olnv_drop {
	OLNV_DROP_NVSP,		/* an NVSP message nvsp_check refused */
	OLNV_DROP_RANGE,	/* a transfer range outside the buffer */
	OLNV_DROP_RNDIS,	/* an RNDIS message rndis_check refused */
	OLNV_DROP_TID,		/* a completion for an id never sent */
	OLNV_DROP_UNASKED,	/* an RNDIS answer no request waits for */
	OLNV_DROP_NOMEM,	/* no skb for a received frame */
	OLNV_DROP_TX_BIG,	/* a frame too large to send */
	OLNV_DROP_TX_BUSY,	/* the ring refused a send */
	OLNV_DROP_COMP_LOST,	/* a receive completion that found no room */
	OLNV_NR_DROPS
};

struct olnv_dev;

/* One send in flight: its skb and the send-buffer section it holds. */
/*
 * One send in flight: its skb and the send-buffer section it holds. xmit
 * takes a slot whose skb is NULL and marks it live once the host has it;
 * a completion releases only a live slot, so a host completing a send
 * before it is made cannot free an skb that xmit still reads.
 */
struct olnv_tx_slot {
	struct sk_buff *skb;	/* NULL: free (release/acquire) */
	bool live;		/* sent; the host may complete it */
	u32 section;		/* NVSP_NO_SECTION: sent by page buffers */
	void *hdr;		/* the RNDIS header of a page-buffer send */
};

struct olnv_chan {
	struct olnv_dev *nd;
	struct vmbus_channel *chan;	/* NULL until opened */
	struct napi_struct napi;
	u16 idx;
	u8 *rx_copy;			/* one range, copied out; NAPI only */
	/* Receive completions owed to the host: NAPI only. */
	u64 *owed;
	u32 owed_head, owed_count, owed_cap;
	/* Send slots: taken under the txq lock, released in NAPI. */
	struct olnv_tx_slot *slots;
	u32 next_slot;			/* txq lock */
	atomic_t in_flight;
	struct u64_stats_sync syncp;
	u64 rx_packets, rx_bytes, tx_packets, tx_bytes;	/* syncp */
	u64 drops[OLNV_NR_DROPS];			/* syncp */
};

/* One control request of a kind in flight, and its answer. */
struct olnv_ctl {
	struct mutex lock;		/* one requester at a time */
	struct completion done;
	u32 want;			/* the completion type awaited; 0: none */
	struct nvsp_comp comp;		/* the checked answer */
};

/* One RNDIS request in flight, by slot; the answer is copied in. */
struct olnv_rndis_req {
	struct completion done;
	u32 req_id;			/* 0: free */
	u32 want;			/* the completion type awaited */
	u32 len;
	u8 resp[OLNV_RNDIS_RESP_MAX];
	u8 msg[OLNV_RNDIS_REQ_MAX];	/* the request; sent by page buffer */
};

struct olnv_dev {
	struct net_device *ndev;
	struct hv_device *hdev;
	u32 nvsp_ver;
	bool detached;			/* RTNL; no channels open */

	void *rxbuf;
	u32 rxbuf_size, rx_section_size, rx_sections;
	struct vmbus_gpadl rxbuf_gpadl;
	void *txbuf;
	u32 txbuf_size, tx_section_size, tx_sections;
	struct vmbus_gpadl txbuf_gpadl;
	unsigned long *tx_map;		/* a bit per section; atomic bitops */

	struct olnv_ctl ctl;
	struct mutex rndis_lock;	/* slot choice, req ids */
	struct olnv_rndis_req *rreq;	/* OLNV_RNDIS_SLOTS of them */
	u32 next_req_id;		/* rndis_lock */
	u32 max_pkts, align_shift;	/* from RNDIS INIT_C */

	u32 num_chn;			/* channels open: 1 + sub-channels */
	u32 want_chn;			/* what the user asked for (ethtool -L) */
	u32 max_chn;			/* the host's queues, CPUs at most */
	u32 sc_asked;			/* RTNL writes; the offer callback reads */
	atomic_t sc_opened;
	wait_queue_head_t sc_wait;
	u32 tx_table[NVSP_SEND_TABLE_SIZE];	/* written in NAPI of chan 0 */
	u32 rss_entries;
	u8 rss_key[NDIS_RSS_KEY_SIZE];
	u16 rss_table[NDIS_RSS_IND_ENTRIES_MAX];	/* RTNL */

	struct ndis_offload_caps caps;
	bool udp4_csum, udp6_csum;	/* the host checksums UDP */
	bool link_up;
	struct delayed_work link_work;
	unsigned long link_next;	/* jiffies: the next change allowed */
	struct work_struct filter_work;

	/* Drops seen outside a channel's NAPI context, which has its own. */
	atomic64_t drops_any[OLNV_NR_DROPS];

	struct olnv_chan chans[OLNV_MAX_CHANNELS];
};

/* nvs.c */
int olnv_nvs_attach(struct olnv_dev *nd);
void olnv_nvs_detach(struct olnv_dev *nd);
int olnv_nvs_subchannels(struct olnv_dev *nd, u32 want);
int olnv_nvs_send_rndis(struct olnv_dev *nd, struct olnv_chan *c, void *msg,
			u32 len, u64 tid);
int olnv_nvs_xmit(struct olnv_chan *c, struct sk_buff *skb, const void *hdr,
		  u32 hdr_len);
int olnv_poll(struct napi_struct *napi, int budget);
void olnv_count_drop(struct olnv_chan *c, enum olnv_drop d);
void olnv_count_drop_any(struct olnv_dev *nd, enum olnv_drop d);

/* rndis.c */
int olnv_rndis_attach(struct olnv_dev *nd);
void olnv_rndis_detach(struct olnv_dev *nd);
int olnv_rndis_set_filter(struct olnv_dev *nd, u32 filter);
int olnv_rndis_set_mac(struct olnv_dev *nd, const u8 *mac);
int olnv_rndis_set_rss(struct olnv_dev *nd);
void olnv_rndis_receive(struct olnv_chan *c, const u8 *msg,
			const struct rndis_host_msg *m);
u32 olnv_rndis_tx_header(struct olnv_dev *nd, struct sk_buff *skb, u8 *hdr);
#define OLNV_TX_HDR_MAX	(sizeof(struct rndis_packet) + \
			 4 * sizeof(struct rndis_ppi_u32))

/* netdev.c */
void olnv_rx_frame(struct olnv_chan *c, const u8 *msg,
		   const struct rndis_host_msg *m);
void olnv_link_change(struct olnv_dev *nd, u32 status);
void olnv_tx_done(struct olnv_chan *c, struct sk_buff *skb);

#endif
