/*
 * root_test=bench (make bench: tests/bench/run-bench.sh, docs/testing.md
 * "Benchmarks"): the root's figures, in TSC ticks, which the bench's
 * emulators make instruction counts. main.c calls it after the start-up
 * script's first command (run-bench.sh gives a `script` module of one
 * `echo`). Each figure is one line "root: bench: NAME=N ..." that
 * run-bench.sh reads; nothing here is a test.
 *
 *   hv_entry_to_first_command  the hypervisor's first instructions
 *       (rootboot_info.hv_entry_tsc, read in entry.S) to the root's first
 *       script command (script.c's root_first_command_tsc)
 *   intercept_rt_child0/1      intercept_test.c's intercept_bench
 *   create_to_first_insn       a child of 16 MiB and one VP made with the
 *       root calls in mshv's order (selftest_mshv.c: CreatePartition with
 *       its deposits, 208 pages and InitializePartition, 90 and CreateVp,
 *       MapGpaPages of 16 MiB, SetVpRegisters of the start state, clearing
 *       EXPLICIT_SUSPEND), from before CreatePartition to the TSC the
 *       child reads with its first instruction (selftest_child.S
 *       child_bench). The child's RAM is allocated and its program copied
 *       before: that is the VMM's (mmap and a read), not a root call. The
 *       deposits' pages are allocated inside, as mshv does: pmem zeroes
 *       each (zero_page says what one costs).
 *   set_vp_register            SetVpRegisters of one register (RAX) of the
 *       suspended VP (halted after its first instructions), averaged
 */
#include "partitions/root/selftest.h"
#include "arch/x86/cpu.h"

#define SETREG_CALLS	1000
#define FIRST_TSC_AT	0x2000		/* where child_bench stores its TSC */

extern const uint8_t child_bench[], child_bench_end[];

static void boot_figure(void)
{
	uint64_t entry = root_boot->hv_entry_tsc, first = root_first_command_tsc;

	if (!entry || !first || first < entry) {
		say("root: bench: no boot figure (hypervisor entry at TSC %lu, first command at %lu)",
		    entry, first);
		return;
	}
	say("root: bench: hv_entry_to_first_command=%lu (hypervisor entry at TSC %lu, "
	    "first script command at %lu)", first - entry, entry, first);
}

/* Halt for at most 1 ms: the child (on this CPU) runs meanwhile. No log relayed: no UART time. */
static void pause_1ms(void)
{
	hv_fast(HVCALL_X_SET_TIMER, 1000, ROOT_TIMER_VECTOR, NULL);
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* What one zeroed page from pmem costs (the deposits below take theirs from it). */
static uint64_t zero_page_cost(void)
{
	uint64_t t0 = rdtsc(), pa = pmem_alloc(1, PAGE), t1 = rdtsc();

	pmem_free(pa, 1);
	return t1 - t0;
}

/* build_child's calls (selftest_mshv.c) without its checks' lines; the status of the first failure. */
static uint16_t create(struct child *c, const char **step)
{
	const struct hv_register_assoc go = reg(HV_REGISTER_EXPLICIT_SUSPEND, 0);
	uint16_t st;

	*step = "CreatePartition";
	if ((st = create_partition(&c->id)))
		return st;
	*step = "InitializePartition";
	if ((st = deposit(c->id, 208)) || (st = fast_with_deposit(HVCALL_INITIALIZE_PARTITION, c->id)))
		return st;
	*step = "CreateVp";
	if ((st = deposit(c->id, 90)) || (st = create_vp(c->id, 0)))
		return st;
	*step = "MapGpaPages";
	if ((st = map_pages(c->id, 0, c->ram >> 12, CHILD_PAGES,
			    HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE | HV_MAP_GPA_EXECUTABLE)))
		return st;
	*step = "SetVpRegisters";
	if ((st = set_start_state(c->id)))
		return st;
	*step = "EXPLICIT_SUSPEND";
	return set_regs(c->id, 0, &go, 1, NULL);
}

static void child_figures(void)
{
	volatile uint64_t *first_tsc;
	struct child c = { 0 };
	struct hv_register_assoc rax = reg(HV_X64_REGISTER_RAX, 0);
	uint64_t zero = zero_page_cost(), free0, t0, t1;
	const char *step;
	unsigned i;
	uint16_t st;

	c.ram = pmem_alloc(CHILD_PAGES, PAGE);
	ASSERT(c.ram);
	load_program(&c, child_bench, child_bench_end);
	first_tsc = (volatile uint64_t *)(c.ram + FIRST_TSC_AT);
	free0 = pmem_free_pages();
	t0 = rdtsc();
	st = create(&c, &step);
	if (st) {
		say("root: bench: no child figures: %s: %s", step, hv_status_name(st));
		return;
	}
	for (i = 0; i < WAIT_POLLS && !*first_tsc; i++)
		pause_1ms();
	if (!*first_tsc) {
		say("root: bench: no child figures: the child did not start in %u ms", WAIT_POLLS);
		return;
	}
	say("root: bench: create_to_first_insn=%lu deposited_pages=%lu zero_page=%lu", *first_tsc - t0,
	    free0 - pmem_free_pages(), zero);
	/* until its HLT has suspended it (INVALID_VP_STATE while it runs) */
	for (i = 0; i < WAIT_POLLS && (st = set_regs(c.id, 0, &rax, 1, NULL)); i++)
		pause_1ms();
	if (st) {
		say("root: bench: no SetVpRegisters figure: %s", hv_status_name(st));
		return;
	}
	t0 = rdtsc();
	for (i = 0; i < SETREG_CALLS && !st; i++)
		st = set_regs(c.id, 0, &rax, 1, NULL);
	t1 = rdtsc();
	if (st) {
		say("root: bench: no SetVpRegisters figure: call %u: %s", i, hv_status_name(st));
		return;
	}
	say("root: bench: set_vp_register=%lu calls=%u", (t1 - t0) / SETREG_CALLS, SETREG_CALLS);
}

void root_bench(void)
{
	struct hv_output_get_partition_id id;

	/*
	 * Each figure starts with the console's queue sent (console_flush): the
	 * root sends its lines from its event loop, a FIFO's worth per tick,
	 * and that work would otherwise run inside the next measurement.
	 */
	boot_figure();
	console_flush();
	intercept_bench();
	amd = cpuid(0, 0).ebx == 0x68747541;	/* "Auth"enticAMD: VMMCALL in the child's stub */
	if (hv_call(HVCALL_GET_PARTITION_ID, NULL, 0, &id, sizeof(id)) == HV_STATUS_SUCCESS) {
		root_id = id.partition_id;
		console_flush();
		child_figures();
	}
	say("root: bench: all done");
	console_relay_log();
	hv_fast(HVCALL_X_POWER_OFF, 0, 0, NULL);
}
