/* HLT with a virtual timer: the vCPU sleeps and is woken by the injected interrupt. */
#include "tests/guests/guest.h"

#define TIMER_VECTOR	0x40

static volatile unsigned ticks;

static void on_timer(void)
{
	ticks++;
}

void guest_main(const struct guest_boot *b)
{
	uint64_t khz = guest_tsc_khz(), t0, t1;

	(void)b;
	set_irq_handler(TIMER_VECTOR, on_timer);
	check(khz > 0, "the TSC frequency is known");
	check(hypercall(HVCALL_X_SET_TIMER, 10000, 7) == HV_STATUS_INVALID_PARAMETER,
	      "a timer vector below 32 is refused");
	t0 = rdtsc();
	check(hypercall(HVCALL_X_SET_TIMER, 10000, TIMER_VECTOR) == HV_STATUS_SUCCESS,
	      "a 10 ms timer is armed");
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	t1 = rdtsc();
	check(ticks == 1, "HLT returned through the timer interrupt");
	check(t1 - t0 >= khz * 10, "the vCPU slept at least 10 ms");
	gprintf("slept %lu us\n", (t1 - t0) * 1000 / (khz ? khz : 1));

	/* the interrupt window: a timer that fires while IF=0 waits for STI */
	ticks = 0;
	hypercall(HVCALL_X_SET_TIMER, 1000, TIMER_VECTOR);
	t0 = rdtsc();
	while (rdtsc() - t0 < khz * 20)		/* 20 ms with interrupts off */
		__asm__ volatile("pause");
	check(ticks == 0, "no interrupt arrives while the guest has IF=0");
	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	check(ticks == 1, "the pending interrupt arrives as soon as the guest sets IF");

	check(hypercall(0x7fff, 0, 0) == HV_STATUS_INVALID_HYPERCALL_CODE,
	      "an unknown hypercall code is refused");
	check(hypercall_control(HVCALL_X_NULL, 0, 0) == HV_STATUS_INVALID_HYPERCALL_INPUT,
	      "a hypercall without the fast flag is refused");
	ticks = 0;
	check(hypercall_control(HVCALL_X_SET_TIMER | HV_HYPERCALL_FAST | 1ull << 32, 1000,
				TIMER_VECTOR) == HV_STATUS_INVALID_HYPERCALL_INPUT,
	      "a hypercall with a rep count is refused");
	t0 = rdtsc();
	__asm__ volatile("sti" ::: "memory");
	while (rdtsc() - t0 < khz * 5)		/* 5 ms: the refused 1 ms timer would fire */
		__asm__ volatile("pause");
	__asm__ volatile("cli" ::: "memory");
	check(ticks == 0, "the refused hypercall armed no timer");
}
