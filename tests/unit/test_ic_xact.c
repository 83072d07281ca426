// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the request state of the daemon-backed services
 * (utils/ic_xact.c) and of how a daemon's writes are read (the
 * hvic_*_daemon_msg() of utils/ic_proto.c): the code the kernel runs,
 * driven here through the sequences the kernel glue (utils/ic_daemon.c)
 * makes of host packets, daemon writes, timeouts and closes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "test_balloon_shim.h"
#include "unit.h"

#define EXPORT_SYMBOL_GPL(sym) extern int hvic_exported_##sym
#include "../../utils/ic_proto.c"
#include "../../utils/ic_xact.c"

/*
 * A model of the kernel glue around the state: the daemon's queue (what it
 * has not read yet), the host's answers, and what a daemon write returns.
 * It does what ic_daemon.c does with each action.
 */
struct svc {
	struct hvic_xact x;
	u32 gen;		/* of the armed timer */
	int queued;		/* messages the daemon has not read */
	int host_answers;	/* answers the host got */
	u32 host_status;	/* the last one */
	bool daemon_open;
};

static void host_answer(struct svc *s, u32 status)
{
	s->host_answers++;
	s->host_status = status;
}

/* A host request of @op: forwarded, or failed at once. */
static void host_request(struct svc *s, u32 op)
{
	u32 gen = 0;

	switch (hvic_xact_request(&s->x, op, &gen)) {
	case HVIC_XD_FORWARD:
		if (!s->daemon_open) {
			hvic_xact_send_failed(&s->x, gen);
			host_answer(s, HVIC_E_FAIL);
			return;
		}
		s->queued++;
		s->gen = gen;
		break;
	default:
		host_answer(s, HVIC_E_FAIL);
		break;
	}
}

/* The daemon reads what is queued for it. */
static void daemon_reads(struct svc *s)
{
	s->queued = 0;
}

/* A daemon reply with @status; returns what write() returns. */
static int daemon_reply(struct svc *s, u32 op, u32 status)
{
	switch (hvic_xact_reply(&s->x, op)) {
	case HVIC_XD_ANSWER:
		host_answer(s, status);
		return 0;
	case HVIC_XD_DROP:
		return 0;
	default:
		return -EINVAL;
	}
}

static void timer_fires(struct svc *s)
{
	bool delivered = s->queued == 0;

	if (s->x.state == HVIC_XS_WAITING && s->x.gen == s->gen && !delivered)
		s->queued--;	/* taken back unread */
	if (hvic_xact_timeout(&s->x, s->gen, delivered) == HVIC_XD_FAIL)
		host_answer(s, HVIC_E_FAIL);
}

static void daemon_closes(struct svc *s)
{
	if (hvic_xact_close(&s->x) == HVIC_XD_FAIL)
		host_answer(s, HVIC_E_FAIL);
	s->daemon_open = false;
	s->queued = 0;
}

static int daemon_registers(struct svc *s, u32 ver)
{
	s->daemon_open = true;
	return hvic_xact_register(&s->x, ver) == HVIC_XD_NOTHING ? 0 : -EINVAL;
}

static void svc_init(struct svc *s)
{
	memset(s, 0, sizeof(*s));
	hvic_xact_init(&s->x);
}

static void test_no_daemon(void)
{
	struct svc s;

	svc_init(&s);
	host_request(&s, KVP_OP_GET);
	CHECK_EQ(s.host_answers, 1);
	CHECK_EQ(s.host_status, HVIC_E_FAIL);
	CHECK_EQ(s.x.state, HVIC_XS_IDLE);
	CHECK_EQ(s.x.no_daemon, 1);
	CHECK_EQ(s.x.last_end, HVIC_XE_NO_DAEMON);
	/* A reply from nobody registered is refused. */
	CHECK_EQ(daemon_reply(&s, HVIC_XACT_ANY_OP, 0), -EINVAL);
	CHECK_EQ(s.x.spurious, 1);
	CHECK_EQ(s.host_answers, 1);
}

