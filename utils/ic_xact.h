/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The request state of a daemon-backed integration service (KVP, VSS, file
 * copy): at most one host request waits for the daemon, and every daemon
 * message is matched against that one request. Pure logic with no locks,
 * timers or I/O, so the unit tests drive it as the kernel does; the caller
 * serializes the calls and does what each returned action says.
 */
#ifndef OPENLIS_IC_XACT_H
#define OPENLIS_IC_XACT_H

#ifdef __KERNEL__
#include <linux/types.h>
#endif

enum hvic_xact_state {
	HVIC_XS_IDLE,		/* no host request waits: the channel may be read */
	HVIC_XS_WAITING,	/* a request went to the daemon, the host waits */
};

/* How the last request ended, for the log and the tests. */
enum hvic_xact_end {
	HVIC_XE_NONE,
	HVIC_XE_ANSWERED,	/* the daemon's reply went to the host */
	HVIC_XE_TIMED_OUT,	/* the host was told it failed: no reply in time */
	HVIC_XE_NO_DAEMON,	/* failed at once: no daemon registered */
	HVIC_XE_SEND_FAILED,	/* failed at once: could not queue it */
	HVIC_XE_CLOSED,		/* failed: the daemon closed the device */
	HVIC_XE_ABANDONED,	/* the channel closed under it (suspend) */
};

/* What the caller must do after an event. */
enum hvic_xact_do {
	HVIC_XD_NOTHING,
	HVIC_XD_FORWARD,	/* send the request to the daemon, arm the timer */
	HVIC_XD_ANSWER,		/* answer the host from the daemon's reply */
	HVIC_XD_FAIL,		/* answer the host with HVIC_E_FAIL */
	HVIC_XD_REFUSE,		/* refuse the daemon's message: -EINVAL */
	HVIC_XD_DROP,		/* take the reply and forget it: nobody waits */
};

/* A reply that cannot say which operation it answers. */
#define HVIC_XACT_ANY_OP	0xffffffffu

struct hvic_xact {
	enum hvic_xact_state state;
	enum hvic_xact_end last_end;
	bool registered;
	u32 daemon_ver;		/* what the daemon registered with */
	u32 op;			/* of the waiting request */
	u32 gen;		/* names the waiting request for its timer */
	/*
	 * Replies the daemon still owes for messages no host waits for any
	 * more (read before a timeout, or made up by the kernel). The daemon
	 * answers in order, so the next this many replies are not the
	 * current request's.
	 */
	u32 owed;
	/* Counters */
	u32 forwarded;
	u32 answered;
	u32 timeouts;
	u32 no_daemon;
	u32 late;		/* replies dropped: the host had its answer */
	u32 spurious;		/* replies with no request at all */
	u32 wrong_op;		/* replies for another operation */
	u32 bad_register;	/* registrations refused */
};

void hvic_xact_init(struct hvic_xact *x);
enum hvic_xact_do hvic_xact_register(struct hvic_xact *x, u32 daemon_ver);
enum hvic_xact_do hvic_xact_request(struct hvic_xact *x, u32 op, u32 *gen);
enum hvic_xact_do hvic_xact_send_failed(struct hvic_xact *x, u32 gen);
enum hvic_xact_do hvic_xact_reply(struct hvic_xact *x, u32 op);
enum hvic_xact_do hvic_xact_timeout(struct hvic_xact *x, u32 gen,
				    bool delivered);
enum hvic_xact_do hvic_xact_close(struct hvic_xact *x);
bool hvic_xact_abandon(struct hvic_xact *x, bool delivered);
void hvic_xact_owe(struct hvic_xact *x);

#endif
