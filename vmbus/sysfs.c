// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs: the attributes of /sys/bus/vmbus/devices/<instance>/ that tools
 * and udev rules read, one folder per channel under channels/, and the bus's
 * own hibernation file. Names and value formats are the in-tree core's.
 */
/*
 * The ring sysfs exports' CRCs cover every type their prototypes reach:
 * this list mirrors the in-tree vmbus_drv.c's so those types are all seen.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/device.h>
#include <linux/platform_device.h>
#include <linux/interrupt.h>
#include <linux/sysctl.h>
#include <linux/slab.h>
#include <linux/acpi.h>
#include <linux/completion.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/hyperv.h>
#include <linux/kernel_stat.h>
#include <linux/of_address.h>
#include <linux/clockchips.h>
#include <linux/cpu.h>
#include <linux/mm.h>
#include <linux/sched/isolation.h>
#include <linux/sched/task_stack.h>
#include <linux/smpboot.h>
#include <linux/delay.h>
#include <linux/panic_notifier.h>
#include <linux/ptrace.h>
#include <linux/screen_info.h>
#include <linux/efi.h>
#include <linux/random.h>
#include <linux/syscore_ops.h>
#include <linux/dma-map-ops.h>
#include <linux/pci.h>
#include <clocksource/hyperv_timer.h>
#include <asm/mshyperv.h>

#include "vmbus_priv.h"

static struct hv_device *to_hv(struct device *d)
{
	return device_to_hv_device(d);
}

/* Monitor page @page's view of @ch; 0 when the channel is not monitored. */
enum olvb_mon_field { OLVB_MON_PENDING, OLVB_MON_LATENCY, OLVB_MON_CONN_ID };

static u32 olvb_mon_read(const struct vmbus_channel *ch, int page,
			 enum olvb_mon_field f)
{
	const struct olvb_monitor_page *mp = olvb.monitor_pages[page];
	u32 id = ch->offermsg.monitorid, g, b;

	BUILD_BUG_ON(sizeof(struct olvb_monitor_page) != PAGE_SIZE);
	BUILD_BUG_ON(offsetof(struct olvb_monitor_page, latency) != 0x240);
	BUILD_BUG_ON(offsetof(struct olvb_monitor_page, param) != 0x440);
	if (!mp || id >= OLVB_MAX_MONITOR_ID)
		return 0;
	g = id / 32;
	b = id % 32;
	switch (f) {
	case OLVB_MON_PENDING:
		return READ_ONCE(mp->group[g].pending);
	case OLVB_MON_LATENCY:
		return READ_ONCE(mp->latency[g][b]);
	case OLVB_MON_CONN_ID:
		return READ_ONCE(mp->param[g][b].conn_id) & 0xffffff;
	}
	return 0;
}

/*
 * The device attributes that only differ in what they read: a monitor page
 * field, or one figure of a ring's debug information.
 */
enum olvb_ring_field {
	OLVB_RING_MASK, OLVB_RING_RD, OLVB_RING_WR, OLVB_RING_TOREAD,
	OLVB_RING_TOWRITE,
};

struct olvb_dev_attr {
	struct device_attribute da;
	bool ring;
	u8 page;	/* monitor page, or 0 outbound / 1 inbound */
	u8 field;
};

static ssize_t olvb_dev_attr_show(struct device *d, struct device_attribute *a,
				  char *buf)
{
	const struct olvb_dev_attr *oa = container_of(a, struct olvb_dev_attr,
						      da);
	struct vmbus_channel *ch = to_hv(d)->channel;
	struct hv_ring_buffer_debug_info info;
	u32 v;
	int ret;

	if (!ch)
		return -ENODEV;
	if (!oa->ring)
		return sysfs_emit(buf, "%d\n",
				  olvb_mon_read(ch, oa->page, oa->field));
	ret = hv_ringbuffer_get_debuginfo(oa->page ? &ch->inbound :
					  &ch->outbound, &info);
	if (ret < 0)
		return ret;
	switch (oa->field) {
	case OLVB_RING_MASK:
		v = info.current_interrupt_mask;
		break;
	case OLVB_RING_RD:
		v = info.current_read_index;
		break;
	case OLVB_RING_WR:
		v = info.current_write_index;
		break;
	case OLVB_RING_TOREAD:
		v = info.bytes_avail_toread;
		break;
	default:
		v = info.bytes_avail_towrite;
		break;
	}
	return sysfs_emit(buf, "%d\n", v);
}

