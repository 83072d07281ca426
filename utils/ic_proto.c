// SPDX-License-Identifier: GPL-2.0
/*
 * Integration component messages: checking the host's, answering them, and
 * translating between the host's UTF-16 and the daemons' UTF-8 forms. Nothing
 * here touches kernel state, so the unit tests compile this file as is.
 *
 * Rule of the file: a packet's length bounds every read and write. Size and
 * count fields inside a message are checked against it, never trusted.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/stddef.h>
#endif
#include <openlis/ic_proto.h>

/* Nanoseconds fit an s64 up to here. */
#define HVIC_NS_MAX	(~0ULL >> 1)

static const char * const hvic_verdict_names[] = {
	[HVIC_OK]		= "ok",
	[HVIC_NO_MATCH]		= "no common version",
	[HVIC_BAD_LENGTH]	= "too short",
	[HVIC_BAD_SIZE]		= "size field beyond its field",
	[HVIC_BAD_COUNT]	= "count beyond message",
	[HVIC_BAD_VALUE]	= "field out of range",
	[HVIC_BAD_STRING]	= "bad string",
};

const char *hvic_verdict_name(enum hvic_verdict v)
{
	if ((unsigned int)v < HVIC_NR_VERDICTS)
		return hvic_verdict_names[v];
	return "unknown";
}
EXPORT_SYMBOL_GPL(hvic_verdict_name);

/*
 * The framing of every packet. hdr->size is not relied on: some hosts send
 * less than the structures they announce, so the packet length is the bound.
 */
enum hvic_verdict hvic_check(u8 *pkt, u32 len, struct hvic_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (len < HVIC_BODY_OFFSET)
		return HVIC_BAD_LENGTH;
	m->hdr = (struct hvic_hdr *)(pkt + sizeof(struct hvic_pipe_hdr));
	m->body = pkt + HVIC_BODY_OFFSET;
	m->body_len = len - HVIC_BODY_OFFSET;
	m->type = m->hdr->type;
	return HVIC_OK;
}
EXPORT_SYMBOL_GPL(hvic_check);

static bool hvic_find(const struct hvic_ver *offered, u32 n, u32 want,
		      struct hvic_ver *found)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (offered[i].major == HVIC_MAJOR(want) &&
		    offered[i].minor == HVIC_MINOR(want)) {
			*found = offered[i];
			return true;
		}
	}
	return false;
}

/*
 * Pick the newest framework and service versions both sides speak and turn
 * the offer into our answer in place. On HVIC_NO_MATCH the answer offers
 * nothing, which tells the host; on a malformed offer nothing is written.
 */
enum hvic_verdict hvic_negotiate(struct hvic_msg *m,
				 const struct hvic_versions *vers,
				 u32 *fw_out, u32 *srv_out)
{
	struct hvic_ver fw = { 0, 0 }, srv = { 0, 0 };
	bool fw_ok = false, srv_ok = false;
	struct hvic_negotiate *n;
	u32 nfw, nsrv;
	unsigned int i;

	if (m->body_len < HVIC_NEGOTIATE_RESP_SIZE)
		return HVIC_BAD_LENGTH;
	n = (struct hvic_negotiate *)m->body;
	nfw = n->frame_count;
	nsrv = n->msg_count;
	if (nfw > HVIC_MAX_OFFERED_VERSIONS || nsrv > HVIC_MAX_OFFERED_VERSIONS)
		return HVIC_BAD_COUNT;
	if (sizeof(*n) + (nfw + nsrv) * sizeof(struct hvic_ver) > m->body_len)
		return HVIC_BAD_COUNT;

	for (i = 0; i < vers->nr_fw && !fw_ok; i++)
		fw_ok = hvic_find(n->ver, nfw, vers->fw[i], &fw);
	for (i = 0; i < vers->nr_srv && !srv_ok; i++)
		srv_ok = hvic_find(n->ver + nfw, nsrv, vers->srv[i], &srv);

	m->hdr->size = HVIC_NEGOTIATE_RESP_SIZE;
	n->frame_count = fw_ok && srv_ok;
	n->msg_count = fw_ok && srv_ok;
	n->ver[0] = fw;
	n->ver[1] = srv;
	*fw_out = HVIC_VERSION(fw.major, fw.minor);
	*srv_out = HVIC_VERSION(srv.major, srv.minor);
	return fw_ok && srv_ok ? HVIC_OK : HVIC_NO_MATCH;
}
EXPORT_SYMBOL_GPL(hvic_negotiate);

