// SPDX-License-Identifier: GPL-2.0
/* 6.4 made bus_attribute.show take a const struct bus_type. */
#include <linux/device.h>

static ssize_t s(const struct bus_type *bus, char *buf)
{
	return 0;
}

struct bus_attribute probe_attr = { .show = s };
