// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: integration-service packets from the host into the framing
 * and the per-service parsers of utils/ic_proto.c. The first input byte
 * picks the service (the host picks the channel, not us), the rest is the
 * packet, in a heap buffer of exactly its length so AddressSanitizer sees
 * any access past it.
 *
 * Contracts checked: the framing accepts exactly the packets holding both
 * headers and describes the body that is really there; a negotiation
 * answered fits the packet, agrees on one version each and only on ones
 * both sides listed, and a malformed one leaves the packet as it was;
 * each service parser accepts only bodies holding what it reads and gives
 * only values its callers handle; the strings it passes on are
 * NUL-terminated UTF-8 that converts back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "../unit/test_balloon_shim.h"

#define EXPORT_SYMBOL_GPL(sym) extern int hvic_exported_##sym
#include "../../utils/ic_proto.c"

static const u32 fw[] = { HVIC_FW_3_0, HVIC_FW_1_0 };
static const u32 srv[] = { HVIC_VERSION(4, 0), HVIC_VERSION(3, 0),
			   HVIC_VERSION(1, 0) };
static const struct hvic_versions vers = { fw, 2, srv, 3 };

static bool listed(const u32 *ours, unsigned int n, u32 v)
{
	while (n--)
		if (ours[n] == v)
			return true;
	return false;
}

/* Whether the host offered @v among the @n versions at @off. */
static bool offered(const u8 *body, u32 off, u32 n, u32 v)
{
	struct hvic_ver x;
	u32 i;

	for (i = off; i < off + n; i++) {
		memcpy(&x, body + sizeof(struct hvic_negotiate) + i * sizeof(x),
		       sizeof(x));
		if (HVIC_VERSION((u32)x.major, x.minor) == v)
			return true;
	}
	return false;
}

static void check_negotiate(struct hvic_msg *m, u8 *pkt, u32 len)
{
	u8 *orig = malloc(len);
	struct hvic_negotiate n0, *n;
	enum hvic_verdict v;
	u32 f, s;

	memcpy(orig, pkt, len);
	v = hvic_negotiate(m, &vers, &f, &s);
	if (v != HVIC_OK && v != HVIC_NO_MATCH) {
		if (memcmp(orig, pkt, len))
			abort();
		free(orig);
		return;
	}
	n = (struct hvic_negotiate *)m->body;
	memcpy(&n0, orig + HVIC_BODY_OFFSET, sizeof(n0));
	if (m->body_len < HVIC_NEGOTIATE_RESP_SIZE ||
	    m->hdr->size != HVIC_NEGOTIATE_RESP_SIZE ||
	    n->frame_count != (v == HVIC_OK) || n->msg_count != n->frame_count)
		abort();
	if (v == HVIC_OK &&
	    (!listed(fw, 2, f) || !listed(srv, 3, s) ||
	     !offered(orig + HVIC_BODY_OFFSET, 0, n0.frame_count, f) ||
	     !offered(orig + HVIC_BODY_OFFSET, n0.frame_count, n0.msg_count, s)))
		abort();
	free(orig);
}

/* A string the daemon gets: NUL-terminated in @cap bytes, and UTF-8. */
static void check_string(const void *p, u32 cap)
{
	const char *s = p;
	size_t n = strnlen(s, cap);
	u8 *back;

	if (n == cap)
		abort();
	back = malloc(2 * (n + 1));
	if (hvic_utf8_to_utf16(s, (u32)n, back, (u32)n + 1) < 0)
		abort();
	free(back);
}

static void check_fcopy(const struct hvic_msg *m, u32 out_size)
{
	u8 *out = malloc(out_size ? out_size : 1);
	enum hvic_verdict v;
	u32 out_len;

	v = hvic_fcopy_to_daemon(m, out, out_size, &out_len);
	if (v != HVIC_OK) {
		if (out_len)
			abort();
		free(out);
		return;
	}
	if (out_len > out_size || out_len < sizeof(struct hv_fcopy_hdr) ||
	    m->body_len < sizeof(struct hv_fcopy_hdr))
		abort();
	if (((struct hv_fcopy_hdr *)out)->operation == START_FILE_COPY) {
		struct hv_start_fcopy *st = (void *)out;

		if (m->body_len < sizeof(*st))
			abort();
		check_string(st->file_name, W_MAX_PATH);
		check_string(st->path_name, W_MAX_PATH);
	} else if (((struct hv_fcopy_hdr *)out)->operation == WRITE_TO_FILE) {
		if (((struct hv_do_fcopy *)out)->size > DATA_FRAGMENT)
			abort();
	}
	free(out);
}

