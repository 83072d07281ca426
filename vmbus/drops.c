// SPDX-License-Identifier: GPL-2.0
/*
 * What the host sent that the core refused, counted by kind, so that a test
 * of a hostile host can tell which check caught each message:
 * /sys/kernel/debug/openlis_vmbus/dropped has one "kind count" a line. The
 * counters are atomics bumped wherever a check fails; nothing here sleeps,
 * so any context may count.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "vmbus_priv.h"

static const char * const olvb_drop_names[OLVB_DROP_COUNT] = {
	[OLVB_DROP_SYNIC] = "synic",
	[OLVB_DROP_MSG_SIZE] = "msg-size",
	[OLVB_DROP_MSG_TYPE] = "msg-type",
	[OLVB_DROP_MSG_RANGE] = "msg-range",
	[OLVB_DROP_FLOOD] = "flood",
	[OLVB_DROP_NOMEM] = "nomem",
	[OLVB_DROP_OFFER_DUP] = "offer-dup",
	[OLVB_DROP_NO_PRIMARY] = "no-primary",
	[OLVB_DROP_RESCIND_UNKNOWN] = "rescind-unknown",
	[OLVB_DROP_UNSOLICITED] = "unsolicited",
	[OLVB_DROP_REOFFER] = "reoffer",
	[OLVB_DROP_PACKET] = "packet",
	[OLVB_DROP_RING] = "ring",
};

static atomic_t olvb_drops[OLVB_DROP_COUNT];
static struct dentry *olvb_debugfs;

void olvb_count_drop(enum olvb_drop why)
{
	atomic_inc(&olvb_drops[why]);
}

int olvb_drops_total(void)
{
	int i, sum = 0;

	for (i = 0; i < OLVB_DROP_COUNT; i++)
		sum += atomic_read(&olvb_drops[i]);
	return sum;
}

static int olvb_drops_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < OLVB_DROP_COUNT; i++)
		seq_printf(m, "%s %d\n", olvb_drop_names[i],
			   atomic_read(&olvb_drops[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(olvb_drops);

/* The counters work without debugfs; only their file is missing then. */
void olvb_drops_init(void)
{
	olvb_debugfs = debugfs_create_dir("openlis_vmbus", NULL);
	debugfs_create_file("dropped", 0444, olvb_debugfs, NULL,
			    &olvb_drops_fops);
}

void olvb_drops_exit(void)
{
	debugfs_remove_recursive(olvb_debugfs);
}