#define OLVB_DEV_ATTR(_name, _ring, _page, _field)			\
	struct olvb_dev_attr olvb_attr_##_name = {			\
		.da = __ATTR(_name, 0444, olvb_dev_attr_show, NULL),	\
		.ring = _ring,						\
		.page = _page,						\
		.field = _field,					\
	}

static OLVB_DEV_ATTR(server_monitor_pending, false, 0, OLVB_MON_PENDING);
static OLVB_DEV_ATTR(client_monitor_pending, false, 1, OLVB_MON_PENDING);
static OLVB_DEV_ATTR(server_monitor_latency, false, 0, OLVB_MON_LATENCY);
static OLVB_DEV_ATTR(client_monitor_latency, false, 1, OLVB_MON_LATENCY);
static OLVB_DEV_ATTR(server_monitor_conn_id, false, 0, OLVB_MON_CONN_ID);
static OLVB_DEV_ATTR(client_monitor_conn_id, false, 1, OLVB_MON_CONN_ID);
static OLVB_DEV_ATTR(out_intr_mask, true, 0, OLVB_RING_MASK);
static OLVB_DEV_ATTR(out_read_index, true, 0, OLVB_RING_RD);
static OLVB_DEV_ATTR(out_write_index, true, 0, OLVB_RING_WR);
static OLVB_DEV_ATTR(out_read_bytes_avail, true, 0, OLVB_RING_TOREAD);
static OLVB_DEV_ATTR(out_write_bytes_avail, true, 0, OLVB_RING_TOWRITE);
static OLVB_DEV_ATTR(in_intr_mask, true, 1, OLVB_RING_MASK);
static OLVB_DEV_ATTR(in_read_index, true, 1, OLVB_RING_RD);
static OLVB_DEV_ATTR(in_write_index, true, 1, OLVB_RING_WR);
static OLVB_DEV_ATTR(in_read_bytes_avail, true, 1, OLVB_RING_TOREAD);
static OLVB_DEV_ATTR(in_write_bytes_avail, true, 1, OLVB_RING_TOWRITE);

static ssize_t id_show(struct device *d, struct device_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%d\n", to_hv(d)->channel->offermsg.child_relid);
}
static DEVICE_ATTR_RO(id);

static ssize_t state_show(struct device *d, struct device_attribute *a,
			  char *buf)
{
	return sysfs_emit(buf, "%d\n", to_hv(d)->channel->state);
}
static DEVICE_ATTR_RO(state);

static ssize_t monitor_id_show(struct device *d, struct device_attribute *a,
			       char *buf)
{
	return sysfs_emit(buf, "%d\n", to_hv(d)->channel->offermsg.monitorid);
}
static DEVICE_ATTR_RO(monitor_id);

static ssize_t class_id_show(struct device *d, struct device_attribute *a,
			     char *buf)
{
	return sysfs_emit(buf, "{%pUl}\n", &to_hv(d)->dev_type);
}
static DEVICE_ATTR_RO(class_id);

static ssize_t device_id_show(struct device *d, struct device_attribute *a,
			      char *buf)
{
	return sysfs_emit(buf, "{%pUl}\n", &to_hv(d)->dev_instance);
}
static DEVICE_ATTR_RO(device_id);

static ssize_t modalias_show(struct device *d, struct device_attribute *a,
			     char *buf)
{
	return sysfs_emit(buf, "vmbus:%*phN\n", UUID_SIZE, &to_hv(d)->dev_type);
}
static DEVICE_ATTR_RO(modalias);

static ssize_t vendor_show(struct device *d, struct device_attribute *a,
			   char *buf)
{
	return sysfs_emit(buf, "0x%x\n", to_hv(d)->vendor_id);
}
static DEVICE_ATTR_RO(vendor);

static ssize_t device_show(struct device *d, struct device_attribute *a,
			   char *buf)
{
	return sysfs_emit(buf, "0x%x\n", to_hv(d)->device_id);
}
static DEVICE_ATTR_RO(device);

#ifdef CONFIG_NUMA
static ssize_t numa_node_show(struct device *d, struct device_attribute *a,
			      char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  cpu_to_node(to_hv(d)->channel->target_cpu));
}
static DEVICE_ATTR_RO(numa_node);
#endif

