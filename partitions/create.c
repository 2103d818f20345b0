/*
 * Creating a partition, in the steps the root's hypercalls make one by one
 * (partitions/hvroot_*.c): the object with its empty pool and a table
 * slot (part_object_create, CreatePartition), its second-level tables
 * (part_initialize, InitializePartition), its VPs (part_vp_add,
 * CreateVp), its memory (the root's frames, MapGpaPages), then visible
 * (part_publish). The root partition (partitions/rootpart.c) takes the
 * object and VP steps too, paid from the hypervisor's own pages.
 */
#include "partitions/internal.h"
#include "partitions/intercept.h"
#include "arch/x86/cpu.h"
#include "core/abi/hypercall.h"
#include "core/lib.h"
#include "core/percpu.h"
#include "core/slpt_hv.h"
#include "core/abi/hypercall.h"
#include "core/sched.h"

/* Home CPUs: spread the vCPUs over the allowed CPUs, round robin from a moving start. */
static cpu_id_t pick_cpu(uint64_t mask, vp_index_t vp)
{
	static unsigned rotor;
	unsigned n = 0;
	cpu_id_t allowed[MAX_CPUS];

	for (unsigned c = 0; c < cpu_count; c++)
		if (!mask || cpu_mask_has(mask, to_cpu_id(c)))
			allowed[n++] = to_cpu_id(c);
	if (vp_index_val(vp) == 0)
		rotor++;	/* the next partition starts on the next CPU */
	return allowed[(rotor + vp_index_val(vp)) % n];
}

enum part_status part_vp_init(struct partition *p, unsigned i, uint64_t cpu_mask)
{
	struct vp *vp = &p->vps[i];

	vp->vcpu.part = p;
	vp->vcpu.index = to_vp_index(i);
	vp->vcpu.tsc_aux = i;	/* RDTSCP gives the VP index until the guest sets its own */
	vp->vcpu.last_cpu = -1;
	vp->vcpu.home_cpu = pick_cpu(cpu_mask, vp->vcpu.index);
	vp->state = VP_RUNNABLE;
	fpu_init_area(&vp->fpu);
	vp->dbg = (struct debug_regs){ .dr6 = 0xffff0ff0 };	/* DR6 at reset */
	synic_init(vp);
	return vcpu_ops->vcpu_init(&vp->vcpu, p->slpt.root, &p->pool) ? PART_ENOMEM : PART_OK;
}

enum part_status part_vp_add(struct partition *p, uint64_t cpu_mask)
{
	unsigned i = p->nvps;

	if (i >= PART_MAX_VPS)
		return PART_ELIMIT;
	p->nvps = i + 1;
	if (part_vp_init(p, i, cpu_mask) != PART_OK) {
		part_vp_free(&p->vps[i]);
		p->nvps = i;
		return PART_ENOMEM;
	}
	return PART_OK;
}

enum part_status part_vps_create(struct partition *p, unsigned vcpus, uint64_t cpu_mask)
{
	enum part_status st = PART_OK;

	while (st == PART_OK && p->nvps < vcpus)
		st = part_vp_add(p, cpu_mask);
	return st;
}

void part_vp_free(struct vp *vp)
{
	struct vcpu *v = &vp->vcpu;

	intercept_vp_release(vp);
	synic_release(vp);	/* nodes queued on it back to their senders; posts refused */
	if (v->arch)
		vcpu_ops->vcpu_free(v, &v->part->pool);
	v->arch = NULL;
}

enum part_status part_initialize(struct partition *p)
{
	return slpt_init(&p->slpt, vcpu_ops->slpt, &p->slpt_pages) ? PART_OK : PART_ENOMEM;
}

enum part_status part_object_create(const struct part_config *c, struct partition **out,
				    int *slot)
{
	enum part_status st;
	struct partition *p;
	part_id_t id;

	st = part_table_reserve(c->name, slot, &id);
	if (st != PART_OK)
		return st;
	p = part_object_alloc(c, c->parent_pool);
	if (!p) {
		part_table_release(*slot);
		return PART_ENOMEM;
	}
	memcpy(p->name, c->name, strnlen(c->name, PART_NAME_MAX - 1));
	p->id = id;
	p->mem_bytes = c->mem_bytes;
	p->state = PART_CREATED;
	p->privileges = c->privileges ? c->privileges : HV_PRIV_CHILD;
	p->created_tsc = rdtsc();
	p->hosted = c->hosted;
	p->slot = *slot;
	p->io_allowed[PART_DEBUG_PORT / 8] |= 1u << (PART_DEBUG_PORT % 8);
	*out = p;
	return PART_OK;
}

void part_publish(int slot, struct partition *p)
{
	part_table_publish(slot, p);
}
