/*
 * struct vcpu_state <-> the guest-state area of the current VMCS (SDM Vol.
 * 3C, 25.4). RSP, RIP and RFLAGS live in struct vcpu between runs (run()
 * moves them), the other GPRs always do (vmx_entry.S), and CR2 in struct
 * vmx_vcpu because VMX does not switch it.
 */
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/cpu.h"
#include "core/lib.h"
#include "core/mm.h"

/* The segment registers in VMCS field order: ES CS SS DS FS GS LDTR TR, 2 apart. */
#define SEG_COUNT	8
#define SEG_FIELD(base, i)	((uint32_t)((base) + 2 * (i)))

#define SEGS(s)	{ &(s)->es, &(s)->cs, &(s)->ss, &(s)->ds, &(s)->fs, &(s)->gs, \
		  &(s)->ldtr, &(s)->tr }

/*
 * struct seg_desc's attr has the VMCB layout (type/S/DPL/P in bits 0-7,
 * AVL/L/DB/G in bits 8-11); VMX access rights put the second group at
 * bits 12-15 and "unusable" at bit 16 (25.4.1, Table 25-2).
 */
static uint32_t attr_to_ar(uint16_t attr)
{
	if (!attr)
		return SEG_AR_UNUSABLE;
	return (attr & 0xffu) | (uint32_t)(attr & 0xf00u) << 4;
}

static uint16_t ar_to_attr(uint64_t ar)
{
	if (ar & SEG_AR_UNUSABLE)
		return 0;
	return (uint16_t)((ar & 0xffu) | (ar >> 4 & 0xf00u));
}

/*
 * PAE paging outside long mode: with EPT, VM entry takes the four PDPTEs
 * from the VMCS instead of from guest memory (27.3.2.4), so read them
 * through the EPT. An unmapped CR3 leaves zeros (not-present PDPTEs).
 */
static void write_pdptes(const struct vmx_vcpu *vx, const struct vcpu_state *s)
{
	bool pae = (s->cr0 & CR0_PG) && (s->cr4 & CR4_PAE) && !(s->efer & EFER_LMA);
	uint64_t pdpte[4] = { 0, 0, 0, 0 };
	paddr_t hpa;

	if (pae &&
	    ept_translate(vx->eptp & ~(PAGE_SIZE - 1), to_gpa(s->cr3 & ~0x1full), &hpa))
		memcpy(pdpte, phys_to_virt(hpa), sizeof(pdpte));	/* 32-aligned: in one page */
	for (unsigned i = 0; i < 4; i++)
		vmwrite(SEG_FIELD(VMCS_GUEST_PDPTE0, i), pdpte[i]);
}

/* Guest CR0 with the bits VMX requires; PE and PG may be 0 with unrestricted guest (27.3.1.1). */
static uint64_t real_cr0(uint64_t cr0)
{
	return (cr0 | (vmx_cfg.cr0_fixed0 & ~(CR0_PE | CR0_PG))) & vmx_cfg.cr0_fixed1;
}

/* Guest CR4 with the bits VMX requires (VMXE) and the ones the host forces (VMX_CR4_FORCED). */
static uint64_t real_cr4(uint64_t cr4)
{
	return (cr4 | vmx_cfg.cr4_fixed0 | VMX_CR4_FORCED) & vmx_cfg.cr4_fixed1;
}

void vmx_set_state(struct vcpu *v, struct vmx_vcpu *vx, const struct vcpu_state *s)
{
	uint32_t entry = vmx_cfg.entry | (s->efer & EFER_LMA ? ENTRYCTL_IA32E_MODE_GUEST : 0);
	const struct seg_desc *const segs[SEG_COUNT] = SEGS(s);

	memcpy(v->gpr, s->gpr, sizeof(v->gpr));
	v->rip = s->rip;
	vx->cr2 = s->cr2;
	vmwrite(VMCS_GUEST_RFLAGS, s->rflags);	/* only the VMCS holds it (core/vcpu.h) */
	vmwrite(VMCS_GUEST_RSP, s->gpr[GPR_RSP]);	/* only the VMCS holds it (core/vcpu.h) */

	vmwrite(VMCS_GUEST_CR0, real_cr0(s->cr0));
	vmwrite(VMCS_CR0_READ_SHADOW, s->cr0);
	vmwrite(VMCS_GUEST_CR3, s->cr3);
	vmwrite(VMCS_GUEST_CR4, real_cr4(s->cr4));
	vmwrite(VMCS_CR4_READ_SHADOW, s->cr4);
	vmwrite(VMCS_GUEST_EFER, s->efer);
	vmwrite(VMCS_GUEST_PAT, s->pat);
	/* "load IA32_EFER" requires IA-32e mode guest == EFER.LMA (27.3.1.1) */
	vmwrite(VMCS_ENTRY_CONTROLS, entry);
	for (unsigned i = 0; i < SEG_COUNT; i++) {
		const struct seg_desc *d = segs[i];

		vmwrite(SEG_FIELD(VMCS_GUEST_ES_SEL, i), d->sel);
		vmwrite(SEG_FIELD(VMCS_GUEST_ES_BASE, i), d->base);
		vmwrite(SEG_FIELD(VMCS_GUEST_ES_LIMIT, i), d->limit);
		vmwrite(SEG_FIELD(VMCS_GUEST_ES_AR, i), attr_to_ar(d->attr));
	}
	vmwrite(VMCS_GUEST_GDTR_BASE, s->gdtr.base);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, s->gdtr.limit);
	vmwrite(VMCS_GUEST_IDTR_BASE, s->idtr.base);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, s->idtr.limit);
	write_pdptes(vx, s);
	/* a new state starts with nothing blocked and no event in flight */
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmwrite(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	vx->entry_intr = 0;
}

