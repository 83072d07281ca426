// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the VF failover state machine (netvsc/vf_state.c): the
 * sequences netvsc/vf.c feeds it from the host's VF association, the VF
 * netdev's notifier events and the synthetic device's open, close,
 * suspend and removal, and hostile host messages. A model of the glue
 * does each returned action and keeps what the host and the stack saw,
 * so each test checks effects, not only the machine's fields.
 */
#include <stdlib.h>
#include "kshim.h"
#include "unit.h"
#include "../../netvsc/vf_state.c"

#define SERIAL 7

/* The glue and the host as the tests see them. */
struct glue {
	struct olnv_vf v;
	bool auto_ack;		/* the host answers each switch at once */
	bool tx_vf;		/* what the transmit path uses */
	bool linked;		/* the VF is our slave */
	int joins, releases;
	int to_vf, to_synth;	/* switches the host received */
	int tx_flips;
	u32 last;		/* the last event's actions */
	bool bad;		/* an action that makes no sense came */
};

static void apply(struct glue *g, u32 todo);

static void ack(struct glue *g)
{
	u32 todo;

	olnv_vf_switch_acked(&g->v, &todo);
	apply(g, todo);
}

/* Does @todo; g->last keeps it, not what an answer to it then did. */
static void apply(struct glue *g, u32 todo)
{
	if (todo & OLNV_VF_DO_TX_SYNTH) {
		g->bad |= !g->tx_vf;
		g->tx_vf = false;
		g->tx_flips++;
	}
	if (todo & OLNV_VF_DO_JOIN) {
		g->bad |= g->linked;
		g->linked = true;
		g->joins++;
	}
	if (todo & OLNV_VF_DO_TO_SYNTH) {
		g->bad |= g->tx_vf;	/* frames must leave the VF first */
		g->to_synth++;
	}
	if (todo & OLNV_VF_DO_TO_VF)
		g->to_vf++;
	if (todo & OLNV_VF_DO_RELEASE) {
		g->bad |= !g->linked || g->tx_vf;
		g->linked = false;
		g->releases++;
	}
	if (todo & OLNV_VF_DO_TX_VF) {
		g->bad |= g->tx_vf || !g->linked;
		g->tx_vf = true;
		g->tx_flips++;
	}
	if (g->auto_ack && (todo & (OLNV_VF_DO_TO_SYNTH | OLNV_VF_DO_TO_VF)))
		ack(g);
	g->last = todo;
}

static void glue_init(struct glue *g)
{
	memset(g, 0, sizeof(*g));
	olnv_vf_init(&g->v);
	g->auto_ack = true;
}

#define EV(g, call) ({ u32 _t = 0; enum olnv_vf_verdict _r = (call);	\
		       apply((g), _t); _r; })
#define ASSOC(g, a, s)	EV(g, olnv_vf_assoc(&(g)->v, a, s, &_t))
#define APPEAR(g, s)	EV(g, olnv_vf_appeared(&(g)->v, s, &_t))
#define GONE(g)		EV(g, olnv_vf_gone(&(g)->v, &_t))
#define LINK(g, up)	EV(g, olnv_vf_link(&(g)->v, up, &_t))
#define OPEN(g, o)	EV(g, olnv_vf_syn_open(&(g)->v, o, &_t))
#define SUSPEND(g)	EV(g, olnv_vf_suspend(&(g)->v, &_t))
#define RESUME(g)	EV(g, olnv_vf_resume(&(g)->v, &_t))
#define DETACHED(g)	EV(g, olnv_vf_detached(&(g)->v, &_t))
#define REMOVE(g)	EV(g, olnv_vf_remove(&(g)->v, &_t))
#define RESCIND(g)	EV(g, olnv_vf_rescind(&(g)->v, &_t))
#define FAILED(g, s)	EV(g, olnv_vf_switch_failed(&(g)->v, s, &_t))
#define ACKED(g)	EV(g, olnv_vf_switch_acked(&(g)->v, &_t))

