/*
 * The root's device models for its children (docs/root.md, "Device
 * emulation"): pure logic, host-tested (tests/unit/test_childdev.c).
 *
 *   lineasm.c     bytes into lines, as the hypervisor's debug port does them
 *   uart_model.c  a 16550 UART with an always-empty transmitter, a 16-byte
 *                 receive FIFO and its interrupt output (IER, IIR, MCR.OUT2)
 *   ioapic.c      an 82093AA I/O APIC, the Linux child's (core/abi/childplat.h)
 *   rtc_model.c   an MC146818 CMOS RTC (ports 0x70/0x71) running from the root's wall clock
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

/* ---- rtc_model.c ---- */

#define RTC_CMOS_BYTES	128

/* MC146818A registers (data sheet, Table 2; the century byte is the PC's, ACPI FADT.CENTURY) */
#define RTC_SECONDS	0x00
#define RTC_MINUTES	0x02
#define RTC_HOURS	0x04
#define RTC_WEEKDAY	0x06	/* 1 = Sunday */
#define RTC_DAY		0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09	/* two digits */
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d
#define RTC_CENTURY	0x32

#define RTC_B_SET	0x80	/* the update cycle stops: the time registers can be set */
#define RTC_B_BINARY	0x04	/* DM: binary, not BCD */
#define RTC_B_24H	0x02	/* 24-hour, not 12-hour with bit 7 of the hour as PM */

/* A broken-down UTC time, proleptic Gregorian. */
struct rtc_time {
	int64_t year;
	unsigned month, day;		/* 1-12, 1-31 */
	unsigned hour, min, sec;
	unsigned wday;			/* 0 = Sunday */
};

/* Unix seconds to a date and back (Howard Hinnant's civil_from_days and days_from_civil). */
void rtc_from_unix(int64_t t, struct rtc_time *tm);
/* Any field values (from a guest's registers): days past the month's end run into the next. */
int64_t rtc_to_unix(const struct rtc_time *tm);
/* The time registers of a CMOS image (0x00-0x09 and the century) for `t`, formatted per register B. */
void rtc_encode(int64_t t, uint8_t regb, uint8_t cmos[RTC_CMOS_BYTES]);
/* The time those registers hold (not the day of the week), read per register B. */
int64_t rtc_decode(const uint8_t cmos[RTC_CMOS_BYTES], uint8_t regb);
/* Those registers hold a real date (digits BCD where BCD, fields in range; not the century). */
bool rtc_regs_valid(const uint8_t cmos[RTC_CMOS_BYTES], uint8_t regb);
/* A century byte that is not 19-99 (an RTC without one) is guessed as Linux does: year < 70 is 20xx. */
void rtc_fix_century(uint8_t cmos[RTC_CMOS_BYTES], uint8_t regb);

struct rtc_model {
	uint8_t index;			/* port 0x70 as written (bit 7, the NMI mask, kept and ignored) */
	uint8_t cmos[RTC_CMOS_BYTES];	/* registers A, B, alarms, RAM; the time registers while SET */
	/* the clock shows base_unix + (now_unix - base_wall), or base_unix while SET is on */
	int64_t base_unix, base_wall;
};

/* Power-on: the clock shows now_unix; A 0x26, B 0x02 (24-hour, BCD), D 0x80; RAM zero. */
void rtc_model_reset(struct rtc_model *r, int64_t now_unix);
/* A write to port 0x70: the register that port 0x71 reaches. */
void rtc_model_select(struct rtc_model *r, uint8_t index);
/* A read of port 0x71 at wall-clock time now_unix: A's UIP always clear, C 0, D 0x80. */
uint8_t rtc_model_read(struct rtc_model *r, int64_t now_unix);
/*
 * A write to port 0x71: B's SET freezes the clock and its clearing runs it
 * on from the time registers; a time register written while SET is off
 * sets the time at once. C and D are read-only.
 */
void rtc_model_write(struct rtc_model *r, uint8_t val, int64_t now_unix);

/* ---- the root's wall clock (wallclock.c in the root; host tests supply their own) ---- */

/* Unix seconds now (UTC), as the host's RTC gave them at the root's start. */
int64_t root_unix_time(void);

/* ---- childdev.c ---- */

#define CHILDDEV_DEBUG_PORT	0xe9
#define CHILDDEV_COM1		0x3f8
#define CHILDDEV_RTC_INDEX	0x70
#define CHILDDEV_RTC_DATA	0x71

#define CHILDDEV_INPUT_MAX	256	/* bytes typed for the child, not yet in its UART's FIFO */

struct childdev {
	struct lineasm debug, com1_line;
	struct uart_model com1;
	struct rtc_model rtc;		/* runs from root_unix_time() */
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
 * of a line; 0x70/0x71 (byte accesses) are the CMOS RTC, at
 * root_unix_time() (0x70 reads back as written); any other port reads all
 * ones and ignores writes (counted in io_no_device: the child touched
 * hardware it does not have).
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
/*
 * The completion of an I/O-port intercept whose access read `v` (ignored
 * for a write): regs[0] RIP past the instruction, regs[1] RAX for IN.
 * Returns how many (1 or 2).
 */
unsigned childdev_io_complete(const struct hv_x64_io_port_intercept_message *m, uint32_t v,
			      struct hv_register_assoc regs[2]);

#endif
