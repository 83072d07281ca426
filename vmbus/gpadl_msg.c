// SPDX-License-Identifier: GPL-2.0
/*
 * GPADL messages: one GPADL_HEADER carrying the first page numbers, then as
 * many GPADL_BODY messages as the rest need, each filling a SynIC message.
 */
#include "proto_env.h"

u32 olvb_gpadl_msg_count(u32 npages)
{
	u32 rest;

	if (!npages || npages > OLVB_GPADL_MAX_PAGES)
		return 0;
	if (npages <= OLVB_GPADL_HDR_PFNS)
		return 1;
	rest = npages - OLVB_GPADL_HDR_PFNS;
	return 1 + (rest + OLVB_GPADL_BODY_PFNS - 1) / OLVB_GPADL_BODY_PFNS;
}

static u32 build_header(struct olvb_msg_gpadl_header *h, u32 relid,
			u32 handle, u32 npages, olvb_pfn_fn pfn, const void *ctx)
{
	u32 n = min_t(u32, npages, OLVB_GPADL_HDR_PFNS), i;

	h->hdr.type = OLVB_MSG_GPADL_HEADER;
	h->child_relid = relid;
	h->gpadl = handle;
	/*
	 * The field is 16 bits wide on the wire; like other guests we let it
	 * wrap for large GPADLs: byte_count, which is exact, is what counts.
	 */
	h->range_buflen = (u16)(8 + (u64)npages * sizeof(u64));
	h->rangecount = 1;
	h->byte_count = npages << 12;
	h->byte_offset = 0;
	for (i = 0; i < n; i++)
		h->pfn[i] = pfn(ctx, i);
	return sizeof(*h) + n * sizeof(u64);
}

static u32 build_body(struct olvb_msg_gpadl_body *b, u32 idx, u32 handle,
		      u32 npages, olvb_pfn_fn pfn, const void *ctx)
{
	u32 first = OLVB_GPADL_HDR_PFNS + (idx - 1) * OLVB_GPADL_BODY_PFNS;
	u32 n = min_t(u32, npages - first, OLVB_GPADL_BODY_PFNS), i;

	b->hdr.type = OLVB_MSG_GPADL_BODY;
	b->gpadl = handle;
	for (i = 0; i < n; i++)
		b->pfn[i] = pfn(ctx, first + i);
	return sizeof(*b) + n * sizeof(u64);
}

u32 olvb_gpadl_msg_build(void *buf, u32 idx, u32 relid, u32 handle,
			 u32 npages, olvb_pfn_fn pfn, const void *ctx)
{
	if (idx >= olvb_gpadl_msg_count(npages))
		return 0;
	memset(buf, 0, OLVB_MSG_MAX);
	if (!idx)
		return build_header(buf, relid, handle, npages, pfn, ctx);
	return build_body(buf, idx, handle, npages, pfn, ctx);
}
