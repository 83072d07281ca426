/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel-version shims used by utils/. */
#ifndef OPENLIS_UTILS_COMPAT_H
#define OPENLIS_UTILS_COMPAT_H

#endif
