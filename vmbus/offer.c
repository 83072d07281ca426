// SPDX-License-Identifier: GPL-2.0
/*
 * Channel offers and rescinds: turning the host's offers into channels and
 * devices, sub-channels into callbacks, and rescinds into removals.
 *
 * Locking: olvb.chan_mutex guards olvb.chans, olvb.primaries, every
 * primary's sc_list and each channel's rescind and state. Whoever takes a
 * channel off its list, under the mutex, owns the reference the list held
 * and frees the channel; anyone else who uses a channel after dropping the
 * mutex holds a kobject reference of their own (queued work does too). The
 * order is cpus_read_lock, then chan_mutex, then olvb.req_lock. Nobody
 * waits for dev_wq or sc_wq with chan_mutex held: their work takes it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/interrupt.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/cpu.h>
#include <linux/hyperv.h>
#include <asm/mshyperv.h>
#include <linux/sched/isolation.h>

#include "vmbus_priv.h"

struct vmbus_channel *olvb_relid2chan(u32 relid)
{
	if (relid >= OLVB_MAX_RELID || !olvb.chans)
		return NULL;
	return rcu_dereference(olvb.chans[relid]);
}

/* Interrupt context: run or queue the channel's callback. */
void olvb_chan_sched(struct vmbus_channel *ch)
{
	void (*cb)(void *context);

	spin_lock(&ch->sched_lock);
	cb = ch->onchannel_callback;
	if (!cb)
		goto out;
	ch->interrupts++;
	switch (ch->callback_mode) {
	case HV_CALL_ISR:
		cb(ch->channel_callback_context);
		break;
	case HV_CALL_BATCHED:
		/* The host need not interrupt again until we have caught up. */
		hv_begin_read(&ch->inbound);
		fallthrough;
	case HV_CALL_DIRECT:
		tasklet_schedule(&ch->callback_event);
		break;
	}
out:
	spin_unlock(&ch->sched_lock);
}

/* The device type behind a class GUID, as hv_device.device_id tells it. */
static const struct {
	u16 type;
	guid_t guid;
} olvb_dev_types[] = {
	{ HV_IDE, HV_IDE_GUID }, { HV_SCSI, HV_SCSI_GUID },
	{ HV_FC, HV_SYNTHFC_GUID }, { HV_NIC, HV_NIC_GUID },
	{ HV_ND, HV_ND_GUID }, { HV_PCIE, HV_PCIE_GUID },
	{ HV_FB, HV_SYNTHVID_GUID }, { HV_KBD, HV_KBD_GUID },
	{ HV_MOUSE, HV_MOUSE_GUID }, { HV_KVP, HV_KVP_GUID },
	{ HV_TS, HV_TS_GUID }, { HV_HB, HV_HEART_BEAT_GUID },
	{ HV_SHUTDOWN, HV_SHUTDOWN_GUID }, { HV_FCOPY, HV_FCOPY_GUID },
	{ HV_BACKUP, HV_VSS_GUID }, { HV_DM, HV_DM_GUID },
};

static u16 olvb_dev_type(const struct olvb_msg_offer *o)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(olvb_dev_types); i++)
		if (!memcmp(&olvb_dev_types[i].guid, o->if_type, UUID_SIZE))
			return olvb_dev_types[i].type;
	return HV_UNKNOWN;
}

/*
 * The channels of devices that carry I/O are spread over the online CPUs,
 * as the in-tree core spreads them: each primary on the next CPU in turn,
 * a sub-channel on the CPU its index away from its primary's, so that a
 * device's channels interrupt CPUs of their own and blk-mq or RSS queues
 * can follow them. The rest stay on CPU 0. A CPU that goes offline takes
 * no channel with it: synic.c refuses while one targets it.
 */
static bool olvb_spread_type(u16 type)
{
	switch (type) {
	case HV_IDE:
	case HV_SCSI:
	case HV_FC:
	case HV_NIC:
	case HV_ND:
	case HV_PCIE:
		return true;
	default:
		return false;
	}
}

