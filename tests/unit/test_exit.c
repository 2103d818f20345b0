/*
 * Host unit tests for the exit dispatch table (core/exit.c, included here
 * so its static table can be inspected) and the control-register handler
 * (core/cr.c, linked). The back-end is a fake vcpu_ops that records what
 * is injected and which control registers are set; the platform answers
 * CPUID from a table the tests choose, and the partition records a crash.
 * The external-interrupt handler is left out: it enables host interrupts.
 * The scheduler records the interrupts raised and the host's turns to
 * take its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/exit.c"
#include "core/abi/hypercall.h"

/* ---- fakes ------------------------------------------------------------------ */

static struct {
	struct vcpu_event injected;
	unsigned injections;
	unsigned set_cr_calls;
	unsigned set_cr;
	uint64_t set_val;
	uint64_t cr[9];
	struct vcpu_state state;
	const char *crashed;
	unsigned hypercalls;
	uint8_t raised_irq;
	unsigned raises, host_irq_turns;
	bool io_allow;
	uint32_t io_value;
	bool msr_allow;
	unsigned host_cpuids;
	uint32_t leaf1_ecx, leaf1_edx, leaf7_ebx, leaf7_ecx;
	/* the intercept path: what went to the root, in order */
	char to_root[8];
	unsigned nto_root;
	bool crashed_after_root;	/* partition_crash came after intercept_crash */
} fake;

static void fake_inject(struct vcpu *v, const struct vcpu_event *ev)
{
	(void)v;
	fake.injected = *ev;
	fake.injections++;
}

static void fake_get_state(struct vcpu *v, struct vcpu_state *s)
{
	(void)v;
	*s = fake.state;
}

static uint64_t fake_get_cr(struct vcpu *v, unsigned cr)
{
	(void)v;
	assert_true(cr < 9);
	return fake.cr[cr];
}

static void fake_set_cr(struct vcpu *v, unsigned cr, uint64_t val)
{
	(void)v;
	fake.set_cr_calls++;
	fake.set_cr = cr;
	fake.set_val = val;
}

static struct vcpu_caps fake_caps;

static const struct vcpu_ops fake_ops = {
	.name = "fake",
	.caps = &fake_caps,
	.inject = fake_inject,
	.get_state = fake_get_state,
	.get_cr = fake_get_cr,
	.set_cr = fake_set_cr,
};
const struct vcpu_ops *vcpu_ops = &fake_ops;

void platform_cpuid_host(struct vp *vp)
{
	uint64_t *r = vp->vcpu.gpr;
	uint32_t leaf = (uint32_t)r[GPR_RAX];

	fake.host_cpuids++;
	r[GPR_RAX] = leaf == 0 ? 7 : 0x1234;
	r[GPR_RBX] = leaf == 7 ? fake.leaf7_ebx : 0x5678;
	r[GPR_RCX] = leaf == 1 ? fake.leaf1_ecx : leaf == 7 ? fake.leaf7_ecx : 0;
	r[GPR_RDX] = leaf == 1 ? fake.leaf1_edx : 0;
}

bool platform_msr_read(struct vp *vp, uint32_t msr, uint64_t *val)
{
	(void)vp;
	*val = 0x1122334455667788ull ^ msr;
	return fake.msr_allow;
}

bool platform_msr_write(struct vp *vp, uint32_t msr, uint64_t val)
{
	(void)vp, (void)msr, (void)val;
	return fake.msr_allow;
}

bool platform_io(struct vp *vp, uint16_t port, uint8_t size, bool in, uint32_t *val)
{
	(void)vp, (void)port, (void)size;
	if (in && fake.io_allow)
		*val = fake.io_value;
	return fake.io_allow;
}

bool platform_mmio(struct vp *vp, const struct vm_exit *e)
{
	(void)vp, (void)e;
	return false;
}

static void to_root(char what)
{
	assert_true(fake.nto_root < sizeof(fake.to_root));
	fake.to_root[fake.nto_root++] = what;
}

void intercept_io(struct vp *v, const struct vm_exit *e)
{
	(void)v, (void)e;
	to_root('i');
}

void intercept_memory(struct vp *v, const struct vm_exit *e)
{
	(void)v, (void)e;
	to_root('m');
}

void intercept_halt(struct vp *v)
{
	(void)v;
	to_root('h');
}

void lapic_park(struct vp *v)
{
	(void)v;
	to_root('p');
}

