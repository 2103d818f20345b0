/*
 * Logs 500 short lines at once. Where the serial port sends at once (QEMU)
 * all arrive; where it is slow (Bochs) the lines beyond this partition's
 * share of the log are dropped, and the hypervisor says how many.
 */
#include "tests/guests/guest.h"

void guest_main(const struct guest_boot *b)
{
	(void)b;
	for (unsigned i = 0; i < 500; i++)
		gprintf("line %u of a flood\n", i);
	check(true, "the flood is over and I am still running");
}
