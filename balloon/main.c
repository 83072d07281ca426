// SPDX-License-Identifier: GPL-2.0
/*
 * Hyper-V Dynamic Memory: lets the host grow (hot-add, balloon down) and
 * shrink (balloon up) the guest's memory. This file holds the VMBus side:
 * negotiation, the channel callback that checks every host message, and the
 * queue that runs host requests one at a time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hyperv.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <asm/mshyperv.h>
#include "hv_balloon.h"

bool hv_dm_hot_add_param = true;
module_param_named(hot_add, hv_dm_hot_add_param, bool, 0644);
MODULE_PARM_DESC(hot_add, "If set attempt memory hot_add");

unsigned int hv_dm_pressure_delay = 45;
module_param_named(pressure_report_delay, hv_dm_pressure_delay, uint, 0644);
MODULE_PARM_DESC(pressure_report_delay, "Delay in secs in reporting pressure");

static bool hv_dm_honour_s4 = true;
module_param_named(honour_hibernation, hv_dm_honour_s4, bool, 0444);
MODULE_PARM_DESC(honour_hibernation,
		 "When the VM can hibernate, refuse balloon and hot-add requests (default: yes)");

/* Hosts send at most a page; twice that covers the ring's own header. */
#define HV_DM_RECV_SIZE		(2 * DM_MAX_MSG_SIZE)
#define HV_DM_RING_SIZE		VMBUS_RING_SIZE(16 * 1024)
#define HV_DM_HOST_WAIT_MS	5000

static struct hv_dm *hv_dm_dev;

u32 hv_dm_next_trans(struct hv_dm *dm)
{
	return atomic_inc_return(&dm->trans_id);
}

int hv_dm_send(struct hv_dm *dm, const void *msg, u32 len)
{
	return vmbus_sendpacket(dm->hdev->channel, (void *)msg, len, 0,
				VM_PKT_DATA_INBAND, 0);
}

static void hv_dm_refuse(struct hv_dm *dm, enum dm_verdict v,
			 const struct dm_host_msg *m, u32 len)
{
	atomic64_inc(&dm->stats.refused[v]);
	pr_warn_ratelimited("refused %s (type %u, size %u, packet %u): %s\n",
			    dm_msg_name(m->type), m->type, m->size, len,
			    dm_verdict_name(v));
}

/* Answer a balloon request we may not act on: nothing ballooned. */
static void hv_dm_balloon_none(struct hv_dm *dm)
{
	struct dm_balloon_response *r = (void *)dm->send_buf;

	dm_balloon_resp_init(r);
	dm_balloon_resp_finish(r, false, hv_dm_next_trans(dm));
	if (hv_dm_send(dm, r, r->hdr.size))
		atomic64_inc(&dm->stats.send_failed);
}

static void hv_dm_job_run(struct work_struct *work)
{
	struct hv_dm_job *job = container_of(work, struct hv_dm_job, work);
	struct hv_dm *dm = job->dm;
	unsigned long flags;

	/*
	 * Its pages leave the balloon from now on: were they still counted
	 * queued, the requests behind it would find no room.
	 */
	if (!dm_queue_takes_slot(job->msg.type, job->unballoon_pages)) {
		spin_lock_irqsave(&dm->job_lock, flags);
		dm->queued_unballoon -= job->unballoon_pages;
		spin_unlock_irqrestore(&dm->job_lock, flags);
	}

	switch (job->msg.type) {
	case DM_BALLOON_REQUEST:
		WRITE_ONCE(dm->state, HV_DM_BALLOON_UP);
		if (dm->balloon_ok)
			hv_dm_balloon_up(dm, job->msg.num_pages);
		else
			hv_dm_balloon_none(dm);
		break;
	case DM_UNBALLOON_REQUEST:
		WRITE_ONCE(dm->state, HV_DM_BALLOON_DOWN);
		hv_dm_balloon_down(dm, &job->msg);
		break;
	case DM_MEM_HOT_ADD_REQUEST:
		WRITE_ONCE(dm->state, HV_DM_HOT_ADD);
		hv_dm_hot_add(dm, &job->msg);
		break;
	}
	WRITE_ONCE(dm->state, HV_DM_IDLE);

	if (dm_queue_takes_slot(job->msg.type, job->unballoon_pages)) {
		spin_lock_irqsave(&dm->job_lock, flags);
		dm->queued--;
		spin_unlock_irqrestore(&dm->job_lock, flags);
	}
	kfree(job);
}