void intercept_crash(struct vp *v)
{
	(void)v;
	to_root('c');
}

void partition_crash(struct partition *p, struct vp *vp, const char *why)
{
	static char saved[128];

	(void)p, (void)vp;
	fake.crashed_after_root = fake.nto_root && fake.to_root[fake.nto_root - 1] == 'c';
	strncpy(saved, why, sizeof(saved) - 1);
	fake.crashed = saved;
}

enum exit_action hypercall_dispatch(struct vp *vp, const struct vm_exit *e)
{
	(void)vp, (void)e;
	fake.hypercalls++;
	return EXIT_ACTION_RESUME;
}

void sched_raise_irq(struct vp *v, uint8_t vector)
{
	(void)v;
	fake.raised_irq = vector;
	fake.raises++;
}

void sched_take_host_interrupts(void)
{
	fake.host_irq_turns++;
}

bool panic_in_progress(void)
{
	return false;
}

void panic_stop_this_cpu(void)
{
	fail_msg("stopped for a panic");
	abort();
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	fail_msg("panic at %s:%d (%s)", file, line, fmt);
	abort();
}

/* ---- helpers ------------------------------------------------------------------ */

static struct vp vp;
static struct partition part;		/* its I/O bitmap: on_io checks it inline */

#define RIP0		0x401000ull
#define CPUID1_EDX	(1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 6 | 1u << 7 | \
			 1u << 13 | 1u << 24 | 1u << 25)	/* VME DE PSE TSC PAE MCE PGE FXSR SSE */
#define CR0_LONG	(CR0_PG | CR0_NE | CR0_ET | CR0_PE)

static int setup(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof(fake));
	memset(&vp, 0, sizeof(vp));
	memset(&part, 0, sizeof(part));
	vp.vcpu.part = &part;
	vp.vcpu.rip = RIP0;
	fake_caps.cr4 = ~0ull;			/* the back-end can load any CR4 bit */
	fake.leaf1_edx = CPUID1_EDX;
	fake.leaf7_ebx = 1u << 0 | 1u << 7;		/* FSGSBASE, SMEP; no PKU */
	/* 64-bit mode */
	fake.state.cr0 = CR0_LONG;
	fake.state.cr4 = CR4_PAE;
	fake.state.efer = EFER_LME | EFER_LMA;
	fake.state.cs.attr = 0xa9b;
	return 0;
}

static enum exit_action dispatch(enum exit_reason reason, uint8_t len)
{
	struct vm_exit e;

	memset(&e, 0, sizeof(e));
	e.reason = reason;
	e.insn_len = len;
	return exit_dispatch(&vp, &e);
}

static enum exit_action cr_exit(unsigned cr, enum cr_access_type type, enum gpr gpr, uint8_t len)
{
	struct vm_exit e;

	memset(&e, 0, sizeof(e));
	e.reason = EXIT_CR_ACCESS;
	e.u.cr.cr = (uint8_t)cr;
	e.u.cr.type = (uint8_t)type;
	e.u.cr.gpr = (uint8_t)gpr;
	e.insn_len = len;
	return exit_dispatch(&vp, &e);
}

static void assert_fault(uint8_t vector)
{
	assert_int_equal(fake.injections, 1);
	assert_int_equal(fake.injected.type, EVENT_EXCEPTION);
	assert_int_equal(fake.injected.vector, vector);
	assert_int_equal(vp.vcpu.rip, RIP0);		/* a fault: the instruction is not done */
	assert_int_equal(fake.set_cr_calls, 0);
	fake.injections = 0;
}

/* ---- the table ------------------------------------------------------------------ */

static void every_reason_has_a_handler(void **state)
{
	(void)state;
	assert_int_equal(ARRAY_SIZE(exit_table), EXIT_REASON_COUNT);
	for (unsigned r = 0; r < EXIT_REASON_COUNT; r++)
		if (!exit_table[r])
			fail_msg("exit reason %u has no handler", r);
}

static void exits_are_counted(void **state)
{
	(void)state;
	dispatch(EXIT_CPUID, 2);
	dispatch(EXIT_CPUID, 2);
	dispatch(EXIT_HLT, 1);
	assert_int_equal(vp.stats.exits[EXIT_CPUID], 2);
	assert_int_equal(vp.stats.exits[EXIT_HLT], 1);
}

/* ---- the simple handlers ---------------------------------------------------------- */

