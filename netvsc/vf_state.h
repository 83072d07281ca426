/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VF failover as a state machine: what the host said about its VF (the
 * NVSP 4 association), whether a matching VF netdev is joined to the
 * synthetic device and up, where the data path is and which device
 * transmits. Pure logic with no locks or I/O, so the unit tests and the
 * fuzzer drive it as the kernel glue does; the caller
 * serializes the calls (RTNL) and does what the returned actions say, in
 * the order of the OLNV_VF_DO_* bits.
 *
 * At most one data-path switch is in flight. The machine wants the VF
 * path only while the host associates a VF, a VF is joined and up, the
 * synthetic device is open and neither suspending nor going away; when
 * what it wants and where the path is differ and nothing is in flight,
 * it asks for a switch. Frames go through the VF only once the host has
 * acknowledged the switch to it, and stop going there before a switch
 * back is sent.
 */
#ifndef OPENLIS_NETVSC_VF_STATE_H
#define OPENLIS_NETVSC_VF_STATE_H

#ifdef __KERNEL__
#include <linux/types.h>
#endif

/* A VF netdev whose PCI slot gives no serial. */
#define OLNV_VF_NO_SERIAL	0xffffffffu

enum olnv_vf_path {
	OLNV_VF_PATH_SYNTHETIC,
	OLNV_VF_PATH_VF,
	OLNV_VF_PATH_UNKNOWN,	/* a switch went unanswered: ask again */
};

/*
 * What an event was. Host messages that are wrong are counted here and
 * the caller logs them rate-limited; refusals of the caller's own events
 * (a second VF, an event for no VF) are counted apart.
 */
enum olnv_vf_verdict {
	OLNV_VF_OK,
	OLNV_VF_REPEATED,	/* host: the association already held, or none */
	OLNV_VF_BAD_SERIAL,	/* host: revokes a serial it never gave */
	OLNV_VF_BUSY,		/* host: another serial while a VF is joined */
	OLNV_VF_UNASKED,	/* host: a switch answer with none in flight */
	OLNV_VF_GONE,		/* host: a message after its rescind */
	OLNV_VF_REFUSED,	/* caller: this VF cannot join or is not ours */
	OLNV_VF_NR_VERDICTS
};

/* Actions, as bits: the caller does them in this order. */
#define OLNV_VF_DO_TX_SYNTH	0x01	/* transmit through the synthetic path */
#define OLNV_VF_DO_JOIN		0x02	/* take the VF: rx handler, upper link */
#define OLNV_VF_DO_TO_SYNTH	0x04	/* send SWITCH_DATA_PATH synthetic */
#define OLNV_VF_DO_TO_VF	0x08	/* send SWITCH_DATA_PATH to the VF */
#define OLNV_VF_DO_RELEASE	0x10	/* let the VF go: unlink, rx handler */
#define OLNV_VF_DO_TX_VF	0x20	/* transmit through the VF */

struct olnv_vf {
	/* What the host said, in this NVSP session. */
	bool assoc;
	u32 serial;
	/* The VF netdev. */
	bool joined;
	bool vf_up;
	u32 vf_serial;		/* its slot's, or OLNV_VF_NO_SERIAL */
	/* The synthetic device. */
	bool syn_open;
	bool suspended;
	bool removing;
	bool rescinded;
	/* The data path. */
	enum olnv_vf_path path;	/* as the host last acknowledged */
	bool pending;		/* a switch is in flight */
	enum olnv_vf_path asked;	/* where it goes */
	bool tx_vf;		/* frames go through the VF */
	/* Counters */
	u32 switches;		/* sent */
	u32 acks;
	u32 switch_failed;	/* unsent or unanswered */
	u32 verdicts[OLNV_VF_NR_VERDICTS];
};

void olnv_vf_init(struct olnv_vf *v);
/* The host's NVSP 4 VF association message. */
enum olnv_vf_verdict olnv_vf_assoc(struct olnv_vf *v, bool allocated,
				   u32 serial, u32 *todo);
/* The host answered the switch in flight. */
enum olnv_vf_verdict olnv_vf_switch_acked(struct olnv_vf *v, u32 *todo);
/* The switch could not be sent, or went unanswered. */
enum olnv_vf_verdict olnv_vf_switch_failed(struct olnv_vf *v, bool sent,
					   u32 *todo);
/* A VF netdev of our MAC registered; @serial from its PCI slot. */
enum olnv_vf_verdict olnv_vf_appeared(struct olnv_vf *v, u32 serial,
				      u32 *todo);
/* The joined VF unregisters. */
enum olnv_vf_verdict olnv_vf_gone(struct olnv_vf *v, u32 *todo);
/* The joined VF's link: running with carrier, or not. */
enum olnv_vf_verdict olnv_vf_link(struct olnv_vf *v, bool up, u32 *todo);
/* The synthetic device opens or closes. */
enum olnv_vf_verdict olnv_vf_syn_open(struct olnv_vf *v, bool open, u32 *todo);
/* The synthetic device suspends, or resumes on a new NVSP session. */
enum olnv_vf_verdict olnv_vf_suspend(struct olnv_vf *v, u32 *todo);
enum olnv_vf_verdict olnv_vf_resume(struct olnv_vf *v, u32 *todo);
/*
 * The NVSP session ends (channel closed: suspend, reconfiguration,
 * removal): the host forgets the association and the path is synthetic.
 */
enum olnv_vf_verdict olnv_vf_detached(struct olnv_vf *v, u32 *todo);
/* The synthetic device goes away: switch back, then let the VF go. */
enum olnv_vf_verdict olnv_vf_remove(struct olnv_vf *v, u32 *todo);
/* The host rescinded the channel: nothing more can be sent to it. */
enum olnv_vf_verdict olnv_vf_rescind(struct olnv_vf *v, u32 *todo);
const char *olnv_vf_verdict_name(enum olnv_vf_verdict verdict);

#endif
