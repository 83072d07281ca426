// SPDX-License-Identifier: GPL-2.0
/* 6.13 made the bin_attribute hooks take a const struct bin_attribute. */
#include <linux/sysfs.h>

static int m(struct file *f, struct kobject *k,
	     const struct bin_attribute *a, struct vm_area_struct *v)
{
	return 0;
}

struct bin_attribute probe_attr = { .mmap = m };
