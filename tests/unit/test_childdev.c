/*
 * Host unit tests for the root's device models (partitions/root/devices.h):
 * the line assembler, the 16550 model and its receiver, a child's ports and
 * COM1 input, and the completion of an I/O-port intercept message as
 * register assignments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "partitions/root/devices.h"

static char lines[8][LINEASM_MAX + 1];
static unsigned nlines;
static struct childdev dev;
static int64_t wall_clock = 1796439600;		/* root_unix_time(): 2026-12-05 03:00:00 */

int64_t root_unix_time(void)
{
	return wall_clock;
}

static void collect(void *ctx, const char *text)
{
	assert_ptr_equal(ctx, &dev);
	assert_true(nlines < 8);
	snprintf(lines[nlines++], sizeof(lines[0]), "%s", text);
}

static int setup(void **state)
{
	(void)state;
	childdev_reset(&dev);
	nlines = 0;
	return 0;
}

static void test_lineasm(void **state)
{
	struct lineasm a = { .len = 0 };
	const char *l = NULL;
	char longline[LINEASM_MAX + 1];

	(void)state;
	for (const char *p = "hi\r\tx"; *p; p++)
		assert_null(lineasm_put(&a, (uint8_t)*p));
	l = lineasm_put(&a, '\n');
	assert_string_equal(l, "hi?x");	/* CR dropped, TAB not printable */
	assert_null(lineasm_flush(&a));
	assert_string_equal(lineasm_put(&a, '\n'), "");	/* an empty line is a line */
	for (unsigned i = 0; i < LINEASM_MAX - 1; i++)
		assert_null(lineasm_put(&a, 'a'));
	l = lineasm_put(&a, 0x80);			/* fills it: cut there */
	memset(longline, 'a', LINEASM_MAX - 1);
	longline[LINEASM_MAX - 1] = '?';
	longline[LINEASM_MAX] = '\0';
	assert_string_equal(l, longline);
	assert_null(lineasm_put(&a, 'z'));
	assert_string_equal(lineasm_flush(&a), "z");
	assert_null(lineasm_flush(&a));
}

static void test_uart(void **state)
{
	struct uart_model u;
	uint8_t tx = 0;

	(void)state;
	uart_model_reset(&u);
	assert_int_equal(uart_model_read(&u, 5), 0x60);		/* THR and transmitter empty */
	assert_int_equal(uart_model_read(&u, 2), 0x01);		/* no interrupt pending */
	assert_int_equal(uart_model_read(&u, 0), 0);		/* nothing received */
	assert_true(uart_model_write(&u, 0, 'A', &tx));
	assert_int_equal(tx, 'A');
	/* the divisor behind DLAB: no byte goes out */
	assert_false(uart_model_write(&u, 3, 0x83, &tx));
	assert_false(uart_model_write(&u, 0, 0x01, &tx));
	assert_false(uart_model_write(&u, 1, 0x00, &tx));
	assert_int_equal(uart_model_read(&u, 0), 0x01);
	assert_int_equal(uart_model_read(&u, 1), 0x00);
	assert_false(uart_model_write(&u, 3, 0x03, &tx));
	assert_int_equal(uart_model_read(&u, 3), 0x03);
	/* IER keeps its low four bits; FIFOs show in IIR (THR empty, just enabled: then none) */
	assert_false(uart_model_write(&u, 1, 0xff, &tx));
	assert_int_equal(uart_model_read(&u, 1), 0x0f);
	assert_false(uart_model_write(&u, 2, 0xc7, &tx));
	assert_int_equal(uart_model_read(&u, 2), 0xc2);
	assert_int_equal(uart_model_read(&u, 2), 0xc1);
	/* scratch, LSR writes ignored */
	assert_false(uart_model_write(&u, 7, 0x5a, &tx));
	assert_int_equal(uart_model_read(&u, 7), 0x5a);
	assert_false(uart_model_write(&u, 5, 0x00, &tx));
	assert_int_equal(uart_model_read(&u, 5), 0x60);
	/* modem status: CTS DSR DCD up; in loopback they follow MCR */
	assert_int_equal(uart_model_read(&u, 6), 0xb0);
	assert_false(uart_model_write(&u, 4, 0x10 | 0x02, &tx));	/* loop, RTS */
	assert_int_equal(uart_model_read(&u, 6), 0x10);		/* CTS */
	assert_false(uart_model_write(&u, 4, 0x10 | 0x0d, &tx));	/* loop, DTR OUT1 OUT2 */
	assert_int_equal(uart_model_read(&u, 6), 0xe0);		/* DSR RI DCD */
	assert_false(uart_model_write(&u, 0, 'B', &tx));		/* loopback: not sent */
}