/* Copy a checked request out of the ring and queue it. */
static void hv_dm_queue(struct hv_dm *dm, const struct dm_host_msg *m)
{
	u32 i, nr = m->type == DM_UNBALLOON_REQUEST ? m->unballoon.count : 0;
	struct hv_dm_job *job;
	unsigned long flags;

	if (READ_ONCE(dm->state) == HV_DM_INITIALIZING) {
		atomic64_inc(&dm->stats.refused_state);
		pr_warn_ratelimited("refused %s before negotiation finished\n",
				    dm_msg_name(m->type));
		return;
	}
	job = kmalloc(struct_size(job, ranges, nr), GFP_ATOMIC);
	if (!job) {
		atomic64_inc(&dm->stats.refused_busy);
		return;
	}
	INIT_WORK(&job->work, hv_dm_job_run);
	job->dm = dm;
	job->msg = *m;
	job->unballoon_pages = 0;
	if (nr) {
		memcpy(job->ranges, m->unballoon.ranges, nr * sizeof(u64));
		job->msg.unballoon.ranges = (const u8 *)job->ranges;
		for (i = 0; i < nr; i++)
			job->unballoon_pages += dm_range_count(job->ranges[i]);
	}

	spin_lock_irqsave(&dm->job_lock, flags);
	if (dm->closing ||
	    !dm_queue_room(dm->queued, dm->queued_unballoon,
			   READ_ONCE(dm->nr_ballooned), m->type,
			   job->unballoon_pages)) {
		spin_unlock_irqrestore(&dm->job_lock, flags);
		atomic64_inc(&dm->stats.refused_busy);
		pr_warn_ratelimited("refused %s: %s\n", dm_msg_name(m->type),
				    dm->closing ? "closing" : "queue full");
		kfree(job);
		return;
	}
	if (dm_queue_takes_slot(m->type, job->unballoon_pages))
		dm->queued++;
	else
		dm->queued_unballoon += job->unballoon_pages;
	queue_work(dm->wq, &job->work);
	spin_unlock_irqrestore(&dm->job_lock, flags);
}

static void hv_dm_handle(struct hv_dm *dm, const void *buf, u32 len)
{
	struct dm_host_msg m;
	enum dm_verdict v;

	v = dm_check_msg(buf, len, &m);
	if (v != DM_OK) {
		hv_dm_refuse(dm, v, &m, len);
		return;
	}

	switch (m.type) {
	case DM_VERSION_RESPONSE:
	case DM_CAPABILITIES_RESPONSE:
		/* Only the answer negotiation is waiting for counts. */
		if (!ol_xact_respond_kind(&dm->xact, m.type, &m, sizeof(m))) {
			atomic64_inc(&dm->stats.refused_state);
			pr_warn_ratelimited("refused unsolicited %s\n",
					    dm_msg_name(m.type));
			return;
		}
		/*
		 * A host may ask for memory as soon as it accepts our
		 * capabilities, in the packets behind this one, before the
		 * probe thread runs again.
		 */
		if (m.type == DM_CAPABILITIES_RESPONSE && m.accepted)
			WRITE_ONCE(dm->state, HV_DM_IDLE);
		break;
	case DM_INFO_MESSAGE:
		if (m.info.has_max_page_cnt) {
			dm->max_dynamic_page_count = m.info.max_page_cnt;
			pr_info_ratelimited("Max. dynamic memory size: %llu MB\n",
					    m.info.max_page_cnt >>
					    (20 - DM_PAGE_SHIFT));
		}
		break;
	default:
		hv_dm_queue(dm, &m);
	}
}

static void hv_dm_on_channel(void *ctx)
{
	struct hv_dm *dm = ctx;
	u32 len;
	u64 rid;
	int ret;

	for (;;) {
		ret = vmbus_recvpacket(dm->hdev->channel, dm->recv_buf,
				       HV_DM_RECV_SIZE, &len, &rid);
		if (ret) {
			/* The packet stays in the ring; do not spin on it. */
			atomic64_inc(&dm->stats.refused[DM_BAD_LENGTH]);
			pr_warn_ratelimited("unreadable packet: %d\n", ret);
			return;
		}
		if (!len)
			return;
		hv_dm_handle(dm, dm->recv_buf, len);
	}
}

/*
 * Send @msg and wait for the host's @answer: 0 when it accepts, -EPROTO
 * when it refuses, -ETIMEDOUT, or -ECANCELED when the channel closes.
 */
