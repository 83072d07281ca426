// SPDX-License-Identifier: GPL-2.0
/*
 * GPADLs: describing guest buffers to the host. Messages come from
 * gpadl_msg.c; this file feeds it page numbers and waits for the answer.
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
#include <asm/page.h>
#include <asm/mshyperv.h>

#include "vmbus_priv.h"

/*
 * With 4 KiB pages a ring GPADL is laid out like any other buffer: the
 * send ring's pages, then the receive ring's.
 */
static u64 olvb_buf_pfn(const void *buf, u32 i)
{
	return virt_to_hvpfn((void *)buf + ((size_t)i << HV_HYP_PAGE_SHIFT));
}

int olvb_gpadl_create(struct vmbus_channel *ch, enum hv_gpadl_type type,
		      void *kbuf, u32 size, u32 send_offset,
		      struct vmbus_gpadl *gpadl)
{
	u32 npages = size >> HV_HYP_PAGE_SHIFT;
	u32 relid = ch->offermsg.child_relid;
	u32 handle, count, i, len;
	struct olvb_req *req;
	u8 *msg;
	int ret;

	if (!size || size & (HV_HYP_PAGE_SIZE - 1) ||
	    offset_in_page(kbuf))
		return -EINVAL;
	count = olvb_gpadl_msg_count(npages);
	if (!count)
		return -EINVAL;
	if (ch->rescind || !olvb_has_relid(ch))
		return -ENODEV;

	msg = kmalloc(OLVB_MSG_MAX, GFP_KERNEL);
	req = kmalloc(sizeof(*req), GFP_KERNEL);
	if (!msg || !req) {
		ret = -ENOMEM;
		goto out;
	}
	handle = atomic_inc_return(&olvb.next_gpadl);
	olvb_req_init(req, OLVB_MSG_GPADL_CREATED, olvb_key_gpadl(relid, handle),
		      ch);
	/* The header opens the GPADL on the host; the bodies fill it in. */
	olvb_req_start(req);
	for (i = 0, ret = 0; i < count && !ret; i++) {
		len = olvb_gpadl_msg_build(msg, i, relid, handle, npages,
					   olvb_buf_pfn, kbuf);
		ret = olvb_post(msg, len);
	}
	ret = olvb_req_finish(req, ret, 30 * HZ);
	if (ret)
		goto out;
	if (((struct olvb_msg_gpadl_created *)req->resp)->status) {
		pr_warn("relid %u: host refused GPADL of %u pages: %#x\n",
			relid, npages,
			((struct olvb_msg_gpadl_created *)req->resp)->status);
		ret = -EIO;
		goto out;
	}
	gpadl->gpadl_handle = handle;
	gpadl->buffer = kbuf;
	gpadl->size = size;
	gpadl->decrypted = false;
out:
	kfree(msg);
	kfree(req);
	return ret;
}

int vmbus_establish_gpadl(struct vmbus_channel *channel, void *kbuffer,
			  u32 size, struct vmbus_gpadl *gpadl)
{
	return olvb_gpadl_create(channel, HV_GPADL_BUFFER, kbuffer, size, 0,
				 gpadl);
}
EXPORT_SYMBOL_GPL(vmbus_establish_gpadl);

int vmbus_teardown_gpadl(struct vmbus_channel *channel,
			 struct vmbus_gpadl *gpadl)
{
	struct vmbus_channel_gpadl_teardown msg = {
		.header.msgtype = CHANNELMSG_GPADL_TEARDOWN,
		.child_relid = channel->offermsg.child_relid,
		.gpadl = gpadl->gpadl_handle,
	};
	struct olvb_req *req;
	int ret = 0;

	/* A rescinded channel's GPADLs went with it, all of them with UNLOAD. */
	if (channel->rescind || !olvb_has_relid(channel))
		goto done;
	req = kmalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	olvb_req_init(req, OLVB_MSG_GPADL_TORNDOWN,
		      olvb_key_torndown(gpadl->gpadl_handle), channel);
	ret = olvb_req_send(req, &msg, sizeof(msg), 30 * HZ);
	kfree(req);
	if (ret == -ENODEV)
		ret = 0;
	if (ret)
		return ret;
done:
	gpadl->gpadl_handle = 0;
	return 0;
}
EXPORT_SYMBOL_GPL(vmbus_teardown_gpadl);
