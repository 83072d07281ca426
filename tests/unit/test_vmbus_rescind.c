// SPDX-License-Identifier: GPL-2.0
/*
 * Offers and rescinds in vmbus/offer.c, built against tests/unit/kfake.h:
 * the order of the host's messages and of the work they queue, with ASan
 * watching every channel's memory and kfake.h every reference and lock.
 */
#include "kfake.h"
#include "unit.h"
#include "../../vmbus/offer.c"

struct olvb_conn olvb;
static struct workqueue_struct msg_wq, dev_wq, sc_wq;

/* What the rest of the core would do, as far as offer.c can tell. */
struct hv_device {
	struct vmbus_channel *channel;
};

static struct hv_device devs[8];
static unsigned int ndevs, freed, relid_released[OLVB_MAX_RELID];
static unsigned int rings_freed[OLVB_MAX_RELID];
static unsigned int drops[OLVB_DROP_COUNT];

void olvb_count_drop(enum olvb_drop why)
{
	drops[why]++;
}

static void chan_release(struct kobject *kobj)
{
	freed++;
	free(container_of(kobj, struct vmbus_channel, kobj));
}

const struct kobj_type olvb_chan_ktype = { .release = chan_release };

void olvb_channel_tasklet(unsigned long data)
{
	(void)data;
}

int olvb_device_add(struct vmbus_channel *ch)
{
	devs[ndevs].channel = ch;
	ch->device_obj = &devs[ndevs++];
	return 0;
}

int olvb_chan_sysfs_add(struct hv_device *dev, struct vmbus_channel *ch)
{
	(void)dev;
	(void)ch;
	return 0;
}

int olvb_close_one(struct vmbus_channel *ch)
{
	mutex_lock(&olvb.chan_mutex);
	if (ch->state == CHANNEL_OPENED_STATE)
		ch->state = CHANNEL_OPEN_STATE;
	mutex_unlock(&olvb.chan_mutex);
	return 0;
}

void vmbus_free_ring(struct vmbus_channel *ch)
{
	rings_freed[ch->offermsg.child_relid]++;
}

/* The driver's remove: vmbus_close() of its primary channel. */
void vmbus_device_unregister(struct hv_device *dev)
{
	struct vmbus_channel *ch = dev->channel;

	olvb_close_subchannels(ch);
	olvb_close_one(ch);
}

int olvb_post(const void *msg, u32 len)
{
	const struct vmbus_channel_relid_released *m = msg;

	if (len == sizeof(*m) && m->header.msgtype == CHANNELMSG_RELID_RELEASED)
		relid_released[m->child_relid]++;
	return 0;
}

void olvb_req_cancel_channel(struct vmbus_channel *chan)
{
	(void)chan;
}

bool olvb_pm_reoffer(const struct olvb_msg_offer *o)
{
	(void)o;
	return false;
}

static struct vmbus_channel *chans[OLVB_MAX_RELID];

static void reset(void)
{
	memset(&olvb, 0, sizeof(olvb));
	memset(chans, 0, sizeof(chans));
	memset(relid_released, 0, sizeof(relid_released));
	memset(rings_freed, 0, sizeof(rings_freed));
	memset(drops, 0, sizeof(drops));
	olvb.chans = chans;
	INIT_LIST_HEAD(&olvb.primaries);
	mutex_init(&olvb.chan_mutex);
	olvb.msg_wq = &msg_wq;
	olvb.dev_wq = &dev_wq;
	olvb.sc_wq = &sc_wq;
	olvb.connected = true;
	ndevs = 0;
	freed = 0;
}

static void offer(u32 relid, u16 sub_index)
{
	struct olvb_msg_offer o;

	memset(&o, 0, sizeof(o));
	o.hdr.type = OLVB_MSG_OFFER;
	o.if_type[0] = 4;		/* a NIC, say */
	o.if_instance[0] = 0x42;
	o.sub_channel_index = sub_index;
	o.child_relid = relid;
	olvb_handle_offer_msg(&o, sizeof(o), OLVB_MSG_OFFER);
}

static void rescind(u32 relid)
{
	struct olvb_msg_relid m = { .hdr.type = OLVB_MSG_RESCIND,
				    .child_relid = relid };

	olvb_handle_offer_msg(&m, sizeof(m), OLVB_MSG_RESCIND);
}

static void run_work(void)
{
	flush_workqueue(&dev_wq);
	flush_workqueue(&sc_wq);
}

/* A primary and one sub-channel, both offered, probed and open. */
static void open_pair(void)
{
	reset();
	offer(1, 0);
	offer(2, 1);
	run_work();
	chans[1]->state = CHANNEL_OPENED_STATE;
	chans[2]->state = CHANNEL_OPENED_STATE;
}

/* Both channels of an open pair rescinded, @first first; all work runs. */
static void rescind_pair(u32 first, u32 second)
{
	open_pair();
	rescind(first);
	rescind(second);
	run_work();
}

/*
 * Issue 24, item 2: the primary's removal closes and frees its rescinded
 * sub-channel, whose own rescind work is still queued behind it.
 */
static void test_rescind_primary_then_open_subchannel(void)
{
	rescind_pair(1, 2);
	CHECK(!chans[1] && !chans[2]);
	CHECK(list_empty(&olvb.primaries));
	CHECK_EQ(freed, 2);
	CHECK_EQ(relid_released[1], 1);
	CHECK_EQ(relid_released[2], 1);
}