void hvic_set_response(struct hvic_msg *m, u32 status)
{
	m->hdr->status = status;
	m->hdr->flags = HVIC_FLAG_TRANSACTION | HVIC_FLAG_RESPONSE;
}
EXPORT_SYMBOL_GPL(hvic_set_response);

/* Only the sequence number is needed: hosts may leave out the rest. */
enum hvic_verdict hvic_heartbeat_answer(struct hvic_msg *m)
{
	struct hvic_heartbeat *hb = (struct hvic_heartbeat *)m->body;

	if (m->body_len < sizeof(hb->seq_num))
		return HVIC_BAD_LENGTH;
	hb->seq_num++;
	return HVIC_OK;
}
EXPORT_SYMBOL_GPL(hvic_heartbeat_answer);

enum hvic_verdict hvic_shutdown_parse(const struct hvic_msg *m,
				      enum hvic_sd_action *act)
{
	const struct hvic_shutdown *sd = (const struct hvic_shutdown *)m->body;

	*act = HVIC_SD_ACT_INVALID;
	if (m->body_len < offsetof(struct hvic_shutdown, display_message))
		return HVIC_BAD_LENGTH;
	/* Linux always does what it is asked with force or without. */
	switch (sd->flags & ~HVIC_SD_FORCE) {
	case HVIC_SD_POWEROFF:
		*act = HVIC_SD_ACT_POWEROFF;
		break;
	case HVIC_SD_REBOOT:
		*act = HVIC_SD_ACT_REBOOT;
		break;
	case HVIC_SD_HIBERNATE:
		*act = HVIC_SD_ACT_HIBERNATE;
		break;
	default:
		return HVIC_BAD_VALUE;
	}
	return HVIC_OK;
}
EXPORT_SYMBOL_GPL(hvic_shutdown_parse);

enum hvic_verdict hvic_timesync_parse(const struct hvic_msg *m, u32 srv_ver,
				      struct hvic_time_sample *s)
{
	memset(s, 0, sizeof(*s));
	if (srv_ver >= HVIC_VERSION(4, 0)) {
		const struct hvic_timesync_ref *r =
			(const struct hvic_timesync_ref *)m->body;

		if (m->body_len < sizeof(*r))
			return HVIC_BAD_LENGTH;
		s->host_time = r->parent_time;
		s->ref_time = r->vm_reference_time;
		s->has_ref = true;
		s->flags = r->flags;
	} else {
		const struct hvic_timesync *t =
			(const struct hvic_timesync *)m->body;

		if (m->body_len < sizeof(*t))
			return HVIC_BAD_LENGTH;
		s->host_time = t->parent_time;
		s->flags = t->flags;
	}
	if (s->host_time < HVIC_EPOCH_DELTA)
		return HVIC_BAD_VALUE;
	return HVIC_OK;
}
EXPORT_SYMBOL_GPL(hvic_timesync_parse);

/* Host time (100 ns since 1601) to ns since 1970, if it fits a time64. */
bool hvic_host_time_to_ns(u64 host_time, u64 *ns)
{
	u64 t;

	if (host_time < HVIC_EPOCH_DELTA)
		return false;
	t = host_time - HVIC_EPOCH_DELTA;
	if (t > HVIC_NS_MAX / 100)
		return false;
	*ns = t * 100;
	return true;
}
EXPORT_SYMBOL_GPL(hvic_host_time_to_ns);

static u32 hvic_get16(const u8 *p)
{
	return p[0] | (u32)p[1] << 8;
}

