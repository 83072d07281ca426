// SPDX-License-Identifier: GPL-2.0
/* 6.9 renamed hv_set_register() to hv_set_msr() along with the SynIC names. */
#include <asm/mshyperv.h>

void probe(void);
void probe(void)
{
	hv_set_msr(HV_MSR_EOM, 0);
}