static void instructions_are_skipped(void **state)
{
	(void)state;
	assert_int_equal(dispatch(EXIT_CPUID, 2), EXIT_ACTION_RESUME);
	assert_int_equal(vp.vcpu.gpr[GPR_RBX], 0x5678);
	assert_int_equal(vp.vcpu.rip, RIP0 + 2);
	assert_int_equal(dispatch(EXIT_HLT, 1), EXIT_ACTION_BLOCK);
	assert_int_equal(vp.vcpu.rip, RIP0 + 3);
	assert_int_equal(dispatch(EXIT_CACHE_FLUSH, 2), EXIT_ACTION_RESUME);
	assert_int_equal(vp.vcpu.rip, RIP0 + 5);
	/* a hypercall's RIP is hypercall_dispatch's (it may raise #UD instead) */
	assert_int_equal(dispatch(EXIT_HYPERCALL, 3), EXIT_ACTION_RESUME);
	assert_int_equal(vp.vcpu.rip, RIP0 + 5);
	assert_int_equal(fake.hypercalls, 1);
	assert_int_equal(dispatch(EXIT_IRQ_WINDOW, 0), EXIT_ACTION_RESUME);
	assert_int_equal(dispatch(EXIT_NMI, 0), EXIT_ACTION_RESUME);
	assert_int_equal(vp.vcpu.rip, RIP0 + 5);
}

/* The hypervisor leaves are answered inline (partitions/platform.h), without the host's CPUID. */
static void hypervisor_leaves(void **state)
{
	static const struct { uint64_t rax; uint32_t eax, ebx, ecx, edx; } rows[] = {
		{ HV_CPUID_VENDOR_LEAF, HV_CPUID_MAX_LEAF, HV_CPUID_VENDOR_EBX,
		  HV_CPUID_VENDOR_ECX, HV_CPUID_VENDOR_EDX },
		{ 0xffffffff00000000ull | HV_CPUID_VENDOR_LEAF, HV_CPUID_MAX_LEAF,
		  HV_CPUID_VENDOR_EBX, HV_CPUID_VENDOR_ECX, HV_CPUID_VENDOR_EDX },
		{ 0x40000001, 0x31237648, 0, 0, 0 },			/* "Hv#1" */
		{ 0x40000003, (uint32_t)HV_PRIV_CHILD, (uint32_t)(HV_PRIV_CHILD >> 32), 0,
		  HV_CPUID_FEATURES_EDX },
		{ 0x40000005, PART_MAX_VPS, MAX_CPUS, 0, 0 },
		{ HV_CPUID_MAX_LEAF + 1, 0, 0, 0, 0 },
		{ 0x4fffffff, 0, 0, 0, 0 },
	};
	uint64_t *r = vp.vcpu.gpr;

	(void)state;
	part.privileges = HV_PRIV_CHILD;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		vp.vcpu.rip = RIP0;
		r[GPR_RAX] = rows[i].rax;
		r[GPR_RBX] = r[GPR_RCX] = r[GPR_RDX] = ~0ull;
		assert_int_equal(dispatch(EXIT_CPUID, 2), EXIT_ACTION_RESUME);
		assert_int_equal(r[GPR_RAX], rows[i].eax);
		assert_int_equal(r[GPR_RBX], rows[i].ebx);
		assert_int_equal(r[GPR_RCX], rows[i].ecx);
		assert_int_equal(r[GPR_RDX], rows[i].edx);
		assert_int_equal(vp.vcpu.rip, RIP0 + 2);
		assert_true(vp.vcpu.insn_skipped);
	}
	assert_int_equal(fake.host_cpuids, 0);
	r[GPR_RAX] = 0x50000000;			/* past the range: the host's */
	dispatch(EXIT_CPUID, 2);
	assert_int_equal(fake.host_cpuids, 1);
}

static void msrs(void **state)
{
	(void)state;
	vp.vcpu.gpr[GPR_RCX] = 0x10;
	fake.msr_allow = true;
	assert_int_equal(dispatch(EXIT_MSR_READ, 2), EXIT_ACTION_RESUME);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], 0x55667798);
	assert_int_equal(vp.vcpu.gpr[GPR_RDX], 0x11223344);
	assert_int_equal(vp.vcpu.rip, RIP0 + 2);
	vp.vcpu.rip = RIP0;
	fake.msr_allow = false;
	dispatch(EXIT_MSR_WRITE, 2);
	assert_fault(13);
	dispatch(EXIT_MSR_READ, 2);
	assert_fault(13);
	assert_int_equal(vp.stats.msr_denied, 2);
}

