/*
 * Host unit tests for core/log.c, included here so that the tests can set
 * and read its state: a line logged while another CPU finishes sending (the
 * lost wake-up), partitions' shares of the ring and the hypervisor's
 * reserve, a handler that logs on a CPU stopped inside the log, panic
 * taking over a sender that stopped half-way, and the root partition
 * taking the serial port over in the middle of a line. The UART, the CPU number and
 * the interrupt flag are the test's (tests/unit/stubs/arch/x86/cpu.h); a
 * test that would spin for ever on a lock fails by alarm().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/log.c"

#define PARTITIONS	16	/* PART_MAX: the shares that fill the guests' room */

/* ---- the machine around the log ----------------------------------------------- */

static char wire[1 << 20];		/* what the UART sent, NUL-terminated */
static size_t wire_len;
static bool uart_full;			/* the UART takes nothing now */
static unsigned cpu_now;
static bool irq_on;
static void (*on_irq_enable)(void);	/* an event at the next irq_enable() */
static void (*on_wire_byte)(void);	/* an event at each byte sent */

bool uart_init(uint16_t port, uint32_t baud)
{
	(void)port, (void)baud;
	return true;
}

unsigned uart_tx_fifo_depth(uint16_t port)
{
	(void)port;
	return 16;
}

bool uart_tx_empty(uint16_t port)
{
	(void)port;
	return !uart_full;
}

static void to_wire(char c)
{
	if (wire_len < sizeof(wire) - 1)
		wire[wire_len++] = c;
	wire[wire_len] = '\0';
	if (on_wire_byte)
		on_wire_byte();
}

void uart_tx_byte(uint16_t port, char c)
{
	(void)port;
	to_wire(c);
}

void uart_putc(uint16_t port, char c)
{
	(void)port;
	to_wire(c);
}

unsigned this_cpu_id(void)
{
	return cpu_now;
}

uint64_t read_rflags(void)
{
	return irq_on ? RFLAGS_IF : 0;
}

void irq_disable(void)
{
	irq_on = false;
}

void irq_enable(void)
{
	irq_on = true;
	if (on_irq_enable)
		on_irq_enable();
}

void cpu_relax(void)
{
}

static int setup(void **state)
{
	(void)state;
	memset(ring_buf, 0, sizeof(ring_buf));
	logring_init(&ring, ring_buf, LOG_RING_SIZE);
	drain_at = (struct logring_cursor){ 0 };
	out_len = out_sent = 0;
	root_has_port = false;
	ring_lock.holder = drain_lock.holder = 0;
	log_init(0x3f8, 115200, LOG_DEBUG);
	log_start_buffering();
	wire_len = 0;
	wire[0] = '\0';
	uart_full = false;
	cpu_now = 0;
	irq_on = true;
	on_irq_enable = NULL;
	on_wire_byte = NULL;
	alarm(20);
	return 0;
}

static unsigned occurrences(const char *s)
{
	unsigned n = 0;

	for (const char *p = wire; (p = strstr(p, s)); p++)
		n++;
	return n;
}

/* ---- the lost wake-up ------------------------------------------------------------ */

static bool cpu1_logged;

/*
 * CPU 0 holds the sender's lock, has sent its line and found nothing more
 * to fetch, and has not unlocked yet: now CPU 1 logs, finds the lock taken
 * and leaves its line to CPU 0.
 */
static void cpu1_logs_in_the_window(void)
{
	if (cpu1_logged || cpu_now != 0 || drain_lock.holder != 1 || ring.head != drain_at.pos ||
	    !strstr(wire, "from cpu0\r\n"))
		return;
	cpu1_logged = true;
	cpu_now = 1;
	log_info("from cpu1, while cpu0 finishes sending");
	cpu_now = 0;
}

static void a_line_logged_while_the_sender_finishes_is_sent(void **state)
{
	(void)state;
	cpu1_logged = false;
	on_irq_enable = cpu1_logs_in_the_window;
	log_info("from cpu0");
	on_irq_enable = NULL;
	assert_true(cpu1_logged);
	assert_non_null(strstr(wire, "(cpu0) I: from cpu0\r\n"));
	assert_non_null(strstr(wire, "(cpu1) I: from cpu1, while cpu0 finishes sending\r\n"));
	assert_false(log_pending());
}

/* A busy UART: what it did not take leaves at the next drain (the scheduler's, each quantum). */
static void what_the_uart_did_not_take_leaves_at_the_next_drain(void **state)
{
	(void)state;
	uart_full = true;
	log_info("a line that waits");
	assert_int_equal(wire_len, 0);
	assert_true(log_pending());
	uart_full = false;
	log_drain();
	assert_non_null(strstr(wire, "(cpu0) I: a line that waits\r\n"));
	assert_false(log_pending());
}

