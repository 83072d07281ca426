// SPDX-License-Identifier: GPL-2.0
/*
 * Channels: ring allocation, open and close, sending and receiving packets,
 * signalling the host, and the request-id table drivers use.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/module.h>
#include <linux/hyperv.h>
#include <linux/uio.h>
#include <linux/interrupt.h>
#include <linux/set_memory.h>
#include <linux/cpu.h>
#include <asm/page.h>
#include <asm/mshyperv.h>
#include <asm/sync_bitops.h>

#include "vmbus_priv.h"
#include "ringbuf.h"

/* Tasklet: run the driver's callback, again while packets keep coming. */
void olvb_channel_tasklet(unsigned long data)
{
	struct vmbus_channel *ch = (struct vmbus_channel *)data;
	void (*cb)(void *context) = READ_ONCE(ch->onchannel_callback);

	if (!cb)
		return;
	cb(ch->channel_callback_context);
	if (ch->callback_mode != HV_CALL_BATCHED || !ch->inbound.ring_buffer)
		return;
	if (!hv_end_read(&ch->inbound))
		return;
	hv_begin_read(&ch->inbound);
	tasklet_schedule(&ch->callback_event);
}

void vmbus_setevent(struct vmbus_channel *channel)
{
	if (channel->offermsg.monitor_allocated && !channel->low_latency &&
	    olvb.monitor_pages[1]) {
		struct olvb_monitor_page *mp = olvb.monitor_pages[1];
		unsigned long *pend = (unsigned long *)
			&mp->group[channel->monitor_grp].pending;

		channel->sig_events++;
		sync_set_bit(channel->monitor_bit, pend);
		return;
	}
	vmbus_set_event(channel);
}
EXPORT_SYMBOL_GPL(vmbus_setevent);

int vmbus_alloc_ring(struct vmbus_channel *channel, u32 send_size,
		     u32 recv_size)
{
	struct page *page;
	int order;

	if (!send_size || !recv_size || !PAGE_ALIGNED(send_size) ||
	    !PAGE_ALIGNED(recv_size) || send_size < 2 * PAGE_SIZE ||
	    recv_size < 2 * PAGE_SIZE)
		return -EINVAL;
	order = get_order(send_size + recv_size);
	page = alloc_pages_node(cpu_to_node(channel->target_cpu),
				GFP_KERNEL | __GFP_ZERO, order);
	if (!page)
		page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!page)
		return -ENOMEM;
	channel->ringbuffer_page = page;
	channel->ringbuffer_pagecount = (send_size + recv_size) >> PAGE_SHIFT;
	channel->ringbuffer_send_offset = send_size >> PAGE_SHIFT;
	return 0;
}
EXPORT_SYMBOL_GPL(vmbus_alloc_ring);

void vmbus_free_ring(struct vmbus_channel *channel)
{
	if (!channel->ringbuffer_page)
		return;
	__free_pages(channel->ringbuffer_page,
		     get_order(channel->ringbuffer_pagecount << PAGE_SHIFT));
	channel->ringbuffer_page = NULL;
}
EXPORT_SYMBOL_GPL(vmbus_free_ring);

static int olvb_alloc_requestor(struct vmbus_channel *ch)
{
	struct vmbus_requestor *r = &ch->requestor;
	struct olvb_rqstor v;

	if (!ch->rqstor_size)
		return 0;
	r->req_arr = kcalloc(ch->rqstor_size, sizeof(u64), GFP_KERNEL);
	r->req_bitmap = bitmap_zalloc(ch->rqstor_size, GFP_KERNEL);
	if (!r->req_arr || !r->req_bitmap) {
		kfree(r->req_arr);
		bitmap_free(r->req_bitmap);
		r->req_arr = NULL;
		r->req_bitmap = NULL;
		return -ENOMEM;
	}
	r->size = ch->rqstor_size;
	v = (struct olvb_rqstor){ r->req_arr, r->req_bitmap, r->size,
				  &r->next_request_id };
	olvb_rqstor_init(&v);
	return 0;
}

static void olvb_free_requestor(struct vmbus_channel *ch)
{
	struct vmbus_requestor *r = &ch->requestor;

	kfree(r->req_arr);
	bitmap_free(r->req_bitmap);
	r->req_arr = NULL;
	r->req_bitmap = NULL;
	r->size = 0;
}

static void olvb_stop_callbacks(struct vmbus_channel *ch)
{
	unsigned long flags;

	/* After this no interrupt starts the callback and none is running. */
	tasklet_disable(&ch->callback_event);
	spin_lock_irqsave(&ch->sched_lock, flags);
	ch->onchannel_callback = NULL;
	spin_unlock_irqrestore(&ch->sched_lock, flags);
	tasklet_enable(&ch->callback_event);
	tasklet_kill(&ch->callback_event);
}

