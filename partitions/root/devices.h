/*
 * The root's device models for its children (docs/root.md, "Device
 * emulation"): pure logic, host-tested (tests/unit/test_childdev.c).
 *
 *   lineasm.c     bytes into lines, as the hypervisor's debug port does them
 *   uart_model.c  a 16550 UART with an always-empty transmitter, a 16-byte
 *                 receive FIFO and its interrupt output (IER, IIR, MCR.OUT2)
 *   ioapic.c      an 82093AA I/O APIC, the Linux child's (core/abi/childplat.h)
 *   childdev.c    a child's ports (0xE9, COM1, the rest), its COM1 input, and
 *                 the completion of an I/O-port intercept as register assignments
 */
#ifndef PARTITIONS_ROOT_DEVICES_H
#define PARTITIONS_ROOT_DEVICES_H

#include "core/abi/childplat.h"
#include "core/abi/hvroot.h"
#include "core/types.h"

/* ---- lineasm.c ---- */

#define LINEASM_MAX	119	/* characters of a line; a longer one is cut into several */

struct lineasm {
	char buf[LINEASM_MAX + 1];
	size_t len;
};

/*
 * Add one byte: '\n' ends the line, '\r' is dropped, anything not
 * printable ASCII becomes '?'. Returns the finished line (NUL-terminated,
 * valid until the next call) when this byte ended one or filled it, else NULL.
 */
const char *lineasm_put(struct lineasm *a, uint8_t c);
/* The unfinished line, if any (at a child's end); NULL if there is none. */
const char *lineasm_flush(struct lineasm *a);

/* ---- uart_model.c ---- */

#define UART_PORTS	8	/* THR/RBR/DLL, IER/DLM, IIR/FCR, LCR, MCR, LSR, MSR, SCR */

#define UART_RX_FIFO	16	/* the 16550's receiver FIFO */

struct uart_model {
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	/* received, not yet read: rx_count bytes from rx[rx_head], a ring */
	uint8_t rx[UART_RX_FIFO];
	uint8_t rx_head, rx_count;
	bool overrun;		/* LSR.OE until LSR is read: a loopback byte found the FIFO full */
	bool thre_pending;	/* the THRE interrupt: set by a THR write or IER.ETBEI 0 -> 1 */
};

void uart_model_reset(struct uart_model *u);
/*
 * A byte arrives on the serial input: into the receiver FIFO (LSR.DR says
 * so; RBR reads return the oldest). False when it does not fit (16 bytes
 * with the FIFOs on, 1 with them off, none in loopback, whose input is
 * disconnected): the caller keeps the byte and offers it again later.
 */
bool uart_model_receive(struct uart_model *u, uint8_t byte);
/* A write to register `reg` (0-7); true with *tx set when it transmits a byte. */
bool uart_model_write(struct uart_model *u, unsigned reg, uint8_t val, uint8_t *tx);
/*
 * A read of register `reg` (0-7): reading RBR pops a byte, LSR clears OE
 * and an IIR that reports THRE clears it, so it changes *u.
 */
uint8_t uart_model_read(struct uart_model *u, unsigned reg);
/*
 * The UART's interrupt as a PC wires it: an interrupt identified (IIR0
 * clear) and MCR.OUT2 set, outside loopback (where the OUT2 pin is forced
 * inactive). The caller signals an edge on each change (COM1: I/O APIC pin
 * CHILDPLAT_COM1_GSI, edge-triggered).
 */
bool uart_model_irq(const struct uart_model *u);

/* ---- ioapic.c ---- */

/* MMIO offsets in the I/O APIC's page (82093AA data sheet, 3.0) */
#define IOAPIC_IOREGSEL		0x00
#define IOAPIC_IOWIN		0x10
#define IOAPIC_EOI		0x40	/* version 0x20 and later only: ignored here (we are 0x11) */

struct ioapic {
	uint8_t id;				/* bits 27:24 of register 0x00 */
	uint8_t ioregsel;			/* the register IOWIN reaches */
	uint64_t redir[CHILDPLAT_IOAPIC_PINS];	/* redirection table, as the registers hold it */
	bool line[CHILDPLAT_IOAPIC_PINS];	/* each pin's electrical level, as last set */
};

/* An interrupt message for the local APICs, from a redirection entry. */
struct ioapic_msg {
	uint8_t vector;
	uint8_t mode;		/* delivery mode: 0 fixed, 1 lowest priority, 4 NMI, 5 INIT, 7 ExtINT */
	bool logical;		/* destination mode */
	bool level;		/* trigger mode: the target's EOI must come back (ioapic_eoi) */
	uint32_t dest;		/* APIC ID, or logical destination (bits 63:56 of the entry) */
};

