/*
 * Host unit tests for the root's I/O APIC model (partitions/root/ioapic.c,
 * 82093AA data sheet 3.0): its registers through IOREGSEL/IOWIN, and the
 * messages edge and level pins send, with remote IRR, masking, polarity
 * and the EOI paths Linux uses on a version 0x11 I/O APIC.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "partitions/root/devices.h"

#define MASKED		0x10000u
#define LEVEL		0x8000u
#define REMOTE_IRR	0x4000u
#define ACTIVE_LOW	0x2000u
#define LOGICAL		0x800u

static struct ioapic io;
static struct ioapic_msg msg;

static int setup(void **state)
{
	(void)state;
	ioapic_reset(&io, 2);
	memset(&msg, 0, sizeof(msg));
	return 0;
}

static uint32_t reg_read(uint8_t reg)
{
	assert_false(ioapic_mmio_write(&io, IOAPIC_IOREGSEL, reg, &msg));
	return ioapic_mmio_read(&io, IOAPIC_IOWIN);
}

/* Select `reg` and write it: true when the write sent an interrupt. */
static bool reg_write(uint8_t reg, uint32_t val)
{
	assert_false(ioapic_mmio_write(&io, IOAPIC_IOREGSEL, reg, &msg));
	return ioapic_mmio_write(&io, IOAPIC_IOWIN, val, &msg);
}

/* Program pin's entry: the low half `low`, destination `dest`. */
static bool program(unsigned pin, uint32_t low, uint8_t dest)
{
	assert_false(reg_write((uint8_t)(0x11 + 2 * pin), (uint32_t)dest << 24));
	return reg_write((uint8_t)(0x10 + 2 * pin), low);
}

static void assert_msg(uint8_t vector, uint8_t mode, bool logical, bool level, uint32_t dest)
{
	assert_int_equal(msg.vector, vector);
	assert_int_equal(msg.mode, mode);
	assert_int_equal(msg.logical, logical);
	assert_int_equal(msg.level, level);
	assert_int_equal(msg.dest, dest);
	memset(&msg, 0, sizeof(msg));
}

static void test_registers(void **state)
{
	(void)state;
	assert_int_equal(reg_read(0x00), 0x02000000);		/* ID */
	assert_int_equal(reg_read(0x01), 0x00170011);		/* 24 entries, version 0x11 */
	assert_int_equal(reg_read(0x02), 0x02000000);		/* arbitration = ID */
	assert_int_equal(ioapic_mmio_read(&io, IOAPIC_IOREGSEL), 0x02);
	for (unsigned pin = 0; pin < CHILDPLAT_IOAPIC_PINS; pin++) {
		assert_int_equal(reg_read((uint8_t)(0x10 + 2 * pin)), MASKED);	/* reset: masked */
		assert_int_equal(reg_read((uint8_t)(0x11 + 2 * pin)), 0);
	}
	assert_int_equal(reg_read(0x40), 0);			/* past the last entry */
	assert_int_equal(reg_read(0x03), 0);
	/* ID: bits 27:24 writable; version and arbitration read-only */
	assert_false(reg_write(0x00, 0xff000000));
	assert_int_equal(reg_read(0x00), 0x0f000000);
	assert_false(reg_write(0x01, 0));
	assert_int_equal(reg_read(0x01), 0x00170011);
	assert_false(reg_write(0x02, 0));
	assert_int_equal(reg_read(0x02), 0x0f000000);
	/* an entry: delivery status, remote IRR and reserved bits read 0 whatever is written */
	assert_false(reg_write(0x10 + 2 * 23, 0xffffffff));
	assert_int_equal(reg_read(0x10 + 2 * 23), 0x0001afff);
	assert_false(reg_write(0x11 + 2 * 23, 0xffffffff));
	assert_int_equal(reg_read(0x11 + 2 * 23), 0xff000000);
	/* other offsets: read 0, writes ignored (0x40, the EOI register, only from version 0x20) */
	assert_int_equal(ioapic_mmio_read(&io, 0x20), 0);
	assert_int_equal(ioapic_mmio_read(&io, IOAPIC_EOI), 0);
	assert_false(ioapic_mmio_write(&io, 0x04, 0x5a, &msg));
	assert_int_equal(ioapic_mmio_read(&io, IOAPIC_IOREGSEL), 0x11 + 2 * 23);
}

/* COM1 as the root drives it: ISA IRQ 4, edge, active high; each rising edge sends. */
static void test_edge(void **state)
{
	(void)state;
	assert_false(program(CHILDPLAT_COM1_GSI, 0x24, 1));
	assert_true(ioapic_set_line(&io, CHILDPLAT_COM1_GSI, true, &msg));
	assert_msg(0x24, 0, false, false, 1);
	assert_false(ioapic_set_line(&io, CHILDPLAT_COM1_GSI, true, &msg));	/* no edge */
	assert_false(ioapic_set_line(&io, CHILDPLAT_COM1_GSI, false, &msg));
	assert_true(ioapic_set_line(&io, CHILDPLAT_COM1_GSI, true, &msg));
	assert_msg(0x24, 0, false, false, 1);
	assert_int_equal(reg_read(0x10 + 2 * CHILDPLAT_COM1_GSI) & REMOTE_IRR, 0);	/* edge: none */
	/* masked: an edge is lost, not held (data sheet 3.2.4 bit 16) */
	assert_false(ioapic_set_line(&io, CHILDPLAT_COM1_GSI, false, &msg));
	assert_false(program(CHILDPLAT_COM1_GSI, 0x24 | MASKED, 1));
	assert_false(ioapic_set_line(&io, CHILDPLAT_COM1_GSI, true, &msg));
	assert_false(program(CHILDPLAT_COM1_GSI, 0x24, 1));			/* unmasked while high */
	assert_false(ioapic_set_line(&io, CHILDPLAT_COM1_GSI, false, &msg));
	assert_true(ioapic_set_line(&io, CHILDPLAT_COM1_GSI, true, &msg));
	/* active low: the falling electrical edge is the asserting one */
	assert_false(program(7, 0x27 | ACTIVE_LOW | LOGICAL | 0x100, 0x03));
	assert_false(ioapic_set_line(&io, 7, true, &msg));
	assert_true(ioapic_set_line(&io, 7, false, &msg));
	assert_msg(0x27, 1, true, false, 0x03);
	/* no such pin */
	assert_false(ioapic_set_line(&io, CHILDPLAT_IOAPIC_PINS, true, &msg));
	assert_false(ioapic_set_line(&io, ~0u, true, &msg));
}

