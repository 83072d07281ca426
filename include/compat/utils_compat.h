/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel-version shims used by utils/. */
#ifndef OPENLIS_UTILS_COMPAT_H
#define OPENLIS_UTILS_COMPAT_H

/*
 * The "hyperv" PTP clock needs CONFIG_PTP_1588_CLOCK reachable from a
 * module; without it time sync still steps the clock, with no PTP device.
 */
#ifdef OPENLIS_HAVE_UTILS_PTP_CLOCK
#define utils_ptp_clock_register	ptp_clock_register
#define utils_ptp_clock_unregister	ptp_clock_unregister
#else
#include <linux/stddef.h>

struct device;
struct ptp_clock;
struct ptp_clock_info;

static inline struct ptp_clock *
utils_ptp_clock_register(struct ptp_clock_info *info, struct device *parent)
{
	return NULL;
}

static inline int utils_ptp_clock_unregister(struct ptp_clock *clock)
{
	return 0;
}
#endif

#endif
