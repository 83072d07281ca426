// SPDX-License-Identifier: GPL-2.0
/* Hyper-V heartbeat: the host asks every few seconds; we answer. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include "hv_ic.h"

static const u32 hb_fw[] = { HVIC_FW_3_0, HVIC_FW_1_0 };
static const u32 hb_srv[] = { HVIC_VERSION(3, 0), HVIC_VERSION(1, 0) };
static const struct hvic_versions hb_versions = {
	.fw = hb_fw, .nr_fw = ARRAY_SIZE(hb_fw),
	.srv = hb_srv, .nr_srv = ARRAY_SIZE(hb_srv),
};

static void hb_callback(void *context)
{
	struct vmbus_channel *chan = context;
	struct hv_ic *ic = hv_get_drvdata(chan->device_obj);
	enum hvic_verdict v;

	while (hv_ic_next(ic) > 0) {
		if (ic->msg.type != HVIC_TYPE_HEARTBEAT) {
			hv_ic_reject(ic, HVIC_BAD_VALUE);
			continue;
		}
		v = hvic_heartbeat_answer(&ic->msg);
		if (v != HVIC_OK)
			hv_ic_reject(ic, v);
		else
			hv_ic_reply(ic, HVIC_S_OK);
	}
}

static int hb_probe(struct hv_device *dev, const struct hv_vmbus_device_id *id)
{
	struct hv_ic *ic;
	int ret;

	ic = kzalloc(sizeof(*ic), GFP_KERNEL);
	if (!ic)
		return -ENOMEM;
	ret = hv_ic_init(ic, dev, "Heartbeat", &hb_versions, HV_HYP_PAGE_SIZE);
	if (ret)
		goto free;
	hv_set_drvdata(dev, ic);
	ret = hv_ic_open(ic, hb_callback);
	if (ret)
		goto fini;
	return 0;
fini:
	hv_ic_free(ic);
free:
	kfree(ic);
	return ret;
}

static OL_HV_REMOVE_RET hb_remove(struct hv_device *dev)
{
	struct hv_ic *ic = hv_get_drvdata(dev);

	hv_ic_close(ic);
	hv_ic_free(ic);
	kfree(ic);
	return OL_HV_REMOVE_DONE;
}

static int hb_suspend(struct hv_device *dev)
{
	vmbus_close(dev->channel);
	return 0;
}

static int hb_resume(struct hv_device *dev)
{
	return hv_ic_open(hv_get_drvdata(dev), hb_callback);
}

static const struct hv_vmbus_device_id hb_id_table[] = {
	{ HV_HEART_BEAT_GUID, },
	{ },
};
MODULE_DEVICE_TABLE(vmbus, hb_id_table);

static struct hv_driver hb_driver = {
	.name = "hv_heartbeat",
	.id_table = hb_id_table,
	.probe = hb_probe,
	.remove = hb_remove,
	.suspend = hb_suspend,
	.resume = hb_resume,
	.driver = {
		.probe_type = PROBE_PREFER_ASYNCHRONOUS,
	},
};

static int __init hb_init(void)
{
	return vmbus_driver_register(&hb_driver);
}

static void __exit hb_exit(void)
{
	vmbus_driver_unregister(&hb_driver);
}

module_init(hb_init);
module_exit(hb_exit);
MODULE_DESCRIPTION("Hyper-V heartbeat integration service");
MODULE_LICENSE("GPL");
MODULE_VERSION(OPENLIS_VERSION);