int vmbus_connect_ring(struct vmbus_channel *channel,
		       void (*onchannel_callback)(void *context),
		       void *context)
{
	struct vmbus_channel_open_channel *msg;
	struct olvb_req *req;
	struct page *pg = channel->ringbuffer_page;
	u32 send = channel->ringbuffer_send_offset;
	u32 total = channel->ringbuffer_pagecount;
	u32 relid = channel->offermsg.child_relid;
	int ret;

	if (!pg || channel->state != CHANNEL_OPEN_STATE)
		return -EINVAL;
	if (channel->rescind || !olvb_has_relid(channel))
		return -ENODEV;

	ret = olvb_ring_init(&channel->outbound, pg, send, 0);
	if (!ret)
		ret = olvb_ring_init(&channel->inbound, pg + send, total - send,
				     channel->max_pkt_size);
	if (!ret)
		ret = olvb_alloc_requestor(channel);
	if (ret)
		goto err_rings;

	ret = olvb_gpadl_create(channel, HV_GPADL_RING, page_address(pg),
				total << PAGE_SHIFT, send << PAGE_SHIFT,
				&channel->ringbuffer_gpadlhandle);
	if (ret)
		goto err_rings;

	msg = kzalloc(sizeof(*msg), GFP_KERNEL);
	req = kmalloc(sizeof(*req), GFP_KERNEL);
	if (!msg || !req) {
		ret = -ENOMEM;
		goto err_msg;
	}
	channel->onchannel_callback = onchannel_callback;
	channel->channel_callback_context = context;
	channel->state = CHANNEL_OPENING_STATE;

	msg->header.msgtype = CHANNELMSG_OPENCHANNEL;
	msg->child_relid = relid;
	msg->openid = relid;
	msg->ringbuffer_gpadlhandle =
		channel->ringbuffer_gpadlhandle.gpadl_handle;
	msg->target_vp = hv_cpu_number_to_vp_number(channel->target_cpu);
	msg->downstream_ringbuffer_pageoffset = send;
	olvb_req_init(req, OLVB_MSG_OPEN_RESULT, olvb_key_open(relid, relid),
		      channel);
	ret = olvb_req_send(req, msg, sizeof(*msg), 30 * HZ);
	if (!ret && ((struct olvb_msg_open_result *)req->resp)->status) {
		pr_warn("relid %u: host refused to open: %#x\n", relid,
			((struct olvb_msg_open_result *)req->resp)->status);
		ret = -EAGAIN;
	}
	if (ret)
		goto err_msg;
	channel->state = CHANNEL_OPENED_STATE;
	kfree(msg);
	kfree(req);
	return 0;

err_msg:
	channel->state = CHANNEL_OPEN_STATE;
	olvb_stop_callbacks(channel);
	kfree(msg);
	kfree(req);
	vmbus_teardown_gpadl(channel, &channel->ringbuffer_gpadlhandle);
err_rings:
	olvb_free_requestor(channel);
	olvb_ring_cleanup(&channel->outbound);
	olvb_ring_cleanup(&channel->inbound);
	return ret;
}
EXPORT_SYMBOL_GPL(vmbus_connect_ring);

int vmbus_open(struct vmbus_channel *channel, u32 send_ringbuffersize,
	       u32 recv_ringbuffersize, void *userdata, u32 userdatalen,
	       void (*onchannel_callback)(void *context), void *context)
{
	int ret;

	/* The user data is not sent: no in-tree driver passes any. */
	if (userdatalen > MAX_USER_DEFINED_BYTES)
		return -EINVAL;
	ret = vmbus_alloc_ring(channel, send_ringbuffersize,
			       recv_ringbuffersize);
	if (ret)
		return ret;
	ret = vmbus_connect_ring(channel, onchannel_callback, context);
	if (ret)
		vmbus_free_ring(channel);
	return ret;
}
EXPORT_SYMBOL_GPL(vmbus_open);

int olvb_close_one(struct vmbus_channel *ch)
{
	struct vmbus_channel_close_channel msg = {
		.header.msgtype = CHANNELMSG_CLOSECHANNEL,
		.child_relid = ch->offermsg.child_relid,
	};
	int ret = 0;

	/* A retarget in flight goes to the host before the close. */
	mutex_lock(&olvb.chan_mutex);
	if (ch->state != CHANNEL_OPENED_STATE) {
		mutex_unlock(&olvb.chan_mutex);
		return 0;
	}
	ch->state = CHANNEL_OPEN_STATE;
	mutex_unlock(&olvb.chan_mutex);
	olvb_stop_callbacks(ch);
	if (!ch->rescind && olvb_has_relid(ch)) {
		ret = olvb_post(&msg, sizeof(msg));
		if (ret)
			pr_err("relid %u: close failed: %d\n",
			       ch->offermsg.child_relid, ret);
	}
	if (ch->ringbuffer_gpadlhandle.gpadl_handle)
		ret = vmbus_teardown_gpadl(ch, &ch->ringbuffer_gpadlhandle) ?: ret;
	olvb_ring_cleanup(&ch->outbound);
	olvb_ring_cleanup(&ch->inbound);
	olvb_free_requestor(ch);
	return ret;
}

