/* Per-CPU GDT, TSS and IDT (see desc.h). */
#include "arch/x86/desc.h"
#include "core/lib.h"

extern const uint64_t isr_stub_table[IDT_VECTORS];

/* SDM Vol. 3A, 3.4.5: flat 64-bit code (L=1, D=0) and data descriptors */
#define GDT_CODE64	0x00af9a000000ffffull
#define GDT_DATA	0x00cf92000000ffffull

static void gdt_set_tss(uint64_t *gdt, const struct tss64 *tss)
{
	uint64_t base = (uintptr_t)tss, limit = sizeof(*tss) - 1;

	/* SDM Vol. 3A, 8.2.3, Figure 8-4: 16-byte available 64-bit TSS descriptor */
	gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
		 ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	gdt[4] = base >> 32;
}

static void idt_set(struct idt_gate *g, uint64_t handler, uint8_t ist)
{
	g->offset_lo = (uint16_t)handler;
	g->selector = GDT_CS;
	g->ist = ist;
	g->type_attr = 0x8e;		/* present, DPL 0, 64-bit interrupt gate */
	g->offset_mid = (uint16_t)(handler >> 16);
	g->offset_hi = (uint32_t)(handler >> 32);
	g->reserved = 0;
}

static void load_tables(struct arch_cpu_desc *d)
{
	struct __packed { uint16_t limit; uint64_t base; } gdtr, idtr;

	gdtr.limit = sizeof(d->gdt) - 1;
	gdtr.base = (uintptr_t)d->gdt;
	idtr.limit = sizeof(d->idt) - 1;
	idtr.base = (uintptr_t)d->idt;
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %2\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"mov %w3, %%ds\n\t"
		"mov %w3, %%es\n\t"
		"mov %w3, %%ss\n\t"
		"lidt %1\n\t"
		"ltr %w4"
		:
		: "m"(gdtr), "m"(idtr), "i"(GDT_CS), "r"(GDT_DS), "r"(GDT_TSS)
		: "rax", "memory");
}

void desc_init_cpu(struct arch_cpu_desc *d)
{
	memset(d->gdt, 0, sizeof(d->gdt));
	d->gdt[1] = GDT_CODE64;
	d->gdt[2] = GDT_DATA;
	memset(&d->tss, 0, sizeof(d->tss));
	d->tss.ist[IST_DOUBLE_FAULT - 1] = (uintptr_t)d->ist_stacks[0] + IST_STACK_SIZE;
	d->tss.ist[IST_NMI - 1] = (uintptr_t)d->ist_stacks[1] + IST_STACK_SIZE;
	d->tss.ist[IST_MACHINE_CHECK - 1] = (uintptr_t)d->ist_stacks[2] + IST_STACK_SIZE;
	d->tss.iomap_base = sizeof(d->tss);	/* no I/O bitmap */
	gdt_set_tss(d->gdt, &d->tss);

	for (unsigned v = 0; v < IDT_VECTORS; v++) {
		uint8_t ist = v == 2 ? IST_NMI : v == 8 ? IST_DOUBLE_FAULT :
			      v == 18 ? IST_MACHINE_CHECK : 0;

		idt_set(&d->idt[v], isr_stub_table[v], ist);
	}
	load_tables(d);
}