/*
 * UTF-16LE (up to @in_units units or a NUL) to NUL-terminated UTF-8 in
 * @out_size bytes. Output too long is cut at a character boundary; an
 * unpaired surrogate fails. Returns the bytes written without the NUL.
 */
int hvic_utf16_to_utf8(const u8 *in, u32 in_units, char *out, u32 out_size)
{
	u32 i = 0, o = 0;

	if (!out_size)
		return -1;
	while (i < in_units) {
		u32 c = hvic_get16(in + 2 * i++);
		u8 enc[4];
		u32 n;

		if (!c)
			break;
		if (c >= 0xd800 && c <= 0xdbff) {
			u32 lo;

			if (i >= in_units)
				return -1;
			lo = hvic_get16(in + 2 * i++);
			if (lo < 0xdc00 || lo > 0xdfff)
				return -1;
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
		} else if (c >= 0xdc00 && c <= 0xdfff) {
			return -1;
		}
		if (c < 0x80) {
			enc[0] = c;
			n = 1;
		} else if (c < 0x800) {
			enc[0] = 0xc0 | (c >> 6);
			enc[1] = 0x80 | (c & 0x3f);
			n = 2;
		} else if (c < 0x10000) {
			enc[0] = 0xe0 | (c >> 12);
			enc[1] = 0x80 | ((c >> 6) & 0x3f);
			enc[2] = 0x80 | (c & 0x3f);
			n = 3;
		} else {
			enc[0] = 0xf0 | (c >> 18);
			enc[1] = 0x80 | ((c >> 12) & 0x3f);
			enc[2] = 0x80 | ((c >> 6) & 0x3f);
			enc[3] = 0x80 | (c & 0x3f);
			n = 4;
		}
		if (o + n > out_size - 1)
			break;
		memcpy(out + o, enc, n);
		o += n;
	}
	out[o] = '\0';
	return o;
}
EXPORT_SYMBOL_GPL(hvic_utf16_to_utf8);

/* Decode one UTF-8 character of at most @len bytes; 0: malformed. */
static u32 hvic_utf8_next(const u8 *s, u32 len, u32 *c)
{
	u32 n, i, min;

	if (s[0] < 0x80) {
		*c = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		min = 0x80;
		*c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		min = 0x800;
		*c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		min = 0x10000;
		*c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*c = (*c << 6) | (s[i] & 0x3f);
	}
	if (*c < min || *c > 0x10ffff || (*c >= 0xd800 && *c <= 0xdfff))
		return 0;
	return n;
}

/*
 * UTF-8 (up to @in_len bytes or a NUL) to NUL-terminated UTF-16LE in
 * @out_units units, cut at a character boundary. Malformed input fails.
 * Returns the units written without the NUL.
 */
int hvic_utf8_to_utf16(const char *in, u32 in_len, u8 *out, u32 out_units)
{
	const u8 *s = (const u8 *)in;
	u32 i = 0, o = 0;

	if (!out_units)
		return -1;
	while (i < in_len && s[i]) {
		u32 c, n = hvic_utf8_next(s + i, in_len - i, &c);
		u32 units = c >= 0x10000 ? 2 : 1;

		if (!n)
			return -1;
		if (o + units > out_units - 1)
			break;
		if (units == 2) {
			c -= 0x10000;
			out[2 * o] = (0xd800 | (c >> 10)) & 0xff;
			out[2 * o + 1] = (0xd800 | (c >> 10)) >> 8;
			o++;
			c = 0xdc00 | (c & 0x3ff);
		}
		out[2 * o] = c & 0xff;
		out[2 * o + 1] = c >> 8;
		o++;
		i += n;
	}
	out[2 * o] = 0;
	out[2 * o + 1] = 0;
	return o;
}
EXPORT_SYMBOL_GPL(hvic_utf8_to_utf16);

/*
 * A host UTF-16 field of @size bytes (a size field, checked against the
 * field's @cap) to UTF-8. Returns the size the daemon expects (with the NUL),
 * or -1.
 */