/* The @n-th online CPU, counting round. */
static u32 olvb_nth_online_cpu(unsigned int n)
{
	unsigned int cpu, i = 0, want = n % num_online_cpus();

	for_each_online_cpu(cpu)
		if (i++ == want)
			return cpu;
	return 0;
}

/* The position of @cpu among the online CPUs (0 if it is not one). */
static unsigned int olvb_online_index(u32 cpu)
{
	unsigned int c, i = 0;

	for_each_online_cpu(c) {
		if (c == cpu)
			return i;
		i++;
	}
	return 0;
}

/* Under chan_mutex, which guards olvb_next_spread. */
static unsigned int olvb_next_spread;

static void olvb_choose_cpu(struct vmbus_channel *ch, struct vmbus_channel *p)
{
	lockdep_assert_held(&olvb.chan_mutex);
	if (!olvb_spread_type(ch->device_id))
		return;
	if (p)
		ch->target_cpu = olvb_nth_online_cpu(olvb_online_index(p->target_cpu) +
						     ch->offermsg.offer.sub_channel_index);
	else
		ch->target_cpu = olvb_nth_online_cpu(olvb_next_spread++);
}

/* The fields drivers and the signalling code take from the offer. */
void olvb_chan_take_offer(struct vmbus_channel *ch,
			  const struct olvb_msg_offer *o)
{
	ch->monitor_grp = o->monitorid / 32;
	ch->monitor_bit = o->monitorid % 32;
	ch->is_dedicated_interrupt = o->intr_flags & 1;
	ch->sig_event = o->connection_id;
	ch->device_id = olvb_dev_type(o);
}

/*
 * A channel and the work its offer and its rescind queue: at most one of
 * each per channel, allocated with it, so no host message allocates work
 * and none can be lost for want of memory. The kobject's release frees
 * the channel's pointer, which is this whole allocation.
 */
struct olvb_channel {
	struct vmbus_channel ch;
	struct work_struct probe_work;
	struct work_struct rescind_work;
};

static struct olvb_channel *olvb_chan_of(struct vmbus_channel *ch)
{
	return container_of(ch, struct olvb_channel, ch);
}

static void olvb_sc_work(struct work_struct *work);
static void olvb_dev_work(struct work_struct *work);
static void olvb_rescind_work(struct work_struct *work);

static struct vmbus_channel *olvb_alloc_channel(const struct olvb_msg_offer *o)
{
	struct olvb_channel *oc = kzalloc(sizeof(*oc), GFP_KERNEL);
	struct vmbus_channel *ch;

	BUILD_BUG_ON(offsetof(struct olvb_channel, ch) != 0);
	if (!oc)
		return NULL;
	ch = &oc->ch;
	INIT_WORK(&oc->probe_work, o->sub_channel_index ? olvb_sc_work :
							   olvb_dev_work);
	INIT_WORK(&oc->rescind_work, olvb_rescind_work);
	BUILD_BUG_ON(sizeof(ch->offermsg) != sizeof(*o));
	memcpy(&ch->offermsg, o, sizeof(*o));
	olvb_chan_take_offer(ch, o);
	INIT_LIST_HEAD(&ch->listentry);
	INIT_LIST_HEAD(&ch->sc_list);
	spin_lock_init(&ch->sched_lock);
	spin_lock_init(&ch->inbound.ring_lock);
	spin_lock_init(&ch->outbound.ring_lock);
	mutex_init(&ch->inbound.ring_buffer_mutex);
	mutex_init(&ch->outbound.ring_buffer_mutex);
	spin_lock_init(&ch->requestor.req_lock);
	init_completion(&ch->rescind_event);
	tasklet_init(&ch->callback_event, olvb_channel_tasklet,
		     (unsigned long)ch);
	kobject_init(&ch->kobj, &olvb_chan_ktype);
	ch->callback_mode = HV_CALL_BATCHED;
	/* Offered and closed, in the in-tree core's terms. */
	ch->state = CHANNEL_OPEN_STATE;
	ch->target_cpu = 0;
	ch->max_pkt_size = VMBUS_DEFAULT_MAX_PKT_SIZE;
	return ch;
}

