/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVD_KVP_MSG_H
#define HVD_KVP_MSG_H

#include <stddef.h>

#include "../common/hv_abi.h"
#include "kvp_info.h"

/* Network access, replaceable so the handler is testable without one. */
struct kvp_net_ops {
	/* ';'-separated non-loopback addresses of a family; 0 or -errno. */
	int (*addr_list)(int family, char *buf, size_t len);
	/* Fill ip for the adapter whose MAC is ip->adapter_id; HV status. */
	uint32_t (*get_ip_info)(struct kvp_ip_value *ip);
	/* Apply ip to the adapter whose GUID is ip->adapter_id; HV status. */
	uint32_t (*set_ip_info)(const struct kvp_ip_value *ip);
};

struct kvp_ctx {
	const char *pool_dir;
	const char *os_release;
	const struct kvp_net_ops *net;
	struct kvp_os_info os;
	char fqdn[256];
	char ic_version[64];
	int registered;
};

/* Intrinsic keys of the auto pool, by the host's index. */
enum kvp_intrinsic {
	KVP_I_FQDN, KVP_I_IC_VERSION, KVP_I_IPV4, KVP_I_IPV6, KVP_I_OS_BUILD,
	KVP_I_OS_NAME, KVP_I_OS_MAJOR, KVP_I_OS_MINOR, KVP_I_OS_VERSION,
	KVP_I_ARCH, KVP_I_COUNT,
};

void kvp_ctx_init(struct kvp_ctx *c, const char *pool_dir,
		  const char *os_release, const struct kvp_net_ops *net);

/* The registration message the daemon writes first. */
void kvp_make_register(struct kvp_msg *m);

/*
 * Handle one message of len bytes read from the device, in place. Returns
 * 1 when m now holds the reply to write back, 0 when nothing is to be sent
 * (the kernel's registration answer). A malformed message gets an error
 * reply; nothing in it can make the handler read or write out of bounds.
 */
int kvp_handle(struct kvp_ctx *c, struct kvp_msg *m, size_t len);

/* A NUL-terminated copy of a message string of at most cap bytes. */
int kvp_msg_str(const uint8_t *src, size_t cap, uint32_t size, char *dst);

#endif