/* ---- shares and the reserve -------------------------------------------------------- */

static struct log_share shares[PARTITIONS + 1];

/* Log a partition's lines until its share refuses one; how many went in. */
static unsigned flood(struct log_share *s, unsigned partition)
{
	unsigned n = 0;

	while (log_share_msg(s, LOG_INFO, "[p%u] line %u of a flood, about sixty characters",
			     partition, n))
		n++;
	return n;
}

static void a_partition_fills_its_share_and_no_more(void **state)
{
	unsigned n;

	(void)state;
	memset(shares, 0, sizeof(shares));
	uart_full = true;			/* nothing leaves */
	n = flood(&shares[0], 0);
	assert_true(n > LOG_SHARE_BYTES / 80 && n < LOG_SHARE_BYTES / 56 + 1);
	assert_true(shares[0].unsent <= LOG_SHARE_BYTES);
	assert_true(shares[0].unsent > LOG_SHARE_BYTES - 80);
	/* another partition's lines still go in, and are not pushed out */
	assert_true(log_share_msg(&shares[1], LOG_INFO, "[p1] my one line"));
	/* once the port has sent the lines, the share takes lines again */
	uart_full = false;
	log_drain();
	assert_false(log_pending());
	assert_true(log_share_msg(&shares[0], LOG_INFO, "[p0] after the port caught up"));
	assert_true(shares[0].count == 1);
	log_drain();
	assert_int_equal(occurrences("[p0] line "), n);
	assert_int_equal(occurrences("[p1] my one line\r\n"), 1);
	assert_int_equal(occurrences("[p0] after the port caught up\r\n"), 1);
	assert_null(strstr(wire, "lost"));
}

/* A line shorter than the minimum charge counts as that much: the share's list of lines never overflows. */
static void short_lines_count_the_minimum(void **state)
{
	unsigned n = 0;

	(void)state;
	memset(shares, 0, sizeof(shares));
	uart_full = true;
	while (log_share_msg(&shares[0], LOG_INFO, "x"))
		n++;
	assert_int_equal(n, LOG_SHARE_LINES + 1);	/* the first went to the send buffer at once */
	assert_int_equal(shares[0].unsent, LOG_SHARE_BYTES);
}

/*
 * Every partition floods at once, then the hypervisor logs a crash report:
 * the report fits in the reserve, nothing is overwritten before it is sent,
 * and a further partition's line (say one created after another was
 * destroyed, whose lines still wait) is refused rather than take the reserve.
 */
static void guests_leave_the_reserve_to_the_hypervisor(void **state)
{
	(void)state;
	memset(shares, 0, sizeof(shares));
	uart_full = true;
	for (unsigned p = 0; p < PARTITIONS; p++)
		assert_true(flood(&shares[p], p) > 0);
	assert_true(unsent_bytes() <= LOG_GUEST_ROOM);
	for (unsigned i = 0; i < 150; i++)
		log_err("part 3 'victim': crashed, report line %03u: rip=0000000000401000", i);
	assert_false(log_share_msg(&shares[PARTITIONS], LOG_INFO, "[late] one line"));
	uart_full = false;
	log_flush();
	assert_null(strstr(wire, "lost"));
	assert_non_null(strstr(wire, "(cpu0) E: part 3 'victim': crashed, report line 000: "));
	assert_non_null(strstr(wire, "(cpu0) E: part 3 'victim': crashed, report line 149: "));
	for (unsigned p = 0; p < PARTITIONS; p++) {
		char first[64];

		snprintf(first, sizeof(first), "[p%u] line 0 of a flood", p);
		assert_int_equal(occurrences(first), 1);
	}
}

/* ---- a handler on a CPU inside the log ----------------------------------------------- */

static struct log_share handler_share;

static void handler_logs(void)
{
	log_warn("from an NMI handler");
	assert_false(log_share_msg(&handler_share, LOG_INFO, "a guest's line cannot wait here"));
}

/* It holds the ring's lock: the handler's line goes straight to the UART, and nothing waits. */
static void a_handler_inside_the_ring_writes_straight_to_the_uart(void **state)
{
	(void)state;
	memset(&handler_share, 0, sizeof(handler_share));
	log_test_trap_inside(handler_logs);
	assert_int_equal(occurrences("(cpu0) W: from an NMI handler\r\n"), 1);
	assert_int_equal(ring.head_seq, 0);		/* not in the ring */
	assert_int_equal(ring_lock.holder, 0);
	assert_int_equal(drain_lock.holder, 0);
}

static bool handler_ran;

