/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel-version shims used by balloon/. */
#ifndef OPENLIS_BALLOON_COMPAT_H
#define OPENLIS_BALLOON_COMPAT_H

/*
 * struct hv_driver's remove() returns void since 6.3; before, an int that
 * the bus ignored. A remove callback is declared with BALLOON_HV_REMOVE_RET
 * and ends with "return BALLOON_HV_REMOVE_DONE;".
 */
#ifdef OPENLIS_HAVE_BALLOON_HV_REMOVE_VOID
#define BALLOON_HV_REMOVE_RET	void
#define BALLOON_HV_REMOVE_DONE
#else
#define BALLOON_HV_REMOVE_RET	int
#define BALLOON_HV_REMOVE_DONE	0
#endif

#endif
