// SPDX-License-Identifier: GPL-2.0
/*
 * The Scsi_Host of hv_storvsc: one blk-mq hardware queue per open channel,
 * each CPU's queue the channel that interrupts that CPU where there is
 * one; an SRB goes on its queue's channel, or on the channel with the
 * most room when that ring is full. The data travels as one multi-page
 * range of 4 KiB frames (the virt boundary keeps every segment but the
 * first and last whole pages). Answers are held to what the request
 * asked (vstor_check_io()) before any field is used; SRB status and
 * sense become SCSI results as Hyper-V's guests expect: a capacity or
 * parameter change rescans the LUN and retries, an invalid LUN removes
 * it, a bus change rescans the host. A command the host never answers
 * times out into the midlayer's recovery, whose host reset sends
 * RESET_BUS and waits for it with a deadline; a reset the host does not
 * answer fails, and the midlayer then fails the commands: every command
 * ends.
 *
 * An answer names its command by blk-mq's unique tag and a generation
 * (vstor_check.h). The command's id is cleared by whoever takes the
 * answer first (cmpxchg), so one SRB completes once: a repeated, late or
 * forged answer finds no id to match and is dropped.
 *
 * The IDE class (generation 1 VMs' boot disks) speaks the same VMSTOR on
 * its primary channel alone, and carries the one disk its instance id
 * names, added directly rather than found by a scan.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blk-mq.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_dbg.h>
#include <scsi/scsi_devinfo.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_eh.h>
#include <scsi/scsi_host.h>
#include <scsi/scsi_tcq.h>

#include "hv_storvsc.h"

static unsigned int io_timeout_s = 180;
module_param(io_timeout_s, uint, 0444);
MODULE_PARM_DESC(io_timeout_s, "seconds before a command the host has not answered times out");

#define STV_MAX_TARGETS		2
#define STV_MAX_LUNS		255
/* An IDE controller's disk: its target from the instance id, LUN 0. */
#define STV_IDE_MAX_TARGETS	1
#define STV_IDE_MAX_LUNS	64

enum stv_class { STV_CLASS_SCSI, STV_CLASS_IDE };
#define STV_MAX_CDB		16
/*
 * Requests one ring holds: its bytes over a typical SRB packet (the
 * packet, a multi-page header and a few page numbers).
 */
#define STV_QUEUE_DEPTH		(STV_RING_SIZE / 384)

struct stv_lun_work {
	struct work_struct work;
	struct Scsi_Host *shost;
	u8 target;
	u8 lun;
	bool remove;
};

/* Rescan (or remove) one LUN, from the host's answer to an SRB. */
static void stv_lun_work(struct work_struct *work)
{
	struct stv_lun_work *w = container_of(work, struct stv_lun_work, work);
	struct scsi_device *sdev;

	sdev = scsi_device_lookup(w->shost, 0, w->target, w->lun);
	if (sdev) {
		if (w->remove)
			scsi_remove_device(sdev);
		else
			scsi_rescan_device(sdev);
		scsi_device_put(sdev);
	}
	scsi_host_put(w->shost);
	kfree(w);
}

static void stv_queue_lun_work(struct stv_dev *dev, struct scsi_device *sdev,
			       bool remove)
{
	struct stv_lun_work *w;

	if (READ_ONCE(dev->removing) || !scsi_host_get(dev->shost))
		return;
	w = kzalloc(sizeof(*w), GFP_ATOMIC);
	if (!w) {
		scsi_host_put(dev->shost);
		return;
	}
	INIT_WORK(&w->work, stv_lun_work);
	w->shost = dev->shost;
	w->target = sdev->id;
	w->lun = sdev->lun;
	w->remove = remove;
	queue_work(dev->wq, &w->work);
}

/*
 * A LUN came or went: every known LUN gets a TEST UNIT READY (one that is
 * gone answers INVALID_LUN and is removed), then the host is scanned for
 * new ones.
 */
static void stv_scan_work(struct work_struct *work)
{
	struct stv_dev *dev = container_of(work, struct stv_dev, scan_work);
	struct Scsi_Host *shost = dev->shost;
	struct scsi_device *sdev;

	if (READ_ONCE(dev->removing))
		return;
	mutex_lock(&shost->scan_mutex);
	shost_for_each_device(sdev, shost)
		scsi_test_unit_ready(sdev, 10 * HZ, 1, NULL);
	mutex_unlock(&shost->scan_mutex);
	scsi_scan_host(shost);
}

