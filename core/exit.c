/*
 * VM-exit handling. One const table, indexed by the normalised reason, maps
 * each exit to a short handler. A guest's mistake is the partition's
 * problem: it gets #GP or the partition crashes; the hypervisor and the
 * other partitions go on.
 */
#include "core/exit.h"
#include "arch/x86/cpu.h"
#include "core/cr.h"
#include "core/hypercall.h"
#include "core/lib.h"
#include "core/panic.h"
#include "core/sched.h"
#include "partitions/intercept.h"
#include "partitions/lapic.h"
#include "partitions/partition.h"
#include "partitions/platform.h"

void exit_inject_gp(struct vp *vp)
{
	const struct vcpu_event gp = { EVENT_EXCEPTION, EXC_GP, true, 0 };

	vcpu_ops->inject(&vp->vcpu, &gp);
}

void exit_inject_ud(struct vp *vp)
{
	const struct vcpu_event ud = { EVENT_EXCEPTION, EXC_UD, false, 0 };

	vcpu_ops->inject(&vp->vcpu, &ud);
}

/* A child of the root's: the root is told first (HVMSG_UNRECOVERABLE_EXCEPTION), then it crashes. */
static enum exit_action crash(struct vp *vp, const char *why)
{
	if (vp->vcpu.part->intercepts_to_root)
		intercept_crash(vp);
	partition_crash(vp->vcpu.part, vp, why);
	return EXIT_ACTION_STOP;
}

/* RIP first: CPUID reads no RIP, and the answer's slow path can then be a tail call. */
static enum exit_action on_cpuid(struct vp *vp, const struct vm_exit *e)
{
	exit_skip_insn(vp, e);
	platform_cpuid(vp);
	return EXIT_ACTION_RESUME;
}

static enum exit_action on_msr_read(struct vp *vp, const struct vm_exit *e)
{
	uint64_t *r = vp->vcpu.gpr, val;

	if (!platform_msr_read(vp, (uint32_t)r[GPR_RCX], &val)) {
		vp->stats.msr_denied++;
		exit_inject_gp(vp);		/* RIP stays on the RDMSR (a fault) */
		return EXIT_ACTION_RESUME;
	}
	r[GPR_RAX] = (uint32_t)val;
	r[GPR_RDX] = val >> 32;
	exit_skip_insn(vp, e);
	return EXIT_ACTION_RESUME;
}

static enum exit_action on_msr_write(struct vp *vp, const struct vm_exit *e)
{
	uint64_t *r = vp->vcpu.gpr;
	uint64_t val = (r[GPR_RDX] << 32) | (uint32_t)r[GPR_RAX];

	if (!platform_msr_write(vp, (uint32_t)r[GPR_RCX], val)) {
		vp->stats.msr_denied++;
		exit_inject_gp(vp);
		return EXIT_ACTION_RESUME;
	}
	exit_skip_insn(vp, e);
	return EXIT_ACTION_RESUME;
}

