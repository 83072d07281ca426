/* SPDX-License-Identifier: GPL-2.0 */
/* The environment the byte-level protocol files build in: kernel or tests. */
#ifndef OPENLIS_VMBUS_PROTO_ENV_H
#define OPENLIS_VMBUS_PROTO_ENV_H

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/bits.h>
#include <asm/barrier.h>
#else
#include "kshim.h"
#endif

#include <openlis/vmbus_proto.h>

#endif
