// SPDX-License-Identifier: GPL-2.0
/*
 * VF failover decisions: see vf_state.h. Nothing here touches kernel
 * state, so the unit tests and the fuzzer compile this file as is.
 *
 * Every event updates the facts, then olnv_vf_settle() derives what
 * follows from them alone, so no sequence of events can leave frames on
 * the VF while a fact says they must not be.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#endif
#include "vf_state.h"

static const char * const olnv_vf_verdict_names[] = {
	[OLNV_VF_OK]		= "ok",
	[OLNV_VF_REPEATED]	= "repeats what the host said",
	[OLNV_VF_BAD_SERIAL]	= "revokes a serial never given",
	[OLNV_VF_BUSY]		= "another serial while a VF is joined",
	[OLNV_VF_UNASKED]	= "a switch answer not asked for",
	[OLNV_VF_GONE]		= "after the channel's rescind",
	[OLNV_VF_REFUSED]	= "not a VF of this device",
};

const char *olnv_vf_verdict_name(enum olnv_vf_verdict verdict)
{
	if ((unsigned int)verdict < OLNV_VF_NR_VERDICTS)
		return olnv_vf_verdict_names[verdict];
	return "unknown";
}

void olnv_vf_init(struct olnv_vf *v)
{
	memset(v, 0, sizeof(*v));
	v->vf_serial = OLNV_VF_NO_SERIAL;
	v->path = OLNV_VF_PATH_SYNTHETIC;
}

static enum olnv_vf_verdict olnv_vf_count(struct olnv_vf *v,
					  enum olnv_vf_verdict verdict)
{
	if (verdict != OLNV_VF_OK)
		v->verdicts[verdict]++;
	return verdict;
}

static bool olnv_vf_want_vf(const struct olnv_vf *v)
{
	return v->assoc && v->joined && v->vf_up && v->syn_open &&
	       !v->suspended && !v->removing && !v->rescinded;
}

/*
 * Derive the transmit side and the next switch from the facts. Frames
 * leave the VF before a switch back is asked for; they take the VF only
 * once its switch is acknowledged.
 */
static void olnv_vf_settle(struct olnv_vf *v, bool may_send, u32 *todo)
{
	enum olnv_vf_path want = olnv_vf_want_vf(v) ? OLNV_VF_PATH_VF :
				 OLNV_VF_PATH_SYNTHETIC;
	bool tx_vf = want == OLNV_VF_PATH_VF &&
		     v->path == OLNV_VF_PATH_VF && !v->pending;

	if (v->tx_vf && !tx_vf) {
		v->tx_vf = false;
		*todo |= OLNV_VF_DO_TX_SYNTH;
	}
	if (may_send && !v->pending && !v->rescinded && v->path != want) {
		v->pending = true;
		v->asked = want;
		v->switches++;
		*todo |= want == OLNV_VF_PATH_VF ? OLNV_VF_DO_TO_VF :
			 OLNV_VF_DO_TO_SYNTH;
	}
	if (!v->tx_vf && tx_vf) {
		v->tx_vf = true;
		*todo |= OLNV_VF_DO_TX_VF;
	}
}

/*
 * While a VF is joined the host may not name another one: a VF of a
 * known slot serial takes only its own association, and a held
 * association is revoked before another is given.
 */
enum olnv_vf_verdict olnv_vf_assoc(struct olnv_vf *v, bool allocated,
				   u32 serial, u32 *todo)
{
	*todo = 0;
	if (v->rescinded)
		return olnv_vf_count(v, OLNV_VF_GONE);
	if (!allocated) {
		if (!v->assoc)
			return olnv_vf_count(v, OLNV_VF_REPEATED);
		if (serial != v->serial)
			return olnv_vf_count(v, OLNV_VF_BAD_SERIAL);
		v->assoc = false;
		olnv_vf_settle(v, true, todo);
		return OLNV_VF_OK;
	}
	if (v->assoc && serial == v->serial)
		return olnv_vf_count(v, OLNV_VF_REPEATED);
	if (v->joined && (v->assoc || (v->vf_serial != OLNV_VF_NO_SERIAL &&
				       serial != v->vf_serial)))
		return olnv_vf_count(v, OLNV_VF_BUSY);
	v->assoc = true;
	v->serial = serial;
	olnv_vf_settle(v, true, todo);
	return OLNV_VF_OK;
}

