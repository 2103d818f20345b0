/*
 * Intel VT-x back-end of struct vcpu_ops (core/vcpu.h): VMXON per CPU,
 * one VMCS per vCPU, guest memory through EPT (ept.c), VPID-tagged TLBs.
 *
 * A VMCS is "active" on at most one CPU at a time, and only that CPU may
 * touch it (SDM Vol. 3C, 25.1 and 25.11). The rule here: a vCPU's VMCS
 * stays active on its home CPU once it has run there; any other CPU that
 * needs it (vcpu_init or set_state from the partition loader) loads it,
 * uses it and VMCLEARs it again, which is only allowed while it is not
 * active elsewhere.
 */
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vcpu_offsets.h"	/* checks vmx_entry.S's offsets */
#include "arch/x86/tsc_aux.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/pool.h"

_Static_assert(sizeof(struct vmx_vcpu) <= PAGE_SIZE, "struct vmx_vcpu fits its page");

/* Per physical CPU; each entry is touched by its own CPU only. */
struct vmx_cpu {
	paddr_t vmxon;			/* VMXON region, 0 before cpu_enable */
	struct vmx_vcpu *current;	/* whose VMCS VMPTRLD made current, NULL: none */
};

static struct vmx_cpu vmx_cpus[MAX_CPUS];

paddr_t vmx_bitmaps;

/*
 * Per physical CPU, touched by its own CPU only: the vCPU it last readied
 * for an entry (vmx_ready), NULL: none. While it stays so, its VMCS is
 * current here, it ran here last, its VPID is of this CPU's generation
 * (only another vCPU's vmx_ready can begin a new one, and that changes
 * this) and the CPU's KERNEL_GS_BASE and CR2 hold its values: vmx_run
 * then checks only its `pending` work and TSC_AUX. Making another VMCS
 * current, or clearing this one, resets it.
 */
static struct vmx_vcpu *vmx_entered[MAX_CPUS];

/* IA32_FEATURE_CONTROL (SDM Vol. 3C, 24.7): lock it with VMX on if firmware left it open. */
static bool feature_control_allows_vmx(void)
{
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCK)) {
		fc |= FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
		wrmsr(MSR_FEATURE_CONTROL, fc);
	}
	return fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX;
}

/*
 * VMXON (SDM Vol. 3C, 24.7 and 24.8): CR0 and CR4 must respect the
 * IA32_VMX_CR*_FIXED* MSRs (this sets CR0.NE) and CR4.VMXE must be set;
 * the 4 KiB VMXON region starts with the VMCS revision identifier.
 */
static int vmx_cpu_enable(void)
{
	unsigned cpu = this_cpu_id();
	struct vmx_cpu *c = &vmx_cpus[cpu];
	paddr_t pa;

	if (c->vmxon)
		return 0;
	if (cpu == 0)
		vmx_probe();
	if (!feature_control_allows_vmx()) {
		log_err("vmx: cpu%u: IA32_FEATURE_CONTROL is locked with VMX off", cpu);
		return -1;
	}
	if (cpu == 0 && !vmx_bitmaps) {
		vmx_bitmaps = mm_alloc(VMX_BITMAP_PAGES, PAGE_SIZE, vmx_cfg.below_4g ? GIB(4) : 0);
		if (!vmx_bitmaps)
			return -1;
		memset(phys_to_virt(vmx_bitmaps), 0xff, VMX_BITMAP_PAGES * PAGE_SIZE);
	}
	write_cr0((read_cr0() | vmx_cfg.cr0_fixed0) & vmx_cfg.cr0_fixed1);
	write_cr4((read_cr4() | vmx_cfg.cr4_fixed0 | CR4_VMXE) & vmx_cfg.cr4_fixed1);
	pa = mm_alloc(1, PAGE_SIZE, vmx_cfg.below_4g ? GIB(4) : 0);
	if (!pa)
		return -1;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	*(uint32_t *)phys_to_virt(pa) = vmx_cfg.revision;
	if (!vmx_on(pa)) {
		log_err("vmx: cpu%u: VMXON failed", cpu);
		mm_free(pa, 1);
		return -1;
	}
	c->vmxon = pa;
	tlb_tags_cpu_init(0xffff);	/* VPIDs are 16 bits, 0 is the host's (25.6.12) */
	/* drop whatever translations an earlier user of VMX left tagged (29.4.3.4) */
	if (vmx_cfg.ept_vpid_cap & EPT_CAP_INVEPT_ALL)
		invept(INVEPT_ALL_CONTEXT, 0);
	if (vmx_cfg.ept_vpid_cap & VPID_CAP_INVVPID_ALL)
		invvpid(INVVPID_ALL_CONTEXT, 0);
	log_debug("vmx: cpu%u in VMX root operation", cpu);
	return 0;
}

