/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel ring buffer glue shared by channel.c and ringbuf.c. */
#ifndef OPENLIS_VMBUS_RINGBUF_H
#define OPENLIS_VMBUS_RINGBUF_H

#include <linux/uio.h>

void olvb_rb_view(struct hv_ring_buffer_info *rbi, struct olvb_rb *rb);
int olvb_ring_init(struct hv_ring_buffer_info *rbi, struct page *pages,
		   u32 npages, u32 max_pkt_size);
void olvb_ring_cleanup(struct hv_ring_buffer_info *rbi);
int olvb_ring_send(struct vmbus_channel *ch, const struct kvec *kv,
		   unsigned int n, u64 requestid, u64 *trans_id);
int olvb_ring_read(struct vmbus_channel *ch, void *buf, u32 buflen,
		   u32 *actual, u64 *requestid, bool raw);

#endif
