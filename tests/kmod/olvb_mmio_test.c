// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises vmbus_allocate_mmio() and vmbus_free_mmio() of whichever VMBus
 * core is loaded, through the exported API only, so that openlis's core and
 * the kernel's can be held to the same results. One kernel log line a step:
 *
 *   olvb_mmio_test: <step> <ok|FAIL> <first>-<last>
 *   olvb_mmio_test: <step> <ok|FAIL> error <errno>
 *
 * and a last one, "olvb_mmio_test: done <ok|FAIL>". Every range is given
 * back before the end; the load fails with -EIO when a step did not give
 * what it must. A host may grant no MMIO at all (QEMU's VMBus has no
 * windows): then the first allocations fail on either core, and what
 * counts is that both cores say the same, which the VM scenario compares.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hyperv.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/sizes.h>

/*
 * The cores only take the device's name from it (for /proc/iomem), and
 * dev_name() gives init_name until the device is registered, which this
 * one never is.
 */
static struct hv_device olvb_mmio_test_dev = {
	.device.init_name = "olvb_mmio_test",
};

/*
 * Returns whether the outcome is the expected one; *res is the range, or
 * NULL where there is none.
 */
enum olvb_expect { OLVB_MAY_FAIL, OLVB_MUST_FAIL, OLVB_MUST_FIT };

static bool olvb_mmio_test_alloc(const char *step, struct resource **res,
				 resource_size_t min, resource_size_t max,
				 resource_size_t size, resource_size_t align,
				 enum olvb_expect expect)
{
	struct resource *r = NULL;
	bool ok;
	int ret;

	ret = vmbus_allocate_mmio(&r, &olvb_mmio_test_dev, min, max, size,
				  align, false);
	if (ret || !r) {
		ok = expect != OLVB_MUST_FIT && ret;
		pr_info("%s %s error %d\n", step, ok ? "ok" : "FAIL", ret);
		*res = NULL;
		return ok;
	}
	ok = expect != OLVB_MUST_FAIL && r->start >= min && r->end <= max &&
	     resource_size(r) == size && IS_ALIGNED(r->start, align);
	pr_info("%s %s %pa-%pa\n", step, ok ? "ok" : "FAIL", &r->start,
		&r->end);
	*res = r;
	return ok;
}

static void olvb_mmio_test_free(struct resource **res)
{
	resource_size_t start, size;

	if (!*res)
		return;
	/* The resource goes away with the range: read it first. */
	start = (*res)->start;
	size = resource_size(*res);
	vmbus_free_mmio(start, size);
	*res = NULL;
}

static int __init olvb_mmio_test_init(void)
{
	struct resource *a, *b, *c, *again;
	resource_size_t a_start;
	bool ok = true;

	ok &= olvb_mmio_test_alloc("a-8M-anywhere", &a, 0, ~(resource_size_t)0,
				   SZ_8M, SZ_1M, OLVB_MAY_FAIL);
	ok &= olvb_mmio_test_alloc("b-2M-below-4G", &b, 0, SZ_4G - 1, SZ_2M,
				   SZ_1M, OLVB_MAY_FAIL);
	/* Larger than any window QEMU or Hyper-V grants. */
	ok &= olvb_mmio_test_alloc("c-1T-impossible", &c, 0,
				   ~(resource_size_t)0,
				   (resource_size_t)SZ_1G << 10, SZ_1M,
				   OLVB_MUST_FAIL);
	olvb_mmio_test_free(&c);

	/* First fit: what was given back is what comes next. */
	if (!a) {
		pr_info("d-8M-again ok skipped: nothing was allocated\n");
		pr_info("d-same-start ok skipped\n");
	} else {
		a_start = a->start;
		olvb_mmio_test_free(&a);
		if (!olvb_mmio_test_alloc("d-8M-again", &again, 0,
					  ~(resource_size_t)0, SZ_8M, SZ_1M,
					  OLVB_MUST_FIT)) {
			ok = false;
		} else if (again->start != a_start) {
			pr_info("d-same-start FAIL %pa, not %pa\n",
				&again->start, &a_start);
			ok = false;
		} else {
			pr_info("d-same-start ok %pa\n", &a_start);
		}
		olvb_mmio_test_free(&again);
	}
	olvb_mmio_test_free(&b);

	pr_info("done %s\n", ok ? "ok" : "FAIL");
	return ok ? 0 : -EIO;
}

static void __exit olvb_mmio_test_exit(void)
{
}

module_init(olvb_mmio_test_init);
module_exit(olvb_mmio_test_exit);

MODULE_DESCRIPTION("openlis test of the VMBus MMIO allocator");
MODULE_LICENSE("GPL");
