// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises the hypervisor's Hyper-V guest interface below VMBus, so that
 * the emulated host's (KVM's, or openlis's QEMU under TCG) can be held to
 * the same results: the CPUID leaves, the partition MSRs, the SynIC MSRs,
 * HvPostMessage and HvSignalEvent through QEMU's hyperv-testdev (which
 * echoes a posted message back to a SINT, and a signalled event back as
 * an event flag), a message posted while its slot is busy and delivered
 * after EOM, and a one-shot and a periodic synthetic timer. One kernel log
 * line a step:
 *
 *   hvif_test: <step> <ok|FAIL> <detail>
 *
 * and a last one, "hvif_test: done <ok|FAIL>"; the load fails with -EIO
 * when a step did not give what it must. It needs the guest's SynIC and
 * synthetic timers to itself: load it where no VMBus core is loaded. Every
 * MSR it sets is cleared again before it returns.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/workqueue.h>
#include <asm/msr.h>
#include <asm/mshyperv.h>

/* Register numbers and bits, from the Hyper-V TLFS. */
#define HVIF_MSR_GUEST_OS_ID	0x40000000
#define HVIF_MSR_HYPERCALL	0x40000001
#define HVIF_MSR_VP_INDEX	0x40000002
#define HVIF_MSR_TIME_REF	0x40000020
#define HVIF_MSR_SCONTROL	0x40000080
#define HVIF_MSR_SVERSION	0x40000081
#define HVIF_MSR_SIEFP		0x40000082
#define HVIF_MSR_SIMP		0x40000083
#define HVIF_MSR_EOM		0x40000084
#define HVIF_MSR_SINT(n)	(0x40000090 + (n))
#define HVIF_MSR_STIMER_CFG(n)	(0x400000b0 + 2 * (n))
#define HVIF_MSR_STIMER_COUNT(n) (0x400000b1 + 2 * (n))

#define HVIF_SINT_MASKED	BIT_ULL(16)
#define HVIF_SINT_AUTO_EOI	BIT_ULL(17)
/* CPUID 0x40000004 EAX: the guest ends SINT interrupts with an APIC EOI. */
#define HVIF_AEOI_DEPRECATED	BIT(9)
#define HVIF_STIMER_ENABLE	BIT_ULL(0)
#define HVIF_STIMER_PERIODIC	BIT_ULL(1)
#define HVIF_STIMER_SINT(s)	((u64)(s) << 16)

#define HVIF_MSG_TIMER_EXPIRED	0x80000010
#define HVIF_MSG_PENDING	0x1

/* hyperv-testdev's control port and its commands (QEMU's hw/hyperv). */
#define HVIF_TESTDEV_PORT	0x3000
#define HVIF_TESTDEV_MSG_CONN_CREATE	4
#define HVIF_TESTDEV_MSG_CONN_DESTROY	5
#define HVIF_TESTDEV_EVT_CONN_CREATE	6
#define HVIF_TESTDEV_EVT_CONN_DESTROY	7

/* The SINTs and connections this test uses; VMBus's SINT 2 is left alone. */
#define HVIF_SINT_MSG		5
#define HVIF_SINT_EVT		6
#define HVIF_SINT_TIMER		7
#define HVIF_CONN_MSG		0x21
#define HVIF_CONN_EVT		0x22

struct hvif_msg {
	u32 type;
	u8 size;
	u8 flags;
	u16 reserved;
	u64 sender;
	u8 payload[240];
} __packed;

struct hvif_post_input {
	u32 conn_id;
	u32 reserved;
	u32 type;
	u32 size;
	u8 payload[240];
} __packed;

static struct hvif_msg *hvif_simp;
static unsigned long *hvif_siefp;
static struct hvif_post_input *hvif_in;
static atomic_t hvif_irqs = ATOMIC_INIT(0);
static bool hvif_all_ok = true;

static void hvif_step(const char *step, bool ok, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_info("%s %s %pV\n", step, ok ? "ok" : "FAIL", &vaf);
	va_end(args);
	hvif_all_ok &= ok;
}

/*
 * MSR and CPUID access through what every supported kernel has (7.x
 * renamed the 64-bit MSR helpers): rdmsr/wrmsr by halves, CPUID by hand.
 */
static u64 hvif_rdmsr(u32 msr)
{
	u32 lo, hi;

	rdmsr(msr, lo, hi);
	return (u64)hi << 32 | lo;
}

static void hvif_wrmsr(u32 msr, u64 val)
{
	wrmsr(msr, (u32)val, (u32)(val >> 32));
}

static void hvif_cpuid_leaf(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	asm volatile("cpuid"
		     : "=a" (*eax), "=b" (*ebx), "=c" (*ecx), "=d" (*edx)
		     : "0" (leaf), "2" (0));
}

static void hvif_isr(void)
{
	atomic_inc(&hvif_irqs);
}