void stv_bus_changed(struct stv_dev *dev)
{
	if (!READ_ONCE(dev->removing))
		queue_work(dev->wq, &dev->scan_work);
}

/* SRB status and sense to the command's result, as Hyper-V's guests read them. */
static void stv_result(struct stv_dev *dev, struct scsi_cmnd *scmd,
		       const struct vstor_srb *srb, u32 *moved)
{
	u8 st = VSTOR_SRB_STATUS(srb->srb_status);
	bool sense = srb->srb_status & VSTOR_SRB_AUTOSENSE_VALID;
	struct scsi_sense_hdr hdr;

	scmd->result = srb->scsi_status;
	if (sense && srb->scsi_status == SAM_STAT_CHECK_CONDITION)
		memcpy(scmd->sense_buffer, srb->sense, srb->sense_length);
	if (st == VSTOR_SRB_SUCCESS)
		return;
	/* the host mishandles these; their failures are not the disk's */
	switch (scmd->cmnd[0]) {
	case INQUIRY:
	case MODE_SENSE:
	case MODE_SENSE_10:
		scmd->result = 0;
		return;
	}
	if (st != VSTOR_SRB_DATA_OVERRUN)
		*moved = 0;
	switch (st) {
	case VSTOR_SRB_INVALID_LUN:
		set_host_byte(scmd, DID_NO_CONNECT);
		stv_queue_lun_work(dev, scmd->device, true);
		return;
	case VSTOR_SRB_ERROR:
	case VSTOR_SRB_ABORTED:
	case VSTOR_SRB_INVALID_REQUEST:
	case VSTOR_SRB_INTERNAL_ERROR:
	case VSTOR_SRB_TIMEOUT:
	case VSTOR_SRB_SELECTION_TIMEOUT:
	case VSTOR_SRB_BUS_RESET:
	case VSTOR_SRB_DATA_OVERRUN:
		break;
	default:
		set_host_byte(scmd, DID_ERROR);
		return;
	}
	if (sense && scsi_normalize_sense(scmd->sense_buffer,
					  SCSI_SENSE_BUFFERSIZE, &hdr)) {
		/* capacity changed, or parameters (but not these two) */
		if ((hdr.asc == 0x2a && hdr.ascq == 0x09) ||
		    (hdr.asc == 0x3f && hdr.ascq != 0x03 && hdr.ascq != 0x0e)) {
			stv_queue_lun_work(dev, scmd->device, false);
			set_host_byte(scmd, DID_REQUEUE);
		}
		/* any other sense: the midlayer reads it */
		return;
	}
	/* a TEST UNIT READY error is the midlayer's to judge */
	if (scmd->cmnd[0] != TEST_UNIT_READY)
		set_host_byte(scmd, DID_ERROR);
}

void stv_io_done(struct stv_chan *c, u32 unique_tag, u64 id,
		 const struct vstor_packet *p, u32 len)
{
	struct stv_dev *dev = c->dev;
	struct vstor_io_expect want;
	struct scsi_cmnd *scmd;
	enum vstor_verdict v;
	struct stv_cmd *cmd;
	u32 moved;

	/* before the host is added there are no tags to find */
	scmd = smp_load_acquire(&dev->io_ready) ?
	       scsi_host_find_tag(dev->shost, unique_tag) : NULL;
	if (!scmd) {
		stv_bad(c, VSTOR_BAD_ID, id);
		return;
	}
	cmd = scsi_cmd_priv(scmd);
	if (READ_ONCE(cmd->id) != id || cmpxchg64(&cmd->id, id, 0) != id) {
		stv_bad(c, VSTOR_BAD_ID, id);
		return;
	}
	atomic_dec(&dev->chans[cmd->chan].inflight);
	want.version = dev->version;
	want.length = scsi_bufflen(scmd);
	want.sense_size = SCSI_SENSE_BUFFERSIZE;
	v = vstor_check_io(p, len, &want);
	scsi_dma_unmap(scmd);
	if (v != VSTOR_OK) {
		/* the SRB ends, on nothing the host said: the midlayer retries */
		stv_bad(c, v, id);
		atomic64_inc(&c->errors);
		scmd->result = DID_ERROR << 16;
		scsi_set_resid(scmd, scsi_bufflen(scmd));
		scsi_done(scmd);
		return;
	}
	moved = p->srb.transfer_length;
	if (VSTOR_SRB_STATUS(p->srb.srb_status) != VSTOR_SRB_SUCCESS)
		atomic64_inc(&c->errors);
	stv_result(dev, scmd, &p->srb, &moved);
	scsi_set_resid(scmd, scsi_bufflen(scmd) - moved);
	scsi_done(scmd);
}

