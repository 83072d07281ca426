/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel-version shims used by vmbus/. */
#ifndef OPENLIS_VMBUS_COMPAT_H
#define OPENLIS_VMBUS_COMPAT_H

#ifdef OPENLIS_HAVE_VMBUS_BUS_MATCH_CONST
#define OLVB_MATCH_DRV		const struct device_driver
#else
#define OLVB_MATCH_DRV		struct device_driver
#endif

#ifdef OPENLIS_HAVE_VMBUS_BUS_UEVENT_CONST
#define OLVB_UEVENT_DEV		const struct device
#else
#define OLVB_UEVENT_DEV		struct device
#endif

/* bus_attribute.show: const struct bus_type from 6.4 on. */
#ifdef OPENLIS_HAVE_VMBUS_BUS_ATTR_CONST
#define OLVB_BUS_ATTR_BUS	const struct bus_type
#else
#define OLVB_BUS_ATTR_BUS	struct bus_type
#endif

/* The bus itself: the driver core takes it const from 6.4 on. */
#ifdef OPENLIS_HAVE_VMBUS_BUS_TYPE_CONST
#define OLVB_BUS_TYPE		const struct bus_type
#else
#define OLVB_BUS_TYPE		struct bus_type
#endif

/* bin_attribute hooks and group lists: const from 6.13 on. */
#ifdef OPENLIS_HAVE_VMBUS_BIN_ATTR_CONST
#define OLVB_BIN_ATTR_CONST	const
#else
#define OLVB_BIN_ATTR_CONST
#endif

/* SynIC registers: hv_{get,set}_msr() and HV_MSR_* from 6.9 on. */
#ifdef OPENLIS_HAVE_HV_SET_MSR
#define OLVB_SYNIC_REG(name)	HV_MSR_##name
#define olvb_get_synic(reg)	hv_get_msr(reg)
#define olvb_set_synic(reg, v)	hv_set_msr(reg, v)
#else
#define OLVB_SYNIC_REG(name)	HV_REGISTER_##name
#define olvb_get_synic(reg)	hv_get_register(reg)
#define olvb_set_synic(reg, v)	hv_set_register(reg, v)
#endif

/*
 * The per-channel "ring" file that uio_hv_generic maps: struct
 * vmbus_channel carries its hooks from 6.12 on. Before that the file never
 * shows, and hv_{create,remove}_ring_sysfs() are not exported, as in-tree.
 */
#ifdef OPENLIS_HAVE_VMBUS_CHAN_RING_SYSFS
#define olvb_ring_visible(ch)		((ch)->ring_sysfs_visible)
#define olvb_ring_mmap_fn(ch)		((ch)->mmap_ring_buffer)
#define olvb_ring_set_visible(ch, on)	((ch)->ring_sysfs_visible = (on))
#define olvb_ring_set_mmap(ch, fn)	((ch)->mmap_ring_buffer = (fn))
#define OLVB_EXPORT_RING_SYSFS(sym)	EXPORT_SYMBOL_GPL(sym)
#else
#define olvb_ring_visible(ch)		((void)(ch), false)
#define olvb_ring_mmap_fn(ch)		((void)(ch), \
	(int (*)(struct vmbus_channel *, struct vm_area_struct *))NULL)
#define olvb_ring_set_visible(ch, on)	((void)(ch), (void)(on))
#define olvb_ring_set_mmap(ch, fn)	((void)(ch), (void)(fn))
/* Not exported: the kernel's core has no such symbol to match. */
#define OLVB_EXPORT_RING_SYSFS(sym)	static_assert(!__same_type(sym, void))
#endif

#endif
