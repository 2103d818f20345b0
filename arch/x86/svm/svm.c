/*
 * AMD-V back-end (APM Vol. 2, chapter 15 "Secure Virtual Machine") behind
 * struct vcpu_ops: per-CPU enable, the VMCB with its I/O and MSR
 * permission maps, guest entry, event injection and TLB control. Guest
 * memory is translated by nested paging (npt.c); the entry stub is in
 * svm_entry.S, the exit decoding in svm_exit.c, the state conversion in
 * svm_state.c.
 */
#include "arch/x86/svm/svm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vcpu_offsets.h"	/* checks svm_entry.S's offsets */
#include "arch/x86/tsc_aux.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/pool.h"

#define MSR_VM_HSAVE_PA		0xc0010117

#define DR6_INIT		0xffff0ff0ull	/* power-on values (APM Vol. 2, 13.1) */
#define DR7_INIT		0x400ull

struct svm_features svm_features;
static struct vcpu_caps svm_caps;

/*
 * Per physical CPU, indexed by cpu_id, allocated once by that CPU in
 * svm_cpu_enable and used only by it. hsave: where VMRUN saves host state
 * (VM_HSAVE_PA, 15.30.4); host_save: the VMSAVE/VMLOAD page for the host
 * state VMRUN leaves alone (enter_on_new_cpu, svm_entry.S).
 */
static paddr_t hsave_pa[MAX_CPUS];
static paddr_t host_save_pa[MAX_CPUS];

/*
 * The I/O and MSR permission maps, all ones: every port and every MSR
 * is intercepted (15.10.1, 15.11), and core/platform.c decides from the
 * partition's own policy. Every vCPU of every partition has that policy,
 * so they all point at this one pair, allocated by the boot CPU before
 * any other CPU starts and never written again; a vCPU then needs only
 * single pages (its VMCB and struct svm_vcpu), which scattered deposits
 * satisfy. A partition whose policy differs (ports it may use without
 * an exit) would take maps of its own, once per partition, from its pool.
 */
static paddr_t iopm_pa, msrpm_pa;

/* Contiguous pages, every byte set to fill; 0 if out of memory. */
static paddr_t alloc_filled(uint64_t pages, uint8_t fill)
{
	paddr_t pa = mm_alloc(pages, PAGE_SIZE, 0);

	if (pa)
		memset(phys_to_virt(pa), fill, pages * PAGE_SIZE);
	return pa;
}

static void read_features(void)
{
	struct cpuid_regs r = cpuid(0x8000000a, 0);

	svm_features.asids = r.ebx;
	svm_features.nrips = r.edx >> 3 & 1;
	svm_features.flush_by_asid = r.edx >> 6 & 1;
	svm_features.nx = cpuid(0x80000001, 0).edx >> 20 & 1;
	/*
	 * Neither RDTSCP nor INVPCID is intercepted: a guest runs them where the
	 * CPU has them (CPUID 8000_0001 EDX[27], CPUID 7 EBX[10]); INVPCID acts
	 * on the guest's ASID only.
	 */
	svm_caps.rdtscp = cpuid(0x80000001, 0).edx >> 27 & 1;
	svm_caps.invpcid = cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ebx >> 10 & 1);
	/* VMRUN loads any CR4 the CPU supports (15.5.1): no limit of the back-end's own */
	svm_caps.cr4 = ~0ull;
}

/*
 * Turn SVM on for this CPU (15.4 "Enabling SVM"). EFER.NXE goes on too
 * where the CPU has NX: nested page walks use the host's EFER.NXE, and
 * without it an NX bit in a nested leaf is a reserved-bit fault (15.25.5).
 * The host's own page tables never set bit 63, so this changes nothing
 * for the host.
 */
static int svm_cpu_enable(void)
{
	unsigned cpu = this_cpu_id();
	uint64_t efer;

	if (cpu >= MAX_CPUS)
		return -1;
	read_features();
	if (!hsave_pa[cpu])
		hsave_pa[cpu] = alloc_filled(1, 0);
	if (!host_save_pa[cpu])
		host_save_pa[cpu] = alloc_filled(1, 0);
	if (!hsave_pa[cpu] || !host_save_pa[cpu])
		return -1;
	if (cpu == 0 && !iopm_pa) {
		iopm_pa = alloc_filled(IOPM_PAGES, 0xff);
		msrpm_pa = alloc_filled(MSRPM_PAGES, 0xff);
		if (!iopm_pa || !msrpm_pa)
			return -1;
	}
	efer = rdmsr(MSR_EFER) | EFER_SVME;
	if (svm_features.nx)
		efer |= EFER_NXE;
	wrmsr(MSR_EFER, efer);
	wrmsr(MSR_VM_HSAVE_PA, hsave_pa[cpu]);
	/* ASID 0 is the host's; one past the CPU's count fails VMRUN (15.16) */
	tlb_tags_cpu_init(svm_features.asids - 1);
	return 0;
}

