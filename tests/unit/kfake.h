/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pretend kernel, just large enough for vmbus/offer.c to build and run in
 * user space: a mutex that catches recursion and unlocking what is
 * not held, kobject reference counts that catch a put too many, and
 * workqueues that run only when the test says so. Every <linux/...> header
 * offer.c includes is an empty file under tests/unit/kfake/.
 */
#ifndef OPENLIS_KFAKE_H
#define OPENLIS_KFAKE_H

#include "kshim.h"
#include "klist.h"

#include <stdio.h>
#include <stdlib.h>

#define KBUILD_MODNAME "hv_vmbus"
#define __rcu
#define __percpu
#define __iomem
#define fallthrough __attribute__((__fallthrough__))
#define EXPORT_SYMBOL_GPL(sym) extern int kfake_export_##sym
#define BUILD_BUG_ON(e) _Static_assert(!(e), #e)

static inline void kfake_die(const char *what)
{
	fprintf(stderr, "kfake: %s\n", what);
	abort();
}

#define WARN_ON_ONCE(c) ({ bool __c = !!(c); if (__c) kfake_die(#c); __c; })
#define pr_err(...) fprintf(stderr, __VA_ARGS__)
#define pr_warn_ratelimited(...) fprintf(stderr, __VA_ARGS__)
#define pr_err_ratelimited(...) fprintf(stderr, __VA_ARGS__)
#define usleep_range(a, b) ((void)0)
/* One CPU, always online. */
#define num_online_cpus() 1u
#define for_each_online_cpu(c) for ((c) = 0; (c) < 1; (c)++)

/* Set to n, the n-th allocation from then on fails, as GFP_KERNEL may. */
static unsigned int kfake_fail_alloc;

static inline void *kfake_alloc(size_t n)
{
	if (kfake_fail_alloc && !--kfake_fail_alloc)
		return NULL;
	return calloc(1, n);
}

#define GFP_KERNEL 0
#define kmalloc(n, gfp) kfake_alloc(n)
#define kzalloc(n, gfp) kfake_alloc(n)
#define kfree(p) free(p)

typedef struct { int counter; } atomic_t;
#define atomic_inc(a) ((a)->counter++)
#define atomic_read(a) ((a)->counter)

#define list_first_entry_or_null(h, type, member) \
	(list_empty(h) ? NULL : list_entry((h)->next, type, member))

static inline void list_del_init(struct list_head *n)
{
	list_del(n);
	INIT_LIST_HEAD(n);
}

/* One thread: a lock taken twice is a deadlock, one not held a bug. */
struct mutex {
	int held;
};

#define mutex_init(m) ((m)->held = 0)
#define lockdep_is_held(m) ((m)->held)
#define lockdep_assert_held(m) do {					\
	if (!(m)->held)							\
		kfake_die("lock not held: " #m);			\
} while (0)

static inline void mutex_lock(struct mutex *m)
{
	if (m->held)
		kfake_die("mutex taken twice");
	m->held = 1;
}

static inline void mutex_unlock(struct mutex *m)
{
	if (!m->held)
		kfake_die("mutex released but not held");
	m->held = 0;
}

typedef struct { int held; } spinlock_t;
#define spin_lock_init(l) ((l)->held = 0)
#define spin_lock(l) ((l)->held++)
#define spin_unlock(l) ((l)->held--)

#define rcu_dereference(p) (p)
#define rcu_access_pointer(p) (p)
#define rcu_dereference_protected(p, c) (p)
#define rcu_assign_pointer(p, v) ((p) = (v))
#define RCU_INIT_POINTER(p, v) ((p) = (v))
#define synchronize_rcu() ((void)0)

struct completion {
	int done;
};

#define init_completion(c) ((c)->done = 0)
#define complete_all(c) ((c)->done = 1)

struct tasklet_struct {
	unsigned long data;
};

#define tasklet_init(t, fn, d) ((void)(fn), (t)->data = (d))
#define tasklet_kill(t) ((void)(t))
#define tasklet_schedule(t) ((void)(t))

/* Work runs only in flush_workqueue(), in the order it was queued. */
struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);
struct work_struct {
	struct work_struct *next;
	work_func_t func;
};

struct workqueue_struct {
	struct work_struct *head, **tail;
	int running;
};

#define INIT_WORK(w, fn) ((w)->next = NULL, (w)->func = (fn))

static inline bool queue_work(struct workqueue_struct *wq,
			      struct work_struct *w)
{
	if (!wq->tail)
		wq->tail = &wq->head;
	w->next = NULL;
	*wq->tail = w;
	wq->tail = &w->next;
	return true;
}

static inline void flush_workqueue(struct workqueue_struct *wq)
{
	struct work_struct *w;

	/* An ordered queue flushed from its own work never finishes. */
	if (wq->running)
		kfake_die("workqueue flushed from its own work");
	wq->running = 1;
	while ((w = wq->head)) {
		wq->head = w->next;
		if (!wq->head)
			wq->tail = &wq->head;
		w->func(w);
	}
	wq->running = 0;
}

/* kobjects: the reference count, and its release at zero. */
struct kobject;
struct kobj_type {
	void (*release)(struct kobject *kobj);
};

struct kobject {
	int refs;
	const struct kobj_type *ktype;
};

static inline void kobject_init(struct kobject *k, const struct kobj_type *t)
{
	k->refs = 1;
	k->ktype = t;
}

static inline struct kobject *kobject_get(struct kobject *k)
{
	if (k->refs <= 0)
		kfake_die("kobject_get on a released kobject");
	k->refs++;
	return k;
}

