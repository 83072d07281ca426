// SPDX-License-Identifier: GPL-2.0
/*
 * The VMBus connection: posting channel messages, the request/response
 * helper every synchronous exchange goes through, version negotiation and
 * the dispatch of messages from the host.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/hyperv.h>
#include <linux/export.h>
#include <linux/io.h>
#include <linux/set_memory.h>
#include <asm/mshyperv.h>
#include <asm/sync_bitops.h>

#include "vmbus_priv.h"

struct olvb_conn olvb;

__u32 vmbus_proto_version;
EXPORT_SYMBOL_GPL(vmbus_proto_version);

/*
 * max_version: the newest VMBus version offered to the host, written as
 * "major.minor" ("3.0" is Windows 8.1's, "5.3" the newest there is) or as
 * the protocol's own number, (major << 16) | minor. It reads as major.minor.
 */
static u32 max_version = VERSION_WIN10_V5_3;

static int olvb_max_version_set(const char *val, const struct kernel_param *kp)
{
	unsigned int major, minor;
	char dot, end;
	u32 v;
	int n = sscanf(val, "%u%c%u%c", &major, &dot, &minor, &end);

	if ((n == 3 || (n == 4 && end == '\n')) && dot == '.') {
		if (major > 0xffff || minor > 0xffff)
			return -EINVAL;
		v = major << 16 | minor;
	} else if (kstrtou32(val, 0, &v)) {
		return -EINVAL;
	}
	/* Older than anything we speak could never connect. */
	if (v < VERSION_WIN8)
		return -EINVAL;
	*(u32 *)kp->arg = v;
	return 0;
}

static int olvb_max_version_get(char *buf, const struct kernel_param *kp)
{
	u32 v = *(u32 *)kp->arg;

	return sysfs_emit(buf, "%u.%u\n", v >> 16, v & 0xffff);
}

static const struct kernel_param_ops olvb_max_version_ops = {
	.set = olvb_max_version_set,
	.get = olvb_max_version_get,
};

module_param_cb(max_version, &olvb_max_version_ops, &max_version, 0444);
MODULE_PARM_DESC(max_version,
		 "Newest VMBus version to offer: major.minor, e.g. 3.0 (Windows 8.1), 4.0 or 5.3 (the default), or (major << 16) | minor");

/* Newest first; 5.0 and later also change how the host is addressed. */
static const u32 olvb_versions[] = {
	VERSION_WIN10_V5_3, VERSION_WIN10_V5_2, VERSION_WIN10_V5_1,
	VERSION_WIN10_V5, VERSION_WIN10_V4_1, VERSION_WIN10, VERSION_WIN8_1,
	VERSION_WIN8,
};

/* The hypercall's input, which must not cross a page. */
struct olvb_post_input {
	u32 connection_id;
	u32 reserved;
	u32 message_type;
	u32 payload_size;
	u64 payload[HV_MESSAGE_PAYLOAD_QWORD_COUNT];
};

static u64 olvb_post_once(u32 conn_id, const void *msg, u32 len)
{
	struct olvb_post_input *in;
	unsigned long flags;
	u64 status;

	local_irq_save(flags);
	in = *this_cpu_ptr(hyperv_pcpu_input_arg);
	in->connection_id = conn_id & 0xffffff;
	in->reserved = 0;
	in->message_type = OLVB_POST_MSG_TYPE;
	in->payload_size = len;
	memcpy(in->payload, msg, len);
	status = hv_do_hypercall(HVCALL_POST_MESSAGE, in, NULL);
	local_irq_restore(flags);
	return status & HV_HYPERCALL_RESULT_MASK;
}

/*
 * The host's message queue can be briefly full; back off and retry for a
 * while before calling it a failure. The panic and kexec paths cannot sleep.
 */