static int hv_dm_ask(struct hv_dm *dm, const void *msg, u32 len, u16 answer)
{
	struct dm_host_msg resp;
	struct ol_xact *x;
	u32 resp_len;
	int ret;

	x = ol_xact_get_kind(&dm->xact, answer, &resp, sizeof(resp));
	if (!x)
		return -ECANCELED;
	ret = hv_dm_send(dm, msg, len);
	if (!ret)
		ret = ol_xact_wait(x, HV_DM_HOST_WAIT_MS, &resp_len);
	ol_xact_put(x);
	if (ret)
		return ret;
	return resp.accepted ? 0 : -EPROTO;
}

static int hv_dm_negotiate(struct hv_dm *dm)
{
	struct dm_version_request vreq;
	struct dm_capabilities caps;
	u32 ver = DM_VERSION_2_0;
	int ret;

	for (;;) {
		dm_build_version_request(&vreq, ver, hv_dm_next_trans(dm));
		ret = hv_dm_ask(dm, &vreq, sizeof(vreq), DM_VERSION_RESPONSE);
		if (!ret)
			break;
		ver = dm_next_version(ver);
		if (ret != -EPROTO || !ver) {
			pr_err("no protocol version agreed with the host: %d\n",
			       ret);
			return ret;
		}
	}
	dm->version = ver;
	pr_info("Using Dynamic Memory protocol version %u.%u\n",
		DM_VERSION_MAJOR(ver), DM_VERSION_MINOR(ver));

	/*
	 * The hot-add alignment is the memory block size, log2 in MiB: the
	 * kernel adds memory in whole blocks only. Hosts want the balloon and
	 * hot-add bits even when we will refuse the requests.
	 */
	dm_build_capabilities(&caps, PAGE_SIZE == 4096,
			      hv_dm_hot_add_possible(),
			      ilog2((dm->ha_chunk_pages << PAGE_SHIFT) >> 20),
			      hv_dm_next_trans(dm));
	ret = hv_dm_ask(dm, &caps, sizeof(caps), DM_CAPABILITIES_RESPONSE);
	if (ret)
		pr_err("capabilities not accepted by the host: %d\n", ret);
	return ret;
}

static int hv_dm_connect(struct hv_dm *dm)
{
	struct hv_device *hdev = dm->hdev;
	int ret;

	dm->state = HV_DM_INITIALIZING;
	dm->closing = false;
	ol_xact_resume(&dm->xact);
	hdev->channel->max_pkt_size = HV_DM_RECV_SIZE;
	ret = vmbus_open(hdev->channel, HV_DM_RING_SIZE, HV_DM_RING_SIZE,
			 NULL, 0, hv_dm_on_channel, dm);
	if (ret)
		return ret;
	ret = hv_dm_negotiate(dm);
	if (ret)
		goto close;
	WRITE_ONCE(dm->state, HV_DM_IDLE);
	ret = hv_dm_status_start(dm);
	if (ret)
		goto close;
	return 0;
close:
	dm->state = HV_DM_ERROR;
	vmbus_close(hdev->channel);
	return ret;
}

/* Finish queued requests, which still answer the host, then close. */
static void hv_dm_disconnect(struct hv_dm *dm)
{
	unsigned long flags;

	spin_lock_irqsave(&dm->job_lock, flags);
	dm->closing = true;
	spin_unlock_irqrestore(&dm->job_lock, flags);
	ol_xact_cancel_all(&dm->xact);
	drain_workqueue(dm->wq);
	hv_dm_status_stop(dm);
	vmbus_close(dm->hdev->channel);
	dm->state = HV_DM_ERROR;
}

static void hv_dm_free(struct hv_dm *dm)
{
	unsigned int i;

	if (dm->wq)
		destroy_workqueue(dm->wq);
	if (dm->fill_wq)
		destroy_workqueue(dm->fill_wq);
	for (i = 0; i < ARRAY_SIZE(dm->fill_buf); i++)
		kfree(dm->fill_buf[i]);
	kfree(dm->recv_buf);
	kfree(dm->send_buf);
	kfree(dm);
}

