// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO space for VMBus devices that need some (synthetic video, PCI
 * pass-through): the windows that the firmware grants the VMBus in the _CRS
 * of an ancestor of its ACPI device, handed out first-fit.
 *
 * A range is claimed twice: in a private tree under its window, so that two
 * VMBus devices never get overlapping ranges even where iomem would let them
 * nest, and exclusively in iomem, so that no other driver takes it and
 * /proc/iomem shows who has it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/*
 * The same headers as bus.c (and the in-tree core): with MODVERSIONS the
 * CRCs of the two exports below cover every type their prototypes reach.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/device.h>
#include <linux/platform_device.h>
#include <linux/interrupt.h>
#include <linux/sysctl.h>
#include <linux/slab.h>
#include <linux/acpi.h>
#include <linux/completion.h>
#include <linux/hyperv.h>
#include <linux/kernel_stat.h>
#include <linux/of_address.h>
#include <linux/clockchips.h>
#include <linux/cpu.h>
#include <linux/sched/isolation.h>
#include <linux/sched/task_stack.h>
#include <linux/smpboot.h>
#include <linux/delay.h>
#include <linux/panic_notifier.h>
#include <linux/ptrace.h>
#include <linux/screen_info.h>
#include <linux/efi.h>
#include <linux/random.h>
#include <linux/kernel.h>
#include <linux/syscore_ops.h>
#include <linux/dma-map-ops.h>
#include <linux/pci.h>
#include <clocksource/hyperv_timer.h>
#include <asm/mshyperv.h>
#include <linux/ioport.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <compat/vmbus_mmio_compat.h>
#include <linux/sizes.h>

#include "vmbus_priv.h"

/*
 * Hyper-V's virtual TPM sits at a fixed address that some firmware leaves
 * inside the low window: no device may be given it.
 */
#define OLVB_MMIO_VTPM_BASE	0xfed40000ULL

struct olvb_mmio_win {
	struct list_head node;
	struct resource res;	/* root of this window's private tree */
};

static DEFINE_MUTEX(olvb_mmio_lock);
/* Ascending, disjoint and never adjacent: touching windows are merged. */
static LIST_HEAD(olvb_mmio_wins);
/* The boot framebuffer's range: a child of the window that holds it. */
static struct resource *olvb_mmio_fb;
/* Why there are no windows, for the first allocation that fails. */
static const char *olvb_mmio_why = "not initialised";

/*
 * The ACPI ids Hyper-V gives the VMBus device, as the in-tree core matches
 * them. The table is both what olvb_mmio_init() looks for and the module's
 * alias (acpi*:VMBUS:*), which is what loads hv_vmbus at boot.
 */
static const struct acpi_device_id olvb_acpi_ids[] = {
	{ "VMBUS", 0 },
	{ "VMBus", 0 },
	{ }
};
MODULE_DEVICE_TABLE(acpi, olvb_acpi_ids);

static struct acpi_device *olvb_mmio_find_adev(void)
{
	const struct acpi_device_id *id;
	struct acpi_device *adev;

	for (id = olvb_acpi_ids; id->id[0]; id++) {
		adev = acpi_dev_get_first_match_dev(id->id, NULL, -1);
		if (adev)
			return adev;
	}
	return NULL;
}

/* Whether a range ending at @end lies below @start with a gap between. */
static bool olvb_mmio_apart(resource_size_t end, resource_size_t start)
{
	return start && end < start - 1;
}

static int olvb_mmio_add_window(resource_size_t start, resource_size_t end)
{
	struct list_head *before = &olvb_mmio_wins;
	struct olvb_mmio_win *w, *tmp;

	list_for_each_entry_safe(w, tmp, &olvb_mmio_wins, node) {
		if (olvb_mmio_apart(w->res.end, start))
			continue;
		if (olvb_mmio_apart(end, w->res.start)) {
			before = &w->node;
			break;
		}
		/* Overlapping or adjacent: one window. */
		start = min(start, w->res.start);
		end = max(end, w->res.end);
		list_del(&w->node);
		kfree(w);
	}

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->res.name = "hyperv mmio";
	w->res.flags = IORESOURCE_MEM;
	w->res.start = start;
	w->res.end = end;
	list_add_tail(&w->node, before);
	return 0;
}

/*
 * Address descriptors describe the windows a bridge decodes; plain memory
 * descriptors are a device's own registers and do not count.
 */
