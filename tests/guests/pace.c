/*
 * Logs lines at its own pace while another partition floods the log from
 * another CPU, and times the end of each line: the exit that hands the line
 * to the hypervisor's log. The log is buffered, so that exit must not wait
 * for the serial port to send this line, nor anyone else's.
 */
#include "tests/guests/guest.h"

#define LINES		40
#define LIMIT_US	1000	/* sending one line at 115200 baud takes ~4 ms */

void guest_main(const struct guest_boot *b)
{
	uint64_t khz = guest_tsc_khz(), worst = 0;

	(void)b;
	for (unsigned i = 0; i < LINES; i++) {
		uint64_t t0, t;

		gprintf("line %u at my own pace, timing its end", i);
		t0 = rdtsc();
		outb(0xe9, '\n');
		t = rdtsc() - t0;
		worst = t > worst ? t : worst;
	}
	worst = khz ? worst * 1000 / khz : ~0ull;
	gprintf("the slowest line end took %lu us\n", worst);
	check(worst < LIMIT_US, "no line end waited on the serial port");
}
