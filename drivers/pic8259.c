/*
 * The BIOS leaves the master 8259 on vectors 8-15, on top of the CPU
 * exceptions (a timer tick would look like a double fault). Reprogram both
 * controllers to vectors 0x20-0x2f with the standard ICW sequence (8259A
 * datasheet, "Initialization Command Words") and mask every line: the
 * hypervisor uses the local APIC only.
 */
#include "drivers/pic8259.h"
#include "arch/x86/cpu.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1

void pic_disable(void)
{
	outb(PIC1_CMD, 0x11);	/* ICW1: edge, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, 0x20);	/* ICW2: vector base */
	outb(PIC2_DATA, 0x28);
	outb(PIC1_DATA, 0x04);	/* ICW3: slave on IR2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);	/* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);	/* mask everything */
	outb(PIC2_DATA, 0xff);
}
