// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kvp_ipconf.h"
#include "../common/log.h"

int kvp_list_next(const char **s, char *out, size_t len)
{
	const char *p = *s, *e;
	size_t n;

	for (;;) {
		while (*p == ' ' || *p == ';' || *p == '\t')
			p++;
		if (!*p) {
			*s = p;
			return 0;
		}
		e = p;
		while (*e && *e != ';')
			e++;
		n = (size_t)(e - p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		*s = e;
		if (n >= len) {
			/* too long to be an address: hand back a marker */
			snprintf(out, len, "%s", "?");
			return 1;
		}
		memcpy(out, p, n);
		out[n] = 0;
		return 1;
	}
}

int kvp_mask4_to_plen(const char *mask)
{
	struct in_addr a;
	uint32_t m;
	int plen = 0;

	if (inet_pton(AF_INET, mask, &a) != 1)
		return -1;
	m = ntohl(a.s_addr);
	while (m & 0x80000000u) {
		plen++;
		m <<= 1;
	}
	return m ? -1 : plen;
}

void kvp_plen_to_mask4(int plen, char *out, size_t len)
{
	struct in_addr a;

	if (plen < 0)
		plen = 0;
	if (plen > 32)
		plen = 32;
	a.s_addr = htonl(plen ? 0xffffffffu << (32 - plen) : 0);
	inet_ntop(AF_INET, &a, out, (socklen_t)len);
}

int kvp_list_append(char *buf, size_t len, const char *item)
{
	size_t cur = strnlen(buf, len), need = strlen(item) + (cur ? 1 : 0);

	if (cur + need + 1 > len)
		return -ENOSPC;
	if (cur)
		buf[cur++] = ';';
	strcpy(buf + cur, item);
	return 0;
}

int kvp_mac_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? ':' : (char)tolower((unsigned char)*a);
		char y = *b == '-' ? ':' : (char)tolower((unsigned char)*b);

		if (x != y)
			return 0;
	}
	return !*a && !*b;
}

static int family_of(const char *s)
{
	unsigned char b[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, s, b) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, b) == 1)
		return AF_INET6;
	return 0;
}

static int add(char dst[][INET6_ADDRSTRLEN], int *n, const char *s)
{
	if (*n >= KVP_IPC_MAX)
		return -1;
	snprintf(dst[(*n)++], INET6_ADDRSTRLEN, "%s", s);
	return 0;
}