static int hvic_field_to_utf8(const u8 *in, u32 size, u32 cap, char *out,
			      u32 out_size)
{
	u32 i;
	int n;

	if (size > cap)
		return -1;
	/*
	 * A string that fills its whole field has no room for its NUL: no
	 * host that keeps to the field's size sends one.
	 */
	if (size == cap) {
		for (i = 0; i + 1 < cap; i += 2)
			if (!in[i] && !in[i + 1])
				break;
		if (i + 1 >= cap)
			return -1;
	}
	n = hvic_utf16_to_utf8(in, size / 2, out, out_size);
	return n < 0 ? -1 : n + 1;
}

/* One IP field, host (UTF-16) to daemon (UTF-8 in the same array). */
static bool hvic_ip_in(const void *in, void *out, u32 units)
{
	return hvic_utf16_to_utf8(in, units, out, units) >= 0;
}

static bool hvic_ip_to_daemon(const struct hv_kvp_ipaddr_value *in,
			      struct hv_kvp_ipaddr_value *out, bool set)
{
	if (set) {
		if (!hvic_ip_in(in->ip_addr, out->ip_addr, MAX_IP_ADDR_SIZE) ||
		    !hvic_ip_in(in->sub_net, out->sub_net, MAX_IP_ADDR_SIZE) ||
		    !hvic_ip_in(in->gate_way, out->gate_way, MAX_GATEWAY_SIZE) ||
		    !hvic_ip_in(in->dns_addr, out->dns_addr, MAX_IP_ADDR_SIZE))
			return false;
		out->dhcp_enabled = in->dhcp_enabled;
	}
	if (!hvic_ip_in(in->adapter_id, out->adapter_id, MAX_ADAPTER_ID_SIZE))
		return false;
	out->addr_family = in->addr_family;
	return true;
}

#define HVIC_KVP_BODY(member) (offsetof(struct hv_kvp_msg, body) + \
			       sizeof(((struct hv_kvp_msg *)0)->body.member))

/* What a host request of each operation must hold to be answered in place. */
static const u32 hvic_kvp_min_len[KVP_OP_COUNT] = {
	[KVP_OP_GET]		= HVIC_KVP_BODY(kvp_get),
	[KVP_OP_SET]		= HVIC_KVP_BODY(kvp_set),
	[KVP_OP_DELETE]		= HVIC_KVP_BODY(kvp_delete),
	[KVP_OP_ENUMERATE]	= HVIC_KVP_BODY(kvp_enum_data),
	[KVP_OP_GET_IP_INFO]	= sizeof(struct hv_kvp_ip_msg),
	[KVP_OP_SET_IP_INFO]	= sizeof(struct hv_kvp_ip_msg),
};

/*
 * A host KVP request to the message the daemon reads. @out is the daemon's
 * struct hv_kvp_msg. A request whose strings or sizes are bad is answered
 * with a failure; one too short to be answered in place is dropped.
 */
enum hvic_verdict hvic_kvp_to_daemon(const struct hvic_msg *m,
				     struct hv_kvp_msg *out,
				     enum hvic_kvp_action *act)
{
	const struct hv_kvp_msg *in = (const struct hv_kvp_msg *)m->body;
	const struct hv_kvp_exchg_msg_value *kv;
	struct hv_kvp_exchg_msg_value *okv;
	u8 op, pool;
	bool ok;
	int n;

	*act = HVIC_KVP_FAIL;
	memset(out, 0, sizeof(*out));
	if (m->body_len < sizeof(struct hv_kvp_hdr))
		return HVIC_BAD_LENGTH;
	op = in->kvp_hdr.operation;
	pool = in->kvp_hdr.pool;
	if (op >= KVP_OP_COUNT || pool >= KVP_POOL_COUNT)
		return HVIC_BAD_VALUE;
	/* We answer in the host's buffer, so it must hold the whole answer. */
	if (m->body_len < hvic_kvp_min_len[op])
		return HVIC_BAD_LENGTH;
	out->kvp_hdr.operation = op;
	out->kvp_hdr.pool = pool;

