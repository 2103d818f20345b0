/*
 * Logs a burst, computes for BUSY_MS without a word, then logs a second
 * burst. Its CPU is never idle, so the hypervisor sends the first burst
 * meanwhile only if a busy CPU sends some of the log each quantum; if
 * nothing did, the second burst would not fit in this partition's share
 * of the log (LOG_SHARE_BYTES, 7 KiB) beside the first, and be dropped.
 * Each burst takes about 5.5 KB there (50 records of 110 bytes).
 */
#include "tests/guests/guest.h"

#define BURST_LINES	50
#define BUSY_MS		4000

static const char text[] = "of a burst: the log must send it while my CPU is busy";

void guest_main(const struct guest_boot *b)
{
	uint64_t end;

	(void)b;
	for (unsigned i = 0; i < BURST_LINES; i++)
		gprintf("first burst, line %02u %s\n", i, text);
	end = rdtsc() + guest_tsc_khz() * BUSY_MS;
	while (rdtsc() < end)
		__asm__ volatile("pause");
	for (unsigned i = 0; i < BURST_LINES; i++)
		gprintf("second burst, line %02u %s\n", i, text);
}