/* The open channel with the most room to write, other than @skip. */
static struct stv_chan *stv_least_busy(struct stv_dev *dev, unsigned int skip)
{
	unsigned int i, n = stv_nr_chans(dev);
	struct stv_chan *best = NULL;
	u32 room, most = 0;

	for (i = 0; i < n; i++) {
		if (i == skip)
			continue;
		room = hv_get_bytes_to_write(&dev->chans[i].chan->outbound);
		if (room > most) {
			most = room;
			best = &dev->chans[i];
		}
	}
	return best;
}

static int stv_send(struct stv_chan *c, struct vstor_packet *p,
		    struct vmbus_packet_mpb_array *mpb, u32 mpb_size, u64 id)
{
	if (!mpb)
		return vmbus_sendpacket(c->chan, p, sizeof(*p), id,
					VM_PKT_DATA_INBAND,
					VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	return vmbus_sendpacket_mpb_desc(c->chan, mpb, mpb_size, p, sizeof(*p),
					 id);
}

/*
 * The page list of the command's data: one range from the first
 * segment's offset, every 4 KiB frame the segments cover, in order.
 */
static int stv_map(struct scsi_cmnd *scmd, struct stv_cmd *cmd,
		   struct vmbus_packet_mpb_array **mpbp, u32 *sizep)
{
	u32 len = scsi_bufflen(scmd), off, frames, i = 0;
	struct vmbus_packet_mpb_array *mpb;
	struct scatterlist *sg;
	u64 frame, end;
	int n, j;

	n = scsi_dma_map(scmd);
	if (n <= 0)
		return n ? n : -EINVAL;
	off = offset_in_hvpage(sg_dma_address(scsi_sglist(scmd)));
	frames = HVPFN_UP(off + len);
	*sizep = struct_size(mpb, range.pfn_array, frames);
	/* a short list sits in the command, the header in front */
	BUILD_BUG_ON(sizeof(*mpb) > sizeof(cmd->pfns));
	if (*sizep <= sizeof(cmd->pfns))
		mpb = (void *)cmd->pfns;
	else
		mpb = kmalloc(*sizep, GFP_ATOMIC);
	if (!mpb) {
		scsi_dma_unmap(scmd);
		return -ENOMEM;
	}
	mpb->rangecount = 1;
	mpb->range.len = len;
	mpb->range.offset = off;
	scsi_for_each_sg(scmd, sg, n, j) {
		frame = HVPFN_DOWN(sg_dma_address(sg));
		end = HVPFN_UP(sg_dma_address(sg) + sg_dma_len(sg));
		for (; frame < end && i < frames; frame++)
			mpb->range.pfn_array[i++] = frame;
	}
	*mpbp = mpb;
	return 0;
}

static void stv_free_list(struct stv_cmd *cmd,
			  struct vmbus_packet_mpb_array *mpb)
{
	if (mpb && (void *)mpb != (void *)cmd->pfns)
		kfree(mpb);
}

static void stv_build_srb(struct stv_dev *dev, struct scsi_cmnd *scmd,
			  struct vstor_packet *p)
{
	struct vstor_srb *srb = &p->srb;
	struct scsi_device *sdev = scmd->device;

