// SPDX-License-Identifier: GPL-2.0
/*
 * One host request in flight to a user-space daemon: registration, forward,
 * answer, timeout and the daemon going away. See ic_xact.h. Nothing here
 * touches kernel state, so the unit tests compile this file as is.
 */
#ifdef __KERNEL__
#include <linux/module.h>
#include <linux/string.h>
#endif
#include "ic_xact.h"

void hvic_xact_init(struct hvic_xact *x)
{
	memset(x, 0, sizeof(*x));
}
EXPORT_SYMBOL_GPL(hvic_xact_init);

/*
 * The daemon registered (the service has checked the version). Not while
 * a request waits: the daemon is answering it, and a registration then is
 * a confused daemon, as upstream treats it.
 */
enum hvic_xact_do hvic_xact_register(struct hvic_xact *x, u32 daemon_ver)
{
	if (x->state == HVIC_XS_WAITING) {
		x->bad_register++;
		return HVIC_XD_REFUSE;
	}
	x->registered = true;
	x->daemon_ver = daemon_ver;
	return HVIC_XD_NOTHING;
}
EXPORT_SYMBOL_GPL(hvic_xact_register);

/*
 * A host request that needs the daemon. The caller reads no packet while
 * one waits, so a second one here is a caller bug: fail it, keep the first.
 */
enum hvic_xact_do hvic_xact_request(struct hvic_xact *x, u32 op, u32 *gen)
{
	if (x->state == HVIC_XS_WAITING)
		return HVIC_XD_FAIL;
	if (!x->registered) {
		x->no_daemon++;
		x->last_end = HVIC_XE_NO_DAEMON;
		return HVIC_XD_FAIL;
	}
	x->state = HVIC_XS_WAITING;
	x->op = op;
	*gen = ++x->gen;
	x->forwarded++;
	return HVIC_XD_FORWARD;
}
EXPORT_SYMBOL_GPL(hvic_xact_request);

/* The forward could not be queued: nothing reached the daemon. */
enum hvic_xact_do hvic_xact_send_failed(struct hvic_xact *x, u32 gen)
{
	if (x->state != HVIC_XS_WAITING || gen != x->gen)
		return HVIC_XD_NOTHING;
	x->state = HVIC_XS_IDLE;
	x->last_end = HVIC_XE_SEND_FAILED;
	return HVIC_XD_FAIL;
}
EXPORT_SYMBOL_GPL(hvic_xact_send_failed);

/*
 * A daemon reply (already of the right size). @op is the operation it says
 * it answers, or HVIC_XACT_ANY_OP when its format cannot tell. A refused
 * reply changes nothing about the waiting request. A late one is taken
 * without a fuss: the daemons reopen their device when a write fails, and
 * that would fail the request that waits now.
 */
enum hvic_xact_do hvic_xact_reply(struct hvic_xact *x, u32 op)
{
	if (!x->registered) {
		x->spurious++;
		return HVIC_XD_REFUSE;
	}
	if (x->owed) {
		x->owed--;
		x->late++;
		return HVIC_XD_DROP;
	}
	if (x->state != HVIC_XS_WAITING) {
		x->spurious++;
		return HVIC_XD_REFUSE;
	}
	if (op != HVIC_XACT_ANY_OP && op != x->op) {
		x->wrong_op++;
		return HVIC_XD_REFUSE;
	}
	x->state = HVIC_XS_IDLE;
	x->answered++;
	x->last_end = HVIC_XE_ANSWERED;
	return HVIC_XD_ANSWER;
}
EXPORT_SYMBOL_GPL(hvic_xact_reply);

/*
 * The timer of request @gen fired. @delivered: the daemon had read it, so
 * its reply will still come and must not be taken for the next request's.
 * A timer that lost the race with the reply finds another state and does
 * nothing.
 */
enum hvic_xact_do hvic_xact_timeout(struct hvic_xact *x, u32 gen,
				    bool delivered)
{
	if (x->state != HVIC_XS_WAITING || gen != x->gen)
		return HVIC_XD_NOTHING;
	x->state = HVIC_XS_IDLE;
	x->timeouts++;
	x->last_end = HVIC_XE_TIMED_OUT;
	if (delivered)
		x->owed++;
	return HVIC_XD_FAIL;
}
EXPORT_SYMBOL_GPL(hvic_xact_timeout);

/* The daemon closed the device: it owes nothing, a new one registers anew. */
enum hvic_xact_do hvic_xact_close(struct hvic_xact *x)
{
	bool waiting = x->state == HVIC_XS_WAITING;

	x->registered = false;
	x->daemon_ver = 0;
	x->owed = 0;
	x->state = HVIC_XS_IDLE;
	if (!waiting)
		return HVIC_XD_NOTHING;
	x->last_end = HVIC_XE_CLOSED;
	return HVIC_XD_FAIL;
}
EXPORT_SYMBOL_GPL(hvic_xact_close);

/*
 * The channel closed under a waiting request (suspend): the host learns of
 * it from the channel, so nobody is answered. Returns whether one waited.
 */
bool hvic_xact_abandon(struct hvic_xact *x, bool delivered)
{
	if (x->state != HVIC_XS_WAITING)
		return false;
	x->state = HVIC_XS_IDLE;
	x->last_end = HVIC_XE_ABANDONED;
	if (delivered)
		x->owed++;
	return true;
}
EXPORT_SYMBOL_GPL(hvic_xact_abandon);

/* The kernel sent the daemon a message of its own, which it will answer. */
void hvic_xact_owe(struct hvic_xact *x)
{
	if (x->registered)
		x->owed++;
}
EXPORT_SYMBOL_GPL(hvic_xact_owe);
