/*
 * x87/SSE and debug registers belong to their vCPU: a fresh vCPU sees a clean XMM0,
 * and a value left in XMM0 survives while another partition runs on the
 * same CPU and writes its own (run two of these on one CPU).
 */
#include "tests/guests/guest.h"

#define TIMER_VECTOR	0x41

static void on_timer(void) {}

static uint64_t read_dr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%db0, %0" : "=r"(v));
	return v;
}

static uint64_t read_xmm0(void)
{
	uint64_t v;

	__asm__ volatile("movq %%xmm0, %0" : "=r"(v));
	return v;
}

void guest_main(const struct guest_boot *b)
{
	uint64_t cr4, mine = 0x5a5a000000000000ull | b->partition_id << 8 | 0x42;
	uint64_t my_dr0 = 0x10000000ull | b->partition_id << 12;	/* a linear address */

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | 1u << 9 | 1u << 10));	/* OSFXSR, OSXMMEXCPT */
	check(read_xmm0() == 0, "XMM0 starts clean (nothing left by another guest)");
	check(read_dr0() == 0, "DR0 starts clean");
	__asm__ volatile("movq %0, %%xmm0" ::"r"(mine));
	__asm__ volatile("mov %0, %%db0" ::"r"(my_dr0));
	set_irq_handler(TIMER_VECTOR, on_timer);
	for (int i = 0; i < 5; i++) {		/* give the CPU away a few times */
		hypercall(HVCALL_X_SET_TIMER, 20000, TIMER_VECTOR);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	check(read_xmm0() == mine, "XMM0 kept its value while others ran");
	check(read_dr0() == my_dr0, "DR0 kept its value while others ran");
}