/* Open, associated, joined and up: frames go through the VF. */
static void on_vf(struct glue *g)
{
	glue_init(g);
	OPEN(g, true);
	ASSOC(g, true, SERIAL);
	APPEAR(g, SERIAL);
	LINK(g, true);
}

/*
 * The VF left as it must: frames off it, the switch back sent and
 * answered, then released.
 */
static bool left_vf(const struct glue *g)
{
	return g->last == (OLNV_VF_DO_TX_SYNTH | OLNV_VF_DO_TO_SYNTH |
			   OLNV_VF_DO_RELEASE) &&
	       !g->tx_vf && !g->linked && g->v.path == OLNV_VF_PATH_SYNTHETIC;
}

/* The host associates the VF: its @n-th switch to it, frames follow. */
static bool assoc_takes_vf(struct glue *g, int n)
{
	return ASSOC(g, true, SERIAL) == OLNV_VF_OK && g->to_vf == n &&
	       g->tx_vf && !g->bad;
}

static void test_no_vf(void)
{
	struct glue g;

	glue_init(&g);
	CHECK_EQ(OPEN(&g, true), OLNV_VF_OK);
	CHECK_EQ(OPEN(&g, false), OLNV_VF_OK);
	CHECK_EQ(OPEN(&g, true), OLNV_VF_OK);
	CHECK_EQ(SUSPEND(&g), OLNV_VF_OK);
	CHECK_EQ(DETACHED(&g), OLNV_VF_OK);
	CHECK_EQ(RESUME(&g), OLNV_VF_OK);
	CHECK_EQ(REMOVE(&g), OLNV_VF_OK);
	CHECK_EQ(g.to_vf + g.to_synth + g.joins + g.releases + g.tx_flips, 0);
	CHECK(!g.bad);
}

static void test_hot_add_after_assoc(void)
{
	struct glue g;

	glue_init(&g);
	g.auto_ack = false;
	OPEN(&g, true);
	CHECK_EQ(ASSOC(&g, true, SERIAL), OLNV_VF_OK);
	CHECK_EQ(g.last, 0);
	CHECK_EQ(APPEAR(&g, SERIAL), OLNV_VF_OK);
	CHECK_EQ(g.last, OLNV_VF_DO_JOIN);
	CHECK_EQ(g.to_vf, 0);	/* joined but not up yet */
	CHECK_EQ(LINK(&g, true), OLNV_VF_OK);
	CHECK_EQ(g.last, OLNV_VF_DO_TO_VF);
	CHECK(!g.tx_vf);	/* not before the host answers */
	CHECK_EQ(ACKED(&g), OLNV_VF_OK);
	CHECK_EQ(g.last, OLNV_VF_DO_TX_VF);
	CHECK(g.tx_vf);
	CHECK_EQ(g.v.path, OLNV_VF_PATH_VF);
	CHECK_EQ(g.v.switches, 1);
	CHECK(!g.bad);
}

static void test_hot_add_before_assoc(void)
{
	struct glue g;

	glue_init(&g);
	OPEN(&g, true);
	CHECK_EQ(APPEAR(&g, OLNV_VF_NO_SERIAL), OLNV_VF_OK);
	CHECK_EQ(LINK(&g, true), OLNV_VF_OK);
	CHECK_EQ(g.to_vf, 0);	/* the host has not offered it */
	CHECK(!g.tx_vf);
	CHECK(assoc_takes_vf(&g, 1));
}

static void test_vf_down_up(void)
{
	struct glue g;

	on_vf(&g);
	CHECK(g.tx_vf);
	CHECK_EQ(LINK(&g, false), OLNV_VF_OK);
	CHECK(!g.tx_vf);
	CHECK_EQ(g.to_synth, 1);
	CHECK_EQ(g.v.path, OLNV_VF_PATH_SYNTHETIC);
	CHECK_EQ(LINK(&g, false), OLNV_VF_OK);
	CHECK_EQ(g.to_synth, 1);	/* already there: nothing sent */
	CHECK_EQ(LINK(&g, true), OLNV_VF_OK);
	CHECK_EQ(g.to_vf, 2);
	CHECK(g.tx_vf);
	CHECK(!g.bad);
}

