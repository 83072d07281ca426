/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where openlis adapts to the kernel it is built for. Driver
 * files include nothing version-specific themselves: they use the helpers
 * below, which are defined from the probe results in openlis_autoconf.h.
 */
#ifndef OPENLIS_COMPAT_H
#define OPENLIS_COMPAT_H

#include <openlis_autoconf.h>

/* Each area keeps its own shims; all are #if'd on the probes above. */
#include "vmbus_compat.h"
#include "balloon_compat.h"
#include "utils_compat.h"
#include "storvsc_compat.h"
#include "netvsc_compat.h"

#endif
