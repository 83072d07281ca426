// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the integration-component code (utils/ic_proto.c): framing,
 * negotiation, heartbeat, shutdown, time sync, the UTF-16/UTF-8 conversions
 * and the KVP, VSS and file-copy translations. Host packets are copied into
 * buffers of exactly their length, so AddressSanitizer catches any access
 * past what the host sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include "test_balloon_shim.h"
#include "unit.h"

/* ic_proto.c exports its functions: here, that becomes a declaration. */
#define EXPORT_SYMBOL_GPL(sym) extern int hvic_exported_##sym
#include "../../utils/ic_proto.c"

static const u32 fw[] = { HVIC_FW_3_0, HVIC_FW_1_0 };
static const u32 srv[] = { HVIC_VERSION(4, 0), HVIC_VERSION(3, 0), HVIC_VERSION(1, 0) };
static const struct hvic_versions vers = { fw, 2, srv, 3 };

/* A packet of @body_len body bytes, exactly as long as that. */
static u8 *packet(u16 type, const void *body, u32 body_len)
{
	u8 *p = calloc(1, HVIC_BODY_OFFSET + body_len);
	struct hvic_hdr *h = (struct hvic_hdr *)(p + sizeof(struct hvic_pipe_hdr));

	h->type = type;
	h->size = body_len;
	h->flags = HVIC_FLAG_TRANSACTION | HVIC_FLAG_REQUEST;
	if (body_len)
		memcpy(p + HVIC_BODY_OFFSET, body, body_len);
	return p;
}

static void test_check(void)
{
	struct hvic_msg m;
	u8 *p = packet(HVIC_TYPE_HEARTBEAT, NULL, 0);

	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET - 1, &m), HVIC_BAD_LENGTH);
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET, &m), HVIC_OK);
	CHECK_EQ(m.type, HVIC_TYPE_HEARTBEAT);
	CHECK_EQ(m.body_len, 0);
	hvic_set_response(&m, HVIC_E_FAIL);
	CHECK_EQ(m.hdr->status, HVIC_E_FAIL);
	CHECK_EQ(m.hdr->flags, HVIC_FLAG_TRANSACTION | HVIC_FLAG_RESPONSE);
	free(p);
}

static u8 *nego(u16 nfw, u16 nsrv, const struct hvic_ver *v, u32 extra,
		u32 *len)
{
	u8 body[8 + 8 * 4] = { 0 };
	struct hvic_negotiate *n = (struct hvic_negotiate *)body;
	u32 blen = 8 + (nfw + nsrv) * 4 + extra;

	n->frame_count = nfw;
	n->msg_count = nsrv;
	memcpy(n->ver, v, (nfw + nsrv) * 4);
	*len = HVIC_BODY_OFFSET + blen;
	return packet(HVIC_TYPE_NEGOTIATE, body, blen);
}

static void test_negotiate(void)
{
	struct hvic_ver v[] = { {1, 0}, {3, 0}, {1, 0}, {3, 0}, {4, 0} };
	struct hvic_negotiate *n;
	struct hvic_msg m;
	u32 len, f, s;
	u8 *p = nego(2, 3, v, 0, &len);

	CHECK_EQ(hvic_check(p, len, &m), HVIC_OK);
	CHECK_EQ(hvic_negotiate(&m, &vers, &f, &s), HVIC_OK);
	CHECK_EQ(f, HVIC_FW_3_0);
	CHECK_EQ(s, HVIC_VERSION(4, 0));
	n = (struct hvic_negotiate *)m.body;
	CHECK_EQ(n->frame_count, 1);
	CHECK_EQ(n->msg_count, 1);
	CHECK_EQ(n->ver[1].major, 4);
	CHECK_EQ(m.hdr->size, 16);
	free(p);

	/* No service version in common: answered with empty counts. */
	v[2].major = 9;
	p = nego(1, 1, v + 1, 0, &len);
	CHECK_EQ(hvic_check(p, len, &m), HVIC_OK);
	CHECK_EQ(hvic_negotiate(&m, &vers, &f, &s), HVIC_NO_MATCH);
	CHECK_EQ(((struct hvic_negotiate *)m.body)->frame_count, 0);
	free(p);
}

