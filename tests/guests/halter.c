/*
 * Every VP halts for good: it says so, then HLT with interrupts off and
 * no timer, which nothing can end. The root takes that as the child's end
 * (docs/root.md, "Device emulation": all of its VPs halted), as Linux's
 * halt when it cannot power off leaves every CPU (hyperv-linux-guest.md
 * 8.6); the system case checks that the child ends stopped.
 */
#include "tests/guests/guest.h"

void guest_main(const struct guest_boot *b)
{
	gprintf("VP %lu halting for good\n", b->vp_index);
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}
