// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "kvp_net.h"
#include "kvp_ipconf.h"
#include "../common/atomic.h"
#include "../common/log.h"
#include "../common/util.h"

struct caches {
	struct nl_sock *sk;
	struct nl_cache *links, *addrs, *routes;
};

static void caches_free(struct caches *c)
{
	if (c->routes)
		nl_cache_free(c->routes);
	if (c->addrs)
		nl_cache_free(c->addrs);
	if (c->links)
		nl_cache_free(c->links);
	if (c->sk)
		nl_socket_free(c->sk);
	memset(c, 0, sizeof(*c));
}

static int caches_get(struct caches *c, int routes)
{
	int err;

	memset(c, 0, sizeof(*c));
	c->sk = nl_socket_alloc();
	if (!c->sk)
		return -ENOMEM;
	err = nl_connect(c->sk, NETLINK_ROUTE);
	if (!err)
		err = rtnl_link_alloc_cache(c->sk, AF_UNSPEC, &c->links);
	if (!err)
		err = rtnl_addr_alloc_cache(c->sk, &c->addrs);
	if (!err && routes)
		err = rtnl_route_alloc_cache(c->sk, AF_UNSPEC, 0, &c->routes);
	if (err) {
		hvd_log(LOG_ERR, "rtnetlink: %s", nl_geterror(err));
		caches_free(c);
		return -EIO;
	}
	return 0;
}

static int is_loopback(struct caches *c, int ifindex)
{
	struct rtnl_link *l = rtnl_link_get(c->links, ifindex);
	int lo = 1;

	if (l) {
		lo = !!(rtnl_link_get_flags(l) & IFF_LOOPBACK);
		rtnl_link_put(l);
	}
	return lo;
}

/* The address without its prefix length. */
static int addr_str(struct nl_addr *a, char *buf, size_t len)
{
	int fam = nl_addr_get_family(a);

	if ((fam != AF_INET && fam != AF_INET6) ||
	    !inet_ntop(fam, nl_addr_get_binary_addr(a), buf, (socklen_t)len))
		return -1;
	return 0;
}