static void test_answered(void)
{
	struct svc s;

	svc_init(&s);
	CHECK_EQ(daemon_registers(&s, KVP_OP_REGISTER1), 0);
	CHECK(s.x.registered);
	CHECK_EQ(s.x.daemon_ver, KVP_OP_REGISTER1);
	host_request(&s, KVP_OP_ENUMERATE);
	CHECK_EQ(s.host_answers, 0);
	CHECK_EQ(s.x.state, HVIC_XS_WAITING);
	CHECK_EQ(s.queued, 1);
	daemon_reads(&s);
	CHECK_EQ(daemon_reply(&s, HVIC_XACT_ANY_OP, HVIC_S_CONT), 0);
	CHECK_EQ(s.host_answers, 1);
	CHECK_EQ(s.host_status, HVIC_S_CONT);
	CHECK_EQ(s.x.state, HVIC_XS_IDLE);
	CHECK_EQ(s.x.last_end, HVIC_XE_ANSWERED);
	/* A second reply to the same request is spurious. */
	CHECK_EQ(daemon_reply(&s, HVIC_XACT_ANY_OP, 0), -EINVAL);
	CHECK_EQ(s.x.spurious, 1);
	CHECK_EQ(s.host_answers, 1);
	/* The timer that was armed for it fires late: nothing happens. */
	timer_fires(&s);
	CHECK_EQ(s.host_answers, 1);
	CHECK_EQ(s.x.timeouts, 0);
}

static void test_late_reply(void)
{
	struct svc s;

	svc_init(&s);
	daemon_registers(&s, VSS_OP_REGISTER1);
	host_request(&s, VSS_OP_FREEZE);
	daemon_reads(&s);
	timer_fires(&s);
	CHECK_EQ(s.host_answers, 1);
	CHECK_EQ(s.host_status, HVIC_E_FAIL);
	CHECK_EQ(s.x.last_end, HVIC_XE_TIMED_OUT);
	CHECK_EQ(s.x.owed, 1);
	/* The next request is waiting when the late reply to the first comes. */
	host_request(&s, VSS_OP_THAW);
	CHECK_EQ(s.x.state, HVIC_XS_WAITING);
	CHECK_EQ(hvic_xact_reply(&s.x, HVIC_XACT_ANY_OP), HVIC_XD_DROP);
	CHECK_EQ(s.x.late, 1);
	CHECK_EQ(s.host_answers, 1);
	CHECK_EQ(s.x.state, HVIC_XS_WAITING);
	/* Its own reply then answers it. */
	daemon_reads(&s);
	CHECK_EQ(daemon_reply(&s, HVIC_XACT_ANY_OP, 0), 0);
	CHECK_EQ(s.host_answers, 2);
	CHECK_EQ(s.host_status, HVIC_S_OK);
	CHECK_EQ(s.x.owed, 0);
}

static void test_timeout_unread(void)
{
	struct svc s;

	svc_init(&s);
	daemon_registers(&s, FCOPY_VERSION_1);
	host_request(&s, START_FILE_COPY);
	/* Never read: taken back, so no reply is owed for it. */
	timer_fires(&s);
	CHECK_EQ(s.host_status, HVIC_E_FAIL);
	CHECK_EQ(s.queued, 0);
	CHECK_EQ(s.x.owed, 0);
	host_request(&s, START_FILE_COPY);
	daemon_reads(&s);
	CHECK_EQ(daemon_reply(&s, HVIC_XACT_ANY_OP, 0), 0);
	CHECK_EQ(s.host_answers, 2);
	CHECK_EQ(s.host_status, 0);
}