	switch (op) {
	case KVP_OP_GET_IP_INFO:
	case KVP_OP_SET_IP_INFO:
		ok = hvic_ip_to_daemon(&((const struct hv_kvp_ip_msg *)in)->kvp_ip_val,
				       &out->body.kvp_ip_val,
				       op == KVP_OP_SET_IP_INFO);
		break;
	case KVP_OP_SET:
		kv = &in->body.kvp_set.data;
		okv = &out->body.kvp_set.data;
		n = hvic_field_to_utf8(kv->key, kv->key_size, sizeof(kv->key),
				       (char *)okv->key, sizeof(okv->key));
		okv->key_size = n;
		ok = n > 0;
		if (!ok)
			break;
		if (kv->value_type == REG_SZ) {
			n = hvic_field_to_utf8(kv->value, kv->value_size,
					       sizeof(kv->value),
					       (char *)okv->value,
					       sizeof(okv->value));
			okv->value_size = n;
			ok = n > 0;
		} else if (kv->value_type == REG_U32) {
			okv->value_size = snprintf((char *)okv->value,
						   sizeof(okv->value), "%u",
						   kv->value_u32) + 1;
		} else if (kv->value_type == REG_U64) {
			okv->value_size = snprintf((char *)okv->value,
						   sizeof(okv->value), "%llu",
						   (unsigned long long)kv->value_u64) + 1;
		}
		/* Other types reach the daemon as an empty value. */
		break;
	case KVP_OP_GET:
		kv = &in->body.kvp_get.data;
		okv = &out->body.kvp_get.data;
		n = hvic_field_to_utf8(kv->key, kv->key_size, sizeof(kv->key),
				       (char *)okv->key, sizeof(okv->key));
		okv->key_size = n;
		/*
		 * Upstream's daemon copies value_size bytes of the stored
		 * value into its answer: left at 0, the host reads an empty
		 * value, as it does on the in-tree driver.
		 */
		okv->value_size = sizeof(okv->value);
		ok = n > 0;
		break;
	case KVP_OP_DELETE:
		n = hvic_field_to_utf8(in->body.kvp_delete.key,
				       in->body.kvp_delete.key_size,
				       sizeof(in->body.kvp_delete.key),
				       (char *)out->body.kvp_delete.key,
				       sizeof(out->body.kvp_delete.key));
		out->body.kvp_delete.key_size = n;
		ok = n > 0;
		break;
	default: /* KVP_OP_ENUMERATE */
		out->body.kvp_enum_data.index = in->body.kvp_enum_data.index;
		ok = true;
		break;
	}
	if (!ok)
		return HVIC_BAD_STRING;
	*act = HVIC_KVP_FORWARD;
	return HVIC_OK;
}
EXPORT_SYMBOL_GPL(hvic_kvp_to_daemon);

/*
 * A daemon's UTF-8 field of @cap bytes to a host UTF-16 field of @units.
 * Returns the host's size of it (bytes, with the NUL), or -1.
 */
static int hvic_daemon_str(const void *in, u32 cap, void *out, u32 units)
{
	int n;

	memset(out, 0, units * 2);
	/* The daemon's string must end inside its field. */
	if (!memchr(in, 0, cap))
		return -1;
	n = hvic_utf8_to_utf16(in, cap, out, units);
	return n < 0 ? -1 : 2 * (n + 1);
}

/* One IP field, daemon (UTF-8, the array's bytes) to host (UTF-16). */
static bool hvic_ip_out(const void *in, void *out, u32 units)
{
	return hvic_daemon_str(in, units * 2, out, units) > 0;
}

/*
 * The daemon's answer, checked, into the host's request buffer (sized by
 * hvic_kvp_to_daemon). *status is what the host is told.
 */