static int hv_dm_probe(struct hv_device *hdev,
		       const struct hv_vmbus_device_id *id)
{
	bool s4 = hv_dm_honour_s4 && hv_is_hibernation_supported();
	struct hv_dm *dm;
	unsigned int i;
	int ret;

	if (hv_dm_dev)
		return -EBUSY;	/* one host, one balloon: hooks are global */
	dm = kzalloc(sizeof(*dm), GFP_KERNEL);
	if (!dm)
		return -ENOMEM;
	dm->hdev = hdev;
	atomic_set(&dm->trans_id, 0);
	ol_xact_ctx_init(&dm->xact, 0);
	init_completion(&dm->status_kick);
	mutex_init(&dm->status_lock);
	spin_lock_init(&dm->balloon_lock);
	spin_lock_init(&dm->ha_lock);
	spin_lock_init(&dm->job_lock);
	INIT_LIST_HEAD(&dm->ballooned);
	INIT_LIST_HEAD(&dm->regions);
	dm->balloon_ok = PAGE_SIZE == 4096 && !s4;
	dm->recv_buf = kmalloc(HV_DM_RECV_SIZE, GFP_KERNEL);
	dm->send_buf = kmalloc(DM_MAX_MSG_SIZE, GFP_KERNEL);
	dm->wq = alloc_ordered_workqueue("hv_balloon", 0);
	dm->fill_wq = alloc_workqueue("hv_balloon_fill", WQ_UNBOUND,
				      ARRAY_SIZE(dm->fill_buf));
	if (!dm->recv_buf || !dm->send_buf || !dm->wq || !dm->fill_wq) {
		ret = -ENOMEM;
		goto free;
	}
	for (i = 0; i < ARRAY_SIZE(dm->fill_buf); i++) {
		dm->fill_buf[i] = kmalloc(DM_MAX_MSG_SIZE, GFP_KERNEL);
		if (!dm->fill_buf[i]) {
			ret = -ENOMEM;
			goto free;
		}
	}

	ret = hv_dm_hot_add_init(dm);
	if (ret)
		goto free;
	if (s4) {
		dm->hot_add_ok = false;
		pr_info("VM can hibernate: balloon and hot-add requests will be refused\n");
	}
	hv_set_drvdata(hdev, dm);
	ret = hv_dm_connect(dm);
	if (ret)
		goto unhook;
	hv_dm_dev = dm;
	hv_dm_reporting_start(dm);
	hv_dm_debugfs_init(dm);
	return 0;
unhook:
	hv_dm_hot_add_exit(dm);
free:
	hv_dm_free(dm);
	return ret;
}

static void hv_dm_remove(struct hv_device *hdev)
{
	struct hv_dm *dm = hv_get_drvdata(hdev);

	hv_dm_debugfs_exit(dm);
	hv_dm_reporting_stop(dm);
	if (dm->state != HV_DM_ERROR)
		hv_dm_disconnect(dm);
	/* The host can no longer ask for them, so the guest gets them. */
	hv_dm_return_all(dm);
	hv_dm_hot_add_exit(dm);
	hv_dm_dev = NULL;
	hv_dm_free(dm);
}

static OL_HV_REMOVE_RET hv_dm_remove_cb(struct hv_device *hdev)
{
	hv_dm_remove(hdev);
	return OL_HV_REMOVE_DONE;
}

/*
 * The host that resumes us knows nothing of pages ballooned for this one,
 * so they go back to the guest before the image is written.
 */
static int hv_dm_suspend(struct hv_device *hdev)
{
	struct hv_dm *dm = hv_get_drvdata(hdev);

	if (dm->state != HV_DM_ERROR)
		hv_dm_disconnect(dm);
	hv_dm_return_all(dm);
	return 0;
}

static int hv_dm_resume(struct hv_device *hdev)
{
	return hv_dm_connect(hv_get_drvdata(hdev));
}

static const struct hv_vmbus_device_id hv_dm_ids[] = {
	{ HV_DM_GUID, },
	{ },
};
MODULE_DEVICE_TABLE(vmbus, hv_dm_ids);

static struct hv_driver hv_dm_driver = {
	.name = "hv_balloon",
	.id_table = hv_dm_ids,
	.probe = hv_dm_probe,
	.remove = hv_dm_remove_cb,
	.suspend = hv_dm_suspend,
	.resume = hv_dm_resume,
	.driver = {
		.probe_type = PROBE_PREFER_ASYNCHRONOUS,
	},
};

static int __init hv_dm_init(void)
{
	return vmbus_driver_register(&hv_dm_driver);
}

static void __exit hv_dm_exit(void)
{
	vmbus_driver_unregister(&hv_dm_driver);
}

module_init(hv_dm_init);
module_exit(hv_dm_exit);

MODULE_DESCRIPTION("Hyper-V Dynamic Memory (balloon and hot-add), openlis");
MODULE_LICENSE("GPL");
MODULE_VERSION(OPENLIS_VERSION);