/* The mask of an access of size bytes (1, 2 or 4). */
static uint32_t io_mask(uint8_t size)
{
	return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/* IN's result: 32 bits zero-extend into RAX, 8 and 16 bits merge (SDM Vol. 1, 3.4.1.1). */
static void io_in_result(struct vp *vp, uint8_t size, uint32_t val)
{
	uint64_t *rax = &vp->vcpu.gpr[GPR_RAX];
	uint64_t mask = io_mask(size);

	*rax = size == 4 ? val : (*rax & ~mask) | (val & mask);
}

/* A denied port reads as all ones and ignores writes (what an empty ISA bus does). */
static enum exit_action io_denied(struct vp *vp, const struct vm_exit *e)
{
	vp->stats.io_denied++;
	if (e->u.io.in && !e->u.io.string)
		io_in_result(vp, e->u.io.size, 0xffffffffu);
	return EXIT_ACTION_RESUME;
}

/*
 * An access the partition's I/O bitmap allows: to a device of its
 * platform, if one answers. Not inlined, so that on_io's common path
 * needs no stack frame.
 */
static __attribute__((noinline)) enum exit_action io_to_device(struct vp *vp,
							       const struct vm_exit *e)
{
	uint32_t val = (uint32_t)vp->vcpu.gpr[GPR_RAX] & io_mask(e->u.io.size);

	if (!platform_io(vp, e->u.io.port, e->u.io.size, e->u.io.in, &val))
		return io_denied(vp, e);
	if (e->u.io.in)
		io_in_result(vp, e->u.io.size, val);
	return EXIT_ACTION_RESUME;
}

/*
 * A child of the root's: every port access, string and REP forms included,
 * is the root's to emulate (it may refuse a string one by crashing the
 * child); RIP stays on the instruction until the root completes it.
 */
static __attribute__((noinline)) enum exit_action to_root_io(struct vp *vp,
							     const struct vm_exit *e)
{
	intercept_io(vp, e);
	return EXIT_ACTION_SUSPEND;
}

/*
 * Port I/O. A denied port, or one no device answers, looks like an empty
 * ISA bus, so a probing guest sees "no device". String and REP forms are
 * not emulated: they are skipped as denied accesses. The bitmap check is
 * inline, as every I/O exit makes it.
 */
static enum exit_action on_io(struct vp *vp, const struct vm_exit *e)
{
	if (vp->vcpu.part->intercepts_to_root)
		return to_root_io(vp, e);
	exit_skip_insn(vp, e);
	if (!e->u.io.string && platform_io_allowed(vp->vcpu.part, e->u.io.port))
		return io_to_device(vp, e);
	return io_denied(vp, e);
}

/*
 * HLT blocks until an interrupt. A child of the root's that halts with
 * interrupts off (RFLAGS.IF clear) and no timer armed can never wake by an
 * interrupt: the root gets HVMSG_X64_HALT, RIP on the HLT, and decides (a
 * VMM takes it as the guest's end, 6.4). With local APICs another VP's
 * INIT can still end that HLT, and no timer can (its interrupt waits for
 * IF, as sched.c's eligible() keeps such a VP asleep): the VP parks, and
 * the root hears of it only when every VP has (partitions/lapic.c,
 * lapic_park).
 */
static bool interrupts_off(struct vp *vp)
{
	struct vcpu_state s;

	vcpu_ops->get_state(&vp->vcpu, &s);	/* not can_take_irq: `sti; hlt` is in STI's shadow */
	return !(s.rflags & RFLAGS_IF);
}

static enum exit_action on_hlt(struct vp *vp, const struct vm_exit *e)
{
	struct partition *p = vp->vcpu.part;

	/* one read of the guest's state per HLT: `sti; hlt` is a LAPIC guest's idle loop */
	if (p->intercepts_to_root && (p->lapic || !vp->timer_deadline) && interrupts_off(vp)) {
		if (p->lapic)
			lapic_park(vp);
		else
			intercept_halt(vp);
		return EXIT_ACTION_SUSPEND;
	}
	exit_skip_insn(vp, e);
	return EXIT_ACTION_BLOCK;
}

static enum exit_action on_slp_fault(struct vp *vp, const struct vm_exit *e)
{
	char why[96];

	if (platform_mmio(vp, e))
		return EXIT_ACTION_RESUME;	/* an emulated device answered */
	if (vp->vcpu.part->intercepts_to_root) {	/* the root's to map or emulate */
		intercept_memory(vp, e);
		return EXIT_ACTION_SUSPEND;
	}
	/* not memory and no device: the access is the partition's fault */
	fmt_snprintf(why, sizeof(why), "%s of guest-physical %016lx outside its memory",
		     e->u.slp.fetch ? "fetch" : e->u.slp.write ? "write" : "read",
		     gpa_val(e->u.slp.gpa));
	return crash(vp, why);
}

static enum exit_action on_hypercall(struct vp *vp, const struct vm_exit *e)
{
	return hypercall_dispatch(vp, e);	/* it moves RIP unless the call raises #UD */
}

/*
 * A machine check that struck while the guest ran (or during VM entry) is
 * the hypervisor's: run the host's own #MC handler (arch/x86/trap.c) as if
 * it had struck here. Should that handler ever return, the guest's state
 * at the time is not to be trusted.
 */
static enum exit_action on_machine_check(struct vp *vp)
{
	__asm__ volatile("int $18" ::: "memory");
	return crash(vp, "machine check while it ran");
}

/*
 * #AC and #DB are the guest's own: they go back in as they came, with
 * their error code. The state they set stays as the exit left it: AMD-V
 * has written the guest's DR6 for the #DB before the exit.
 *
 * An exception that struck while one of our virtual interrupts was being
 * delivered (its frame did not fit the guest's stack) would lose that
 * interrupt: the back-end queued it again for the next entry, and the
 * injection below replaces it. So it goes back to pending, and follows
 * once the guest can take it, after the exception (as KVM does).
 *
 * The host then takes its own interrupts. An injected event is delivered
 * at VM entry before any interrupt is recognised (SDM Vol. 3C, 27.5;
 * APM Vol. 2, 15.20), so a guest whose delivery of #AC or #DB raises it
 * again (#AC on a misaligned CPL-3 stack, CVE-2015-5307; a data
 * breakpoint on the delivery's own stack slot) exits here again and again
 * with no interrupt or external-interrupt exit in between, and this CPU's
 * timer and kick IPIs would never set need_resched.
 */
static enum exit_action reflect_exception(struct vp *vp, const struct vm_exit *e)
{
	const struct vcpu_event ev = { EVENT_EXCEPTION, e->u.exc.vector, e->u.exc.has_error,
				       e->u.exc.error };

	if (e->u.exc.irq_in_delivery)
		sched_raise_irq(vp, e->u.exc.irq_in_delivery);
	vcpu_ops->inject(&vp->vcpu, &ev);
	sched_take_host_interrupts();
	return EXIT_ACTION_RESUME;
}

/*
 * The back-ends intercept #AC, #MC and (AMD-V) #DB always, so that a
 * guest cannot hold a CPU inside their delivery (vmx_setup.c, svm.c).
 */
static enum exit_action on_exception(struct vp *vp, const struct vm_exit *e)
{
	char why[64];

	switch (e->u.exc.vector) {
	case EXC_DB:
	case EXC_AC:
		return reflect_exception(vp, e);
	case EXC_MC:
		return on_machine_check(vp);
	default:
		fmt_snprintf(why, sizeof(why), "unexpected exception %u intercepted",
			     e->u.exc.vector);
		return crash(vp, why);
	}
}

static enum exit_action on_triple_fault(struct vp *vp, const struct vm_exit *e)
{
	(void)e;
	return crash(vp, "triple fault (shutdown)");
}

static enum exit_action on_extint(struct vp *vp, const struct vm_exit *e)
{
	(void)vp, (void)e;
	sched_take_host_interrupts();	/* still pending at the local APIC: the host takes it now */
	return EXIT_ACTION_RESUME;
}

static enum exit_action on_nmi(struct vp *vp, const struct vm_exit *e)
{
	(void)vp, (void)e;
	if (panic_in_progress())
		panic_stop_this_cpu();	/* the NMI was another CPU's panic */
	return EXIT_ACTION_RESUME;
}

static enum exit_action on_irq_window(struct vp *vp, const struct vm_exit *e)
{
	(void)vp, (void)e;
	return EXIT_ACTION_RESUME;	/* the scheduler injects what is pending */
}

/*
 * WBINVD/INVD: caches are coherent for everything a partition can reach (it
 * has no device doing non-coherent DMA), so there is nothing to write back;
 * running them for real would stall the CPU (WBINVD) or drop other
 * partitions' dirty lines (INVD).
 */
static enum exit_action on_cache_flush(struct vp *vp, const struct vm_exit *e)
{
	exit_skip_insn(vp, e);
	return EXIT_ACTION_RESUME;
}

/*
 * VMX and SVM instructions, XSETBV, MONITOR/MWAIT, GETSEC: their features
 * are hidden from the partition's CPUID (and the CR4 bits that enable them
 * refused), so it gets what a CPU without them gives: #UD, at the
 * instruction (a fault: RIP stays).
 */
static enum exit_action on_unsupported_insn(struct vp *vp, const struct vm_exit *e)
{
	(void)e;
	exit_inject_ud(vp);
	return EXIT_ACTION_RESUME;
}

static enum exit_action on_entry_failed(struct vp *vp, const struct vm_exit *e)
{
	char why[80];

	fmt_snprintf(why, sizeof(why), "VM entry failed (vendor code 0x%lx, info 0x%lx)",
		     e->vendor_code, e->vendor_info);
	return crash(vp, why);
}

static enum exit_action on_other(struct vp *vp, const struct vm_exit *e)
{
	char why[80];

	fmt_snprintf(why, sizeof(why), "unexpected exit (vendor code 0x%lx, info 0x%lx)",
		     e->vendor_code, e->vendor_info);
	return crash(vp, why);
}

/* Generated from the one list of reasons: entry EXIT_X is on_x (core/vcpu.h). */
const exit_handler_t exit_table[] = {
#define EXIT_HANDLER(name, handler, stat)	[EXIT_##name] = on_##handler,
	EXIT_REASONS(EXIT_HANDLER)
#undef EXIT_HANDLER
};
_Static_assert(ARRAY_SIZE(exit_table) == EXIT_REASON_COUNT, "one handler per exit reason");
