/*
 * Exception fixups: an instruction that may fault on purpose (probing an
 * MSR) records its address and a resume address in section .extable; the
 * trap handler resumes there instead of panicking.
 */
#ifndef ARCH_X86_EXTABLE_H
#define ARCH_X86_EXTABLE_H

#include "core/types.h"

struct extable_entry {
	uint64_t fault_rip;
	uint64_t resume_rip;
};

/* Resume address for a fault at rip, or 0. */
uint64_t extable_lookup(uint64_t rip);

/* rdmsr that returns false instead of faulting on #GP. */
static inline bool rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	bool ok;

	__asm__ volatile("1: rdmsr\n\t"
			 "movb $1, %2\n\t"
			 "jmp 3f\n"
			 "2: movb $0, %2\n"
			 "3:\n\t"
			 ".pushsection .extable, \"a\"\n\t"
			 ".quad 1b, 2b\n\t"
			 ".popsection"
			 : "+a"(lo), "+d"(hi), "=qm"(ok)
			 : "c"(msr));
	*val = (uint64_t)hi << 32 | lo;
	return ok;
}

#endif