static void test_negotiate_hostile(void)
{
	struct hvic_ver v[8] = { {3, 0}, {3, 0} };
	struct hvic_msg m;
	u32 len, f, s;
	u8 *p = nego(1, 1, v, 0, &len);

	/* Counts beyond the packet. */
	((struct hvic_negotiate *)(p + HVIC_BODY_OFFSET))->msg_count = 2;
	CHECK_EQ(hvic_check(p, len, &m), HVIC_OK);
	CHECK_EQ(hvic_negotiate(&m, &vers, &f, &s), HVIC_BAD_COUNT);
	((struct hvic_negotiate *)(p + HVIC_BODY_OFFSET))->msg_count = 0xffff;
	CHECK_EQ(hvic_negotiate(&m, &vers, &f, &s), HVIC_BAD_COUNT);
	free(p);
	/* Too short for our answer. */
	p = nego(1, 0, v, 0, &len);
	CHECK_EQ(hvic_check(p, len, &m), HVIC_OK);
	CHECK_EQ(hvic_negotiate(&m, &vers, &f, &s), HVIC_BAD_LENGTH);
	free(p);
}

static void test_heartbeat(void)
{
	struct hvic_heartbeat hb = { .seq_num = 41 };
	struct hvic_msg m;
	u8 *p = packet(HVIC_TYPE_HEARTBEAT, &hb, 8);

	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + 8, &m), HVIC_OK);
	CHECK_EQ(hvic_heartbeat_answer(&m), HVIC_OK);
	CHECK_EQ(((struct hvic_heartbeat *)m.body)->seq_num, 42);
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + 7, &m), HVIC_OK);
	CHECK_EQ(hvic_heartbeat_answer(&m), HVIC_BAD_LENGTH);
	free(p);
}

static void test_shutdown(void)
{
	static const struct { u32 flags; int act; int v; } cases[] = {
		{ 0, HVIC_SD_ACT_POWEROFF, HVIC_OK },
		{ 1, HVIC_SD_ACT_POWEROFF, HVIC_OK },
		{ 2, HVIC_SD_ACT_REBOOT, HVIC_OK },
		{ 3, HVIC_SD_ACT_REBOOT, HVIC_OK },
		{ 4, HVIC_SD_ACT_HIBERNATE, HVIC_OK },
		{ 5, HVIC_SD_ACT_HIBERNATE, HVIC_OK },
		{ 6, HVIC_SD_ACT_INVALID, HVIC_BAD_VALUE },
		{ 0x80000000, HVIC_SD_ACT_INVALID, HVIC_BAD_VALUE },
	};
	enum hvic_sd_action act;
	struct hvic_shutdown sd;
	struct hvic_msg m;
	unsigned int i;
	u8 *p;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&sd, 0, sizeof(sd));
		sd.flags = cases[i].flags;
		p = packet(HVIC_TYPE_SHUTDOWN, &sd, 12);
		CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + 12, &m), HVIC_OK);
		CHECK_EQ(hvic_shutdown_parse(&m, &act), cases[i].v);
		CHECK_EQ(act, cases[i].act);
		CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + 11, &m), HVIC_OK);
		CHECK_EQ(hvic_shutdown_parse(&m, &act), HVIC_BAD_LENGTH);
		free(p);
	}
}

static void test_timesync(void)
{
	struct hvic_timesync_ref r = { 0 };
	struct hvic_timesync t = { 0 };
	struct hvic_time_sample s;
	struct hvic_msg m;
	u64 ns;
	u8 *p;

	r.parent_time = HVIC_EPOCH_DELTA + 10;
	r.vm_reference_time = 1234;
	r.flags = HVIC_TS_SYNC;
	p = packet(HVIC_TYPE_TIMESYNC, &r, sizeof(r));
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + sizeof(r), &m), HVIC_OK);
	CHECK_EQ(hvic_timesync_parse(&m, HVIC_VERSION(4, 0), &s), HVIC_OK);
	CHECK(s.has_ref);
	CHECK_EQ(s.ref_time, 1234);
	CHECK_EQ(s.flags, HVIC_TS_SYNC);
	/* The same bytes are too short for a 3.0 message. */
	CHECK_EQ(hvic_timesync_parse(&m, HVIC_VERSION(3, 0), &s), HVIC_BAD_LENGTH);
	free(p);

	t.parent_time = HVIC_EPOCH_DELTA - 1;
	p = packet(HVIC_TYPE_TIMESYNC, &t, sizeof(t));
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + sizeof(t), &m), HVIC_OK);
	CHECK_EQ(hvic_timesync_parse(&m, HVIC_VERSION(3, 0), &s), HVIC_BAD_VALUE);
	free(p);

	CHECK(hvic_host_time_to_ns(HVIC_EPOCH_DELTA + 10, &ns));
	CHECK_EQ(ns, 1000);
	CHECK(!hvic_host_time_to_ns(HVIC_EPOCH_DELTA - 1, &ns));
	CHECK(!hvic_host_time_to_ns(~0ULL, &ns));
}

