/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel-version shims used by balloon/. */
#ifndef OPENLIS_BALLOON_COMPAT_H
#define OPENLIS_BALLOON_COMPAT_H

#endif
