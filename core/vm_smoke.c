/*
 * `vmcheck`: boot-time self-test of the vCPU back-end. It builds a 2 MiB
 * guest by hand (page tables, GDT, code), runs it, and checks that each
 * expected exit arrives in order with sane decoded details. It does not use
 * partitions, so a back-end can be brought up before everything else.
 */
#include "core/vm_smoke.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/slpt_hv.h"
#include "core/vcpu.h"

#define GUEST_MEM	MIB(2)
#define GUEST_PML4	0x1000
#define GUEST_PDPT	0x2000
#define GUEST_PD	0x3000		/* two PDs: 0-1 GiB, 1-2 GiB */
#define GUEST_GDT	0x5000
#define GUEST_CODE	0x10000

extern const char smoke_guest_start[], smoke_guest_end[];
extern const char smoke_guest_hypercall[], smoke_guest_after_fault[];

static void build_guest(uint8_t *mem)
{
	uint64_t *pml4 = (uint64_t *)(mem + GUEST_PML4);
	uint64_t *pdpt = (uint64_t *)(mem + GUEST_PDPT);
	uint64_t *pd = (uint64_t *)(mem + GUEST_PD);
	uint64_t *gdt = (uint64_t *)(mem + GUEST_GDT);
	size_t len = (size_t)(smoke_guest_end - smoke_guest_start);

	pml4[0] = GUEST_PDPT | 3;
	pdpt[0] = GUEST_PD | 3;
	pdpt[1] = (GUEST_PD + 0x1000) | 3;
	for (unsigned i = 0; i < 1024; i++)
		pd[i] = (uint64_t)i * MIB(2) | 0x83;	/* present, writable, 2 MiB */
	gdt[1] = 0x00af9b000000ffffull;	/* 64-bit code */
	gdt[2] = 0x00cf93000000ffffull;	/* data */
	memcpy(mem + GUEST_CODE, smoke_guest_start, len);
	if (!strcmp(vcpu_ops->name, "svm"))	/* VMCALL 0f 01 c1 -> VMMCALL 0f 01 d9 */
		mem[GUEST_CODE + (smoke_guest_hypercall - smoke_guest_start) + 2] = 0xd9;
}

static const char *const step_names[] = {
	"cpuid", "io", "io", "io", "hypercall", "msr read", "hlt", "slp fault", "triple fault",
};
static const enum exit_reason steps[] = {
	EXIT_CPUID, EXIT_IO, EXIT_IO, EXIT_IO, EXIT_HYPERCALL, EXIT_MSR_READ, EXIT_HLT,
	EXIT_SLP_FAULT, EXIT_TRIPLE_FAULT,
};

/* Check one exit's details and step the guest past it. */
static bool handle(struct vcpu *v, const struct vm_exit *e, unsigned step)
{
	switch (e->reason) {
	case EXIT_CPUID:
		v->gpr[GPR_RBX] = 0x4d4d4d4d;
		v->rip += 2;
		return true;
	case EXIT_IO:
		if (e->u.io.port != 0xe9 || e->u.io.size != 1 || e->u.io.in)
			return false;
		v->rip += e->insn_len ? e->insn_len : 1;
		return true;
	case EXIT_HYPERCALL:
		if ((uint32_t)v->gpr[GPR_RAX] != 0x1234)
			return false;
		v->rip += 3;
		return true;
	case EXIT_MSR_READ:
		if ((uint32_t)v->gpr[GPR_RCX] != 0x40000001)
			return false;
		v->gpr[GPR_RAX] = v->gpr[GPR_RDX] = 0;
		v->rip += 2;
		return true;
	case EXIT_HLT:
		v->rip += 1;
		return true;
	case EXIT_SLP_FAULT:
		if (e->u.slp.gpa != 0x40000000 || !e->u.slp.write)
			return false;
		v->rip = GUEST_CODE + (uint64_t)(smoke_guest_after_fault - smoke_guest_start);
		return true;
	default:
		return step == ARRAY_SIZE(steps) - 1;
	}
}

bool vm_smoke_test(void)
{
	paddr_t mem = mm_alloc(GUEST_MEM / PAGE_SIZE, MIB(2), 0);
	struct vcpu v = { .last_cpu = -1 };
	struct vcpu_state s;
	struct slpt slpt;
	bool ok = false;
	unsigned step = 0;

	if (!mem || !slpt_init(&slpt, vcpu_ops->slpt, &slpt_hv_alloc)) {
		log_err("vmcheck: out of memory");
		return false;
	}
	memset(phys_to_virt(mem), 0, GUEST_MEM);
	build_guest(phys_to_virt(mem));
	if (!slpt_map(&slpt, 0, mem, GUEST_MEM, SLP_RWX, MEMTYPE_WB, true) ||
	    vcpu_ops->vcpu_init(&v, slpt.root)) {
		log_err("vmcheck: cannot set up the test vCPU");
		goto out;
	}
	vm_initial_state_long_mode(&s, GUEST_PML4, GUEST_GDT, 23, GUEST_CODE);
	vcpu_ops->set_state(&v, &s);
	for (step = 0; step < ARRAY_SIZE(steps); step++) {
		struct vm_exit e;

		for (vcpu_ops->run(&v, &e); e.reason == EXIT_EXTINT || e.reason == EXIT_NMI;
		     vcpu_ops->run(&v, &e))
			__asm__ volatile("sti; nop; cli" ::: "memory");	/* let the host take it */
		log_info("vmcheck: exit %u: reason %u (vendor 0x%lx, info 0x%lx), rip 0x%lx",
			 step, e.reason, e.vendor_code, e.vendor_info, v.rip);
		if (e.reason != steps[step] || !handle(&v, &e, step)) {
			log_err("vmcheck: step %u: expected %s exit, got reason %u",
				step, step_names[step], e.reason);
			goto out;
		}
	}
	ok = true;
out:
	if (v.arch)
		vcpu_ops->vcpu_free(&v);
	slpt_destroy(&slpt);
	mm_free(mem, GUEST_MEM / PAGE_SIZE);
	log_raw("hv: vmcheck: %s (%u of %u exits as expected)", ok ? "passed" : "FAILED",
		step, (unsigned)ARRAY_SIZE(steps));
	return ok;
}
