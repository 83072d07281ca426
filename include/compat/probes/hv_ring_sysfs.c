// SPDX-License-Identifier: GPL-2.0
/* 6.12 added per-channel ring sysfs hooks to the VMBus API. */
#include <linux/hyperv.h>

int probe(struct hv_device *dev);
int probe(struct hv_device *dev)
{
	return hv_create_ring_sysfs(dev->channel, NULL);
}