static int olvb_post_retry(const void *msg, u32 len, bool may_sleep)
{
	const struct olvb_msg_hdr *hdr = msg;
	unsigned int tries;
	u64 status;

	if (len > OLVB_MSG_MAX)
		return -EMSGSIZE;
	for (tries = 0; tries < 100; tries++) {
		status = olvb_post_once(olvb.msg_conn_id, msg, len);
		switch (status) {
		case HV_STATUS_SUCCESS:
			return 0;
		case HV_STATUS_INVALID_CONNECTION_ID:
			/* A pre-5.0 host refusing the 5.0 connection id. */
			if (hdr->type == OLVB_MSG_INITIATE_CONTACT)
				return -EINVAL;
			break;
		case HV_STATUS_INSUFFICIENT_MEMORY:
		case HV_STATUS_INSUFFICIENT_BUFFERS:
			break;
		default:
			pr_err_ratelimited("posting message %u failed: %#llx\n",
					   hdr->type, status);
			return -EIO;
		}
		if (may_sleep)
			usleep_range(1000, 2000);
		else
			mdelay(1);
	}
	return -EAGAIN;
}

int olvb_post(const void *msg, u32 len)
{
	might_sleep();
	return olvb_post_retry(msg, len, true);
}

void olvb_req_init(struct olvb_req *req, u32 type, u64 key,
		   struct vmbus_channel *chan)
{
	INIT_LIST_HEAD(&req->node);
	req->type = type;
	req->key = key;
	req->chan = chan;
	req->len = 0;
	req->rescinded = false;
	init_completion(&req->done);
}

/* Queue @req before posting its request: the answer may beat the post. */
void olvb_req_start(struct olvb_req *req)
{
	unsigned long flags;

	spin_lock_irqsave(&olvb.req_lock, flags);
	list_add_tail(&req->node, &olvb.req_list);
	/* A rescinded channel's requests would wait for nothing. */
	if (req->chan && READ_ONCE(req->chan->rescind)) {
		req->rescinded = true;
		complete(&req->done);
	}
	spin_unlock_irqrestore(&olvb.req_lock, flags);
}

/* Wait for the answer to @req unless posting failed with @ret. */
int olvb_req_finish(struct olvb_req *req, int ret, unsigned long timeout)
{
	unsigned long flags;

	if (!ret && !wait_for_completion_timeout(&req->done, timeout))
		ret = -ETIMEDOUT;
	spin_lock_irqsave(&olvb.req_lock, flags);
	list_del(&req->node);
	spin_unlock_irqrestore(&olvb.req_lock, flags);
	if (!ret && req->rescinded)
		ret = -ENODEV;
	return ret;
}

int olvb_req_send(struct olvb_req *req, const void *msg, u32 len,
		  unsigned long timeout)
{
	olvb_req_start(req);
	return olvb_req_finish(req, olvb_post(msg, len), timeout);
}

/* A rescinded channel will never be answered: release its waiters. */
void olvb_req_cancel_channel(struct vmbus_channel *chan)
{
	struct olvb_req *req;
	unsigned long flags;

	spin_lock_irqsave(&olvb.req_lock, flags);
	list_for_each_entry(req, &olvb.req_list, node) {
		if (req->chan == chan) {
			req->rescinded = true;
			complete(&req->done);
		}
	}
	spin_unlock_irqrestore(&olvb.req_lock, flags);
}

static void olvb_req_complete(u32 type, const void *msg, u32 len)
{
	u64 key = olvb_resp_key(type, msg);
	struct olvb_req *req;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&olvb.req_lock, flags);
	list_for_each_entry(req, &olvb.req_list, node) {
		if (req->type != type || req->key != key ||
		    completion_done(&req->done))
			continue;
		memcpy(req->resp, msg, len);
		req->len = len;
		complete(&req->done);
		found = true;
		break;
	}
	spin_unlock_irqrestore(&olvb.req_lock, flags);
	if (!found) {
		olvb_count_drop(OLVB_DROP_UNSOLICITED);
		pr_warn_ratelimited("unsolicited message %u dropped\n", type);
	}
}

/*
 * A host has at most one offer and one rescind in flight per relid; more
 * waiting than that is a flood, and each waiting message is memory.
 */