static enum exit_action io_in(uint8_t size, bool string)
{
	struct vm_exit e;

	memset(&e, 0, sizeof(e));
	e.reason = EXIT_IO;
	e.insn_len = 1;
	e.u.io.port = 0x60;
	e.u.io.size = size;
	e.u.io.in = true;
	e.u.io.string = string;
	return exit_dispatch(&vp, &e);
}

/* IN: a 32-bit destination zero-extends, 8 and 16 bits merge; denied reads all ones. */
static void port_input(void **state)
{
	const uint64_t fill = 0x5a5a5a5a5a5a5a5aull;

	(void)state;
	vp.vcpu.gpr[GPR_RAX] = fill;
	io_in(4, false);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], 0xffffffffull);
	vp.vcpu.gpr[GPR_RAX] = fill;
	io_in(2, false);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], (fill & ~0xffffull) | 0xffff);
	vp.vcpu.gpr[GPR_RAX] = fill;
	io_in(1, false);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], (fill & ~0xffull) | 0xff);
	assert_int_equal(vp.stats.io_denied, 3);
	part.io_allowed[0x60 / 8] = 1u << (0x60 % 8);	/* allowed, but no device answers */
	io_in(1, false);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], fill | 0xff);
	assert_int_equal(vp.stats.io_denied, 4);
	fake.io_allow = true;
	fake.io_value = 0xe9;
	vp.vcpu.gpr[GPR_RAX] = fill;
	io_in(4, false);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], 0xe9);
	vp.vcpu.gpr[GPR_RAX] = fill;
	io_in(2, false);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], (fill & ~0xffffull) | 0xe9);	/* merged */
	vp.vcpu.gpr[GPR_RAX] = fill;
	io_in(4, true);				/* INS: RAX is not the destination */
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], fill);
	assert_int_equal(vp.stats.io_denied, 5);
	assert_int_equal(vp.vcpu.rip, RIP0 + 7);
}

static void unsupported_instruction_raises_ud(void **state)
{
	(void)state;
	assert_int_equal(dispatch(EXIT_UNSUPPORTED_INSN, 3), EXIT_ACTION_RESUME);
	assert_int_equal(fake.injected.has_error, false);
	assert_fault(6);
}

static enum exit_action exception_exit(uint8_t vector, bool has_error, uint8_t irq_in_delivery)
{
	struct vm_exit e;

	memset(&e, 0, sizeof(e));
	e.reason = EXIT_EXCEPTION;
	e.u.exc.vector = vector;
	e.u.exc.has_error = has_error;
	e.u.exc.error = has_error ? 1 : 0;
	e.u.exc.irq_in_delivery = irq_in_delivery;
	return exit_dispatch(&vp, &e);
}

/*
 * #AC and #DB go back into the guest as they came, and the host then
 * takes its pending interrupts: a guest whose delivery of one raises it
 * again exits here for ever, with no interrupt exit in between.
 */
static void ac_and_db_are_reflected(void **state)
{
	(void)state;
	assert_int_equal(exception_exit(17, true, 0), EXIT_ACTION_RESUME);
	assert_true(fake.injected.type == EVENT_EXCEPTION && fake.injected.vector == 17 &&
		    fake.injected.has_error && fake.injected.error == 1);
	assert_int_equal(fake.host_irq_turns, 1);
	assert_int_equal(exception_exit(1, false, 0), EXIT_ACTION_RESUME);
	assert_true(fake.injected.vector == 1 && !fake.injected.has_error);
	assert_int_equal(fake.host_irq_turns, 2);
	assert_int_equal(fake.raises, 0);
	assert_int_equal(vp.vcpu.rip, RIP0);
	assert_null(fake.crashed);
}

/* An interrupt whose delivery the exception interrupted is not lost: it is pending again. */
static void interrupt_in_delivery_stays_pending(void **state)
{
	(void)state;
	assert_int_equal(exception_exit(17, true, 0x40), EXIT_ACTION_RESUME);
	assert_int_equal(fake.injected.vector, 17);
	assert_int_equal(fake.raises, 1);
	assert_int_equal(fake.raised_irq, 0x40);
}

static void fatal_exits_crash_the_partition(void **state)
{
	static const enum exit_reason reasons[] = {
		EXIT_EXCEPTION, EXIT_TRIPLE_FAULT, EXIT_ENTRY_FAILED, EXIT_OTHER, EXIT_SLP_FAULT,
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(reasons); i++) {
		fake.crashed = NULL;
		assert_int_equal(dispatch(reasons[i], 0), EXIT_ACTION_STOP);
		assert_non_null(fake.crashed);
	}
}

