// SPDX-License-Identifier: GPL-2.0
/* 6.4 made the driver core take and keep a const struct bus_type. */
#include <linux/device.h>

void (*probe_unregister)(const struct bus_type *bus) = bus_unregister;
