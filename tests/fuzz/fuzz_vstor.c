// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: packets from the storage host into storvsc/vstor_check.c, as
 * the driver feeds them: the first 10 bytes pick the VMBus packet type,
 * the transaction id and what the request asked for, the rest is the
 * payload, in a heap buffer of exactly its length (AddressSanitizer sees
 * any read past it). For what is accepted the fuzzer checks what the
 * driver then trusts: an I/O answer is a whole packet of the version,
 * COMPLETE_IO, with a defined SRB status, sense inside its buffer and no
 * more bytes moved than asked; a control answer holds what its operation
 * carries; a bus change came in-band with id 0; properties give a
 * transfer limit of whole pages inside the cap.
 */
#include <stdint.h>
#include <stdlib.h>
#include "../unit/test_vstor_shim.h"
#include "../../storvsc/vstor_check.c"

static const u16 versions[] = {
	VSTOR_VERSION_WIN8, VSTOR_VERSION_WIN8_1, VSTOR_VERSION_WIN10,
	VSTOR_VERSION(4, 2),
};

static const u32 control_ops[] = {
	VSTOR_OP_BEGIN_INITIALIZATION, VSTOR_OP_QUERY_PROTOCOL_VERSION,
	VSTOR_OP_QUERY_PROPERTIES, VSTOR_OP_END_INITIALIZATION,
	VSTOR_OP_CREATE_SUB_CHANNELS, VSTOR_OP_RESET_BUS,
};

static void check_io(const struct vstor_packet *p, u32 len,
		     const struct vstor_io_expect *w)
{
	u8 st = VSTOR_SRB_STATUS(p->srb.srb_status);

	if (len < VSTOR_PACKET_SIZE || !vstor_packet_size(w->version) ||
	    p->hdr.operation != VSTOR_OP_COMPLETE_IO ||
	    !st || st > VSTOR_SRB_STATUS_MAX ||
	    p->srb.transfer_length > w->length)
		abort();
	if ((p->srb.srb_status & VSTOR_SRB_AUTOSENSE_VALID) &&
	    (p->srb.sense_length > w->sense_size ||
	     p->srb.sense_length > sizeof(p->srb.sense)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vstor_io_expect want;
	struct vstor_properties pr;
	struct vstor_packet p;
	enum vstor_verdict v;
	enum vstor_kind kind;
	u32 tag, len, op, xfer;
	u64 id;
	u16 nsub;
	u8 *buf;

	if (size < 10 || size > 10 + 2 * VSTOR_PACKET_SIZE)
		return 0;
	id = 0;
	memcpy(&id, data + 1, data[0] & 1 ? 8 : 1);
	want.version = versions[data[9] & 3];
	want.length = (u32)(data[9] >> 2) << 12;
	want.sense_size = data[0] & 2 ? 18 : 96;
	op = control_ops[(data[0] >> 2) % ARRAY_SIZE(control_ops)];
	len = (u32)(size - 10);
	buf = malloc(len ? len : 1);
	memcpy(buf, data + 10, len);

	v = vstor_classify(data[0] & 0x10 ? VSTOR_PKT_INBAND : VSTOR_PKT_COMP,
			   id, &kind, &tag);
	if ((unsigned int)v >= VSTOR_NR_VERDICTS || !vstor_verdict_name(v))
		abort();
	if (v == VSTOR_OK) {
		vstor_copy(&p, buf, len);
		if (len < sizeof(p) && ((u8 *)&p)[len] != 0)
			abort();
		switch (kind) {
		case VSTOR_KIND_HOST:
			if (id)
				abort();
			v = vstor_check_host_msg(&p, len);
			if (v == VSTOR_BUS_CHANGED &&
			    p.hdr.operation != VSTOR_OP_ENUMERATE_BUS &&
			    p.hdr.operation != VSTOR_OP_REMOVE_DEVICE)
				abort();
			break;
		case VSTOR_KIND_CONTROL:
			if (!(id & VSTOR_ID_CONTROL))
				abort();
			v = vstor_check_reply(&p, len, op);
			if (v == VSTOR_OK &&
			    (p.hdr.operation != VSTOR_OP_COMPLETE_IO ||
			     len < sizeof(p.hdr) + (op == VSTOR_OP_QUERY_PROPERTIES ?
						    sizeof(p.props) : 0)))
				abort();
			break;
		case VSTOR_KIND_IO:
			if (!id || (id & VSTOR_ID_CONTROL) || tag != (u32)id - 1)
				abort();
			v = vstor_check_io(&p, len, &want);
			if (v == VSTOR_OK)
				check_io(&p, len, &want);
			break;
		}
		if ((unsigned int)v >= VSTOR_NR_VERDICTS)
			abort();
	}
	if (len >= sizeof(pr)) {
		memcpy(&pr, buf, sizeof(pr));
		v = vstor_check_properties(&pr, 2 << 20, 64, &xfer, &nsub);
		if (v == VSTOR_OK && (!xfer || xfer & 4095 || xfer > (2 << 20) ||
				      nsub > 64))
			abort();
		if (v != VSTOR_OK && (xfer || nsub))
			abort();
	}
	free(buf);
	return 0;
}