/*
 * Exceptions that always exit (15.12); core/exit.c reflects #DB and #AC
 * into the guest and hands #MC to the host. #AC and #DB: a guest whose
 * delivery of one raises it again (a misaligned stack at CPL 3, a data
 * breakpoint on its own IDT or stack) would hold the CPU inside the
 * microcode with no exit (CVE-2015-5307, CVE-2015-8104). #MC: a machine
 * check that strikes while a guest runs is the hypervisor's.
 */
#define EXC_INTERCEPTED	(1u << EXC_DB | 1u << EXC_AC | 1u << EXC_MC)

static void set_intercepts(struct vmcb_control *c)
{
	c->intercept_exc = EXC_INTERCEPTED;
	/*
	 * CR4 writes are checked by the core (core/cr.c): a bit of a feature
	 * the partition is not offered (VMXE, PKE, OSXSAVE, ...) raises #GP
	 * instead of reaching the real CR4. Reads exit too: the real CR4 has
	 * bits the guest may not have written (SVM_CR4_FORCED), and the guest
	 * reads its own value, as KVM does.
	 */
	c->intercept_cr = INTERCEPT_CR_READ(4) | INTERCEPT_CR_WRITE(4);
	/* INVD would drop dirty cache lines of the hypervisor and other partitions, and
	 * WBINVD stalls the CPU: both become EXIT_CACHE_FLUSH */
	c->intercept3 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_CPUID | INTERCEPT_HLT |
			INTERCEPT_INVD |
			INTERCEPT_INVLPGA | INTERCEPT_IOIO_PROT | INTERCEPT_MSR_PROT |
			INTERCEPT_SHUTDOWN;
	/* VMRUN must be intercepted or VMRUN fails (15.5.1); the others are
	 * SVM instructions a guest must not run on the real hardware */
	c->intercept4 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL | INTERCEPT_VMLOAD |
			INTERCEPT_VMSAVE | INTERCEPT_STGI | INTERCEPT_CLGI | INTERCEPT_SKINIT |
			/* XCR0 is not switched between guests, and MWAIT would stall the CPU */
			INTERCEPT_XSETBV | INTERCEPT_MONITOR | INTERCEPT_MWAIT | INTERCEPT_WBINVD;
}

/* A page from the partition's pool goes back to it; never one it did not give (panics). */
static void give_back(struct pool *pool, paddr_t pa)
{
	if (pa && !pool_give(pool, pa, 1))
		panic("svm: page %016lx is not from the partition's pool", pa);
}

/* The pool scrubs what leaves it (the VMCB holds the guest's registers). */
static void svm_vcpu_free(struct vcpu *v, struct pool *pool)
{
	struct svm_vcpu *s = to_svm(v);

	if (!s)
		return;
	v->arch = NULL;
	give_back(pool, s->vmcb_pa);
	give_back(pool, virt_to_phys(s));
}

static int svm_vcpu_init(struct vcpu *v, paddr_t slpt_root, struct pool *pool)
{
	struct vmcb_control *c;
	struct svm_vcpu *s;
	paddr_t priv;

	priv = pool_take_page(pool);
	if (!priv)
		return -1;
	s = phys_to_virt(priv);
	v->arch = s;
	s->vmcb_pa = pool_take_page(pool);
	if (!s->vmcb_pa) {
		svm_vcpu_free(v, pool);
		return -1;
	}
	s->vmcb = phys_to_virt(s->vmcb_pa);
	c = &s->vmcb->ctl;
	set_intercepts(c);
	c->iopm_base_pa = iopm_pa;
	c->msrpm_base_pa = msrpm_pa;
	c->vint = VINT_V_INTR_MASKING;
	c->np_ctl = NP_ENABLE;
	c->n_cr3 = slpt_root;
	s->vmcb->save.dr6 = DR6_INIT;
	s->vmcb->save.dr7 = DR7_INIT;
	v->last_cpu = -1;
	return 0;
}

/*
 * The vCPU's ASID is not of this CPU's current tag generation: it never
 * ran here, it asked for a flush (svm_flush_tlb dropped the tag), or the
 * CPU ran out of tags. It takes a new one from the CPU's pool
 * (arch/x86/tlb_tag.h), which has nothing cached; when that begins a new
 * generation, TLB_CONTROL flushes every ASID's translations at this VMRUN
 * (15.16.1), before any other vCPU here enters with a new tag.
 *
 * The host's VMLOAD state (GS base = struct percpu, TR, syscall MSRs; see
 * svm_entry.S) is saved here too, off the fast path, at the first entry
 * on the CPU: it is the same for every vCPU and does not change once the
 * CPU is online. It cannot be saved in svm_cpu_enable, which runs on the
 * APs before their TR is loaded.
 */