static void test_uart_receive(void **state)
{
	struct uart_model u;
	uint8_t tx = 0;

	(void)state;
	uart_model_reset(&u);
	/* FIFOs off (a 16450): one byte held */
	assert_true(uart_model_receive(&u, 'x'));
	assert_false(uart_model_receive(&u, 'y'));
	assert_int_equal(uart_model_read(&u, 5), 0x61);		/* DR */
	assert_int_equal(uart_model_read(&u, 0), 'x');
	assert_int_equal(uart_model_read(&u, 5), 0x60);
	assert_int_equal(uart_model_read(&u, 0), 0);		/* empty reads 0 */
	/* FIFOs on: 16 bytes, oldest first */
	assert_false(uart_model_write(&u, 2, 0x01, &tx));
	for (unsigned i = 0; i < UART_RX_FIFO; i++)
		assert_true(uart_model_receive(&u, (uint8_t)('a' + i)));
	assert_false(uart_model_receive(&u, '!'));		/* full: the caller keeps it */
	for (unsigned i = 0; i < UART_RX_FIFO; i++) {
		assert_int_equal(uart_model_read(&u, 5) & 0x01, 0x01);
		assert_int_equal(uart_model_read(&u, 0), 'a' + i);
	}
	assert_int_equal(uart_model_read(&u, 5), 0x60);
	/* IIR: received data available only with IER.ERBFI and data waiting */
	assert_true(uart_model_receive(&u, 'q'));
	assert_int_equal(uart_model_read(&u, 2), 0xc1);
	assert_false(uart_model_write(&u, 1, 0x01, &tx));
	assert_int_equal(uart_model_read(&u, 2), 0xc4);
	/* DLAB set: RBR's address reads DLL and pops nothing */
	assert_false(uart_model_write(&u, 3, 0x80, &tx));
	assert_int_equal(uart_model_read(&u, 0), 0x0c);
	assert_false(uart_model_write(&u, 3, 0x03, &tx));
	assert_int_equal(uart_model_read(&u, 0), 'q');
	assert_int_equal(uart_model_read(&u, 2), 0xc1);
	/* FCR1 empties the receiver FIFO (with FCR0 set) */
	assert_true(uart_model_receive(&u, '1'));
	assert_true(uart_model_receive(&u, '2'));
	assert_false(uart_model_write(&u, 2, 0x03, &tx));
	assert_int_equal(uart_model_read(&u, 5), 0x60);
	assert_int_equal(uart_model_read(&u, 0), 0);
	/* turning the FIFOs off empties them too */
	assert_true(uart_model_receive(&u, '3'));
	assert_false(uart_model_write(&u, 2, 0x00, &tx));
	assert_int_equal(uart_model_read(&u, 5), 0x60);
}

static void test_uart_loopback(void **state)
{
	struct uart_model u;
	uint8_t tx = 0;

	(void)state;
	uart_model_reset(&u);
	assert_false(uart_model_write(&u, 2, 0x07, &tx));
	assert_false(uart_model_write(&u, 4, 0x10, &tx));	/* loopback */
	assert_false(uart_model_receive(&u, 'z'));		/* the serial input is disconnected */
	assert_false(uart_model_write(&u, 0, 'L', &tx));		/* not sent: received */
	assert_int_equal(uart_model_read(&u, 5), 0x61);
	assert_int_equal(uart_model_read(&u, 0), 'L');
	/* 17 bytes into 16: the last is lost and LSR.OE says so, once */
	for (unsigned i = 0; i <= UART_RX_FIFO; i++)
		assert_false(uart_model_write(&u, 0, (uint8_t)i, &tx));
	assert_int_equal(uart_model_read(&u, 5), 0x63);
	assert_int_equal(uart_model_read(&u, 5), 0x61);
	for (unsigned i = 0; i < UART_RX_FIFO; i++)
		assert_int_equal(uart_model_read(&u, 0), i);
	assert_int_equal(uart_model_read(&u, 5), 0x60);
	/* out of loopback: the input is connected again */
	assert_false(uart_model_write(&u, 4, 0x00, &tx));
	assert_true(uart_model_receive(&u, 'z'));
}