static void test_vf_removed(void)
{
	struct glue g;

	on_vf(&g);
	CHECK_EQ(GONE(&g), OLNV_VF_OK);
	CHECK(left_vf(&g));
	CHECK_EQ(GONE(&g), OLNV_VF_REFUSED);
	CHECK_EQ(g.releases, 1);
	/* The same VF back: it joins again and takes the path. */
	CHECK_EQ(APPEAR(&g, SERIAL), OLNV_VF_OK);
	CHECK_EQ(LINK(&g, true), OLNV_VF_OK);
	CHECK(g.tx_vf);
	CHECK_EQ(g.joins, 2);
	CHECK(!g.bad);
}

static void test_host_revokes(void)
{
	struct glue g;

	on_vf(&g);
	CHECK_EQ(ASSOC(&g, false, SERIAL), OLNV_VF_OK);
	CHECK(!g.tx_vf);
	CHECK_EQ(g.to_synth, 1);
	CHECK(g.linked);	/* the netdev stays until it unregisters */
	CHECK(assoc_takes_vf(&g, 2));
}

static void test_syn_close_while_joined(void)
{
	struct glue g;

	on_vf(&g);
	CHECK_EQ(OPEN(&g, false), OLNV_VF_OK);
	CHECK(!g.tx_vf);
	CHECK_EQ(g.to_synth, 1);
	CHECK(g.linked);
	CHECK_EQ(OPEN(&g, true), OLNV_VF_OK);
	CHECK(g.tx_vf);
	CHECK_EQ(g.to_vf, 2);
	CHECK(!g.bad);
}

static void test_suspend_resume(void)
{
	struct glue g;

	on_vf(&g);
	CHECK_EQ(SUSPEND(&g), OLNV_VF_OK);
	CHECK(!g.tx_vf);
	CHECK_EQ(g.to_synth, 1);
	CHECK_EQ(DETACHED(&g), OLNV_VF_OK);
	CHECK(!g.v.assoc);
	CHECK_EQ(RESUME(&g), OLNV_VF_OK);
	/* A new session: nothing until the host associates again. */
	CHECK_EQ(g.to_vf, 1);
	CHECK(!g.tx_vf);
	CHECK(assoc_takes_vf(&g, 2));
}

static void test_remove(void)
{
	struct glue g;

	on_vf(&g);
	CHECK_EQ(REMOVE(&g), OLNV_VF_OK);
	CHECK(left_vf(&g));
	CHECK_EQ(APPEAR(&g, SERIAL), OLNV_VF_REFUSED);
	CHECK_EQ(OPEN(&g, true), OLNV_VF_OK);
	CHECK_EQ(g.to_vf, 1);
	CHECK(!g.bad);
}

static void test_rescind(void)
{
	struct glue g;

	on_vf(&g);
	CHECK_EQ(RESCIND(&g), OLNV_VF_OK);
	CHECK_EQ(g.last, OLNV_VF_DO_TX_SYNTH);	/* nothing to send to */
	CHECK_EQ(ASSOC(&g, true, SERIAL + 1), OLNV_VF_GONE);
	CHECK_EQ(g.v.verdicts[OLNV_VF_GONE], 1);
	CHECK_EQ(REMOVE(&g), OLNV_VF_OK);
	CHECK_EQ(g.last, OLNV_VF_DO_RELEASE);
	CHECK_EQ(g.to_synth, 0);
	CHECK(!g.bad);
}

