// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs: the attributes of /sys/bus/vmbus/devices/<instance>/ that tools
 * and udev rules read, and one folder per channel under channels/.
 */
#include <linux/kernel.h>
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/hyperv.h>

#include "vmbus_priv.h"

static struct hv_device *to_hv(struct device *d)
{
	return device_to_hv_device(d);
}

static ssize_t id_show(struct device *d, struct device_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_hv(d)->channel->offermsg.child_relid);
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

static ssize_t numa_node_show(struct device *d, struct device_attribute *a,
			      char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  cpu_to_node(to_hv(d)->channel->target_cpu));
}
static DEVICE_ATTR_RO(numa_node);

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

	device_lock(d);
	n = sysfs_emit(buf, "%s\n", to_hv(d)->driver_override ?: "");
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
	&dev_attr_vendor.attr,
	&dev_attr_device.attr,
	&dev_attr_numa_node.attr,
	&dev_attr_channel_vp_mapping.attr,
	&dev_attr_driver_override.attr,
	NULL,
};

static const struct attribute_group olvb_dev_group = {
	.attrs = olvb_dev_attrs,
};

const struct attribute_group *olvb_dev_groups[] = {
	&olvb_dev_group,
	NULL,
};

/* Per-channel folders come later; the kset is what drivers look for. */
int olvb_chan_sysfs_add(struct hv_device *dev, struct vmbus_channel *ch)
{
	if (!dev->channels_kset) {
		dev->channels_kset = kset_create_and_add("channels", NULL,
							 &dev->device.kobj);
		if (!dev->channels_kset)
			return -ENOMEM;
	}
	return 0;
}

void olvb_chan_sysfs_del(struct vmbus_channel *ch)
{
}
