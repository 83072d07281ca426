// SPDX-License-Identifier: GPL-2.0
/*
 * Whether struct vmbus_channel has the ring sysfs hooks, and so the core
 * must export hv_{create,remove}_ring_sysfs() (declared privately in-tree).
 */
#include <linux/hyperv.h>

int probe(struct vmbus_channel *c);
int probe(struct vmbus_channel *c)
{
	return c->ring_sysfs_visible;
}