uint32_t kvp_ipconf_parse(const struct kvp_ip_value *ip, const char *ifname,
			  const char *mac, struct kvp_ipconf *c)
{
	const char *ips = (const char *)ip->ip_addr;
	const char *masks = (const char *)ip->sub_net;
	const char *p;
	char a[INET6_ADDRSTRLEN], m[INET6_ADDRSTRLEN];
	int fam, plen;
	char *end;

	memset(c, 0, sizeof(*c));
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	snprintf(c->mac, sizeof(c->mac), "%s", mac ? mac : "");
	c->dhcp = ip->dhcp_enabled ? 1 : 0;

	while (kvp_list_next(&ips, a, sizeof(a))) {
		if (!kvp_list_next(&masks, m, sizeof(m))) {
			hvd_log(LOG_ERR, "SET_IP_INFO: no subnet for %s", a);
			return HVD_INVALIDARG;
		}
		fam = family_of(a);
		if (fam == AF_INET) {
			plen = kvp_mask4_to_plen(m);
			if (plen < 0) {
				errno = 0;
				plen = (int)strtol(m[0] == '/' ? m + 1 : m, &end, 10);
				if (*end || plen < 0 || plen > 32)
					plen = -1;
			}
		} else if (fam == AF_INET6) {
			errno = 0;
			plen = (int)strtol(m[0] == '/' ? m + 1 : m, &end, 10);
			if (!*(m[0] == '/' ? m + 1 : m) || *end || plen < 0 ||
			    plen > 128)
				plen = -1;
		} else {
			hvd_log(LOG_ERR, "SET_IP_INFO: bad address '%s'", a);
			return HVD_INVALIDARG;
		}
		if (plen < 0) {
			hvd_log(LOG_ERR, "SET_IP_INFO: bad subnet '%s' for %s", m, a);
			return HVD_INVALIDARG;
		}
		if (fam == AF_INET && c->n4 < KVP_IPC_MAX) {
			snprintf(c->a4[c->n4].addr, sizeof(c->a4[0].addr), "%s", a);
			c->a4[c->n4++].plen = plen;
		} else if (fam == AF_INET6 && c->n6 < KVP_IPC_MAX) {
			snprintf(c->a6[c->n6].addr, sizeof(c->a6[0].addr), "%s", a);
			c->a6[c->n6++].plen = plen;
		} else {
			hvd_log(LOG_ERR, "SET_IP_INFO: too many addresses");
			return HVD_INVALIDARG;
		}
	}
	for (p = (const char *)ip->gate_way; kvp_list_next(&p, a, sizeof(a));) {
		fam = family_of(a);
		if (!fam || add(fam == AF_INET ? c->gw4 : c->gw6,
				fam == AF_INET ? &c->ngw4 : &c->ngw6, a)) {
			hvd_log(LOG_ERR, "SET_IP_INFO: bad gateway '%s'", a);
			return HVD_INVALIDARG;
		}
	}
	for (p = (const char *)ip->dns_addr; kvp_list_next(&p, a, sizeof(a));) {
		fam = family_of(a);
		if (!fam || add(fam == AF_INET ? c->dns4 : c->dns6,
				fam == AF_INET ? &c->ndns4 : &c->ndns6, a)) {
			hvd_log(LOG_ERR, "SET_IP_INFO: bad DNS server '%s'", a);
			return HVD_INVALIDARG;
		}
	}
	if (!c->dhcp && !c->n4 && !c->n6) {
		hvd_log(LOG_ERR, "SET_IP_INFO: static configuration without addresses");
		return HVD_INVALIDARG;
	}
	return HVD_S_OK;
}

struct out {
	char *buf;
	size_t len, pos;
	int err;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->pos)
		o->err = -ENOSPC;
	else
		o->pos += (size_t)n;
}

static void put_list(struct out *o, const char *key, char l[][INET6_ADDRSTRLEN],
		     int n, const char *sep, const char *end)
{
	int i;

	if (!n)
		return;
	put(o, "%s", key);
	for (i = 0; i < n; i++)
		put(o, "%s%s", i ? sep : "", l[i]);
	put(o, "%s", end);
}

static void render_nm(const struct kvp_ipconf *c, struct out *o)
{
	int i;

	put(o, "# Written by hv_kvp_daemon from a Hyper-V SET_IP_INFO request.\n");
	put(o, "[connection]\nid=hyperv-%s\ntype=ethernet\ninterface-name=%s\n"
	    "autoconnect=true\n\n", c->ifname, c->ifname);
	if (c->mac[0])
		put(o, "[ethernet]\nmac-address=%s\n\n", c->mac);
	put(o, "[ipv4]\n");
	if (c->dhcp)
		put(o, "method=auto\n");
	else
		put(o, "method=%s\n", c->n4 ? "manual" : "disabled");
	for (i = 0; i < c->n4; i++)
		put(o, "address%d=%s/%d\n", i + 1, c->a4[i].addr, c->a4[i].plen);
	if (c->ngw4)
		put(o, "gateway=%s\n", c->gw4[0]);
	put_list(o, "dns=", (char (*)[INET6_ADDRSTRLEN])c->dns4, c->ndns4, ";", ";\n");
	put(o, "\n[ipv6]\nmethod=%s\n", c->n6 ? "manual" : "auto");
	for (i = 0; i < c->n6; i++)
		put(o, "address%d=%s/%d\n", i + 1, c->a6[i].addr, c->a6[i].plen);
	if (c->ngw6)
		put(o, "gateway=%s\n", c->gw6[0]);
	put_list(o, "dns=", (char (*)[INET6_ADDRSTRLEN])c->dns6, c->ndns6, ";", ";\n");
}