static void test_stale_timer(void)
{
	struct svc s;
	u32 old;

	svc_init(&s);
	daemon_registers(&s, KVP_OP_REGISTER1);
	host_request(&s, KVP_OP_GET);
	old = s.gen;
	daemon_reads(&s);
	CHECK_EQ(daemon_reply(&s, HVIC_XACT_ANY_OP, 0), 0);
	host_request(&s, KVP_OP_SET);
	/* The first request's timer, run late, must not fail the second. */
	CHECK_EQ(hvic_xact_timeout(&s.x, old, true), HVIC_XD_NOTHING);
	CHECK_EQ(s.x.state, HVIC_XS_WAITING);
	CHECK_EQ(s.x.owed, 0);
	CHECK_EQ(hvic_xact_send_failed(&s.x, old), HVIC_XD_NOTHING);
	CHECK_EQ(s.x.state, HVIC_XS_WAITING);
}

static void test_wrong_op(void)
{
	struct svc s;

	svc_init(&s);
	daemon_registers(&s, VSS_OP_REGISTER1);
	host_request(&s, VSS_OP_FREEZE);
	daemon_reads(&s);
	CHECK_EQ(daemon_reply(&s, VSS_OP_THAW, 0), -EINVAL);
	CHECK_EQ(s.x.wrong_op, 1);
	CHECK_EQ(s.x.state, HVIC_XS_WAITING);
	CHECK_EQ(s.host_answers, 0);
	CHECK_EQ(daemon_reply(&s, VSS_OP_FREEZE, 0), 0);
	CHECK_EQ(s.host_answers, 1);
}

static void test_close_mid_request(void)
{
	struct svc s;

	svc_init(&s);
	daemon_registers(&s, KVP_OP_REGISTER1);
	host_request(&s, KVP_OP_GET_IP_INFO);
	daemon_reads(&s);
	daemon_closes(&s);
	CHECK_EQ(s.host_answers, 1);
	CHECK_EQ(s.host_status, HVIC_E_FAIL);
	CHECK_EQ(s.x.last_end, HVIC_XE_CLOSED);
	CHECK(!s.x.registered);
	CHECK_EQ(s.x.state, HVIC_XS_IDLE);
	/* Its timer finds nothing to do. */
	timer_fires(&s);
	CHECK_EQ(s.host_answers, 1);
	/* Closing while idle answers nobody. */
	CHECK_EQ(hvic_xact_close(&s.x), HVIC_XD_NOTHING);
	/* No daemon now: the next request fails at once. */
	host_request(&s, KVP_OP_GET);
	CHECK_EQ(s.host_answers, 2);
	CHECK_EQ(s.x.no_daemon, 1);
}

static void test_reregister(void)
{
	struct svc s;

	svc_init(&s);
	daemon_registers(&s, KVP_OP_REGISTER1);
	host_request(&s, KVP_OP_GET);
	daemon_reads(&s);
	timer_fires(&s);
	CHECK_EQ(s.x.owed, 1);
	/* A new daemon owes nothing for the old one's requests. */
	daemon_closes(&s);
	CHECK_EQ(daemon_registers(&s, KVP_OP_REGISTER), 0);
	CHECK_EQ(s.x.owed, 0);
	CHECK_EQ(s.x.daemon_ver, KVP_OP_REGISTER);
	host_request(&s, KVP_OP_GET);
	daemon_reads(&s);
	CHECK_EQ(daemon_reply(&s, HVIC_XACT_ANY_OP, 0), 0);
	CHECK_EQ(s.host_answers, 2);
	CHECK_EQ(s.host_status, 0);
	/* Registering again while a request waits is refused. */
	host_request(&s, KVP_OP_GET);
	CHECK_EQ(daemon_registers(&s, KVP_OP_REGISTER1), -EINVAL);
	CHECK_EQ(s.x.bad_register, 1);
	CHECK_EQ(s.x.daemon_ver, KVP_OP_REGISTER);
	CHECK_EQ(s.x.state, HVIC_XS_WAITING);
	/* ... and allowed when idle. */
	CHECK_EQ(daemon_reply(&s, HVIC_XACT_ANY_OP, 0), 0);
	CHECK_EQ(daemon_registers(&s, KVP_OP_REGISTER1), 0);
	CHECK_EQ(s.x.daemon_ver, KVP_OP_REGISTER1);
}