/* ---- a child of the root's: its exits go to the root --------------------------------- */

static enum exit_action io_exit(uint16_t port, bool in, bool string)
{
	struct vm_exit e;

	memset(&e, 0, sizeof(e));
	e.reason = EXIT_IO;
	e.insn_len = 1;
	e.u.io.port = port;
	e.u.io.size = 1;
	e.u.io.in = in;
	e.u.io.string = string;
	return exit_dispatch(&vp, &e);
}

/* Every port, the debug port and allowed ones included: RIP stays, the VP waits for the root. */
static void root_child_ports_go_to_the_root(void **state)
{
	(void)state;
	part.intercepts_to_root = true;
	fake.io_allow = true;
	part.io_allowed[0xe9 / 8] = 0xff;
	assert_int_equal(io_exit(0xe9, false, false), EXIT_ACTION_SUSPEND);
	assert_int_equal(io_exit(0x3f8, true, false), EXIT_ACTION_SUSPEND);
	assert_int_equal(io_exit(0x3f8, false, true), EXIT_ACTION_SUSPEND);
	assert_memory_equal(fake.to_root, "iii", 3);
	assert_int_equal(vp.vcpu.rip, RIP0);
	assert_false(vp.vcpu.insn_skipped);
	assert_int_equal(vp.stats.io_denied, 0);
}

/* Without the flag (a transitional partition= child), nothing changes. */
static void other_children_keep_their_ports(void **state)
{
	(void)state;
	assert_int_equal(io_exit(0x3f8, false, false), EXIT_ACTION_RESUME);
	assert_int_equal(vp.vcpu.rip, RIP0 + 1);
	assert_int_equal(fake.nto_root, 0);
	assert_int_equal(dispatch(EXIT_SLP_FAULT, 0), EXIT_ACTION_STOP);
	assert_int_equal(fake.nto_root, 0);
}

static void root_child_memory_faults_go_to_the_root(void **state)
{
	(void)state;
	part.intercepts_to_root = true;
	assert_int_equal(dispatch(EXIT_SLP_FAULT, 0), EXIT_ACTION_SUSPEND);
	assert_memory_equal(fake.to_root, "m", 1);
	assert_null(fake.crashed);
	assert_int_equal(vp.vcpu.rip, RIP0);
}

/* A child of the root's: HLT with IF set blocks as ever, RIP past it; then IF is cleared. */
static void root_child_hlt_with_if_blocks(void)
{
	part.intercepts_to_root = true;
	fake.state.rflags = RFLAGS_IF;
	assert_int_equal(dispatch(EXIT_HLT, 1), EXIT_ACTION_BLOCK);
	assert_int_equal(vp.vcpu.rip, RIP0 + 1);
	fake.state.rflags = 0;
}

/* HLT with IF clear and no timer can never wake: HALT; otherwise it blocks as ever. */
static void root_child_halt(void **state)
{
	(void)state;
	root_child_hlt_with_if_blocks();
	vp.timer_deadline = 5;
	assert_int_equal(dispatch(EXIT_HLT, 1), EXIT_ACTION_BLOCK);
	assert_int_equal(fake.nto_root, 0);
	vp.timer_deadline = 0;
	assert_int_equal(dispatch(EXIT_HLT, 1), EXIT_ACTION_SUSPEND);
	assert_memory_equal(fake.to_root, "h", 1);
	assert_int_equal(vp.vcpu.rip, RIP0 + 2);	/* on the HLT */
}

/*
 * With local APICs, HLT with IF clear parks the VP (lapic.c) whether or not a
 * timer is armed (its interrupt could not end the HLT); IF set blocks as ever.
 */
static void lapic_child_hlt_parks(void **state)
{
	(void)state;
	part.lapic = true;
	root_child_hlt_with_if_blocks();
	vp.timer_deadline = 5;
	assert_int_equal(dispatch(EXIT_HLT, 1), EXIT_ACTION_SUSPEND);
	assert_memory_equal(fake.to_root, "p", 1);
	assert_int_equal(vp.vcpu.rip, RIP0 + 1);	/* on the HLT */
}

