// SPDX-License-Identifier: GPL-2.0
/*
 * Hibernation. The devices go first: each driver closes its channels. Then
 * the bus: hv_sock connections are rescinded, sub-channels must be gone,
 * every channel gives up its relid and the host is told UNLOAD. On the way
 * back the bus reconnects at the version of the boot and asks for the
 * offers again; a channel known before takes its new relid, the drivers
 * then open their channels again. Everything runs at the noirq phase, as
 * the in-tree core does it: PCI pass-through devices, which hv_pci puts
 * behind a VMBus device, restore at that phase and need their bus back
 * first. Suspend to idle and to RAM leave the VMBus alone: a sleeping VM
 * is woken through its VMBus devices.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/device.h>
#include <linux/pm.h>
#include <linux/pm_domain.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/hyperv.h>

#include "vmbus_priv.h"

/* How long the host gets to take sub-channels away, and to offer again. */
#define OLVB_PM_WAIT	(10 * HZ)

static int olvb_dev_call(struct device *device, bool resume)
{
	struct hv_driver *drv;
	int (*fn)(struct hv_device *dev);

	/* Nothing to do for a device no driver has taken. */
	if (!device->driver)
		return 0;
	drv = drv_to_hv_drv(device->driver);
	fn = resume ? drv->resume : drv->suspend;
	/* A driver that cannot let go of its channels cannot hibernate. */
	if (!fn)
		return -EOPNOTSUPP;
	return fn(device_to_hv_device(device));
}

static int olvb_dev_suspend(struct device *device)
{
	return olvb_dev_call(device, false);
}

static int olvb_dev_resume(struct device *device)
{
	return olvb_dev_call(device, true);
}

const struct dev_pm_ops olvb_dev_pm = {
	.freeze_noirq = olvb_dev_suspend,
	.thaw_noirq = olvb_dev_resume,
	.poweroff_noirq = olvb_dev_suspend,
	.restore_noirq = olvb_dev_resume,
};

/*
 * The host takes a primary channel's sub-channels away once the driver
 * has closed it; those of the old connection must not meet the ones the
 * drivers ask for after the resume.
 */
static int olvb_pm_wait_subchannels(void)
{
	unsigned long end = jiffies + OLVB_PM_WAIT;
	struct vmbus_channel *ch, *left;

	for (;;) {
		left = NULL;
		mutex_lock(&olvb.chan_mutex);
		list_for_each_entry(ch, &olvb.primaries, listentry)
			if (!list_empty(&ch->sc_list))
				left = ch;
		if (left && time_after(jiffies, end))
			pr_err("cannot hibernate: %pUl still has sub-channels\n",
			       &left->offermsg.offer.if_instance);
		mutex_unlock(&olvb.chan_mutex);
		if (!left)
			return 0;
		if (time_after(jiffies, end))
			return -EBUSY;
		msleep(20);
	}
}

/*
 * Every relid goes: the host hands them out anew after UNLOAD. Returns
 * how many channels are to be offered again: the ones not rescinded.
 */
static unsigned int olvb_pm_unmap_all(void)
{
	struct vmbus_channel *ch;
	unsigned int n = 0;

	BUILD_BUG_ON(OLVB_RELID_NONE != INVALID_RELID);
	mutex_lock(&olvb.chan_mutex);
	list_for_each_entry(ch, &olvb.primaries, listentry) {
		if (olvb_has_relid(ch))
			RCU_INIT_POINTER(olvb.chans[ch->offermsg.child_relid],
					 NULL);
		ch->offermsg.child_relid = INVALID_RELID;
		if (ch->rescind)
			continue;
		/* Its driver will find it broken: the host closes it now. */
		if (ch->state == CHANNEL_OPENED_STATE)
			pr_warn("hibernation: %pUl is still open\n",
				&ch->offermsg.offer.if_instance);
		n++;
	}
	olvb.pm_known = n;
	olvb.pm_missing = n;
	reinit_completion(&olvb.pm_all_back);
	if (!n)
		complete_all(&olvb.pm_all_back);
	mutex_unlock(&olvb.chan_mutex);
	/* No interrupt handler holds one of them any more. */
	synchronize_rcu();
	return n;
}