/* The channel's kobject owns its memory: sysfs may still hold it. */
static void olvb_free_channel(struct vmbus_channel *ch)
{
	tasklet_kill(&ch->callback_event);
	kobject_put(&ch->kobj);
}

static struct vmbus_channel *olvb_find_primary(const struct olvb_msg_offer *o)
{
	struct vmbus_channel *p;

	list_for_each_entry(p, &olvb.primaries, listentry) {
		if (!memcmp(&p->offermsg.offer.if_type, o->if_type, 16) &&
		    !memcmp(&p->offermsg.offer.if_instance, o->if_instance, 16))
			return p;
	}
	return NULL;
}

static void olvb_sc_work(struct work_struct *work)
{
	struct vmbus_channel *ch = &container_of(work, struct olvb_channel,
						 probe_work)->ch;
	struct vmbus_channel *p = ch->primary_channel;

	if (p->device_obj)
		olvb_chan_sysfs_add(p->device_obj, ch);
	if (p->sc_creation_callback)
		p->sc_creation_callback(ch);
	ch->probe_done = true;
	kobject_put(&ch->kobj);
}

static void olvb_dev_work(struct work_struct *work)
{
	struct vmbus_channel *ch = &container_of(work, struct olvb_channel,
						 probe_work)->ch;

	if (olvb_device_add(ch))
		pr_err("could not add device for relid %u\n",
		       ch->offermsg.child_relid);
	ch->probe_done = true;
	kobject_put(&ch->kobj);
}

/* The work holds a reference to @ch, which its function drops. */
static void olvb_queue_chan_work(struct workqueue_struct *wq,
				 struct vmbus_channel *ch,
				 struct work_struct *work)
{
	kobject_get(&ch->kobj);
	/* Each is queued once; should one be pending still, it holds one. */
	if (!queue_work(wq, work))
		kobject_put(&ch->kobj);
}

static void olvb_on_offer(const struct olvb_msg_offer *o)
{
	u32 relid = o->child_relid;
	struct vmbus_channel *ch, *p = NULL;

	mutex_lock(&olvb.chan_mutex);
	if (rcu_access_pointer(olvb.chans[relid])) {
		olvb_count_drop(OLVB_DROP_OFFER_DUP);
		pr_warn_ratelimited("second offer for relid %u dropped\n",
				    relid);
		goto out;
	}
	if (o->sub_channel_index) {
		/* A rescinded primary is taking its sub-channels apart. */
		p = olvb_find_primary(o);
		if (!p || p->rescind) {
			olvb_count_drop(OLVB_DROP_NO_PRIMARY);
			pr_warn_ratelimited("sub-channel %u: no live primary\n",
					    relid);
			goto out;
		}
	} else if (olvb_pm_reoffer(o)) {
		goto out;
	}
	ch = olvb_alloc_channel(o);
	if (!ch) {
		/* Nothing knows the channel yet: the offer is just lost. */
		olvb_count_drop(OLVB_DROP_NOMEM);
		pr_warn_ratelimited("offer for relid %u dropped: no memory\n",
				    relid);
		goto out;
	}
	olvb_choose_cpu(ch, p);
	if (p) {
		ch->primary_channel = p;
		ch->device_obj = p->device_obj;
		list_add_tail(&ch->sc_list, &p->sc_list);
		rcu_assign_pointer(olvb.chans[relid], ch);
		olvb_queue_chan_work(olvb.sc_wq, ch,
				     &olvb_chan_of(ch)->probe_work);
	} else {
		list_add_tail(&ch->listentry, &olvb.primaries);
		rcu_assign_pointer(olvb.chans[relid], ch);
		olvb_queue_chan_work(olvb.dev_wq, ch,
				     &olvb_chan_of(ch)->probe_work);
	}
out:
	mutex_unlock(&olvb.chan_mutex);
}

static void olvb_send_relid_released(u32 relid)
{
	struct vmbus_channel_relid_released msg = {
		.header.msgtype = CHANNELMSG_RELID_RELEASED,
		.child_relid = relid,
	};

	if (olvb.connected)
		olvb_post(&msg, sizeof(msg));
}