/* VMCLEAR on this CPU: the VMCS is written back and may go to any CPU next. */
static void vmx_clear(struct vmx_vcpu *vx, unsigned cpu)
{
	if (!vmcs_clear(vx->vmcs))
		panic("vmx: VMCLEAR of %lx failed", vx->vmcs);
	if (vmx_cpus[cpu].current == vx)
		vmx_cpus[cpu].current = NULL;
	if (vmx_entered[cpu] == vx)
		vmx_entered[cpu] = NULL;
	vx->active_cpu = -1;
	vx->launched = false;		/* a cleared VMCS needs VMLAUNCH (31.3, VMCLEAR) */
}

/*
 * Make vx's VMCS current on this CPU. When it arrives from another CPU
 * (or from VMCLEAR) the per-CPU host state is rewritten and the HOST_RSP
 * cache forgotten.
 */
static void vmx_load_slow(struct vmx_vcpu *vx, unsigned cpu)
{
	/* Invariant: a VMCS active on another CPU is only touched there. */
	if (vx->active_cpu >= 0 && vx->active_cpu != (int32_t)cpu)
		panic("vmx: VMCS of a vCPU active on cpu%d used on cpu%u", vx->active_cpu, cpu);
	if (!vmcs_load(vx->vmcs))
		panic("vmx: VMPTRLD of %lx failed", vx->vmcs);
	vmx_cpus[cpu].current = vx;
	vmx_entered[cpu] = NULL;
	if (vx->active_cpu != (int32_t)cpu) {
		vx->active_cpu = (int32_t)cpu;
		vx->host_rsp = 0;
		vmx_write_host_state();
	}
}

static inline struct vmx_vcpu *vmx_get(struct vcpu *v, unsigned cpu)
{
	struct vmx_vcpu *vx = to_vmx(v);

	if (vmx_cpus[cpu].current != vx)
		vmx_load_slow(vx, cpu);
	return vx;
}

/* Done with the VMCS outside run(): off its home CPU, leave it clear for the home CPU. */
static inline void vmx_put(struct vcpu *v, struct vmx_vcpu *vx, unsigned cpu)
{
	if (cpu != cpu_id_val(v->home_cpu))
		vmx_clear(vx, cpu);
}

/* A page from the partition's pool goes back to it; never one it did not give (panics). */
static void give_back(struct pool *pool, paddr_t pa)
{
	if (!pool_give(pool, pa, 1))
		panic("vmx: page %016lx is not from the partition's pool", pa);
}

/* The VMCS region and the page of struct vmx_vcpu: two single pages of the pool. */
static int vmx_vcpu_init(struct vcpu *v, paddr_t slpt_root, struct pool *pool)
{
	paddr_t limit = vmx_cfg.below_4g ? GIB(4) : 0;
	unsigned cpu = this_cpu_id();
	struct vmx_vcpu *vx;
	paddr_t vmcs, priv;

	if (!vmx_cfg.usable || !vmx_cpus[cpu].vmxon)
		return -1;
	vmcs = pool_take(pool, 1, PAGE_SIZE, limit);
	priv = vmcs ? pool_take(pool, 1, PAGE_SIZE, limit) : 0;
	if (!priv) {
		if (vmcs)
			give_back(pool, vmcs);
		return -1;
	}
	*(uint32_t *)phys_to_virt(vmcs) = vmx_cfg.revision;
	vx = phys_to_virt(priv);
	vx->vmcs = vmcs;
	vx->proc = vmx_cfg.proc;
	vx->active_cpu = -1;
	vx->pending = VMX_PENDING_FLUSH;	/* the EPT root may have had an earlier owner */
	v->arch = vx;

	/* VMCLEAR initialises a new VMCS region (31.3, VMCLEAR) */
	if (!vmcs_clear(vmcs))
		panic("vmx: VMCLEAR of a new VMCS at %lx failed", vmcs);
	vmx_load_slow(vx, cpu);
	if (!vmx_vmcs_init(v, vx, slpt_root)) {
		log_err("vmx: cannot set up the VMCS of vCPU %u", vp_index_val(v->index));
		vmx_clear(vx, cpu);
		v->arch = NULL;
		give_back(pool, vmcs);
		give_back(pool, priv);
		return -1;
	}
	vmx_put(v, vx, cpu);
	return 0;
}