static void new_asid(struct vcpu *v, struct svm_vcpu *s, unsigned cpu)
{
	if (v->last_cpu != (int32_t)cpu) {
		ASSERT(host_save_pa[cpu]);	/* svm_cpu_enable ran on this CPU */
		__asm__ volatile("vmsave %%rax" ::"a"(host_save_pa[cpu]) : "memory");
		v->last_cpu = (int32_t)cpu;
		s->host_save_pa = host_save_pa[cpu];
	}
	if (tlb_tag_renew(&s->asid, cpu))
		s->vmcb->ctl.tlb_control = TLB_CONTROL_FLUSH_ALL;
	s->vmcb->ctl.asid = s->asid.tag;
}

/* After a VMRUN that carried a TLB_CONTROL: a VMRUN refused outright may not have flushed. */
static void tlb_control_done(struct vmcb *vmcb)
{
	if ((uint32_t)vmcb->ctl.exitcode == VMEXIT_INVALID)
		tlb_tags_flush_lost(this_cpu_id());
	vmcb->ctl.tlb_control = TLB_CONTROL_NONE;
}

/*
 * One VMRUN with the registers the core owns that the VMCB holds (RAX
 * and RIP, 15.5.1) moved in; svm_take_exit moves them back and decodes
 * the exit. RSP stays in the VMCB (core/vcpu.h): the core writes
 * gpr[GPR_RSP] only for a MOV from CR4 into RSP, which svm_run_slow
 * moves into the VMCB.
 *
 * A shadow recorded at the last exit covered the exiting instruction
 * only: once the core has completed that (insn_skipped) it is over, in
 * the VMCB too, which VMRUN loads it from (15.21.5).
 */
static inline __attribute__((always_inline)) void svm_round_trip(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);
	struct vmcb *vmcb = s->vmcb;
	if (__builtin_expect(vmcb->ctl.int_state & INT_STATE_SHADOW, 0) && v->insn_skipped)
		vmcb->ctl.int_state &= ~INT_STATE_SHADOW;
	v->insn_skipped = false;
	vmcb->save.rip = v->rip;
	vmcb->save.rax = v->gpr[GPR_RAX];
	v = svm_enter(v, s->vmcb_pa, s->host_save_pa, vmcb->ctl.int_state & INT_STATE_SHADOW);
	svm_take_exit(v);
}

/*
 * svm_run when the CPU is not ready for the vCPU: it needs a new ASID
 * (and maybe a TLB flush), or TSC_AUX holds another vCPU's value, or the
 * last exit left work for this entry (tsc_aux_forget: set_cr's flush, an
 * RSP the core wrote).
 */
static __attribute__((noinline)) void svm_run_slow(struct vcpu *v, unsigned cpu)
{
	struct svm_vcpu *s = to_svm(v);

	if (s->rsp_from_core) {
		s->vmcb->save.rsp = v->gpr[GPR_RSP];
		s->rsp_from_core = false;
	}
	if (!tlb_tag_current(&to_svm(v)->asid, cpu))
		new_asid(v, to_svm(v), cpu);
	tsc_aux_load(v, cpu);
	svm_round_trip(v);
	if (to_svm(v)->vmcb->ctl.tlb_control != TLB_CONTROL_NONE)
		tlb_control_done(to_svm(v)->vmcb);
}

/*
 * The fast path: two compares (the vCPU's ASID is current on this CPU,
 * the CPU's TSC_AUX is the vCPU's) and a handful of VMCB moves around
 * svm_vmrun. svm_take_exit puts an event whose delivery the exit
 * interrupted (EXITINTINFO, 15.7.2) back into EVENTINJ.
 */
static void svm_run(struct vcpu *v)
{
	unsigned cpu = this_cpu_index();

	if (__builtin_expect(!tlb_tag_current(&to_svm(v)->asid, cpu) ||
			     !tsc_aux_current(v, cpu), 0)) {
		svm_run_slow(v, cpu);
		return;
	}
	svm_round_trip(v);
}

/*
 * EVENTINJ (15.20): delivered through the guest IDT at the next VMRUN. A
 * guest in real mode takes exceptions through its IVT, which has no room
 * for an error code: it is left out there, as VT-x requires (vmx.c).
 */
