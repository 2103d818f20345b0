/*
 * The Linux child's I/O APIC (82093AA I/O Advanced Programmable Interrupt
 * Controller data sheet, 3.0 "Register description"): IOREGSEL and IOWIN
 * in its page, the ID, version and arbitration registers and 24
 * redirection entries behind them. It turns pin levels into interrupt
 * messages for the local APICs (in the hypervisor), which the caller
 * delivers. Version 0x11 has no EOI register (that came with 0x20):
 * Linux then ends a level interrupt's remote IRR by making the entry edge
 * and back (arch/x86/kernel/apic/io_apic.c, __eoi_ioapic_pin), which the
 * write of an edge entry below honours; a write at 0x40 is ignored.
 */
#include "partitions/root/devices.h"
#include "core/lib.h"

#define REG_ID		0x00
#define REG_VERSION	0x01
#define REG_ARB		0x02
#define REG_REDIR	0x10	/* entry n: low half at 0x10 + 2n, high half at 0x11 + 2n */

/* Redirection entry bits (data sheet 3.2.4, IOREDTBL[23:0]) */
#define RTE_VECTOR	0xffull
#define RTE_MODE_SHIFT	8		/* bits 10:8 */
#define RTE_LOGICAL	(1ull << 11)
#define RTE_STATUS	(1ull << 12)	/* delivery status, RO: 0, every message goes out at once */
#define RTE_ACTIVE_LOW	(1ull << 13)
#define RTE_REMOTE_IRR	(1ull << 14)	/* RO: a level interrupt accepted, its EOI not yet back */
#define RTE_LEVEL	(1ull << 15)
#define RTE_MASKED	(1ull << 16)
#define RTE_DEST_SHIFT	56
#define RTE_LOW_RW	(0xfffull | RTE_ACTIVE_LOW | RTE_LEVEL | RTE_MASKED)
#define RTE_HIGH_RW	0xff000000u	/* the destination field; 55:32 are reserved */

void ioapic_reset(struct ioapic *a, uint8_t id)
{
	memset(a, 0, sizeof(*a));
	a->id = id & 0x0f;
	for (unsigned pin = 0; pin < CHILDPLAT_IOAPIC_PINS; pin++)
		a->redir[pin] = RTE_MASKED;
}

static bool asserted(const struct ioapic *a, unsigned pin)
{
	return a->line[pin] != ((a->redir[pin] & RTE_ACTIVE_LOW) != 0);
}

/* Send pin's interrupt: the message from its entry; a level one sets remote IRR until its EOI. */
static bool deliver(struct ioapic *a, unsigned pin, struct ioapic_msg *out)
{
	uint64_t e = a->redir[pin];

	out->vector = (uint8_t)(e & RTE_VECTOR);
	out->mode = (uint8_t)(e >> RTE_MODE_SHIFT & 7);
	out->logical = e & RTE_LOGICAL;
	out->level = e & RTE_LEVEL;
	out->dest = (uint32_t)(e >> RTE_DEST_SHIFT);
	if (out->level)
		a->redir[pin] |= RTE_REMOTE_IRR;
	return true;
}

/* A level pin sends while it is asserted, unmasked and its last message's EOI has come back. */
static bool level_ready(const struct ioapic *a, unsigned pin)
{
	uint64_t e = a->redir[pin];

	return (e & RTE_LEVEL) && !(e & (RTE_MASKED | RTE_REMOTE_IRR)) && asserted(a, pin);
}

static uint32_t read_register(const struct ioapic *a, uint8_t reg)
{
	unsigned pin;

	switch (reg) {
	case REG_ID:
	case REG_ARB:	/* the arbitration ID is loaded from the ID (data sheet 3.2.3) */
		return (uint32_t)a->id << 24;
	case REG_VERSION:
		return CHILDPLAT_IOAPIC_VERSION | (CHILDPLAT_IOAPIC_PINS - 1) << 16;
	default:
		if (reg < REG_REDIR || reg >= REG_REDIR + 2 * CHILDPLAT_IOAPIC_PINS)
			return 0;
		pin = (reg - REG_REDIR) / 2u;
		return (uint32_t)(reg & 1 ? a->redir[pin] >> 32 : a->redir[pin]);
	}
}

