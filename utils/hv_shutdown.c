// SPDX-License-Identifier: GPL-2.0
/*
 * Hyper-V shutdown: the host asks us to power off, reboot or hibernate.
 * Power off and reboot go through the kernel's orderly paths; hibernation
 * is left to user space, told by a uevent (EVENT=hibernate) on the device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <asm/mshyperv.h>
#include "hv_ic.h"

static const u32 sd_fw[] = { HVIC_FW_3_0, HVIC_FW_1_0 };
static const u32 sd_srv[] = {
	HVIC_VERSION(3, 2), HVIC_VERSION(3, 1), HVIC_VERSION(3, 0),
	HVIC_VERSION(1, 0),
};

static const struct hvic_versions sd_versions = {
	.fw = sd_fw, .nr_fw = ARRAY_SIZE(sd_fw),
	.srv = sd_srv, .nr_srv = ARRAY_SIZE(sd_srv),
};

struct hv_sd {
	struct hv_ic ic;
	struct work_struct poweroff_work;
	struct work_struct reboot_work;
	struct work_struct hibernate_work;
	bool can_hibernate;
};

static void sd_poweroff(struct work_struct *work)
{
	orderly_poweroff(true);
}

static void sd_reboot(struct work_struct *work)
{
	orderly_reboot();
}

static void sd_hibernate(struct work_struct *work)
{
	struct hv_sd *sd = container_of(work, struct hv_sd, hibernate_work);
	char *envp[2] = { "EVENT=hibernate", NULL };

	kobject_uevent_env(&sd->ic.dev->device.kobj, KOBJ_CHANGE, envp);
	dev_info_ratelimited(&sd->ic.dev->device, "sent the hibernation uevent\n");
}

static void sd_callback(void *context)
{
	struct vmbus_channel *chan = context;
	struct hv_sd *sd = hv_get_drvdata(chan->device_obj);
	struct hv_ic *ic = &sd->ic;
	struct work_struct *work;
	enum hvic_sd_action act;
	enum hvic_verdict v;

	while (hv_ic_next(ic) > 0) {
		if (ic->msg.type != HVIC_TYPE_SHUTDOWN) {
			hv_ic_reject(ic, HVIC_BAD_VALUE);
			continue;
		}
		v = hvic_shutdown_parse(&ic->msg, &act);
		if (v != HVIC_OK) {
			hv_ic_reject(ic, v);
			continue;
		}
		switch (act) {
		case HVIC_SD_ACT_POWEROFF:
			dev_info_ratelimited(&ic->dev->device, "shutdown requested by the host\n");
			work = &sd->poweroff_work;
			break;
		case HVIC_SD_ACT_REBOOT:
			dev_info_ratelimited(&ic->dev->device, "restart requested by the host\n");
			work = &sd->reboot_work;
			break;
		default:
			dev_info_ratelimited(&ic->dev->device, "hibernation requested by the host%s\n",
					     sd->can_hibernate ? "" : ", not supported");
			work = sd->can_hibernate ? &sd->hibernate_work : NULL;
			break;
		}
		hv_ic_reply(ic, work ? HVIC_S_OK : HVIC_E_FAIL);
		if (work)
			schedule_work(work);
	}
}

static int sd_probe(struct hv_device *dev, const struct hv_vmbus_device_id *id)
{
	struct hv_sd *sd;
	int ret;

	sd = kzalloc(sizeof(*sd), GFP_KERNEL);
	if (!sd)
		return -ENOMEM;
	INIT_WORK(&sd->poweroff_work, sd_poweroff);
	INIT_WORK(&sd->reboot_work, sd_reboot);
	INIT_WORK(&sd->hibernate_work, sd_hibernate);
	sd->can_hibernate = hv_is_hibernation_supported();
	ret = hv_ic_init(&sd->ic, dev, "Shutdown", &sd_versions,
			 HV_HYP_PAGE_SIZE);
	if (ret)
		goto free;
	hv_set_drvdata(dev, sd);
	ret = hv_ic_open(&sd->ic, sd_callback);
	if (ret)
		goto fini;
	return 0;
fini:
	hv_ic_free(&sd->ic);
free:
	kfree(sd);
	return ret;
}

static OL_HV_REMOVE_RET sd_remove(struct hv_device *dev)
{
	struct hv_sd *sd = hv_get_drvdata(dev);

	hv_ic_close(&sd->ic);
	cancel_work_sync(&sd->hibernate_work);
	cancel_work_sync(&sd->reboot_work);
	cancel_work_sync(&sd->poweroff_work);
	hv_ic_free(&sd->ic);
	kfree(sd);
	return OL_HV_REMOVE_DONE;
}

static int sd_suspend(struct hv_device *dev)
{
	struct hv_sd *sd = hv_get_drvdata(dev);

	vmbus_close(dev->channel);
	cancel_work_sync(&sd->hibernate_work);
	return 0;
}

static int sd_resume(struct hv_device *dev)
{
	struct hv_sd *sd = hv_get_drvdata(dev);

	return hv_ic_open(&sd->ic, sd_callback);
}

static const struct hv_vmbus_device_id sd_id_table[] = {
	{ HV_SHUTDOWN_GUID, },
	{ },
};
MODULE_DEVICE_TABLE(vmbus, sd_id_table);

/*
 * The driver keeps the in-tree name: the udev rule upstream documents for
 * host-initiated hibernation matches DRIVER=="hv_utils" on the uevent, and
 * guests that installed it must go on hibernating with openlis loaded.
 */
static struct hv_driver sd_driver = {
	.name = "hv_utils",
	.id_table = sd_id_table,
	.probe = sd_probe,
	.remove = sd_remove,
	.suspend = sd_suspend,
	.resume = sd_resume,
	.driver = {
		.probe_type = PROBE_PREFER_ASYNCHRONOUS,
	},
};

static int __init sd_init(void)
{
	return vmbus_driver_register(&sd_driver);
}

static void __exit sd_exit(void)
{
	vmbus_driver_unregister(&sd_driver);
}

module_init(sd_init);
module_exit(sd_exit);
MODULE_DESCRIPTION("Hyper-V shutdown integration service");
MODULE_LICENSE("GPL");
MODULE_VERSION(OPENLIS_VERSION);
