// SPDX-License-Identifier: GPL-2.0
/* Whether <asm/mshyperv.h> offers hv_setup_vmbus_handler(). */
#include <asm/mshyperv.h>

void probe(void (*handler)(void));
void probe(void (*handler)(void))
{
	hv_setup_vmbus_handler(handler);
}