/*
 * IA32_KERNEL_GS_BASE and CR2 are not in the VMCS (SWAPGS exchanges the
 * first without an exit, a guest #PF writes the second), so they are
 * switched here, lazily: the hypervisor never uses either (a page fault
 * of its own is fatal), so they only change hands when another vCPU runs
 * on this CPU. guest_regs_owner[cpu] is the vCPU whose values the CPU holds.
 */
static struct vmx_vcpu *guest_regs_owner[MAX_CPUS];

/* The pool scrubs what leaves it (the VMCS region holds the guest's state). */
static void vmx_vcpu_free(struct vcpu *v, struct pool *pool)
{
	struct vmx_vcpu *vx = to_vmx(v);
	unsigned cpu = this_cpu_id();
	paddr_t vmcs = vx->vmcs;

	/* Invariant: freed on the CPU it is active on, or while clear. */
	if (vx->active_cpu >= 0 && vx->active_cpu != (int32_t)cpu)
		panic("vmx: vCPU %u freed on cpu%u, its VMCS is active on cpu%d",
		      vp_index_val(v->index), cpu, vx->active_cpu);
	if (vx->active_cpu >= 0)
		vmx_clear(vx, cpu);
	for (unsigned c = 0; c < MAX_CPUS; c++)
		if (guest_regs_owner[c] == vx)
			guest_regs_owner[c] = NULL;	/* its values die with it */
	v->arch = NULL;
	give_back(pool, vmcs);
	give_back(pool, virt_to_phys(vx));
}

static void vmx_vcpu_set_state(struct vcpu *v, const struct vcpu_state *s)
{
	unsigned cpu = this_cpu_id();
	struct vmx_vcpu *vx = vmx_get(v, cpu);

	vmx_set_state(v, vx, s);
	if (guest_regs_owner[cpu] == vx)
		write_cr2(vx->cr2);
	vmx_put(v, vx, cpu);
}

static void vmx_vcpu_get_state(struct vcpu *v, struct vcpu_state *s)
{
	unsigned cpu = this_cpu_id();
	struct vmx_vcpu *vx = vmx_get(v, cpu);

	vmx_get_state(v, vx, s);
	if (guest_regs_owner[cpu] == vx)
		s->cr2 = read_cr2();
	vmx_put(v, vx, cpu);
}

/*
 * INVEPT single-context drops the guest-physical and combined mappings
 * made through this EPT root, INVVPID those tagged with the VPID (SDM Vol.
 * 3C, 29.4.3.1); together they cover every translation the guest cached on
 * this CPU.
 */
static void vmx_flush_now(const struct vcpu *v, const struct vmx_vcpu *vx)
{
	uint64_t cap = vmx_cfg.ept_vpid_cap;
	bool ok;

	ok = cap & EPT_CAP_INVEPT_SINGLE ? invept(INVEPT_SINGLE_CONTEXT, vx->eptp) :
					   invept(INVEPT_ALL_CONTEXT, 0);
	if (cap & VPID_CAP_INVVPID_SINGLE)
		ok = invvpid(INVVPID_SINGLE_CONTEXT, (uint16_t)vx->vpid.tag) && ok;
	else if (cap & VPID_CAP_INVVPID_ALL)
		ok = invvpid(INVVPID_ALL_CONTEXT, 0) && ok;
	if (!ok)
		panic("vmx: INVEPT/INVVPID failed for VPID %u of vCPU %u", vx->vpid.tag,
		      vp_index_val(v->index));
}

/* Every VPID's translations on this CPU (29.4.3.1), for a new tag generation. */
static void flush_all_vpids(void)
{
	uint64_t cap = vmx_cfg.ept_vpid_cap;
	bool ok = false;

	if (cap & VPID_CAP_INVVPID_ALL) {
		ok = invvpid(INVVPID_ALL_CONTEXT, 0);
	} else if (cap & VPID_CAP_INVVPID_SINGLE) {
		ok = true;
		for (uint32_t t = 1; t <= tlb_tags_max(); t++)
			ok = invvpid(INVVPID_SINGLE_CONTEXT, (uint16_t)t) && ok;
	}
	if (!ok)
		panic("vmx: cannot flush the VPIDs of an old tag generation (cap 0x%lx)", cap);
}

/*
 * A new VPID from this CPU's pool (arch/x86/tlb_tag.h); a new generation
 * flushes every VPID here first, so that no tag brings old translations.
 */
