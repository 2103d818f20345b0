/* Jumps to code past the end of its memory. */
#include "tests/guests/guest.h"

void guest_main(const struct guest_boot *b)
{
	void (*past)(void) = (void (*)(void))(b->mem_bytes + 0x300000);

	gprintf("executing at guest-physical 0x%lx, past my memory: this must crash me\n",
		(uint64_t)past);
	past();
	check(false, "executing outside my memory did not stop me");
}