static void svm_inject(struct vcpu *v, const struct vcpu_event *ev)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;
	uint64_t inj = EVENT_VALID | ev->vector;

	switch (ev->type) {
	case EVENT_EXTINT:
		inj |= EVENT_TYPE_INTR;
		break;
	case EVENT_NMI:
		inj = EVENT_VALID | EVENT_TYPE_NMI | 2;
		break;
	case EVENT_EXCEPTION:
		inj |= EVENT_TYPE_EXCEPTION;
		if (ev->has_error && (vmcb->save.cr0 & CR0_PE))
			inj |= EVENT_ERROR_VALID | (uint64_t)ev->error << EVENT_ERROR_SHIFT;
		break;
	}
	vmcb->ctl.eventinj = inj;
}

/*
 * IF set, no STI/MOV SS shadow (15.21.5), and no event already waiting to
 * go in. The shadow recorded at the exit covers the exiting instruction
 * only: once the core has completed it (the HLT of "sti; hlt",
 * insn_skipped), the shadow is over and run() clears it.
 */
static bool svm_can_take_irq(struct vcpu *v)
{
	const struct vmcb *vmcb = to_svm(v)->vmcb;
	bool shadow = (vmcb->ctl.int_state & INT_STATE_SHADOW) && !v->insn_skipped;

	return (vmcb->save.rflags & RFLAGS_IF) && !shadow && !(vmcb->ctl.eventinj & EVENT_VALID);
}

/*
 * A virtual interrupt that the guest takes as soon as it can, intercepted
 * (VINTR) before it is delivered: the interrupt window (15.21.4). V_IGN_TPR
 * keeps the guest's TPR from holding it back.
 */
static void svm_want_irq_window(struct vcpu *v, bool on)
{
	struct vmcb_control *c = &to_svm(v)->vmcb->ctl;

	if (on) {
		c->vint |= VINT_V_IRQ | VINT_V_IGN_TPR;
		c->intercept3 |= INTERCEPT_VINTR;
	} else {
		c->vint &= ~(VINT_V_IRQ | VINT_V_IGN_TPR);
		c->intercept3 &= ~INTERCEPT_VINTR;
	}
}

/*
 * May be called from any CPU, and the VMCB belongs to the home CPU: so
 * drop the vCPU's ASID. Its next run takes a fresh one, which has nothing
 * cached, at no cost to the fast path.
 */
static void svm_flush_tlb(struct vcpu *v)
{
	tlb_tag_drop(&to_svm(v)->asid);
}

/*
 * run_bare (benchfloor=1, core/vm_smoke.c): svm_run's bookkeeping around a
 * loop of svm_vmrun, the entry stub every exit needs, that steps over
 * CPUID by itself.
 */
static void svm_run_bare(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);
	struct vmcb *vmcb = s->vmcb;
	unsigned cpu = this_cpu_index();

	/* Invariant: run() entered it on this CPU before (ASID, host save page). */
	ASSERT(v->last_cpu == (int32_t)cpu && tlb_tag_current(&s->asid, cpu));
	if (v->insn_skipped) {
		vmcb->ctl.int_state &= ~INT_STATE_SHADOW;
		v->insn_skipped = false;
	}
	vmcb->save.rip = v->rip;
	vmcb->save.rax = v->gpr[GPR_RAX];
	for (;;) {
		v = svm_enter(v, s->vmcb_pa, s->host_save_pa,
			      vmcb->ctl.int_state & INT_STATE_SHADOW);
		if ((uint32_t)vmcb->ctl.exitcode != VMEXIT_CPUID)
			break;
		vmcb->save.rip += 2;
	}
	svm_take_exit(v);
}

static uint32_t svm_intercepted_exceptions(struct vcpu *v)
{
	return to_svm(v)->vmcb->ctl.intercept_exc;
}

static uint64_t svm_hw_cr4(struct vcpu *v)
{
	return to_svm(v)->vmcb->save.cr4;
}

const struct vcpu_ops svm_vcpu_ops = {
	.name = "svm",
	.slpt = &npt_format,
	.hypercall_insn = { 0x0f, 0x01, 0xd9 },		/* VMMCALL */
	.cpu_enable = svm_cpu_enable,
	.vcpu_init = svm_vcpu_init,
	.vcpu_free = svm_vcpu_free,
	.msr_get = svm_msr_get,
	.msr_set = svm_msr_set,
	.set_state = svm_set_state,
	.get_state = svm_get_state,
	.run = svm_run,
	.inject = svm_inject,
	.can_take_irq = svm_can_take_irq,
	.want_irq_window = svm_want_irq_window,
	.flush_tlb = svm_flush_tlb,
	.intercepted_exceptions = svm_intercepted_exceptions,
	.hw_cr4 = svm_hw_cr4,
	.run_bare = svm_run_bare,
	.get_cr = svm_get_cr,
	.set_cr = svm_set_cr,
	.caps = &svm_caps,
};
