/* Writes a secret into its memory, then waits, so that others can try to find it. */
#include "tests/guests/guest.h"

static volatile char secret[64];

void guest_main(const struct guest_boot *b)
{
	const char *s = "SECRET-OF-PARTITION-SECRET-7f3a";
	uint64_t khz = guest_tsc_khz(), t0 = rdtsc();

	(void)b;
	for (int i = 0; s[i]; i++)
		secret[i] = s[i];
	gprintf("secret written\n");
	while (rdtsc() - t0 < khz * 300)	/* stay alive 300 ms while others look */
		__asm__ volatile("pause");
	check(secret[0] == 'S', "the secret is intact");
}