static void test_utf(void)
{
	/* "aé€😀" in UTF-16LE, then NUL */
	static const u8 u16s[] = { 'a', 0, 0xe9, 0, 0xac, 0x20, 0x3d, 0xd8,
				   0x00, 0xde, 0, 0 };
	static const u8 lone[] = { 0x00, 0xdc, 0, 0 };
	static const u8 high_end[] = { 'a', 0, 0x3d, 0xd8 };
	char out[16];
	u8 back[32];
	int n;

	n = hvic_utf16_to_utf8(u16s, 6, out, sizeof(out));
	CHECK_EQ(n, 1 + 2 + 3 + 4);
	CHECK(!strcmp(out, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
	/* Cut at a character boundary. */
	n = hvic_utf16_to_utf8(u16s, 6, out, 5);
	CHECK_EQ(n, 3);
	CHECK(!strcmp(out, "a\xc3\xa9"));
	CHECK_EQ(hvic_utf16_to_utf8(lone, 2, out, sizeof(out)), -1);
	CHECK_EQ(hvic_utf16_to_utf8(high_end, 2, out, sizeof(out)), -1);
	CHECK_EQ(hvic_utf16_to_utf8(u16s, 0, out, 0), -1);

	n = hvic_utf8_to_utf16("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 64,
			       back, 16);
	CHECK_EQ(n, 5);
	CHECK(!memcmp(back, u16s, sizeof(u16s)));
	/* Overlong, surrogate, truncated sequences fail. */
	CHECK_EQ(hvic_utf8_to_utf16("\xc0\x80", 2, back, 16), -1);
	CHECK_EQ(hvic_utf8_to_utf16("\xed\xa0\x80", 3, back, 16), -1);
	CHECK_EQ(hvic_utf8_to_utf16("\xe2\x82", 2, back, 16), -1);
	/* A pair does not get split at the end. */
	n = hvic_utf8_to_utf16("a\xf0\x9f\x98\x80", 5, back, 3);
	CHECK_EQ(n, 1);
}

static void put16(u8 *dst, const char *ascii)
{
	while (*ascii) {
		*dst++ = *ascii++;
		*dst++ = 0;
	}
}

static void test_kvp(void)
{
	u32 blen = HVIC_KVP_BODY(kvp_enum_data), status;
	struct hv_kvp_msg *out = calloc(1, sizeof(*out));
	struct hv_kvp_msg *reply = calloc(1, sizeof(*reply));
	struct hv_kvp_msg *in = calloc(1, sizeof(*in));
	enum hvic_kvp_action act;
	struct hvic_msg m;
	u8 *p;

	/* A set: UTF-16 key and value become UTF-8 with sizes counting the NUL. */
	in->kvp_hdr.operation = KVP_OP_SET;
	in->kvp_hdr.pool = KVP_POOL_EXTERNAL;
	in->body.kvp_set.data.value_type = REG_SZ;
	put16(in->body.kvp_set.data.key, "Key");
	in->body.kvp_set.data.key_size = 8;
	put16(in->body.kvp_set.data.value, "Val");
	in->body.kvp_set.data.value_size = 8;
	blen = HVIC_KVP_BODY(kvp_set);
	p = packet(HVIC_TYPE_KVP, in, blen);
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + blen, &m), HVIC_OK);
	CHECK_EQ(hvic_kvp_to_daemon(&m, out, &act), HVIC_OK);
	CHECK_EQ(act, HVIC_KVP_FORWARD);
	CHECK(!strcmp((char *)out->body.kvp_set.data.key, "Key"));
	CHECK_EQ(out->body.kvp_set.data.key_size, 4);
	CHECK(!strcmp((char *)out->body.kvp_set.data.value, "Val"));
	CHECK_EQ(out->body.kvp_set.data.value_size, 4);
	/* One byte short of what the answer needs: dropped. */
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + blen - 1, &m), HVIC_OK);
	CHECK_EQ(hvic_kvp_to_daemon(&m, out, &act), HVIC_BAD_LENGTH);
	free(p);

	/* A key filling its whole field with no NUL: refused. */
	memset(in->body.kvp_set.data.key, 'K', sizeof(in->body.kvp_set.data.key));
	for (p = in->body.kvp_set.data.key + 1;
	     p < in->body.kvp_set.data.key + sizeof(in->body.kvp_set.data.key); p += 2)
		*p = 0;
	in->body.kvp_set.data.key_size = sizeof(in->body.kvp_set.data.key);
	p = packet(HVIC_TYPE_KVP, in, blen);
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + blen, &m), HVIC_OK);
	CHECK_EQ(hvic_kvp_to_daemon(&m, out, &act), HVIC_BAD_STRING);
	free(p);
	/* The same field ending in a NUL is a 255-character key. */
	in->body.kvp_set.data.key[sizeof(in->body.kvp_set.data.key) - 2] = 0;
	p = packet(HVIC_TYPE_KVP, in, blen);
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + blen, &m), HVIC_OK);
	CHECK_EQ(hvic_kvp_to_daemon(&m, out, &act), HVIC_OK);
	CHECK_EQ(out->body.kvp_set.data.key_size, 256);
	free(p);

	/* Size fields beyond their arrays, bad pools and ops. */
	in->body.kvp_set.data.key_size = 514;
	p = packet(HVIC_TYPE_KVP, in, blen);
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + blen, &m), HVIC_OK);
	CHECK_EQ(hvic_kvp_to_daemon(&m, out, &act), HVIC_BAD_STRING);
	CHECK_EQ(act, HVIC_KVP_FAIL);
	((struct hv_kvp_msg *)m.body)->kvp_hdr.pool = KVP_POOL_COUNT;
	CHECK_EQ(hvic_kvp_to_daemon(&m, out, &act), HVIC_BAD_VALUE);
	((struct hv_kvp_msg *)m.body)->kvp_hdr.pool = 0;
	((struct hv_kvp_msg *)m.body)->kvp_hdr.operation = KVP_OP_COUNT;
	CHECK_EQ(hvic_kvp_to_daemon(&m, out, &act), HVIC_BAD_VALUE);
	free(p);

	/*
	 * A get: the daemon is offered the whole value field, which
	 * upstream's daemon copies that much of, and its answer, in the
	 * get layout, reaches the host whole.
	 */
	memset(in, 0, sizeof(*in));
	in->kvp_hdr.operation = KVP_OP_GET;
	in->kvp_hdr.pool = KVP_POOL_EXTERNAL;
	put16(in->body.kvp_get.data.key, "Key");
	in->body.kvp_get.data.key_size = 8;
	blen = HVIC_KVP_BODY(kvp_get);
	p = packet(HVIC_TYPE_KVP, in, blen);
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + blen, &m), HVIC_OK);
	CHECK_EQ(hvic_kvp_to_daemon(&m, out, &act), HVIC_OK);
	CHECK(!strcmp((char *)out->body.kvp_get.data.key, "Key"));
	CHECK_EQ(out->body.kvp_get.data.value_size,
		 sizeof(out->body.kvp_get.data.value));
	memset(reply, 0, sizeof(*reply));
	memcpy(reply->body.kvp_get.data.value, "bleu", 5);
	hvic_kvp_to_host(&m, reply, false, &status);
	CHECK_EQ(status, HVIC_S_OK);
	CHECK_EQ(((struct hv_kvp_msg *)m.body)->body.kvp_get.data.value_size, 10);
	CHECK_EQ(((struct hv_kvp_msg *)m.body)->body.kvp_get.data.value[6], 'u');
	free(p);

	/* Enumerate, and the daemon's answer back into the host's buffer. */
	memset(in, 0, sizeof(*in));
	in->kvp_hdr.operation = KVP_OP_ENUMERATE;
	in->kvp_hdr.pool = KVP_POOL_AUTO;
	in->body.kvp_enum_data.index = 3;
	blen = HVIC_KVP_BODY(kvp_enum_data);
	p = packet(HVIC_TYPE_KVP, in, blen);
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + blen, &m), HVIC_OK);
	CHECK_EQ(hvic_kvp_to_daemon(&m, out, &act), HVIC_OK);
	CHECK_EQ(out->body.kvp_enum_data.index, 3);
	memcpy(reply->body.kvp_enum_data.data.key, "OSName", 7);
	memcpy(reply->body.kvp_enum_data.data.value, "Linux", 6);
	hvic_kvp_to_host(&m, reply, false, &status);
	CHECK_EQ(status, HVIC_S_OK);
	CHECK_EQ(((struct hv_kvp_msg *)m.body)->body.kvp_enum_data.data.key_size, 14);
	CHECK_EQ(((struct hv_kvp_msg *)m.body)->body.kvp_enum_data.data.value_size, 12);
	CHECK_EQ(((struct hv_kvp_msg *)m.body)->body.kvp_enum_data.data.key[2], 'S');
	/* A daemon string without its NUL fails the request. */
	memset(reply->body.kvp_enum_data.data.value, 'x',
	       sizeof(reply->body.kvp_enum_data.data.value));
	hvic_kvp_to_host(&m, reply, false, &status);
	CHECK_EQ(status, HVIC_E_FAIL);
	/* The daemon's error goes to the host as it is. */
	reply->error = (int)HVIC_S_CONT;
	hvic_kvp_to_host(&m, reply, false, &status);
	CHECK_EQ(status, HVIC_S_CONT);
	free(p);
	free(in);
	free(out);
	free(reply);
}

