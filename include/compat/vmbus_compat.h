/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel-version shims used by vmbus/. */
#ifndef OPENLIS_VMBUS_COMPAT_H
#define OPENLIS_VMBUS_COMPAT_H

#endif
