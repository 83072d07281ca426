/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where openlis adapts to the kernel it is built for. Driver
 * files include nothing version-specific themselves: they use the helpers
 * below, which are defined from the probe results in openlis_autoconf.h.
 */
#ifndef OPENLIS_COMPAT_H
#define OPENLIS_COMPAT_H

#include <openlis_autoconf.h>

/*
 * struct hv_driver's remove() returns void since 6.3; before, an int that
 * the bus ignored. A remove callback is declared with OL_HV_REMOVE_RET and
 * ends with "return OL_HV_REMOVE_DONE;".
 */
#ifdef OPENLIS_HAVE_HV_DRIVER_REMOVE_VOID
#define OL_HV_REMOVE_RET	void
#define OL_HV_REMOVE_DONE
#else
#define OL_HV_REMOVE_RET	int
#define OL_HV_REMOVE_DONE	0
#endif

/* Each area keeps its own shims; all are #if'd on the probes above. */
#include "vmbus_compat.h"
#include "balloon_compat.h"
#include "utils_compat.h"
#include "storvsc_compat.h"
#include "netvsc_compat.h"

#endif