static void new_vpid(struct vmx_vcpu *vx, unsigned cpu)
{
	if (tlb_tag_renew(&vx->vpid, cpu))
		flush_all_vpids();
	vmwrite(VMCS_VPID, vx->vpid.tag);
}

#define INSN_SHADOW	(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)

/*
 * Blocking by STI or MOV SS lasts for one instruction (SDM Vol. 3C,
 * 25.4.2, Table 25-3). When the core has completed the exiting
 * instruction (insn_skipped, as for the HLT of "sti; hlt"), the blocking
 * is over.
 */
static void end_insn_shadow(struct vcpu *v)
{
	uint64_t intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);

	if (intr & INSN_SHADOW)
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY, intr & ~(uint64_t)INSN_SHADOW);
	v->insn_skipped = false;
}

/*
 * The MSRs switched with KERNEL_GS_BASE: SYSCALL's are not in the VMCS
 * either, and the hypervisor makes no system calls (SDM Vol. 3C, 25.6:
 * only the SYSENTER MSRs, EFER, PAT and the bases are VMCS fields).
 */
static uint64_t *lazy_msr(struct vmx_vcpu *vx, uint32_t msr)
{
	switch (msr) {
	case MSR_KERNEL_GS_BASE:
		return &vx->kernel_gs_base;
	case MSR_STAR:
		return &vx->star;
	case MSR_LSTAR:
		return &vx->lstar;
	case MSR_CSTAR:
		return &vx->cstar;
	case MSR_SFMASK:
		return &vx->sfmask;
	default:
		return NULL;
	}
}

static const uint32_t lazy_msrs[] = { MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK };

static void switch_guest_regs(struct vmx_vcpu *vx, unsigned cpu)
{
	struct vmx_vcpu *old = guest_regs_owner[cpu];

	if (old) {
		for (unsigned i = 0; i < sizeof(lazy_msrs) / sizeof(lazy_msrs[0]); i++)
			*lazy_msr(old, lazy_msrs[i]) = rdmsr(lazy_msrs[i]);
		old->cr2 = read_cr2();
	}
	for (unsigned i = 0; i < sizeof(lazy_msrs) / sizeof(lazy_msrs[0]); i++)
		wrmsr(lazy_msrs[i], *lazy_msr(vx, lazy_msrs[i]));
	write_cr2(vx->cr2);
	guest_regs_owner[cpu] = vx;
}

static uint32_t sysenter_field(uint32_t msr)
{
	return msr == MSR_SYSENTER_CS ? VMCS_GUEST_SYSENTER_CS :
	       msr == MSR_SYSENTER_ESP ? VMCS_GUEST_SYSENTER_ESP : VMCS_GUEST_SYSENTER_EIP;
}

/* Home CPU, during the vCPU's exit: the lazy MSRs are in the CPU while it owns them. */
static uint64_t vmx_msr_get(struct vcpu *v, uint32_t msr)
{
	unsigned cpu = this_cpu_id();
	struct vmx_vcpu *vx = vmx_get(v, cpu);
	uint64_t *lazy = lazy_msr(vx, msr), val;

	if (!lazy)
		val = vmread(sysenter_field(msr));
	else
		val = guest_regs_owner[cpu] == vx ? rdmsr(msr) : *lazy;
	vmx_put(v, vx, cpu);
	return val;
}

static void vmx_msr_set(struct vcpu *v, uint32_t msr, uint64_t val)
{
	unsigned cpu = this_cpu_id();
	struct vmx_vcpu *vx = vmx_get(v, cpu);
	uint64_t *lazy = lazy_msr(vx, msr);

	if (!lazy)
		vmwrite(sysenter_field(msr), val);
	else if (guest_regs_owner[cpu] == vx)
		wrmsr(msr, val);
	else
		*lazy = val;
	vmx_put(v, vx, cpu);
}

/*
 * Everything an entry on this CPU may need besides TSC_AUX: the VMCS
 * current, a flush owed for running elsewhere or asked for, a VPID of this
 * CPU's generation, RSP if the core wrote it, the guest's KERNEL_GS_BASE
 * and CR2. Then the vCPU is this CPU's vmx_entered, and the next entries
 * skip this.
 */
