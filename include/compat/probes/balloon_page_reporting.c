// SPDX-License-Identifier: GPL-2.0
/*
 * The free page reporting framework: its header is always there, but its
 * functions exist only with CONFIG_PAGE_REPORTING.
 */
#include <linux/page_reporting.h>

#ifndef CONFIG_PAGE_REPORTING
#error "the kernel has no page reporting"
#endif

int openlis_probe_page_reporting(struct page_reporting_dev_info *pr);
int openlis_probe_page_reporting(struct page_reporting_dev_info *pr)
{
	page_reporting_unregister(pr);
	return page_reporting_register(pr);
}
