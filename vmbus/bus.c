// SPDX-License-Identifier: GPL-2.0
/*
 * The "vmbus" bus: drivers, devices, matching by class GUID, and the module's
 * start and end.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

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

#include "vmbus_priv.h"

static bool olvb_hvsock_match(const struct hv_driver *drv,
			      const struct hv_device *dev)
{
	return is_hvsock_channel(dev->channel);
}

static const struct hv_vmbus_device_id *
olvb_match_id(const struct hv_driver *drv, const struct hv_device *dev)
{
	const struct hv_vmbus_device_id *id = drv->id_table;

	if (!id)
		return NULL;
	for (; !guid_is_null(&id->guid); id++)
		if (guid_equal(&id->guid, &dev->dev_type))
			return id;
	return NULL;
}

static const struct hv_vmbus_device_id olvb_override_id;

static const struct hv_vmbus_device_id *
olvb_get_id(const struct hv_driver *drv, const struct hv_device *dev)
{
	if (dev->driver_override)
		return strcmp(dev->driver_override, drv->name) ? NULL :
		       (olvb_match_id(drv, dev) ?: &olvb_override_id);
	return olvb_match_id(drv, dev);
}

static int olvb_match(struct device *device, OLVB_MATCH_DRV *driver)
{
	const struct hv_driver *drv = drv_to_hv_drv(driver);
	const struct hv_device *dev = device_to_hv_device(device);

	/* hv_sock channels carry a service GUID, not a device class. */
	if (olvb_hvsock_match(drv, dev))
		return drv->hvsock;
	return !!olvb_get_id(drv, dev);
}

static int olvb_uevent(OLVB_UEVENT_DEV *device, struct kobj_uevent_env *env)
{
	const struct hv_device *dev = device_to_hv_device(device);

	return add_uevent_var(env, "MODALIAS=vmbus:%*phN", UUID_SIZE,
			      &dev->dev_type);
}

static int olvb_probe(struct device *device)
{
	struct hv_driver *drv = drv_to_hv_drv(device->driver);
	struct hv_device *dev = device_to_hv_device(device);
	const struct hv_vmbus_device_id *id = olvb_get_id(drv, dev);

	if (!drv->probe)
		return -ENODEV;
	if (!id && !olvb_hvsock_match(drv, dev))
		return -ENODEV;
	return drv->probe(dev, id);
}

static void olvb_remove(struct device *device)
{
	struct hv_driver *drv = drv_to_hv_drv(device->driver);

	if (drv->remove)
		drv->remove(device_to_hv_device(device));
}

static void olvb_shutdown(struct device *device)
{
	struct hv_driver *drv;

	if (!device->driver)
		return;
	drv = drv_to_hv_drv(device->driver);
	if (drv->shutdown)
		drv->shutdown(device_to_hv_device(device));
}

OLVB_BUS_TYPE olvb_bus = {
	.name = "vmbus",
	.match = olvb_match,
	.uevent = olvb_uevent,
	.probe = olvb_probe,
	.remove = olvb_remove,
	.shutdown = olvb_shutdown,
	.pm = &olvb_dev_pm,
	.dev_groups = olvb_dev_groups,
	.bus_groups = olvb_bus_groups,
};

int __vmbus_driver_register(struct hv_driver *hv_driver, struct module *owner,
			    const char *mod_name)
{
	if (!olvb.connected)
		return -ENODEV;
	hv_driver->driver.name = hv_driver->name;
	hv_driver->driver.owner = owner;
	hv_driver->driver.mod_name = mod_name;
	hv_driver->driver.bus = &olvb_bus;
	spin_lock_init(&hv_driver->dynids.lock);
	INIT_LIST_HEAD(&hv_driver->dynids.list);
	return driver_register(&hv_driver->driver);
}
EXPORT_SYMBOL_GPL(__vmbus_driver_register);

void vmbus_driver_unregister(struct hv_driver *hv_driver)
{
	driver_unregister(&hv_driver->driver);
}
EXPORT_SYMBOL_GPL(vmbus_driver_unregister);

static void olvb_device_release(struct device *device)
{
	struct hv_device *dev = device_to_hv_device(device);

	kfree(dev->driver_override);
	kfree(dev);
}

