// SPDX-License-Identifier: GPL-2.0
/*
 * Checks on channel messages from the host, done once in the message path so
 * the handlers may trust the lengths and indexes they are given.
 */
#include "proto_env.h"

/* Minimum lengths of the messages a host may send; 0: not host-to-guest. */
static const u16 olvb_min_len[OLVB_MSG_COUNT] = {
	[OLVB_MSG_OFFER] = sizeof(struct olvb_msg_offer),
	[OLVB_MSG_RESCIND] = sizeof(struct olvb_msg_relid),
	[OLVB_MSG_ALLOFFERS_DELIVERED] = sizeof(struct olvb_msg_hdr),
	[OLVB_MSG_OPEN_RESULT] = sizeof(struct olvb_msg_open_result),
	[OLVB_MSG_GPADL_CREATED] = sizeof(struct olvb_msg_gpadl_created),
	[OLVB_MSG_GPADL_TORNDOWN] = sizeof(struct olvb_msg_gpadl_torndown),
	/* Hosts before 5.0 stop after version_supported. */
	[OLVB_MSG_VERSION_RESPONSE] = sizeof(struct olvb_msg_hdr) + 1,
	[OLVB_MSG_UNLOAD_RESPONSE] = sizeof(struct olvb_msg_hdr),
	[OLVB_MSG_TL_CONNECT_RESULT] = sizeof(struct olvb_msg_tl_result),
	[OLVB_MSG_MODIFYCHANNEL_RESPONSE] =
		sizeof(struct olvb_msg_modify_response),
};

static bool relid_ok(u32 relid)
{
	return relid && relid < OLVB_MAX_RELID;
}

static int check_offer(const struct olvb_msg_offer *o)
{
	if (!relid_ok(o->child_relid))
		return -ERANGE;
	if ((o->monitor_flags & 1) && o->monitorid >= OLVB_MAX_MONITOR_ID)
		return -ERANGE;
	return 0;
}

/*
 * Return the message type if @msg of @len bytes is one we may act on, or a
 * negative errno saying why it must be dropped.
 */
int olvb_msg_check(const void *msg, u32 len)
{
	const struct olvb_msg_hdr *hdr = msg;
	u32 type;

	if (len < sizeof(*hdr) || len > OLVB_MSG_MAX)
		return -EMSGSIZE;
	type = hdr->type;
	if (type >= OLVB_MSG_COUNT || !olvb_min_len[type])
		return -EPROTO;
	if (len < olvb_min_len[type])
		return -EMSGSIZE;

	switch (type) {
	case OLVB_MSG_OFFER:
		if (check_offer(msg))
			return -ERANGE;
		break;
	case OLVB_MSG_RESCIND:
		if (!relid_ok(((const struct olvb_msg_relid *)msg)->child_relid))
			return -ERANGE;
		break;
	case OLVB_MSG_OPEN_RESULT:
		if (!relid_ok(((const struct olvb_msg_open_result *)msg)->child_relid))
			return -ERANGE;
		break;
	case OLVB_MSG_MODIFYCHANNEL_RESPONSE:
		if (!relid_ok(((const struct olvb_msg_modify_response *)msg)->child_relid))
			return -ERANGE;
		break;
	}
	return type;
}

/* The key of the request a response answers (vmbus_wire.h's key helpers). */
u64 olvb_resp_key(u32 type, const void *msg)
{
	const struct olvb_msg_open_result *o = msg;
	const struct olvb_msg_gpadl_created *c = msg;
	const struct olvb_msg_gpadl_torndown *t = msg;
	const struct olvb_msg_modify_response *m = msg;

	switch (type) {
	case OLVB_MSG_OPEN_RESULT:
		return olvb_key_open(o->child_relid, o->openid);
	case OLVB_MSG_GPADL_CREATED:
		return olvb_key_gpadl(c->child_relid, c->gpadl);
	case OLVB_MSG_GPADL_TORNDOWN:
		return olvb_key_torndown(t->gpadl);
	case OLVB_MSG_MODIFYCHANNEL_RESPONSE:
		return olvb_key_modify(m->child_relid);
	default:
		return 0;
	}
}
