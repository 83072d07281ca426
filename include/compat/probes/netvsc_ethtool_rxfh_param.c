// SPDX-License-Identifier: GPL-2.0
/* 6.8 passed the RSS key and table to ethtool's rxfh ops in one struct. */
#include <linux/ethtool.h>

static int g(struct net_device *dev, struct ethtool_rxfh_param *p)
{
	return 0;
}

const struct ethtool_ops probe_ops = { .get_rxfh = g };