static acpi_status olvb_mmio_crs_entry(struct acpi_resource *res, void *ctx)
{
	int *err = ctx;
	u64 start, end;

	switch (res->type) {
	case ACPI_RESOURCE_TYPE_ADDRESS32:
		if (res->data.address32.resource_type != ACPI_MEMORY_RANGE)
			return AE_OK;
		start = res->data.address32.address.minimum;
		end = res->data.address32.address.maximum;
		break;
	case ACPI_RESOURCE_TYPE_ADDRESS64:
		if (res->data.address64.resource_type != ACPI_MEMORY_RANGE)
			return AE_OK;
		start = res->data.address64.address.minimum;
		end = res->data.address64.address.maximum;
		break;
	default:
		return AE_OK;
	}

	if (end < start) {
		pr_warn("ignoring an ACPI memory window that ends before it starts: %#llx-%#llx\n",
			start, end);
		return AE_OK;
	}
	/* Legacy ranges below 1 MiB (VGA, ROMs) are of no use to a device. */
	if (end < SZ_1M)
		return AE_OK;
	if (start < OLVB_MMIO_VTPM_BASE && end >= OLVB_MMIO_VTPM_BASE)
		end = OLVB_MMIO_VTPM_BASE - 1;

	*err = olvb_mmio_add_window(start, end);
	return *err ? AE_NO_MEMORY : AE_OK;
}

static int olvb_mmio_walk(struct acpi_device *adev)
{
	int err = 0;

	/* No _CRS at all is no error: that ancestor grants nothing. */
	acpi_walk_resources(adev->handle, METHOD_NAME__CRS,
			    olvb_mmio_crs_entry, &err);
	return err;
}

static struct olvb_mmio_win *olvb_mmio_win_of(resource_size_t start,
					      resource_size_t end)
{
	struct olvb_mmio_win *w;

	list_for_each_entry(w, &olvb_mmio_wins, node)
		if (start >= w->res.start && end <= w->res.end)
			return w;
	return NULL;
}

/*
 * The framebuffer the firmware set up stays where it is, so nothing else may
 * be placed on it. Its reported size is often too small (Generation 1), hence
 * a generous first try that shrinks until it fits.
 */
static void olvb_mmio_reserve_fb(void)
{
	struct olvb_mmio_win *low, *w;
	resource_size_t start = 0, size = 0, base;
	struct pci_dev *pdev;

	low = list_first_entry(&olvb_mmio_wins, struct olvb_mmio_win, node);
	if (efi_enabled(EFI_BOOT)) {
		/* Generation 2: the EFI framebuffer. */
		if (!IS_ENABLED(CONFIG_SYSFB))
			return;
		start = OLVB_BOOT_SCREEN.lfb_base;
		size = max_t(u32, OLVB_BOOT_SCREEN.lfb_size, SZ_8M);
		base = low->res.start;
		if (!base || upper_32_bits(base) || (start && start < base)) {
			pr_warn("unexpected low MMIO base %pa\n", &base);
		} else {
			/* A kdump kernel or a CVM may have no lfb_base. */
			if (!start)
				start = base;
			/* Room below 4 GiB for high resolutions, at most 128 MiB. */
			size = min_t(resource_size_t, (SZ_4G - start) / 2,
				     SZ_128M);
		}
	} else {
		/* Generation 1: BAR 0 of the emulated video card. */
		pdev = pci_get_device(PCI_VENDOR_ID_MICROSOFT,
				      PCI_DEVICE_ID_HYPERV_VIDEO, NULL);
		if (!pdev)
			return;
		if (pci_resource_flags(pdev, 0) & IORESOURCE_MEM) {
			start = pci_resource_start(pdev, 0);
			size = pci_resource_len(pdev, 0);
		}
		pci_dev_put(pdev);
	}

	if (!start) {
		pr_warn("framebuffer at address 0: not reserved\n");
		return;
	}
	w = olvb_mmio_win_of(start, start);
	if (!w)
		return;
	for (; !olvb_mmio_fb && size >= SZ_1M; size >>= 1)
		olvb_mmio_fb = __request_region(&w->res, start, size,
						"fb_range", 0);
}

/*
 * Gives back whatever is still allocated under @parent (a window, or the
 * framebuffer inside one), in iomem too, and then the framebuffer itself.
 */
