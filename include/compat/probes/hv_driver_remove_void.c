// SPDX-License-Identifier: GPL-2.0
/* 6.3 made hv_driver.remove return void. */
#include <linux/hyperv.h>

static void r(struct hv_device *dev)
{
}

struct hv_driver probe_drv = { .remove = r };