static inline void kobject_put(struct kobject *k)
{
	if (k->refs <= 0)
		kfake_die("kobject_put on a released kobject");
	if (!--k->refs)
		k->ktype->release(k);
}

/* The parts of <linux/hyperv.h> offer.c uses. */
#define UUID_SIZE 16
typedef struct {
	u8 b[16];
} guid_t;

#define KFAKE_GUID(n) { { n } }
#define HV_IDE_GUID KFAKE_GUID(1)
#define HV_SCSI_GUID KFAKE_GUID(2)
#define HV_SYNTHFC_GUID KFAKE_GUID(3)
#define HV_NIC_GUID KFAKE_GUID(4)
#define HV_ND_GUID KFAKE_GUID(5)
#define HV_PCIE_GUID KFAKE_GUID(6)
#define HV_SYNTHVID_GUID KFAKE_GUID(7)
#define HV_KBD_GUID KFAKE_GUID(8)
#define HV_MOUSE_GUID KFAKE_GUID(9)
#define HV_KVP_GUID KFAKE_GUID(10)
#define HV_TS_GUID KFAKE_GUID(11)
#define HV_HEART_BEAT_GUID KFAKE_GUID(12)
#define HV_SHUTDOWN_GUID KFAKE_GUID(13)
#define HV_FCOPY_GUID KFAKE_GUID(14)
#define HV_VSS_GUID KFAKE_GUID(15)
#define HV_DM_GUID KFAKE_GUID(16)

enum {
	HV_IDE, HV_SCSI, HV_FC, HV_NIC, HV_ND, HV_PCIE, HV_FB, HV_KBD,
	HV_MOUSE, HV_KVP, HV_TS, HV_HB, HV_SHUTDOWN, HV_FCOPY, HV_BACKUP,
	HV_DM, HV_UNKNOWN,
};

enum vmbus_channel_state {
	CHANNEL_OFFER_STATE, CHANNEL_OPENING_STATE, CHANNEL_OPEN_STATE,
	CHANNEL_OPENED_STATE,
};

enum hv_callback_mode { HV_CALL_BATCHED, HV_CALL_DIRECT, HV_CALL_ISR };
enum hv_gpadl_type { HV_GPADL_BUFFER, HV_GPADL_RING };

#define VMBUS_DEFAULT_MAX_PKT_SIZE 4096
#define CHANNELMSG_RELID_RELEASED 6

struct vmbus_channel_message_header {
	u32 msgtype;
	u32 padding;
};

struct vmbus_channel_relid_released {
	struct vmbus_channel_message_header header;
	u32 child_relid;
};

/* The layout of struct olvb_msg_offer, under the kernel's names. */
struct vmbus_channel_offer_channel {
	struct vmbus_channel_message_header header;
	struct {
		guid_t if_type;
		guid_t if_instance;
		u64 reserved1, reserved2;
		u16 chn_flags;
		u16 mmio_megabytes;
		u8 user_def[120];
		u16 sub_channel_index;
		u16 reserved3;
	} __packed offer;
	u32 child_relid;
	u8 monitorid;
	u8 monitor_flags;
	u16 intr_flags;
	u32 connection_id;
} __packed;

struct hv_ring_buffer_info {
	spinlock_t ring_lock;
	struct mutex ring_buffer_mutex;
};

struct vmbus_requestor {
	spinlock_t req_lock;
};

struct hv_device;
struct vmbus_channel {
	struct list_head listentry;
	struct list_head sc_list;
	struct vmbus_channel_offer_channel offermsg;
	struct vmbus_channel *primary_channel;
	struct hv_device *device_obj;
	struct kobject kobj;
	spinlock_t sched_lock;
	struct hv_ring_buffer_info inbound, outbound;
	struct vmbus_requestor requestor;
	struct completion rescind_event;
	struct tasklet_struct callback_event;
	enum hv_callback_mode callback_mode;
	enum vmbus_channel_state state;
	void (*onchannel_callback)(void *context);
	void *channel_callback_context;
	void (*sc_creation_callback)(struct vmbus_channel *new_sc);
	void (*chn_rescind_callback)(struct vmbus_channel *channel);
	u64 interrupts;
	u32 target_cpu;
	u32 max_pkt_size;
	u32 monitor_grp, monitor_bit, sig_event;
	u16 device_id;
	bool is_dedicated_interrupt;
	bool rescind;
	bool probe_done;
};

static inline bool is_hvsock_channel(const struct vmbus_channel *ch)
{
	return ch->offermsg.offer.chn_flags & 0x2000;
}

#define hv_begin_read(rbi) ((void)(rbi))

/* linux/hyperv.h's API that offer.c calls; each test defines it. */
void vmbus_free_ring(struct vmbus_channel *channel);

/* What vmbus_prep_negotiate_resp() uses. */
struct icmsg_hdr {
	u32 icmsgsize;
};

struct ic_version {
	u16 major;
	u16 minor;
};

struct icmsg_negotiate {
	u16 icframe_vercnt;
	u16 icmsg_vercnt;
	u32 reserved;
	struct ic_version icversion_data[];
};

#define ICMSG_HDR 36
#define IC_VERSION_NEGOTIATION_MAX_VER_COUNT 100
#define ICMSG_NEGOTIATE_PKT_SIZE(a, b) \
	(ICMSG_HDR + sizeof(struct icmsg_negotiate) + \
	 ((a) + (b)) * sizeof(struct ic_version))

/* Types vmbus_priv.h names; none is used here. */
struct device;
struct vm_area_struct;
struct attribute_group;
struct dev_pm_ops;
struct bus_type;
struct vmbus_gpadl;
#define OLVB_BUS_TYPE struct bus_type

#endif
