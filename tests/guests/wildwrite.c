/* Writes past the end of its memory, into what would be another partition's or the hypervisor's. */
#include "tests/guests/guest.h"

void guest_main(const struct guest_boot *b)
{
	volatile uint64_t *past = (volatile uint64_t *)(b->mem_bytes + 0x200000);

	*(volatile uint64_t *)0x200000 = 0xbadc0ffee;	/* GPA 0x200000: my own memory */
	check(*(volatile uint64_t *)0x200000 == 0xbadc0ffee, "a write to my own memory sticks");
	gprintf("writing guest-physical 0x%lx, past my memory: this must crash me\n",
		(uint64_t)past);
	*past = 0xdeadbeef;
	check(false, "a write outside my memory did not stop me");
}
