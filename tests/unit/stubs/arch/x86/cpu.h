/*
 * Host stand-in for arch/x86/cpu.h, for unit tests that compile hypervisor
 * code which turns interrupts off and on (core/log.c, in test_log.c): the
 * interrupt flag is the test's variable, and the test defines these; and
 * for the root's SynIC code (partitions/root/intercept.c, in
 * test_child.c): CPUID and MSRs are the test's too.
 * Found before the real header through -Itests/unit/stubs (tests/unit/unit.mk).
 */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#include "core/types.h"

#define RFLAGS_IF	(1ul << 9)

uint64_t read_rflags(void);
void irq_disable(void);
void irq_enable(void);
void cpu_relax(void);

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf);
uint64_t rdmsr(uint32_t msr);
void wrmsr(uint32_t msr, uint64_t v);
uint64_t rdtsc(void);

#endif