/* IIR's priorities (PC16550D Table IV): line status > received data > THR empty > none. */
static void test_uart_iir_priority(void **state)
{
	struct uart_model u;
	uint8_t tx = 0;

	(void)state;
	uart_model_reset(&u);
	assert_false(uart_model_write(&u, 2, 0x07, &tx));		/* FIFOs on */
	assert_false(uart_model_write(&u, 4, 0x10, &tx));		/* loopback */
	for (unsigned i = 0; i <= UART_RX_FIFO; i++)			/* 17 into 16: overrun */
		assert_false(uart_model_write(&u, 0, (uint8_t)i, &tx));
	assert_int_equal(uart_model_read(&u, 2), 0xc1);		/* all three pending, none enabled */
	assert_false(uart_model_write(&u, 1, 0x07, &tx));		/* ELSI ETBEI ERBFI */
	assert_int_equal(uart_model_read(&u, 2), 0xc6);		/* line status: not cleared by IIR */
	assert_int_equal(uart_model_read(&u, 2), 0xc6);
	assert_int_equal(uart_model_read(&u, 5), 0x63);		/* the LSR read clears OE */
	assert_int_equal(uart_model_read(&u, 2), 0xc4);		/* then received data */
	for (unsigned i = 0; i < UART_RX_FIFO; i++)
		assert_int_equal(uart_model_read(&u, 0), i);
	assert_int_equal(uart_model_read(&u, 2), 0xc2);		/* then THR empty, cleared by this read */
	assert_int_equal(uart_model_read(&u, 2), 0xc1);
	/* without ELSI an overrun shows as the data it came with */
	assert_false(uart_model_write(&u, 1, 0x01, &tx));
	for (unsigned i = 0; i <= UART_RX_FIFO; i++)
		assert_false(uart_model_write(&u, 0, (uint8_t)i, &tx));
	assert_int_equal(uart_model_read(&u, 2), 0xc4);
	/* FIFOs off: IIR7:6 clear (a 16450); the FIFO change emptied the receiver */
	assert_false(uart_model_write(&u, 2, 0x00, &tx));
	assert_false(uart_model_write(&u, 1, 0x02, &tx));		/* ETBEI 0 -> 1 */
	assert_int_equal(uart_model_read(&u, 2), 0x02);
	assert_int_equal(uart_model_read(&u, 2), 0x01);
}