static void test_repeated(void)
{
	struct glue g;

	on_vf(&g);
	CHECK_EQ(ASSOC(&g, true, SERIAL), OLNV_VF_REPEATED);
	CHECK_EQ(g.last, 0);
	CHECK(g.tx_vf);
	CHECK_EQ(ASSOC(&g, false, SERIAL), OLNV_VF_OK);
	CHECK_EQ(ASSOC(&g, false, SERIAL), OLNV_VF_REPEATED);
	CHECK_EQ(g.last, 0);
	CHECK_EQ(g.v.verdicts[OLNV_VF_REPEATED], 2);
	CHECK_EQ(g.to_synth, 1);
	CHECK(!g.bad);
}

static void test_revoke_other_serial(void)
{
	struct glue g;

	on_vf(&g);
	CHECK_EQ(ASSOC(&g, false, SERIAL + 1), OLNV_VF_BAD_SERIAL);
	CHECK(g.tx_vf);
	CHECK(g.v.assoc);
	CHECK_EQ(g.to_synth, 0);
	CHECK_EQ(g.v.verdicts[OLNV_VF_BAD_SERIAL], 1);
}

static void test_other_serial_while_joined(void)
{
	struct glue g;

	/* A VF matched by MAC alone: the association held decides. */
	glue_init(&g);
	OPEN(&g, true);
	ASSOC(&g, true, SERIAL);
	APPEAR(&g, OLNV_VF_NO_SERIAL);
	LINK(&g, true);
	CHECK(g.tx_vf);
	CHECK_EQ(ASSOC(&g, true, SERIAL + 1), OLNV_VF_BUSY);
	CHECK_EQ(g.v.serial, SERIAL);
	CHECK(g.tx_vf);
	/* A joined VF of a known slot takes no other association. */
	glue_init(&g);
	OPEN(&g, true);
	APPEAR(&g, SERIAL);
	LINK(&g, true);
	CHECK_EQ(ASSOC(&g, true, SERIAL + 1), OLNV_VF_BUSY);
	CHECK(!g.v.assoc);
	CHECK_EQ(g.to_vf, 0);
	/* With no VF joined a new serial replaces the old. */
	glue_init(&g);
	CHECK_EQ(ASSOC(&g, true, SERIAL), OLNV_VF_OK);
	CHECK_EQ(ASSOC(&g, true, SERIAL + 1), OLNV_VF_OK);
	CHECK_EQ(g.v.serial, SERIAL + 1);
	CHECK_EQ(g.v.verdicts[OLNV_VF_BUSY], 0);
}

static void test_unasked_ack(void)
{
	struct glue g;

	glue_init(&g);
	CHECK_EQ(ACKED(&g), OLNV_VF_UNASKED);
	on_vf(&g);
	CHECK_EQ(ACKED(&g), OLNV_VF_UNASKED);	/* the one asked is answered */
	CHECK_EQ(g.v.path, OLNV_VF_PATH_VF);
	CHECK_EQ(g.v.verdicts[OLNV_VF_UNASKED], 1);
	CHECK_EQ(g.last, 0);
}

static void test_wrong_vf(void)
{
	struct glue g;

	glue_init(&g);
	OPEN(&g, true);
	ASSOC(&g, true, SERIAL);
	CHECK_EQ(APPEAR(&g, SERIAL + 1), OLNV_VF_REFUSED);
	CHECK(!g.linked);
	CHECK_EQ(LINK(&g, true), OLNV_VF_REFUSED);
	CHECK_EQ(g.to_vf, 0);
	CHECK_EQ(APPEAR(&g, SERIAL), OLNV_VF_OK);
	CHECK_EQ(APPEAR(&g, OLNV_VF_NO_SERIAL), OLNV_VF_REFUSED);
	CHECK_EQ(g.joins, 1);
}