int vmbus_disconnect_ring(struct vmbus_channel *channel)
{
	if (WARN_ON(channel->primary_channel))
		return -EINVAL;
	olvb_close_subchannels(channel);
	return olvb_close_one(channel);
}
EXPORT_SYMBOL_GPL(vmbus_disconnect_ring);

void vmbus_close(struct vmbus_channel *channel)
{
	if (channel->primary_channel) {
		olvb_close_one(channel);
		return;
	}
	if (vmbus_disconnect_ring(channel) == 0 || channel->rescind)
		vmbus_free_ring(channel);
}
EXPORT_SYMBOL_GPL(vmbus_close);

int vmbus_sendpacket_getid(struct vmbus_channel *channel, void *buffer,
			   u32 bufferlen, u64 requestid, u64 *trans_id,
			   enum vmbus_packet_type type, u32 flags)
{
	struct vmpacket_descriptor desc;
	u32 len = sizeof(desc) + bufferlen;
	u32 aligned = ALIGN(len, sizeof(u64));
	u64 pad = 0;
	struct kvec kv[3] = {
		{ &desc, sizeof(desc) },
		{ buffer, bufferlen },
		{ &pad, aligned - len },
	};

	if (aligned > U16_MAX << 3)
		return -EINVAL;
	desc.type = type;
	desc.offset8 = sizeof(desc) >> 3;
	desc.len8 = aligned >> 3;
	desc.flags = flags;
	desc.trans_id = requestid;
	return olvb_ring_send(channel, kv, 3, requestid, trans_id);
}
EXPORT_SYMBOL(vmbus_sendpacket_getid);

int vmbus_sendpacket(struct vmbus_channel *channel, void *buffer,
		     u32 bufferlen, u64 requestid,
		     enum vmbus_packet_type type, u32 flags)
{
	return vmbus_sendpacket_getid(channel, buffer, bufferlen, requestid,
				      NULL, type, flags);
}
EXPORT_SYMBOL(vmbus_sendpacket);

int vmbus_sendpacket_mpb_desc(struct vmbus_channel *channel,
			      struct vmbus_packet_mpb_array *desc,
			      u32 desc_size, void *buffer, u32 bufferlen,
			      u64 requestid)
{
	u32 len = desc_size + bufferlen;
	u32 aligned = ALIGN(len, sizeof(u64));
	u64 pad = 0;
	struct kvec kv[3] = {
		{ desc, desc_size },
		{ buffer, bufferlen },
		{ &pad, aligned - len },
	};

	if (desc_size < sizeof(struct vmpacket_descriptor) ||
	    aligned > U16_MAX << 3 || desc_size > U16_MAX)
		return -EINVAL;
	desc->type = VM_PKT_DATA_USING_GPA_DIRECT;
	desc->flags = VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED;
	desc->dataoffset8 = desc_size >> 3;
	desc->length8 = aligned >> 3;
	desc->transactionid = requestid;
	desc->reserved = 0;
	/*
	 * The caller has set rangecount, as the kernel's own core wants
	 * since its stable releases of 2025: netvsc sends one range a page
	 * buffer, and forcing 1 cut its frames to their first range.
	 */
	if (!desc->rangecount)
		return -EINVAL;
	return olvb_ring_send(channel, kv, 3, requestid, NULL);
}
EXPORT_SYMBOL_GPL(vmbus_sendpacket_mpb_desc);

int vmbus_recvpacket(struct vmbus_channel *channel, void *buffer,
		     u32 bufferlen, u32 *buffer_actual_len, u64 *requestid)
{
	return olvb_ring_read(channel, buffer, bufferlen, buffer_actual_len,
			      requestid, false);
}
EXPORT_SYMBOL(vmbus_recvpacket);

int vmbus_recvpacket_raw(struct vmbus_channel *channel, void *buffer,
			 u32 bufferlen, u32 *buffer_actual_len, u64 *requestid)
{
	return olvb_ring_read(channel, buffer, bufferlen, buffer_actual_len,
			      requestid, true);
}
EXPORT_SYMBOL_GPL(vmbus_recvpacket_raw);

static struct olvb_rqstor olvb_rqstor_of(struct vmbus_channel *ch)
{
	struct vmbus_requestor *r = &ch->requestor;

	return (struct olvb_rqstor){ r->req_arr, r->req_bitmap, r->size,
				     &r->next_request_id };
}

