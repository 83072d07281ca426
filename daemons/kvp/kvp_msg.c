// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "kvp_msg.h"
#include "kvp_pool.h"
#include "../common/log.h"
#include "../common/util.h"

static const char *const intrinsic_keys[KVP_I_COUNT] = {
	"FullyQualifiedDomainName", "IntegrationServicesVersion",
	"NetworkAddressIPv4", "NetworkAddressIPv6", "OSBuildNumber", "OSName",
	"OSMajorVersion", "OSMinorVersion", "OSVersion",
	"ProcessorArchitecture",
};

void kvp_ctx_init(struct kvp_ctx *c, const char *pool_dir,
		  const char *os_release, const struct kvp_net_ops *net)
{
	memset(c, 0, sizeof(*c));
	c->pool_dir = pool_dir;
	c->os_release = os_release;
	c->net = net;
	kvp_os_info_read(&c->os, os_release);
	kvp_fqdn(c->fqdn, sizeof(c->fqdn));
	hvd_strlcpy(c->ic_version, "Unknown version", sizeof(c->ic_version));
}

void kvp_make_register(struct kvp_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->hdr.operation = KVP_REG_V1;
}

int kvp_msg_str(const uint8_t *src, size_t cap, uint32_t size, char *dst)
{
	size_t n = size < cap ? size : cap, len = strnlen((const char *)src, n);

	/* A string filling the whole field has no room for its NUL. */
	if (len >= cap)
		return -EINVAL;
	memcpy(dst, src, len);
	dst[len] = 0;
	return 0;
}

static void put_str(uint8_t *dst, size_t cap, const char *s)
{
	memset(dst, 0, cap);
	hvd_strlcpy((char *)dst, s, cap);
}

static uint32_t do_intrinsic(struct kvp_ctx *c, struct kvp_msg *m)
{
	struct kvp_value *d = &m->body.enumerate.data;
	char buf[KVP_VALUE_MAX] = "";
	const char *v = buf;
	uint32_t idx = m->body.enumerate.index;

	if (idx >= KVP_I_COUNT)
		return HVD_S_CONT;
	switch (idx) {
	case KVP_I_FQDN:
		kvp_fqdn(c->fqdn, sizeof(c->fqdn));
		v = c->fqdn;
		break;
	case KVP_I_IC_VERSION:
		v = c->ic_version;
		break;
	case KVP_I_IPV4:
	case KVP_I_IPV6:
		if (c->net && c->net->addr_list)
			c->net->addr_list(idx == KVP_I_IPV4 ? AF_INET : AF_INET6,
					  buf, sizeof(buf));
		break;
	case KVP_I_OS_BUILD:
		v = c->os.os_build;
		break;
	case KVP_I_OS_NAME:
		v = c->os.os_name;
		break;
	case KVP_I_OS_MAJOR:
		v = c->os.os_major;
		break;
	case KVP_I_OS_MINOR:
		v = c->os.os_minor;
		break;
	case KVP_I_OS_VERSION:
		v = c->os.os_version;
		break;
	case KVP_I_ARCH:
		v = c->os.arch;
		break;
	}
	put_str(d->key, sizeof(d->key), intrinsic_keys[idx]);
	put_str(d->value, sizeof(d->value), v);
	d->key_size = (uint32_t)strlen(intrinsic_keys[idx]) + 1;
	d->value_size = (uint32_t)strnlen((char *)d->value, sizeof(d->value)) + 1;
	d->value_type = KVP_REG_SZ;
	return HVD_S_OK;
}

static int ip_strings_ok(const struct kvp_ip_value *ip)
{
	return memchr(ip->adapter_id, 0, sizeof(ip->adapter_id)) &&
	       memchr(ip->ip_addr, 0, sizeof(ip->ip_addr)) &&
	       memchr(ip->sub_net, 0, sizeof(ip->sub_net)) &&
	       memchr(ip->gate_way, 0, sizeof(ip->gate_way)) &&
	       memchr(ip->dns_addr, 0, sizeof(ip->dns_addr));
}

