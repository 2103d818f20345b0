/*
 * Per-CPU data, reached through the GS base (gs:0 holds the pointer to the
 * structure itself). Fields are set by the CPU itself during bring-up,
 * except cpu_id, apic_id and the stacks, which the boot CPU fills before
 * starting it.
 */
#ifndef CORE_PERCPU_H
#define CORE_PERCPU_H

#include "core/types.h"
#include "arch/x86/desc.h"

#define MAX_CPUS	64

struct percpu {
	struct percpu *self;		/* must stay first: read via %gs:0 */
	uint32_t cpu_id;		/* dense index, 0 = boot CPU */
	uint32_t apic_id;
	volatile uint32_t online;	/* set by the CPU when it is up */
	uint64_t stack_top;
	struct arch_cpu_desc desc;	/* GDT, TSS, IDT, IST stacks */
	/*
	 * A TLFS hypercall's private input copy and output block (a page each,
	 * too much for the stack); only this CPU's exit handler uses them, and
	 * it is never re-entered (core/hypercall.c).
	 */
	uint8_t hvcall_in[4096] __aligned(8);
	uint8_t hvcall_out[4096] __aligned(8);
};

extern struct percpu *cpus[MAX_CPUS];
extern unsigned cpu_count;		/* CPUs online */

void percpu_install(struct percpu *pc);	/* point GS at pc on this CPU */

static inline struct percpu *this_cpu(void)
{
	struct percpu *pc;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(pc));
	return pc;
}

/* 0 before the per-CPU area is installed on the boot CPU. */
unsigned this_cpu_id(void);

/* CPU c is the calling one. */
static inline bool cpu_is_current(cpu_id_t c)
{
	return cpu_id_val(c) == this_cpu_id();
}

/* The per-CPU area of CPU c (online). */
static inline struct percpu *cpu_percpu(cpu_id_t c)
{
	return cpus[cpu_id_val(c)];
}

/* this_cpu_id() in one load, for hot paths that only run once the per-CPU area is installed. */
static inline unsigned this_cpu_index(void)
{
	uint32_t id;

	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(offsetof(struct percpu, cpu_id)));
	return id;
}

#endif