static void render_networkd(const struct kvp_ipconf *c, struct out *o)
{
	int i;

	put(o, "# Written by hv_kvp_daemon from a Hyper-V SET_IP_INFO request.\n");
	put(o, "[Match]\nName=%s\n", c->ifname);
	if (c->mac[0])
		put(o, "MACAddress=%s\n", c->mac);
	put(o, "\n[Network]\n");
	if (c->dhcp)
		put(o, "DHCP=%s\n", c->n6 ? "ipv4" : "yes");
	if (!c->n6)
		put(o, "IPv6AcceptRA=yes\n");
	for (i = 0; i < c->n4; i++)
		put(o, "Address=%s/%d\n", c->a4[i].addr, c->a4[i].plen);
	for (i = 0; i < c->n6; i++)
		put(o, "Address=%s/%d\n", c->a6[i].addr, c->a6[i].plen);
	for (i = 0; i < c->ngw4; i++)
		put(o, "Gateway=%s\n", c->gw4[i]);
	for (i = 0; i < c->ngw6; i++)
		put(o, "Gateway=%s\n", c->gw6[i]);
	for (i = 0; i < c->ndns4; i++)
		put(o, "DNS=%s\n", c->dns4[i]);
	for (i = 0; i < c->ndns6; i++)
		put(o, "DNS=%s\n", c->dns6[i]);
}

static void render_ifupdown(const struct kvp_ipconf *c, struct out *o)
{
	int i;

	put(o, "# Written by hv_kvp_daemon from a Hyper-V SET_IP_INFO request.\n");
	put(o, "allow-hotplug %s\n", c->ifname);
	if (c->dhcp || !c->n4) {
		put(o, "iface %s inet %s\n", c->ifname, c->dhcp ? "dhcp" : "manual");
	} else {
		put(o, "iface %s inet static\n", c->ifname);
		put(o, "\taddress %s/%d\n", c->a4[0].addr, c->a4[0].plen);
		if (c->ngw4)
			put(o, "\tgateway %s\n", c->gw4[0]);
		put_list(o, "\tdns-nameservers ",
			 (char (*)[INET6_ADDRSTRLEN])c->dns4, c->ndns4, " ", "\n");
		for (i = 1; i < c->n4; i++)
			put(o, "\tup /sbin/ip addr add %s/%d dev %s\n",
			    c->a4[i].addr, c->a4[i].plen, c->ifname);
	}
	if (c->n6) {
		put(o, "iface %s inet6 static\n", c->ifname);
		put(o, "\taddress %s/%d\n", c->a6[0].addr, c->a6[0].plen);
		if (c->ngw6)
			put(o, "\tgateway %s\n", c->gw6[0]);
		put_list(o, "\tdns-nameservers ",
			 (char (*)[INET6_ADDRSTRLEN])c->dns6, c->ndns6, " ", "\n");
	} else {
		put(o, "iface %s inet6 auto\n", c->ifname);
	}
}

int kvp_ipconf_render(const struct kvp_ipconf *c, enum kvp_netmgr m,
		      char *buf, size_t len)
{
	struct out o = { buf, len, 0, 0 };

	if (!len)
		return -ENOSPC;
	buf[0] = 0;
	switch (m) {
	case KVP_NM_NETWORKMANAGER:
		render_nm(c, &o);
		break;
	case KVP_NM_NETWORKD:
		render_networkd(c, &o);
		break;
	case KVP_NM_IFUPDOWN:
		render_ifupdown(c, &o);
		break;
	default:
		return -EOPNOTSUPP;
	}
	return o.err ? o.err : (int)o.pos;
}