static uint32_t do_op(struct kvp_ctx *c, struct kvp_msg *m, uint8_t op,
		      uint8_t pool)
{
	char key[KVP_KEY_MAX], value[KVP_VALUE_MAX];
	struct kvp_value *d;
	int r;

	switch (op) {
	case KVP_GET_IP_INFO:
	case KVP_SET_IP_INFO:
		if (!ip_strings_ok(&m->body.ip)) {
			hvd_log(LOG_ERR, "IP info message with unterminated strings refused");
			return HVD_INVALIDARG;
		}
		if (!c->net)
			return HVD_E_FAIL;
		if (op == KVP_GET_IP_INFO)
			return c->net->get_ip_info ?
			       c->net->get_ip_info(&m->body.ip) : HVD_E_FAIL;
		return c->net->set_ip_info ?
		       c->net->set_ip_info(&m->body.ip) : HVD_E_FAIL;
	default:
		break;
	}

	if (pool >= KVP_NPOOLS) {
		hvd_log(LOG_ERR, "op %u on pool %u refused: no such pool", op, pool);
		return HVD_E_FAIL;
	}

	switch (op) {
	case KVP_SET:
		d = &m->body.set;
		if (kvp_msg_str(d->key, sizeof(d->key), d->key_size, key) ||
		    !key[0] ||
		    kvp_msg_str(d->value, sizeof(d->value), d->value_size, value)) {
			hvd_log(LOG_ERR, "SET on pool %u refused: bad key or value size", pool);
			return HVD_E_FAIL;
		}
		r = kvp_pool_set(c->pool_dir, pool, key, value);
		return r ? HVD_S_CONT : HVD_S_OK;
	case KVP_GET:
		d = &m->body.get;
		if (kvp_msg_str(d->key, sizeof(d->key), d->key_size, key) || !key[0])
			return HVD_E_FAIL;
		if (kvp_pool_get(c->pool_dir, pool, key, value))
			return HVD_S_CONT;
		/*
		 * The in-tree driver offers no room for the value (value_size
		 * 0) and reads the answer where an enumeration's value lies,
		 * 4 bytes further on; openlis's offers the field and reads it
		 * in place.
		 */
		if (!d->value_size)
			d = &m->body.enumerate.data;
		put_str(d->value, sizeof(d->value), value);
		d->value_size = (uint32_t)strlen(value) + 1;
		d->value_type = KVP_REG_SZ;
		return HVD_S_OK;
	case KVP_DELETE:
		if (kvp_msg_str(m->body.del.key, sizeof(m->body.del.key),
				m->body.del.key_size, key) || !key[0])
			return HVD_E_FAIL;
		return kvp_pool_delete(c->pool_dir, pool, key) ? HVD_S_CONT :
								  HVD_S_OK;
	case KVP_ENUMERATE:
		if (pool == KVP_P_AUTO)
			return do_intrinsic(c, m);
		d = &m->body.enumerate.data;
		if (kvp_pool_enum(c->pool_dir, pool, m->body.enumerate.index,
				  key, value))
			return HVD_S_CONT;
		put_str(d->key, sizeof(d->key), key);
		put_str(d->value, sizeof(d->value), value);
		d->key_size = (uint32_t)strlen(key) + 1;
		d->value_size = (uint32_t)strlen(value) + 1;
		d->value_type = KVP_REG_SZ;
		return HVD_S_OK;
	default:
		hvd_log(LOG_ERR, "unknown KVP operation %u refused", op);
		return HVD_E_FAIL;
	}
}

int kvp_handle(struct kvp_ctx *c, struct kvp_msg *m, size_t len)
{
	uint8_t op, pool;

	if (len != sizeof(*m)) {
		hvd_log(LOG_ERR, "KVP message of %zu bytes refused (expected %zu)",
			len, sizeof(*m));
		if (len < sizeof(*m))
			memset((char *)m + len, 0, sizeof(*m) - len);
		m->error = HVD_E_FAIL;
		return 1;
	}
	op = m->hdr.operation;
	pool = m->hdr.pool;

	/* KVP_REG_LEGACY (4) is also GET_IP_INFO: only REG_V1 is ours. */
	if (op == KVP_REG_V1) {
		char v[KVP_KEY_MAX];

		if (kvp_msg_str(m->body.reg.version, sizeof(m->body.reg.version),
				KVP_KEY_MAX, v))
			v[0] = 0;
		hvd_strlcpy(c->ic_version, v, sizeof(c->ic_version));
		if (!c->registered)
			hvd_log(LOG_INFO, "registered with the kernel, IC version %s",
				c->ic_version);
		c->registered = 1;
		return 0;
	}

	m->error = do_op(c, m, op, pool);
	return 1;
}
