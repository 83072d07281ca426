/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel-version shims used by utils/. */
#ifndef OPENLIS_UTILS_COMPAT_H
#define OPENLIS_UTILS_COMPAT_H

/*
 * struct hv_driver's remove() returns void since 6.3. A remove callback is
 * declared with UTILS_HV_REMOVE_RET and ends "return UTILS_HV_REMOVE_DONE;".
 */
#ifdef OPENLIS_HAVE_HV_DRIVER_REMOVE_VOID
#define UTILS_HV_REMOVE_RET	void
#define UTILS_HV_REMOVE_DONE
#else
#define UTILS_HV_REMOVE_RET	int
#define UTILS_HV_REMOVE_DONE	0
#endif

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