/* Between two bytes of a line being sent (the sender's lock held, not the ring's). */
static void handler_mid_line(void)
{
	if (handler_ran || wire_len != 5)
		return;
	handler_ran = true;
	on_wire_byte = NULL;
	log_warn("from a handler while sending");
}

/* It holds the sender's lock only: the line enters the ring and leaves after the interrupted one. */
static void a_handler_inside_the_sender_queues_its_line(void **state)
{
	(void)state;
	for (int buffered = 0; buffered < 2; buffered++) {
		setup(NULL);
		if (!buffered)
			buffering = false;	/* at boot or after a panic: log_flush */
		handler_ran = false;
		on_wire_byte = handler_mid_line;
		log_info("the interrupted line");
		assert_true(handler_ran);
		log_drain();
		assert_string_equal(wire, "(cpu0) I: the interrupted line\r\n"
					  "(cpu0) W: from a handler while sending\r\n");
	}
}

/* ---- panic's takeover ------------------------------------------------------------------ */

/*
 * CPU 1 stopped while sending: both locks held, its send buffer torn, and
 * the next record's length torn. Panic sends what can be read, says what
 * was skipped, then its report.
 */
static void panic_takes_over_a_sender_that_stopped_half_way(void **state)
{
	(void)state;
	uart_full = true;
	log_info("a line in the send buffer");	/* fetched: the UART took none of it */
	log_info("a torn line");
	log_info("a line after it");
	ring_buf[drain_at.pos & (LOG_RING_SIZE - 1)] = 0xff;
	ring_buf[(drain_at.pos + 1) & (LOG_RING_SIZE - 1)] = 0xff;
	ring_lock.holder = drain_lock.holder = 2;
	out_len = 10;
	out_sent = 50;
	uart_full = false;
	log_panic_takeover();
	log_raw("hv: PANIC on cpu0 at here:1: test");
	assert_non_null(strstr(wire, "(log) 2 lines lost: the ring was damaged"));
	assert_non_null(strstr(wire, "hv: PANIC on cpu0 at here:1: test\r\n"));
	assert_null(strstr(wire, "a line after it"));
}

/* ---- the root partition takes the serial port over --------------------------------- */

static char root_got[1 << 16];		/* what the root read, in order */
static size_t root_len;

static void uart_fills_after_16(void)
{
	if (wire_len >= 16)
		uart_full = true;
}

static void root_reads(size_t chunk)
{
	size_t n;

	do {
		n = log_root_read(root_got + root_len, chunk);
		root_len += n;
	} while (n == chunk);
	root_got[root_len] = '\0';
}

/* wire then root: every line once, in order, the half-sent one whole */
static void assert_stream(const char *expect)
{
	char both[sizeof(wire) + sizeof(root_got)];

	snprintf(both, sizeof(both), "%s%s", wire, root_got);
	assert_string_equal(both, expect);
}

static void the_root_takes_over_in_the_middle_of_a_line(void **state)
{
	(void)state;
	root_len = 0;
	on_wire_byte = uart_fills_after_16;
	log_info("the first line, longer than the FIFO");	/* 16 bytes leave */
	log_info("the second line");
	assert_int_equal(wire_len, 16);
	root_reads(7);				/* the rest, cut anywhere */
	assert_stream("(cpu0) I: the first line, longer than the FIFO\r\n"
		      "(cpu0) I: the second line\r\n"
		      "(cpu0) I: log: the root partition sends the log from here on\r\n");
	/* from now on the hypervisor sends nothing itself, however free the UART */
	on_wire_byte = NULL;
	uart_full = false;
	log_info("the third line");
	log_drain();
	assert_false(log_idle_drain(&(bool){ false }));
	assert_int_equal(wire_len, 16);
	root_reads(4096);
	assert_non_null(strstr(root_got, "the log from here on\r\n(cpu0) I: the third line\r\n"));
	/* power-off and panic send what the root has not read */
	log_info("the last line");
	log_flush();
	assert_string_equal(wire + 16, "(cpu0) I: the last line\r\n");
	assert_int_equal(log_root_read(root_got, 16), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
		T(a_line_logged_while_the_sender_finishes_is_sent),
		T(what_the_uart_did_not_take_leaves_at_the_next_drain),
		T(a_partition_fills_its_share_and_no_more),
		T(short_lines_count_the_minimum),
		T(guests_leave_the_reserve_to_the_hypervisor),
		T(a_handler_inside_the_ring_writes_straight_to_the_uart),
		T(a_handler_inside_the_sender_queues_its_line),
		T(panic_takes_over_a_sender_that_stopped_half_way),
		T(the_root_takes_over_in_the_middle_of_a_line),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