int olvb_device_add(struct vmbus_channel *ch)
{
	struct hv_device *dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	int ret;

	if (!dev)
		return -ENOMEM;
	memcpy(&dev->dev_type, &ch->offermsg.offer.if_type, sizeof(guid_t));
	memcpy(&dev->dev_instance, &ch->offermsg.offer.if_instance,
	       sizeof(guid_t));
	dev->vendor_id = PCI_VENDOR_ID_MICROSOFT;
	dev->device_id = ch->device_id;
	dev->channel = ch;
	dev->device.bus = &olvb_bus;
	dev->device.parent = olvb.root;
	dev->device.release = olvb_device_release;
	dev->dma_mask = DMA_BIT_MASK(64);
	dev->device.dma_mask = &dev->dma_mask;
	dev->device.coherent_dma_mask = DMA_BIT_MASK(64);
	dev->device.dma_parms = &dev->dma_parms;
	dev_set_name(&dev->device, "%pUl", &dev->dev_instance);
	ch->device_obj = dev;

	ret = device_register(&dev->device);
	if (ret) {
		ch->device_obj = NULL;
		put_device(&dev->device);
		return ret;
	}
	olvb_chan_sysfs_add(dev, ch);
	return 0;
}

void vmbus_device_unregister(struct hv_device *device_obj)
{
	struct vmbus_channel *ch = device_obj->channel;

	olvb_chan_kset_del(device_obj);
	device_unregister(&device_obj->device);
	if (ch)
		ch->device_obj = NULL;
}
EXPORT_SYMBOL_GPL(vmbus_device_unregister);

static void olvb_root_release(struct device *root)
{
	kfree(root);
}

/*
 * The parent of every VMBus device. It sits under the VMBus ACPI device, as
 * the in-tree core's devices do, because user space reads that path: udev's
 * path_id names a VMBus SCSI disk (ID_PATH, /dev/disk/by-path) only when
 * its sysfs path has "/VMBUS" in it. With no ACPI device it has no parent,
 * and is /sys/devices/vmbus. Its PM domain (pm.c) runs after every device
 * under it has suspended.
 */
static struct device *olvb_root_add(void)
{
	struct device *acpi = olvb_mmio_acpi_dev();
	struct device *root = kzalloc(sizeof(*root), GFP_KERNEL);
	int ret;

	if (!root) {
		put_device(acpi);
		return ERR_PTR(-ENOMEM);
	}
	device_initialize(root);
	root->parent = acpi;
	root->release = olvb_root_release;
	ret = dev_set_name(root, "vmbus");
	if (!ret)
		ret = device_add(root);
	/* device_add holds the parent for as long as the root is there. */
	put_device(acpi);
	if (ret) {
		put_device(root);
		return ERR_PTR(ret);
	}
	return root;
}

static int olvb_panic_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	olvb_unload_atomic();
	return NOTIFY_DONE;
}

/* Last, after anyone who still wants to tell the host something. */
static struct notifier_block olvb_panic_nb = {
	.notifier_call = olvb_panic_event,
	.priority = INT_MIN,
};

static void olvb_kexec(void)
{
	/* The next kernel must not get our timer's messages. */
	hv_stimer_global_cleanup();
	olvb_unload_atomic();
}

static void olvb_crash(struct pt_regs *regs)
{
	olvb_unload_atomic();
	hv_stimer_cleanup(smp_processor_id());
}

static void olvb_hooks_add(void)
{
	hv_setup_kexec_handler(olvb_kexec);
	hv_setup_crash_handler(olvb_crash);
	atomic_notifier_chain_register(&panic_notifier_list, &olvb_panic_nb);
}

static void olvb_hooks_del(void)
{
	atomic_notifier_chain_unregister(&panic_notifier_list, &olvb_panic_nb);
	hv_remove_crash_handler();
	hv_remove_kexec_handler();
}

static void olvb_cleanup(void)
{
	if (olvb.msg_wq)
		destroy_workqueue(olvb.msg_wq);
	if (olvb.dev_wq)
		destroy_workqueue(olvb.dev_wq);
	if (olvb.sc_wq)
		destroy_workqueue(olvb.sc_wq);
	kfree(olvb.chans);
	olvb_mmio_exit();
}

