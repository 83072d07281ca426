// SPDX-License-Identifier: GPL-2.0
/* Whether the boot framebuffer is sysfb_primary_display, not screen_info. */
#include <linux/sysfb.h>

unsigned long long probe(void);
unsigned long long probe(void)
{
	return sysfb_primary_display.screen.lfb_base;
}
