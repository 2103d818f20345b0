/*
 * Root hypercalls on a hosted child's VPs: CreateVp (suspended, explicitly),
 * DeleteVp, Get/SetVpRegisters, AssertVirtualInterrupt.
 *
 * A VP's architectural registers are read and written through
 * vcpu_ops->get_state/set_state, which must run on the VP's home CPU once
 * it has run there (a VMCS is current on one CPU): such a VP on another
 * CPU than the root's gets HV_STATUS_INVALID_VP_STATE (decision, until
 * cross-CPU register access comes with the intercept path), and so does
 * one that is neither suspended nor stopped (TLFS: the VP must not run).
 * The suspend registers are the VP's own fields: any time.
 */
#include "partitions/hvroot.h"
#include "partitions/hosted.h"
#include "partitions/internal.h"
#include "partitions/intercept.h"
#include "partitions/lapic.h"
#include "arch/x86/cpu.h"
#include "core/abi/hvroot.h"
#include "core/cr.h"
#include "core/hvroot_decode.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/sched.h"

#define EFER_KNOWN	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

static uint16_t vp_target(struct hc_call *c, uint64_t id, uint32_t index, struct partition **pp,
			  struct vp **vpp)
{
	struct partition *p;
	uint16_t st = hvroot_decoded_child(c, HV_STATUS_SUCCESS, id, HOSTED_OP_VP, &p);

	if (st != HV_STATUS_SUCCESS)
		return st;
	if (index >= p->nvps)
		return HV_STATUS_INVALID_VP_INDEX;
	*pp = p;
	*vpp = &p->vps[index];
	return HV_STATUS_SUCCESS;
}

/*
 * TLFS HvCallCreateVp. VPs are created in index order (mshv's order):
 * another index is INVALID_VP_INDEX. Its back-end pages come from the
 * child's pool: INSUFFICIENT_MEMORY when it has fewer free than a vCPU
 * takes (the root deposits and retries). It starts explicitly suspended.
 */
uint16_t hvroot_create_vp(struct hc_call *c)
{
	struct hvroot_create_vp in;
	uint16_t st = hvroot_decode_create_vp(c->in, c->d.in_len, &in);
	struct partition *p;
	struct vp *vp;

	st = hvroot_decoded_child(c, st, in.partition_id, HOSTED_OP_VP, &p);
	if (st != HV_STATUS_SUCCESS)
		return st;
	if (in.vp_index != p->nvps || in.vp_index >= PART_MAX_VPS)
		return HV_STATUS_INVALID_VP_INDEX;
	if (in.lp_valid && (in.lp >= cpu_count || in.lp >= 64))
		return HV_STATUS_INVALID_PARAMETER;	/* no such CPU online */
	if (pool_free(&p->pool) < part_vcpu_pages)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	vp = &p->vps[in.vp_index];
	memset(vp, 0, sizeof(*vp));
	vp->suspend = VP_SUSPEND_EXPLICIT;
	/* on the CPU the root asked for (the mask of one), else the rotor's choice */
	if (part_vp_add(p, in.lp_valid ? cpu_mask_of(to_cpu_id(in.lp)) : 0) != PART_OK)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	if (in.lp_valid)
		log_info("part %u '%s': VP %u on CPU %u, as the root asked", part_id_val(p->id),
			 p->name, in.vp_index, cpu_id_val(vp->vcpu.home_cpu));
	if (p->lapic)
		lapic_vp_init(vp);
	sched_add(vp);
	return HV_STATUS_SUCCESS;
}

/* TLFS HvCallDeleteVp: only the last VP (mshv's roll-back of a failed creation). */
uint16_t hvroot_delete_vp(struct hc_call *c)
{
	struct hvroot_vp in;
	uint16_t st = hvroot_decode_delete_vp(c->in, c->d.in_len, &in);
	struct partition *p;
	struct vp *vp;

	if (st != HV_STATUS_SUCCESS)
		return st;
	st = vp_target(c, in.partition_id, in.vp_index, &p, &vp);
	if (st != HV_STATUS_SUCCESS)
		return st;
	if (in.vp_index != p->nvps - 1)
		return HV_STATUS_INVALID_VP_INDEX;
	vp->leaving = true;
	if (!__atomic_load_n(&vp->released, __ATOMIC_ACQUIRE)) {
		sched_kick_vp(vp);
		return HVCALL_STATUS_RETRY;
	}
	intercept_vp_drop_pages(vp);
	__atomic_store_n(&p->nvps, p->nvps - 1, __ATOMIC_RELEASE);
	/*
	 * Not cleared: a sender that looked it up before (an interrupt, a
	 * message) may still reach it, and finds it released (leaving,
	 * released, no back-end state, a SynIC that refuses posts and has
	 * nothing queued: synic_release), never a lock or queue zeroed under
	 * it. CreateVp of this index makes it new again.
	 */
	return HV_STATUS_SUCCESS;
}

