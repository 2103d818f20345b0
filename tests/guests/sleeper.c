/*
 * Timer latency next to busy vCPUs: VP 0 naps 20 times on a 2 ms timer,
 * and VPs 1-3, on the same CPU, compute until it is done. A vCPU woken
 * from HLT goes first (for up to 1 ms in each 10 ms turn, which a nap's
 * few microseconds never use up), so VP 0 must be running again within
 * MAX_LATE_US of each deadline, whatever the number of busy vCPUs: round
 * robin alone would make it wait for each of them, a quantum apiece.
 */
#include "tests/guests/guest.h"

#define TIMER_VECTOR	0x47
#define NAPS		20
#define NAP_US		2000
#define MAX_LATE_US	2000

static volatile bool done;

static void on_timer(void) {}

static void nap_and_measure(uint64_t khz)
{
	uint64_t worst = 0, total = 0;

	set_irq_handler(TIMER_VECTOR, on_timer);
	for (unsigned i = 0; i < NAPS; i++) {
		uint64_t due = rdtsc() + khz * NAP_US / 1000, late;

		hypercall(HVCALL_X_SET_TIMER, NAP_US, TIMER_VECTOR);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		late = rdtsc() - due;
		total += late;
		worst = late > worst ? late : worst;
	}
	__atomic_store_n(&done, true, __ATOMIC_RELEASE);
	gprintf("woken %lu us after the deadline at worst, %lu us on average\n",
		worst * 1000 / khz, total * 1000 / khz / NAPS);
	check(worst * 1000 / khz < MAX_LATE_US, "every nap ended within 2 ms of its deadline");
}

void guest_main(const struct guest_boot *b)
{
	uint64_t khz = guest_tsc_khz();

	if (!khz)
		return;
	if (b->vp_index == 0) {
		check(b->vp_count == 4, "4 vCPUs");
		nap_and_measure(khz);
		return;
	}
	__asm__ volatile("sti" ::: "memory");	/* so that the host's interrupts exit everywhere */
	while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
	__asm__ volatile("cli" ::: "memory");
}