/* The THRE interrupt: pending after a THR write or ETBEI 0 -> 1, cleared by the IIR read that reports it. */
static void test_uart_thre(void **state)
{
	struct uart_model u;
	uint8_t tx = 0, iir1, iir;

	(void)state;
	uart_model_reset(&u);
	assert_true(uart_model_write(&u, 0, 'a', &tx));
	assert_int_equal(uart_model_read(&u, 2), 0x01);		/* pending, but not enabled */
	/* serial8250_do_startup's UART_BUG_THRE test: THRE is asserted again on each enable */
	assert_false(uart_model_write(&u, 1, 0x02, &tx));
	iir1 = uart_model_read(&u, 2);
	assert_false(uart_model_write(&u, 1, 0x00, &tx));
	assert_false(uart_model_write(&u, 1, 0x02, &tx));
	iir = uart_model_read(&u, 2);
	assert_false(uart_model_write(&u, 1, 0x00, &tx));
	assert_int_equal(iir1, 0x02);
	assert_int_equal(iir, 0x02);
	/* its UART_BUG_TXEN test: IER.THRI on, LSR.TEMT and an interrupt identified */
	assert_false(uart_model_write(&u, 1, 0x02, &tx));
	assert_int_equal(uart_model_read(&u, 5) & 0x40, 0x40);
	assert_int_equal(uart_model_read(&u, 2), 0x02);
	/* cleared by that read; a THR write makes it pending again at once */
	assert_int_equal(uart_model_read(&u, 2), 0x01);
	assert_true(uart_model_write(&u, 0, 'b', &tx));
	assert_int_equal(uart_model_read(&u, 2), 0x02);
	/* an IER write that leaves ETBEI on does not make it pending */
	assert_false(uart_model_write(&u, 1, 0x03, &tx));
	assert_int_equal(uart_model_read(&u, 2), 0x01);
	/* a THR write in loopback empties THR too */
	assert_false(uart_model_write(&u, 4, 0x10, &tx));
	assert_false(uart_model_write(&u, 1, 0x02, &tx));
	assert_false(uart_model_write(&u, 0, 'c', &tx));
	assert_int_equal(uart_model_read(&u, 2), 0x02);
	/* a reset UART has none pending */
	uart_model_reset(&u);
	assert_false(uart_model_write(&u, 1, 0x01, &tx));
	assert_int_equal(uart_model_read(&u, 2), 0x01);
}

/* The interrupt output: an identified interrupt, gated by MCR.OUT2, off in loopback. */
static void test_uart_irq_gate(void **state)
{
	struct uart_model u;
	uint8_t tx = 0;

	(void)state;
	uart_model_reset(&u);
	assert_false(uart_model_irq(&u));
	assert_false(uart_model_write(&u, 1, 0x02, &tx));		/* THRE pending */
	assert_false(uart_model_irq(&u));				/* OUT2 clear */
	assert_false(uart_model_write(&u, 4, 0x03, &tx));		/* DTR RTS: still no OUT2 */
	assert_false(uart_model_irq(&u));
	assert_false(uart_model_write(&u, 4, 0x0b, &tx));		/* OUT2 */
	assert_true(uart_model_irq(&u));
	assert_false(uart_model_write(&u, 4, 0x1b, &tx));		/* loopback forces OUT2 off */
	assert_false(uart_model_irq(&u));
	assert_false(uart_model_write(&u, 4, 0x0b, &tx));
	assert_true(uart_model_irq(&u));
	assert_int_equal(uart_model_read(&u, 2), 0x02);
	assert_false(uart_model_irq(&u));				/* the IIR read took it */
	/* received data: up while a byte waits */
	assert_false(uart_model_write(&u, 1, 0x01, &tx));
	assert_true(uart_model_receive(&u, 'r'));
	assert_true(uart_model_irq(&u));
	assert_int_equal(uart_model_read(&u, 2), 0x04);
	assert_true(uart_model_irq(&u));				/* IIR does not clear it */
	assert_int_equal(uart_model_read(&u, 0), 'r');
	assert_false(uart_model_irq(&u));
}

/*
 * Linux's 8250 driver on an edge-triggered IRQ 4: start_tx sets IER.THRI;
 * the handler (serial8250_interrupt) reads IIR until it says none, and
 * serial8250_tx_chars writes up to 16 bytes each time, clearing IER.THRI
 * (__stop_tx) once the buffer is empty. The line must rise for every
 * burst and be low when the handler is done, or the next edge is lost.
 */
struct linux_8250 {
	struct uart_model u;
	uint8_t ier;
	unsigned left, sent, rises, interrupts;
	bool line;
};

static void l8250_sample(struct linux_8250 *l)
{
	bool now = uart_model_irq(&l->u);

	l->rises += now && !l->line;
	l->line = now;
}

static void l8250_out(struct linux_8250 *l, unsigned reg, uint8_t val)
{
	uint8_t tx = 0;

	if (uart_model_write(&l->u, reg, val, &tx))
		l->sent++;
	if (reg == 1)
		l->ier = val;
	l8250_sample(l);
}

static uint8_t l8250_in(struct linux_8250 *l, unsigned reg)
{
	uint8_t v = uart_model_read(&l->u, reg);

	l8250_sample(l);
	return v;
}