static ssize_t channel_vp_mapping_show(struct device *d,
				       struct device_attribute *a, char *buf)
{
	struct vmbus_channel *ch = to_hv(d)->channel, *sc;
	int n;

	mutex_lock(&olvb.chan_mutex);
	n = sysfs_emit(buf, "%u:%u\n", ch->offermsg.child_relid,
		       ch->target_cpu);
	list_for_each_entry(sc, &ch->sc_list, sc_list)
		n += sysfs_emit_at(buf, n, "%u:%u\n",
				   sc->offermsg.child_relid, sc->target_cpu);
	mutex_unlock(&olvb.chan_mutex);
	return n;
}
static DEVICE_ATTR_RO(channel_vp_mapping);

static ssize_t driver_override_show(struct device *d,
				    struct device_attribute *a, char *buf)
{
	ssize_t n;

	/* No override reads "(null)", as it always has. */
	device_lock(d);
	n = sysfs_emit(buf, "%s\n", to_hv(d)->driver_override ?: "(null)");
	device_unlock(d);
	return n;
}

static ssize_t driver_override_store(struct device *d,
				     struct device_attribute *a,
				     const char *buf, size_t count)
{
	int ret = driver_set_override(d, &to_hv(d)->driver_override, buf,
				      count);

	return ret ? ret : count;
}
static DEVICE_ATTR_RW(driver_override);

static struct attribute *olvb_dev_attrs[] = {
	&dev_attr_id.attr,
	&dev_attr_state.attr,
	&dev_attr_monitor_id.attr,
	&dev_attr_class_id.attr,
	&dev_attr_device_id.attr,
	&dev_attr_modalias.attr,
#ifdef CONFIG_NUMA
	&dev_attr_numa_node.attr,
#endif
	&olvb_attr_server_monitor_pending.da.attr,
	&olvb_attr_client_monitor_pending.da.attr,
	&olvb_attr_server_monitor_latency.da.attr,
	&olvb_attr_client_monitor_latency.da.attr,
	&olvb_attr_server_monitor_conn_id.da.attr,
	&olvb_attr_client_monitor_conn_id.da.attr,
	&olvb_attr_out_intr_mask.da.attr,
	&olvb_attr_out_read_index.da.attr,
	&olvb_attr_out_write_index.da.attr,
	&olvb_attr_out_read_bytes_avail.da.attr,
	&olvb_attr_out_write_bytes_avail.da.attr,
	&olvb_attr_in_intr_mask.da.attr,
	&olvb_attr_in_read_index.da.attr,
	&olvb_attr_in_write_index.da.attr,
	&olvb_attr_in_read_bytes_avail.da.attr,
	&olvb_attr_in_write_bytes_avail.da.attr,
	&dev_attr_channel_vp_mapping.attr,
	&dev_attr_vendor.attr,
	&dev_attr_device.attr,
	&dev_attr_driver_override.attr,
	NULL,
};

static bool olvb_is_monitor_attr(const struct attribute *attr)
{
	const struct device_attribute *da;
	const struct olvb_dev_attr *oa;

	if (attr == &dev_attr_monitor_id.attr)
		return true;
	da = container_of(attr, struct device_attribute, attr);
	if (da->show != olvb_dev_attr_show)
		return false;
	oa = container_of(da, struct olvb_dev_attr, da);
	return !oa->ring;
}

/* Channels the host does not monitor have no monitor files. */
static umode_t olvb_dev_attr_visible(struct kobject *kobj,
				     struct attribute *attr, int idx)
{
	const struct hv_device *dev = device_to_hv_device(kobj_to_dev(kobj));

	if (!dev->channel->offermsg.monitor_allocated &&
	    olvb_is_monitor_attr(attr))
		return 0;
	return attr->mode;
}

static const struct attribute_group olvb_dev_group = {
	.attrs = olvb_dev_attrs,
	.is_visible = olvb_dev_attr_visible,
};

const struct attribute_group *olvb_dev_groups[] = {
	&olvb_dev_group,
	NULL,
};

static ssize_t hibernation_show(OLVB_BUS_ATTR_BUS *bus, char *buf)
{
	return sysfs_emit(buf, "%d\n", !!hv_is_hibernation_supported());
}
static BUS_ATTR_RO(hibernation);

static struct attribute *olvb_bus_attrs[] = {
	&bus_attr_hibernation.attr,
	NULL,
};

