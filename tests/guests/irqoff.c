/*
 * A vCPU asleep for good must not disturb its neighbours. VP 0 arms a
 * 5 ms timer and halts with interrupts off: nothing can ever wake it,
 * and its due timer must not drive its CPU's deadline. (5 ms, not less:
 * a timer found due while VP 0 still runs becomes a pending vector
 * instead, which is another case.) VP 1 (on the same
 * CPU) then computes for 500 ms with interrupts on (so that the host's
 * interrupts exit on every emulator) and stops the partition. The system
 * test checks the partition's exit statistics: VP 1 should only see the
 * scheduler's quantum (about 50 external-interrupt exits; Bochs adds the
 * VMX preemption timer's 500), not a timer interrupt every microsecond.
 */
#include "tests/guests/guest.h"

#define TIMER_VECTOR	0x43
#define SPIN_MS		500

static volatile unsigned vp0_halting;

static void halt_for_good(void)
{
	__atomic_store_n(&vp0_halting, 1, __ATOMIC_RELEASE);
	__asm__ volatile("cli" ::: "memory");
	hypercall(HVCALL_X_SET_TIMER, 5000, TIMER_VECTOR);
	for (;;)
		__asm__ volatile("hlt" ::: "memory");
}

static void on_timer(void)
{
	gprintf("FAIL the vCPU halted with interrupts off took its timer interrupt\n");
}

void guest_main(const struct guest_boot *b)
{
	uint64_t khz = guest_tsc_khz(), t0, loops = 0;

	set_irq_handler(TIMER_VECTOR, on_timer);
	if (b->vp_index == 0)
		halt_for_good();
	if (b->vp_index != 1)
		return;
	check(b->vp_count == 2 && khz > 0, "two vCPUs and a known TSC frequency");
	t0 = rdtsc();
	while (!__atomic_load_n(&vp0_halting, __ATOMIC_ACQUIRE) && rdtsc() - t0 < khz * 2000)
		__asm__ volatile("pause");
	check(vp0_halting, "VP 0 halted with interrupts off");
	t0 = rdtsc();
	while (rdtsc() - t0 < khz * 20)		/* VP 0's timer is due by now */
		__asm__ volatile("pause");
	t0 = rdtsc();
	__asm__ volatile("sti" ::: "memory");	/* no interrupt of its own is due */
	while (rdtsc() - t0 < khz * SPIN_MS)
		loops++;
	__asm__ volatile("cli" ::: "memory");
	gprintf("computed %d ms next to it: %lu loops\n", SPIN_MS, loops);
	guest_exit();
}
