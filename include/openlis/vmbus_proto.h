/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parts of openlis's VMBus core that deal only in bytes: ring buffer
 * index arithmetic and packet framing, GPADL message construction, checks of
 * messages from the host, the request-id table, and matching the offers that
 * follow hibernation to the channels known before. They build in the kernel
 * and, through tests/unit/kshim.h, in user space for the unit tests.
 */
#ifndef OPENLIS_VMBUS_PROTO_H
#define OPENLIS_VMBUS_PROTO_H

#include <openlis/vmbus_wire.h>

/* ring.c */
struct olvb_chunk {
	const void *buf;
	u32 len;
};

/* One direction of a channel's ring, as the ring code needs to see it. */
struct olvb_rb {
	struct olvb_ring_hdr *hdr;
	u8 *data;
	u32 dsize;
	u32 *priv_read;
};

static inline u32 olvb_rb_used(u32 rd, u32 wr, u32 dsize)
{
	return wr >= rd ? wr - rd : dsize - rd + wr;
}

static inline bool olvb_rb_index_ok(u32 idx, u32 dsize)
{
	return idx < dsize && !(idx & 7);
}

void olvb_rb_init(struct olvb_rb *rb);
int olvb_rb_can_write(const struct olvb_rb *rb, u32 total, u32 *wr);
int olvb_rb_write(struct olvb_rb *rb, const struct olvb_chunk *c,
		  unsigned int n, u64 trans_id, bool *signal);
int olvb_rb_write_at(struct olvb_rb *rb, u32 wr, u32 total,
		     const struct olvb_chunk *c, unsigned int n, u64 trans_id,
		     bool *signal);
int olvb_rb_peek(const struct olvb_rb *rb, void *buf, u32 bufsize,
		 u32 *pktlen);
void olvb_rb_advance(struct olvb_rb *rb, u32 pktlen);
bool olvb_rb_commit_read(struct olvb_rb *rb);

/* gpadl_msg.c */
typedef u64 (*olvb_pfn_fn)(const void *ctx, u32 i);
#define OLVB_GPADL_MAX_PAGES	(U32_MAX >> 12)
u32 olvb_gpadl_msg_count(u32 npages);
u32 olvb_gpadl_msg_build(void *buf, u32 idx, u32 relid, u32 handle,
			 u32 npages, olvb_pfn_fn pfn, const void *ctx);

/* msg_check.c */
int olvb_msg_check(const void *msg, u32 len);
u64 olvb_resp_key(u32 type, const void *msg);

/* reoffer.c */
/* The relid of a channel the host has not offered again after UNLOAD. */
#define OLVB_RELID_NONE		0xffffffffU

enum olvb_reoffer {
	OLVB_REOFFER_OTHER,	/* not this channel's offer */
	OLVB_REOFFER_FIXUP,	/* this channel, back after hibernation */
	OLVB_REOFFER_DUP,	/* this channel, which the host already gave */
};

enum olvb_reoffer olvb_reoffer_judge(const struct olvb_msg_offer *known,
				     bool rescinded,
				     const struct olvb_msg_offer *o);
bool olvb_reoffer_apply(struct olvb_msg_offer *known,
			const struct olvb_msg_offer *o);

/* request.c */
#define OLVB_RQST_ERROR		(U64_MAX - 1)
#define OLVB_RQST_ADDR_ANY	U64_MAX
struct olvb_rqstor {
	u64 *arr;
	unsigned long *bitmap;
	u32 size;
	u64 *next;
};

void olvb_rqstor_init(const struct olvb_rqstor *r);
u64 olvb_rqstor_get(const struct olvb_rqstor *r, u64 addr);
u64 olvb_rqstor_put(const struct olvb_rqstor *r, u64 id, u64 addr);

#endif
