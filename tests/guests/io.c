/* I/O ports: only the debug port is the partition's; the rest reads all ones and ignores writes. */
#include "tests/guests/guest.h"

#define RAX_FILL	0x5a5a5a5a5a5a5a5aull

/* IN with RAX full of a pattern first: what is left of it afterwards. */
static uint64_t inl_rax(uint16_t port)
{
	uint64_t rax = RAX_FILL;

	__asm__ volatile("inl %w1, %k0" : "+a"(rax) : "d"(port));
	return rax;
}

static uint64_t inw_rax(uint16_t port)
{
	uint64_t rax = RAX_FILL;

	__asm__ volatile("inw %w1, %w0" : "+a"(rax) : "d"(port));
	return rax;
}

void guest_main(const struct guest_boot *b)
{
	(void)b;
	check(inb(0xe9) == 0xe9, "inb from the debug port answers");
	check(inb(0x60) == 0xff, "inb from the keyboard controller reads 0xff (denied)");
	check(inw(0x1f0) == 0xffff, "inw from the IDE data port reads 0xffff (denied)");
	check(inl(0xcf8) == 0xffffffff, "inl from PCI config address reads all ones (denied)");
	/* a 32-bit destination zero-extends into RAX; 16 bits leave the rest (SDM Vol. 1, 3.4.1.1) */
	check(inl_rax(0xcf8) == 0xffffffffull, "inl from a denied port zero-extends into RAX");
	check(inl_rax(0xe9) == 0xe9, "inl from the debug port zero-extends into RAX");
	check(inw_rax(0x1f0) == ((RAX_FILL & ~0xffffull) | 0xffff), "inw keeps RAX[63:16]");
	outb(0x3f8, '#');		/* COM1 belongs to the hypervisor: must not appear */
	outb(0x64, 0xfe);		/* keyboard-controller reset: ignored */
	outb(0xcf9, 0x06);		/* PCI reset: ignored */
	outb(0x604, 0x20);		/* QEMU ACPI power-off: ignored */
	outb(0xf4, 0x01);		/* isa-debug-exit: ignored */
	check(true, "writes to reset and power-off ports were ignored (the machine is still up)");
}
