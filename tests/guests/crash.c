/* Triple fault on purpose: no IDT, then an invalid opcode. Only this partition may die. */
#include "tests/guests/guest.h"

void guest_main(const struct guest_boot *b)
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } none = { 0, 0 };

	(void)b;
	gprintf("triple-faulting now\n");
	gprintf("my last words, unfinished");	/* no newline: logged before the crash report */
	__asm__ volatile("lidt %0; ud2" ::"m"(none));
}