static void hvif_testdev(u8 cmd, u8 sint, u8 conn)
{
	outl((u32)conn << 24 | (u32)cmd << 16 | sint, HVIF_TESTDEV_PORT);
}

static u64 hvif_time(void)
{
	return hvif_rdmsr(HVIF_MSR_TIME_REF);
}

/* Polls @slot until it holds a message of @type, for at most a second. */
static bool hvif_wait_msg(struct hvif_msg *slot, u32 type)
{
	unsigned long end = jiffies + HZ;

	while (READ_ONCE(slot->type) != type) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(100, 200);
	}
	rmb(); /* the message after its type */
	return true;
}

static bool hvif_wait_irq(int before)
{
	unsigned long end = jiffies + HZ;

	while (atomic_read(&hvif_irqs) == before) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(100, 200);
	}
	return true;
}

/* Frees @slot as the guest's SINT handler does, with EOM if it was asked. */
static void hvif_free_slot(struct hvif_msg *slot)
{
	WRITE_ONCE(slot->type, 0);
	mb(); /* the free slot before the flag is read */
	if (READ_ONCE(slot->flags) & HVIF_MSG_PENDING)
		hvif_wrmsr(HVIF_MSR_EOM, 0);
}

/*
 * HvPostMessage; INSUFFICIENT_BUFFERS (19) means the host is still busy
 * with the last message, so try again, for at most a second.
 */
static u64 hvif_post(u32 conn, u32 type, u32 size, u8 fill)
{
	unsigned long end = jiffies + HZ;
	u64 st;

	do {
		hvif_in->conn_id = conn;
		hvif_in->reserved = 0;
		hvif_in->type = type;
		hvif_in->size = size;
		memset(hvif_in->payload, fill, size);
		st = hv_do_hypercall(HVCALL_POST_MESSAGE, hvif_in, NULL) & 0xffff;
		if (st != 19)
			break;
		usleep_range(100, 200);
	} while (!time_after(jiffies, end));
	return st;
}

static void hvif_cpuid(void)
{
	u32 eax, ebx, ecx, edx;
	char sig[13] = {};
	bool ok;

	hvif_cpuid_leaf(0x40000000, &eax, &ebx, &ecx, &edx);
	memcpy(sig, &ebx, 4);
	memcpy(sig + 4, &ecx, 4);
	memcpy(sig + 8, &edx, 4);
	hvif_step("cpuid-vendor", !strcmp(sig, "Microsoft Hv") &&
		  eax >= 0x40000005, "%s max %#x", sig, eax);
	hvif_cpuid_leaf(0x40000003, &eax, &ebx, &ecx, &edx);
	/* hypercall, VP index, SynIC, reference counter, synthetic timers */
	ok = (eax & 0x6e) == 0x6e && (ebx & 0x30) == 0x30;
	hvif_step("cpuid-features", ok, "features %#x privileges %#x", eax,
		  ebx);
}

/* On the CPU it asks about; U64_MAX where the MSR faults. */
static void hvif_read_vp_index(void *idx)
{
	u32 lo, hi;

	if (!rdmsr_safe(HVIF_MSR_VP_INDEX, &lo, &hi))
		*(u64 *)idx = (u64)hi << 32 | lo;
}

static void hvif_msrs(void)
{
	u64 v, t0, t1;
	int cpu;
	bool ok = true;

	v = hvif_rdmsr(HVIF_MSR_GUEST_OS_ID);
	hvif_step("guest-os-id", v != 0, "%#llx", v);
	v = hvif_rdmsr(HVIF_MSR_HYPERCALL);
	hvif_step("hypercall-msr", v & 1, "%#llx", v);
	for_each_online_cpu(cpu) {
		u64 idx = U64_MAX;

		if (smp_call_function_single(cpu, hvif_read_vp_index, &idx, 1) ||
		    idx != hv_vp_index[cpu])
			ok = false;
	}
	hvif_step("vp-index", ok, "every online CPU's matches hv_vp_index");
	t0 = hvif_time();
	msleep(20);
	t1 = hvif_time();
	/* 20 ms is 200000 units of 100 ns; allow a slow, busy host. */
	hvif_step("time-ref-count", t1 - t0 >= 150000 && t1 - t0 < 100000000,
		  "+%llu in 20 ms", t1 - t0);
	v = hvif_rdmsr(HVIF_MSR_SVERSION);
	hvif_step("synic-version", v == 1, "%llu", v);
}

