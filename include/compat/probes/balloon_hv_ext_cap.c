// SPDX-License-Identifier: GPL-2.0
/*
 * What cold-discard hints need from the kernel's Hyper-V support: the
 * extended-capability query and its cold-discard bit, the per-CPU hypercall
 * input page, and rep hypercalls.
 */
#include <linux/percpu.h>
#include <asm/mshyperv.h>

u64 openlis_probe_hv_ext_cap(void);
u64 openlis_probe_hv_ext_cap(void)
{
	void *in = *(void **)this_cpu_ptr(hyperv_pcpu_input_arg);

	if (!in || !hv_query_ext_cap(HV_EXT_CAPABILITY_MEMORY_COLD_DISCARD_HINT))
		return 0;
	return hv_do_rep_hypercall(0x8003, 1, 0, in, NULL);
}