/*
 * Take @ch off its list and its relid; false if someone already did. The
 * caller, under chan_mutex, then owns the list's reference: olvb_drop().
 */
static bool olvb_unlink(struct vmbus_channel *ch, bool *mapped)
{
	struct list_head *node = ch->primary_channel ? &ch->sc_list :
						       &ch->listentry;

	lockdep_assert_held(&olvb.chan_mutex);
	if (list_empty(node))
		return false;
	list_del_init(node);
	*mapped = olvb_has_relid(ch);
	if (*mapped)
		RCU_INIT_POINTER(olvb.chans[ch->offermsg.child_relid], NULL);
	return true;
}

/* After olvb_unlink(), without the mutex: no interrupt finds @ch after. */
static void olvb_drop(struct vmbus_channel *ch, bool mapped)
{
	synchronize_rcu();
	/* A relid from before hibernation may name another channel now. */
	if (ch->rescind && mapped)
		olvb_send_relid_released(ch->offermsg.child_relid);
	olvb_free_channel(ch);
}

/* Release the rescinded sub-channel @sc once it is closed. */
static void olvb_release_closed(struct vmbus_channel *sc)
{
	bool unlinked = false, mapped;

	mutex_lock(&olvb.chan_mutex);
	if (sc->rescind && sc->state != CHANNEL_OPENED_STATE)
		unlinked = olvb_unlink(sc, &mapped);
	mutex_unlock(&olvb.chan_mutex);
	if (unlinked)
		olvb_drop(sc, mapped);
}

/* The first sub-channel of @p still open or rescinded, with a reference. */
static struct vmbus_channel *olvb_next_to_close(struct vmbus_channel *p)
{
	struct vmbus_channel *sc;

	mutex_lock(&olvb.chan_mutex);
	list_for_each_entry(sc, &p->sc_list, sc_list) {
		if (sc->state == CHANNEL_OPENED_STATE || sc->rescind) {
			kobject_get(&sc->kobj);
			mutex_unlock(&olvb.chan_mutex);
			return sc;
		}
	}
	mutex_unlock(&olvb.chan_mutex);
	return NULL;
}

/*
 * vmbus_disconnect_ring(): close @p's sub-channels before @p itself. Each
 * leaves this closed and, if rescinded, released, so none comes twice.
 * The close sleeps, so the mutex is dropped around it.
 */
void olvb_close_subchannels(struct vmbus_channel *p)
{
	struct vmbus_channel *sc;

	while ((sc = olvb_next_to_close(p))) {
		/* Closed, its ring is the guest's alone: a next open makes another. */
		if (!olvb_close_one(sc))
			vmbus_free_ring(sc);
		/* A rescinded sub-channel waited for its close to go. */
		olvb_release_closed(sc);
		kobject_put(&sc->kobj);
	}
}

/*
 * Remove @ch's device, then its sub-channels and @ch itself. Each is taken
 * off its list in the same hold of the mutex that found it, and @ch with
 * the hold that found its list empty: no offer can join it after.
 */
static void olvb_remove_primary(struct vmbus_channel *ch)
{
	struct vmbus_channel *sc;
	bool unlinked, mapped;

	if (ch->device_obj)
		vmbus_device_unregister(ch->device_obj);
	for (;;) {
		mutex_lock(&olvb.chan_mutex);
		sc = list_first_entry_or_null(&ch->sc_list,
					      struct vmbus_channel, sc_list);
		if (!sc)
			break;
		olvb_unlink(sc, &mapped);
		mutex_unlock(&olvb.chan_mutex);
		olvb_drop(sc, mapped);
	}
	unlinked = olvb_unlink(ch, &mapped);
	mutex_unlock(&olvb.chan_mutex);
	if (unlinked)
		olvb_drop(ch, mapped);
}