static bool arch_access_ok(const struct vp *vp)
{
	/* being deleted or released (DeleteVp, Finalize): its back-end state may be gone */
	if (vp->leaving || vp->released || !vp->vcpu.arch)
		return false;
	return !vp->running && (vp_suspended(vp) || vp->vcpu.part->state != PART_RUNNING) &&
	       (vp->vcpu.last_cpu < 0 || cpu_is_current(vp->vcpu.home_cpu));
}

/* Our layout (VMCB, core/vcpu.h) from the TLFS one: AVL, L, D/B, G move down from bits 12-15. */
static uint16_t attr_from_hv(uint16_t a)
{
	return (uint16_t)((a & 0xff) | (a >> 4 & 0xf00));
}

static uint16_t attr_to_hv(uint16_t a)
{
	return (uint16_t)((a & 0xff) | (a & 0xf00) << 4);
}

static struct seg_desc *segment(struct vcpu_state *s, uint32_t name)
{
	struct seg_desc *segs[] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs, &s->ldtr, &s->tr };

	return segs[name - HV_X64_REGISTER_ES];
}

/* Register `name` of s into v; false for a name whose value the vCPU state does not hold. */
static bool get_reg(struct vp *vp, const struct vcpu_state *s, uint32_t name,
		    union hv_register_value *v)
{
	memset(v, 0, sizeof(*v));
	if (name >= HV_X64_REGISTER_RAX && name <= HV_X64_REGISTER_R15) {
		v->reg64 = s->gpr[name - HV_X64_REGISTER_RAX];
		return true;
	}
	if (name >= HV_X64_REGISTER_ES && name <= HV_X64_REGISTER_TR) {
		const struct seg_desc *d = segment((struct vcpu_state *)s, name);

		v->segment = (struct hv_x64_segment_register){ d->base, d->limit, d->sel,
							       attr_to_hv(d->attr) };
		return true;
	}
	switch (name) {
	case HV_X64_REGISTER_RIP: v->reg64 = s->rip; return true;
	case HV_X64_REGISTER_RFLAGS: v->reg64 = s->rflags; return true;
	case HV_X64_REGISTER_CR0: case HV_X64_REGISTER_INTERMEDIATE_CR0: v->reg64 = s->cr0; return true;
	case HV_X64_REGISTER_CR2: v->reg64 = s->cr2; return true;
	case HV_X64_REGISTER_CR3: case HV_X64_REGISTER_INTERMEDIATE_CR3: v->reg64 = s->cr3; return true;
	case HV_X64_REGISTER_CR4: case HV_X64_REGISTER_INTERMEDIATE_CR4: v->reg64 = s->cr4; return true;
	case HV_X64_REGISTER_CR8: case HV_X64_REGISTER_INTERMEDIATE_CR8:
		v->reg64 = vcpu_ops->get_cr(&vp->vcpu, 8);
		return true;
	case HV_X64_REGISTER_EFER: v->reg64 = s->efer; return true;
	case HV_X64_REGISTER_PAT: v->reg64 = s->pat; return true;
	case HV_X64_REGISTER_GDTR: case HV_X64_REGISTER_IDTR: {
		const struct dtable *t = name == HV_X64_REGISTER_GDTR ? &s->gdtr : &s->idtr;

		v->table.limit = t->limit;
		v->table.base = t->base;
		return true;
	}
	}
	return false;
}

/*
 * Register `name` = v in s (CR8: in the vCPU at once). The value's
 * architectural checks beyond the decoder's: CR4 bits the partition is
 * offered, EFER's known bits, a canonical-free base (the CPU's entry
 * checks catch the rest: a bad state crashes the child, never the root).
 */