static void olvb_mmio_drop(struct resource *parent)
{
	resource_size_t start, size;
	struct resource *r;

	while ((r = parent->child)) {
		start = r->start;
		size = resource_size(r);
		if (r == olvb_mmio_fb) {
			olvb_mmio_drop(r);
			olvb_mmio_fb = NULL;
		} else {
			/* Its owner is gone, since it needed us. */
			pr_warn("MMIO %pR still allocated at unload: released\n",
				r);
			release_mem_region(start, size);
		}
		__release_region(parent, start, size);
		/* Not found (it said so): do not spin on it. */
		if (parent->child == r)
			break;
	}
}

static void olvb_mmio_free_windows(void)
{
	struct olvb_mmio_win *w, *tmp;

	list_for_each_entry_safe(w, tmp, &olvb_mmio_wins, node) {
		olvb_mmio_drop(&w->res);
		list_del(&w->node);
		kfree(w);
	}
	olvb_mmio_fb = NULL;
}

/*
 * The VMBus ACPI device's struct device, held for the caller, for the bus's
 * devices to sit under (bus.c); NULL where there is none.
 */
struct device *olvb_mmio_acpi_dev(void)
{
	struct acpi_device *adev;

	if (acpi_disabled)
		return NULL;
	adev = olvb_mmio_find_adev();
	return adev ? &adev->dev : NULL;
}

void olvb_mmio_init(void)
{
	struct acpi_device *adev, *anc;
	struct olvb_mmio_win *w;
	int err;

	if (acpi_disabled) {
		olvb_mmio_why = "ACPI is disabled";
		goto none;
	}
	adev = olvb_mmio_find_adev();
	if (!adev) {
		olvb_mmio_why = "no VMBus ACPI device";
		goto none;
	}

	mutex_lock(&olvb_mmio_lock);
	err = olvb_mmio_walk(adev);
	/* The windows are those of the nearest ancestor that has some. */
	for (anc = acpi_dev_parent(adev);
	     !err && anc && anc->handle != ACPI_ROOT_OBJECT;
	     anc = acpi_dev_parent(anc)) {
		err = olvb_mmio_walk(anc);
		if (!list_empty(&olvb_mmio_wins))
			break;
	}
	acpi_dev_put(adev);
	if (err) {
		olvb_mmio_free_windows();
		mutex_unlock(&olvb_mmio_lock);
		olvb_mmio_why = "out of memory while reading the ACPI windows";
		goto none;
	}
	if (list_empty(&olvb_mmio_wins)) {
		mutex_unlock(&olvb_mmio_lock);
		olvb_mmio_why = "no memory window in the ACPI _CRS of VMBus or its ancestors";
		goto none;
	}
	olvb_mmio_reserve_fb();
	list_for_each_entry(w, &olvb_mmio_wins, node)
		pr_info("MMIO window %pR\n", &w->res);
	if (olvb_mmio_fb)
		pr_info("MMIO framebuffer %pR\n", olvb_mmio_fb);
	mutex_unlock(&olvb_mmio_lock);
	return;

none:
	pr_info("%s: MMIO allocation unavailable\n", olvb_mmio_why);
}

void olvb_mmio_exit(void)
{
	mutex_lock(&olvb_mmio_lock);
	olvb_mmio_free_windows();
	mutex_unlock(&olvb_mmio_lock);
}

/* The range under @parent overlapping [start, end], if any. */
static struct resource *olvb_mmio_busy(struct resource *parent,
				       resource_size_t start,
				       resource_size_t end)
{
	struct resource *r;

	/* Only we change the private trees, always under olvb_mmio_lock. */
	for (r = parent->child; r; r = r->sibling)
		if (r->start <= end && r->end >= start)
			return r;
	return NULL;
}

/*
 * The first @align-ed start in [lo, hi] where @size bytes can be had: free
 * under @parent (a window, or the framebuffer) in the private tree, and
 * claimable in iomem.
 */
