/*
 * Several vCPUs at once: every VP checks in, then waits until all have, and
 * counts together on a shared counter. Each VP reports how far the others
 * got while it was running, which is > 0 only if they ran at the same time
 * or were time-sliced.
 */
#include "tests/guests/guest.h"

static volatile unsigned arrived;
static volatile uint64_t counter;
static volatile unsigned done;

void guest_main(const struct guest_boot *b)
{
	uint64_t khz = guest_tsc_khz(), t0 = rdtsc();
	uint64_t mine = 0;

	__atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
	while (arrived < b->vp_count && rdtsc() - t0 < khz * 2000)
		__asm__ volatile("pause");
	check(arrived == b->vp_count, "all vCPUs of the partition are running");
	for (int i = 0; i < 100000; i++, mine++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
	while (done < b->vp_count && rdtsc() - t0 < khz * 4000)
		__asm__ volatile("pause");
	if (b->vp_index == 0)
		check(counter == mine * b->vp_count, "the shared counter adds up");
}
