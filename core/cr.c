/*
 * Control-register accesses the back-end could not leave to the guest:
 * CR0 and CR4 writes that touch a bit the hypervisor owns or polices, and
 * CR8 (the task-priority register) where the CPU has no virtual one. Each
 * new value is checked as the CPU checks it (SDM Vol. 2B "MOV—Move to/from
 * Control Registers", Vol. 3A 2.5: #GP(0) for reserved bits and forbidden
 * combinations) and against what the partition is offered: a CR4 bit whose
 * feature its CPUID does not show, or whose state is not switched between
 * partitions, raises #GP as on a CPU without the feature. The back-end
 * then carries the write out (vcpu_ops->set_cr).
 */
#include "core/cr.h"
#include "arch/x86/cpu.h"
#include "core/lib.h"
#include "partitions/cpuid.h"
#include "partitions/partition.h"
#include "partitions/platform.h"


/* CPUID leaf (subleaf 0) as the partition sees it; the guest's registers are left alone. */
static struct cpuid_regs guest_cpuid(struct vp *vp, uint32_t leaf)
{
	uint64_t *r = vp->vcpu.gpr, saved[GPR_COUNT];
	struct cpuid_regs out;

	memcpy(saved, r, sizeof(saved));
	r[GPR_RAX] = leaf;
	r[GPR_RCX] = 0;
	platform_cpuid(vp);
	out = (struct cpuid_regs){ (uint32_t)r[GPR_RAX], (uint32_t)r[GPR_RBX],
				   (uint32_t)r[GPR_RCX], (uint32_t)r[GPR_RDX] };
	memcpy(r, saved, sizeof(saved));
	return out;
}

/*
 * The bits of the features the partition's CPUID shows
 * (partitions/cpuid.c, cpuid_cr4_features), and of those only what the
 * back-end can load.
 */
uint64_t cr4_guest_bits(struct vp *vp)
{
	struct cpuid_regs leaf1 = guest_cpuid(vp, 1), leaf7 = { 0, 0, 0, 0 };
	uint64_t bits = 0;

	if (guest_cpuid(vp, 0).eax >= 7)
		leaf7 = guest_cpuid(vp, 7);
	for (unsigned i = 0; i < cpuid_cr4_feature_count; i++) {
		const struct cpuid_cr4_feature *f = &cpuid_cr4_features[i];
		const struct cpuid_regs *r = f->leaf == 7 ? &leaf7 : &leaf1;

		if (!f->leaf || (cpuid_reg(r, (enum cpuid_reg)f->reg) >> f->bit & 1))
			bits |= f->cr4;
	}
	return bits & vcpu_ops->caps->cr4;
}

static bool in_64bit_mode(const struct vcpu_state *s)
{
	return (s->efer & EFER_LMA) && (s->cs.attr & SEG_ATTR_L);
}

/* The value CR0 would get; MOV's source is 32 bits wide outside 64-bit mode. */
static uint64_t new_cr0(const struct vp *vp, const struct vm_exit *e, const struct vcpu_state *s)
{
	const uint64_t low4 = CR0_PE | CR0_MP | CR0_EM | CR0_TS;
	uint64_t src = vp->vcpu.gpr[e->u.cr.gpr];

	switch (e->u.cr.type) {
	case CR_CLTS:
		return s->cr0 & ~CR0_TS;
	case CR_LMSW:	/* loads PE, MP, EM, TS, but cannot clear PE (SDM Vol. 2A, LMSW) */
		return (s->cr0 & ~low4) | (e->u.cr.lmsw & low4) | (s->cr0 & CR0_PE);
	default:
		return in_64bit_mode(s) ? src : (uint32_t)src;
	}
}