static void olvb_rescind_work(struct work_struct *work)
{
	struct vmbus_channel *ch = &container_of(work, struct olvb_channel,
						 rescind_work)->ch;

	/* A sub-channel's creation callback must be done with it. */
	flush_workqueue(olvb.sc_wq);
	if (ch->chn_rescind_callback)
		/* hv_sock and uio tear the device down themselves. */
		ch->chn_rescind_callback(ch);
	else if (ch->primary_channel)
		/* An open one waits for its primary's close; ours may be gone. */
		olvb_release_closed(ch);
	else
		olvb_remove_primary(ch);
	/* The channel stays ours until here, whoever released it. */
	kobject_put(&ch->kobj);
}

/* @ch is rescinded: wake whoever waits on it and queue its removal. */
static void olvb_rescind_start(struct vmbus_channel *ch)
{
	complete_all(&ch->rescind_event);
	olvb_req_cancel_channel(ch);
	olvb_queue_chan_work(olvb.dev_wq, ch, &olvb_chan_of(ch)->rescind_work);
}

static void olvb_on_rescind(u32 relid)
{
	struct vmbus_channel *ch;

	/*
	 * No waiting for the device work here: a probe may be waiting for
	 * sub-channel offers queued behind this message. The removal is
	 * queued after the device's addition instead, and every request the
	 * channel has in flight, or starts from now on, fails at once.
	 */
	mutex_lock(&olvb.chan_mutex);
	ch = rcu_dereference_protected(olvb.chans[relid],
				       lockdep_is_held(&olvb.chan_mutex));
	if (!ch || ch->rescind) {
		mutex_unlock(&olvb.chan_mutex);
		olvb_count_drop(OLVB_DROP_RESCIND_UNKNOWN);
		pr_warn_ratelimited("rescind of unknown relid %u\n", relid);
		return;
	}
	ch->rescind = true;
	mutex_unlock(&olvb.chan_mutex);
	olvb_rescind_start(ch);
}

/*
 * Hibernation: an hv_sock connection cannot outlive the VMBus connection,
 * so each is rescinded as if the host had done it. The socket's owner
 * releases the channel when it closes.
 */
void olvb_rescind_hvsock(void)
{
	struct vmbus_channel *ch;

	mutex_lock(&olvb.chan_mutex);
	list_for_each_entry(ch, &olvb.primaries, listentry) {
		if (!is_hvsock_channel(ch) || ch->rescind)
			continue;
		ch->rescind = true;
		olvb_rescind_start(ch);
	}
	mutex_unlock(&olvb.chan_mutex);
}

/* Runs on the ordered message workqueue. */
void olvb_handle_offer_msg(const void *buf, u32 len, int type)
{
	switch (type) {
	case OLVB_MSG_OFFER:
		olvb_on_offer(buf);
		break;
	case OLVB_MSG_RESCIND:
		olvb_on_rescind(((const struct olvb_msg_relid *)buf)->child_relid);
		break;
	case OLVB_MSG_ALLOFFERS_DELIVERED:
		complete_all(&olvb.all_offers);
		break;
	}
}

/* Module exit: every device goes, then every channel. */
void olvb_remove_all(void)
{
	struct vmbus_channel *ch;

	flush_workqueue(olvb.msg_wq);
	flush_workqueue(olvb.dev_wq);
	flush_workqueue(olvb.sc_wq);
	for (;;) {
		mutex_lock(&olvb.chan_mutex);
		ch = list_first_entry_or_null(&olvb.primaries,
					      struct vmbus_channel, listentry);
		mutex_unlock(&olvb.chan_mutex);
		if (!ch)
			break;
		olvb_remove_primary(ch);
	}
}

void vmbus_set_sc_create_callback(struct vmbus_channel *primary_channel,
				  void (*sc_cr_cb)(struct vmbus_channel *new_sc))
{
	primary_channel->sc_creation_callback = sc_cr_cb;
}
EXPORT_SYMBOL_GPL(vmbus_set_sc_create_callback);

void vmbus_set_chn_rescind_callback(struct vmbus_channel *channel,
				    void (*chn_rescind_cb)(struct vmbus_channel *))
{
	channel->chn_rescind_callback = chn_rescind_cb;
}
EXPORT_SYMBOL_GPL(vmbus_set_chn_rescind_callback);

