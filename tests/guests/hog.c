/*
 * A partition that games "a vCPU woken from HLT goes first" (the
 * scheduler's pick) against its neighbour on the same CPU (meter.c). It
 * computes until just before a quantum would end, counted from its
 * wake-up, and then halts so as to be woken at once:
 *
 *   phase 1: with a 50 us timer, then sti; hlt (the neighbour runs until
 *            the timer fires);
 *   phase 2: after 9 ms, with the 50 us timer already due and pending
 *            when it runs sti; hlt (IF=0 while it fires, then an exit),
 *            so it is eligible the moment it halts;
 *   phase 3: as phase 2, after 0.5 ms of computing, which fits a short
 *            slice (were a woken vCPU given only a short slice, but
 *            every time, it would still go first again and again).
 *
 * A scheduler that picks every woken vCPU first, with a new quantum,
 * leaves the neighbour nothing in phases 2 and 3. (Phase 1 is the attack
 * as first reported; it did not work even there, by accident: the woken
 * vCPU's own due timer ended its slice after 1 us, and it then waited
 * for its round-robin turn.)
 */
#include "tests/guests/guest.h"

#define TIMER_VECTOR	0x46
#define PHASE_MS	300

static void on_timer(void) {}

static void spin_until(uint64_t tsc)
{
	while (rdtsc() < tsc)
		__asm__ volatile("pause");
}

/* For phase_ms: compute spin_us after each wake-up, then halt until a 50 us timer. */
static unsigned hog(uint64_t khz, uint64_t spin_us, bool pending_at_hlt)
{
	uint64_t t0 = rdtsc(), woke = t0;
	unsigned rounds = 0;

	while (rdtsc() - t0 < khz * PHASE_MS) {
		spin_until(woke + khz * spin_us / 1000);
		hypercall(HVCALL_X_SET_TIMER, 50, TIMER_VECTOR);
		if (pending_at_hlt) {
			spin_until(rdtsc() + khz / 10);		/* 100 us: due, IF=0 */
			guest_cpuid(0, 0);			/* an exit: it becomes pending */
		}
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		woke = rdtsc();
		rounds++;
	}
	return rounds;
}

void guest_main(const struct guest_boot *b)
{
	uint64_t khz = guest_tsc_khz();
	unsigned r1, r2, r3;

	if (b->vp_index != 0 || !khz)
		return;
	set_irq_handler(TIMER_VECTOR, on_timer);
	r1 = hog(khz, 9900, false);
	r2 = hog(khz, 9000, true);
	r3 = hog(khz, 500, true);
	gprintf("wake-ups: %u in phase 1, %u in phase 2, %u in phase 3\n", r1, r2, r3);
}
