/*
 * Exit-cost benchmark guest. Under QEMU's -icount the TSC counts executed
 * instructions (guest and hypervisor alike), so a TSC delta is an
 * instruction count. Each figure is the mean over N round trips minus the
 * same loop without the exiting instruction.
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

static uint64_t hypercall_cost(void)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < N; i++)
		hypercall(HVCALL_X_NULL, 0, 0);
	return rdtsc() - t0;
}

static uint64_t io_cost(void)
{
	uint64_t t0 = rdtsc();

	for (int i = 0; i < N; i++)
		outb(0x80, 0);
	return rdtsc() - t0;
}

void guest_main(const struct guest_boot *b)
{
	uint64_t base, first = rdtsc();

	(void)b;
	gprintf("BENCH first_insn_tsc=%lu\n", first);
	cpuid_cost();			/* warm up */
	base = loop_cost();
	gprintf("BENCH cpuid_exit=%lu\n", (cpuid_cost() - base) / N);
	gprintf("BENCH hypercall_exit=%lu\n", (hypercall_cost() - base) / N);
	gprintf("BENCH io_exit=%lu\n", (io_cost() - base) / N);
}