/* hv_sock, after closing a rescinded connection's channel. */
void vmbus_hvsock_device_unregister(struct vmbus_channel *channel)
{
	if (WARN_ON_ONCE(!is_hvsock_channel(channel)))
		return;
	/* Wait for the rescind we are about to act on to be fully seen. */
	while (!READ_ONCE(channel->probe_done) || !READ_ONCE(channel->rescind))
		usleep_range(1000, 2000);
	olvb_remove_primary(channel);
}
EXPORT_SYMBOL_GPL(vmbus_hvsock_device_unregister);

static bool olvb_find_ic_version(const struct icmsg_negotiate *neg, u32 first,
				 u32 count, const int *want, int nwant,
				 int *major, int *minor)
{
	int i;
	u32 j;

	for (i = 0; i < nwant; i++) {
		for (j = first; j < first + count; j++) {
			if (neg->icversion_data[j].major == (want[i] >> 16) &&
			    neg->icversion_data[j].minor == (want[i] & 0xffff)) {
				*major = neg->icversion_data[j].major;
				*minor = neg->icversion_data[j].minor;
				return true;
			}
		}
	}
	return false;
}

/*
 * Answer an integration-service version negotiation in place: pick the
 * first of our framework and service versions the host also lists.
 */
bool vmbus_prep_negotiate_resp(struct icmsg_hdr *icmsghdrp, u8 *buf,
			       u32 buflen, const int *fw_version, int fw_vercnt,
			       const int *srv_version, int srv_vercnt,
			       int *nego_fw_version, int *nego_srv_version)
{
	struct icmsg_negotiate *neg;
	int fw_major = 0, fw_minor = 0, srv_major = 0, srv_minor = 0;
	u32 nfw, nsrv;
	bool ok;

	if (buflen < ICMSG_HDR + offsetof(struct icmsg_negotiate, reserved)) {
		pr_err_ratelimited("short IC negotiation\n");
		return false;
	}
	icmsghdrp->icmsgsize = 0x10;
	neg = (struct icmsg_negotiate *)&buf[ICMSG_HDR];
	nfw = neg->icframe_vercnt;
	nsrv = neg->icmsg_vercnt;
	/* The host's counts decide how far we read: check them first. */
	ok = nfw <= IC_VERSION_NEGOTIATION_MAX_VER_COUNT &&
	     nsrv <= IC_VERSION_NEGOTIATION_MAX_VER_COUNT &&
	     ICMSG_NEGOTIATE_PKT_SIZE(nfw, nsrv) <= buflen;
	if (!ok)
		pr_err_ratelimited("bad IC negotiation counts %u/%u\n",
				   nfw, nsrv);
	ok = ok && olvb_find_ic_version(neg, 0, nfw, fw_version, fw_vercnt,
					&fw_major, &fw_minor);
	ok = ok && olvb_find_ic_version(neg, nfw, nsrv, srv_version,
					srv_vercnt, &srv_major, &srv_minor);
	if (!ok) {
		/* Report what the host offered back as "none of these". */
		fw_major = nfw;
		srv_major = nsrv;
		fw_minor = 0;
		srv_minor = 0;
	}
	/* The answer needs room for two versions, which the check covers. */
	if (buflen < ICMSG_NEGOTIATE_PKT_SIZE(1, 1))
		return false;
	neg->icframe_vercnt = ok;
	neg->icmsg_vercnt = ok;
	if (nego_fw_version)
		*nego_fw_version = fw_major << 16 | fw_minor;
	if (nego_srv_version)
		*nego_srv_version = srv_major << 16 | srv_minor;
	neg->icversion_data[0].major = fw_major;
	neg->icversion_data[0].minor = fw_minor;
	neg->icversion_data[1].major = srv_major;
	neg->icversion_data[1].minor = srv_minor;
	return ok;
}
EXPORT_SYMBOL_GPL(vmbus_prep_negotiate_resp);
