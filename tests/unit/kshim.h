/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's vocabulary for the VMBus protocol files
 * (vmbus/ring.c, vmbus/gpadl_msg.c, vmbus/msg_check.c, vmbus/request.c,
 * vmbus/reoffer.c) to
 * compile as ordinary user-space C, so the unit tests exercise the very code
 * the module runs.
 */
#ifndef OPENLIS_KSHIM_H
#define OPENLIS_KSHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define __packed __attribute__((packed))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define READ_ONCE(x) (*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile typeof(x) *)&(x) = (v))
#define virt_mb() __sync_synchronize()
#define virt_rmb() __sync_synchronize()
#define virt_wmb() __sync_synchronize()
#define BITS_PER_LONG (8 * (int)sizeof(long))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define U64_MAX UINT64_MAX
#define U32_MAX UINT32_MAX
#define static_assert(e, ...) _Static_assert(e, #e)

#endif