int kvp_ipconf_path(const struct kvp_ipconf *c, enum kvp_netmgr m,
		    const char *root, char *dir, size_t dlen, char *name,
		    size_t nlen)
{
	const char *d, *fmt;

	switch (m) {
	case KVP_NM_NETWORKMANAGER:
		d = "/etc/NetworkManager/system-connections";
		fmt = "hyperv-%s.nmconnection";
		break;
	case KVP_NM_NETWORKD:
		d = "/etc/systemd/network";
		fmt = "10-hyperv-%s.network";
		break;
	case KVP_NM_IFUPDOWN:
		d = "/etc/network/interfaces.d";
		fmt = "hyperv-%s";
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (snprintf(dir, dlen, "%s%s", root, d) >= (int)dlen ||
	    snprintf(name, nlen, fmt, c->ifname) >= (int)nlen)
		return -ENAMETOOLONG;
	return 0;
}

unsigned int kvp_ipconf_mode(enum kvp_netmgr m)
{
	/*
	 * NetworkManager ignores a keyfile others can read (it may hold
	 * secrets); networkd reads its files as the systemd-network user.
	 */
	return m == KVP_NM_NETWORKMANAGER ? 0600 : 0644;
}

static int exists(const char *root, const char *p)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", root, p);
	return !stat(path, &st);
}

/* Whether a process whose name (/proc/<pid>/comm) is @comm runs. */
static int running(const char *root, const char *comm)
{
	char path[512], name[32];
	struct dirent *de;
	int found = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/proc", root);
	d = opendir(path);
	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		FILE *f;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/proc/%s/comm", root, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = '\0';
			found = !strcmp(name, comm);
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

enum kvp_netmgr kvp_netmgr_detect(const char *root)
{
	/*
	 * What runs wins over what is merely installed, and only a process
	 * says what runs: systemd's tmpfiles create /run/systemd/netif on
	 * every system, networkd or not. The kernel cuts a process name to
	 * 15 characters, so systemd-networkd is "systemd-network".
	 */
	if (running(root, "NetworkManager"))
		return KVP_NM_NETWORKMANAGER;
	if (running(root, "systemd-network"))
		return KVP_NM_NETWORKD;
	if (exists(root, "/run/network/ifstate") ||
	    exists(root, "/etc/network/interfaces"))
		return KVP_NM_IFUPDOWN;
	return KVP_NM_NONE;
}

const char *kvp_netmgr_name(enum kvp_netmgr m)
{
	switch (m) {
	case KVP_NM_NETWORKMANAGER:
		return "NetworkManager";
	case KVP_NM_NETWORKD:
		return "systemd-networkd";
	case KVP_NM_IFUPDOWN:
		return "ifupdown";
	default:
		return "none";
	}
}

void kvp_resolv_dns(const char *path, char *buf, size_t len)
{
	char line[512], a[INET6_ADDRSTRLEN];
	FILE *f;

	if (len)
		buf[0] = 0;
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "nameserver %45s", a) == 1 && family_of(a))
			kvp_list_append(buf, len, a);
	fclose(f);
}

static int is_nameserver_line(const char *l, size_t n)
{
	static const char kw[] = "nameserver";

	while (n && (*l == ' ' || *l == '\t')) {
		l++;
		n--;
	}
	return n > sizeof(kw) - 1 && !strncmp(l, kw, sizeof(kw) - 1) &&
	       (l[sizeof(kw) - 1] == ' ' || l[sizeof(kw) - 1] == '\t');
}

int kvp_resolv_render(const char *old, const struct kvp_ipconf *c, char *buf,
		      size_t len)
{
	struct out o = { buf, len, 0, 0 };
	const char *l, *e;
	int i;

	if (!len)
		return -ENOSPC;
	buf[0] = 0;
	for (l = old; l && *l; l = *e ? e + 1 : e) {
		e = strchr(l, '\n');
		if (!e)
			e = l + strlen(l);
		if (!is_nameserver_line(l, (size_t)(e - l)))
			put(&o, "%.*s\n", (int)(e - l), l);
	}
	for (i = 0; i < c->ndns4; i++)
		put(&o, "nameserver %s\n", c->dns4[i]);
	for (i = 0; i < c->ndns6; i++)
		put(&o, "nameserver %s\n", c->dns6[i]);
	return o.err ? o.err : (int)o.pos;
}