#define OLVB_MAX_QUEUED_MSGS	(2 * OLVB_MAX_RELID)

struct olvb_msg_work {
	struct work_struct work;
	struct list_head held;
	int type;
	u32 len;
	u8 msg[OLVB_MSG_MAX];
};

static void olvb_msg_work_fn(struct work_struct *work)
{
	struct olvb_msg_work *w = container_of(work, struct olvb_msg_work, work);

	olvb_handle_offer_msg(w->msg, w->len, w->type);
	kfree(w);
	atomic_dec(&olvb.msgs_queued);
}

/*
 * While the bus goes down for hibernation no offer may add a channel; the
 * ones that come wait here. Rescinds go on: sub-channels must go.
 */
void olvb_offers_hold(void)
{
	spin_lock_irq(&olvb.held_lock);
	olvb.offers_held = true;
	spin_unlock_irq(&olvb.held_lock);
}

static bool olvb_offer_held(struct olvb_msg_work *w)
{
	unsigned long flags;
	bool held;

	spin_lock_irqsave(&olvb.held_lock, flags);
	held = w->type == OLVB_MSG_OFFER && olvb.offers_held;
	if (held)
		list_add_tail(&w->held, &olvb.held_offers);
	spin_unlock_irqrestore(&olvb.held_lock, flags);
	return held;
}

/*
 * The held offers go: to the message queue, in the order they came, if
 * @replay, else away. Offers wait from then on only if @hold.
 */
void olvb_offers_release(bool replay, bool hold)
{
	struct olvb_msg_work *w, *tmp;
	LIST_HEAD(list);

	spin_lock_irq(&olvb.held_lock);
	list_splice_init(&olvb.held_offers, &list);
	olvb.offers_held = hold;
	spin_unlock_irq(&olvb.held_lock);
	list_for_each_entry_safe(w, tmp, &list, held) {
		if (replay) {
			queue_work(olvb.msg_wq, &w->work);
		} else {
			kfree(w);
			atomic_dec(&olvb.msgs_queued);
		}
	}
}

/* Called from the message tasklet with a private copy of the message. */
void olvb_on_message(const void *buf, u32 len)
{
	struct olvb_msg_work *w;
	int type = olvb_msg_check(buf, len);

	if (type < 0) {
		olvb_count_drop(type == -EMSGSIZE ? OLVB_DROP_MSG_SIZE :
				type == -EPROTO ? OLVB_DROP_MSG_TYPE :
				OLVB_DROP_MSG_RANGE);
		pr_warn_ratelimited("bad message (type %u, %u bytes): %d\n",
				    len >= 4 ? *(const u32 *)buf : 0, len, type);
		return;
	}

	switch (type) {
	case OLVB_MSG_OFFER:
	case OLVB_MSG_RESCIND:
	case OLVB_MSG_ALLOFFERS_DELIVERED:
		/* Module exit is taking every channel down: too late for these. */
		if (READ_ONCE(olvb.unloading)) {
			pr_debug("message %d while unloading dropped\n", type);
			return;
		}
		/* These sleep, and must be handled in the order they came. */
		if (atomic_inc_return(&olvb.msgs_queued) > OLVB_MAX_QUEUED_MSGS) {
			atomic_dec(&olvb.msgs_queued);
			olvb_count_drop(OLVB_DROP_FLOOD);
			pr_warn_ratelimited("message %d dropped: %d waiting already\n",
					    type, OLVB_MAX_QUEUED_MSGS);
			return;
		}
		w = kmalloc(sizeof(*w), GFP_ATOMIC);
		if (!w) {
			atomic_dec(&olvb.msgs_queued);
			olvb_count_drop(OLVB_DROP_NOMEM);
			pr_err_ratelimited("no memory for message %d\n", type);
			return;
		}
		INIT_WORK(&w->work, olvb_msg_work_fn);
		w->type = type;
		w->len = len;
		memcpy(w->msg, buf, len);
		if (!olvb_offer_held(w))
			queue_work(olvb.msg_wq, &w->work);
		break;
	case OLVB_MSG_TL_CONNECT_RESULT:
		pr_debug("hv_sock connect result\n");
		break;
	default:
		/* The answer to a panic's or kexec's UNLOAD, if IRQs were on. */
		if (type == OLVB_MSG_UNLOAD_RESPONSE &&
		    atomic_read(&olvb.unload_sent)) {
			atomic_set(&olvb.unload_answered, 1);
			break;
		}
		olvb_req_complete(type, buf, len);
		break;
	}
}

