/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVD_KVP_IPCONF_H
#define HVD_KVP_IPCONF_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>

#include "../common/hv_abi.h"

#define KVP_IPC_MAX 16

struct kvp_ipc_addr {
	char addr[INET6_ADDRSTRLEN];
	int plen;
};

/* A SET_IP_INFO request, validated. */
struct kvp_ipconf {
	char ifname[IF_NAMESIZE];
	char mac[32];
	int dhcp;
	int n4, n6, ngw4, ngw6, ndns4, ndns6;
	struct kvp_ipc_addr a4[KVP_IPC_MAX], a6[KVP_IPC_MAX];
	char gw4[KVP_IPC_MAX][INET6_ADDRSTRLEN], gw6[KVP_IPC_MAX][INET6_ADDRSTRLEN];
	char dns4[KVP_IPC_MAX][INET6_ADDRSTRLEN], dns6[KVP_IPC_MAX][INET6_ADDRSTRLEN];
};

enum kvp_netmgr { KVP_NM_NONE, KVP_NM_NETWORKMANAGER, KVP_NM_NETWORKD,
		  KVP_NM_IFUPDOWN };

/* Next ';'-separated item of *s (spaces trimmed) into out; 0 at the end. */
int kvp_list_next(const char **s, char *out, size_t len);
/* Dotted IPv4 netmask to prefix length, -1 if not contiguous. */
int kvp_mask4_to_plen(const char *mask);
void kvp_plen_to_mask4(int plen, char *out, size_t len);
/* Append item to a ';'-joined list in buf; -ENOSPC if it does not fit. */
int kvp_list_append(char *buf, size_t len, const char *item);
/* "00-15-5d-..." or "00:15:5D:..." compare equal. */
int kvp_mac_equal(const char *a, const char *b);

/* Returns an HV status; logs what it refuses. */
uint32_t kvp_ipconf_parse(const struct kvp_ip_value *ip, const char *ifname,
			  const char *mac, struct kvp_ipconf *out);
int kvp_ipconf_render(const struct kvp_ipconf *c, enum kvp_netmgr m,
		      char *buf, size_t len);
/* Config file of manager m for c, relative to root ("" or a test dir). */
int kvp_ipconf_path(const struct kvp_ipconf *c, enum kvp_netmgr m,
		    const char *root, char *dir, size_t dlen, char *name,
		    size_t nlen);
/* Permissions manager m needs on its file to read it and to accept it. */
unsigned int kvp_ipconf_mode(enum kvp_netmgr m);
enum kvp_netmgr kvp_netmgr_detect(const char *root);
const char *kvp_netmgr_name(enum kvp_netmgr m);
/* DNS servers from a resolv.conf into a ';' list. */
void kvp_resolv_dns(const char *path, char *buf, size_t len);
/*
 * @old (a resolv.conf, may be NULL) with its nameserver lines replaced by
 * c's DNS servers; its other lines kept in order. Length or -ENOSPC.
 */
int kvp_resolv_render(const char *old, const struct kvp_ipconf *c, char *buf,
		      size_t len);

#endif