/* A level pin: one message until its EOI; asserted still at the EOI, another. */
static void test_level(void **state)
{
	const uint8_t irr_reg = 0x10 + 2 * 9;

	(void)state;
	/* the ACPI SCI as a MADT override makes it: level, active low; idle high */
	assert_false(ioapic_set_line(&io, 9, true, &msg));
	assert_false(program(9, 0x29 | LEVEL | ACTIVE_LOW | LOGICAL | 0x100, 0x0f));
	assert_true(ioapic_set_line(&io, 9, false, &msg));		/* low: asserted */
	assert_msg(0x29, 1, true, true, 0x0f);
	assert_int_equal(reg_read(irr_reg) & REMOTE_IRR, REMOTE_IRR);
	assert_false(ioapic_set_line(&io, 9, false, &msg));		/* remote IRR holds it */
	assert_false(ioapic_eoi(&io, 0x28, &msg));			/* another vector: nothing */
	assert_int_equal(reg_read(irr_reg) & REMOTE_IRR, REMOTE_IRR);
	assert_true(ioapic_eoi(&io, 0x29, &msg));			/* still asserted: again */
	assert_msg(0x29, 1, true, true, 0x0f);
	assert_false(ioapic_set_line(&io, 9, true, &msg));		/* deasserted */
	assert_false(ioapic_eoi(&io, 0x29, &msg));
	assert_int_equal(reg_read(irr_reg) & REMOTE_IRR, 0);
	/* the guest cannot write remote IRR */
	assert_false(reg_write(irr_reg, 0x29 | LEVEL | ACTIVE_LOW | REMOTE_IRR | MASKED));
	assert_int_equal(reg_read(irr_reg) & REMOTE_IRR, 0);
	/* masked, asserted: sent when unmasked */
	assert_false(ioapic_set_line(&io, 9, false, &msg));
	assert_true(reg_write(irr_reg, 0x29 | LEVEL | ACTIVE_LOW));
	assert_msg(0x29, 0, false, true, 0x0f);
	/* the EOI register of later versions does nothing here */
	assert_false(ioapic_mmio_write(&io, IOAPIC_EOI, 0x29, &msg));
	assert_int_equal(reg_read(irr_reg) & REMOTE_IRR, REMOTE_IRR);
}

/*
 * Version 0x11 has no EOI register: Linux clears a stuck remote IRR by
 * masking the entry as edge and restoring it (io_apic.c, __eoi_ioapic_pin).
 */
static void test_edge_clears_remote_irr(void **state)
{
	const uint8_t reg = 0x10 + 2 * 10;

	(void)state;
	assert_false(program(10, 0x31 | LEVEL, 0));
	assert_true(ioapic_set_line(&io, 10, true, &msg));
	assert_int_equal(reg_read(reg) & REMOTE_IRR, REMOTE_IRR);
	assert_false(reg_write(reg, 0x31 | MASKED));			/* edge, masked */
	assert_int_equal(reg_read(reg) & REMOTE_IRR, 0);
	assert_true(reg_write(reg, 0x31 | LEVEL));			/* back: still asserted, sent */
	assert_msg(0x31, 0, false, true, 0);
	/* a level entry keeps its remote IRR across other writes */
	assert_false(reg_write(reg, 0x31 | LEVEL | MASKED));
	assert_int_equal(reg_read(reg) & REMOTE_IRR, REMOTE_IRR);
}

/* Two level pins on one vector: one message per EOI, the lowest pin first. */
static void test_shared_vector(void **state)
{
	(void)state;
	assert_false(program(11, 0x40 | LEVEL, 0));
	assert_false(program(12, 0x40 | LEVEL, 1));
	assert_true(ioapic_set_line(&io, 12, true, &msg));
	assert_msg(0x40, 0, false, true, 1);
	assert_true(ioapic_set_line(&io, 11, true, &msg));
	assert_msg(0x40, 0, false, true, 0);
	assert_false(ioapic_set_line(&io, 11, false, &msg));
	assert_true(ioapic_eoi(&io, 0x40, &msg));			/* 11 is down: 12 again */
	assert_msg(0x40, 0, false, true, 1);
	assert_false(ioapic_set_line(&io, 12, false, &msg));
	assert_false(ioapic_eoi(&io, 0x40, &msg));
	/* an edge pin on the vector is not touched by its EOI */
	assert_false(program(13, 0x40, 0));
	assert_true(ioapic_set_line(&io, 13, true, &msg));
	assert_false(ioapic_eoi(&io, 0x40, &msg));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_registers, setup),
		cmocka_unit_test_setup(test_edge, setup),
		cmocka_unit_test_setup(test_level, setup),
		cmocka_unit_test_setup(test_edge_clears_remote_irr, setup),
		cmocka_unit_test_setup(test_shared_vector, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
