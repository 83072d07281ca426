// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: random event sequences into the VF failover state machine
 * (netvsc/vf_state.c), one event an input byte: the host's association
 * messages and switch answers (at any time, asked for or not), the VF
 * netdev coming, going, up and down, the synthetic device's open, close,
 * suspend, resume, detach, removal and rescind. A model of the glue does
 * each action and checks what vf.c relies on: frames go through the VF
 * only while it is joined, up, associated, the synthetic device open and
 * the host has acknowledged the switch to it; they leave the VF before a
 * switch back is sent and before the VF is released; one switch at most
 * is in flight and none after the rescind; a refused event does nothing;
 * nothing joins after removal. At the end, with every switch answered,
 * the path is where the facts want it.
 */
#include <stdint.h>
#include <stdlib.h>
#include "../unit/kshim.h"
#include "../../netvsc/vf_state.c"

struct model {
	bool tx_vf, linked, in_flight, removed, rescinded;
};

static const u32 serials[] = { 1, 2, 3, OLNV_VF_NO_SERIAL };

static void do_actions(struct olnv_vf *v, struct model *m,
		       enum olnv_vf_verdict verdict, u32 todo)
{
	if (verdict != OLNV_VF_OK && todo)
		abort();
	if (todo & OLNV_VF_DO_TX_SYNTH) {
		if (!m->tx_vf)
			abort();
		m->tx_vf = false;
	}
	if (todo & OLNV_VF_DO_JOIN) {
		if (m->linked || m->removed)
			abort();
		m->linked = true;
	}
	if (todo & (OLNV_VF_DO_TO_SYNTH | OLNV_VF_DO_TO_VF)) {
		if (m->in_flight || m->rescinded ||
		    (todo & OLNV_VF_DO_TO_SYNTH && todo & OLNV_VF_DO_TO_VF))
			abort();
		if (todo & OLNV_VF_DO_TO_SYNTH && m->tx_vf)
			abort();
		m->in_flight = true;
	}
	if (todo & OLNV_VF_DO_RELEASE) {
		if (!m->linked || m->tx_vf)
			abort();
		m->linked = false;
	}
	if (todo & OLNV_VF_DO_TX_VF) {
		if (m->tx_vf || !m->linked || m->removed)
			abort();
		m->tx_vf = true;
	}
	if (m->tx_vf != v->tx_vf || m->linked != v->joined ||
	    m->in_flight != v->pending)
		abort();
	if (v->tx_vf && !(v->assoc && v->joined && v->vf_up && v->syn_open &&
			  !v->suspended && !v->removing && !v->rescinded &&
			  v->path == OLNV_VF_PATH_VF && !v->pending))
		abort();
}

static void step(struct olnv_vf *v, struct model *m, u8 b)
{
	enum olnv_vf_verdict r;
	u32 todo = 0;
	u32 serial = serials[(b >> 4) & 3];
	bool flag = b & 0x40;

	switch (b & 0xf) {
	case 0:
	case 1:
		r = olnv_vf_assoc(v, flag, serial, &todo);
		break;
	case 2:
	case 3:
		r = olnv_vf_switch_acked(v, &todo);
		if (r == OLNV_VF_OK)
			m->in_flight = false;
		break;
	case 4:
		r = olnv_vf_switch_failed(v, flag, &todo);
		if (r == OLNV_VF_OK)
			m->in_flight = false;
		break;
	case 5:
		r = olnv_vf_appeared(v, serial, &todo);
		break;
	case 6:
		r = olnv_vf_gone(v, &todo);
		break;
	case 7:
	case 8:
		r = olnv_vf_link(v, flag, &todo);
		break;
	case 9:
	case 10:
		r = olnv_vf_syn_open(v, flag, &todo);
		break;
	case 11:
		r = flag ? olnv_vf_resume(v, &todo) : olnv_vf_suspend(v, &todo);
		break;
	case 12:
		r = olnv_vf_detached(v, &todo);
		m->in_flight = false;
		break;
	case 13:
		/* Removal is the end of the device: rare. */
		if ((b & 0xf0) != 0xf0)
			return;
		r = olnv_vf_remove(v, &todo);
		m->removed = true;
		break;
	case 14:
		if ((b & 0xf0) != 0xf0)
			return;
		r = olnv_vf_rescind(v, &todo);
		m->in_flight = false;
		m->rescinded = true;
		break;
	default:
		return;
	}
	if ((unsigned int)r >= OLNV_VF_NR_VERDICTS)
		abort();
	do_actions(v, m, r, todo);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct olnv_vf v;
	struct model m = { 0 };
	enum olnv_vf_verdict r;
	enum olnv_vf_path want;
	u32 todo;
	size_t i;

	olnv_vf_init(&v);
	for (i = 0; i < size; i++)
		step(&v, &m, data[i]);

	/* Any event settles an unknown path; then answer every switch. */
	r = olnv_vf_syn_open(&v, v.syn_open, &todo);
	do_actions(&v, &m, r, todo);
	for (i = 0; i < 4 && v.pending; i++) {
		r = olnv_vf_switch_acked(&v, &todo);
		m.in_flight = false;
		do_actions(&v, &m, r, todo);
	}
	if (v.pending)
		abort();
	want = olnv_vf_want_vf(&v) ? OLNV_VF_PATH_VF : OLNV_VF_PATH_SYNTHETIC;
	if (!m.rescinded && v.path != want)
		abort();
	if (v.tx_vf != (want == OLNV_VF_PATH_VF && !m.rescinded))
		abort();
	return 0;
}
