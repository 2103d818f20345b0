/*
 * Many vCPUs: run several of these partitions with 8 vCPUs each, more
 * vCPUs per CPU than the CPU has TLB tags (ASIDs/VPIDs). Every VP sleeps
 * on its timer and wakes ROUNDS times, so vCPUs keep taking turns and
 * the CPUs' tag generations turn over; after each wake-up it checks that
 * its memory still holds what it wrote (a translation cached under a tag
 * another partition used would show that partition's memory instead).
 * VP 0 waits for every VP to finish its rounds.
 */
#include "tests/guests/guest.h"

#define TIMER_VECTOR	0x44
#define ROUNDS		20
#define MAX_VPS		8

static volatile unsigned progress[MAX_VPS];
static volatile uint64_t stamp[MAX_VPS];
static volatile unsigned bad_stamps;

static void on_timer(void) {}

static void take_turns(unsigned vp, uint64_t mine)
{
	stamp[vp] = mine;
	for (unsigned r = 0; r < ROUNDS; r++) {
		hypercall(HVCALL_X_SET_TIMER, 200, TIMER_VECTOR);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		if (stamp[vp] != mine)
			__atomic_fetch_add(&bad_stamps, 1, __ATOMIC_RELAXED);
		progress[vp]++;
	}
}

static bool all_done(unsigned nvps)
{
	for (unsigned i = 0; i < nvps; i++)
		if (progress[i] < ROUNDS)
			return false;
	return true;
}

void guest_main(const struct guest_boot *b)
{
	uint64_t khz = guest_tsc_khz(), t0 = rdtsc();
	unsigned vp = (unsigned)b->vp_index, n = (unsigned)b->vp_count, lagging = 0;

	if (vp >= MAX_VPS || n > MAX_VPS)
		return;
	set_irq_handler(TIMER_VECTOR, on_timer);
	take_turns(vp, b->partition_id << 32 | 0xc0de0000u | vp);
	if (vp != 0)
		return;
	while (!all_done(n) && rdtsc() - t0 < khz * 30000)
		__asm__ volatile("pause");
	for (unsigned i = 0; i < n; i++)
		if (progress[i] < ROUNDS) {
			gprintf("VP %u woke only %u of %u times\n", i, progress[i], ROUNDS);
			lagging++;
		}
	gprintf("%u vCPUs, %u wake-ups each\n", n, ROUNDS);
	check(n == MAX_VPS, "the partition has 8 vCPUs");
	check(lagging == 0, "every vCPU woke up every time");
	check(bad_stamps == 0, "every vCPU saw its own memory after every wake-up");
}