static void check_utf16(const u8 *data, size_t size)
{
	u32 out_size = size ? data[0] : 0;
	u32 units = (u32)(size > 1 ? (size - 1) / 2 : 0);
	char *out = malloc(out_size ? out_size : 1);
	int n;

	n = hvic_utf16_to_utf8(data + 1, units, out, out_size);
	if (n >= 0) {
		if ((u32)n >= out_size || out[n] || strlen(out) != (size_t)n)
			abort();
		check_string(out, out_size);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum hvic_sd_action act;
	enum hvic_kvp_action kact;
	struct hvic_time_sample ts;
	struct hv_kvp_msg *kvp;
	struct hvic_msg m;
	enum hvic_verdict v;
	u64 seq = 0, ns;
	u32 len;
	u8 *pkt, op;

	if (size < 1 || size > 16384)
		return 0;
	op = data[0];
	if (op >= 16) {
		check_utf16(data + 1, size - 1);
		return 0;
	}
	len = (u32)size - 1;
	pkt = malloc(len ? len : 1);
	memcpy(pkt, data + 1, len);
	v = hvic_check(pkt, len, &m);
	if ((v == HVIC_OK) != (len >= HVIC_BODY_OFFSET))
		abort();
	if (v != HVIC_OK) {
		free(pkt);
		return 0;
	}
	if ((u8 *)m.hdr != pkt + sizeof(struct hvic_pipe_hdr) ||
	    m.body != pkt + HVIC_BODY_OFFSET ||
	    m.body_len != len - HVIC_BODY_OFFSET || m.type != m.hdr->type)
		abort();

	switch (op & 7) {
	case 0:
		check_negotiate(&m, pkt, len);
		break;
	case 1:
		if (m.body_len >= sizeof(seq))
			memcpy(&seq, m.body, sizeof(seq));
		if (hvic_heartbeat_answer(&m) == HVIC_OK) {
			u64 now;

			if (m.body_len < sizeof(now))
				abort();
			memcpy(&now, m.body, sizeof(now));
			if (now != seq + 1)
				abort();
		}
		break;
	case 2:
		v = hvic_shutdown_parse(&m, &act);
		if ((v == HVIC_OK) != (act != HVIC_SD_ACT_INVALID) ||
		    (v == HVIC_OK && m.body_len <
		     offsetof(struct hvic_shutdown, display_message)))
			abort();
		break;
	case 3:
		v = hvic_timesync_parse(&m, op & 8 ? HVIC_VERSION(4, 0) :
					HVIC_VERSION(3, 0), &ts);
		if (v == HVIC_OK &&
		    (ts.host_time < HVIC_EPOCH_DELTA ||
		     m.body_len < (op & 8 ? sizeof(struct hvic_timesync_ref) :
				   sizeof(struct hvic_timesync))))
			abort();
		if (v == HVIC_OK && hvic_host_time_to_ns(ts.host_time, &ns) &&
		    ns / 100 != ts.host_time - HVIC_EPOCH_DELTA)
			abort();
		break;
	case 4:
		v = hvic_vss_parse(&m, &op);
		if (v == HVIC_OK && m.body_len < sizeof(struct hv_vss_msg))
			abort();
		break;
	case 5:
		check_fcopy(&m, sizeof(struct hv_do_fcopy));
		break;
	case 6:
		check_fcopy(&m, op & 8 ? sizeof(struct hv_start_fcopy) - 1 :
			    sizeof(struct hv_fcopy_hdr));
		break;
	case 7:
		kvp = malloc(sizeof(*kvp));
		v = hvic_kvp_to_daemon(&m, kvp, &kact);
		if (v == HVIC_OK && kact != HVIC_KVP_FORWARD &&
		    kact != HVIC_KVP_FAIL)
			abort();
		free(kvp);
		break;
	}
	free(pkt);
	return 0;
}
