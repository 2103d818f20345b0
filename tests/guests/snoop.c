/*
 * Tries to see memory that is not its own: scans all of its memory for the
 * secret partition's pattern (it cannot be there), checks that the
 * hypervisor's image address shows its own zeroed memory, then reads past
 * its memory, which must crash it and nothing else.
 */
#include "tests/guests/guest.h"

static bool scan_for_secret(uint64_t mem)
{
	static const char pat[] = "SECRET-OF-PARTITION-SECRET-7f3";
	const volatile char *p = (const volatile char *)0;

	for (uint64_t a = 0x1000; a + sizeof(pat) < mem; a++) {
		unsigned i = 0;

		while (i < sizeof(pat) - 1 && p[a + i] == pat[i])
			i++;
		if (i == sizeof(pat) - 1 && (uint64_t)&p[a] != (uint64_t)pat)
			return true;
	}
	return false;
}

void guest_main(const struct guest_boot *b)
{
	uint64_t khz = guest_tsc_khz(), t0 = rdtsc();

	while (rdtsc() - t0 < khz * 50)		/* let the secret be written first */
		__asm__ volatile("pause");
	check(!scan_for_secret(b->mem_bytes), "another partition's secret is not in my memory");
	check(*(volatile uint32_t *)0x201000 != 0xe85250d6,
	      "guest-physical 0x200000 is my memory, not the hypervisor image");
	gprintf("reading guest-physical 0x%lx, past my memory: this must crash me\n",
		b->mem_bytes + 0x100000);
	(void)*(volatile uint64_t *)(b->mem_bytes + 0x100000);
	check(false, "a read outside my memory did not stop me");
}
