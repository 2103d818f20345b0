/*
 * A neighbour that only needs its CPU now and then: it sleeps on a 1 ms
 * timer 20 times, then stops. Next to a vCPU that holds the CPU in an
 * exit loop (dbloop, acloop) it can only finish if the hypervisor still
 * takes its timer interrupts on that CPU.
 */
#include "tests/guests/guest.h"

#define TIMER_VECTOR	0x45
#define NAPS		20

static volatile unsigned wakeups;

static void on_timer(void)
{
	wakeups++;
}

void guest_main(const struct guest_boot *b)
{
	if (b->vp_index != 0)
		return;
	set_irq_handler(TIMER_VECTOR, on_timer);
	for (unsigned i = 0; i < NAPS; i++) {
		hypercall(HVCALL_X_SET_TIMER, 1000, TIMER_VECTOR);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	check(wakeups == NAPS, "woke up 20 times");
}