static const struct attribute_group olvb_bus_group = {
	.attrs = olvb_bus_attrs,
};

const struct attribute_group *olvb_bus_groups[] = {
	&olvb_bus_group,
	NULL,
};

/* channels/<relid>/: the channel's kobject, which owns its memory. */
struct olvb_chan_attr {
	struct attribute attr;
	ssize_t (*show)(struct vmbus_channel *ch, char *buf);
	ssize_t (*store)(struct vmbus_channel *ch, const char *buf,
			 size_t count);
	size_t counter;		/* a u64 at offset counter - 1; 0: none */
};

#define OLVB_CHAN_ATTR(_name, _mode, _show, _store)			\
	struct olvb_chan_attr olvb_chan_attr_##_name =			\
		__ATTR(_name, _mode, _show, _store)

static struct vmbus_channel *kobj_to_chan(struct kobject *kobj)
{
	return container_of(kobj, struct vmbus_channel, kobj);
}

static ssize_t olvb_chan_attr_show(struct kobject *kobj,
				   struct attribute *attr, char *buf)
{
	const struct olvb_chan_attr *ca = container_of(attr,
						       struct olvb_chan_attr,
						       attr);

	if (ca->counter) {
		const u8 *ch = (const u8 *)kobj_to_chan(kobj);

		return sysfs_emit(buf, "%llu\n", (unsigned long long)
				  READ_ONCE(*(const u64 *)(ch + ca->counter - 1)));
	}
	if (!ca->show)
		return -EIO;
	return ca->show(kobj_to_chan(kobj), buf);
}

static ssize_t olvb_chan_attr_store(struct kobject *kobj,
				    struct attribute *attr, const char *buf,
				    size_t count)
{
	const struct olvb_chan_attr *ca = container_of(attr,
						       struct olvb_chan_attr,
						       attr);

	if (!ca->store)
		return -EIO;
	return ca->store(kobj_to_chan(kobj), buf, count);
}

static const struct sysfs_ops olvb_chan_sysfs_ops = {
	.show = olvb_chan_attr_show,
	.store = olvb_chan_attr_store,
};

/* A figure of an open ring; reading a closed channel's fails as in-tree. */
enum olvb_ring_fig { OLVB_FIG_MASK, OLVB_FIG_TOREAD, OLVB_FIG_TOWRITE };

static ssize_t olvb_ring_fig(struct hv_ring_buffer_info *rbi,
			     enum olvb_ring_fig fig, char *buf)
{
	struct hv_ring_buffer_debug_info info;
	int ret = hv_ringbuffer_get_debuginfo(rbi, &info);

	if (ret < 0)
		return ret;
	switch (fig) {
	case OLVB_FIG_MASK:
		return sysfs_emit(buf, "%u\n", info.current_interrupt_mask);
	case OLVB_FIG_TOREAD:
		return sysfs_emit(buf, "%u\n", info.bytes_avail_toread);
	default:
		return sysfs_emit(buf, "%u\n", info.bytes_avail_towrite);
	}
}

static ssize_t out_mask_show(struct vmbus_channel *ch, char *buf)
{
	return olvb_ring_fig(&ch->outbound, OLVB_FIG_MASK, buf);
}
static OLVB_CHAN_ATTR(out_mask, 0444, out_mask_show, NULL);

static ssize_t in_mask_show(struct vmbus_channel *ch, char *buf)
{
	return olvb_ring_fig(&ch->inbound, OLVB_FIG_MASK, buf);
}
static OLVB_CHAN_ATTR(in_mask, 0444, in_mask_show, NULL);

static ssize_t read_avail_show(struct vmbus_channel *ch, char *buf)
{
	return olvb_ring_fig(&ch->inbound, OLVB_FIG_TOREAD, buf);
}
static OLVB_CHAN_ATTR(read_avail, 0444, read_avail_show, NULL);

static ssize_t write_avail_show(struct vmbus_channel *ch, char *buf)
{
	return olvb_ring_fig(&ch->outbound, OLVB_FIG_TOWRITE, buf);
}
static OLVB_CHAN_ATTR(write_avail, 0444, write_avail_show, NULL);

static ssize_t cpu_show(struct vmbus_channel *ch, char *buf)
{
	return sysfs_emit(buf, "%u\n", ch->target_cpu);
}