static void hvif_messages(void)
{
	struct hvif_msg *slot = &hvif_simp[HVIF_SINT_MSG];
	int irqs = atomic_read(&hvif_irqs);
	u64 st;
	bool ok;

	st = hvif_post(HVIF_CONN_MSG, 1, 16, 0xa5);
	ok = !st && hvif_wait_msg(slot, 1) && slot->size == 16 &&
	     slot->payload[0] == 0xa5 && slot->payload[15] == 0xa5;
	hvif_step("post-message", ok, "status %llu type %u size %u", st,
		  slot->type, slot->size);
	hvif_step("sint-interrupt", hvif_wait_irq(irqs), "%d interrupts",
		  atomic_read(&hvif_irqs) - irqs);

	/* The slot is still taken: the next message waits for our EOM. */
	st = hvif_post(HVIF_CONN_MSG, 1, 8, 0x5a);
	ok = !st;
	if (ok) {
		unsigned long end = jiffies + HZ;

		while (!(READ_ONCE(slot->flags) & HVIF_MSG_PENDING) &&
		       !time_after(jiffies, end))
			usleep_range(100, 200);
		ok = READ_ONCE(slot->flags) & HVIF_MSG_PENDING;
	}
	hvif_step("busy-slot-pending", ok, "status %llu flags %#x", st,
		  slot->flags);
	hvif_free_slot(slot);
	ok = hvif_wait_msg(slot, 1) && slot->size == 8 &&
	     slot->payload[0] == 0x5a;
	hvif_step("eom-redelivers", ok, "type %u size %u", slot->type,
		  slot->size);
	hvif_free_slot(slot);

	st = hvif_post(0x7e, 1, 8, 0);
	hvif_step("post-unknown-conn", st == 18, "status %llu", st);
	st = hv_do_hypercall(0x7fff, NULL, NULL) & 0xffff;
	hvif_step("bad-hypercall", st == 2, "status %llu", st);
}

static void hvif_events(void)
{
	unsigned long *flags = hvif_siefp + HVIF_SINT_EVT * (2048 / BITS_PER_LONG);
	int irqs = atomic_read(&hvif_irqs);
	unsigned long end = jiffies + HZ;
	u64 st;

	st = hv_do_fast_hypercall8(HVCALL_SIGNAL_EVENT, HVIF_CONN_EVT) & 0xffff;
	while (!test_bit(HVIF_CONN_EVT, flags) && !time_after(jiffies, end))
		usleep_range(100, 200);
	hvif_step("signal-event", !st && test_bit(HVIF_CONN_EVT, flags),
		  "status %llu", st);
	hvif_step("event-interrupt", hvif_wait_irq(irqs), "%d interrupts",
		  atomic_read(&hvif_irqs) - irqs);
	clear_bit(HVIF_CONN_EVT, flags);
}

static void hvif_timers(void)
{
	struct hvif_msg *slot = &hvif_simp[HVIF_SINT_TIMER];
	u64 now = hvif_time(), due = now + 20000, cfg;
	u32 idx;
	u64 exp, dlv;
	bool ok;

	/* The count first: an enabled timer with a past count fires at once. */
	hvif_wrmsr(HVIF_MSR_STIMER_COUNT(0), due);
	hvif_wrmsr(HVIF_MSR_STIMER_CFG(0), HVIF_STIMER_ENABLE |
	       HVIF_STIMER_SINT(HVIF_SINT_TIMER));
	ok = hvif_wait_msg(slot, HVIF_MSG_TIMER_EXPIRED);
	memcpy(&idx, slot->payload, 4);
	memcpy(&exp, slot->payload + 8, 8);
	memcpy(&dlv, slot->payload + 16, 8);
	ok = ok && idx == 0 && exp == due && dlv >= due;
	hvif_step("stimer-oneshot", ok, "timer %u expiry %llu due %llu late %lld",
		  idx, exp, due, (s64)(dlv - due));
	hvif_free_slot(slot);
	cfg = hvif_rdmsr(HVIF_MSR_STIMER_CFG(0));
	hvif_step("stimer-oneshot-off", !(cfg & HVIF_STIMER_ENABLE),
		  "config %#llx", cfg);

	/* Periodic, every 5 ms: three expiries, each a period after the last. */
	hvif_wrmsr(HVIF_MSR_STIMER_COUNT(1), 50000);
	hvif_wrmsr(HVIF_MSR_STIMER_CFG(1), HVIF_STIMER_ENABLE | HVIF_STIMER_PERIODIC |
	       HVIF_STIMER_SINT(HVIF_SINT_TIMER));
	ok = true;
	exp = 0;
	for (idx = 0; idx < 3 && ok; idx++) {
		u32 which;
		u64 e;

		ok = hvif_wait_msg(slot, HVIF_MSG_TIMER_EXPIRED);
		memcpy(&which, slot->payload, 4);
		memcpy(&e, slot->payload + 8, 8);
		ok = ok && which == 1 && (!exp || e >= exp + 50000);
		exp = e;
		if (idx < 2)
			hvif_free_slot(slot);
	}
	/* Stopped before the last slot is freed: no expiry after the test. */
	hvif_wrmsr(HVIF_MSR_STIMER_CFG(1), 0);
	hvif_wrmsr(HVIF_MSR_STIMER_COUNT(1), 0);
	hvif_wrmsr(HVIF_MSR_STIMER_COUNT(0), 0);
	hvif_step("stimer-periodic", ok, "%u expiries, last %llu", idx, exp);
	hvif_free_slot(slot);
}

