/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's types for balloon/dm_proto.c to build in user
 * space. Kept apart from any VMBus-core shim so the two cannot collide.
 */
#ifndef OPENLIS_TEST_BALLOON_SHIM_H
#define OPENLIS_TEST_BALLOON_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <assert.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#ifndef __packed
#define __packed __attribute__((packed))
#endif

#endif
