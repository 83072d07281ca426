// SPDX-License-Identifier: GPL-2.0
/*
 * The transactions of include/openlis/ol_xact.h. A client compiles this
 * file into its own module through a wrapper (storvsc/xact.c); the unit
 * tests compile it against a single-threaded pretend kernel.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/string.h>
#endif
#include <openlis/ol_xact.h>

void ol_xact_ctx_init(struct ol_xact_ctx *ctx, u64 id_base)
{
	int i;

	memset(ctx, 0, sizeof(*ctx));
	spin_lock_init(&ctx->lock);
	ctx->id_base = id_base;
	for (i = 0; i < OL_XACT_SLOTS; i++) {
		ctx->slots[i].ctx = ctx;
		init_completion(&ctx->slots[i].done);
	}
}

/*
 * A slot for one request, its answer to land in @resp (@resp_size bytes).
 * NULL when all slots are taken or the channel is going away.
 */
struct ol_xact *ol_xact_get(struct ol_xact_ctx *ctx, void *resp,
			    u32 resp_size)
{
	struct ol_xact *x = NULL;
	unsigned long flags;
	int i;

	spin_lock_irqsave(&ctx->lock, flags);
	for (i = 0; !ctx->cancelled && i < OL_XACT_SLOTS; i++) {
		if (ctx->slots[i].state != OL_XACT_FREE)
			continue;
		x = &ctx->slots[i];
		x->id = ctx->id_base | ++ctx->next_id;
		x->state = OL_XACT_WAITING;
		x->resp = resp;
		x->resp_size = resp_size;
		x->resp_len = 0;
		reinit_completion(&x->done);
		break;
	}
	spin_unlock_irqrestore(&ctx->lock, flags);
	return x;
}

u64 ol_xact_id(const struct ol_xact *x)
{
	return x->id;
}

/*
 * Sleeps until the answer, @timeout_ms, or a cancellation: 0 with the
 * answer's length in *@resp_len (it may exceed the buffer: the caller
 * checks it), -ETIMEDOUT or -ECANCELED. The slot stays the caller's until
 * ol_xact_put().
 */
int ol_xact_wait(struct ol_xact *x, unsigned int timeout_ms, u32 *resp_len)
{
	struct ol_xact_ctx *ctx = x->ctx;
	unsigned long flags;
	int ret;

	wait_for_completion_timeout(&x->done, msecs_to_jiffies(timeout_ms));
	spin_lock_irqsave(&ctx->lock, flags);
	switch (x->state) {
	case OL_XACT_ANSWERED:
		*resp_len = x->resp_len;
		ret = 0;
		break;
	case OL_XACT_CANCELLED:
		ret = -ECANCELED;
		break;
	default:
		ctx->timeouts++;
		ret = -ETIMEDOUT;
		break;
	}
	/* a late answer must not write the buffer once the wait is over */
	x->state = OL_XACT_CANCELLED;
	spin_unlock_irqrestore(&ctx->lock, flags);
	return ret;
}

/* Gives the slot back; its id is never used again. */
void ol_xact_put(struct ol_xact *x)
{
	struct ol_xact_ctx *ctx = x->ctx;
	unsigned long flags;

	spin_lock_irqsave(&ctx->lock, flags);
	x->id = 0;
	x->resp = NULL;
	x->state = OL_XACT_FREE;
	spin_unlock_irqrestore(&ctx->lock, flags);
}

/*
 * An answer from the channel: delivered to the request with @id if one
 * waits for it, the first @len bytes of @data copied, at most the
 * waiter's buffer. False (and counted) when no request waits for @id:
 * the caller drops the packet.
 */
bool ol_xact_respond(struct ol_xact_ctx *ctx, u64 id, const void *data,
		     u32 len)
{
	struct ol_xact *x = NULL;
	unsigned long flags;
	int i;

	spin_lock_irqsave(&ctx->lock, flags);
	for (i = 0; id && i < OL_XACT_SLOTS; i++) {
		if (ctx->slots[i].id == id &&
		    ctx->slots[i].state == OL_XACT_WAITING) {
			x = &ctx->slots[i];
			break;
		}
	}
	if (!x) {
		ctx->stale++;
		spin_unlock_irqrestore(&ctx->lock, flags);
		return false;
	}
	memcpy(x->resp, data, len < x->resp_size ? len : x->resp_size);
	x->resp_len = len;
	x->state = OL_XACT_ANSWERED;
	ctx->answered++;
	complete(&x->done);
	spin_unlock_irqrestore(&ctx->lock, flags);
	return true;
}

/*
 * The channel is going away (rescind, remove, suspend): every waiter
 * wakes with -ECANCELED and new requests are refused until
 * ol_xact_resume().
 */
void ol_xact_cancel_all(struct ol_xact_ctx *ctx)
{
	unsigned long flags;
	int i;

	spin_lock_irqsave(&ctx->lock, flags);
	ctx->cancelled = true;
	for (i = 0; i < OL_XACT_SLOTS; i++) {
		if (ctx->slots[i].state != OL_XACT_WAITING)
			continue;
		ctx->slots[i].state = OL_XACT_CANCELLED;
		complete(&ctx->slots[i].done);
	}
	spin_unlock_irqrestore(&ctx->lock, flags);
}

void ol_xact_resume(struct ol_xact_ctx *ctx)
{
	unsigned long flags;

	spin_lock_irqsave(&ctx->lock, flags);
	ctx->cancelled = false;
	spin_unlock_irqrestore(&ctx->lock, flags);
}
