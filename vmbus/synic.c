// SPDX-License-Identifier: GPL-2.0
/*
 * SynIC set-up on every CPU and the interrupt handler: the kernel's Hyper-V
 * platform code owns the vector and calls us; we own the message and
 * event-flags pages and SINT2.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/cpuhotplug.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/syscore_ops.h>
#include <asm/mshyperv.h>
#include <clocksource/hyperv_timer.h>

#include "vmbus_priv.h"

static enum cpuhp_state olvb_cpuhp;

/*
 * Without direct-mode synthetic timers the kernel's Hyper-V clockevent
 * arrives as a message on our SINT (hv_stimer_legacy_init() below), as it
 * does with the in-tree core: hand it over in interrupt context.
 */
static void olvb_timer_tick(struct hv_message *msg)
{
	hv_stimer0_isr();
	vmbus_signal_eom(msg, HVMSG_TIMER_EXPIRED);
}

static void olvb_msg_tasklet(unsigned long data)
{
	struct olvb_cpu *c = (struct olvb_cpu *)data;
	struct hv_message_page *page = c->msg_page;
	struct hv_message *msg = &page->sint_message[OLVB_SINT];
	u8 buf[OLVB_MSG_MAX];
	u32 type, len;

	type = READ_ONCE(msg->header.message_type);
	if (type == HVMSG_NONE)
		return;
	if (type == HVMSG_TIMER_EXPIRED) {
		unsigned long flags;

		/* A tick that came in behind a channel message. */
		local_irq_save(flags);
		olvb_timer_tick(msg);
		local_irq_restore(flags);
		if (READ_ONCE(msg->header.message_type) != HVMSG_NONE)
			tasklet_schedule(&c->msg_tasklet);
		return;
	}
	len = READ_ONCE(msg->header.payload_size);
	if (type != 1 || len > OLVB_MSG_MAX) {
		olvb_count_drop(OLVB_DROP_SYNIC);
		pr_warn_ratelimited("bad SynIC message type %u size %u\n",
				    type, len);
		vmbus_signal_eom(msg, type);
		return;
	}
	/* Work on a copy: the slot is the host's again after the EOM. */
	memcpy(buf, msg->u.payload, len);
	vmbus_signal_eom(msg, type);
	olvb_on_message(buf, len);
	/* More may have been queued behind the one we took. */
	if (READ_ONCE(msg->header.message_type) != HVMSG_NONE)
		tasklet_schedule(&c->msg_tasklet);
}

static void olvb_scan_events(struct olvb_cpu *c)
{
	union hv_synic_event_flags *ev = c->evt_page;
	unsigned long *flags = ev[OLVB_SINT].flags;
	unsigned int i;

	for (i = 0; i < HV_EVENT_FLAGS_LONG_COUNT; i++) {
		unsigned long word, bit;

		if (!READ_ONCE(flags[i]))
			continue;
		word = xchg(&flags[i], 0);
		for_each_set_bit(bit, &word, BITS_PER_LONG) {
			u32 relid = i * BITS_PER_LONG + bit;
			struct vmbus_channel *ch;

			if (!relid)
				continue;
			rcu_read_lock();
			ch = olvb_relid2chan(relid);
			if (ch)
				olvb_chan_sched(ch);
			rcu_read_unlock();
		}
	}
}

static void olvb_isr(void)
{
	struct olvb_cpu *c = this_cpu_ptr(olvb.cpu);
	struct hv_message_page *page = c->msg_page;

	if (!page)
		return;
	olvb_scan_events(c);
	switch (READ_ONCE(page->sint_message[OLVB_SINT].header.message_type)) {
	case HVMSG_NONE:
		break;
	case HVMSG_TIMER_EXPIRED:
		olvb_timer_tick(&page->sint_message[OLVB_SINT]);
		break;
	default:
		tasklet_schedule(&c->msg_tasklet);
	}
}

/* This CPU's SynIC on, with our pages and SINT2. */
static void olvb_synic_on(struct olvb_cpu *c)
{
	union hv_synic_simp simp;
	union hv_synic_siefp siefp;
	union hv_synic_sint sint;
	union hv_synic_scontrol sctrl;

	simp.as_uint64 = olvb_get_synic(OLVB_SYNIC_REG(SIMP));
	simp.simp_enabled = 1;
	simp.base_simp_gpa = virt_to_phys(c->msg_page) >> HV_HYP_PAGE_SHIFT;
	olvb_set_synic(OLVB_SYNIC_REG(SIMP), simp.as_uint64);

	siefp.as_uint64 = olvb_get_synic(OLVB_SYNIC_REG(SIEFP));
	siefp.siefp_enabled = 1;
	siefp.base_siefp_gpa = virt_to_phys(c->evt_page) >> HV_HYP_PAGE_SHIFT;
	olvb_set_synic(OLVB_SYNIC_REG(SIEFP), siefp.as_uint64);

	sint.as_uint64 = olvb_get_synic(OLVB_SYNIC_REG(SINT0) + OLVB_SINT);
	sint.vector = HYPERVISOR_CALLBACK_VECTOR;
	sint.masked = 0;
	sint.auto_eoi = !!(ms_hyperv.hints & HV_DEPRECATING_AEOI_RECOMMENDED) ?
			0 : 1;
	olvb_set_synic(OLVB_SYNIC_REG(SINT0) + OLVB_SINT, sint.as_uint64);

	sctrl.as_uint64 = olvb_get_synic(OLVB_SYNIC_REG(SCONTROL));
	sctrl.enable = 1;
	olvb_set_synic(OLVB_SYNIC_REG(SCONTROL), sctrl.as_uint64);
}

