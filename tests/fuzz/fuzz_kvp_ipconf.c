// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: SET_IP_INFO strings through parsing and all three renderers. */
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
	static char out[16384];
	int m;

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
		int n = kvp_ipconf_render(&c, (enum kvp_netmgr)m, out, sizeof(out));

		/* validated input never puts a newline into a config file */
		if (n > 0 && (size_t)n != strlen(out))
			abort();
	}
	return 0;
}
