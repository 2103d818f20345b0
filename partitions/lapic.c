/*
 * The local APIC of a LAPIC partition's VPs, bound to the hypervisor
 * (partitions/lapic.h; the register model is partitions/vlapic.c, pure).
 */
#include "partitions/lapic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/guest_insn.h"
#include "arch/x86/tsc.h"
#include "core/abi/hvroot.h"
#include "core/lib.h"
#include "core/mmio_insn.h"
#include "core/sched.h"
#include "partitions/intercept.h"
#include "partitions/partition.h"

#define SIG_INIT	0x1u
#define SIG_SIPI	0x2u
#define SIG_NMI		0x4u

#define RFLAGS_FIXED	0x2ull

void lapic_vp_init(struct vp *vp)
{
	unsigned index = vp_index_val(vp->vcpu.index);

	vlapic_reset(&vp->lapic, index, index == 0, tsc_khz() * 1000);
	if (index)	/* SDM Vol. 3A, 8.4.1: an AP waits for a SIPI after reset */
		vp->suspend |= VP_SUSPEND_SIPI;
}

/* ---- interrupts in: the pending bitmap is the model's request register ---- */

static void drain_pending(struct vp *vp)
{
	for (unsigned i = 0; i < 4; i++) {
		uint64_t w = __atomic_exchange_n(&vp->irq_pending[i], 0, __ATOMIC_SEQ_CST);

		for (; w; w &= w - 1)
			vlapic_accept(&vp->lapic, (uint8_t)(i * 64 + (unsigned)__builtin_ctzll(w)), false);
	}
}

/*
 * CR8 is the TPR's priority class (SDM Vol. 3A, 11.8.6.1: CR8[3:0] is
 * TPR[7:4], a CR8 write clears TPR[3:0]). The back-ends keep CR8 (AMD-V's
 * V_TPR, which the guest's MOVs use without an exit; VT-x's exiting
 * MOVs), the model keeps the TPR: whichever side changed since the last
 * look is copied to the other, before any priority is decided.
 */
static void sync_cr8(struct vp *vp)
{
	uint8_t cr8 = (uint8_t)vcpu_ops->get_cr(&vp->vcpu, 8);

	if (cr8 != vp->lapic_cr8)
		vp->lapic.tpr = (uint32_t)cr8 << 4;
	else if ((vp->lapic.tpr >> 4) != cr8)
		vcpu_ops->set_cr(&vp->vcpu, 8, vp->lapic.tpr >> 4);
	vp->lapic_cr8 = (uint8_t)(vp->lapic.tpr >> 4);
}

/*
 * The summary is cleared before the bitmap is drained, so a raise after
 * the drain leaves it set; it is set again while the model has a vector
 * to deliver, so the entry path keeps looking until it is taken.
 */
bool lapic_irq_ready(struct vp *vp)
{
	sync_cr8(vp);
	if (__atomic_load_n(&vp->nmi_pending, __ATOMIC_SEQ_CST))
		return true;		/* the summary stays set: lapic_deliver takes it */
	__atomic_store_n(&vp->irq_summary, 0, __ATOMIC_SEQ_CST);
	drain_pending(vp);
	if (vlapic_pending(&vp->lapic) < 0)
		return false;
	__atomic_store_n(&vp->irq_summary, 1, __ATOMIC_SEQ_CST);
	return true;
}

