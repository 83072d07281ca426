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
 * A slot for one request whose answer is of @kind (0: the answer names
 * the request's id), to land in @resp (@resp_size bytes). NULL when all
 * slots are taken or the channel is going away.
 */
struct ol_xact *ol_xact_get_kind(struct ol_xact_ctx *ctx, u32 kind,
				 void *resp, u32 resp_size)
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
		x->kind = kind;
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

struct ol_xact *ol_xact_get(struct ol_xact_ctx *ctx, void *resp,
			    u32 resp_size)
{
	return ol_xact_get_kind(ctx, 0, resp, resp_size);
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
	x->kind = 0;
	x->resp = NULL;
	x->state = OL_XACT_FREE;
	spin_unlock_irqrestore(&ctx->lock, flags);
}

/*
 * Hands an answer to the request waiting with @id, or, with @id 0, to the
 * oldest one waiting for @kind; counts it stale when none waits.
 */
static bool ol_xact_answer(struct ol_xact_ctx *ctx, u64 id, u32 kind,
			   const void *data, u32 len)
{
	struct ol_xact *x = NULL, *s;
	unsigned long flags;
	int i;

	spin_lock_irqsave(&ctx->lock, flags);
	for (i = 0; (id || kind) && i < OL_XACT_SLOTS; i++) {
		s = &ctx->slots[i];
		if (s->state != OL_XACT_WAITING ||
		    (id ? s->id != id : s->kind != kind))
			continue;
		if (!x || s->id < x->id)
			x = s;
	}
	if (x) {
		memcpy(x->resp, data, len < x->resp_size ? len : x->resp_size);
		x->resp_len = len;
		x->state = OL_XACT_ANSWERED;
		ctx->answered++;
		complete(&x->done);
	} else {
		ctx->stale++;
	}
	spin_unlock_irqrestore(&ctx->lock, flags);
	return !!x;
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
	return ol_xact_answer(ctx, id, 0, data, len);
}

/*
 * The same for an answer that names no request, only its @kind: it goes
 * to the oldest request waiting for that kind, as such protocols answer
 * in order.
 */
bool ol_xact_respond_kind(struct ol_xact_ctx *ctx, u32 kind,
			  const void *data, u32 len)
{
	return ol_xact_answer(ctx, 0, kind, data, len);
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