static int addr_list(int family, char *buf, size_t len)
{
	struct caches c;
	struct nl_object *o;
	char s[INET6_ADDRSTRLEN];

	if (len)
		buf[0] = 0;
	if (caches_get(&c, 0))
		return -EIO;
	for (o = nl_cache_get_first(c.addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;

		if (rtnl_addr_get_family(a) != family ||
		    is_loopback(&c, rtnl_addr_get_ifindex(a)) ||
		    !rtnl_addr_get_local(a) ||
		    addr_str(rtnl_addr_get_local(a), s, sizeof(s)))
			continue;
		if (kvp_list_append(buf, len, s))
			break;
	}
	caches_free(&c);
	return 0;
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	char *nl;

	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = 0;
	return 0;
}

static uint32_t fill_ip_info(struct caches *c, int ifindex,
			     struct kvp_ip_value *ip)
{
	char *ips = (char *)ip->ip_addr, *sn = (char *)ip->sub_net;
	char *gw = (char *)ip->gate_way, *dns = (char *)ip->dns_addr;
	char s[INET6_ADDRSTRLEN + 8];
	struct nl_object *o;
	int dynamic = 0;

	ips[0] = sn[0] = gw[0] = dns[0] = 0;
	ip->addr_family = KVP_AF_NONE;
	for (o = nl_cache_get_first(c->addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		int fam = rtnl_addr_get_family(a), plen;

		if (rtnl_addr_get_ifindex(a) != ifindex || !rtnl_addr_get_local(a) ||
		    (fam != AF_INET && fam != AF_INET6) ||
		    addr_str(rtnl_addr_get_local(a), s, sizeof(s)))
			continue;
		if (kvp_list_append(ips, sizeof(ip->ip_addr), s))
			break;
		plen = rtnl_addr_get_prefixlen(a);
		if (fam == AF_INET) {
			ip->addr_family |= KVP_AF_IPV4;
			kvp_plen_to_mask4(plen, s, sizeof(s));
			/* Leased addresses are not permanent. */
			if (!(rtnl_addr_get_flags(a) & IFA_F_PERMANENT))
				dynamic = 1;
		} else {
			ip->addr_family |= KVP_AF_IPV6;
			snprintf(s, sizeof(s), "/%d", plen);
		}
		kvp_list_append(sn, sizeof(ip->sub_net), s);
	}
	for (o = c->routes ? nl_cache_get_first(c->routes) : NULL; o;
	     o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		struct rtnl_nexthop *nh;
		struct nl_addr *dst = rtnl_route_get_dst(r), *via;

		if (rtnl_route_get_table(r) != RT_TABLE_MAIN ||
		    (dst && nl_addr_get_prefixlen(dst)) ||
		    rtnl_route_get_nnexthops(r) < 1)
			continue;
		nh = rtnl_route_nexthop_n(r, 0);
		via = nh ? rtnl_route_nh_get_gateway(nh) : NULL;
		if (!nh || rtnl_route_nh_get_ifindex(nh) != ifindex || !via ||
		    addr_str(via, s, sizeof(s)))
			continue;
		kvp_list_append(gw, sizeof(ip->gate_way), s);
	}
	if (!access("/run/systemd/resolve/resolv.conf", R_OK))
		kvp_resolv_dns("/run/systemd/resolve/resolv.conf", dns,
			       sizeof(ip->dns_addr));
	else
		kvp_resolv_dns("/etc/resolv.conf", dns, sizeof(ip->dns_addr));
	ip->dhcp_enabled = (uint8_t)dynamic;
	return HVD_S_OK;
}

static uint32_t get_ip_info(struct kvp_ip_value *ip)
{
	char mac[256], addr[64], path[300];
	struct caches c;
	struct dirent *de;
	uint32_t ret = HVD_E_FAIL;
	DIR *d;

	hvd_strlcpy(mac, (const char *)ip->adapter_id, sizeof(mac));
	d = opendir("/sys/class/net");
	if (!d)
		return HVD_E_FAIL;
	if (caches_get(&c, 1)) {
		closedir(d);
		return HVD_E_FAIL;
	}
	while ((de = readdir(d))) {
		unsigned int idx;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/address", de->d_name);
		if (read_line(path, addr, sizeof(addr)) || !kvp_mac_equal(addr, mac))
			continue;
		idx = if_nametoindex(de->d_name);
		if (!idx)
			continue;
		ret = fill_ip_info(&c, (int)idx, ip);
		/* A VF sharing the MAC has no address: keep looking. */
		if (ret == HVD_S_OK && ((char *)ip->ip_addr)[0])
			break;
	}
	caches_free(&c);
	closedir(d);
	if (ret != HVD_S_OK)
		hvd_log(LOG_WARNING, "GET_IP_INFO: no interface with MAC %s", mac);
	return ret;
}

static int guid_to_ifname(const char *guid, char *ifname, size_t len)
{
	char path[300], id[128];
	struct dirent *de;
	DIR *d = opendir("/sys/class/net");
	int ret = -1;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/device/device_id",
			 de->d_name);
		if (read_line(path, id, sizeof(id)))
			continue;
		if (!strcasecmp(id, guid)) {
			hvd_strlcpy(ifname, de->d_name, len);
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

static int run(char *const argv[])
{
	int st;
	pid_t p = fork();

	if (p < 0)
		return -1;
	if (!p) {
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(p, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *first_of(const char *a, const char *b)
{
	return access(a, X_OK) ? b : a;
}

/* Ask the manager to pick the new file up; its own tools, no shell. */
static int reload(enum kvp_netmgr m, const char *ifname, const char *file)
{
	char con[IF_NAMESIZE + 16];

	snprintf(con, sizeof(con), "hyperv-%s", ifname);
	switch (m) {
	case KVP_NM_NETWORKMANAGER: {
		const char *nmcli = first_of("/usr/bin/nmcli", "/bin/nmcli");
		char *r[] = { (char *)nmcli, "connection", "load", (char *)file, NULL };
		char *u[] = { (char *)nmcli, "connection", "up", con, NULL };

		return run(r) || run(u);
	}
	case KVP_NM_NETWORKD: {
		const char *nc = first_of("/usr/bin/networkctl", "/bin/networkctl");
		char *r[] = { (char *)nc, "reload", NULL };
		char *u[] = { (char *)nc, "reconfigure", (char *)ifname, NULL };

		return run(r) || run(u);
	}
	case KVP_NM_IFUPDOWN: {
		char *d[] = { "/sbin/ifdown", "--force", (char *)ifname, NULL };
		char *u[] = { "/sbin/ifup", (char *)ifname, NULL };

		run(d);
		return run(u);
	}
	default:
		return -1;
	}
}

/*
 * The host's DNS servers reach resolv.conf through NetworkManager, or
 * through resolvconf (ifupdown's dns-nameservers) or systemd-resolved, each
 * of which makes it a link or has a resolvconf command. A plain file with
 * neither is no one's: it gets them from here, or no resolver would.
 */
static int apply_dns(const struct kvp_ipconf *c, enum kvp_netmgr m)
{
	static const char path[] = "/etc/resolv.conf";
	static char old[16384], text[20480];
	unsigned int mode = 0644;
	struct stat st;
	size_t got = 0;
	FILE *f;
	int n;

	if (m == KVP_NM_NETWORKMANAGER || c->dhcp || !(c->ndns4 + c->ndns6) ||
	    !access("/sbin/resolvconf", X_OK) || !access("/usr/sbin/resolvconf", X_OK))
		return 0;
	old[0] = 0;
	if (lstat(path, &st)) {
		if (errno != ENOENT)
			return -errno;
	} else if (!S_ISREG(st.st_mode)) {
		return 0;
	} else {
		mode = st.st_mode & 07777;
		f = fopen(path, "re");
		if (!f)
			return -errno;
		got = fread(old, 1, sizeof(old), f);
		n = ferror(f) ? -EIO : got == sizeof(old) ? -EFBIG : 0;
		fclose(f);
		if (n)
			return n;
		old[got] = 0;
	}
	n = kvp_resolv_render(old, c, text, sizeof(text));
	if (n < 0)
		return n;
	n = hvd_atomic_write("/etc", "resolv.conf", text, (size_t)n, mode);
	if (!n)
		hvd_log(LOG_INFO, "SET_IP_INFO %s: DNS servers written to %s",
			c->ifname, path);
	return n;
}

static uint32_t set_ip_info(const struct kvp_ip_value *ip)
{
	char ifname[IF_NAMESIZE], mac[64] = "", path[300], dir[256], name[64];
	static char text[16384];
	struct kvp_ipconf conf;
	enum kvp_netmgr m;
	uint32_t st;
	int n;

	if (guid_to_ifname((const char *)ip->adapter_id, ifname, sizeof(ifname))) {
		hvd_log(LOG_ERR, "SET_IP_INFO: no interface for adapter %s",
			(const char *)ip->adapter_id);
		return HVD_GUID_NOTFOUND;
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	read_line(path, mac, sizeof(mac));
	st = kvp_ipconf_parse(ip, ifname, mac, &conf);
	if (st != HVD_S_OK)
		return st;
	m = kvp_netmgr_detect("");
	if (m == KVP_NM_NONE) {
		hvd_log(LOG_ERR, "SET_IP_INFO %s: no NetworkManager, systemd-networkd or ifupdown found",
			ifname);
		return HVD_E_FAIL;
	}
	n = kvp_ipconf_render(&conf, m, text, sizeof(text));
	if (n < 0 || kvp_ipconf_path(&conf, m, "", dir, sizeof(dir), name,
				     sizeof(name)))
		return HVD_E_FAIL;
	if (hvd_atomic_write(dir, name, text, (size_t)n, kvp_ipconf_mode(m))) {
		hvd_log(LOG_ERR, "SET_IP_INFO %s: cannot write %s/%s: %m", ifname,
			dir, name);
		return HVD_E_FAIL;
	}
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return HVD_E_FAIL;
	hvd_log(LOG_INFO, "SET_IP_INFO %s: configured through %s in %s", ifname,
		kvp_netmgr_name(m), path);
	if (reload(m, ifname, path)) {
		hvd_log(LOG_ERR, "SET_IP_INFO %s: %s did not apply %s", ifname,
			kvp_netmgr_name(m), path);
		return HVD_E_FAIL;
	}
	n = apply_dns(&conf, m);
	if (n) {
		hvd_log(LOG_ERR, "SET_IP_INFO %s: cannot write the DNS servers to /etc/resolv.conf: %s",
			ifname, strerror(-n));
		return HVD_E_FAIL;
	}
	return HVD_S_OK;
}

const struct kvp_net_ops kvp_net_libnl = {
	.addr_list = addr_list,
	.get_ip_info = get_ip_info,
	.set_ip_info = set_ip_info,
};
