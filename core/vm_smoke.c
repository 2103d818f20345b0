/*
 * `vmcheck`: boot-time self-test of the vCPU back-end. It builds a 2 MiB
 * guest by hand (page tables, GDT, code), runs it, and checks that each
 * expected exit arrives in order with sane decoded details, and that the
 * exceptions every back-end must intercept do exit. It does not use
 * partitions, so a back-end can be brought up before everything else.
 *
 * `benchfloor`: the same kind of guest measures the cheapest exit round
 * trip the back-end allows: CPUID exits answered by a host loop that only
 * steps RIP, the floor for `make bench`'s figures (docs/testing.md).
 */
#include "core/vm_smoke.h"
#include "arch/x86/cpu.h"
#include "core/lib.h"
#include "core/sched.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/pool_mm.h"
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
extern const char floor_guest_start[], floor_guest_end[];

struct test_vm {
	paddr_t mem;
	uint8_t *va;
	struct slpt slpt;
	struct vcpu v;
};

static void build_guest(uint8_t *mem, const char *code, const char *code_end)
{
	uint64_t *pml4 = (uint64_t *)(mem + GUEST_PML4);
	uint64_t *pdpt = (uint64_t *)(mem + GUEST_PDPT);
	uint64_t *pd = (uint64_t *)(mem + GUEST_PD);
	uint64_t *gdt = (uint64_t *)(mem + GUEST_GDT);

	pml4[0] = GUEST_PDPT | 3;
	pdpt[0] = GUEST_PD | 3;
	pdpt[1] = (GUEST_PD + 0x1000) | 3;
	for (unsigned i = 0; i < 1024; i++)
		pd[i] = (uint64_t)i * MIB(2) | 0x83;	/* present, writable, 2 MiB */
	gdt[1] = 0x00af9b000000ffffull;	/* 64-bit code */
	gdt[2] = 0x00cf93000000ffffull;	/* data */
	memcpy(mem + GUEST_CODE, code, (size_t)(code_end - code));
}

/* A 2 MiB guest running `code` in 64-bit mode with one vCPU; false if out of memory. */
static bool test_vm_create(struct test_vm *t, const char *code, const char *code_end)
{
	struct vcpu_state s;

	memset(t, 0, sizeof(*t));
	t->v.last_cpu = -1;
	t->mem = mm_alloc(GUEST_MEM / PAGE_SIZE, MIB(2), 0);
	if (!t->mem)
		return false;
	if (!slpt_init(&t->slpt, vcpu_ops->slpt, &slpt_hv_alloc)) {
		mm_free(t->mem, GUEST_MEM / PAGE_SIZE);
		t->mem = 0;
		return false;
	}
	t->va = phys_to_virt(t->mem);
	memset(t->va, 0, GUEST_MEM);
	build_guest(t->va, code, code_end);
	if (!slpt_map(&t->slpt, to_gpa(0), t->mem, GUEST_MEM, SLP_RWX, MEMTYPE_WB, true) ||
	    vcpu_ops->vcpu_init(&t->v, t->slpt.root, &mm_pool))
		return false;
	vm_initial_state_long_mode(&s, GUEST_PML4, GUEST_GDT, 23, GUEST_CODE);
	vcpu_ops->set_state(&t->v, &s);
	return true;
}

static void test_vm_destroy(struct test_vm *t)
{
	if (t->v.arch)
		vcpu_ops->vcpu_free(&t->v, &mm_pool);
	if (t->mem) {
		slpt_destroy(&t->slpt);
		mm_free(t->mem, GUEST_MEM / PAGE_SIZE);
	}
}

/* Run to the next exit that is the guest's, letting the host take its interrupts. */
static const struct vm_exit *run_to_guest_exit(struct vcpu *v)
{
	for (vcpu_ops->run(v); v->exit.reason == EXIT_EXTINT || v->exit.reason == EXIT_NMI;
	     vcpu_ops->run(v))
		sched_take_host_interrupts();
	return &v->exit;
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
		vcpu_skip_insn(v, 2);
		return true;
	case EXIT_IO:
		if (e->u.io.port != 0xe9 || e->u.io.size != 1 || e->u.io.in)
			return false;
		vcpu_skip_insn(v, e->insn_len ? e->insn_len : 1);
		return true;
	case EXIT_HYPERCALL:
		if ((uint32_t)v->gpr[GPR_RAX] != 0x1234)
			return false;
		vcpu_skip_insn(v, 3);
		return true;
	case EXIT_MSR_READ:
		if ((uint32_t)v->gpr[GPR_RCX] != 0x40000001)
			return false;
		v->gpr[GPR_RAX] = v->gpr[GPR_RDX] = 0;
		vcpu_skip_insn(v, 2);
		return true;
	case EXIT_HLT:
		vcpu_skip_insn(v, 1);
		return true;
	case EXIT_SLP_FAULT:
		if (gpa_val(e->u.slp.gpa) != 0x40000000 || !e->u.slp.write)
			return false;
		v->rip = GUEST_CODE + (uint64_t)(smoke_guest_after_fault - smoke_guest_start);
		return true;
	default:
		return step == ARRAY_SIZE(steps) - 1;
	}
}

/*
 * Exceptions whose delivery a guest can make loop inside the CPU with no
 * exit (#AC, CVE-2015-5307), or that are the hypervisor's (#MC): every
 * back-end intercepts them. AMD-V adds #DB (CVE-2015-8104).
 */
#define EXC_MUST_EXIT	(1u << EXC_AC | 1u << EXC_MC)

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#9", "#TS", "#NP",
	"#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

