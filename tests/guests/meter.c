/*
 * An honest busy partition next to hog.c on one CPU: it measures its own
 * share of the CPU in each of the hog's three phases (PHASE_MS each, from
 * about the same start), from the TSC: a gap of more than GAP_US between
 * two readings is time someone else had the CPU. Two busy vCPUs on one
 * CPU should get about half each; the meter must get at least MIN_SHARE
 * percent whatever the hog does.
 */
#include "tests/guests/guest.h"
#include "core/lib.h"

#define PHASE_MS	300
#define WINDOW_MS	200		/* in the middle of each phase */
#define GAP_US		20
#define MIN_SHARE	30

static void wait_until(uint64_t tsc)
{
	while (rdtsc() < tsc)
		__asm__ volatile("pause");
}

/* Percent of the window from now to `end` in which this vCPU ran (0 if it is over already). */
static unsigned share_percent(uint64_t khz, uint64_t end)
{
	uint64_t t0 = rdtsc(), prev = t0, now = t0, ran = 0, gap = khz * GAP_US / 1000;

	while (now < end) {
		now = rdtsc();
		if (now - prev <= gap)
			ran += now - prev;
		prev = now;
	}
	return now > t0 ? (unsigned)(ran * 100 / (now - t0)) : 0;
}

void guest_main(const struct guest_boot *b)
{
	uint64_t khz = guest_tsc_khz(), start = rdtsc(), margin;
	unsigned share[3];
	char name[96];

	if (b->vp_index != 0 || !khz)
		return;
	margin = khz * (PHASE_MS - WINDOW_MS) / 2;
	for (unsigned i = 0; i < 3; i++) {
		uint64_t from = start + khz * PHASE_MS * i + margin;

		wait_until(from);
		share[i] = share_percent(khz, from + khz * WINDOW_MS);
	}
	for (unsigned i = 0; i < 3; i++) {
		fmt_snprintf(name, sizeof(name), "phase %u: my share of the CPU is at least %u%%",
			     i + 1, MIN_SHARE);
		gprintf("phase %u: %u%%\n", i + 1, share[i]);
		check(share[i] >= MIN_SHARE, name);
	}
}