void vmx_get_state(struct vcpu *v, struct vmx_vcpu *vx, struct vcpu_state *s)
{
	struct seg_desc *const segs[SEG_COUNT] = SEGS(s);

	memcpy(s->gpr, v->gpr, sizeof(s->gpr));
	s->gpr[GPR_RSP] = vmread(VMCS_GUEST_RSP);	/* the VMCS's (core/vcpu.h) */
	s->rip = v->rip;
	s->rflags = vmread(VMCS_GUEST_RFLAGS);
	s->cr2 = vx->cr2;		/* vmx.c reads the register where the CPU holds it */
	/* bits the host owns read as the guest wrote them: from the read shadows */
	s->cr0 = vmx_read_cr(vx, 0);
	s->cr4 = vmx_read_cr(vx, 4);
	s->cr3 = vmread(VMCS_GUEST_CR3);
	s->efer = vmread(VMCS_GUEST_EFER);
	s->pat = vmread(VMCS_GUEST_PAT);
	for (unsigned i = 0; i < SEG_COUNT; i++) {
		struct seg_desc *d = segs[i];

		d->sel = (uint16_t)vmread(SEG_FIELD(VMCS_GUEST_ES_SEL, i));
		d->base = vmread(SEG_FIELD(VMCS_GUEST_ES_BASE, i));
		d->limit = (uint32_t)vmread(SEG_FIELD(VMCS_GUEST_ES_LIMIT, i));
		d->attr = ar_to_attr(vmread(SEG_FIELD(VMCS_GUEST_ES_AR, i)));
	}
	s->gdtr.base = vmread(VMCS_GUEST_GDTR_BASE);
	s->gdtr.limit = (uint16_t)vmread(VMCS_GUEST_GDTR_LIMIT);
	s->idtr.base = vmread(VMCS_GUEST_IDTR_BASE);
	s->idtr.limit = (uint16_t)vmread(VMCS_GUEST_IDTR_LIMIT);
}

/* CR0 and CR4 as the guest reads them: the bits the host owns come from the read shadows. */
uint64_t vmx_read_cr(const struct vmx_vcpu *vx, unsigned cr)
{
	switch (cr) {
	case 0:
		return (vmread(VMCS_GUEST_CR0) & ~vmx_cfg.cr0_mask) |
		       (vmread(VMCS_CR0_READ_SHADOW) & vmx_cfg.cr0_mask);
	case 3:
		return vmread(VMCS_GUEST_CR3);
	case 4:
		return (vmread(VMCS_GUEST_CR4) & ~vmx_cfg.cr4_mask) |
		       (vmread(VMCS_CR4_READ_SHADOW) & vmx_cfg.cr4_mask);
	default:
		return vx->tpr;
	}
}

/*
 * A MOV to CR0 or CR4 done for the guest: its value in the read shadow,
 * the real register with the bits VMX needs (25.6.6). A CR0.PG change
 * under EFER.LME switches EFER.LMA and with it the "IA-32e mode guest"
 * entry control (SDM Vol. 3A, 10.8.5; Vol. 3C, 27.3.1.1); the VPID's
 * translations are dropped and PAE paging's PDPTEs reloaded (27.3.2.4),
 * as the MOV itself would. CR8 only ever reaches vx->tpr: with CR8
 * exiting the guest never touches the physical TPR.
 */
static void vmx_write_cr0_cr4(struct vmx_vcpu *vx, unsigned cr, uint64_t val);

void vmx_write_cr(struct vmx_vcpu *vx, unsigned cr, uint64_t val)
{
	if (cr == 8)		/* a guest's TPR writes are frequent: no VMREADs for them */
		vx->tpr = (uint8_t)val;
	else
		vmx_write_cr0_cr4(vx, cr, val);
}

static void vmx_write_cr0_cr4(struct vmx_vcpu *vx, unsigned cr, uint64_t val)
{
	struct vcpu_state s = { .cr0 = vmx_read_cr(vx, 0), .cr3 = vmread(VMCS_GUEST_CR3),
				.cr4 = vmx_read_cr(vx, 4), .efer = vmread(VMCS_GUEST_EFER) };

	if (cr == 0) {
		if (((s.cr0 ^ val) & CR0_PG) && (s.efer & EFER_LME)) {
			uint64_t entry = vmread(VMCS_ENTRY_CONTROLS);
			bool lma = val & CR0_PG;

			s.efer = (s.efer & ~(uint64_t)EFER_LMA) | (lma ? EFER_LMA : 0);
			entry &= ~(uint64_t)ENTRYCTL_IA32E_MODE_GUEST;
			vmwrite(VMCS_GUEST_EFER, s.efer);
			vmwrite(VMCS_ENTRY_CONTROLS, entry | (lma ? ENTRYCTL_IA32E_MODE_GUEST : 0));
		}
		s.cr0 = val;
		vmwrite(VMCS_GUEST_CR0, real_cr0(val));
		vmwrite(VMCS_CR0_READ_SHADOW, val);
	} else {
		s.cr4 = val;
		vmwrite(VMCS_GUEST_CR4, real_cr4(val));
		vmwrite(VMCS_CR4_READ_SHADOW, val);
	}
	write_pdptes(vx, &s);
	__atomic_fetch_or(&vx->pending, VMX_PENDING_FLUSH, __ATOMIC_RELAXED);
}