	memset(p, 0, sizeof(*p));
	p->hdr.operation = VSTOR_OP_EXECUTE_SRB;
	p->hdr.flags = VSTOR_FLAG_REQUEST_COMPLETION;
	srb->length = VSTOR_SRB_SIZE;
	srb->port = dev->shost->host_no;
	srb->path_id = sdev->channel;
	srb->target_id = sdev->id;
	srb->lun = sdev->lun;
	srb->cdb_length = scmd->cmd_len;
	memcpy(srb->cdb, scmd->cmnd, min_t(u32, scmd->cmd_len, VSTOR_CDB_MAX));
	srb->sense_length = VSTOR_SENSE_MAX;
	srb->transfer_length = scsi_bufflen(scmd);
	srb->time_out_value = VSTOR_SRB_TIMEOUT_S;
	srb->srb_flags = VSTOR_SRB_FLAGS_DISABLE_SYNCH_TRANSFER;
	if (sdev->tagged_supported) {
		srb->srb_flags |= VSTOR_SRB_FLAGS_QUEUE_ACTION_ENABLE |
				  VSTOR_SRB_FLAGS_NO_QUEUE_FREEZE;
		srb->queue_tag = VSTOR_SP_UNTAGGED;
		srb->queue_action = VSTOR_SRB_SIMPLE_TAG_REQUEST;
	}
	switch (scmd->sc_data_direction) {
	case DMA_TO_DEVICE:
		srb->data_in = VSTOR_DATA_WRITE;
		srb->srb_flags |= VSTOR_SRB_FLAGS_DATA_OUT;
		break;
	case DMA_FROM_DEVICE:
		srb->data_in = VSTOR_DATA_READ;
		srb->srb_flags |= VSTOR_SRB_FLAGS_DATA_IN;
		break;
	default:
		srb->data_in = VSTOR_DATA_NONE;
		break;
	}
}

static STV_QC_RET stv_queuecommand(struct Scsi_Host *shost,
				   struct scsi_cmnd *scmd)
{
	struct stv_dev *dev = stv_of(shost);
	struct stv_cmd *cmd = scsi_cmd_priv(scmd);
	struct vmbus_packet_mpb_array *mpb = NULL;
	u32 utag = blk_mq_unique_tag(scsi_cmd_to_rq(scmd));
	struct stv_chan *c;
	struct vstor_packet p;
	u32 mpb_size = 0;
	u64 id;
	int ret;

