// SPDX-License-Identifier: GPL-2.0
/* Channel-message validation and the request-id table. */
#include "kshim.h"
#include "unit.h"
#include "../../vmbus/msg_check.c"
#include "../../vmbus/request.c"

static void test_sizes(void)
{
	CHECK_EQ(sizeof(struct olvb_msg_offer), 196);
	CHECK_EQ(sizeof(struct olvb_msg_open_result), 20);
	CHECK_EQ(sizeof(struct olvb_msg_version_response), 16);
	CHECK_EQ(sizeof(struct olvb_msg_tl_result), 44);
	CHECK_EQ(sizeof(struct olvb_ring_hdr), 68);
}

static void test_short_and_long(void)
{
	u8 m[OLVB_MSG_MAX + 8] = { 0 };
	struct olvb_msg_hdr *h = (void *)m;

	CHECK_EQ(olvb_msg_check(m, 4), -EMSGSIZE);
	h->type = OLVB_MSG_ALLOFFERS_DELIVERED;
	CHECK_EQ(olvb_msg_check(m, 8), OLVB_MSG_ALLOFFERS_DELIVERED);
	CHECK_EQ(olvb_msg_check(m, OLVB_MSG_MAX + 1), -EMSGSIZE);
	h->type = OLVB_MSG_OFFER;
	CHECK_EQ(olvb_msg_check(m, 195), -EMSGSIZE);
	h->type = OLVB_MSG_VERSION_RESPONSE;
	CHECK_EQ(olvb_msg_check(m, 8), -EMSGSIZE);
	CHECK_EQ(olvb_msg_check(m, 9), OLVB_MSG_VERSION_RESPONSE);
}

static void test_types(void)
{
	struct olvb_msg_hdr h = { 0 };

	h.type = 0;
	CHECK_EQ(olvb_msg_check(&h, sizeof(h)), -EPROTO);
	h.type = OLVB_MSG_COUNT;
	CHECK_EQ(olvb_msg_check(&h, sizeof(h)), -EPROTO);
	h.type = 0xffffffff;
	CHECK_EQ(olvb_msg_check(&h, sizeof(h)), -EPROTO);
	/* Guest-to-host messages coming back from the host are refused. */
	h.type = OLVB_MSG_INITIATE_CONTACT;
	CHECK_EQ(olvb_msg_check(&h, sizeof(h)), -EPROTO);
	h.type = OLVB_MSG_GPADL_HEADER;
	CHECK_EQ(olvb_msg_check(&h, sizeof(h)), -EPROTO);
}

static void test_offer(void)
{
	struct olvb_msg_offer o = { .hdr.type = OLVB_MSG_OFFER };

	o.child_relid = 1;
	CHECK_EQ(olvb_msg_check(&o, sizeof(o)), OLVB_MSG_OFFER);
	o.child_relid = 0;
	CHECK_EQ(olvb_msg_check(&o, sizeof(o)), -ERANGE);
	o.child_relid = OLVB_MAX_RELID;
	CHECK_EQ(olvb_msg_check(&o, sizeof(o)), -ERANGE);
	o.child_relid = OLVB_MAX_RELID - 1;
	o.monitorid = 200;	/* ignored unless allocated */
	CHECK_EQ(olvb_msg_check(&o, sizeof(o)), OLVB_MSG_OFFER);
	o.monitor_flags = 1;
	CHECK_EQ(olvb_msg_check(&o, sizeof(o)), -ERANGE);
	o.monitorid = 127;
	CHECK_EQ(olvb_msg_check(&o, sizeof(o)), OLVB_MSG_OFFER);
}

static void test_relids(void)
{
	struct olvb_msg_relid r = { .hdr.type = OLVB_MSG_RESCIND };
	struct olvb_msg_open_result o = { .hdr.type = OLVB_MSG_OPEN_RESULT };

	r.child_relid = 5;
	CHECK_EQ(olvb_msg_check(&r, sizeof(r)), OLVB_MSG_RESCIND);
	r.child_relid = 0x10000;
	CHECK_EQ(olvb_msg_check(&r, sizeof(r)), -ERANGE);
	o.child_relid = 9999;
	CHECK_EQ(olvb_msg_check(&o, sizeof(o)), -ERANGE);
	o.child_relid = 3;
	CHECK_EQ(olvb_msg_check(&o, sizeof(o)), OLVB_MSG_OPEN_RESULT);
}

static u64 arr[70];
static unsigned long bm[2];
static u64 next;
static const struct olvb_rqstor rq = { arr, bm, 70, &next };

static void test_rqstor(void)
{
	u64 ids[70];
	u32 i;

	olvb_rqstor_init(&rq);
	for (i = 0; i < 70; i++) {
		ids[i] = olvb_rqstor_get(&rq, 1000 + i);
		CHECK_EQ(ids[i], i + 1);
	}
	CHECK_EQ(olvb_rqstor_get(&rq, 5), OLVB_RQST_ERROR);	/* full */
	CHECK_EQ(olvb_rqstor_put(&rq, 0, OLVB_RQST_ADDR_ANY), OLVB_RQST_ERROR);
	CHECK_EQ(olvb_rqstor_put(&rq, 71, OLVB_RQST_ADDR_ANY), OLVB_RQST_ERROR);
	CHECK_EQ(olvb_rqstor_put(&rq, U64_MAX, 1), OLVB_RQST_ERROR);
	/* A mismatched address reports but does not free. */
	CHECK_EQ(olvb_rqstor_put(&rq, 66, 1), 1065);
	CHECK_EQ(olvb_rqstor_put(&rq, 66, 1065), 1065);
	CHECK_EQ(olvb_rqstor_put(&rq, 66, 1065), OLVB_RQST_ERROR);	/* twice */
	CHECK_EQ(olvb_rqstor_put(&rq, 3, OLVB_RQST_ADDR_ANY), 1002);
	CHECK_EQ(olvb_rqstor_get(&rq, 7), 3);	/* last freed is reused */
	CHECK_EQ(olvb_rqstor_get(&rq, 8), 66);
	CHECK_EQ(olvb_rqstor_get(&rq, 9), OLVB_RQST_ERROR);
	for (i = 1; i <= 70; i++)
		CHECK(olvb_rqstor_put(&rq, i, OLVB_RQST_ADDR_ANY) != OLVB_RQST_ERROR);
	CHECK_EQ(bm[0], 0);
	CHECK_EQ(bm[1], 0);
}

int main(void)
{
	UNIT_RUN(test_sizes);
	UNIT_RUN(test_short_and_long);
	UNIT_RUN(test_types);
	UNIT_RUN(test_offer);
	UNIT_RUN(test_relids);
	UNIT_RUN(test_rqstor);
	return unit_summary();
}