/* Fatal exits: the root is told first, then the child crashes. */
static void root_child_crash_tells_the_root(void **state)
{
	(void)state;
	part.intercepts_to_root = true;
	assert_int_equal(dispatch(EXIT_TRIPLE_FAULT, 0), EXIT_ACTION_STOP);
	assert_memory_equal(fake.to_root, "c", 1);
	assert_non_null(fake.crashed);
	assert_true(fake.crashed_after_root);
}

/* ---- control registers ----------------------------------------------------------- */

static void cr8_reads_and_writes(void **state)
{
	(void)state;
	vp.vcpu.gpr[GPR_R9] = 7;
	assert_int_equal(cr_exit(8, CR_MOV_TO, GPR_R9, 4), EXIT_ACTION_RESUME);
	assert_true(fake.set_cr_calls == 1 && fake.set_cr == 8 && fake.set_val == 7);
	assert_int_equal(vp.vcpu.rip, RIP0 + 4);
	fake.cr[8] = 11;
	cr_exit(8, CR_MOV_FROM, GPR_R15, 4);
	assert_int_equal(vp.vcpu.gpr[GPR_R15], 11);
	assert_int_equal(vp.vcpu.rip, RIP0 + 8);
	vp.vcpu.rip = RIP0;
	fake.set_cr_calls = 0;
	vp.vcpu.gpr[GPR_RAX] = 0x10;		/* bits 63:4 are reserved */
	cr_exit(8, CR_MOV_TO, GPR_RAX, 4);
	assert_fault(13);
}

static void cr0_writes(void **state)
{
	(void)state;
	/* NE off and on: fine */
	vp.vcpu.gpr[GPR_RAX] = CR0_LONG & ~CR0_NE;
	cr_exit(0, CR_MOV_TO, GPR_RAX, 3);
	assert_true(fake.set_cr_calls == 1 && fake.set_cr == 0 && fake.set_val == (CR0_LONG & ~CR0_NE));
	assert_int_equal(vp.vcpu.rip, RIP0 + 3);
	vp.vcpu.rip = RIP0;
	fake.set_cr_calls = 0;

	vp.vcpu.gpr[GPR_RAX] = CR0_LONG & ~CR0_PE;			/* PG without PE */
	cr_exit(0, CR_MOV_TO, GPR_RAX, 3);
	assert_fault(13);
	vp.vcpu.gpr[GPR_RAX] = CR0_LONG | 1ull << 32;			/* reserved high half */
	cr_exit(0, CR_MOV_TO, GPR_RAX, 3);
	assert_fault(13);
	vp.vcpu.gpr[GPR_RAX] = CR0_LONG | CR0_NW;			/* NW without CD */
	cr_exit(0, CR_MOV_TO, GPR_RAX, 3);
	assert_fault(13);
	vp.vcpu.gpr[GPR_RAX] = CR0_LONG & ~CR0_PG;			/* PG off in 64-bit mode */
	cr_exit(0, CR_MOV_TO, GPR_RAX, 3);
	assert_fault(13);
}

/* Outside 64-bit mode the source is 32 bits; turning on paging under LME needs PAE. */
static void cr0_writes_in_32bit_mode(void **state)
{
	(void)state;
	fake.state.cr0 = CR0_PE | CR0_ET;
	fake.state.cr4 = 0;
	fake.state.efer = 0;
	fake.state.cs.attr = 0xc9b;
	vp.vcpu.gpr[GPR_RAX] = 0xdead000000000000ull | CR0_PE | CR0_ET | CR0_NE;
	cr_exit(0, CR_MOV_TO, GPR_RAX, 3);
	assert_true(fake.set_cr_calls == 1 && fake.set_val == (CR0_PE | CR0_ET | CR0_NE));
	fake.set_cr_calls = 0;
	vp.vcpu.rip = RIP0;
	fake.state.efer = EFER_LME;
	vp.vcpu.gpr[GPR_RAX] = CR0_PE | CR0_PG;
	cr_exit(0, CR_MOV_TO, GPR_RAX, 3);
	assert_fault(13);
	fake.state.cr4 = CR4_PAE;
	cr_exit(0, CR_MOV_TO, GPR_RAX, 3);
	assert_true(fake.set_cr_calls == 1 && fake.set_val == (CR0_PE | CR0_PG));
}

