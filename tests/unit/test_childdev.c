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
	/* IER keeps its low four bits; FIFOs show in IIR */
	assert_false(uart_model_write(&u, 1, 0xff, &tx));
	assert_int_equal(uart_model_read(&u, 1), 0x0f);
	assert_false(uart_model_write(&u, 2, 0xc7, &tx));
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
		cmocka_unit_test_setup(test_input_queue, setup),
		cmocka_unit_test_setup(test_ports, setup),
		cmocka_unit_test_setup(test_intercept_completion, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
