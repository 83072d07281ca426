// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: any bytes from the device into the KVP message handler. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../daemons/common/log.c"
#include "../../daemons/common/atomic.c"
#include "../../daemons/kvp/kvp_pool.c"
#include "../../daemons/kvp/kvp_info.c"
#include "../../daemons/kvp/kvp_msg.c"

static int addrs(int family, char *buf, size_t len)
{
	hvd_strlcpy(buf, family == AF_INET ? "10.0.0.1" : "::1", len);
	return 0;
}

static uint32_t get_ip(struct kvp_ip_value *ip)
{
	strcpy((char *)ip->ip_addr, "10.0.0.1");
	return 0;
}

static uint32_t set_ip(const struct kvp_ip_value *ip)
{
	(void)ip;
	return 0;
}

static const struct kvp_net_ops net = { addrs, get_ip, set_ip };
static struct kvp_ctx ctx;
static char dir[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kvp_msg m;
	size_t len = size < sizeof(m) ? size : sizeof(m);

	if (!dir[0]) {
		hvd_log_mode = -1;
		strcpy(dir, "/tmp/fuzzkvpXXXXXX");
		if (!mkdtemp(dir) || kvp_pool_init(dir))
			abort();
		kvp_ctx_init(&ctx, dir, "/etc/os-release", &net);
	}
	memset(&m, 0, sizeof(m));
	memcpy(&m, data, len);
	/* mostly full-size messages, as the kernel sends */
	if (size && (data[0] & 0x80) == 0)
		len = sizeof(m);
	if (kvp_handle(&ctx, &m, len) == 1) {
		/* the reply must stay terminated for the kernel's strlen() */
		if (!memchr(m.body.enumerate.data.key, 0, KVP_KEY_MAX) ||
		    !memchr(m.body.enumerate.data.value, 0, KVP_VALUE_MAX))
			if (m.error == HVD_S_OK && (data[0] & 0x7f) == KVP_ENUMERATE)
				abort();
	}
	return 0;
}
