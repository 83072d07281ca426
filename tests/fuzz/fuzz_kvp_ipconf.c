// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: SET_IP_INFO strings through parsing and all three renderers;
 * the input's rest, as an old resolv.conf, through the resolver renderer.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemons/common/log.c"
#include "../../daemons/kvp/kvp_ipconf.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kvp_ip_value ip;
	static struct kvp_ipconf c;
	static char out[16384], old[4096];
	const char *l;
	int m, n, ns;

	hvd_log_mode = -1;
	memset(&ip, 0, sizeof(ip));
	memcpy(&ip, data, size < sizeof(ip) ? size : sizeof(ip));
	((char *)ip.adapter_id)[sizeof(ip.adapter_id) - 1] = 0;
	((char *)ip.ip_addr)[sizeof(ip.ip_addr) - 1] = 0;
	((char *)ip.sub_net)[sizeof(ip.sub_net) - 1] = 0;
	((char *)ip.gate_way)[sizeof(ip.gate_way) - 1] = 0;
	((char *)ip.dns_addr)[sizeof(ip.dns_addr) - 1] = 0;
	if (kvp_ipconf_parse(&ip, "eth0", "00:15:5d:00:00:01", &c) != HVD_S_OK)
		return 0;
	for (m = KVP_NM_NETWORKMANAGER; m <= KVP_NM_IFUPDOWN; m++) {
		n = kvp_ipconf_render(&c, (enum kvp_netmgr)m, out, sizeof(out));
		/* validated input never puts a newline into a config file */
		if (n > 0 && (size_t)n != strlen(out))
			abort();
	}
	old[0] = 0;
	if (size > sizeof(ip)) {
		n = size - sizeof(ip) < sizeof(old) ? (int)(size - sizeof(ip)) :
						      (int)sizeof(old) - 1;
		memcpy(old, data + sizeof(ip), (size_t)n);
		old[n] = 0;
	}
	n = kvp_resolv_render(old, &c, out, sizeof(out));
	if (n < 0)
		return 0;
	if ((size_t)n != strlen(out))
		abort();
	/* exactly the host's servers are left, each as a line of its own */
	ns = 0;
	for (l = out; *l; l = strchr(l, '\n') + 1) {
		if (is_nameserver_line(l, strcspn(l, "\n")))
			ns++;
		if (!strchr(l, '\n'))
			abort();
	}
	if (ns != c.ndns4 + c.ndns6)
		abort();
	return 0;
}