static ssize_t cpu_store(struct vmbus_channel *ch, const char *buf,
			 size_t count)
{
	unsigned int cpu;
	int ret;

	/* Hosts before 4.1 cannot move a channel's interrupts. */
	if (vmbus_proto_version < VERSION_WIN10_V4_1)
		return -EIO;
	if (kstrtouint(buf, 10, &cpu))
		return -EIO;
	if (cpu >= nr_cpumask_bits ||
	    !cpumask_test_cpu(cpu, housekeeping_cpumask(HK_TYPE_MANAGED_IRQ)))
		return -EINVAL;
	ret = olvb_chan_retarget(ch, cpu);
	return ret ? ret : count;
}
static OLVB_CHAN_ATTR(cpu, 0644, cpu_show, cpu_store);

static ssize_t pending_show(struct vmbus_channel *ch, char *buf)
{
	return sysfs_emit(buf, "%d\n", olvb_mon_read(ch, 1, OLVB_MON_PENDING));
}
static OLVB_CHAN_ATTR(pending, 0444, pending_show, NULL);

static ssize_t latency_show(struct vmbus_channel *ch, char *buf)
{
	return sysfs_emit(buf, "%d\n", olvb_mon_read(ch, 1, OLVB_MON_LATENCY));
}
static OLVB_CHAN_ATTR(latency, 0444, latency_show, NULL);

/* The per-channel counters, read without a lock: a torn read is harmless. */
#define OLVB_CHAN_COUNTER(_name, _field)				\
	struct olvb_chan_attr olvb_chan_attr_##_name = {		\
		.attr = { .name = __stringify(_name), .mode = 0444 },	\
		.counter = offsetof(struct vmbus_channel, _field) + 1,	\
	}

static OLVB_CHAN_COUNTER(interrupts, interrupts);
static OLVB_CHAN_COUNTER(events, sig_events);
static OLVB_CHAN_COUNTER(intr_in_full, intr_in_full);
static OLVB_CHAN_COUNTER(intr_out_empty, intr_out_empty);
static OLVB_CHAN_COUNTER(out_full_first, out_full_first);
static OLVB_CHAN_COUNTER(out_full_total, out_full_total);

static ssize_t chan_monitor_id_show(struct vmbus_channel *ch, char *buf)
{
	return sysfs_emit(buf, "%u\n", ch->offermsg.monitorid);
}
static OLVB_CHAN_ATTR(monitor_id, 0444, chan_monitor_id_show, NULL);

static ssize_t subchannel_id_show(struct vmbus_channel *ch, char *buf)
{
	return sysfs_emit(buf, "%u\n", ch->offermsg.offer.sub_channel_index);
}
static OLVB_CHAN_ATTR(subchannel_id, 0444, subchannel_id_show, NULL);

static struct attribute *olvb_chan_attrs[] = {
	&olvb_chan_attr_out_mask.attr,
	&olvb_chan_attr_in_mask.attr,
	&olvb_chan_attr_read_avail.attr,
	&olvb_chan_attr_write_avail.attr,
	&olvb_chan_attr_cpu.attr,
	&olvb_chan_attr_pending.attr,
	&olvb_chan_attr_latency.attr,
	&olvb_chan_attr_interrupts.attr,
	&olvb_chan_attr_events.attr,
	&olvb_chan_attr_intr_in_full.attr,
	&olvb_chan_attr_intr_out_empty.attr,
	&olvb_chan_attr_out_full_first.attr,
	&olvb_chan_attr_out_full_total.attr,
	&olvb_chan_attr_monitor_id.attr,
	&olvb_chan_attr_subchannel_id.attr,
	NULL,
};

static umode_t olvb_chan_attr_visible(struct kobject *kobj,
				      struct attribute *attr, int idx)
{
	const struct vmbus_channel *ch = kobj_to_chan(kobj);

	if (!ch->offermsg.monitor_allocated &&
	    (attr == &olvb_chan_attr_pending.attr ||
	     attr == &olvb_chan_attr_latency.attr ||
	     attr == &olvb_chan_attr_monitor_id.attr))
		return 0;
	return attr->mode;
}

/* "ring": the ring pages, mapped by uio_hv_generic's users. */
static int olvb_ring_mmap(struct file *filp, struct kobject *kobj,
			  OLVB_BIN_ATTR_CONST struct bin_attribute *attr,
			  struct vm_area_struct *vma)
{
	struct vmbus_channel *ch = kobj_to_chan(kobj);
	int (*mmap_ring)(struct vmbus_channel *ch, struct vm_area_struct *vma);

