// SPDX-License-Identifier: GPL-2.0
/* 6.3 made struct hv_driver's remove() return void. */
#include <linux/hyperv.h>

static_assert(__same_type(((struct hv_driver *)0)->remove,
			  void (*)(struct hv_device *)));