u64 vmbus_next_request_id(struct vmbus_channel *channel, u64 rqst_addr)
{
	struct olvb_rqstor v;
	unsigned long flags;
	u64 id;

	if (!channel->rqstor_size)
		return VMBUS_NO_RQSTOR;
	spin_lock_irqsave(&channel->requestor.req_lock, flags);
	v = olvb_rqstor_of(channel);
	id = v.arr ? olvb_rqstor_get(&v, rqst_addr) : VMBUS_RQST_ERROR;
	spin_unlock_irqrestore(&channel->requestor.req_lock, flags);
	return id;
}
EXPORT_SYMBOL_GPL(vmbus_next_request_id);

u64 __vmbus_request_addr_match(struct vmbus_channel *channel, u64 trans_id,
			       u64 rqst_addr)
{
	struct olvb_rqstor v;

	if (!channel->rqstor_size)
		return VMBUS_NO_RQSTOR;
	v = olvb_rqstor_of(channel);
	if (!v.arr)
		return VMBUS_RQST_ERROR;
	return olvb_rqstor_put(&v, trans_id, rqst_addr);
}
EXPORT_SYMBOL_GPL(__vmbus_request_addr_match);

u64 vmbus_request_addr_match(struct vmbus_channel *channel, u64 trans_id,
			     u64 rqst_addr)
{
	unsigned long flags;
	u64 addr;

	spin_lock_irqsave(&channel->requestor.req_lock, flags);
	addr = __vmbus_request_addr_match(channel, trans_id, rqst_addr);
	spin_unlock_irqrestore(&channel->requestor.req_lock, flags);
	return addr;
}
EXPORT_SYMBOL_GPL(vmbus_request_addr_match);

u64 vmbus_request_addr(struct vmbus_channel *channel, u64 trans_id)
{
	return vmbus_request_addr_match(channel, trans_id, VMBUS_RQST_ADDR_ANY);
}
EXPORT_SYMBOL_GPL(vmbus_request_addr);

int vmbus_send_tl_connect_request(const guid_t *shv_guest_servie_id,
				  const guid_t *shv_host_servie_id)
{
	struct vmbus_channel_tl_connect_request msg = {
		.header.msgtype = CHANNELMSG_TL_CONNECT_REQUEST,
	};

	guid_copy(&msg.guest_endpoint_id, shv_guest_servie_id);
	guid_copy(&msg.host_service_id, shv_host_servie_id);
	return olvb_post(&msg, sizeof(msg));
}
EXPORT_SYMBOL_GPL(vmbus_send_tl_connect_request);

int vmbus_send_modifychannel(struct vmbus_channel *channel, u32 target_vp)
{
	struct vmbus_channel_modifychannel msg = {
		.header.msgtype = CHANNELMSG_MODIFYCHANNEL,
		.child_relid = channel->offermsg.child_relid,
		.target_vp = target_vp,
	};
	struct olvb_req *req;
	int ret;

	/* Older hosts take the request but never answer it. */
	if (vmbus_proto_version < VERSION_WIN10_V5_3)
		return olvb_post(&msg, sizeof(msg));
	req = kmalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	olvb_req_init(req, OLVB_MSG_MODIFYCHANNEL_RESPONSE,
		      olvb_key_modify(msg.child_relid), channel);
	ret = olvb_req_send(req, &msg, sizeof(msg), HZ);
	if (!ret && ((struct olvb_msg_modify_response *)req->resp)->status)
		ret = -EIO;
	kfree(req);
	return ret;
}
EXPORT_SYMBOL_GPL(vmbus_send_modifychannel);

/*
 * Move @ch's interrupts to @cpu (channels/<relid>/cpu). The host ignores
 * the request for a channel that is not open, so those are refused.
 */
int olvb_chan_retarget(struct vmbus_channel *ch, unsigned int cpu)
{
	u32 old;
	int ret = 0;

	cpus_read_lock();
	if (!cpu_online(cpu)) {
		ret = -EINVAL;
		goto out_cpus;
	}
	mutex_lock(&olvb.chan_mutex);
	if (ch->state != CHANNEL_OPENED_STATE || ch->rescind) {
		ret = -EIO;
		goto out;
	}
	old = ch->target_cpu;
	if (cpu == old)
		goto out;
	if (vmbus_send_modifychannel(ch, hv_cpu_number_to_vp_number(cpu))) {
		ret = -EIO;
		goto out;
	}
	WRITE_ONCE(ch->target_cpu, cpu);
	if (ch->change_target_cpu_callback)
		ch->change_target_cpu_callback(ch, old, cpu);
out:
	mutex_unlock(&olvb.chan_mutex);
out_cpus:
	cpus_read_unlock();
	return ret;
}
