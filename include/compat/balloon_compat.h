/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel-version shims used by balloon/. */
#ifndef OPENLIS_BALLOON_COMPAT_H
#define OPENLIS_BALLOON_COMPAT_H

/*
 * Free page reporting needs CONFIG_PAGE_REPORTING; without it registering
 * fails as if another driver had taken the one reporting slot.
 */
#ifdef OPENLIS_HAVE_BALLOON_PAGE_REPORTING
#define balloon_page_reporting_register(pr)	page_reporting_register(pr)
#define balloon_page_reporting_unregister(pr)	page_reporting_unregister(pr)
#else
#define balloon_page_reporting_register(pr)	((void)(pr), -EOPNOTSUPP)
#define balloon_page_reporting_unregister(pr)	((void)(pr))
#endif

/*
 * Cold-discard hints: whether the host offers them (an extended hypercall
 * capability), the per-CPU hypercall input page (used with interrupts off),
 * and the rep hypercall that sends @n entries. A kernel without these sees
 * a host that offers nothing.
 */
#ifdef OPENLIS_HAVE_BALLOON_HV_EXT_CAP
#define balloon_cold_discard_offered() \
	hv_query_ext_cap(HV_EXT_CAPABILITY_MEMORY_COLD_DISCARD_HINT)
#define balloon_hint_page()	(*(void **)this_cpu_ptr(hyperv_pcpu_input_arg))
#define balloon_hint_call(code, n, in) \
	hv_do_rep_hypercall(code, n, 0, in, NULL)
#define balloon_hint_ok(status)	(hv_result(status) == HV_STATUS_SUCCESS)
#define balloon_hint_bad_param(status) \
	(hv_result(status) == HV_STATUS_INVALID_PARAMETER)
#else
#define balloon_cold_discard_offered()	false
#define balloon_hint_page()		NULL
#define balloon_hint_call(code, n, in) \
	((void)(code), (void)(n), (void)(in), ~0ULL)
#define balloon_hint_ok(status)		((void)(status), false)
#define balloon_hint_bad_param(status)	((void)(status), false)
#endif

#endif
