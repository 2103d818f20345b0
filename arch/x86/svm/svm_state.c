/*
 * struct vcpu_state <-> VMCB state save area (APM Vol. 2, Table B-2). The
 * segment attributes already use the VMCB layout (15.5.1), so segments are
 * copied as they are. RAX and RIP are the core's copies in struct vcpu;
 * run() moves them into the VMCB on every entry. RSP and RFLAGS are only
 * the VMCB's (core/vcpu.h). CR4 is the guest's in struct svm_vcpu
 * (guest_cr4); the VMCB's has SVM_CR4_FORCED too.
 */
#include "arch/x86/svm/svm.h"
#include "arch/x86/tsc_aux.h"
#include "arch/x86/cpu.h"
#include "core/lib.h"

#define SEG_DPL(attr)	((uint8_t)((attr) >> 5 & 3))

static void seg_to_vmcb(struct vmcb_seg *d, const struct seg_desc *s)
{
	d->sel = s->sel;
	d->attr = s->attr;
	d->limit = s->limit;
	d->base = s->base;
}

static void seg_from_vmcb(struct seg_desc *d, const struct vmcb_seg *s)
{
	d->sel = s->sel;
	d->attr = s->attr;
	d->limit = s->limit;
	d->base = s->base;
}

/*
 * VMRUN takes the CPL from the VMCB's CPL field, not from SS (15.5.1): it
 * is SS.DPL in protected mode, 0 in real mode, 3 in virtual-8086 mode.
 */
static uint8_t guest_cpl(const struct vcpu_state *s)
{
	if (!(s->cr0 & CR0_PE))
		return 0;
	if (s->rflags & RFLAGS_VM)
		return 3;
	return SEG_DPL(s->ss.attr);
}

void svm_set_state(struct vcpu *v, const struct vcpu_state *s)
{
	struct vmcb_save *st = &to_svm(v)->vmcb->save;

	memcpy(v->gpr, s->gpr, sizeof(v->gpr));
	v->rip = s->rip;
	seg_to_vmcb(&st->es, &s->es);
	seg_to_vmcb(&st->cs, &s->cs);
	seg_to_vmcb(&st->ss, &s->ss);
	seg_to_vmcb(&st->ds, &s->ds);
	seg_to_vmcb(&st->fs, &s->fs);
	seg_to_vmcb(&st->gs, &s->gs);
	seg_to_vmcb(&st->ldtr, &s->ldtr);
	seg_to_vmcb(&st->tr, &s->tr);
	st->gdtr.base = s->gdtr.base;
	st->gdtr.limit = s->gdtr.limit;
	st->idtr.base = s->idtr.base;
	st->idtr.limit = s->idtr.limit;
	st->cpl = guest_cpl(s);
	st->cr0 = s->cr0;
	st->cr2 = s->cr2;
	st->cr3 = s->cr3;
	st->cr4 = s->cr4 | SVM_CR4_FORCED;
	to_svm(v)->guest_cr4 = s->cr4;
	/* VMRUN refuses a guest without EFER.SVME (15.5.1); the guest never sees it */
	st->efer = s->efer | EFER_SVME;
	st->g_pat = s->pat;
	st->rax = s->gpr[GPR_RAX];
	st->rsp = s->gpr[GPR_RSP];
	st->rip = s->rip;
	st->rflags = s->rflags;
}

void svm_get_state(struct vcpu *v, struct vcpu_state *s)
{
	const struct vmcb_save *st = &to_svm(v)->vmcb->save;

	memcpy(s->gpr, v->gpr, sizeof(s->gpr));
	s->gpr[GPR_RSP] = st->rsp;
	s->rip = v->rip;
	s->rflags = st->rflags;
	seg_from_vmcb(&s->es, &st->es);
	seg_from_vmcb(&s->cs, &st->cs);
	seg_from_vmcb(&s->ss, &st->ss);
	seg_from_vmcb(&s->ds, &st->ds);
	seg_from_vmcb(&s->fs, &st->fs);
	seg_from_vmcb(&s->gs, &st->gs);
	seg_from_vmcb(&s->ldtr, &st->ldtr);
	seg_from_vmcb(&s->tr, &st->tr);
	s->gdtr.base = st->gdtr.base;
	s->gdtr.limit = (uint16_t)st->gdtr.limit;
	s->idtr.base = st->idtr.base;
	s->idtr.limit = (uint16_t)st->idtr.limit;
	s->cr0 = st->cr0;
	s->cr2 = st->cr2;
	s->cr3 = st->cr3;
	s->cr4 = to_svm(v)->guest_cr4;
	s->efer = st->efer & ~(uint64_t)EFER_SVME;
	s->pat = st->g_pat;
}