static void vmx_ready(struct vcpu *v, struct vmx_vcpu *vx, unsigned cpu)
{
	uint8_t pending;

	vmx_get(v, cpu);
	if (v->last_cpu != (int32_t)cpu) {
		/* this CPU may hold translations older than our flushes */
		__atomic_fetch_or(&vx->pending, VMX_PENDING_FLUSH, __ATOMIC_RELAXED);
		v->last_cpu = (int32_t)cpu;
	}
	if (!tlb_tag_current(&vx->vpid, cpu))
		new_vpid(vx, cpu);
	pending = __atomic_exchange_n(&vx->pending, 0, __ATOMIC_ACQ_REL);
	if (pending & VMX_PENDING_FLUSH)
		vmx_flush_now(v, vx);
	if (pending & VMX_PENDING_RSP)
		vmwrite(VMCS_GUEST_RSP, v->gpr[GPR_RSP]);
	if (guest_regs_owner[cpu] != vx)
		switch_guest_regs(vx, cpu);
	vmx_entered[cpu] = vx;
}

/*
 * One entry and exit: the end of an interrupt shadow, RIP into the VMCS,
 * VMRESUME, and the exit decoded into v->exit. RSP and RFLAGS stay in the
 * VMCS (core/vcpu.h); vmx_ready writes RSP where the core did.
 */
static inline __attribute__((always_inline)) void vmx_round_trip(struct vcpu *v)
{
	struct vmx_vcpu *vx = to_vmx(v);
	int result;

	if (v->insn_skipped)
		end_insn_shadow(v);
	vmwrite(VMCS_GUEST_RIP, v->rip);
	result = vmx_enter(&v, &vx->host_rsp, vx->launched);
	if (result)
		vmx_decode_vmfail(result, &v->exit);
	else
		vmx_take_exit(v);
}

/* vmx_run when the CPU is not ready for the vCPU (vmx_ready) or holds another TSC_AUX. */
static __attribute__((noinline)) void vmx_run_slow(struct vcpu *v, unsigned cpu)
{
	struct vmx_vcpu *vx = to_vmx(v);

	if (vmx_entered[cpu] != vx || __atomic_load_n(&vx->pending, __ATOMIC_RELAXED))
		vmx_ready(v, vx, cpu);
	tsc_aux_load(v, cpu);
	vmx_round_trip(v);
}

/* The fast path: three compares when the CPU is ready for the vCPU, then the round trip. */
static void vmx_run(struct vcpu *v)
{
	unsigned cpu = this_cpu_index();
	struct vmx_vcpu *vx = to_vmx(v);

	if (__builtin_expect(vmx_entered[cpu] != vx ||
			     __atomic_load_n(&vx->pending, __ATOMIC_RELAXED) ||
			     !tsc_aux_current(v, cpu), 0)) {
		vmx_run_slow(v, cpu);
		return;
	}
	vmx_round_trip(v);
}

/*
 * A guest in real mode takes exceptions through its IVT, which pushes no
 * error code, and VM entry refuses "deliver error code" when the guest's
 * CR0.PE is 0 under unrestricted guest (SDM Vol. 3C, 27.2.1.3).
 */
static bool guest_takes_error_codes(void)
{
	return vmread(VMCS_GUEST_CR0) & CR0_PE;
}

/* VM-entry event injection (SDM Vol. 3C, 25.8.3 and 27.5). */
static void vmx_inject(struct vcpu *v, const struct vcpu_event *ev)
{
	unsigned cpu = this_cpu_id();
	struct vmx_vcpu *vx = vmx_get(v, cpu);
	uint32_t info = INTR_INFO_VALID | ev->vector;

	switch (ev->type) {
	case EVENT_EXTINT:
		info |= INTR_TYPE_EXTINT << INTR_INFO_TYPE_SHIFT;
		break;
	case EVENT_NMI:
		info = INTR_INFO_VALID | INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT | 2;
		break;
	case EVENT_EXCEPTION:
		info |= INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT;
		if (ev->has_error && guest_takes_error_codes()) {
			info |= INTR_INFO_ERROR_VALID;
			vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, ev->error);
		}
		break;
	}
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
	vx->entry_intr = info;
	vmx_put(v, vx, cpu);
}

/*
 * An external interrupt can be injected when the guest has RFLAGS.IF set,
 * no STI or MOV SS blocking (27.3.1.5) that is still in force, and no
 * event is already waiting for the next entry (one re-queued by
 * vmx_decode_exit, say).
 */
static bool vmx_can_take_irq(struct vcpu *v)
{
	unsigned cpu = this_cpu_id();
	struct vmx_vcpu *vx = vmx_get(v, cpu);
	bool ok = (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF) && !(vx->entry_intr & INTR_INFO_VALID) &&
		  (v->insn_skipped || !(vmread(VMCS_GUEST_INTERRUPTIBILITY) & INSN_SHADOW));

	vmx_put(v, vx, cpu);
	return ok;
}

