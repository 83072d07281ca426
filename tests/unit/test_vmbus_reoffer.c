// SPDX-License-Identifier: GPL-2.0
/* Matching the offers that follow hibernation to the channels known before. */
#include "kshim.h"
#include "unit.h"
#include "../../vmbus/reoffer.c"

static const u8 type_a[16] = { 0xa1, 0xa2, 0xa3 };
static const u8 type_b[16] = { 0xb1, 0xb2, 0xb3 };
static const u8 inst_1[16] = { 0x11, 0x12, 0x13 };
static const u8 inst_2[16] = { 0x21, 0x22, 0x23 };

static struct olvb_msg_offer offer(const u8 *type, const u8 *inst, u32 relid)
{
	struct olvb_msg_offer o;

	memset(&o, 0, sizeof(o));
	o.hdr.type = OLVB_MSG_OFFER;
	memcpy(o.if_type, type, 16);
	memcpy(o.if_instance, inst, 16);
	o.child_relid = relid;
	o.connection_id = 0x2000 + relid;
	return o;
}

/* The channel hibernation left without a relid takes the new offer. */
static void test_fixup(void)
{
	struct olvb_msg_offer known = offer(type_a, inst_1, OLVB_RELID_NONE);
	struct olvb_msg_offer o = offer(type_a, inst_1, 9);

	CHECK_EQ(olvb_reoffer_judge(&known, false, &o), OLVB_REOFFER_FIXUP);
}

/* Same class, another instance; same instance, another class: not it. */
static void test_other_device(void)
{
	struct olvb_msg_offer known = offer(type_a, inst_1, OLVB_RELID_NONE);
	struct olvb_msg_offer o = offer(type_a, inst_2, 9);

	CHECK_EQ(olvb_reoffer_judge(&known, false, &o), OLVB_REOFFER_OTHER);
	o = offer(type_b, inst_1, 9);
	CHECK_EQ(olvb_reoffer_judge(&known, false, &o), OLVB_REOFFER_OTHER);
	/* Only the last byte differs. */
	o = offer(type_a, inst_1, 9);
	o.if_instance[15] = 1;
	CHECK_EQ(olvb_reoffer_judge(&known, false, &o), OLVB_REOFFER_OTHER);
	o = offer(type_a, inst_1, 9);
	o.if_type[15] = 1;
	CHECK_EQ(olvb_reoffer_judge(&known, false, &o), OLVB_REOFFER_OTHER);
}

/* A live channel offered again is the host's mistake, not a new device. */
static void test_duplicate(void)
{
	struct olvb_msg_offer known = offer(type_a, inst_1, 5);
	struct olvb_msg_offer o = offer(type_a, inst_1, 9);

	CHECK_EQ(olvb_reoffer_judge(&known, false, &o), OLVB_REOFFER_DUP);
}

/* A rescinded device's successor is a new device, relid or not. */
static void test_rescinded(void)
{
	struct olvb_msg_offer known = offer(type_a, inst_1, 5);
	struct olvb_msg_offer o = offer(type_a, inst_1, 9);

	CHECK_EQ(olvb_reoffer_judge(&known, true, &o), OLVB_REOFFER_OTHER);
	known.child_relid = OLVB_RELID_NONE;
	CHECK_EQ(olvb_reoffer_judge(&known, true, &o), OLVB_REOFFER_OTHER);
}

/* Sub-channels are never fixed up: hibernation removed them all. */
static void test_subchannels(void)
{
	struct olvb_msg_offer known = offer(type_a, inst_1, OLVB_RELID_NONE);
	struct olvb_msg_offer o = offer(type_a, inst_1, 9);

	o.sub_channel_index = 1;
	CHECK_EQ(olvb_reoffer_judge(&known, false, &o), OLVB_REOFFER_OTHER);
	o.sub_channel_index = 0;
	known.sub_channel_index = 2;
	CHECK_EQ(olvb_reoffer_judge(&known, false, &o), OLVB_REOFFER_OTHER);
}

/* The new relid alone: no other change reported, the offer taken whole. */
static void test_apply_relid(void)
{
	struct olvb_msg_offer known = offer(type_a, inst_1, OLVB_RELID_NONE);
	struct olvb_msg_offer o = offer(type_a, inst_1, 9);

	known.connection_id = o.connection_id;
	CHECK(!olvb_reoffer_apply(&known, &o));
	CHECK_EQ(known.child_relid, 9);
	CHECK(!memcmp(&known, &o, sizeof(o)));
}

/* The host may move the monitor id and the connection id too. */
static void test_apply_changes(void)
{
	struct olvb_msg_offer known = offer(type_a, inst_1, OLVB_RELID_NONE);
	struct olvb_msg_offer o = offer(type_a, inst_1, 9);

	known.connection_id = 0x1234;
	known.monitorid = 3;
	known.monitor_flags = 1;
	o.monitorid = 40;
	o.monitor_flags = 1;
	CHECK(olvb_reoffer_apply(&known, &o));
	CHECK_EQ(known.child_relid, 9);
	CHECK_EQ(known.connection_id, o.connection_id);
	CHECK_EQ(known.monitorid, 40);
	CHECK(!memcmp(&known, &o, sizeof(o)));
	/* Taken again: nothing left to change. */
	known.child_relid = OLVB_RELID_NONE;
	CHECK(!olvb_reoffer_apply(&known, &o));
}

int main(void)
{
	UNIT_RUN(test_fixup);
	UNIT_RUN(test_other_device);
	UNIT_RUN(test_duplicate);
	UNIT_RUN(test_rescinded);
	UNIT_RUN(test_subchannels);
	UNIT_RUN(test_apply_relid);
	UNIT_RUN(test_apply_changes);
	return unit_summary();
}