	mmap_ring = olvb_ring_mmap_fn(ch);
	if (!mmap_ring)
		return -ENODEV;
	return mmap_ring(ch, vma);
}

static struct bin_attribute olvb_chan_attr_ring = {
	.attr = { .name = "ring", .mode = 0600 },
	.mmap = olvb_ring_mmap,
};

static OLVB_BIN_ATTR_CONST struct bin_attribute *olvb_chan_bin_attrs[] = {
	&olvb_chan_attr_ring,
	NULL,
};

static umode_t olvb_chan_bin_visible(struct kobject *kobj,
				     OLVB_BIN_ATTR_CONST struct bin_attribute *attr,
				     int idx)
{
	const struct vmbus_channel *ch = kobj_to_chan(kobj);

	if (!olvb_ring_visible(ch))
		return 0;
	olvb_chan_attr_ring.size = (size_t)ch->ringbuffer_pagecount << PAGE_SHIFT;
	return attr->attr.mode;
}

static const struct attribute_group olvb_chan_group = {
	.attrs = olvb_chan_attrs,
	.is_visible = olvb_chan_attr_visible,
	.bin_attrs = olvb_chan_bin_attrs,
	.is_bin_visible = olvb_chan_bin_visible,
};

static const struct attribute_group *olvb_chan_groups[] = {
	&olvb_chan_group,
	NULL,
};

/* The last reference: olvb_drop() has already waited for RCU. */
static void olvb_chan_release(struct kobject *kobj)
{
	kfree(kobj_to_chan(kobj));
}

const struct kobj_type olvb_chan_ktype = {
	.sysfs_ops = &olvb_chan_sysfs_ops,
	.default_groups = olvb_chan_groups,
	.release = olvb_chan_release,
};

int hv_create_ring_sysfs(struct vmbus_channel *channel,
			 int (*hv_mmap_ring_buffer)(struct vmbus_channel *channel,
						    struct vm_area_struct *vma))
{
	olvb_ring_set_mmap(channel, hv_mmap_ring_buffer);
	olvb_ring_set_visible(channel, true);
	if (!channel->kobj.state_in_sysfs)
		return -ENODEV;
	return sysfs_update_group(&channel->kobj, &olvb_chan_group);
}

OLVB_EXPORT_RING_SYSFS(hv_create_ring_sysfs);

int hv_remove_ring_sysfs(struct vmbus_channel *channel)
{
	int ret = 0;

	olvb_ring_set_visible(channel, false);
	if (channel->kobj.state_in_sysfs)
		ret = sysfs_update_group(&channel->kobj, &olvb_chan_group);
	olvb_ring_set_mmap(channel, NULL);
	return ret;
}

OLVB_EXPORT_RING_SYSFS(hv_remove_ring_sysfs);

static DEFINE_MUTEX(olvb_kset_lock);

/*
 * Give @ch its folder under @dev's channels/. The device's work and its
 * sub-channels' work race to make channels/ itself, hence the lock.
 */
int olvb_chan_sysfs_add(struct hv_device *dev, struct vmbus_channel *ch)
{
	int ret;

	mutex_lock(&olvb_kset_lock);
	if (!dev->channels_kset)
		dev->channels_kset = kset_create_and_add("channels", NULL,
							 &dev->device.kobj);
	mutex_unlock(&olvb_kset_lock);
	if (!dev->channels_kset)
		return -ENOMEM;
	if (ch->kobj.state_in_sysfs)
		return 0;
	ch->kobj.kset = dev->channels_kset;
	ret = kobject_add(&ch->kobj, NULL, "%u", ch->offermsg.child_relid);
	if (ret) {
		/* The kobject stays initialised: the channel's free puts it. */
		ch->kobj.kset = NULL;
		dev_err(&dev->device, "no sysfs folder for channel %u: %d\n",
			ch->offermsg.child_relid, ret);
		return ret;
	}
	kobject_uevent(&ch->kobj, KOBJ_ADD);
	return 0;
}

/* Before the device goes: channels/ goes with it, its folders after. */
void olvb_chan_kset_del(struct hv_device *dev)
{
	mutex_lock(&olvb_kset_lock);
	kset_unregister(dev->channels_kset);
	dev->channels_kset = NULL;
	mutex_unlock(&olvb_kset_lock);
}