uint64_t svm_get_cr(struct vcpu *v, unsigned cr)
{
	const struct vmcb *vmcb = to_svm(v)->vmcb;

	switch (cr) {
	case 0:
		return vmcb->save.cr0;
	case 3:
		return vmcb->save.cr3;
	case 4:
		return to_svm(v)->guest_cr4;
	default:
		return vmcb->ctl.vint & VINT_V_TPR_MASK;
	}
}

/*
 * Bits whose change drops cached translations (SDM Vol. 3A, 4.10.4.1 "MOV
 * to CR0", "MOV to CR4"; APM Vol. 2, 5.5.2): paging on or off, the
 * paging mode, global pages, PCIDs, and the access rights a walk checks.
 */
#define CR0_TLB_BITS	(CR0_PE | CR0_PG | CR0_WP)
#define CR4_TLB_BITS	(CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCIDE | CR4_SMEP | CR4_SMAP | \
			 CR4_PKE | CR4_LA57)

/*
 * Drop this guest's translations at its next VMRUN, as the MOV would.
 * set_cr runs on the home CPU, where the VMCB is ours, so the vCPU keeps
 * its ASID (taking a new one would use up the CPU's pool, and each new
 * generation flushes every vCPU there): TLB_CONTROL flushes this ASID
 * where the CPU can (FlushByAsid), else the whole TLB (15.16.1).
 */
static void flush_own_translations(struct vcpu *v, struct vmcb *vmcb)
{
	if (vmcb->ctl.tlb_control == TLB_CONTROL_NONE)
		vmcb->ctl.tlb_control = svm_features.flush_by_asid ? TLB_CONTROL_FLUSH_ASID :
								     TLB_CONTROL_FLUSH_ALL;
	/*
	 * TLB_CONTROL must act at one VMRUN only, and only svm_run's slow
	 * path clears it after: send the next entry there (svm.c).
	 */
	tsc_aux_forget(cpu_id_val(v->home_cpu));
}

/*
 * The VMCB holds the CR0 and CR4 that VMRUN loads (15.5.1): the guest's,
 * and for CR4 with SVM_CR4_FORCED. A CR0.PG change under EFER.LME
 * switches EFER.LMA (APM Vol. 2, 14.6.1), and a change of a bit that
 * translations depend on flushes them at the next VMRUN. CR8 is V_TPR,
 * which the guest's own CR8 accesses use too under V_INTR_MASKING
 * (15.21.1).
 */
void svm_set_cr(struct vcpu *v, unsigned cr, uint64_t val)
{
	struct svm_vcpu *s = to_svm(v);
	struct vmcb_save *st = &s->vmcb->save;
	uint64_t *vint = &s->vmcb->ctl.vint;
	bool flush;

	switch (cr) {
	case 0:
		if (((st->cr0 ^ val) & CR0_PG) && (st->efer & EFER_LME)) {
			st->efer &= ~(uint64_t)EFER_LMA;
			st->efer |= val & CR0_PG ? EFER_LMA : 0;
		}
		flush = (st->cr0 ^ val) & CR0_TLB_BITS;
		st->cr0 = val;
		break;
	case 4:
		flush = (s->guest_cr4 ^ val) & CR4_TLB_BITS;
		s->guest_cr4 = val;
		st->cr4 = val | SVM_CR4_FORCED;
		break;
	default:
		*vint = (*vint & ~VINT_V_TPR_MASK) | (val & VINT_V_TPR_MASK);
		return;
	}
	if (flush)
		flush_own_translations(v, s->vmcb);
}

/* The VMCB's home of a guest MSR that VMLOAD/VMSAVE switch (APM Vol. 2, 15.5.2, Table B-2). */
static uint64_t *vmcb_msr(struct vmcb_save *st, uint32_t msr)
{
	switch (msr) {
	case MSR_KERNEL_GS_BASE:
		return &st->kernel_gs_base;
	case MSR_STAR:
		return &st->star;
	case MSR_LSTAR:
		return &st->lstar;
	case MSR_CSTAR:
		return &st->cstar;
	case MSR_SFMASK:
		return &st->sfmask;
	case MSR_SYSENTER_CS:
		return &st->sysenter_cs;
	case MSR_SYSENTER_ESP:
		return &st->sysenter_esp;
	default:		/* MSR_SYSENTER_EIP: platform.c asks for no other */
		return &st->sysenter_eip;
	}
}

uint64_t svm_msr_get(struct vcpu *v, uint32_t msr)
{
	return *vmcb_msr(&to_svm(v)->vmcb->save, msr);
}

void svm_msr_set(struct vcpu *v, uint32_t msr, uint64_t val)
{
	*vmcb_msr(&to_svm(v)->vmcb->save, msr) = val;
}