static long hvif_run(void *unused)
{
	u64 simp, siefp, sintx = HYPERVISOR_CALLBACK_VECTOR;
	u32 eax, ebx, ecx, edx;
	int sint;

	hvif_cpuid();
	hvif_msrs();

	simp = hvif_rdmsr(HVIF_MSR_SIMP);
	siefp = hvif_rdmsr(HVIF_MSR_SIEFP);
	if ((simp | siefp) & 1) {
		hvif_step("synic-free", false,
			  "the SynIC is in use (a VMBus core is loaded?)");
		return 0;
	}
	hv_setup_vmbus_handler(hvif_isr);
	hvif_wrmsr(HVIF_MSR_SIMP, virt_to_phys(hvif_simp) | 1);
	hvif_wrmsr(HVIF_MSR_SIEFP, virt_to_phys(hvif_siefp) | 1);
	/*
	 * They are overlay pages: what an earlier user left there comes back
	 * with them, as on Hyper-V. Start from empty slots.
	 */
	memset(hvif_simp, 0, PAGE_SIZE);
	memset(hvif_siefp, 0, PAGE_SIZE);
	/*
	 * As the kernel's SynIC set-up does: auto-EOI unless the hypervisor
	 * deprecates it, since the kernel's handler for this vector sends an
	 * EOI only then (without either, the vector stays in service).
	 */
	hvif_cpuid_leaf(0x40000004, &eax, &ebx, &ecx, &edx);
	if (!(eax & HVIF_AEOI_DEPRECATED))
		sintx |= HVIF_SINT_AUTO_EOI;
	for (sint = HVIF_SINT_MSG; sint <= HVIF_SINT_TIMER; sint++)
		hvif_wrmsr(HVIF_MSR_SINT(sint), sintx);
	hvif_wrmsr(HVIF_MSR_SCONTROL, 1);

	/* After SCONTROL: a KVM host routes a SINT only of an enabled SynIC. */
	hvif_testdev(HVIF_TESTDEV_MSG_CONN_CREATE, HVIF_SINT_MSG, HVIF_CONN_MSG);
	hvif_testdev(HVIF_TESTDEV_EVT_CONN_CREATE, HVIF_SINT_EVT, HVIF_CONN_EVT);
	hvif_messages();
	hvif_events();
	hvif_timers();
	hvif_testdev(HVIF_TESTDEV_EVT_CONN_DESTROY, 0, HVIF_CONN_EVT);
	hvif_testdev(HVIF_TESTDEV_MSG_CONN_DESTROY, 0, HVIF_CONN_MSG);

	for (sint = HVIF_SINT_MSG; sint <= HVIF_SINT_TIMER; sint++)
		hvif_wrmsr(HVIF_MSR_SINT(sint), HVIF_SINT_MASKED);
	hvif_wrmsr(HVIF_MSR_SCONTROL, 0);
	hvif_wrmsr(HVIF_MSR_SIEFP, 0);
	hvif_wrmsr(HVIF_MSR_SIMP, 0);
	hv_remove_vmbus_handler();
	return 0;
}

static int __init hvif_test_init(void)
{
	int ret = -ENOMEM;

	hvif_simp = (void *)get_zeroed_page(GFP_KERNEL);
	hvif_siefp = (void *)get_zeroed_page(GFP_KERNEL);
	hvif_in = (void *)get_zeroed_page(GFP_KERNEL);
	if (!hvif_simp || !hvif_siefp || !hvif_in)
		goto out;
	/*
	 * The MSR rather than hv_hypercall_pg, which 7.x no longer exports:
	 * its enable bit says the kernel set the page up.
	 */
	if (!(hvif_rdmsr(HVIF_MSR_HYPERCALL) & 1)) {
		hvif_step("hypercall-page", false, "the kernel enabled none");
		ret = -EIO;
		goto out;
	}
	/* vp 0 is where hyperv-testdev sends: run the steps on CPU 0. */
	work_on_cpu(0, hvif_run, NULL);
	pr_info("done %s\n", hvif_all_ok ? "ok" : "FAIL");
	ret = hvif_all_ok ? 0 : -EIO;
out:
	free_page((unsigned long)hvif_in);
	free_page((unsigned long)hvif_siefp);
	free_page((unsigned long)hvif_simp);
	return ret;
}

static void __exit hvif_test_exit(void)
{
}

module_init(hvif_test_init);
module_exit(hvif_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Checks the hypervisor's Hyper-V interface below VMBus");
