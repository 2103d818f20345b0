/* Exception fixup table lookup (see extable.h). */
#include "arch/x86/extable.h"

extern const struct extable_entry __extable_start[], __extable_end[];

uint64_t extable_lookup(uint64_t rip)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
		if (e->fault_rip == rip)
			return e->resume_rip;
	return 0;
}