static void test_send_failed(void)
{
	struct svc s;

	svc_init(&s);
	daemon_registers(&s, FCOPY_VERSION_1);
	s.daemon_open = false;	/* registered, but the queue refuses */
	host_request(&s, WRITE_TO_FILE);
	CHECK_EQ(s.host_answers, 1);
	CHECK_EQ(s.host_status, HVIC_E_FAIL);
	CHECK_EQ(s.x.state, HVIC_XS_IDLE);
	CHECK_EQ(s.x.last_end, HVIC_XE_SEND_FAILED);
}

static void test_owed_and_abandon(void)
{
	struct hvic_xact x;
	u32 gen;

	hvic_xact_init(&x);
	/* Nothing is owed by a daemon that is not there. */
	hvic_xact_owe(&x);
	CHECK_EQ(x.owed, 0);
	CHECK_EQ(hvic_xact_register(&x, VSS_OP_REGISTER1), HVIC_XD_NOTHING);
	/* The kernel's own THAW: its answer is not for the host. */
	hvic_xact_owe(&x);
	CHECK_EQ(x.owed, 1);
	CHECK_EQ(hvic_xact_request(&x, VSS_OP_FREEZE, &gen), HVIC_XD_FORWARD);
	/* A second request while one waits is failed, the first kept. */
	CHECK_EQ(hvic_xact_request(&x, VSS_OP_THAW, &gen), HVIC_XD_FAIL);
	CHECK_EQ(x.op, VSS_OP_FREEZE);
	CHECK_EQ(hvic_xact_reply(&x, HVIC_XACT_ANY_OP), HVIC_XD_DROP);
	CHECK_EQ(x.late, 1);
	CHECK_EQ(x.state, HVIC_XS_WAITING);
	/* Suspend: the channel closes under it; the daemon had it. */
	CHECK(hvic_xact_abandon(&x, true));
	CHECK_EQ(x.state, HVIC_XS_IDLE);
	CHECK_EQ(x.owed, 1);
	CHECK_EQ(x.last_end, HVIC_XE_ABANDONED);
	CHECK(!hvic_xact_abandon(&x, true));
	CHECK_EQ(x.owed, 1);
	CHECK(x.registered);
}

static void test_kvp_daemon_msg(void)
{
	struct hv_kvp_msg *m = calloc(1, sizeof(*m) + 1);
	u32 ver = 0;

	m->kvp_hdr.operation = KVP_OP_REGISTER1;
	CHECK_EQ(hvic_kvp_daemon_msg(m, sizeof(*m), false, &ver), HVIC_DMSG_REGISTER);
	CHECK_EQ(ver, KVP_OP_REGISTER1);
	m->kvp_hdr.operation = KVP_OP_REGISTER;
	CHECK_EQ(hvic_kvp_daemon_msg(m, sizeof(*m), false, &ver), HVIC_DMSG_REGISTER);
	CHECK_EQ(ver, KVP_OP_REGISTER);
	/* Anything else first is not a daemon we know. */
	m->kvp_hdr.operation = KVP_OP_GET;
	CHECK_EQ(hvic_kvp_daemon_msg(m, sizeof(*m), false, &ver), HVIC_DMSG_BAD);
	/* Wrong sizes, before and after registration. */
	CHECK_EQ(hvic_kvp_daemon_msg(m, sizeof(*m) - 1, true, &ver), HVIC_DMSG_BAD);
	CHECK_EQ(hvic_kvp_daemon_msg(m, sizeof(*m) + 1, true, &ver), HVIC_DMSG_BAD);
	CHECK_EQ(hvic_kvp_daemon_msg(m, 4, false, &ver), HVIC_DMSG_BAD);
	/* Registered: the status overwrote the operation; it is a reply. */
	m->error = (int)HVIC_E_FAIL;
	CHECK_EQ(hvic_kvp_daemon_msg(m, sizeof(*m), true, &ver), HVIC_DMSG_REPLY);
	free(m);
}