/* Only SINT2 and the pages are ours: SCONTROL stays for the timer. */
static void olvb_synic_off(void)
{
	union hv_synic_sint sint;
	union hv_synic_simp simp;
	union hv_synic_siefp siefp;

	sint.as_uint64 = olvb_get_synic(OLVB_SYNIC_REG(SINT0) + OLVB_SINT);
	sint.masked = 1;
	olvb_set_synic(OLVB_SYNIC_REG(SINT0) + OLVB_SINT, sint.as_uint64);

	simp.as_uint64 = olvb_get_synic(OLVB_SYNIC_REG(SIMP));
	simp.simp_enabled = 0;
	simp.base_simp_gpa = 0;
	olvb_set_synic(OLVB_SYNIC_REG(SIMP), simp.as_uint64);

	siefp.as_uint64 = olvb_get_synic(OLVB_SYNIC_REG(SIEFP));
	siefp.siefp_enabled = 0;
	siefp.base_siefp_gpa = 0;
	olvb_set_synic(OLVB_SYNIC_REG(SIEFP), siefp.as_uint64);
}

static int olvb_cpu_online(unsigned int cpu)
{
	olvb_synic_on(per_cpu_ptr(olvb.cpu, cpu));
	/* The kernel's clockevent switches to the synthetic timer, as in-tree. */
	hv_stimer_legacy_init(cpu, OLVB_SINT);
	return 0;
}

/*
 * A CPU may not go while connected if the host sends it messages (CPU 0,
 * named in INITIATE_CONTACT) or some channel's interrupts.
 */
static bool olvb_cpu_busy(unsigned int cpu)
{
	bool busy = false;
	u32 relid;

	if (!READ_ONCE(olvb.connected))
		return false;
	if (cpu == 0)
		return true;
	rcu_read_lock();
	for (relid = 1; relid < OLVB_MAX_RELID && !busy; relid++) {
		struct vmbus_channel *ch = olvb_relid2chan(relid);

		busy = ch && READ_ONCE(ch->target_cpu) == cpu;
	}
	rcu_read_unlock();
	return busy;
}

static int olvb_cpu_offline(unsigned int cpu)
{
	if (olvb_cpu_busy(cpu)) {
		pr_info_ratelimited("CPU %u has VMBus channels: it stays online\n",
				    cpu);
		return -EBUSY;
	}

	/* Back to the LAPIC timer before the SINT that carries its ticks goes. */
	hv_stimer_legacy_cleanup(cpu);
	olvb_synic_off();
	return 0;
}

/*
 * Hibernation takes the other CPUs down through hotplug; the boot CPU's
 * SynIC goes last, with interrupts off. Its timer stays bound: with
 * interrupts off until the resume nothing ticks, and the timekeeping core
 * stops and restarts it itself.
 */
static int olvb_synic_suspend(void)
{
	olvb_synic_off();
	return 0;
}

static void olvb_synic_resume(void)
{
	struct olvb_cpu *c = this_cpu_ptr(olvb.cpu);
	struct hv_message_page *page = c->msg_page;

	olvb_synic_on(c);
	/*
	 * A message that landed after interrupts went off never raised one:
	 * the tasklet takes it (a tick too). One the hypervisor could not
	 * deliver while the page was off waits for an EOM.
	 */
	olvb_set_synic(OLVB_SYNIC_REG(EOM), 0);
	if (READ_ONCE(page->sint_message[OLVB_SINT].header.message_type) !=
	    HVMSG_NONE)
		tasklet_schedule(&c->msg_tasklet);
}

static struct syscore_ops olvb_synic_syscore = {
	.suspend = olvb_synic_suspend,
	.resume = olvb_synic_resume,
};

static void olvb_free_pages(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct olvb_cpu *c = per_cpu_ptr(olvb.cpu, cpu);

		tasklet_kill(&c->msg_tasklet);
		free_page((unsigned long)c->msg_page);
		free_page((unsigned long)c->evt_page);
		c->msg_page = NULL;
		c->evt_page = NULL;
	}
	free_percpu(olvb.cpu);
	olvb.cpu = NULL;
}

int olvb_synic_init(void)
{
	unsigned int cpu;
	int ret;

	if (!hv_is_hyperv_initialized()) {
		pr_info("not running on Hyper-V\n");
		return -ENODEV;
	}
	olvb.cpu = alloc_percpu(struct olvb_cpu);
	if (!olvb.cpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct olvb_cpu *c = per_cpu_ptr(olvb.cpu, cpu);

		tasklet_init(&c->msg_tasklet, olvb_msg_tasklet,
			     (unsigned long)c);
		c->msg_page = (void *)get_zeroed_page(GFP_KERNEL);
		c->evt_page = (void *)get_zeroed_page(GFP_KERNEL);
		if (!c->msg_page || !c->evt_page) {
			olvb_free_pages();
			return -ENOMEM;
		}
	}

	hv_setup_vmbus_handler(olvb_isr);
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "openlis/vmbus:online",
				olvb_cpu_online, olvb_cpu_offline);
	if (ret < 0) {
		hv_remove_vmbus_handler();
		olvb_free_pages();
		return ret;
	}
	olvb_cpuhp = ret;
	register_syscore_ops(&olvb_synic_syscore);
	return 0;
}

void olvb_synic_exit(void)
{
	unregister_syscore_ops(&olvb_synic_syscore);
	cpuhp_remove_state(olvb_cpuhp);
	hv_remove_vmbus_handler();
	/* An interrupt that found the handler before it went is over now. */
	synchronize_rcu();
	olvb_free_pages();
}