	if (scmd->sc_data_direction == DMA_BIDIRECTIONAL ||
	    scmd->cmd_len > VSTOR_CDB_MAX) {
		scmd->result = DID_ERROR << 16;
		scsi_done(scmd);
		return 0;
	}
	c = stv_chan_get(dev, blk_mq_unique_tag_to_hwq(utag));
	if (!c)
		c = &dev->chans[0];
	stv_build_srb(dev, scmd, &p);
	if (scsi_bufflen(scmd)) {
		ret = stv_map(scmd, cmd, &mpb, &mpb_size);
		if (ret)
			return SCSI_MLQUEUE_DEVICE_BUSY;
	}
	id = vstor_io_id(utag, atomic_inc_return(&dev->gen));
	/* the answer may come before the send returns */
	cmd->chan = c->index;
	WRITE_ONCE(cmd->id, id);
	atomic_inc(&c->inflight);
	ret = stv_send(c, &p, mpb, mpb_size, id);
	if (ret == -EAGAIN) {
		struct stv_chan *o = stv_least_busy(dev, c->index);

		atomic_dec(&c->inflight);
		if (o) {
			c = o;
			cmd->chan = c->index;
			atomic_inc(&c->inflight);
			ret = stv_send(c, &p, mpb, mpb_size, id);
			if (ret)
				atomic_dec(&c->inflight);
		}
	} else if (ret) {
		atomic_dec(&c->inflight);
	}
	/* the ring holds its own copy of the page list */
	stv_free_list(cmd, mpb);
	if (ret) {
		WRITE_ONCE(cmd->id, 0);
		if (mpb)
			scsi_dma_unmap(scmd);
		return ret == -EAGAIN ? SCSI_MLQUEUE_HOST_BUSY :
					SCSI_MLQUEUE_DEVICE_BUSY;
	}
	atomic64_inc(&c->requests);
	atomic64_add(scsi_bufflen(scmd), &c->bytes);
	return 0;
}

/*
 * After RESET_BUS the host has answered or dropped every SRB: an answer
 * still to come is stale, and must not complete a retry of the command.
 */
static bool stv_forget(struct scsi_cmnd *scmd, void *data)
{
	struct stv_cmd *cmd = scsi_cmd_priv(scmd);
	struct stv_dev *dev = data;

	if (xchg(&cmd->id, 0))
		atomic_dec(&dev->chans[cmd->chan].inflight);
	return true;
}

static int stv_host_reset(struct scsi_cmnd *scmd)
{
	struct stv_dev *dev = stv_of(scmd->device->host);

	dev_warn(&dev->hdev->device, "host reset: RESET_BUS\n");
	if (stv_reset_bus(dev))
		return FAILED;
	scsi_host_busy_iter(dev->shost, stv_forget, dev);
	return SUCCESS;
}

static int stv_sdev_init(struct scsi_device *sdev)
{
	/* the host reports LUNs, and its disks have VPD pages past SPC-2 */
	sdev->sdev_bflags = BLIST_REPORTLUN2 | BLIST_TRY_VPD_PAGES;
	return 0;
}

static int stv_sdev_configure(STV_SDEV_CONFIGURE_ARGS)
{
	struct stv_dev *dev = stv_of(sdev->host);

	blk_queue_rq_timeout(sdev->request_queue, io_timeout_s * HZ);
	sdev->no_report_opcodes = 1;
	/* WRITE SAME reaches the disk on Win10 hosts only */
	sdev->no_write_same = dev->version < VSTOR_VERSION_WIN10;
	return 0;
}

/*
 * Each CPU's queue is the channel that interrupts it, so that answers
 * come back where the request began; a CPU no open channel targets gets
 * the queue of its own number (whose channel may open later: until then
 * its SRBs go on the primary).
 */
static void stv_map_queues(struct Scsi_Host *shost)
{
	struct blk_mq_queue_map *qmap = &shost->tag_set.map[HCTX_TYPE_DEFAULT];
	struct stv_dev *dev = stv_of(shost);
	unsigned int cpu, q, n = min_t(unsigned int, stv_nr_chans(dev),
				      dev->nr_queues);

	for_each_possible_cpu(cpu) {
		for (q = 0; q < n; q++)
			if (READ_ONCE(dev->chans[q].chan->target_cpu) == cpu)
				break;
		if (q == n)
			q = cpu % dev->nr_queues;
		qmap->mq_map[cpu] = qmap->queue_offset + q;
	}
}

static struct scsi_host_template stv_template = {
	.module			= THIS_MODULE,
	.name			= "hv_storvsc",
	.proc_name		= "hv_storvsc",
	.cmd_size		= sizeof(struct stv_cmd),
	.queuecommand		= stv_queuecommand,
	.eh_host_reset_handler	= stv_host_reset,
	STV_SDEV_HOOKS(stv_sdev_init, stv_sdev_configure),
	.map_queues		= stv_map_queues,
	.this_id		= -1,
	.virt_boundary_mask	= HV_HYP_PAGE_SIZE - 1,
	.no_write_same		= 1,
	.track_queue_depth	= 1,
};

static int stv_probe(struct hv_device *hdev,
		     const struct hv_vmbus_device_id *id)
{
	struct Scsi_Host *shost;
	struct stv_dev *dev;
	unsigned int target;
	int ret;

	shost = scsi_host_alloc(&stv_template, sizeof(*dev));
	if (!shost)
		return -ENOMEM;
	dev = stv_of(shost);
	memset(dev, 0, sizeof(*dev));
	dev->hdev = hdev;
	dev->shost = shost;
	dev->ide = id->driver_data == STV_CLASS_IDE;
	ol_xact_ctx_init(&dev->xact, VSTOR_ID_CONTROL);
	mutex_init(&dev->sc_lock);
	init_waitqueue_head(&dev->sc_wait);
	INIT_WORK(&dev->scan_work, stv_scan_work);
	hv_set_drvdata(hdev, dev);
	dma_set_min_align_mask(&hdev->device, HV_HYP_PAGE_SIZE - 1);

	dev->wq = alloc_ordered_workqueue("hv_storvsc_%u", 0, shost->host_no);
	if (!dev->wq) {
		ret = -ENOMEM;
		goto err_put;
	}
	ret = stv_connect(dev);
	if (ret)
		goto err_wq;

	/* a queue for each channel asked for, open yet or not */
	dev->nr_queues = dev->want_sub + 1;
	shost->nr_hw_queues = dev->nr_queues;
	shost->can_queue = STV_QUEUE_DEPTH;
	shost->cmd_per_lun = STV_QUEUE_DEPTH;
	shost->max_id = dev->ide ? STV_IDE_MAX_TARGETS : STV_MAX_TARGETS;
	shost->max_lun = dev->ide ? STV_IDE_MAX_LUNS : STV_MAX_LUNS;
	shost->max_channel = 0;
	shost->max_cmd_len = STV_MAX_CDB;
	shost->max_sectors = dev->max_xfer >> 9;
	/* every frame, and one more when the data does not start on one */
	shost->sg_tablesize = (dev->max_xfer >> HV_HYP_PAGE_SHIFT) + 1;

	stv_stats_init(dev);
	ret = scsi_add_host(shost, &hdev->device);
	if (ret)
		goto err_stats;
	/* the tag set is whole before an answer may look in it */
	smp_store_release(&dev->io_ready, true);
	if (!dev->ide) {
		scsi_scan_host(shost);
		return 0;
	}
	/*
	 * The IDE device is one disk, whose target the host names in the
	 * instance id (bytes 4 and 5, little endian); the SRB carries 8 bits.
	 */
	target = hdev->dev_instance.b[5] << 8 | hdev->dev_instance.b[4];
	if (target > U8_MAX) {
		dev_err(&hdev->device, "IDE target %u: out of range\n", target);
		ret = -EINVAL;
		goto err_host;
	}
	ret = scsi_add_device(shost, 0, target, 0);
	if (ret)
		goto err_host;
	return 0;

err_host:
	WRITE_ONCE(dev->removing, true);
	cancel_work_sync(&dev->scan_work);
	flush_workqueue(dev->wq);
	scsi_remove_host(shost);
	WRITE_ONCE(dev->io_ready, false);
err_stats:
	stv_stats_exit(dev);
	stv_disconnect(dev);
err_wq:
	destroy_workqueue(dev->wq);
err_put:
	hv_set_drvdata(hdev, NULL);
	scsi_host_put(shost);
	return ret;
}

static OL_HV_REMOVE_RET stv_remove(struct hv_device *hdev)
{
	struct stv_dev *dev = hv_get_drvdata(hdev);
	struct Scsi_Host *shost = dev->shost;

	WRITE_ONCE(dev->removing, true);
	cancel_work_sync(&dev->scan_work);
	flush_workqueue(dev->wq);
	scsi_remove_host(shost);
	WRITE_ONCE(dev->io_ready, false);
	destroy_workqueue(dev->wq);
	stv_stats_exit(dev);
	stv_disconnect(dev);
	hv_set_drvdata(hdev, NULL);
	scsi_host_put(shost);
	return OL_HV_REMOVE_DONE;
}

/* SRBs on every channel; waited for before the channels close. */
static unsigned int stv_inflight(struct stv_dev *dev)
{
	unsigned int i, n = 0;

	for (i = 0; i < stv_nr_chans(dev); i++)
		n += atomic_read(&dev->chans[i].inflight);
	return n;
}

/*
 * Hibernation: the host forgets the channels, so they close here once the
 * SRBs in flight are answered (for a while: then they are given up, and
 * their commands time out after the restore into the usual recovery),
 * and open again, with VMSTOR initialized anew, on resume. The queues
 * keep their number; one whose channel did not come back uses the
 * primary.
 */
static int stv_suspend(struct hv_device *hdev)
{
	struct stv_dev *dev = hv_get_drvdata(hdev);
	unsigned long end = jiffies + 30 * HZ;

	while (stv_inflight(dev) && time_before(jiffies, end))
		msleep(20);
	if (stv_inflight(dev))
		dev_warn(&hdev->device, "suspend with %u SRBs unanswered\n",
			 stv_inflight(dev));
	flush_workqueue(dev->wq);
	stv_disconnect(dev);
	return 0;
}

static int stv_resume(struct hv_device *hdev)
{
	return stv_connect(hv_get_drvdata(hdev));
}

static const struct hv_vmbus_device_id stv_ids[] = {
	{ HV_SCSI_GUID, .driver_data = STV_CLASS_SCSI },
	{ HV_IDE_GUID, .driver_data = STV_CLASS_IDE },
	{ },
};
MODULE_DEVICE_TABLE(vmbus, stv_ids);

static struct hv_driver stv_driver = {
	.name = KBUILD_MODNAME,
	.id_table = stv_ids,
	.probe = stv_probe,
	.remove = stv_remove,
	.suspend = stv_suspend,
	.resume = stv_resume,
	.driver = {
		.probe_type = PROBE_PREFER_ASYNCHRONOUS,
	},
};

static int __init stv_init(void)
{
	int ret;

	stv_stats_module_init();
	ret = vmbus_driver_register(&stv_driver);
	if (ret)
		stv_stats_module_exit();
	return ret;
}

static void __exit stv_exit(void)
{
	vmbus_driver_unregister(&stv_driver);
	stv_stats_module_exit();
}

module_init(stv_init);
module_exit(stv_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("openlis: Hyper-V synthetic SCSI controller");
MODULE_VERSION(OPENLIS_VERSION);
