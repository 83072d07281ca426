// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: VMBus channel messages from the host into olvb_msg_check()
 * (vmbus/msg_check.c), which the message path runs before any handler.
 * The message sits in a heap buffer of exactly its length, as the host
 * sent it, so AddressSanitizer sees any read past it. For every accepted
 * message the fuzzer checks the contract the handlers rely on instead of
 * checks of their own: the message is no longer than OLVB_MSG_MAX (the
 * copy the message work and request responses take), holds the whole
 * structure of its type, and names a relid the channel table has. It then
 * reads what the handlers read, olvb_resp_key() included.
 */
#include <stdlib.h>
#include "kshim.h"
#include "../../vmbus/msg_check.c"

/* What the handlers read of each message they are given. */
static u32 handler_size(int type)
{
	switch (type) {
	case OLVB_MSG_OFFER:
		return sizeof(struct olvb_msg_offer);
	case OLVB_MSG_RESCIND:
		return sizeof(struct olvb_msg_relid);
	case OLVB_MSG_OPEN_RESULT:
		return sizeof(struct olvb_msg_open_result);
	case OLVB_MSG_GPADL_CREATED:
		return sizeof(struct olvb_msg_gpadl_created);
	case OLVB_MSG_GPADL_TORNDOWN:
		return sizeof(struct olvb_msg_gpadl_torndown);
	case OLVB_MSG_TL_CONNECT_RESULT:
		return sizeof(struct olvb_msg_tl_result);
	case OLVB_MSG_MODIFYCHANNEL_RESPONSE:
		return sizeof(struct olvb_msg_modify_response);
	case OLVB_MSG_VERSION_RESPONSE:
		/* Old hosts stop after version_supported. */
		return sizeof(struct olvb_msg_hdr) + 1;
	case OLVB_MSG_ALLOFFERS_DELIVERED:
	case OLVB_MSG_UNLOAD_RESPONSE:
		return sizeof(struct olvb_msg_hdr);
	default:
		return 0;
	}
}

/* The relid an accepted message names, if its handler looks it up. */
static bool names_relid(int type, const u8 *m, u32 *relid)
{
	switch (type) {
	case OLVB_MSG_OFFER:
		*relid = ((const struct olvb_msg_offer *)m)->child_relid;
		return true;
	case OLVB_MSG_RESCIND:
		*relid = ((const struct olvb_msg_relid *)m)->child_relid;
		return true;
	case OLVB_MSG_OPEN_RESULT:
		*relid = ((const struct olvb_msg_open_result *)m)->child_relid;
		return true;
	case OLVB_MSG_MODIFYCHANNEL_RESPONSE:
		*relid = ((const struct olvb_msg_modify_response *)m)->child_relid;
		return true;
	default:
		return false;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 *m, copy[OLVB_MSG_MAX];
	volatile u64 key;
	u32 len, relid;
	int type;

	if (size > 2 * OLVB_MSG_MAX)
		return 0;
	len = (u32)size;
	m = malloc(len ? len : 1);
	memcpy(m, data, len);
	type = olvb_msg_check(m, len);
	if (type < 0) {
		free(m);
		return 0;
	}
	if (len > OLVB_MSG_MAX || len < sizeof(struct olvb_msg_hdr) ||
	    (u32)type != ((const struct olvb_msg_hdr *)m)->type)
		abort();
	if (!handler_size(type) || len < handler_size(type))
		abort();
	if (names_relid(type, m, &relid) && (!relid || relid >= OLVB_MAX_RELID))
		abort();
	if (type == OLVB_MSG_OFFER) {
		const struct olvb_msg_offer *o = (const void *)m;

		if ((o->monitor_flags & 1) && o->monitorid >= OLVB_MAX_MONITOR_ID)
			abort();
	}
	/* The copies the message work and a waiting request take. */
	memcpy(copy, m, len);
	key = olvb_resp_key(type, m);
	(void)key;
	free(m);
	return 0;
}