static void l8250_tx_chars(struct linux_8250 *l)
{
	for (unsigned count = 16; l->left && count; count--, l->left--)
		l8250_out(l, 0, 'x');
	if (!l->left)
		l8250_out(l, 1, (uint8_t)(l->ier & ~0x02));
}

static void l8250_interrupt(struct linux_8250 *l)
{
	l->interrupts++;
	for (unsigned pass = 0; pass < 64; pass++) {
		if (l8250_in(l, 2) & 0x01)
			return;
		while (l8250_in(l, 5) & 0x01)
			l8250_in(l, 0);
		if (l->ier & 0x02)
			l8250_tx_chars(l);
	}
	fail_msg("the handler never saw IIR say none");
}

static void test_uart_irq_linux(void **state)
{
	struct linux_8250 l;

	(void)state;
	memset(&l, 0, sizeof(l));
	uart_model_reset(&l.u);
	l8250_out(&l, 2, 0x07);
	l8250_out(&l, 3, 0x03);
	l8250_out(&l, 4, 0x0b);						/* DTR RTS OUT2 */
	l8250_out(&l, 1, 0x05);						/* RLSI RDI */
	assert_false(l.line);
	for (unsigned burst = 1; burst <= 2; burst++) {
		unsigned rises = l.rises;

		l.left = 40;
		l8250_out(&l, 1, (uint8_t)(l.ier | 0x02));		/* start_tx */
		assert_true(l.line);
		/* the I/O APIC sends on each rising edge; each runs the handler */
		while (l.rises > l.interrupts)
			l8250_interrupt(&l);
		assert_int_equal(l.sent, 40 * burst);
		assert_false(l.line);
		assert_int_equal(l.ier, 0x05);
		assert_true(l.rises > rises);
	}
	/* a byte typed: the line rises, the handler reads it, the line falls */
	assert_true(uart_model_receive(&l.u, 'k'));
	l8250_sample(&l);
	assert_true(l.line);
	l8250_interrupt(&l);
	assert_false(l.line);
	assert_int_equal(l.u.rx_count, 0);
}

static uint8_t com1_in(unsigned reg)
{
	return (uint8_t)childdev_io(&dev, (uint16_t)(CHILDDEV_COM1 + reg), 1, false, 0, collect, &dev);
}

static void com1_out(unsigned reg, uint8_t val)
{
	childdev_io(&dev, (uint16_t)(CHILDDEV_COM1 + reg), 1, true, val, collect, &dev);
}

static void test_input_queue(void **state)
{
	enum { ALL = UART_RX_FIFO + CHILDDEV_INPUT_MAX };
	char got[ALL + 1];
	unsigned n = 0;

	(void)state;
	com1_out(2, 0x07);					/* FIFOs on */
	/* more than the FIFO holds: the queue keeps the rest, every RBR read refills */
	for (unsigned i = 0; i < ALL; i++)
		assert_true(childdev_input(&dev, (uint8_t)('A' + i % 26)));
	assert_false(childdev_input(&dev, '!'));		/* FIFO and queue full */
	assert_int_equal(dev.com1.rx_count, UART_RX_FIFO);
	assert_int_equal(dev.in_count, CHILDDEV_INPUT_MAX);
	while (n < ALL + 1 && (com1_in(5) & 0x01))
		got[n++] = (char)com1_in(0);
	assert_int_equal(n, ALL);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(got[i], 'A' + i % 26);
	assert_int_equal(dev.in_count, 0);
	/* a FIFO emptied by FCR takes what is queued at once */
	for (const char *p = "0123456789abcdefXY"; *p; p++)
		assert_true(childdev_input(&dev, (uint8_t)*p));
	com1_out(2, 0x03);
	assert_int_equal(com1_in(0), 'X');
	assert_int_equal(com1_in(0), 'Y');
	assert_int_equal(com1_in(5), 0x60);
	/* reading with DLAB set reads DLL, not the data */
	assert_true(childdev_input(&dev, 'd'));
	com1_out(3, 0x80);
	assert_int_equal(com1_in(0), 0x0c);
	com1_out(3, 0x03);
	assert_int_equal(com1_in(0), 'd');
	/* in loopback the input waits, and comes in after it */
	com1_out(4, 0x10);
	assert_true(childdev_input(&dev, 'w'));
	assert_int_equal(com1_in(5), 0x60);
	com1_out(4, 0x00);
	assert_int_equal(com1_in(5), 0x61);
	assert_int_equal(com1_in(0), 'w');
	/* a reset child has nothing waiting */
	assert_true(childdev_input(&dev, 'r'));
	childdev_reset(&dev);
	assert_int_equal(com1_in(5), 0x60);
}