static int olvb_negotiate(u32 version)
{
	struct vmbus_channel_initiate_contact msg = {};
	struct olvb_msg_version_response *resp;
	struct olvb_req *req;
	int ret;

	req = kmalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	olvb_req_init(req, OLVB_MSG_VERSION_RESPONSE, 0, NULL);

	msg.header.msgtype = CHANNELMSG_INITIATE_CONTACT;
	msg.vmbus_version_requested = version;
	msg.target_vcpu = hv_cpu_number_to_vp_number(0);
	if (version >= VERSION_WIN10_V5) {
		msg.msg_sint = OLVB_SINT;
		olvb.msg_conn_id = OLVB_MSG_CONN_ID_5;
	} else {
		msg.interrupt_page = virt_to_phys(olvb.int_page);
		olvb.msg_conn_id = OLVB_MSG_CONN_ID;
	}
	msg.monitor_page1 = virt_to_phys(olvb.monitor_pages[0]);
	msg.monitor_page2 = virt_to_phys(olvb.monitor_pages[1]);

	ret = olvb_req_send(req, &msg, sizeof(msg), 10 * HZ);
	if (ret)
		goto out;
	resp = (void *)req->resp;
	if (!resp->version_supported) {
		ret = -EPROTONOSUPPORT;
		goto out;
	}
	if (version >= VERSION_WIN10_V5) {
		if (req->len < sizeof(*resp)) {
			ret = -EPROTO;
			goto out;
		}
		olvb.msg_conn_id = resp->msg_conn_id;
	}
out:
	kfree(req);
	return ret;
}

int olvb_connect(void)
{
	unsigned int i;
	int ret = -EPROTONOSUPPORT;

	olvb.int_page = (void *)get_zeroed_page(GFP_KERNEL);
	olvb.monitor_pages[0] = (void *)get_zeroed_page(GFP_KERNEL);
	olvb.monitor_pages[1] = (void *)get_zeroed_page(GFP_KERNEL);
	if (!olvb.int_page || !olvb.monitor_pages[0] || !olvb.monitor_pages[1]) {
		ret = -ENOMEM;
		goto fail;
	}

	for (i = 0; i < ARRAY_SIZE(olvb_versions); i++) {
		u32 v = olvb_versions[i];

		if (v > max_version)
			continue;
		ret = olvb_negotiate(v);
		pr_debug("version %u.%u: %d\n", v >> 16, v & 0xffff, ret);
		if (!ret) {
			vmbus_proto_version = v;
			olvb.connected = true;
			pr_info("VMBus version %u.%u, message connection id %u\n",
				v >> 16, v & 0xffff, olvb.msg_conn_id);
			return 0;
		}
		/* No answer at all: the host is not listening, stop here. */
		if (ret == -ETIMEDOUT || ret == -ENOMEM)
			break;
	}
fail:
	pr_err("could not connect to the host: %d\n", ret);
	olvb_disconnect();
	return ret ? ret : -EPROTONOSUPPORT;
}

/*
 * Back from hibernation: the version negotiated at boot, which the drivers
 * have seen, and the shared pages as clean as a first connection has them.
 */
int olvb_reconnect(void)
{
	int ret;

	memset(olvb.int_page, 0, PAGE_SIZE);
	memset(olvb.monitor_pages[0], 0, PAGE_SIZE);
	memset(olvb.monitor_pages[1], 0, PAGE_SIZE);
	ret = olvb_negotiate(vmbus_proto_version);
	if (!ret)
		WRITE_ONCE(olvb.connected, true);
	return ret;
}

