/*
 * Host stand-in for arch/x86/cpu.h, for unit tests that compile hypervisor
 * code which turns interrupts off and on (core/log.c, in test_log.c): the
 * interrupt flag is the test's variable, and the test defines these.
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

#endif
