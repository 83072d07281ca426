// SPDX-License-Identifier: GPL-2.0
/* 6.8 added ethtool_puts() for a fixed statistics name. */
#include <linux/ethtool.h>

void probe_puts(u8 **data);

void probe_puts(u8 **data)
{
	ethtool_puts(data, "probe");
}