static void test_switch_unanswered(void)
{
	struct glue g;

	glue_init(&g);
	g.auto_ack = false;
	OPEN(&g, true);
	ASSOC(&g, true, SERIAL);
	APPEAR(&g, SERIAL);
	LINK(&g, true);
	CHECK_EQ(g.to_vf, 1);
	CHECK_EQ(FAILED(&g, true), OLNV_VF_OK);
	CHECK_EQ(g.last, 0);	/* no retry from the failure itself */
	CHECK_EQ(g.v.path, OLNV_VF_PATH_UNKNOWN);
	CHECK(!g.tx_vf);
	/* The next event asks again. */
	LINK(&g, true);
	CHECK_EQ(g.to_vf, 2);
	ACKED(&g);
	CHECK(g.tx_vf);
	/* Down, and the switch back cannot be sent: frames stay off the VF. */
	LINK(&g, false);
	CHECK_EQ(g.to_synth, 1);
	CHECK_EQ(FAILED(&g, false), OLNV_VF_OK);
	CHECK_EQ(g.v.path, OLNV_VF_PATH_VF);
	CHECK(!g.tx_vf);
	CHECK_EQ(g.v.switch_failed, 2);
	CHECK_EQ(FAILED(&g, false), OLNV_VF_REFUSED);
	CHECK(!g.bad);
}

static void test_down_while_switching(void)
{
	struct glue g;

	glue_init(&g);
	g.auto_ack = false;
	OPEN(&g, true);
	ASSOC(&g, true, SERIAL);
	APPEAR(&g, SERIAL);
	LINK(&g, true);
	CHECK_EQ(g.to_vf, 1);
	LINK(&g, false);	/* one in flight: nothing more sent yet */
	CHECK_EQ(g.last, 0);
	CHECK_EQ(ACKED(&g), OLNV_VF_OK);
	CHECK_EQ(g.last, OLNV_VF_DO_TO_SYNTH);	/* never through the VF */
	CHECK_EQ(ACKED(&g), OLNV_VF_OK);
	CHECK_EQ(g.v.path, OLNV_VF_PATH_SYNTHETIC);
	CHECK_EQ(g.tx_flips, 0);
	CHECK(!g.bad);
}

/* Back up while the switch away from the VF is in flight. */
static void test_up_while_leaving(void)
{
	struct glue g;

	on_vf(&g);
	g.auto_ack = false;
	LINK(&g, false);
	CHECK_EQ(g.last, OLNV_VF_DO_TX_SYNTH | OLNV_VF_DO_TO_SYNTH);
	LINK(&g, true);
	CHECK_EQ(g.last, 0);	/* not through the VF the host is leaving */
	CHECK(!g.tx_vf);
	ACKED(&g);
	CHECK_EQ(g.last, OLNV_VF_DO_TO_VF);
	CHECK(!g.tx_vf);
	ACKED(&g);
	CHECK_EQ(g.last, OLNV_VF_DO_TX_VF);
	CHECK(!g.bad);
}

static void test_verdict_names(void)
{
	int i;

	for (i = 0; i < OLNV_VF_NR_VERDICTS; i++)
		CHECK(olnv_vf_verdict_name(i) != NULL);
	CHECK(!strcmp(olnv_vf_verdict_name(OLNV_VF_NR_VERDICTS), "unknown"));
}

int main(void)
{
	UNIT_RUN(test_no_vf);
	UNIT_RUN(test_hot_add_after_assoc);
	UNIT_RUN(test_hot_add_before_assoc);
	UNIT_RUN(test_vf_down_up);
	UNIT_RUN(test_vf_removed);
	UNIT_RUN(test_host_revokes);
	UNIT_RUN(test_syn_close_while_joined);
	UNIT_RUN(test_suspend_resume);
	UNIT_RUN(test_remove);
	UNIT_RUN(test_rescind);
	UNIT_RUN(test_repeated);
	UNIT_RUN(test_revoke_other_serial);
	UNIT_RUN(test_other_serial_while_joined);
	UNIT_RUN(test_unasked_ack);
	UNIT_RUN(test_wrong_vf);
	UNIT_RUN(test_switch_unanswered);
	UNIT_RUN(test_down_while_switching);
	UNIT_RUN(test_up_while_leaving);
	UNIT_RUN(test_verdict_names);
	return unit_summary();
}