static struct resource *olvb_mmio_fit(struct resource *parent,
				      resource_size_t lo, resource_size_t hi,
				      resource_size_t size,
				      resource_size_t align, const char *name)
{
	resource_size_t start, end;
	struct resource *busy, *res;

	if (lo > hi)
		return NULL;
	/* A start that wrapped around is below lo, and ends the search. */
	for (start = ALIGN(lo, align); start >= lo;) {
		if (check_add_overflow(start, size - 1, &end) || end > hi)
			return NULL;
		busy = olvb_mmio_busy(parent, start, end);
		if (busy) {
			if (busy->end >= hi)
				return NULL;
			start = ALIGN(busy->end + 1, align);
			continue;
		}
		if (!__request_region(parent, start, size, "vmbus device mmio",
				      0))
			return NULL;
		res = request_mem_region_exclusive(start, size, name);
		if (res)
			return res;
		/* Someone else has part of it in iomem: try further on. */
		__release_region(parent, start, size);
		if (check_add_overflow(start, align, &start))
			return NULL;
	}
	return NULL;
}

/**
 * vmbus_allocate_mmio() - Claim a range of the VMBus's MMIO space.
 * @new:		Where the claimed iomem resource is stored.
 * @device_obj:		The device it is for (names it in iomem), or NULL.
 * @min:		Lowest address the range may start at.
 * @max:		Highest address the range may end at.
 * @size:		Bytes wanted.
 * @align:		Alignment of the start, a power of two.
 * @fb_overlap_ok:	Whether the boot framebuffer's range may be used (and
 *			is then tried first).
 *
 * The lowest fitting range of the windows wins. Release with
 * vmbus_free_mmio().
 *
 * Return: 0, -EINVAL for bad arguments, -ENXIO where nothing fits, which
 * includes a VMBus without MMIO windows (as the in-tree core answers).
 */
int vmbus_allocate_mmio(struct resource **new, struct hv_device *device_obj,
			resource_size_t min, resource_size_t max,
			resource_size_t size, resource_size_t align,
			bool fb_overlap_ok)
{
	const char *name = device_obj ? dev_name(&device_obj->device) : NULL;
	struct olvb_mmio_win *w;
	struct resource *fb;
	int ret = -ENXIO;

	if (!new)
		return -EINVAL;
	*new = NULL;
	if (!size || !align || (align & (align - 1)) || min > max)
		return -EINVAL;
	if (!name)
		name = "vmbus device";

	mutex_lock(&olvb_mmio_lock);
	if (list_empty(&olvb_mmio_wins)) {
		pr_warn_once("%s: cannot allocate MMIO for %s\n",
			     olvb_mmio_why, name);
		goto out;
	}

	/* Set aside at init: what it hands out is tracked under it. */
	fb = olvb_mmio_fb;
	if (fb_overlap_ok && fb) {
		*new = olvb_mmio_fit(fb, max(min, fb->start),
				     min(max, fb->end), size, align, name);
		if (*new)
			goto found;
	}

	list_for_each_entry(w, &olvb_mmio_wins, node) {
		*new = olvb_mmio_fit(&w->res, max(min, w->res.start),
				     min(max, w->res.end), size, align, name);
		if (*new)
			goto found;
	}
	goto out;

found:
	ret = 0;
out:
	mutex_unlock(&olvb_mmio_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(vmbus_allocate_mmio);

/**
 * vmbus_free_mmio() - Release a range claimed by vmbus_allocate_mmio().
 * @start:	Its start, as allocated.
 * @size:	Its size, as allocated.
 */
void vmbus_free_mmio(resource_size_t start, resource_size_t size)
{
	struct resource *parent, *r;
	struct olvb_mmio_win *w;
	resource_size_t end;

	if (!size || check_add_overflow(start, size - 1, &end)) {
		pr_warn_ratelimited("%s: invalid range %pa size %pa\n",
				    __func__, &start, &size);
		return;
	}

	mutex_lock(&olvb_mmio_lock);
	if (olvb_mmio_fb && start >= olvb_mmio_fb->start &&
	    end <= olvb_mmio_fb->end) {
		parent = olvb_mmio_fb;
	} else {
		w = olvb_mmio_win_of(start, end);
		parent = w ? &w->res : NULL;
	}
	r = parent ? olvb_mmio_busy(parent, start, end) : NULL;
	if (!r || r == olvb_mmio_fb || r->start != start || r->end != end) {
		pr_warn_ratelimited("%s: %pa size %pa was not allocated\n",
				    __func__, &start, &size);
		goto out;
	}
	__release_region(parent, start, size);
	release_mem_region(start, size);
out:
	mutex_unlock(&olvb_mmio_lock);
}
EXPORT_SYMBOL_GPL(vmbus_free_mmio);