/* CLTS clears TS; LMSW loads the low four bits but cannot clear PE. */
static void clts_and_lmsw(void **state)
{
	struct vm_exit e;

	(void)state;
	fake.state.cr0 = CR0_LONG | CR0_TS | CR0_MP;
	cr_exit(0, CR_CLTS, 0, 2);
	assert_int_equal(fake.set_val, CR0_LONG | CR0_MP);
	memset(&e, 0, sizeof(e));
	e.reason = EXIT_CR_ACCESS;
	e.u.cr.type = CR_LMSW;
	e.u.cr.lmsw = 0xfff4;			/* EM set, PE/MP/TS clear */
	e.insn_len = 3;
	exit_dispatch(&vp, &e);
	assert_int_equal(fake.set_val, CR0_LONG | CR0_EM);
	assert_int_equal(vp.vcpu.rip, RIP0 + 5);
}

static uint64_t cr4_try(uint64_t val)
{
	fake.injections = 0;
	fake.set_cr_calls = 0;
	vp.vcpu.rip = RIP0;
	vp.vcpu.gpr[GPR_RDX] = val;
	cr_exit(4, CR_MOV_TO, GPR_RDX, 3);
	return fake.injections ? 13 : fake.set_cr_calls;
}

/* CR4 takes the bits of features the partition's CPUID shows, and no others. */
static void cr4_follows_cpuid(void **state)
{
	(void)state;
	assert_int_equal(cr4_try(CR4_PAE | CR4_PSE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT), 1);
	assert_int_equal(fake.set_val, CR4_PAE | CR4_PSE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT);
	assert_int_equal(vp.vcpu.rip, RIP0 + 3);
	assert_int_equal(cr4_try(CR4_PAE | CR4_FSGSBASE | CR4_SMEP | CR4_PCE), 1);
	assert_int_equal(cr4_try(CR4_PAE | CR4_VMXE), 13);
	assert_int_equal(cr4_try(CR4_PAE | CR4_SMXE), 13);
	assert_int_equal(cr4_try(CR4_PAE | CR4_PKE), 13);		/* PKU hidden */
	assert_int_equal(cr4_try(CR4_PAE | CR4_OSXSAVE), 13);		/* XSAVE hidden */
	assert_int_equal(cr4_try(CR4_PAE | CR4_SMAP), 13);		/* not in leaf 7 */
	assert_int_equal(cr4_try(CR4_PAE | CR4_CET), 13);		/* never */
	assert_int_equal(cr4_try(CR4_PAE | 1ull << 15), 13);		/* reserved */
	assert_int_equal(cr4_try(CR4_PAE | 1ull << 32), 13);
	/* shown features become allowed: PKU and XSAVE once CPUID has them */
	fake.leaf7_ecx = 1u << 3;
	fake.leaf1_ecx = 1u << 26;
	assert_int_equal(cr4_try(CR4_PAE | CR4_PKE | CR4_OSXSAVE), 1);
	/* the guest's registers are its own again after the CPUID lookups */
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RBX], 0);
}

/*
 * A CR4 bit the back-end cannot load (vcpu_caps.cr4: on VT-x, what
 * IA32_VMX_CR4_FIXED1 allows) raises #GP even if CPUID shows its feature:
 * the guest would read it back set and run without it.
 */
static void cr4_follows_the_back_end(void **state)
{
	(void)state;
	fake.leaf7_ecx = 1u << 2;				/* UMIP */
	assert_int_equal(cr4_try(CR4_PAE | CR4_UMIP), 1);
	fake_caps.cr4 = ~(uint64_t)CR4_UMIP;
	assert_int_equal(cr4_try(CR4_PAE | CR4_UMIP), 13);
	assert_int_equal(cr4_try(CR4_PAE | CR4_PGE), 1);
	fake_caps.cr4 = ~(uint64_t)CR4_PCE;			/* a bit with no CPUID feature */
	assert_int_equal(cr4_try(CR4_PAE | CR4_PCE), 13);
}

/* A MOV from CR4 reads the guest's value as the back-end keeps it. */
static void cr4_reads(void **state)
{
	(void)state;
	fake.cr[4] = CR4_PAE | CR4_MCE;
	vp.vcpu.gpr[GPR_RBX] = 0;
	cr_exit(4, CR_MOV_FROM, GPR_RBX, 3);
	assert_int_equal(vp.vcpu.gpr[GPR_RBX], CR4_PAE | CR4_MCE);
	assert_int_equal(vp.vcpu.rip, RIP0 + 3);
	assert_int_equal(fake.injections, 0);
}