static void test_ports(void **state)
{
	(void)state;
	assert_int_equal(childdev_io(&dev, 0xe9, 1, false, 0, collect, &dev), 0xe9);
	for (const char *p = "dbg\n"; *p; p++)
		childdev_io(&dev, 0xe9, 1, true, (uint8_t)*p, collect, &dev);
	for (const char *p = "com1"; *p; p++)
		childdev_io(&dev, 0x3f8, 1, true, (uint8_t)*p, collect, &dev);
	assert_int_equal(childdev_io(&dev, 0x3fd, 1, false, 0, collect, &dev), 0x60);
	childdev_io(&dev, 0x3f8, 1, true, '\n', collect, &dev);
	assert_int_equal(nlines, 2);
	assert_string_equal(lines[0], "dbg");
	assert_string_equal(lines[1], "com1");
	/* nothing else there: reads all ones, writes ignored */
	assert_int_equal(childdev_io(&dev, 0x80, 1, false, 0, collect, &dev), 0xffffffffu);
	assert_int_equal(childdev_io(&dev, 0x2f8, 1, true, 'x', collect, &dev), 0);
	assert_int_equal(childdev_io(&dev, 0x3f8, 2, false, 0, collect, &dev), 0xffffffffu);
	/* every access counted; the last three reached no device (the root's "denied io=") */
	assert_int_equal(dev.io_accesses, 14);
	assert_int_equal(dev.io_no_device, 3);
	/* the unfinished lines come out at the end */
	childdev_io(&dev, 0xe9, 1, true, 'e', collect, &dev);
	childdev_io(&dev, 0x3f8, 1, true, 'c', collect, &dev);
	childdev_flush(&dev, collect, &dev);
	assert_int_equal(nlines, 4);
	assert_string_equal(lines[2], "e");
	assert_string_equal(lines[3], "c");
}

static struct hv_x64_io_port_intercept_message io_msg(uint16_t port, unsigned size, bool write,
						       uint64_t rax, unsigned len)
{
	struct hv_x64_io_port_intercept_message m;

	memset(&m, 0, sizeof(m));
	m.header.instruction_length_cr8 = (uint8_t)(len | 0x50);	/* CR8 in the high nibble */
	m.header.intercept_access_type = write ? HV_INTERCEPT_ACCESS_WRITE : HV_INTERCEPT_ACCESS_READ;
	m.header.rip = 0x1000;
	m.port_number = port;
	m.access_info = (uint8_t)size;
	m.rax = rax;
	return m;
}

/* The CMOS RTC at 0x70/0x71 runs from the root's wall clock; Linux's polls find UIP clear. */
static void test_rtc_ports(void **state)
{
	(void)state;
	assert_int_equal(childdev_io(&dev, 0x70, 1, true, 0x8a, collect, &dev), 0);	/* A, NMI bit */
	assert_int_equal(childdev_io(&dev, 0x70, 1, false, 0, collect, &dev), 0x8a);
	assert_int_equal(childdev_io(&dev, 0x71, 1, false, 0, collect, &dev), 0x26);	/* UIP clear */
	childdev_io(&dev, 0x70, 1, true, 0x00, collect, &dev);
	wall_clock += 9;
	assert_int_equal(childdev_io(&dev, 0x71, 1, false, 0, collect, &dev), 0x09);	/* seconds */
	childdev_io(&dev, 0x70, 1, true, 0x09, collect, &dev);
	assert_int_equal(childdev_io(&dev, 0x71, 1, false, 0, collect, &dev), 0x26);	/* year */
	childdev_io(&dev, 0x70, 1, true, 0x40, collect, &dev);
	childdev_io(&dev, 0x71, 1, true, 0x77, collect, &dev);				/* RAM */
	assert_int_equal(childdev_io(&dev, 0x71, 1, false, 0, collect, &dev), 0x77);
	assert_int_equal(dev.io_no_device, 0);
	/* only bytes: a wider access reaches no device */
	assert_int_equal(childdev_io(&dev, 0x70, 2, false, 0, collect, &dev), 0xffffffffu);
	assert_int_equal(dev.io_no_device, 1);
	/* a reset child's clock starts from the wall clock again, its RAM cleared */
	childdev_reset(&dev);
	childdev_io(&dev, 0x70, 1, true, 0x00, collect, &dev);
	assert_int_equal(childdev_io(&dev, 0x71, 1, false, 0, collect, &dev), 0x09);
	childdev_io(&dev, 0x70, 1, true, 0x40, collect, &dev);
	assert_int_equal(childdev_io(&dev, 0x71, 1, false, 0, collect, &dev), 0x00);
	wall_clock -= 9;
}