/* The same two rescinds, the sub-channel first. */
static void test_rescind_subchannel_then_primary(void)
{
	rescind_pair(2, 1);
	CHECK(!chans[1] && !chans[2]);
	CHECK(list_empty(&olvb.primaries));
	CHECK_EQ(freed, 2);
	CHECK_EQ(relid_released[1] + relid_released[2], 2);
}

/* An open sub-channel rescinded alone waits for its primary's close. */
static void test_rescind_open_subchannel_alone(void)
{
	open_pair();
	rescind(2);
	run_work();
	CHECK(chans[2]);
	CHECK_EQ(freed, 0);
	vmbus_device_unregister(chans[1]->device_obj);
	CHECK(!chans[2]);
	CHECK_EQ(freed, 1);
	CHECK_EQ(relid_released[2], 1);
	/* The primary's close gives back its sub-channel's ring, once. */
	CHECK_EQ(rings_freed[2], 1);
	olvb_remove_all();
	CHECK_EQ(freed, 2);
	CHECK_EQ(relid_released[1], 0);	/* never rescinded */
	CHECK_EQ(rings_freed[2], 1);
}

/*
 * The primary's driver closes before the sub-channel's rescind work runs:
 * the close frees it, the work comes after.
 */
static void test_close_before_subchannel_rescind_work(void)
{
	open_pair();
	rescind(2);
	vmbus_device_unregister(chans[1]->device_obj);
	run_work();
	CHECK(!chans[2]);
	CHECK_EQ(freed, 1);
	CHECK_EQ(relid_released[2], 1);
	olvb_remove_all();
	CHECK_EQ(freed, 2);
}

/*
 * Issue 24, item 3: a sub-channel offered for a primary already rescinded
 * is refused, not put on a list that is being taken apart.
 */
static void test_subchannel_offer_for_rescinded_primary(void)
{
	reset();
	offer(1, 0);
	run_work();
	rescind(1);
	offer(2, 1);
	CHECK(!chans[2]);
	CHECK_EQ(drops[OLVB_DROP_NO_PRIMARY], 1);
	run_work();
	CHECK(list_empty(&olvb.primaries));
	CHECK_EQ(freed, 1);
}

/* Once the primary is gone, a late sub-channel offer finds nothing. */
static void test_subchannel_offer_after_primary_gone(void)
{
	reset();
	offer(1, 0);
	run_work();
	rescind(1);
	run_work();
	offer(2, 1);
	CHECK(!chans[2]);
	CHECK_EQ(drops[OLVB_DROP_NO_PRIMARY], 1);
	CHECK_EQ(freed, 1);
}

/* A rescind of a relid never offered, and a second one, are dropped. */
static void test_rescind_unknown_and_twice(void)
{
	reset();
	offer(1, 0);
	run_work();
	rescind(7);
	rescind(1);
	rescind(1);
	CHECK_EQ(drops[OLVB_DROP_RESCIND_UNKNOWN], 2);
	run_work();
	CHECK_EQ(freed, 1);
	CHECK_EQ(relid_released[1], 1);
}

/*
 * Issue 24, item 5: every allocation an offer or a rescind makes, failed in
 * turn. An offer is then dropped and counted or its probe completes; no
 * channel is left on a list with a probe that never ends, and a rescind
 * still removes its channel.
 */
static void offer_failing(u32 relid, u16 sub_index, unsigned int n)
{
	unsigned int dropped = drops[OLVB_DROP_NOMEM];

	kfake_fail_alloc = n;
	offer(relid, sub_index);
	kfake_fail_alloc = 0;
	run_work();
	if (chans[relid])
		CHECK(chans[relid]->probe_done);
	else
		CHECK_EQ(drops[OLVB_DROP_NOMEM], dropped + 1);
}

static void test_offer_out_of_memory(void)
{
	unsigned int n, made;

	for (n = 1; n <= 3 && !unit_case_failed; n++) {
		reset();
		offer_failing(1, 0, n);
		if (unit_case_failed || !chans[1])
			continue;
		offer_failing(2, 1, n);
		if (unit_case_failed)
			continue;
		made = chans[2] ? 2 : 1;
		rescind(1);
		run_work();
		CHECK(list_empty(&olvb.primaries));
		CHECK_EQ(freed, made);
	}
}

static void test_rescind_out_of_memory(void)
{
	reset();
	offer(1, 0);
	run_work();
	kfake_fail_alloc = 1;
	rescind(1);
	kfake_fail_alloc = 0;
	run_work();
	CHECK(!chans[1]);
	CHECK(list_empty(&olvb.primaries));
	CHECK_EQ(freed, 1);
}

/* One case by name (argv[1]), or all of them. */
#define RUN(fn) do {							\
	if (argc < 2 || !strcmp(argv[1], #fn))				\
		UNIT_RUN(fn);						\
} while (0)

int main(int argc, char **argv)
{
	RUN(test_rescind_primary_then_open_subchannel);
	RUN(test_rescind_subchannel_then_primary);
	RUN(test_rescind_open_subchannel_alone);
	RUN(test_close_before_subchannel_rescind_work);
	RUN(test_subchannel_offer_for_rescinded_primary);
	RUN(test_subchannel_offer_after_primary_gone);
	RUN(test_rescind_unknown_and_twice);
	RUN(test_offer_out_of_memory);
	RUN(test_rescind_out_of_memory);
	return unit_summary();
}