static int __init olvb_init(void)
{
	int ret;

	BUILD_BUG_ON(sizeof(struct vmbus_channel_offer_channel) !=
		     sizeof(struct olvb_msg_offer));
	BUILD_BUG_ON(sizeof(struct vmbus_channel_version_response) !=
		     sizeof(struct olvb_msg_version_response));
	BUILD_BUG_ON(sizeof(struct vmbus_channel_gpadl_header) + 8 !=
		     sizeof(struct olvb_msg_gpadl_header));
	BUILD_BUG_ON(sizeof(struct vmbus_channel_rescind_offer) !=
		     sizeof(struct olvb_msg_relid));
	BUILD_BUG_ON(sizeof(struct vmbus_channel_open_result) !=
		     sizeof(struct olvb_msg_open_result));
	BUILD_BUG_ON(sizeof(struct vmbus_channel_gpadl_created) !=
		     sizeof(struct olvb_msg_gpadl_created));
	BUILD_BUG_ON(sizeof(struct vmbus_channel_gpadl_torndown) !=
		     sizeof(struct olvb_msg_gpadl_torndown));
	BUILD_BUG_ON(sizeof(struct vmbus_channel_modifychannel_response) !=
		     sizeof(struct olvb_msg_modify_response));
	BUILD_BUG_ON(sizeof(struct vmpacket_descriptor) !=
		     sizeof(struct olvb_pkt_desc));

	olvb_mmio_init();
	mutex_init(&olvb.chan_mutex);
	INIT_LIST_HEAD(&olvb.primaries);
	spin_lock_init(&olvb.req_lock);
	INIT_LIST_HEAD(&olvb.req_list);
	init_completion(&olvb.all_offers);
	spin_lock_init(&olvb.held_lock);
	INIT_LIST_HEAD(&olvb.held_offers);
	init_completion(&olvb.pm_all_back);
	atomic_set(&olvb.next_gpadl, 0xe1e10);
	olvb.chans = kcalloc(OLVB_MAX_RELID, sizeof(*olvb.chans), GFP_KERNEL);
	olvb.msg_wq = alloc_ordered_workqueue("olvb_msg", 0);
	olvb.dev_wq = alloc_ordered_workqueue("olvb_dev", 0);
	olvb.sc_wq = alloc_ordered_workqueue("olvb_subchan", 0);
	if (!olvb.chans || !olvb.msg_wq || !olvb.dev_wq || !olvb.sc_wq) {
		ret = -ENOMEM;
		goto err_alloc;
	}

	ret = bus_register(&olvb_bus);
	if (ret)
		goto err_alloc;
	olvb_drops_init();
	olvb.root = olvb_root_add();
	if (IS_ERR(olvb.root)) {
		ret = PTR_ERR(olvb.root);
		goto err_bus;
	}
	ret = olvb_synic_init();
	if (ret)
		goto err_root;
	ret = olvb_connect();
	if (ret)
		goto err_synic;

	ret = olvb_request_offers();
	if (ret) {
		pr_err("REQUESTOFFERS failed: %d\n", ret);
		goto err_conn;
	}
	if (!wait_for_completion_timeout(&olvb.all_offers, 30 * HZ))
		pr_warn("host did not say all offers were delivered\n");
	flush_workqueue(olvb.msg_wq);
	flush_workqueue(olvb.dev_wq);
	olvb_hooks_add();
	olvb_pm_init();
	return 0;

err_conn:
	WRITE_ONCE(olvb.unloading, true);
	olvb_remove_all();
	olvb_disconnect();
err_synic:
	olvb_synic_exit();
err_root:
	device_unregister(olvb.root);
err_bus:
	olvb_drops_exit();
	bus_unregister(&olvb_bus);
err_alloc:
	olvb_cleanup();
	return ret;
}

static void __exit olvb_exit(void)
{
	olvb_pm_exit();
	WRITE_ONCE(olvb.unloading, true);
	olvb_hooks_del();
	olvb_remove_all();
	olvb_disconnect();
	olvb_synic_exit();
	device_unregister(olvb.root);
	bus_unregister(&olvb_bus);
	olvb_cleanup();
	olvb_drops_exit();
	if (olvb_drops_total())
		pr_info("%d bad messages or packets were dropped\n",
			olvb_drops_total());
}

subsys_initcall(olvb_init);
module_exit(olvb_exit);

MODULE_DESCRIPTION("openlis Microsoft Hyper-V VMBus core");
MODULE_LICENSE("GPL");
MODULE_VERSION(OPENLIS_VERSION);