static void test_intercept_completion(void **state)
{
	struct hv_register_assoc r[2];
	struct hv_x64_io_port_intercept_message m;

	(void)state;
	/* OUT: only RIP, past the instruction; the byte written is AL's */
	m = io_msg(0xe9, 1, true, 0x1234567890abcd00ull | 'Q', 1);
	assert_int_equal(childdev_io_intercept(&dev, &m, r, collect, &dev), 1);
	assert_int_equal(r[0].name, HV_X64_REGISTER_RIP);
	assert_int_equal(r[0].value.reg64, 0x1001);
	m = io_msg(0xe9, 1, true, '\n', 2);
	childdev_io_intercept(&dev, &m, r, collect, &dev);
	assert_int_equal(nlines, 1);
	assert_string_equal(lines[0], "Q");
	/* IN of a byte: only AL replaced */
	m = io_msg(0x3fd, 1, false, 0x1122334455667788ull, 1);
	assert_int_equal(childdev_io_intercept(&dev, &m, r, collect, &dev), 2);
	assert_int_equal(r[1].name, HV_X64_REGISTER_RAX);
	assert_int_equal(r[1].value.reg64, 0x1122334455667760ull);
	/* IN of a word and a dword from nothing: all ones; a word keeps RAX's other bytes, a dword zero-extends */
	m = io_msg(0x80, 2, false, 0x1122334455667788ull, 2);
	childdev_io_intercept(&dev, &m, r, collect, &dev);
	assert_int_equal(r[1].value.reg64, 0x112233445566ffffull);
	assert_int_equal(r[0].value.reg64, 0x1002);
	m = io_msg(0x80, 4, false, 0x1122334455667788ull, 1);
	childdev_io_intercept(&dev, &m, r, collect, &dev);
	assert_int_equal(r[1].value.reg64, 0xffffffffull);
	/* what cannot be completed */
	m = io_msg(0xe9, 3, true, 0, 1);
	assert_int_equal(childdev_io_intercept(&dev, &m, r, collect, &dev), 0);
	m = io_msg(0xe9, 1, true, 0, 0);
	assert_int_equal(childdev_io_intercept(&dev, &m, r, collect, &dev), 0);
	m = io_msg(0xe9, 1, true, 0, 2);
	m.access_info |= HV_X64_IO_PORT_ACCESS_STRING_OP;
	assert_int_equal(childdev_io_intercept(&dev, &m, r, collect, &dev), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lineasm),
		cmocka_unit_test(test_uart),
		cmocka_unit_test(test_uart_receive),
		cmocka_unit_test(test_uart_loopback),
		cmocka_unit_test(test_uart_iir_priority),
		cmocka_unit_test(test_uart_thre),
		cmocka_unit_test(test_uart_irq_gate),
		cmocka_unit_test(test_uart_irq_linux),
		cmocka_unit_test_setup(test_input_queue, setup),
		cmocka_unit_test_setup(test_ports, setup),
		cmocka_unit_test_setup(test_rtc_ports, setup),
		cmocka_unit_test_setup(test_intercept_completion, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