void hvic_kvp_to_host(struct hvic_msg *m, const struct hv_kvp_msg *reply,
		      bool legacy, u32 *status)
{
	struct hv_kvp_msg *host = (struct hv_kvp_msg *)m->body;
	const struct hv_kvp_exchg_msg_value *src;
	struct hv_kvp_exchg_msg_value *dst;
	u8 op = host->kvp_hdr.operation;
	bool ok = true;
	int n;

	if (legacy)
		*status = reply->body.kvp_enum_data.data.key[0] ? HVIC_S_OK :
			  HVIC_S_CONT;
	else
		*status = (u32)reply->error;
	if (*status != HVIC_S_OK)
		return;

	switch (op) {
	case KVP_OP_GET_IP_INFO: {
		struct hv_kvp_ipaddr_value *hip =
			&((struct hv_kvp_ip_msg *)host)->kvp_ip_val;
		const struct hv_kvp_ipaddr_value *dip = &reply->body.kvp_ip_val;

		ok = hvic_ip_out(dip->ip_addr, hip->ip_addr, MAX_IP_ADDR_SIZE) &&
		     hvic_ip_out(dip->sub_net, hip->sub_net, MAX_IP_ADDR_SIZE) &&
		     hvic_ip_out(dip->gate_way, hip->gate_way, MAX_GATEWAY_SIZE) &&
		     hvic_ip_out(dip->dns_addr, hip->dns_addr, MAX_IP_ADDR_SIZE) &&
		     hvic_ip_out(dip->adapter_id, hip->adapter_id,
				 MAX_ADAPTER_ID_SIZE);
		hip->dhcp_enabled = dip->dhcp_enabled;
		hip->addr_family = dip->addr_family;
		break;
	}
	case KVP_OP_GET:
		/* The daemon answers a get in the get/set layout. */
		src = &reply->body.kvp_get.data;
		dst = &host->body.kvp_get.data;
		n = hvic_daemon_str(src->value, sizeof(src->value), dst->value,
				    sizeof(dst->value) / 2);
		dst->value_size = n;
		dst->value_type = REG_SZ;
		ok = n > 0;
		break;
	case KVP_OP_ENUMERATE:
		src = &reply->body.kvp_enum_data.data;
		dst = &host->body.kvp_enum_data.data;
		n = hvic_daemon_str(src->key, sizeof(src->key), dst->key,
				    sizeof(dst->key) / 2);
		dst->key_size = n;
		ok = n > 0;
		n = hvic_daemon_str(src->value, sizeof(src->value), dst->value,
				    sizeof(dst->value) / 2);
		dst->value_size = n;
		dst->value_type = REG_SZ;
		ok = ok && n > 0;
		break;
	default:
		break;
	}
	if (!ok)
		*status = HVIC_E_FAIL;
}
EXPORT_SYMBOL_GPL(hvic_kvp_to_host);

enum hvic_verdict hvic_vss_parse(const struct hvic_msg *m, u8 *op)
{
	const struct hv_vss_msg *v = (const struct hv_vss_msg *)m->body;

	if (m->body_len < sizeof(*v))
		return HVIC_BAD_LENGTH;
	*op = v->vss_hdr.operation;
	return HVIC_OK;
}
EXPORT_SYMBOL_GPL(hvic_vss_parse);

/*
 * A host file-copy request to what the daemon reads: names become UTF-8 in
 * the same arrays, data fragments pass as they are once their size is sane.
 */