static int olvb_bus_suspend(struct device *dev)
{
	unsigned int missing, n;
	int ret;

	mutex_lock(&olvb.chan_mutex);
	missing = olvb.pm_missing;
	mutex_unlock(&olvb.chan_mutex);
	/* No resume can mend a device the host never gave back. */
	if (missing) {
		pr_err("cannot hibernate: %u devices never came back from the last hibernation\n",
		       missing);
		return -EBUSY;
	}

	olvb_offers_hold();
	flush_workqueue(olvb.msg_wq);
	flush_workqueue(olvb.dev_wq);
	flush_workqueue(olvb.sc_wq);
	ret = olvb_pm_wait_subchannels();
	if (ret) {
		/* The connection stays: what was held back is for it. */
		olvb_offers_release(true, false);
		return ret;
	}
	/* From here on there is no way back to the old connection. */
	olvb_rescind_hvsock();
	flush_workqueue(olvb.dev_wq);

	n = olvb_pm_unmap_all();
	ret = olvb_unload();
	/* The host has forgotten those offers; others wait for the resume. */
	olvb_offers_release(false, true);
	if (ret)
		pr_warn("hibernation: no answer to UNLOAD: %d\n", ret);
	else
		pr_info("hibernation: host answered UNLOAD, %u channels to come back\n",
			n);
	return 0;
}

static void olvb_pm_report_missing(void)
{
	struct vmbus_channel *ch;

	mutex_lock(&olvb.chan_mutex);
	list_for_each_entry(ch, &olvb.primaries, listentry)
		if (!ch->rescind && !olvb_has_relid(ch))
			pr_err("hibernation: device %pUl (class %pUl) was not offered again\n",
			       &ch->offermsg.offer.if_instance,
			       &ch->offermsg.offer.if_type);
	mutex_unlock(&olvb.chan_mutex);
}

static int olvb_bus_resume(struct device *dev)
{
	unsigned int missing;
	int ret;

	ret = olvb_reconnect();
	if (ret) {
		pr_err("hibernation: the host refused VMBus version %u.%u again: %d\n",
		       vmbus_proto_version >> 16, vmbus_proto_version & 0xffff,
		       ret);
		return ret;
	}
	olvb_offers_release(false, false);
	ret = olvb_request_offers();
	if (ret) {
		pr_err("hibernation: REQUESTOFFERS failed: %d\n", ret);
		return ret;
	}
	if (!wait_for_completion_timeout(&olvb.pm_all_back, OLVB_PM_WAIT))
		olvb_pm_report_missing();

	mutex_lock(&olvb.chan_mutex);
	missing = olvb.pm_missing;
	mutex_unlock(&olvb.chan_mutex);
	pr_info("hibernation over: VMBus version %u.%u again, %u of %u channels offered again\n",
		vmbus_proto_version >> 16, vmbus_proto_version & 0xffff,
		olvb.pm_known - missing, olvb.pm_known);
	return 0;
}

/* The root device "vmbus" has no driver to carry these: a PM domain does. */
static struct dev_pm_domain olvb_bus_pm = {
	.ops = {
		.freeze_noirq = olvb_bus_suspend,
		.thaw_noirq = olvb_bus_resume,
		.poweroff_noirq = olvb_bus_suspend,
		.restore_noirq = olvb_bus_resume,
	},
};

void olvb_pm_init(void)
{
	dev_pm_domain_set(olvb.root, &olvb_bus_pm);
}

void olvb_pm_exit(void)
{
	dev_pm_domain_set(olvb.root, NULL);
	/* After a resume that never reconnected, stray offers may be held. */
	olvb_offers_release(false, false);
}

/*
 * An offer of a primary channel, with chan_mutex held: true when it was a
 * known channel's, fixed up or dropped, false when it is a new one.
 */
bool olvb_pm_reoffer(const struct olvb_msg_offer *o)
{
	struct vmbus_channel *ch;
	char name[12];

	lockdep_assert_held(&olvb.chan_mutex);
	list_for_each_entry(ch, &olvb.primaries, listentry) {
		struct olvb_msg_offer *known = (void *)&ch->offermsg;

		switch (olvb_reoffer_judge(known, ch->rescind, o)) {
		case OLVB_REOFFER_OTHER:
			continue;
		case OLVB_REOFFER_DUP:
			olvb_count_drop(OLVB_DROP_REOFFER);
			pr_warn_ratelimited("%pUl offered at relid %u, but it has relid %u: dropped\n",
					    o->if_instance, o->child_relid,
					    known->child_relid);
			return true;
		case OLVB_REOFFER_FIXUP:
			break;
		}
		if (olvb_reoffer_apply(known, o))
			pr_debug("%pUl: the host changed more than its relid\n",
				 o->if_instance);
		olvb_chan_take_offer(ch, o);
		rcu_assign_pointer(olvb.chans[o->child_relid], ch);
		/* channels/<relid>/ follows the relid, as a new one's would. */
		snprintf(name, sizeof(name), "%u", o->child_relid);
		if (ch->kobj.state_in_sysfs &&
		    strcmp(kobject_name(&ch->kobj), name) &&
		    kobject_rename(&ch->kobj, name))
			pr_debug("%pUl: channels/%s stays\n", o->if_instance,
				 kobject_name(&ch->kobj));
		if (olvb.pm_missing && !--olvb.pm_missing)
			complete_all(&olvb.pm_all_back);
		return true;
	}
	return false;
}