/* The mode rules: PAE stays on and LA57 fixed in IA-32e mode; PCIDE needs PCID 0 there. */
static void cr4_mode_rules(void **state)
{
	(void)state;
	fake.leaf1_ecx = 1u << 17;				/* PCID */
	fake.leaf7_ecx = 1u << 16;				/* LA57 */
	assert_int_equal(cr4_try(0), 13);			/* PAE off in long mode */
	assert_int_equal(cr4_try(CR4_PAE | CR4_LA57), 13);
	fake.state.cr3 = 0x1005;
	assert_int_equal(cr4_try(CR4_PAE | CR4_PCIDE), 13);
	fake.state.cr3 = 0x1000;
	assert_int_equal(cr4_try(CR4_PAE | CR4_PCIDE), 1);
	fake.state.efer = 0;					/* legacy mode: no PCIDs */
	fake.state.cs.attr = 0xc9b;
	assert_int_equal(cr4_try(CR4_PAE | CR4_PCIDE), 13);
	assert_int_equal(cr4_try(CR4_LA57), 1);			/* LA57 may change outside long mode */
}

static void cr3_access_crashes(void **state)
{
	(void)state;
	assert_int_equal(cr_exit(3, CR_MOV_TO, GPR_RAX, 3), EXIT_ACTION_STOP);
	assert_non_null(fake.crashed);
	assert_string_equal(fake.crashed, "unexpected access to CR3");
}

/*
 * HVCALL_X_PARTITION_STATS's exit_counts[] (core/abi/hypercall.h): each core
 * reason has the ABI entry of its name (partitions/hvroot_part.c's map
 * does not compile otherwise), and the ABI's name is the statistics log
 * line's; no two ABI entries share an index.
 */
static void abi_exit_names_are_the_log_lines(void **state)
{
	static const char *const abi[HV_X_EXIT_REASONS_MAX] = {
#define ABI_NAME(index, NAME, name)	[index] = name,
		HV_X_EXIT_REASONS(ABI_NAME)
#undef ABI_NAME
	};
	static const struct { unsigned index; const char *stat; } core[] = {
#define CORE_NAME(name, handler, stat)	{ HV_X_EXIT_##name, stat },
		EXIT_REASONS(CORE_NAME)
#undef CORE_NAME
	};
	unsigned named = 0;

	(void)state;
	for (unsigned i = 0; i < EXIT_REASON_COUNT; i++)
		assert_string_equal(abi[core[i].index], core[i].stat);
	for (unsigned i = 0; i < HV_X_EXIT_REASONS_MAX; i++)
		named += abi[i] != NULL;
	assert_int_equal(named, EXIT_REASON_COUNT);	/* one index each */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(every_reason_has_a_handler, setup),
		cmocka_unit_test_setup(abi_exit_names_are_the_log_lines, setup),
		cmocka_unit_test_setup(exits_are_counted, setup),
		cmocka_unit_test_setup(instructions_are_skipped, setup),
		cmocka_unit_test_setup(hypervisor_leaves, setup),
		cmocka_unit_test_setup(msrs, setup),
		cmocka_unit_test_setup(port_input, setup),
		cmocka_unit_test_setup(unsupported_instruction_raises_ud, setup),
		cmocka_unit_test_setup(ac_and_db_are_reflected, setup),
		cmocka_unit_test_setup(interrupt_in_delivery_stays_pending, setup),
		cmocka_unit_test_setup(fatal_exits_crash_the_partition, setup),
		cmocka_unit_test_setup(root_child_ports_go_to_the_root, setup),
		cmocka_unit_test_setup(other_children_keep_their_ports, setup),
		cmocka_unit_test_setup(root_child_memory_faults_go_to_the_root, setup),
		cmocka_unit_test_setup(root_child_halt, setup),
		cmocka_unit_test_setup(lapic_child_hlt_parks, setup),
		cmocka_unit_test_setup(root_child_crash_tells_the_root, setup),
		cmocka_unit_test_setup(cr8_reads_and_writes, setup),
		cmocka_unit_test_setup(cr0_writes, setup),
		cmocka_unit_test_setup(cr0_writes_in_32bit_mode, setup),
		cmocka_unit_test_setup(clts_and_lmsw, setup),
		cmocka_unit_test_setup(cr4_follows_cpuid, setup),
		cmocka_unit_test_setup(cr4_follows_the_back_end, setup),
		cmocka_unit_test_setup(cr4_reads, setup),
		cmocka_unit_test_setup(cr4_mode_rules, setup),
		cmocka_unit_test_setup(cr3_access_crashes, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