static void test_vss_daemon_msg(void)
{
	struct hv_vss_msg m;
	u8 big[sizeof(m) + 4] = { 0 };
	u32 ver = 0;

	memset(&m, 0, sizeof(m));
	m.vss_hdr.operation = VSS_OP_REGISTER1;
	CHECK_EQ(hvic_vss_daemon_msg(&m, sizeof(m), &ver), HVIC_DMSG_REGISTER);
	CHECK_EQ(ver, VSS_OP_REGISTER1);
	m.vss_hdr.operation = VSS_OP_REGISTER;
	CHECK_EQ(hvic_vss_daemon_msg(&m, sizeof(m), &ver), HVIC_DMSG_REGISTER);
	CHECK_EQ(ver, VSS_OP_REGISTER);
	m.error = 0;
	CHECK_EQ(hvic_vss_daemon_msg(&m, sizeof(m), &ver), HVIC_DMSG_REPLY);
	CHECK_EQ(hvic_vss_daemon_msg(&m, sizeof(m) - 1, &ver), HVIC_DMSG_BAD);
	CHECK_EQ(hvic_vss_daemon_msg(big, sizeof(big), &ver), HVIC_DMSG_BAD);
	CHECK_EQ(hvic_vss_daemon_msg(&m, 4, &ver), HVIC_DMSG_BAD);
}

static void test_fcopy_daemon_msg(void)
{
	u32 v = FCOPY_VERSION_1, ver = 99;
	u8 eight[8] = { 0 };

	CHECK_EQ(hvic_fcopy_daemon_msg(&v, sizeof(v), false, &ver), HVIC_DMSG_REGISTER);
	CHECK_EQ(ver, FCOPY_VERSION_1);
	v = FCOPY_VERSION_0;
	CHECK_EQ(hvic_fcopy_daemon_msg(&v, sizeof(v), false, &ver), HVIC_DMSG_REGISTER);
	CHECK_EQ(ver, FCOPY_VERSION_0);
	v = 2;
	CHECK_EQ(hvic_fcopy_daemon_msg(&v, sizeof(v), false, &ver), HVIC_DMSG_BAD);
	/* Registered: any 32-bit value is a status, even a version's. */
	v = HVIC_E_FAIL;
	CHECK_EQ(hvic_fcopy_daemon_msg(&v, sizeof(v), true, &ver), HVIC_DMSG_REPLY);
	CHECK_EQ(hvic_fcopy_daemon_msg(eight, sizeof(eight), true, &ver), HVIC_DMSG_BAD);
	CHECK_EQ(hvic_fcopy_daemon_msg(&v, 2, true, &ver), HVIC_DMSG_BAD);
	CHECK_EQ(hvic_fcopy_daemon_msg(eight, sizeof(eight), false, &ver), HVIC_DMSG_BAD);
}

int main(void)
{
	UNIT_RUN(test_no_daemon);
	UNIT_RUN(test_answered);
	UNIT_RUN(test_late_reply);
	UNIT_RUN(test_timeout_unread);
	UNIT_RUN(test_stale_timer);
	UNIT_RUN(test_wrong_op);
	UNIT_RUN(test_close_mid_request);
	UNIT_RUN(test_reregister);
	UNIT_RUN(test_send_failed);
	UNIT_RUN(test_owed_and_abandon);
	UNIT_RUN(test_kvp_daemon_msg);
	UNIT_RUN(test_vss_daemon_msg);
	UNIT_RUN(test_fcopy_daemon_msg);
	return unit_summary();
}
