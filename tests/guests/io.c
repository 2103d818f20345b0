/* I/O ports: only the debug port is the partition's; the rest reads all ones and ignores writes. */
#include "tests/guests/guest.h"

void guest_main(const struct guest_boot *b)
{
	(void)b;
	check(inb(0xe9) == 0xe9, "inb from the debug port answers");
	check(inb(0x60) == 0xff, "inb from the keyboard controller reads 0xff (denied)");
	check(inw(0x1f0) == 0xffff, "inw from the IDE data port reads 0xffff (denied)");
	check(inl(0xcf8) == 0xffffffff, "inl from PCI config address reads all ones (denied)");
	outb(0x3f8, '#');		/* COM1 belongs to the hypervisor: must not appear */
	outb(0x64, 0xfe);		/* keyboard-controller reset: ignored */
	outb(0xcf9, 0x06);		/* PCI reset: ignored */
	outb(0x604, 0x20);		/* QEMU ACPI power-off: ignored */
	outb(0xf4, 0x01);		/* isa-debug-exit: ignored */
	check(true, "writes to reset and power-off ports were ignored (the machine is still up)");
}