/* MOV to CR0's #GP(0) conditions (SDM Vol. 2B, MOV CR; Vol. 3A, 2.5 and 10.8.5). */
static bool cr0_ok(const struct vcpu_state *s, uint64_t val)
{
	bool pg_on = (val & CR0_PG) && !(s->cr0 & CR0_PG);
	bool pg_off = !(val & CR0_PG) && (s->cr0 & CR0_PG);

	return !(val >> 32) &&
	       !((val & CR0_NW) && !(val & CR0_CD)) &&
	       !((val & CR0_PG) && !(val & CR0_PE)) &&
	       /* long mode needs PAE paging */
	       !(pg_on && (s->efer & EFER_LME) && !(s->cr4 & CR4_PAE)) &&
	       /* paging stays on in 64-bit mode and with PCIDs */
	       !(pg_off && (in_64bit_mode(s) || (s->cr4 & CR4_PCIDE)));
}

/* MOV to CR4's #GP(0) conditions, plus the partition's offer (cpuid_cr4_features). */
static bool cr4_ok(struct vp *vp, const struct vcpu_state *s, uint64_t val)
{
	uint64_t changed = val ^ s->cr4;

	if (val & ~cr4_guest_bits(vp))
		return false;
	/* in IA-32e mode PAE stays on and LA57 cannot change */
	if ((s->efer & EFER_LMA) && (!(val & CR4_PAE) || (changed & CR4_LA57)))
		return false;
	/* PCIDs only in IA-32e mode, and only from PCID 0 */
	return !((changed & val & CR4_PCIDE) &&
		 (!(s->efer & EFER_LMA) || (s->cr3 & CR3_PCID_MASK)));
}

static enum exit_action cr_write(struct vp *vp, const struct vm_exit *e)
{
	uint64_t src = vp->vcpu.gpr[e->u.cr.gpr], val;
	struct vcpu_state s;
	bool ok;

	vcpu_ops->get_state(&vp->vcpu, &s);
	if (e->u.cr.cr == 0) {
		val = new_cr0(vp, e, &s);
		ok = cr0_ok(&s, val);
	} else {
		val = in_64bit_mode(&s) ? src : (uint32_t)src;
		ok = cr4_ok(vp, &s, val);
	}
	if (!ok) {
		exit_inject_gp(vp);		/* a fault: the MOV is not done */
		return EXIT_ACTION_RESUME;
	}
	vcpu_ops->set_cr(&vp->vcpu, e->u.cr.cr, val);
	exit_skip_insn(vp, e);
	return EXIT_ACTION_RESUME;
}

/* CR8 bits 63:4 are reserved: writing a 1 there is #GP(0) (SDM Vol. 2B, MOV CR). */
static enum exit_action cr8_write(struct vp *vp, const struct vm_exit *e)
{
	uint64_t val = vp->vcpu.gpr[e->u.cr.gpr];

	if (val & ~CR8_TPR_MASK) {
		exit_inject_gp(vp);
		return EXIT_ACTION_RESUME;
	}
	vcpu_ops->set_cr(&vp->vcpu, 8, val);
	/* a lower priority may let a waiting vector through: the entry path looks again */
	__atomic_store_n(&vp->irq_summary, 1, __ATOMIC_SEQ_CST);
	exit_skip_insn(vp, e);
	return EXIT_ACTION_RESUME;
}

enum exit_action on_cr_access(struct vp *vp, const struct vm_exit *e)
{
	unsigned cr = e->u.cr.cr;
	char why[48];

	if (cr != 0 && cr != 4 && cr != 8) {
		/* CR3 exiting is off (vmx_setup.c), SVM intercepts CR4 reads and writes only */
		fmt_snprintf(why, sizeof(why), "unexpected access to CR%u", cr);
		partition_crash(vp->vcpu.part, vp, why);
		return EXIT_ACTION_STOP;
	}
	if (e->u.cr.type == CR_MOV_FROM) {
		vp->vcpu.gpr[e->u.cr.gpr] = vcpu_ops->get_cr(&vp->vcpu, cr);
		exit_skip_insn(vp, e);
		return EXIT_ACTION_RESUME;
	}
	return cr == 8 ? cr8_write(vp, e) : cr_write(vp, e);
}
