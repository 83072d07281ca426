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

/*
 * What the handlers read of each message they are given, stated again on
 * purpose: this is the oracle olvb_min_len[] in msg_check.c must satisfy.
 */
static const u32 handler_size[OLVB_MSG_COUNT] = {
	[OLVB_MSG_OFFER] = sizeof(struct olvb_msg_offer),
	[OLVB_MSG_RESCIND] = sizeof(struct olvb_msg_relid),
	[OLVB_MSG_OPEN_RESULT] = sizeof(struct olvb_msg_open_result),
	[OLVB_MSG_GPADL_CREATED] = sizeof(struct olvb_msg_gpadl_created),
	[OLVB_MSG_GPADL_TORNDOWN] = sizeof(struct olvb_msg_gpadl_torndown),
	[OLVB_MSG_TL_CONNECT_RESULT] = sizeof(struct olvb_msg_tl_result),
	[OLVB_MSG_MODIFYCHANNEL_RESPONSE] =
		sizeof(struct olvb_msg_modify_response),
	/* Old hosts stop after version_supported. */
	[OLVB_MSG_VERSION_RESPONSE] = sizeof(struct olvb_msg_hdr) + 1,
	[OLVB_MSG_ALLOFFERS_DELIVERED] = sizeof(struct olvb_msg_hdr),
	[OLVB_MSG_UNLOAD_RESPONSE] = sizeof(struct olvb_msg_hdr),
};

/*
 * Where the relid lies in the messages whose handler looks one up (each
 * has it right after the header); 0: none.
 */
static const u32 relid_at[OLVB_MSG_COUNT] = {
	[OLVB_MSG_OFFER] = offsetof(struct olvb_msg_offer, child_relid),
	[OLVB_MSG_RESCIND] = offsetof(struct olvb_msg_relid, child_relid),
	[OLVB_MSG_OPEN_RESULT] =
		offsetof(struct olvb_msg_open_result, child_relid),
	[OLVB_MSG_MODIFYCHANNEL_RESPONSE] =
		offsetof(struct olvb_msg_modify_response, child_relid),
};

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
	if (!handler_size[type] || len < handler_size[type])
		abort();
	if (relid_at[type]) {
		memcpy(&relid, m + relid_at[type], sizeof(relid));
		if (!relid || relid >= OLVB_MAX_RELID)
			abort();
	}
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