enum olnv_vf_verdict olnv_vf_switch_acked(struct olnv_vf *v, u32 *todo)
{
	*todo = 0;
	if (!v->pending)
		return olnv_vf_count(v, OLNV_VF_UNASKED);
	v->pending = false;
	v->path = v->asked;
	v->acks++;
	olnv_vf_settle(v, true, todo);
	return OLNV_VF_OK;
}

/*
 * A switch that reached the host but was not answered leaves the path
 * unknown, so the next event asks again for the one wanted; nothing is
 * sent from here, or a host that never answers would be asked forever.
 */
enum olnv_vf_verdict olnv_vf_switch_failed(struct olnv_vf *v, bool sent,
					   u32 *todo)
{
	*todo = 0;
	if (!v->pending)
		return olnv_vf_count(v, OLNV_VF_REFUSED);
	v->pending = false;
	v->switch_failed++;
	if (sent)
		v->path = OLNV_VF_PATH_UNKNOWN;
	olnv_vf_settle(v, false, todo);
	return OLNV_VF_OK;
}

/* The joined VF is let go: nothing of it stays to match the next one. */
static void olnv_vf_release(struct olnv_vf *v, u32 *todo)
{
	v->joined = false;
	v->vf_up = false;
	v->vf_serial = OLNV_VF_NO_SERIAL;
	*todo |= OLNV_VF_DO_RELEASE;
}

/*
 * The caller matched the netdev by MAC; a slot serial that disagrees with
 * the host's association is another VF of the same address.
 */
enum olnv_vf_verdict olnv_vf_appeared(struct olnv_vf *v, u32 serial,
				      u32 *todo)
{
	*todo = 0;
	if (v->joined || v->removing ||
	    (serial != OLNV_VF_NO_SERIAL && v->assoc && serial != v->serial))
		return olnv_vf_count(v, OLNV_VF_REFUSED);
	v->joined = true;
	v->vf_up = false;
	v->vf_serial = serial;
	*todo |= OLNV_VF_DO_JOIN;
	olnv_vf_settle(v, true, todo);
	return OLNV_VF_OK;
}

enum olnv_vf_verdict olnv_vf_gone(struct olnv_vf *v, u32 *todo)
{
	*todo = 0;
	if (!v->joined)
		return olnv_vf_count(v, OLNV_VF_REFUSED);
	olnv_vf_release(v, todo);
	olnv_vf_settle(v, true, todo);
	return OLNV_VF_OK;
}

enum olnv_vf_verdict olnv_vf_link(struct olnv_vf *v, bool up, u32 *todo)
{
	*todo = 0;
	if (!v->joined)
		return olnv_vf_count(v, OLNV_VF_REFUSED);
	v->vf_up = up;
	olnv_vf_settle(v, true, todo);
	return OLNV_VF_OK;
}

enum olnv_vf_verdict olnv_vf_syn_open(struct olnv_vf *v, bool open, u32 *todo)
{
	*todo = 0;
	v->syn_open = open;
	olnv_vf_settle(v, true, todo);
	return OLNV_VF_OK;
}

enum olnv_vf_verdict olnv_vf_suspend(struct olnv_vf *v, u32 *todo)
{
	*todo = 0;
	v->suspended = true;
	olnv_vf_settle(v, true, todo);
	return OLNV_VF_OK;
}

enum olnv_vf_verdict olnv_vf_resume(struct olnv_vf *v, u32 *todo)
{
	*todo = 0;
	v->suspended = false;
	olnv_vf_settle(v, true, todo);
	return OLNV_VF_OK;
}

/* A switch in flight dies with the channel: its answer never comes. */
enum olnv_vf_verdict olnv_vf_detached(struct olnv_vf *v, u32 *todo)
{
	*todo = 0;
	v->assoc = false;
	v->pending = false;
	v->path = OLNV_VF_PATH_SYNTHETIC;
	olnv_vf_settle(v, false, todo);
	return OLNV_VF_OK;
}

enum olnv_vf_verdict olnv_vf_remove(struct olnv_vf *v, u32 *todo)
{
	*todo = 0;
	v->removing = true;
	olnv_vf_settle(v, true, todo);
	if (v->joined)
		olnv_vf_release(v, todo);
	return OLNV_VF_OK;
}

enum olnv_vf_verdict olnv_vf_rescind(struct olnv_vf *v, u32 *todo)
{
	*todo = 0;
	v->rescinded = true;
	v->pending = false;
	olnv_vf_settle(v, false, todo);
	return OLNV_VF_OK;
}