enum hvic_verdict hvic_fcopy_to_daemon(const struct hvic_msg *m, void *out,
				       u32 out_size, u32 *out_len)
{
	const struct hv_fcopy_hdr *h = (const struct hv_fcopy_hdr *)m->body;
	const struct hv_start_fcopy *sin;
	struct hv_start_fcopy *sout;
	int n;

	*out_len = 0;
	if (m->body_len < sizeof(*h))
		return HVIC_BAD_LENGTH;
	switch (h->operation) {
	case START_FILE_COPY:
		if (m->body_len < sizeof(*sin) || out_size < sizeof(*sout))
			return HVIC_BAD_LENGTH;
		sin = (const struct hv_start_fcopy *)m->body;
		sout = out;
		memset(sout, 0, sizeof(*sout));
		sout->hdr.operation = START_FILE_COPY;
		n = hvic_utf16_to_utf8((const u8 *)sin->file_name, W_MAX_PATH,
				       (char *)sout->file_name, W_MAX_PATH);
		if (n <= 0)
			return HVIC_BAD_STRING;
		n = hvic_utf16_to_utf8((const u8 *)sin->path_name, W_MAX_PATH,
				       (char *)sout->path_name, W_MAX_PATH);
		if (n <= 0)
			return HVIC_BAD_STRING;
		sout->copy_flags = sin->copy_flags;
		sout->file_size = sin->file_size;
		*out_len = sizeof(*sout);
		return HVIC_OK;
	case WRITE_TO_FILE:
		if (m->body_len < sizeof(struct hv_do_fcopy) ||
		    out_size < sizeof(struct hv_do_fcopy))
			return HVIC_BAD_LENGTH;
		if (((const struct hv_do_fcopy *)m->body)->size > DATA_FRAGMENT)
			return HVIC_BAD_VALUE;
		memcpy(out, m->body, sizeof(struct hv_do_fcopy));
		*out_len = sizeof(struct hv_do_fcopy);
		return HVIC_OK;
	case COMPLETE_FCOPY:
	case CANCEL_FCOPY:
		if (out_size < sizeof(*h))
			return HVIC_BAD_LENGTH;
		memset(out, 0, sizeof(*h));
		((struct hv_fcopy_hdr *)out)->operation = h->operation;
		*out_len = sizeof(*h);
		return HVIC_OK;
	default:
		return HVIC_BAD_VALUE;
	}
}
EXPORT_SYMBOL_GPL(hvic_fcopy_to_daemon);

/*
 * KVP: every message is a whole struct hv_kvp_msg. Until the daemon has
 * registered its first one must be a registration; after that everything
 * is a reply, as upstream reads them.
 */
enum hvic_dmsg hvic_kvp_daemon_msg(const void *msg, size_t len,
				   bool registered, u32 *ver)
{
	const struct hv_kvp_msg *m = msg;

	if (len != sizeof(*m))
		return HVIC_DMSG_BAD;
	if (registered)
		return HVIC_DMSG_REPLY;
	if (m->kvp_hdr.operation != KVP_OP_REGISTER &&
	    m->kvp_hdr.operation != KVP_OP_REGISTER1)
		return HVIC_DMSG_BAD;
	*ver = m->kvp_hdr.operation;
	return HVIC_DMSG_REGISTER;
}
EXPORT_SYMBOL_GPL(hvic_kvp_daemon_msg);

/* VSS: a struct hv_vss_msg; the registration operations name themselves. */
enum hvic_dmsg hvic_vss_daemon_msg(const void *msg, size_t len, u32 *ver)
{
	const struct hv_vss_msg *m = msg;

	if (len != sizeof(*m))
		return HVIC_DMSG_BAD;
	if (m->vss_hdr.operation != VSS_OP_REGISTER &&
	    m->vss_hdr.operation != VSS_OP_REGISTER1)
		return HVIC_DMSG_REPLY;
	*ver = m->vss_hdr.operation;
	return HVIC_DMSG_REGISTER;
}
EXPORT_SYMBOL_GPL(hvic_vss_daemon_msg);

/* File copy: one 32-bit value, the version first and then each status. */
enum hvic_dmsg hvic_fcopy_daemon_msg(const void *msg, size_t len,
				     bool registered, u32 *ver)
{
	u32 v;

	if (len != sizeof(v))
		return HVIC_DMSG_BAD;
	if (registered)
		return HVIC_DMSG_REPLY;
	memcpy(&v, msg, sizeof(v));
	if (v != FCOPY_VERSION_0 && v != FCOPY_VERSION_1)
		return HVIC_DMSG_BAD;
	*ver = v;
	return HVIC_DMSG_REGISTER;
}
EXPORT_SYMBOL_GPL(hvic_fcopy_daemon_msg);
