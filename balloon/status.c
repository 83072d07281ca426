// SPDX-License-Identifier: GPL-2.0
/* Pressure reports to the host, and the debugfs view of the driver. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/seq_file.h>
#include "hv_balloon.h"

/* The committed figure the host sizes us by, in guest pages. */
unsigned long hv_dm_committed(struct hv_dm *dm)
{
	unsigned long added, onlined, flags;

	spin_lock_irqsave(&dm->ha_lock, flags);
	added = dm->pages_added;
	onlined = dm->pages_onlined;
	spin_unlock_irqrestore(&dm->ha_lock, flags);
	return dm_committed(vm_memory_committed(), READ_ONCE(dm->nr_ballooned),
			    added, onlined, hv_dm_floor(dm));
}

/*
 * The host expects a report about once a second and sizes the guest from
 * it. @force skips the one-second spacing, not the start-up quiet time,
 * which hosts want so that boot-time churn does not look like pressure.
 */
void hv_dm_post_status(struct hv_dm *dm, bool force)
{
	struct dm_status st;

	if (!mutex_trylock(&dm->status_lock))
		return;
	if (dm->status_delay) {
		dm->status_delay--;
		goto out;
	}
	if (!force && !time_after(jiffies, dm->last_status + HZ))
		goto out;

	dm_build_status(&st, (u64)si_mem_available() * (PAGE_SIZE >> DM_PAGE_SHIFT),
			(u64)hv_dm_committed(dm) * (PAGE_SIZE >> DM_PAGE_SHIFT),
			hv_dm_next_trans(dm));
	dm->last_status = jiffies;
	if (hv_dm_send(dm, &st, sizeof(st)))
		atomic64_inc(&dm->stats.send_failed);
out:
	mutex_unlock(&dm->status_lock);
}

static int hv_dm_status_thread(void *arg)
{
	struct hv_dm *dm = arg;

	while (!kthread_should_stop()) {
		wait_for_completion_interruptible_timeout(&dm->status_kick, HZ);
		reinit_completion(&dm->status_kick);
		hv_dm_post_status(dm, false);
	}
	return 0;
}

int hv_dm_status_start(struct hv_dm *dm)
{
	struct task_struct *t;

	dm->status_delay = hv_dm_pressure_delay;
	dm->last_status = jiffies - HZ;
	t = kthread_run(hv_dm_status_thread, dm, "hv_balloon");
	if (IS_ERR(t))
		return PTR_ERR(t);
	dm->thread = t;
	return 0;
}

void hv_dm_status_stop(struct hv_dm *dm)
{
	if (dm->thread)
		kthread_stop(dm->thread);
	dm->thread = NULL;
}

static const char * const hv_dm_state_names[] = {
	[HV_DM_INITIALIZING]	= "initializing",
	[HV_DM_IDLE]		= "idle",
	[HV_DM_BALLOON_UP]	= "balloon up",
	[HV_DM_BALLOON_DOWN]	= "balloon down",
	[HV_DM_HOT_ADD]		= "hot add",
	[HV_DM_ERROR]		= "error",
};

#define HV_DM_SHOW(f, name, val) \
	seq_printf(f, "%-24s: %lld\n", name, (long long)(val))

static int hv_dm_debug_show(struct seq_file *f, void *unused)
{
	struct hv_dm *dm = f->private;
	struct hv_dm_stats *s = &dm->stats;
	enum hv_dm_state st = READ_ONCE(dm->state);
	long long refused = 0;
	int i;

	seq_printf(f, "%-24s: %u.%u\n", "host_version",
		   DM_VERSION_MAJOR(dm->version), DM_VERSION_MINOR(dm->version));
	seq_printf(f, "%-24s: %s%s\n", "capabilities",
		   PAGE_SIZE == 4096 ? " balloon" : "",
		   dm->hot_add_ok ? " hot_add" : "");
	seq_printf(f, "%-24s: %s\n", "state", hv_dm_state_names[st]);
	HV_DM_SHOW(f, "page_size", PAGE_SIZE);
	HV_DM_SHOW(f, "pages_ballooned", READ_ONCE(dm->nr_ballooned));
	HV_DM_SHOW(f, "pages_added", READ_ONCE(dm->pages_added));
	HV_DM_SHOW(f, "pages_onlined", READ_ONCE(dm->pages_onlined));
	HV_DM_SHOW(f, "total_pages_committed", hv_dm_committed(dm));
	HV_DM_SHOW(f, "balloon_floor_pages", hv_dm_floor(dm));
	HV_DM_SHOW(f, "max_dynamic_page_count", dm->max_dynamic_page_count);
	HV_DM_SHOW(f, "inflate_ops", atomic64_read(&s->inflate_ops));
	HV_DM_SHOW(f, "inflate_partial", atomic64_read(&s->inflate_partial));
	HV_DM_SHOW(f, "inflate_failed", atomic64_read(&s->inflate_failed));
	HV_DM_SHOW(f, "inflate_parallel",
		   atomic64_read(&s->inflate_parallel));
	HV_DM_SHOW(f, "deflate_ops", atomic64_read(&s->deflate_ops));
	HV_DM_SHOW(f, "deflate_bad_ranges",
		   atomic64_read(&s->deflate_bad_ranges));
	HV_DM_SHOW(f, "hot_add_ops", atomic64_read(&s->hot_add_ops));
	HV_DM_SHOW(f, "hot_add_failed", atomic64_read(&s->hot_add_failed));
	HV_DM_SHOW(f, "send_failed", atomic64_read(&s->send_failed));
	seq_printf(f, "%-24s: %s%s\n", "free_page_reporting",
		   dm->hint_state ?: "off",
		   READ_ONCE(dm->hint_stopped) ? ", stopped after failures" :
		   READ_ONCE(dm->hint_large_only) ? ", 2 MiB frames only" : "");
	HV_DM_SHOW(f, "free_page_reports", atomic64_read(&s->hint_reports));
	HV_DM_SHOW(f, "free_page_ranges", atomic64_read(&s->hint_ranges));
	HV_DM_SHOW(f, "free_page_failures", atomic64_read(&s->hint_failures));
	for (i = DM_OK + 1; i < DM_NR_VERDICTS; i++)
		refused += atomic64_read(&s->refused[i]);
	refused += atomic64_read(&s->refused_state);
	refused += atomic64_read(&s->refused_busy);
	HV_DM_SHOW(f, "rejected_msgs", refused);
	for (i = DM_OK + 1; i < DM_NR_VERDICTS; i++)
		seq_printf(f, "  %-22s: %lld\n", dm_verdict_name(i),
			   (long long)atomic64_read(&s->refused[i]));
	seq_printf(f, "  %-22s: %lld\n", "unexpected now",
		   (long long)atomic64_read(&s->refused_state));
	seq_printf(f, "  %-22s: %lld\n", "queue full",
		   (long long)atomic64_read(&s->refused_busy));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hv_dm_debug);

void hv_dm_debugfs_init(struct hv_dm *dm)
{
	dm->debugfs = debugfs_create_file("hv-balloon", 0444, NULL, dm,
					  &hv_dm_debug_fops);
}

void hv_dm_debugfs_exit(struct hv_dm *dm)
{
	debugfs_remove(dm->debugfs);
	dm->debugfs = NULL;
}