void lapic_deliver(struct vp *vp)
{
	int vec;

	/*
	 * An NMI waits for a point where an interrupt could be taken: no event
	 * in flight to overwrite, and (as Linux's NMI handler runs with IF
	 * clear and returns with IRET) not inside the previous NMI's handler,
	 * whose blocking VT-x would refuse at entry. Stricter than hardware,
	 * never wrong.
	 */
	if (__atomic_load_n(&vp->nmi_pending, __ATOMIC_SEQ_CST)) {
		const struct vcpu_event nmi = { EVENT_NMI, 2, false, 0 };

		if (!vcpu_ops->can_take_irq(&vp->vcpu)) {
			vcpu_ops->want_irq_window(&vp->vcpu, true);
			return;
		}
		__atomic_store_n(&vp->nmi_pending, false, __ATOMIC_SEQ_CST);
		vcpu_ops->inject(&vp->vcpu, &nmi);
		vcpu_ops->want_irq_window(&vp->vcpu, lapic_irq_ready(vp));
		return;
	}
	if (!lapic_irq_ready(vp)) {
		vcpu_ops->want_irq_window(&vp->vcpu, false);
		return;
	}
	if (!vcpu_ops->can_take_irq(&vp->vcpu)) {
		vcpu_ops->want_irq_window(&vp->vcpu, true);
		return;
	}
	vec = vlapic_pending(&vp->lapic);
	vlapic_ack(&vp->lapic, (uint8_t)vec);
	{
		const struct vcpu_event ev = { EVENT_EXTINT, (uint8_t)vec, false, 0 };

		vcpu_ops->inject(&vp->vcpu, &ev);
	}
	/* a higher vector that arrives now waits for the window; lower ones for the EOI */
	vcpu_ops->want_irq_window(&vp->vcpu, lapic_irq_ready(vp));
}

void lapic_timer_expire(struct vp *vp, uint64_t now)
{
	vlapic_timer_expire(&vp->lapic, now);
	__atomic_store_n(&vp->irq_summary, 1, __ATOMIC_SEQ_CST);
}

/* ---- interrupts out: IPIs and the root's messages ---- */

static void signal_vp(struct vp *t, unsigned sig)
{
	__atomic_fetch_or(&t->lapic_signals, sig, __ATOMIC_SEQ_CST);
	sched_kick_vp(t);
}

static void deliver_to(struct vp *t, uint8_t type, uint8_t vector)
{
	switch (type) {
	case HV_X64_INTERRUPT_TYPE_FIXED:
	case HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY:
		sched_raise_irq(t, vector);
		break;
	case HV_X64_INTERRUPT_TYPE_NMI:
		signal_vp(t, SIG_NMI);
		break;
	case HV_X64_INTERRUPT_TYPE_INIT:
		signal_vp(t, SIG_INIT);
		break;
	case HV_X64_INTERRUPT_TYPE_SIPI:
		__atomic_store_n(&t->sipi_vector, vector, __ATOMIC_SEQ_CST);
		signal_vp(t, SIG_SIPI);
		break;
	default:		/* SMI, remote read, ExtINT, LINTn: nothing here models them */
		break;
	}
}

static bool addressed(struct vp *t, struct vp *from, uint8_t shorthand, bool logical, uint32_t dest)
{
	switch (shorthand) {
	case VLAPIC_SH_SELF:
		return t == from;
	case VLAPIC_SH_ALL:
		return true;
	case VLAPIC_SH_OTHERS:
		return t != from;
	default:
		return vlapic_match_dest(&t->lapic, dest, logical);
	}
}

/*
 * Lowest priority goes to the first VP addressed (SDM Vol. 3A, 11.6.2.4
 * lets the choice be the chipset's): no arbitration by TPR.
 */
unsigned lapic_send(struct partition *p, struct vp *from, uint8_t type, uint8_t shorthand,
		    bool logical, uint32_t dest, uint8_t vector, bool level)
{
	unsigned n = 0;

	(void)level;	/* every interrupt is taken as edge-triggered: no TMR, no EOI to a source */
	for (unsigned i = 0; i < p->nvps; i++) {
		struct vp *t = &p->vps[i];

		if (__atomic_load_n(&t->leaving, __ATOMIC_ACQUIRE) ||
		    !addressed(t, from, shorthand, logical, dest))
			continue;
		deliver_to(t, type, vector);
		n++;
		if (type == HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY)
			break;
	}
	return n;
}

static void apply_effect(struct vp *vp, const struct vlapic_effect *fx)
{
	if (fx->ipi && !(fx->msg.mode == VLAPIC_IPI_INIT && !fx->msg.assert))
		lapic_send(vp->vcpu.part, vp, fx->msg.mode, fx->msg.shorthand, fx->msg.logical,
			   fx->msg.dest, fx->msg.vector, fx->msg.level);
	if (fx->timer_changed)
		vp_timers_changed(vp);
	/* an EOI, a TPR or SVR write may let a waiting vector through: look again before entry */
	__atomic_store_n(&vp->irq_summary, 1, __ATOMIC_SEQ_CST);
}