static uint16_t set_reg(struct vp *vp, struct vcpu_state *s, uint32_t name,
			const union hv_register_value *v)
{
	if (name >= HV_X64_REGISTER_RAX && name <= HV_X64_REGISTER_R15) {
		s->gpr[name - HV_X64_REGISTER_RAX] = v->reg64;
		return HV_STATUS_SUCCESS;
	}
	if (name >= HV_X64_REGISTER_ES && name <= HV_X64_REGISTER_TR) {
		*segment(s, name) = (struct seg_desc){ v->segment.base, v->segment.limit,
						       v->segment.selector,
						       attr_from_hv(v->segment.attributes) };
		return HV_STATUS_SUCCESS;
	}
	switch (name) {
	case HV_X64_REGISTER_RIP: s->rip = v->reg64; break;
	case HV_X64_REGISTER_RFLAGS: s->rflags = v->reg64; break;
	case HV_X64_REGISTER_CR0: case HV_X64_REGISTER_INTERMEDIATE_CR0: s->cr0 = v->reg64; break;
	case HV_X64_REGISTER_CR2: s->cr2 = v->reg64; break;
	case HV_X64_REGISTER_CR3: case HV_X64_REGISTER_INTERMEDIATE_CR3: s->cr3 = v->reg64; break;
	case HV_X64_REGISTER_CR4: case HV_X64_REGISTER_INTERMEDIATE_CR4:
		if (v->reg64 & ~cr4_guest_bits(vp))
			return HV_STATUS_INVALID_PARAMETER;
		s->cr4 = v->reg64;
		break;
	case HV_X64_REGISTER_EFER:
		if (v->reg64 & ~(uint64_t)EFER_KNOWN)
			return HV_STATUS_INVALID_PARAMETER;
		s->efer = v->reg64;
		break;
	case HV_X64_REGISTER_PAT: s->pat = v->reg64; break;
	case HV_X64_REGISTER_GDTR: case HV_X64_REGISTER_IDTR: {
		struct dtable *t = name == HV_X64_REGISTER_GDTR ? &s->gdtr : &s->idtr;

		t->limit = v->table.limit;
		t->base = v->table.base;
		break;
	}
	default:
		return HV_STATUS_INVALID_PARAMETER;	/* a name the vCPU state does not hold */
	}
	return HV_STATUS_SUCCESS;
}

/*
 * RIP and the general registers but RSP live in the core's copy between
 * two entries (core/vcpu.h struct vcpu): a suspended VP's can be written
 * from any CPU, which is how the root completes an intercept of a child
 * on another CPU (6.4: RIP past the instruction, RAX for IN). NULL for
 * any other name.
 */
static uint64_t *core_reg(struct vp *vp, uint32_t name)
{
	if (name == HV_X64_REGISTER_RIP)
		return &vp->vcpu.rip;
	if (name >= HV_X64_REGISTER_RAX && name <= HV_X64_REGISTER_R15 &&
	    name != HV_X64_REGISTER_RSP)
		return &vp->vcpu.gpr[name - HV_X64_REGISTER_RAX];
	return NULL;
}

/*
 * Suspended and out of guest mode. A VP that has just posted an intercept
 * is suspended but may still be leaving run_vp on its home CPU (the root
 * can see the message first): it cannot enter again, so wait that out.
 */
static bool quiet_for_core_regs(const struct vp *vp)
{
	if (!vp_suspended(vp))
		return false;
	while (__atomic_load_n(&vp->running, __ATOMIC_ACQUIRE))
		cpu_relax();
	return true;
}

static bool is_suspend_reg(uint32_t name)
{
	return name == HV_REGISTER_EXPLICIT_SUSPEND || name == HV_REGISTER_INTERCEPT_SUSPEND;
}

static unsigned suspend_bit(uint32_t name)
{
	return name == HV_REGISTER_EXPLICIT_SUSPEND ? VP_SUSPEND_EXPLICIT : VP_SUSPEND_INTERCEPT;
}

/* TLFS HvCallGetVpRegisters. */
uint16_t hvroot_get_vp_registers(struct hc_call *c)
{
	struct hvroot_get_vp_registers in;
	uint16_t st = hvroot_decode_get_vp_registers(c->in, c->d.in_len, c->d.rep_count,
						     c->d.rep_start, &in);
	uint16_t end = MIN(in.reps.end, c->rep_end), st2;
	struct partition *p;
	struct vcpu_state s;
	struct vp *vp;
	bool have_state = false;

	if (in.reps.end == c->rep_done)
		return st;
	if (in.vp_index == HV_VP_INDEX_SELF)
		return HV_STATUS_INVALID_VP_INDEX;
	st2 = vp_target(c, in.partition_id, in.vp_index, &p, &vp);
	if (st2 != HV_STATUS_SUCCESS)
		return st2;
	for (; c->rep_done < end; c->rep_done++) {
		uint32_t name = hvroot_list_u32(in.names, c->rep_done);
		union hv_register_value v = { .as_u64 = { 0, 0 } };

		if (is_suspend_reg(name)) {
			v.reg64 = vp->suspend & suspend_bit(name) ? 1 : 0;
		} else if (core_reg(vp, name) && quiet_for_core_regs(vp)) {
			v.reg64 = *core_reg(vp, name);	/* the core's copy: any CPU, as for a set */
		} else {
			if (!arch_access_ok(vp))
				return HV_STATUS_INVALID_VP_STATE;
			if (!have_state)
				vcpu_ops->get_state(&vp->vcpu, &s);
			have_state = true;
			if (!get_reg(vp, &s, name, &v))
				return HV_STATUS_INVALID_PARAMETER;
		}
		memcpy(c->out + (size_t)c->rep_done * sizeof(v), &v, sizeof(v));
	}
	return end == in.reps.end ? st : HV_STATUS_SUCCESS;
}

