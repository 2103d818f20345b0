/*
 * Exit-cost benchmark guest. Under QEMU's -icount, and under Bochs with one
 * CPU and clock sync=none, the TSC counts executed instructions (guest and
 * hypervisor alike), so a TSC delta is an instruction count. Each figure
 * is the mean over N round trips minus the same loop without the exiting
 * instruction. Its port writes (port 0x80: no device) go to the root, which
 * completes them: a child's I/O round trip through the root.
 */
#include "tests/guests/guest.h"

#define N	2000

static uint64_t loop_cost(void)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < N; i++)
		__asm__ volatile("" ::: "memory");
	return rdtsc() - t0;
}

static uint64_t cpuid_cost(void)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < N; i++) {
		uint32_t a = 0x40000000, b, c = 0, d;

		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	}
	return rdtsc() - t0;
}

/* The instruction inline, as the hypercall page will have it: no call, no vendor test. */
static uint64_t hypercall_cost(bool amd)
{
	uint64_t t0 = rdtsc(), rax;

	for (int i = 0; i < N; i++) {
		if (amd)
			__asm__ volatile("vmmcall" : "=a"(rax) : "c"(HVCALL_X_NULL | HV_HYPERCALL_FAST) : "rdx", "r8", "memory");
		else
			__asm__ volatile("vmcall" : "=a"(rax) : "c"(HVCALL_X_NULL | HV_HYPERCALL_FAST) : "rdx", "r8", "memory");
	}
	(void)rax;
	return rdtsc() - t0;
}

static uint64_t io_cost(void)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < N; i++)
		outb(0x80, 0);
	return rdtsc() - t0;
}

/*
 * Every figure is measured before anything is printed: each printed byte is
 * a port write that the root emulates, and its console output would run
 * inside the next loop's time otherwise.
 */
void guest_main(const struct guest_boot *b)
{
	uint64_t base, first = guest_entry_tsc, cpuid, hcall, io;
	bool amd = guest_cpuid(0, 0).ebx == 0x68747541;	/* "Auth"enticAMD */

	(void)b;
	cpuid_cost();			/* warm up */
	base = loop_cost();
	cpuid = (cpuid_cost() - base) / N;
	hcall = (hypercall_cost(amd) - base) / N;
	io = (io_cost() - base) / N;
	gprintf("BENCH first_insn_tsc=%lu\n", first);
	gprintf("BENCH cpuid_exit=%lu\n", cpuid);
	gprintf("BENCH hypercall_exit=%lu\n", hcall);
	gprintf("BENCH io_exit=%lu\n", io);
}
