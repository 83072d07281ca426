/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For vmbus/mmio.c only: compat.h goes into every file, and a kernel header
 * included there would define pr_fmt before the files do.
 */
#ifndef OPENLIS_VMBUS_MMIO_COMPAT_H
#define OPENLIS_VMBUS_MMIO_COMPAT_H

/* The boot framebuffer's screen_info: in sysfb_primary_display from 7.x on. */
#ifdef OPENLIS_HAVE_VMBUS_MMIO_SYSFB_DISPLAY
#include <linux/sysfb.h>
#define OLVB_BOOT_SCREEN	(sysfb_primary_display.screen)
#else
#define OLVB_BOOT_SCREEN	screen_info
#endif

#endif