/* TLFS HvCallSetVpRegisters: in list order, so a list may end by resuming the VP. */
uint16_t hvroot_set_vp_registers(struct hc_call *c)
{
	struct hvroot_set_vp_registers in;
	uint16_t st = hvroot_decode_set_vp_registers(c->in, c->d.in_len, c->d.rep_count,
						     c->d.rep_start, &in);
	uint16_t end = MIN(in.reps.end, c->rep_end), st2;
	struct partition *p;
	struct vp *vp;

	if (in.reps.end == c->rep_done)
		return st;
	if (in.vp_index == HV_VP_INDEX_SELF)
		return HV_STATUS_INVALID_VP_INDEX;
	st2 = vp_target(c, in.partition_id, in.vp_index, &p, &vp);
	if (st2 != HV_STATUS_SUCCESS)
		return st2;
	for (; c->rep_done < end; c->rep_done++) {
		struct hv_register_assoc a;
		struct vcpu_state s;

		memcpy(&a, &in.assocs[c->rep_done], sizeof(a));
		if (is_suspend_reg(a.name)) {
			vp_suspend_set(vp, suspend_bit(a.name), a.value.reg64 & HV_REGISTER_SUSPEND_BIT);
			continue;
		}
		if (core_reg(vp, a.name) && quiet_for_core_regs(vp)) {
			*core_reg(vp, a.name) = a.value.reg64;
			continue;
		}
		if (!arch_access_ok(vp))
			return HV_STATUS_INVALID_VP_STATE;
		if (a.name == HV_X64_REGISTER_CR8 || a.name == HV_X64_REGISTER_INTERMEDIATE_CR8) {
			vcpu_ops->set_cr(&vp->vcpu, 8, a.value.reg64);
			continue;
		}
		vcpu_ops->get_state(&vp->vcpu, &s);
		st2 = set_reg(vp, &s, a.name, &a.value);
		if (st2 != HV_STATUS_SUCCESS)
			return st2;
		vcpu_ops->set_state(&vp->vcpu, &s);
	}
	return end == in.reps.end ? st : HV_STATUS_SUCCESS;
}

/*
 * TLFS HvCallAssertVirtualInterrupt. A LAPIC partition: any type, physical
 * or logical (partitions/lapic.c). Otherwise FIXED to the VP whose APIC id
 * is the VP index.
 */
uint16_t hvroot_assert_virtual_interrupt(struct hc_call *c)
{
	struct hvroot_assert_interrupt in;
	uint16_t st = hvroot_decode_assert_virtual_interrupt(c->in, c->d.in_len, &in);
	struct partition *p;
	struct vp *vp;

	st = hvroot_decoded_child(c, st, in.partition_id, HOSTED_OP_VP, &p);
	if (st != HV_STATUS_SUCCESS)
		return st;
	if (p->lapic) {		/* to whichever local APICs the destination names; none: dropped */
		lapic_send(p, NULL, (uint8_t)in.type, VLAPIC_SH_NONE, in.logical_dest,
			   in.dest_apic_id, in.vector, in.level_triggered);
		return HV_STATUS_SUCCESS;
	}
	if (in.type != HV_X64_INTERRUPT_TYPE_FIXED || in.logical_dest || in.dest_apic_id >= p->nvps)
		return HV_STATUS_INVALID_PARAMETER;
	vp = &p->vps[in.dest_apic_id];
	if (__atomic_load_n(&vp->leaving, __ATOMIC_ACQUIRE))
		return HV_STATUS_INVALID_VP_STATE;	/* being deleted (DeleteVp, Finalize) */
	sched_raise_irq(vp, in.vector);
	return HV_STATUS_SUCCESS;
}
