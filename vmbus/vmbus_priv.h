/* SPDX-License-Identifier: GPL-2.0 */
/* State shared between the files of openlis's VMBus core. */
#ifndef OPENLIS_VMBUS_PRIV_H
#define OPENLIS_VMBUS_PRIV_H

#include <linux/hyperv.h>
#include <linux/interrupt.h>
#include <linux/workqueue.h>
#include <linux/completion.h>
#include <linux/mutex.h>
/*
 * Not used here, but the in-tree core sees the types it defines: with
 * MODVERSIONS an exported symbol's CRC covers every type reachable from its
 * prototype, so we must see the same definitions for the CRCs to match.
 */
#include <linux/tracepoint.h>
#include <openlis/vmbus_proto.h>

/* Which SINT carries VMBus messages and events, and its connection ids. */
#define OLVB_SINT		2
#define OLVB_MSG_CONN_ID	1
#define OLVB_MSG_CONN_ID_5	4

struct olvb_cpu {
	void *msg_page;
	void *evt_page;
	struct tasklet_struct msg_tasklet;
};

struct olvb_conn {
	bool connected;
	bool unloading;			/* no more offers or rescinds */
	atomic_t unload_sent;		/* by panic, crash or kexec */
	atomic_t unload_answered;
	u32 msg_conn_id;
	void *int_page;			/* half host-to-guest, half back */
	void *monitor_pages[2];
	struct vmbus_channel __rcu **chans;	/* indexed by relid */
	struct list_head primaries;	/* every primary; chan_mutex */
	/*
	 * chans, primaries, each primary's sc_list, each channel's rescind
	 * and state, offer processing; the order is in offer.c's header.
	 */
	struct mutex chan_mutex;
	spinlock_t req_lock;		/* req_list; after chan_mutex */
	struct list_head req_list;
	struct workqueue_struct *msg_wq;	/* offers, rescinds, in order */
	struct workqueue_struct *dev_wq;	/* device (un)registration */
	struct workqueue_struct *sc_wq;		/* sub-channel callbacks */
	struct completion all_offers;
	/* Hibernation: offers held back while the bus goes down. */
	spinlock_t held_lock;
	bool offers_held;
	struct list_head held_offers;
	/* Channels known before hibernation, and those not offered again. */
	unsigned int pm_known;
	unsigned int pm_missing;	/* under chan_mutex */
	struct completion pm_all_back;
	atomic_t next_gpadl;
	atomic_t msgs_queued;		/* offer, rescind work not yet done */
	struct olvb_cpu __percpu *cpu;
	struct device *root;
};

extern struct olvb_conn olvb;

/* Hibernation takes relids away until the host offers a channel again. */
static inline bool olvb_has_relid(const struct vmbus_channel *ch)
{
	return ch->offermsg.child_relid < OLVB_MAX_RELID;
}

/* A channel message waiting for its answer from the host. */
struct olvb_req {
	struct list_head node;
	u32 type;
	u64 key;
	struct vmbus_channel *chan;	/* rescind wakes it, may be NULL */
	struct completion done;
	u32 len;
	bool rescinded;
	u8 resp[OLVB_MSG_MAX];
};

/* Kinds of host input the core refuses (drops.c). */
enum olvb_drop {
	OLVB_DROP_SYNIC,		/* SynIC slot: type or size */
	OLVB_DROP_MSG_SIZE,		/* channel message: length */
	OLVB_DROP_MSG_TYPE,		/* channel message: type */
	OLVB_DROP_MSG_RANGE,		/* relid or monitor id out of range */
	OLVB_DROP_FLOOD,		/* too many offers, rescinds waiting */
	OLVB_DROP_NOMEM,
	OLVB_DROP_OFFER_DUP,		/* a second offer for a relid */
	OLVB_DROP_NO_PRIMARY,		/* sub-channel of no live primary */
	OLVB_DROP_RESCIND_UNKNOWN,
	OLVB_DROP_UNSOLICITED,		/* a response nobody waits for */
	OLVB_DROP_REOFFER,		/* resume: a known channel, new relid */
	OLVB_DROP_PACKET,		/* inbound ring: a bad packet */
	OLVB_DROP_RING,			/* outbound ring: corrupt indexes */
	OLVB_DROP_COUNT
};

/* drops.c */
void olvb_count_drop(enum olvb_drop why);
int olvb_drops_total(void);
void olvb_drops_init(void);
void olvb_drops_exit(void);

/* connection.c */
int olvb_post(const void *msg, u32 len);
void olvb_req_init(struct olvb_req *req, u32 type, u64 key,
		   struct vmbus_channel *chan);
void olvb_req_start(struct olvb_req *req);
int olvb_req_finish(struct olvb_req *req, int ret, unsigned long timeout);
int olvb_req_send(struct olvb_req *req, const void *msg, u32 len,
		  unsigned long timeout);
void olvb_req_cancel_channel(struct vmbus_channel *chan);
void olvb_on_message(const void *buf, u32 len);
int olvb_connect(void);
int olvb_reconnect(void);
int olvb_request_offers(void);
int olvb_unload(void);
void olvb_disconnect(void);
void olvb_unload_atomic(void);
void olvb_offers_hold(void);
void olvb_offers_release(bool replay, bool hold);

/* synic.c */
int olvb_synic_init(void);
void olvb_synic_exit(void);

/* offer.c */
void olvb_handle_offer_msg(const void *buf, u32 len, int type);
struct vmbus_channel *olvb_relid2chan(u32 relid);
void olvb_remove_all(void);
void olvb_chan_sched(struct vmbus_channel *ch);
void olvb_chan_take_offer(struct vmbus_channel *ch,
			  const struct olvb_msg_offer *o);
void olvb_rescind_hvsock(void);
void olvb_close_subchannels(struct vmbus_channel *p);

/* pm.c */
extern const struct dev_pm_ops olvb_dev_pm;
void olvb_pm_init(void);
void olvb_pm_exit(void);
bool olvb_pm_reoffer(const struct olvb_msg_offer *o);

/* gpadl.c */
int olvb_gpadl_create(struct vmbus_channel *ch, enum hv_gpadl_type type,
		      void *kbuf, u32 size, u32 send_offset,
		      struct vmbus_gpadl *gpadl);

/* channel.c */
void olvb_channel_tasklet(unsigned long data);
int olvb_chan_retarget(struct vmbus_channel *ch, unsigned int cpu);
int olvb_close_one(struct vmbus_channel *ch);

/* bus.c */
extern OLVB_BUS_TYPE olvb_bus;
int olvb_device_add(struct vmbus_channel *ch);
/* Exported by the in-tree core too, but declared only in its private header. */
void vmbus_device_unregister(struct hv_device *device_obj);
int hv_create_ring_sysfs(struct vmbus_channel *channel,
			 int (*hv_mmap_ring_buffer)(struct vmbus_channel *channel,
						    struct vm_area_struct *vma));
int hv_remove_ring_sysfs(struct vmbus_channel *channel);

/* mmio.c: the VMBus's MMIO windows, for vmbus_allocate_mmio() */
void olvb_mmio_init(void);
void olvb_mmio_exit(void);
struct device *olvb_mmio_acpi_dev(void);

/* sysfs.c */
extern const struct attribute_group *olvb_dev_groups[];
extern const struct attribute_group *olvb_bus_groups[];
extern const struct kobj_type olvb_chan_ktype;
int olvb_chan_sysfs_add(struct hv_device *dev, struct vmbus_channel *ch);
void olvb_chan_kset_del(struct hv_device *dev);

#endif
