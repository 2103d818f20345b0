/*
 * Logging with levels and the CPU number on each line (see log.h).
 *
 * Every line goes into an in-memory ring (core/logring.c) under a lock held
 * for a copy only; from there it is sent to the serial port. At 115200 baud
 * a character takes about 87 us and a line of 60 about 5 ms, and no CPU may
 * wait on that for another's output. So, once log_start_buffering() is
 * called (the scheduler is about to run guests):
 *  - a CPU that logs a line then hands the UART what it takes at once (a
 *    transmit FIFO's worth, when the FIFO is empty) and goes on;
 *  - an idle CPU sends the rest, with interrupts on (log_idle_drain);
 *  - power-off and panic send everything, waiting on the UART (log_flush).
 * One CPU sends at a time (drain_lock, taken with a try where a CPU must
 * not wait), from one cursor, so lines leave in the order they entered the
 * ring. Before buffering starts and after a panic, each line is sent before
 * log_msg() returns. The ring also keeps the lines for a later reader with
 * its own cursor (the root partition).
 */
#include "core/log.h"
#include "arch/x86/cpu.h"
#include "core/lib.h"
#include "core/logring.h"
#include "core/percpu.h"
#include "core/spinlock.h"
#include "drivers/uart16550.h"

#define LOG_RING_SIZE	(64 * 1024)
#define LOG_LINE_MAX	512
#define LOSS_NOTE_MAX	96

static uint16_t log_port;
static unsigned log_fifo = 1;		/* bytes the UART takes at once when empty */
static enum log_level log_level = LOG_INFO;
static volatile bool buffering;		/* lines wait in the ring for a drainer */

static uint8_t ring_buf[LOG_RING_SIZE];
static struct logring ring = { .buf = ring_buf, .size = LOG_RING_SIZE };
static spinlock_t ring_lock = SPINLOCK_INIT;	/* ring; a copy long, interrupts off */

/* The sender: under drain_lock. A zero cursor is a fresh ring's first line. */
static spinlock_t drain_lock = SPINLOCK_INIT;
static struct logring_cursor drain_at;
static char line_in[LOG_LINE_MAX];
static char out[LOSS_NOTE_MAX + LOG_LINE_MAX + 2];	/* a loss note, the line, CR LF */
static size_t out_len, out_sent;

void log_init(uint16_t serial_port, uint32_t baud, enum log_level level)
{
	log_port = serial_port;
	if (serial_port && !uart_init(serial_port, baud))
		log_port = 0;
	if (log_port)
		log_fifo = uart_tx_fifo_depth(log_port);
	log_level = level;
}

void log_start_buffering(void)
{
	buffering = true;
}

static uint64_t ring_lock_irqsave(void)
{
	uint64_t flags = read_rflags();

	irq_disable();		/* an interrupt handler that logs must not find it held */
	spin_lock(&ring_lock);
	return flags;
}

static void ring_unlock_irqrestore(uint64_t flags)
{
	spin_unlock(&ring_lock);
	if (flags & RFLAGS_IF)
		irq_enable();
}

/* Under drain_lock: the next line into `out`, after a note of lines the ring dropped. */
static bool fetch_line(void)
{
	struct logring_loss lost = { 0 };
	uint64_t flags = ring_lock_irqsave();
	size_t len = 0, n = 0;
	bool got = logring_get(&ring, &drain_at, line_in, sizeof(line_in), &len, &lost);

	ring_unlock_irqrestore(flags);
	if (lost.lines)
		n = (size_t)fmt_snprintf(out, LOSS_NOTE_MAX, "(log) %lu lines (%lu bytes) lost: "
					 "logged faster than the serial port sends\r\n",
					 lost.lines, lost.bytes);
	n = MIN(n, (size_t)LOSS_NOTE_MAX - 1);
	if (got) {
		len = MIN(len, sizeof(line_in));
		memcpy(out + n, line_in, len);
		n += len;
		out[n++] = '\r';
		out[n++] = '\n';
	}
	out_len = n;
	out_sent = 0;
	return n != 0;
}

/*
 * Under drain_lock: send lines until none is left (true), or, without
 * `wait`, until the UART takes no more at once (false).
 */
static bool send_lines(bool wait)
{
	for (;;) {
		if (out_sent == out_len && !fetch_line())
			return true;
		if (!log_port) {
			out_sent = out_len;	/* no serial port: the ring keeps them */
		} else if (wait) {
			while (out_sent < out_len)
				uart_putc(log_port, out[out_sent++]);
		} else {
			if (!uart_tx_empty(log_port))
				return false;
			for (unsigned room = log_fifo; room && out_sent < out_len; room--)
				uart_tx_byte(log_port, out[out_sent++]);
		}
	}
}

void log_drain(void)
{
	if (!spin_trylock(&drain_lock))
		return;			/* another CPU is sending: it sends ours too */
	send_lines(false);
	spin_unlock(&drain_lock);
}

void log_flush(void)
{
	spin_lock(&drain_lock);
	send_lines(true);
	spin_unlock(&drain_lock);
}

/* A hint, read without locks: lines in the ring that the sender has not finished. */
static bool log_pending(void)
{
	return __atomic_load_n(&ring.head, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&drain_at.pos, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&out_sent, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&out_len, __ATOMIC_RELAXED);
}

bool log_idle_drain(volatile bool *wake)
{
	while (buffering && !*wake && log_pending()) {
		irq_enable();
		log_drain();
		cpu_relax();
		irq_disable();
	}
	return *wake;
}

void log_panic_takeover(void)
{
	buffering = false;
	spin_unlock(&ring_lock);	/* a stopped CPU may have held them */
	spin_unlock(&drain_lock);
	log_flush();
}

static void log_put(const char *line, int n)
{
	uint64_t flags;

	if (n < 0)
		return;
	flags = ring_lock_irqsave();
	logring_put(&ring, line, (size_t)n);
	ring_unlock_irqrestore(flags);
	if (buffering)
		log_drain();
	else
		log_flush();
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char tag[] = { 'E', 'W', 'I', 'D' };
	char buf[LOG_LINE_MAX];
	va_list ap;
	int n;

	if (level > log_level)
		return;
	n = fmt_snprintf(buf, sizeof(buf), "(cpu%u) %c: ", this_cpu_id(), tag[level]);
	va_start(ap, fmt);
	n += fmt_vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	log_put(buf, MIN(n, (int)sizeof(buf) - 1));
}

void log_raw(const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_put(buf, MIN(n, (int)sizeof(buf) - 1));
}