/* ---- INIT, SIPI, NMI: carried out by the home CPU ---- */

/* SDM Vol. 3A, 8.4.4.1 / Table 9-1: real mode at vector * 4 KiB, CS = vector << 8, IP 0. */
static void start_at_sipi(struct vp *vp, uint8_t vector)
{
	const struct seg_desc data = { 0, 0xffff, 0, 0x93 };
	struct vcpu_state s;

	vcpu_ops->get_state(&vp->vcpu, &s);
	memset(s.gpr, 0, sizeof(s.gpr));
	s.rip = 0;
	s.rflags = RFLAGS_FIXED;
	s.cr0 = CR0_ET;
	s.cr2 = s.cr3 = s.cr4 = s.efer = 0;
	s.cs = (struct seg_desc){ (uint64_t)vector << 12, 0xffff, (uint16_t)(vector << 8), 0x9b };
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.ldtr = (struct seg_desc){ 0, 0xffff, 0, 0x82 };
	s.tr = (struct seg_desc){ 0, 0xffff, 0, 0x8b };
	s.gdtr = s.idtr = (struct dtable){ 0, 0xffff };
	memset(vp->vcpu.gpr, 0, sizeof(vp->vcpu.gpr));
	vp->vcpu.rip = 0;
	vcpu_ops->set_state(&vp->vcpu, &s);
	vp->state = VP_RUNNABLE;	/* an AP INITed out of HLT runs its new code at once */
}

/*
 * Every VP of the partition parked, or an AP waiting for its SIPI, or
 * leaving; and no INIT or SIPI on its way to one (lapic_take_signals).
 */
static bool all_parked(const struct partition *p)
{
	for (unsigned i = 0; i < p->nvps; i++) {
		const struct vp *t = &p->vps[i];

		if (__atomic_load_n(&t->leaving, __ATOMIC_ACQUIRE))
			continue;
		if (!(__atomic_load_n(&t->suspend, __ATOMIC_SEQ_CST) &
		      (VP_SUSPEND_PARKED | VP_SUSPEND_SIPI)) ||
		    (__atomic_load_n(&t->lapic_signals, __ATOMIC_SEQ_CST) & (SIG_INIT | SIG_SIPI)))
			return false;
	}
	return true;
}

/*
 * HLT with interrupts off in a partition with local APICs (core/exit.c):
 * no interrupt ends it, not even its own timer's; an INIT does (SDM Vol.
 * 3A, 8.4.1). Linux parks a CPU it takes offline so, and brings it back
 * with INIT and SIPI. The VP waits parked, RIP on the HLT, for lapic_take_signals. When
 * every VP waits so, nothing inside the partition can start one again:
 * the VP that parked last (its own bit set before it looks, so that of two
 * at once one sees all) tells the root, once, with HVMSG_X64_HALT, which
 * takes it for the child's end (once: an INIT the root itself sent later
 * would start a VP that no second HALT follows). An NMI does not end a
 * parked HLT here: NMIs are injected only where the guest has interrupts
 * on (docs/lapic.md).
 */
void lapic_park(struct vp *vp)
{
	struct partition *p = vp->vcpu.part;

	vp_suspend_set(vp, VP_SUSPEND_PARKED, true);
	if (all_parked(p) && !__atomic_exchange_n(&p->halt_told, true, __ATOMIC_SEQ_CST))
		intercept_halt(vp);
}

/*
 * The signals are cleared only once carried out, so that all_parked, on
 * another CPU, sees a VP whose SIPI is being carried out as pending, not
 * parked. A signal sent again meanwhile is the same signal: it merges.
 * INIT and SIPI wait while the VP waits on the root for an intercept: the
 * root's completion would write its registers over the new start.
 */
