/*
 * Floods the debug port for FLOOD_MS with lines of 118 characters and a
 * line feed, as fast as its vCPU runs: faster than the serial port sends
 * (bochs-log-flood: at 19200 baud, for each byte is a round trip through
 * the root, some 200 us on Bochs; 4 s outgrows the root's 7 KiB budget).
 * It may lose its own lines (the root says how many); the lines of the
 * partitions beside it, and the hypervisor's, must all arrive.
 */
#include "tests/guests/guest.h"

#define FLOOD_MS	4000
#define LINES_IF_NO_TSC	20000

void guest_main(const struct guest_boot *b)
{
	static const char pad[] = "flood flood flood flood flood flood flood flood flood flood "
				  "flood flood flood flood flood flood flood flood floo";
	uint64_t khz = guest_tsc_khz(), end = rdtsc() + khz * FLOOD_MS;
	unsigned lines = 0;

	(void)b;
	_Static_assert(sizeof(pad) - 1 + 6 == 118, "a line of 118 characters");
	while (khz ? rdtsc() < end : lines < LINES_IF_NO_TSC)
		gprintf("%05u %s\n", lines++ % 100000, pad);
	gprintf("flooded %u lines\n", lines);
}
