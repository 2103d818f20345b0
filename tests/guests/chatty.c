/* Floods the debug port: the hypervisor must cap its lines and say how many it dropped. */
#include "tests/guests/guest.h"

void guest_main(const struct guest_boot *b)
{
	(void)b;
	for (unsigned i = 0; i < 500; i++)
		gprintf("line %u of a flood\n", i);
	check(true, "the flood is over and I am still running");
}
