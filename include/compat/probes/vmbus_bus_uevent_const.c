// SPDX-License-Identifier: GPL-2.0
/* 6.3 made bus_type.uevent take a const struct device. */
#include <linux/device.h>

static int u(const struct device *dev, struct kobj_uevent_env *env)
{
	return 0;
}

const struct bus_type probe_bus = { .uevent = u };