static void test_vss(void)
{
	struct hv_vss_msg v = { 0 };
	struct hvic_msg m;
	u8 op = 0xff;
	u8 *p;

	v.vss_hdr.operation = VSS_OP_FREEZE;
	p = packet(HVIC_TYPE_VSS, &v, sizeof(v));
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + sizeof(v), &m), HVIC_OK);
	CHECK_EQ(hvic_vss_parse(&m, &op), HVIC_OK);
	CHECK_EQ(op, VSS_OP_FREEZE);
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + sizeof(v) - 1, &m), HVIC_OK);
	CHECK_EQ(hvic_vss_parse(&m, &op), HVIC_BAD_LENGTH);
	free(p);
}

static void test_fcopy(void)
{
	struct hv_start_fcopy *s = calloc(1, sizeof(*s));
	struct hv_do_fcopy *d = calloc(1, sizeof(*d));
	struct hv_do_fcopy *out = calloc(1, sizeof(*out));
	struct hv_start_fcopy *so = (struct hv_start_fcopy *)out;
	struct hvic_msg m;
	u32 len;
	u8 *p;

	s->hdr.operation = START_FILE_COPY;
	put16((u8 *)s->file_name, "f.txt");
	put16((u8 *)s->path_name, "/tmp");
	s->file_size = 99;
	p = packet(HVIC_TYPE_FCOPY, s, sizeof(*s));
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + sizeof(*s), &m), HVIC_OK);
	CHECK_EQ(hvic_fcopy_to_daemon(&m, out, sizeof(*out), &len), HVIC_OK);
	CHECK_EQ(len, sizeof(*s));
	CHECK(!strcmp((char *)so->file_name, "f.txt"));
	CHECK(!strcmp((char *)so->path_name, "/tmp"));
	CHECK_EQ(so->file_size, 99);
	free(p);

	d->hdr.operation = WRITE_TO_FILE;
	d->size = DATA_FRAGMENT + 1;
	p = packet(HVIC_TYPE_FCOPY, d, sizeof(*d));
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + sizeof(*d), &m), HVIC_OK);
	CHECK_EQ(hvic_fcopy_to_daemon(&m, out, sizeof(*out), &len), HVIC_BAD_VALUE);
	((struct hv_do_fcopy *)m.body)->size = DATA_FRAGMENT;
	CHECK_EQ(hvic_fcopy_to_daemon(&m, out, sizeof(*out), &len), HVIC_OK);
	CHECK_EQ(len, sizeof(*d));
	CHECK_EQ(hvic_check(p, HVIC_BODY_OFFSET + sizeof(*d) - 1, &m), HVIC_OK);
	CHECK_EQ(hvic_fcopy_to_daemon(&m, out, sizeof(*out), &len), HVIC_BAD_LENGTH);
	((struct hv_do_fcopy *)m.body)->hdr.operation = 77;
	CHECK_EQ(hvic_fcopy_to_daemon(&m, out, sizeof(*out), &len), HVIC_BAD_VALUE);
	free(p);
	free(s);
	free(d);
	free(out);
}

int main(void)
{
	UNIT_RUN(test_check);
	UNIT_RUN(test_negotiate);
	UNIT_RUN(test_negotiate_hostile);
	UNIT_RUN(test_heartbeat);
	UNIT_RUN(test_shutdown);
	UNIT_RUN(test_timesync);
	UNIT_RUN(test_utf);
	UNIT_RUN(test_kvp);
	UNIT_RUN(test_vss);
	UNIT_RUN(test_fcopy);
	return unit_summary();
}