/* Interrupt-window exiting (25.6.2): exit 7 as soon as can_take_irq() would be true. */
static void vmx_want_irq_window(struct vcpu *v, bool on)
{
	unsigned cpu = this_cpu_id();
	struct vmx_vcpu *vx = vmx_get(v, cpu);
	uint32_t proc = vx->proc & ~PROC_IRQ_WINDOW_EXITING;

	if (on)
		proc |= PROC_IRQ_WINDOW_EXITING;
	if (proc != vx->proc) {
		vx->proc = proc;
		vmwrite(VMCS_PROC_CONTROLS, proc);
	}
	vmx_put(v, vx, cpu);
}

/* Any CPU may ask; the flush happens on the vCPU's CPU before its next entry. */
static void vmx_flush_tlb(struct vcpu *v)
{
	__atomic_fetch_or(&to_vmx(v)->pending, VMX_PENDING_FLUSH, __ATOMIC_RELEASE);
}

/*
 * run_bare (benchfloor=1, core/vm_smoke.c): vmx_run's bookkeeping around a
 * loop of vmx_enter, the entry stub every exit needs, that steps over
 * CPUID by itself.
 */
static void vmx_run_bare(struct vcpu *v)
{
	unsigned cpu = this_cpu_index();
	struct vmx_vcpu *vx = to_vmx(v);
	int result;

	/* Invariant: run() entered it on this CPU before (flushes, KERNEL_GS_BASE, launch). */
	ASSERT(vx->launched && vmx_entered[cpu] == vx && !vx->pending);
	if (v->insn_skipped)
		end_insn_shadow(v);
	vmwrite(VMCS_GUEST_RIP, v->rip);
	while (!(result = vmx_enter(&v, &vx->host_rsp, true)) &&
	       (uint32_t)vmread(VMCS_EXIT_REASON) == VMX_EXIT_CPUID)
		vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + 2);
	if (result)
		vmx_decode_vmfail(result, &v->exit);
	else
		vmx_take_exit(v);
}

/* Read back from the VMCS, for the self-test (core/vm_smoke.c). */
static uint32_t vmx_intercepted_exceptions(struct vcpu *v)
{
	unsigned cpu = this_cpu_id();
	struct vmx_vcpu *vx = vmx_get(v, cpu);
	uint32_t bitmap = (uint32_t)vmread(VMCS_EXCEPTION_BITMAP);

	vmx_put(v, vx, cpu);
	return bitmap;
}

static uint64_t vmx_hw_cr4(struct vcpu *v)
{
	unsigned cpu = this_cpu_id();
	struct vmx_vcpu *vx = vmx_get(v, cpu);
	uint64_t cr4 = vmread(VMCS_GUEST_CR4);

	vmx_put(v, vx, cpu);
	return cr4;
}

static uint64_t vmx_get_cr(struct vcpu *v, unsigned cr)
{
	unsigned cpu = this_cpu_id();
	struct vmx_vcpu *vx = vmx_get(v, cpu);
	uint64_t val = vmx_read_cr(vx, cr);

	vmx_put(v, vx, cpu);
	return val;
}

static void vmx_set_cr(struct vcpu *v, unsigned cr, uint64_t val)
{
	unsigned cpu = this_cpu_id();
	struct vmx_vcpu *vx = vmx_get(v, cpu);

	vmx_write_cr(vx, cr, val);
	vmx_put(v, vx, cpu);
}

const struct vcpu_ops vmx_vcpu_ops = {
	.name = "vmx",
	.slpt = &ept_format,
	.hypercall_insn = { 0x0f, 0x01, 0xc1 },		/* VMCALL */
	.cpu_enable = vmx_cpu_enable,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_free = vmx_vcpu_free,
	.msr_get = vmx_msr_get,
	.msr_set = vmx_msr_set,
	.set_state = vmx_vcpu_set_state,
	.get_state = vmx_vcpu_get_state,
	.run = vmx_run,
	.inject = vmx_inject,
	.can_take_irq = vmx_can_take_irq,
	.want_irq_window = vmx_want_irq_window,
	.flush_tlb = vmx_flush_tlb,
	.intercepted_exceptions = vmx_intercepted_exceptions,
	.hw_cr4 = vmx_hw_cr4,
	.run_bare = vmx_run_bare,
	.get_cr = vmx_get_cr,
	.set_cr = vmx_set_cr,
	.caps = &vmx_caps,
};