void lapic_take_signals(struct vp *vp)
{
	unsigned sig = __atomic_load_n(&vp->lapic_signals, __ATOMIC_SEQ_CST);

	if (vp->suspend & VP_SUSPEND_INTERCEPT)
		sig &= SIG_NMI;
	if (sig & SIG_INIT) {	/* 8.4.1: INIT puts any processor into wait-for-SIPI */
		vp_suspend_set(vp, VP_SUSPEND_SIPI, true);	/* before PARKED goes: never neither */
		vp_suspend_set(vp, VP_SUSPEND_PARKED, false);	/* out of a parked HLT too */
		vlapic_init_signal(&vp->lapic);
		for (unsigned i = 0; i < 4; i++)
			__atomic_store_n(&vp->irq_pending[i], 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&vp->nmi_pending, false, __ATOMIC_SEQ_CST);
		vp_timers_changed(vp);
	}
	if ((sig & SIG_SIPI) && (vp->suspend & VP_SUSPEND_SIPI)) {	/* a running VP ignores SIPI */
		start_at_sipi(vp, __atomic_load_n(&vp->sipi_vector, __ATOMIC_SEQ_CST));
		log_info("part %u '%s': VP %u started by SIPI at %x000", part_id_val(vp->vcpu.part->id),
			 vp->vcpu.part->name, vp_index_val(vp->vcpu.index), vp->sipi_vector);
		vp_suspend_set(vp, VP_SUSPEND_SIPI, false);
	}
	if (sig & SIG_NMI) {	/* the summary wakes a halted VP and brings lapic_deliver */
		__atomic_store_n(&vp->nmi_pending, true, __ATOMIC_SEQ_CST);
		__atomic_store_n(&vp->irq_summary, 1, __ATOMIC_SEQ_CST);
	}
	__atomic_fetch_and(&vp->lapic_signals, ~sig, __ATOMIC_SEQ_CST);
}

/* ---- registers ---- */

bool lapic_msr_is_ours(const struct vp *vp, uint32_t msr)
{
	return vp->vcpu.part->lapic && vlapic_msr_is_ours(msr);
}

bool lapic_msr_read(struct vp *vp, uint32_t msr, uint64_t *val)
{
	return vlapic_msr_read(&vp->lapic, msr, rdtsc(), val);
}

bool lapic_msr_write(struct vp *vp, uint32_t msr, uint64_t val)
{
	struct vlapic_effect fx = { 0 };

	if (!vlapic_msr_write(&vp->lapic, msr, val, rdtsc(), &fx))
		return false;
	apply_effect(vp, &fx);
	return true;
}

static unsigned code_mode(const struct vcpu_state *s)
{
	if ((s->efer & EFER_LMA) && (s->cs.attr & SEG_ATTR_L))
		return 64;
	return (s->cs.attr & SEG_ATTR_DB) ? 32 : 16;
}

/* The register an access names (AH..BH: reg is RAX..RBX, high8 says bits 15:8). */
static uint64_t *operand_reg(struct vp *vp, const struct mmio_insn *d)
{
	return &vp->vcpu.gpr[d->reg];
}

bool lapic_mmio(struct vp *vp, const struct vm_exit *e)
{
	uint64_t base, gpa = gpa_val(e->u.slp.gpa), val = 0;
	struct vlapic_effect fx = { 0 };
	struct vcpu_state s;
	struct mmio_insn d;
	uint8_t insn[16];
	size_t n;
	uint32_t off;

	if (!vp->vcpu.part->lapic || !vlapic_xapic_page(&vp->lapic, &base) || gpa - base >= PAGE_SIZE)
		return false;
	off = (uint32_t)(gpa - base);
	vcpu_ops->get_state(&vp->vcpu, &s);
	n = vp_read_insn(vp, &s, insn, sizeof(insn));
	if (!mmio_insn_decode(insn, n, code_mode(&s), &d) || d.reg == GPR_RSP)
		return false;	/* not an access we emulate: the root hears of it */
	if (d.write) {
		val = mmio_insn_store_value(&d, *operand_reg(vp, &d));
		vlapic_mmio_write(&vp->lapic, off, d.size, val, rdtsc(), &fx);
		apply_effect(vp, &fx);
	}
	if (!d.write || d.xchg) {
		vlapic_mmio_read(&vp->lapic, off, d.size, rdtsc(), &val);
		*operand_reg(vp, &d) = mmio_insn_load(&d, *operand_reg(vp, &d), val, code_mode(&s));
	}
	vcpu_skip_insn(&vp->vcpu, d.len);
	return true;
}
