// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: NVSP packets from the host into netvsc/nvsp_check.c. The first
 * input byte picks the packet kind (completion, in-band, transfer page) and
 * the protocol version, the next ones the transaction id, buffer sizes and
 * channel count; the rest is the packet, in a heap buffer of exactly its
 * length. For what is accepted the fuzzer checks what hv_netvsc then
 * trusts: a completion answers the request its id names and holds that
 * answer; our ids' slots are in range; buffer layouts fit the buffer we
 * gave and a section holds a frame; a grant is no more than asked; a send
 * table has 16 entries below the channel count; a transfer-page packet's
 * ranges lie in its header, at most 562, and each accepted range lies in
 * the receive buffer (read whole, so AddressSanitizer sees any overrun)
 * and within the section size.
 */
#include <stdint.h>
#include <stdlib.h>
#include "../unit/kshim.h"
#include "../../netvsc/nvsp_check.c"

static const u32 versions[] = {
	0, NVSP_VERSION_1, NVSP_VERSION_2, NVSP_VERSION_4,
	NVSP_VERSION_5, NVSP_VERSION_6, NVSP_VERSION_61, 0xffffffff,
};

struct fuzz_args {
	u8 mode;
	u8 kind;
	u16 nchan;
	u32 slot;
	u32 buf_size;
	u32 max_len;
	u32 asked;
};

static u8 rxbuf[1 << 16];

static void fuzz_comp(const u8 *p, u32 len, const struct fuzz_args *a, u32 ver)
{
	const u32 nslots = 64;
	struct nvsp_comp c;
	u32 sz, n;
	u64 tid;
	const struct nvsp_comp_rule *rule;

	/* Mostly ids of ours, sometimes any 64 bits. */
	tid = a->kind & 0x80 ? ((u64)a->slot << 32 | a->buf_size) :
	      nvsp_tid(a->kind & 3, a->slot % 200);
	if (nvsp_check_comp(p, len, tid, ver, nslots, &c) != NVSP_OK)
		return;
	if (tid != nvsp_tid(c.kind, c.slot))
		abort();
	if (c.kind == NVSP_TID_CTRL) {
		rule = nvsp_rule_of(c.slot);
	} else if (c.kind == NVSP_TID_DATA || c.kind == NVSP_TID_RNDIS) {
		if (c.slot >= nslots)
			abort();
		rule = nvsp_rule_of(NVSP_MSG1_RNDIS_PKT);
	} else {
		abort();
	}
	if (!rule || c.type != rule->comp || len < rule->min_len ||
	    ver < rule->min_ver || (c.type == NVSP_MSG_NONE && len))
		abort();
	if (nvsp_check_rxbuf(&c, a->buf_size, &sz, &n) == NVSP_OK &&
	    (c.type != NVSP_MSG1_RXBUF_COMPLETE || sz < NVSP_MIN_SECTION || !n ||
	     (u64)sz * n > a->buf_size))
		abort();
	if (nvsp_check_txbuf(&c, a->buf_size, &sz, &n) == NVSP_OK &&
	    (c.type != NVSP_MSG1_TXBUF_COMPLETE || sz < NVSP_MIN_SECTION ||
	     !n || (u64)sz * n > a->buf_size))
		abort();
	if (nvsp_check_subch(&c, a->asked, &n) == NVSP_OK &&
	    (c.type != NVSP_MSG5_SUBCHANNEL || n > a->asked))
		abort();
}

static void fuzz_inband(const u8 *p, u32 len, const struct fuzz_args *a, u32 ver)
{
	struct nvsp_inband m;
	u32 i;

	if (nvsp_check_inband(p, len, ver, a->nchan, &m) != NVSP_OK)
		return;
	switch (m.type) {
	case NVSP_MSG4_VF_ASSOCIATION:
		if (ver < NVSP_VERSION_4 || len < sizeof(struct nvsp_vf_association))
			abort();
		break;
	case NVSP_MSG5_SEND_TABLE:
		if (ver < NVSP_VERSION_5 ||
		    len < sizeof(struct nvsp_send_table) + NVSP_SEND_TABLE_SIZE * 4)
			abort();
		for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++)
			if (m.table[i] >= a->nchan)
				abort();
		break;
	default:
		abort();
	}
}

static void fuzz_xfer(const u8 *p, u32 len, const struct fuzz_args *a)
{
	u32 size = a->buf_size % (sizeof(rxbuf) + 1), i, off, n;
	volatile u8 sum = 0;
	struct nvsp_xfer x;
	u8 *buf;

	if (nvsp_check_xfer(p, len, &x) != NVSP_OK)
		return;
	if (x.count > NVSP_MAX_XFER_RANGES ||
	    (const u8 *)(x.ranges + x.count) > p + len ||
	    (const u8 *)x.ranges != p + sizeof(struct nvsp_xfer_hdr))
		abort();
	/* The receive buffer is exactly @size bytes long. */
	buf = rxbuf + sizeof(rxbuf) - size;
	for (i = 0; i < x.count + 1; i++) {
		if (nvsp_check_range(&x, i, size, a->max_len, &off, &n) != NVSP_OK)
			continue;
		if (i >= x.count || !n || n > a->max_len || (u64)off + n > size)
			abort();
		sum += buf[off] + buf[off + n - 1];
	}
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_args a;
	u32 len, ver;
	u8 *p;

	if (size < sizeof(a) || size > 8192)
		return 0;
	memcpy(&a, data, sizeof(a));
	ver = versions[(a.mode >> 2) & 7];
	len = (u32)(size - sizeof(a));
	p = malloc(len ? len : 1);
	memcpy(p, data + sizeof(a), len);
	switch (a.mode & 3) {
	case 0:
		fuzz_comp(p, len, &a, ver);
		break;
	case 1:
		fuzz_inband(p, len, &a, ver);
		break;
	default:
		fuzz_xfer(p, len, &a);
		break;
	}
	if (!nvsp_verdict_name(NVSP_BAD_TABLE))
		abort();
	free(p);
	return 0;
}
