/* Descriptor tables: per-CPU GDT with a TSS, per-CPU IDT, IST stacks. */
#ifndef ARCH_X86_DESC_H
#define ARCH_X86_DESC_H

#include "core/types.h"

#define GDT_CS		0x08
#define GDT_DS		0x10
#define GDT_TSS		0x18
#define GDT_ENTRIES	5		/* null, code, data, TSS (two slots) */

#define IST_DOUBLE_FAULT	1
#define IST_NMI			2
#define IST_MACHINE_CHECK	3
#define IST_STACK_SIZE		4096

#define IDT_VECTORS		256

/* SDM Vol. 3A, 8.7 "Task Management in 64-bit Mode", Figure 8-11 */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;
_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

/* SDM Vol. 3A, 7.14.1 "64-Bit Mode IDT", Figure 7-8 */
struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

struct arch_cpu_desc {
	uint64_t gdt[GDT_ENTRIES] __aligned(16);
	struct tss64 tss __aligned(16);
	struct idt_gate idt[IDT_VECTORS] __aligned(16);
	uint8_t ist_stacks[3][IST_STACK_SIZE] __aligned(16);
};

/* Registers saved by the interrupt stubs (arch/x86/isr.S), lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

/* Build and load this CPU's GDT, TSS and IDT. */
void desc_init_cpu(struct arch_cpu_desc *d);

#endif