int olvb_request_offers(void)
{
	struct vmbus_channel_message_header msg = {
		.msgtype = CHANNELMSG_REQUESTOFFERS,
	};

	return olvb_post(&msg, sizeof(msg));
}

/*
 * Tell the host that this guest's VMBus is gone: every channel and GPADL
 * with it. Returns 0 once the host has answered.
 */
int olvb_unload(void)
{
	struct vmbus_channel_message_header msg = {
		.msgtype = CHANNELMSG_UNLOAD,
	};
	struct olvb_req *req = kmalloc(sizeof(*req), GFP_KERNEL);
	int ret = -ENOMEM;

	if (req) {
		olvb_req_init(req, OLVB_MSG_UNLOAD_RESPONSE, 0, NULL);
		ret = olvb_req_send(req, &msg, sizeof(msg), 5 * HZ);
		kfree(req);
	}
	WRITE_ONCE(olvb.connected, false);
	return ret;
}

void olvb_disconnect(void)
{
	if (olvb.connected && olvb_unload())
		pr_warn("no answer to UNLOAD\n");
	free_page((unsigned long)olvb.int_page);
	free_page((unsigned long)olvb.monitor_pages[0]);
	free_page((unsigned long)olvb.monitor_pages[1]);
	olvb.int_page = NULL;
	olvb.monitor_pages[0] = NULL;
	olvb.monitor_pages[1] = NULL;
}

/*
 * Whether some CPU holds the answer to UNLOAD; every other message is
 * thrown away to make room for it: nothing will read it any more.
 */
static bool olvb_unload_answered(void)
{
	unsigned int cpu;
	bool seen = false;

	if (atomic_read(&olvb.unload_answered))
		return true;
	if (!olvb.cpu)
		return false;
	for_each_present_cpu(cpu) {
		struct hv_message_page *page = per_cpu_ptr(olvb.cpu, cpu)->msg_page;
		struct hv_message *msg;
		u32 type;

		if (!page)
			continue;
		msg = &page->sint_message[OLVB_SINT];
		type = READ_ONCE(msg->header.message_type);
		if (type == HVMSG_NONE)
			continue;
		if (type == 1 && READ_ONCE(msg->header.payload_size) >=
		    sizeof(struct olvb_msg_hdr) &&
		    READ_ONCE(((struct olvb_msg_hdr *)msg->u.payload)->type) ==
		    OLVB_MSG_UNLOAD_RESPONSE)
			seen = true;
		vmbus_signal_eom(msg, type);
	}
	return seen;
}

/*
 * Panic, crash or kexec: tell the host this guest's VMBus is gone so that
 * the next kernel can connect, without sleeping, taking locks or relying on
 * interrupts. The answer is polled for in the message pages.
 */
void olvb_unload_atomic(void)
{
	struct vmbus_channel_message_header msg = {
		.msgtype = CHANNELMSG_UNLOAD,
	};
	unsigned int ms;

	if (!READ_ONCE(olvb.connected) || atomic_xchg(&olvb.unload_sent, 1))
		return;
	if (olvb_post_retry(&msg, sizeof(msg), false))
		return;
	for (ms = 0; ms < 10000; ms += 10) {
		if (olvb_unload_answered())
			break;
		mdelay(10);
	}
	WRITE_ONCE(olvb.connected, false);
}

/* Kick the host about @channel with a hypercall. */
void vmbus_set_event(struct vmbus_channel *channel)
{
	u32 relid = channel->offermsg.child_relid;

	channel->sig_events++;
	/* Hosts without per-channel interrupts look up who kicked here. */
	if (!channel->is_dedicated_interrupt && olvb.int_page &&
	    olvb_has_relid(channel))
		sync_set_bit(relid, olvb.int_page + PAGE_SIZE / 2);
	hv_do_fast_hypercall8(HVCALL_SIGNAL_EVENT, channel->sig_event);
}
EXPORT_SYMBOL_GPL(vmbus_set_event);
