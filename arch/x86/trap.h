/* Interrupt and exception dispatch. */
#ifndef ARCH_X86_TRAP_H
#define ARCH_X86_TRAP_H

#include "arch/x86/desc.h"

#define VEC_NMI		2
#define VEC_FIRST_IRQ	32
#define VEC_TIMER	0xec	/* local APIC timer */
#define VEC_IPI_KICK	0xed	/* wake a CPU to look at its work */
#define VEC_SPURIOUS	0xff

typedef void (*irq_handler_t)(struct trap_frame *tf);

/* Install the handler for an interrupt vector (>= 32). Boot-time only. */
void trap_set_handler(unsigned vector, irq_handler_t fn);

void trap_dispatch(struct trap_frame *tf);

/* Let machine checks reach the #MC handler: each CPU, once its IDT is loaded. */
void trap_enable_machine_check(void);

/* Print a register dump of `tf` at error level. */
void trap_dump(const struct trap_frame *tf);

#endif
