// SPDX-License-Identifier: GPL-2.0
/* A PTP clock a module can register: CONFIG_PTP_1588_CLOCK reachable. */
#include <linux/ptp_clock_kernel.h>

#if !IS_REACHABLE(CONFIG_PTP_1588_CLOCK)
#error "no PTP clock support"
#endif

static struct ptp_clock_info probe_info = { .name = "probe" };

struct ptp_clock *probe_register(void);

struct ptp_clock *probe_register(void)
{
	return ptp_clock_register(&probe_info, NULL);
}
