/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request/response transactions over a VMBus channel, for the control
 * messages of a client driver (storvsc's initialization, sub-channels and
 * resets; netvsc's negotiation): a request takes a slot with a fresh id,
 * the driver sends its packet with that id, the channel callback hands
 * each answer to ol_xact_respond(), which copies it into the waiter's
 * buffer, and the waiter sleeps until the answer, a deadline, or a
 * cancellation (rescind, remove, suspend) ends the wait.
 *
 * The model is FreeBSD's vmbus_xact.c; unlike it, this is not exported
 * by hv_vmbus: the clients also run on the kernel's own core, so each
 * client compiles lib/ol_xact.c in through a one-line wrapper of its own
 * (storvsc/xact.c), and every symbol is that module's.
 *
 * Ids come from a 64-bit counter that never repeats: an answer after its
 * waiter gave up names a slot no one holds and is refused (counted in
 * @stale), never delivered to a later request. The caller chooses the
 * id space with @id_base (high bits the protocol leaves to the guest),
 * so that control answers and I/O answers cannot be mistaken.
 *
 * Some protocols carry no id back (Dynamic Memory's answers are known by
 * their type): such a request is taken with ol_xact_get_kind() and its
 * answer given to ol_xact_respond_kind(), which delivers it to the oldest
 * request waiting for that kind. The id still names the slot, so an answer
 * after its waiter gave up is refused all the same; one that comes after
 * a newer request of the same kind was sent cannot be told from that
 * request's own, which such a protocol accepts by sending one at a time.
 *
 * Locking: ctx->lock (a spinlock, taken with interrupts off: answers come
 * from the channel callback) guards every slot's fields and the counters.
 * It is the innermost lock; nothing is called with it held.
 */
#ifndef OPENLIS_OL_XACT_H
#define OPENLIS_OL_XACT_H

#ifdef __KERNEL__
#include <linux/completion.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#endif

/* Control requests in flight at once, per context. */
#define OL_XACT_SLOTS		8

enum ol_xact_state {
	OL_XACT_FREE,
	OL_XACT_WAITING,	/* sent or about to be: an answer is expected */
	OL_XACT_ANSWERED,
	OL_XACT_CANCELLED,
};

struct ol_xact_ctx;

struct ol_xact {
	struct ol_xact_ctx *ctx;
	u64 id;			/* lock; 0 while free */
	u32 kind;		/* lock: the answer awaited; 0: matched by id */
	enum ol_xact_state state;	/* lock */
	void *resp;		/* the waiter's buffer */
	u32 resp_size;
	u32 resp_len;		/* lock: bytes the answer had, maybe more */
	struct completion done;
};

struct ol_xact_ctx {
	spinlock_t lock;	/* the slots and the counters */
	u64 id_base;
	u64 next_id;		/* lock */
	bool cancelled;		/* lock: new requests are refused */
	u64 answered;		/* lock */
	u64 stale;		/* lock: answers for no waiting request */
	u64 timeouts;		/* lock */
	struct ol_xact slots[OL_XACT_SLOTS];
};

void ol_xact_ctx_init(struct ol_xact_ctx *ctx, u64 id_base);
struct ol_xact *ol_xact_get(struct ol_xact_ctx *ctx, void *resp,
			    u32 resp_size);
struct ol_xact *ol_xact_get_kind(struct ol_xact_ctx *ctx, u32 kind,
				 void *resp, u32 resp_size);
u64 ol_xact_id(const struct ol_xact *x);
int ol_xact_wait(struct ol_xact *x, unsigned int timeout_ms, u32 *resp_len);
void ol_xact_put(struct ol_xact *x);
bool ol_xact_respond(struct ol_xact_ctx *ctx, u64 id, const void *data,
		     u32 len);
bool ol_xact_respond_kind(struct ol_xact_ctx *ctx, u32 kind,
			  const void *data, u32 len);
void ol_xact_cancel_all(struct ol_xact_ctx *ctx);
void ol_xact_resume(struct ol_xact_ctx *ctx);

#endif
