// SPDX-License-Identifier: GPL-2.0
/*
 * Telling a channel the host offers again after hibernation from a new one.
 * The host forgets every relid with UNLOAD; what names a device across it is
 * its interface type and instance.
 */
#include "proto_env.h"

/*
 * How @o relates to the known primary channel @known. Only a channel that
 * hibernation left without a relid takes a new one: a live channel offered
 * twice is the host's mistake, and a rescinded one is on its way out, so an
 * offer of the same instance is a new device queued behind its removal.
 */
enum olvb_reoffer olvb_reoffer_judge(const struct olvb_msg_offer *known,
				     bool rescinded,
				     const struct olvb_msg_offer *o)
{
	if (o->sub_channel_index || known->sub_channel_index || rescinded)
		return OLVB_REOFFER_OTHER;
	if (memcmp(known->if_type, o->if_type, sizeof(o->if_type)) ||
	    memcmp(known->if_instance, o->if_instance, sizeof(o->if_instance)))
		return OLVB_REOFFER_OTHER;
	if (known->child_relid != OLVB_RELID_NONE)
		return OLVB_REOFFER_DUP;
	return OLVB_REOFFER_FIXUP;
}

/*
 * Take the host's new offer @o for @known whole: the relid is new, and the
 * host may also have moved its monitor id or connection id. True when more
 * than the relid changed.
 */
bool olvb_reoffer_apply(struct olvb_msg_offer *known,
			const struct olvb_msg_offer *o)
{
	bool changed;

	known->child_relid = o->child_relid;
	changed = memcmp(known, o, sizeof(*o)) != 0;
	memcpy(known, o, sizeof(*o));
	return changed;
}