/* Power-on: every pin masked, edge, active high, vector 0; ID `id`. */
void ioapic_reset(struct ioapic *a, uint8_t id);
/* A 32-bit read at `offset` in the page (IOREGSEL or IOWIN); any other offset reads 0. */
uint32_t ioapic_mmio_read(struct ioapic *a, uint32_t offset);
/*
 * A 32-bit write at `offset`. A write that unmasks a level-triggered pin
 * whose line is asserted (or clears its remote IRR by making it edge and
 * back) sends its interrupt: true with *out set.
 */
bool ioapic_mmio_write(struct ioapic *a, uint32_t offset, uint32_t val, struct ioapic_msg *out);
/*
 * The line of `pin` is now `high` (the electrical level: the entry's
 * polarity, bit 13, is applied here). Edge: an asserting edge of an
 * unmasked pin sends. Level: asserted, unmasked and remote IRR clear
 * sends and sets remote IRR. True with *out to send; false for a bad pin.
 */
bool ioapic_set_line(struct ioapic *a, unsigned pin, bool high, struct ioapic_msg *out);
/*
 * A local APIC retired `vector` of a level-triggered interrupt: remote
 * IRR of the level pins with that vector is cleared; the lowest such pin
 * still asserted and unmasked sends again (true with *out, remote IRR set
 * again). Only one message per EOI: pins sharing a vector are served one
 * per EOI, lowest first (Linux gives each pin a vector of its own).
 */
bool ioapic_eoi(struct ioapic *a, uint8_t vector, struct ioapic_msg *out);

/* ---- childdev.c ---- */

#define CHILDDEV_DEBUG_PORT	0xe9
#define CHILDDEV_COM1		0x3f8

#define CHILDDEV_INPUT_MAX	256	/* bytes typed for the child, not yet in its UART's FIFO */

struct childdev {
	struct lineasm debug, com1_line;
	struct uart_model com1;
	/* COM1 input waiting for room in the FIFO: in_count bytes from input[in_head], a ring */
	uint8_t input[CHILDDEV_INPUT_MAX];
	uint16_t in_head, in_count;
	/* port accesses emulated, and of those to a port with no device (the root's "denied io=") */
	uint64_t io_accesses, io_no_device;
	/* the first CHILDDEV_ABSENT_MAX ports with no device and their accesses (childdev_busiest_absent) */
	struct { uint16_t port; uint64_t count; } absent[8];
};

/* Where finished lines go: the caller prints "[NAME] text". */
typedef void (*childdev_line_fn)(void *ctx, const char *text);

void childdev_reset(struct childdev *d);
/*
 * A byte for the child's COM1 (typed at the console): queued, and moved
 * into the UART's receive FIFO as the child reads it empty, so a pasted
 * line longer than the FIFO is not lost. False when the queue is full:
 * the caller keeps the byte (or drops it) and may offer it again later.
 */
bool childdev_input(struct childdev *d, uint8_t byte);
/*
 * One port access of `size` bytes (1, 2 or 4). A write of `val`, or a
 * read whose value is returned: 0xE9 reads 0xE9 (Bochs's convention) and
 * writes a byte of a line; COM1 is the 16550 model, its THR writes a byte
 * of a line; any other port reads all ones and ignores writes (counted
 * in io_no_device: the child touched hardware it does not have).
 */
uint32_t childdev_io(struct childdev *d, uint16_t port, unsigned size, bool write, uint32_t val,
		     childdev_line_fn line, void *ctx);
/* The port with no device the child touched most (*count accesses); false if none. */
bool childdev_busiest_absent(const struct childdev *d, uint16_t *port, uint64_t *count);
/* Lines cut short at the child's end. */
void childdev_flush(struct childdev *d, childdev_line_fn line, void *ctx);

/*
 * Handle an I/O-port intercept message (hyperv-root-abi.md 6.3, 6.4):
 * emulate the access and fill regs[0..1] with RIP = rip + instruction
 * length and, for IN, RAX with only the accessed low bytes replaced.
 * Returns how many registers to set (1 or 2), 0 if the message cannot be
 * completed (no instruction length, a bad access size, string I/O).
 */
unsigned childdev_io_intercept(struct childdev *d, const struct hv_x64_io_port_intercept_message *m,
			       struct hv_register_assoc regs[2], childdev_line_fn line, void *ctx);

#endif
