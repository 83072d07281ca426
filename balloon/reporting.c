// SPDX-License-Identifier: GPL-2.0
/*
 * Free page reporting: the kernel hands us free blocks, and we tell the host
 * with cold-discard hints that it may drop their contents. The host reclaims
 * that memory without ballooning; a page the guest touches again is backed
 * anew. Only Hyper-V offers the extended hypercall this needs, so on other
 * hosts (QEMU's Hyper-V emulation among them) the feature stays off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/page_reporting.h>
#include <linux/percpu.h>
#include <linux/scatterlist.h>
#include <asm/mshyperv.h>
#include <openlis/dm_hint.h>
#include "hv_balloon.h"

static bool hv_dm_reporting_param = true;
module_param_named(page_reporting, hv_dm_reporting_param, bool, 0444);
MODULE_PARM_DESC(page_reporting,
		 "Report free memory to the host with cold-discard hints when it offers them (default: yes)");

/* A host failing this many hints in a row will not take the next one. */
#define HV_DM_HINT_MAX_FAILS	8

static int hv_dm_hint_send(struct hv_dm *dm, struct dm_hint_packer *p,
			   void *page)
{
	u64 status;

	if (!p->n)
		return 0;
	status = balloon_hint_call(DM_HINT_CALL_HEAT_HINT, p->n, page);
	if (balloon_hint_ok(status)) {
		atomic64_inc(&dm->stats.hint_reports);
		atomic64_add(p->n, &dm->stats.hint_ranges);
		dm->hint_fails = 0;
		return 0;
	}

	atomic64_inc(&dm->stats.hint_failures);
	/* Older hosts take only whole 2 MiB frames; keep to those. */
	if (balloon_hint_bad_param(status) && p->n_small && !dm->hint_large_only) {
		dm->hint_large_only = true;
		pr_info("the host refuses cold-discard hints below 2 MiB: hinting whole 2 MiB frames only\n");
		return -EINVAL;
	}
	pr_err_ratelimited("cold-discard hint of %u ranges failed: status %#llx\n",
			   p->n, status);
	if (++dm->hint_fails >= HV_DM_HINT_MAX_FAILS && !dm->hint_stopped) {
		dm->hint_stopped = true;
		pr_warn("%u cold-discard hints failed in a row: no more hints\n",
			dm->hint_fails);
	}
	return -EIO;
}

/*
 * The framework calls this from its one work item, so reports never run
 * concurrently. The hypercall input page is per CPU and also used by the
 * kernel's own hypercalls: it is ours only with interrupts off.
 */
static int hv_dm_report(struct page_reporting_dev_info *pr,
			struct scatterlist *sgl, unsigned int nents)
{
	struct hv_dm *dm = container_of(pr, struct hv_dm, reporting);
	unsigned int shift = PAGE_SHIFT - DM_HINT_FRAME_SHIFT;
	struct dm_hint_packer p;
	struct scatterlist *sg;
	unsigned long flags;
	unsigned int i;
	void *page;
	int ret = 0;

	/*
	 * Saying "reported" without a hint only means these pages are not
	 * offered again until reused: the host just reclaims less.
	 */
	if (READ_ONCE(dm->hint_stopped))
		return 0;

	local_irq_save(flags);
	page = balloon_hint_page();
	if (!page) {
		local_irq_restore(flags);
		return -ENOSPC;
	}
	dm_hint_start(&p, page, DM_HINT_PAGE_SIZE, dm->hint_large_only);
	for_each_sg(sgl, sg, nents, i) {
		u64 pfn = (u64)page_to_pfn(sg_page(sg)) << shift;
		u64 count = (u64)sg->length >> DM_HINT_FRAME_SHIFT;

		while (!dm_hint_add(&p, &pfn, &count)) {
			ret = hv_dm_hint_send(dm, &p, page);
			if (ret)
				goto out;
			dm_hint_start(&p, page, DM_HINT_PAGE_SIZE,
				      dm->hint_large_only);
		}
	}
	ret = hv_dm_hint_send(dm, &p, page);
out:
	local_irq_restore(flags);
	return ret;
}

void hv_dm_reporting_start(struct hv_dm *dm)
{
	int ret;

	if (dm->reporting.report)
		return;		/* still on from before a resume */
	if (!hv_dm_reporting_param) {
		dm->hint_state = "off (module parameter)";
		return;
	}
	if (!balloon_cold_discard_offered()) {
		dm->hint_state = "off (host offers no cold-discard hints)";
		pr_info_once("the host offers no cold-discard hints: free page reporting stays off\n");
		return;
	}

	/* 0: the kernel's page_reporting_order, 2 MiB or more by default. */
	dm->reporting.order = 0;
	dm->reporting.report = hv_dm_report;
	ret = balloon_page_reporting_register(&dm->reporting);
	if (ret) {
		dm->reporting.report = NULL;
		dm->hint_state = ret == -EOPNOTSUPP ?
			"off (kernel without page reporting)" :
			"off (another driver reports free pages)";
		pr_info("free page reporting not started: %d\n", ret);
		return;
	}
	dm->hint_state = "on";
	pr_info("free page reporting on: free memory is hinted to the host\n");
}

void hv_dm_reporting_stop(struct hv_dm *dm)
{
	if (!dm->reporting.report)
		return;
	balloon_page_reporting_unregister(&dm->reporting);
	dm->reporting.report = NULL;
	dm->hint_state = "off (stopped)";
}