/* The intercept mask as the hardware state holds it, logged by name. */
static bool check_exception_intercepts(struct vcpu *v)
{
	uint32_t mask = vcpu_ops->intercepted_exceptions(v);
	char names[160] = "";
	size_t n = 0;

	for (unsigned i = 0; i < 32; i++)
		if (mask >> i & 1)
			n += (size_t)fmt_snprintf(names + n, sizeof(names) - n, " %s", exc_names[i]);
	log_raw("hv: vmcheck: exceptions that always exit:%s", n ? names : " none");
	if ((mask & EXC_MUST_EXIT) == EXC_MUST_EXIT)
		return true;
	log_err("vmcheck: #AC and #MC must exit; the intercept mask is 0x%x", mask);
	return false;
}

/*
 * Machine checks reach the host's #MC handler, on the host and while the
 * test guest runs: CR4.MCE is set in both, though the guest wrote 0
 * (vm_initial_state_long_mode), and reads back as 0 (SDM Vol. 3B, 17.3.1;
 * APM Vol. 2, 9.3: with CR4.MCE clear a machine check shuts the
 * processor down).
 */
static bool check_machine_check_enabled(struct vcpu *v)
{
	bool host = read_cr4() & CR4_MCE, guest = vcpu_ops->hw_cr4(v) & CR4_MCE;
	bool seen = vcpu_ops->get_cr(v, 4) & CR4_MCE;

	log_raw("hv: vmcheck: CR4.MCE host %u, guest hardware %u, guest reads %u",
		(unsigned)host, (unsigned)guest, (unsigned)seen);
	if (host && guest && !seen)
		return true;
	log_err("vmcheck: CR4.MCE must be set on the host and in the guest's hardware CR4 "
		"and read back as the guest wrote it (0)");
	return false;
}

bool vm_smoke_test(void)
{
	struct test_vm t;
	bool ok = false, checks_ok = false;
	unsigned step = 0;

	if (!test_vm_create(&t, smoke_guest_start, smoke_guest_end)) {
		log_err("vmcheck: cannot set up the test vCPU");
		goto out;
	}
	memcpy(t.va + GUEST_CODE + (smoke_guest_hypercall - smoke_guest_start),
	       vcpu_ops->hypercall_insn, sizeof(vcpu_ops->hypercall_insn));
	checks_ok = check_exception_intercepts(&t.v);
	checks_ok = check_machine_check_enabled(&t.v) && checks_ok;
	for (step = 0; step < ARRAY_SIZE(steps); step++) {
		const struct vm_exit *e = run_to_guest_exit(&t.v);

		log_info("vmcheck: exit %u: reason %u (vendor 0x%lx, info 0x%lx), rip 0x%lx",
			 step, e->reason, e->vendor_code, e->vendor_info, t.v.rip);
		if (e->reason != steps[step] || !handle(&t.v, e, step)) {
			log_err("vmcheck: step %u: expected %s exit, got reason %u",
				step, step_names[step], e->reason);
			goto out;
		}
	}
	ok = checks_ok;
out:
	test_vm_destroy(&t);
	log_raw("hv: vmcheck: %s (%u of %u exits as expected)", ok ? "passed" : "FAILED",
		step, (unsigned)ARRAY_SIZE(steps));
	return ok;
}

#define FLOOR_ROUNDS	2000	/* as tests/guests/bench.c */

typedef void (*run_fn)(struct vcpu *v);

/*
 * One timing pass of the floor guest (vm_smoke_guest.S), entered through
 * `run`: the least a handler can do is step over the CPUID. The guest
 * times FLOOR_ROUNDS turns of an empty loop and of the same loop around
 * CPUID; the difference per turn is one exit round trip, in TSC ticks.
 */
static bool floor_pass(struct vcpu *v, run_fn run, uint64_t *ticks)
{
	const uint64_t *r = v->gpr;
	const struct vm_exit *e = &v->exit;

	for (;;) {
		run(v);
		if (e->reason == EXIT_CPUID)
			vcpu_skip_insn(v, 2);
		else if (e->reason == EXIT_EXTINT || e->reason == EXIT_NMI)
			sched_take_host_interrupts();
		else
			break;
	}
	if (e->reason != EXIT_HLT || r[GPR_R10] - r[GPR_R9] <= r[GPR_R9] - r[GPR_R8]) {
		log_err("benchfloor: the guest ended with exit reason %u", e->reason);
		return false;
	}
	*ticks = ((r[GPR_R10] - r[GPR_R9]) - (r[GPR_R9] - r[GPR_R8])) / FLOOR_ROUNDS;
	vcpu_skip_insn(v, 1);
	return true;
}

/*
 * The floors of `make bench`: a CPUID round trip through a loop around the
 * back-end's entry stub (VMRUN or VMRESUME with the guest's registers
 * switched, and a RIP step: what any exit costs), and through
 * vcpu_ops->run with the same trivial handler (adding the back-end's
 * per-entry work).
 */
void vm_bench_floor(void)
{
	struct test_vm t;
	uint64_t bare, run;

	if (!test_vm_create(&t, floor_guest_start, floor_guest_end)) {
		log_err("benchfloor: cannot set up the test vCPU");
		test_vm_destroy(&t);
		return;
	}
	t.v.gpr[GPR_RDI] = FLOOR_ROUNDS;
	run_to_guest_exit(&t.v);		/* the warm-up CPUID */
	vcpu_skip_insn(&t.v, 2);
	if (t.v.exit.reason == EXIT_CPUID && floor_pass(&t.v, vcpu_ops->run_bare, &bare) &&
	    floor_pass(&t.v, vcpu_ops->run, &run))
		log_raw("hv: BENCH %s floor=%lu run_floor=%lu (TSC ticks per CPUID round trip)",
			vcpu_ops->name, bare, run);
	test_vm_destroy(&t);
}
