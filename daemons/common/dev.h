/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVD_DEV_H
#define HVD_DEV_H

#include <stddef.h>

/*
 * Open a /dev/vmbus/hv_* device and write the daemon's registration to it:
 * the kernel hands out requests only after that. Returns the descriptor, or
 * -1 with the reason logged.
 */
int hvd_dev_register(const char *path, const void *reg, size_t len);

#endif