/*
 * The low half keeps delivery status and remote IRR (read-only); an edge
 * entry has no remote IRR (Linux's EOI for a version 0x11, see above).
 */
static bool write_redir_low(struct ioapic *a, unsigned pin, uint32_t val, struct ioapic_msg *out)
{
	uint64_t e = a->redir[pin];

	e = (e & ~0xffffffffull) | (e & (RTE_STATUS | RTE_REMOTE_IRR)) | (val & RTE_LOW_RW);
	if (!(e & RTE_LEVEL))
		e &= ~RTE_REMOTE_IRR;
	a->redir[pin] = e;
	return level_ready(a, pin) && deliver(a, pin, out);
}

static bool write_register(struct ioapic *a, uint8_t reg, uint32_t val, struct ioapic_msg *out)
{
	unsigned pin;

	if (reg == REG_ID) {
		a->id = (uint8_t)(val >> 24 & 0x0f);
		return false;
	}
	if (reg < REG_REDIR || reg >= REG_REDIR + 2 * CHILDPLAT_IOAPIC_PINS)
		return false;	/* version, arbitration: read-only; the rest: nothing there */
	pin = (reg - REG_REDIR) / 2u;
	if (!(reg & 1))
		return write_redir_low(a, pin, val, out);
	a->redir[pin] = (a->redir[pin] & 0xffffffffull) | (uint64_t)(val & RTE_HIGH_RW) << 32;
	return false;
}

uint32_t ioapic_mmio_read(struct ioapic *a, uint32_t offset)
{
	switch (offset) {
	case IOAPIC_IOREGSEL: return a->ioregsel;
	case IOAPIC_IOWIN: return read_register(a, a->ioregsel);
	default: return 0;
	}
}

bool ioapic_mmio_write(struct ioapic *a, uint32_t offset, uint32_t val, struct ioapic_msg *out)
{
	switch (offset) {
	case IOAPIC_IOREGSEL:
		a->ioregsel = (uint8_t)val;
		return false;
	case IOAPIC_IOWIN:
		return write_register(a, a->ioregsel, val, out);
	default:
		return false;	/* IOAPIC_EOI too: not in version 0x11 */
	}
}

/*
 * Data sheet 3.2.4, bit 16: "When masked, edge-sensitive interrupts
 * signaled on a masked interrupt pin are ignored (i.e., not delivered or
 * held pending)"; a masked level one is sent when unmasked if still asserted.
 */
bool ioapic_set_line(struct ioapic *a, unsigned pin, bool high, struct ioapic_msg *out)
{
	bool was;

	if (pin >= CHILDPLAT_IOAPIC_PINS)
		return false;
	was = asserted(a, pin);
	a->line[pin] = high;
	if (a->redir[pin] & RTE_LEVEL)
		return level_ready(a, pin) && deliver(a, pin, out);
	return !(a->redir[pin] & RTE_MASKED) && !was && asserted(a, pin) && deliver(a, pin, out);
}

bool ioapic_eoi(struct ioapic *a, uint8_t vector, struct ioapic_msg *out)
{
	unsigned pin;

	for (pin = 0; pin < CHILDPLAT_IOAPIC_PINS; pin++)
		if ((a->redir[pin] & RTE_LEVEL) && (a->redir[pin] & RTE_VECTOR) == vector)
			a->redir[pin] &= ~RTE_REMOTE_IRR;
	for (pin = 0; pin < CHILDPLAT_IOAPIC_PINS; pin++)
		if ((a->redir[pin] & RTE_VECTOR) == vector && level_ready(a, pin))
			return deliver(a, pin, out);
	return false;
}
