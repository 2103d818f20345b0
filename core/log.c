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
 *  - every CPU's scheduler loop drains once a quantum, so the log goes on
 *    leaving when no CPU is idle;
 *  - power-off and panic send everything, waiting on the UART (log_flush).
 * One CPU sends at a time (drain_lock, taken with a try where a CPU must
 * not wait), from one cursor, so lines leave in the order they entered the
 * ring. Before buffering starts and after a panic, each line is sent before
 * log_msg() returns.
 *
 * With the root partition (root=on), the root owns the serial port: its
 * first log_root_read() hands the port over, and from then on the root
 * reads what the sender would have sent, from the same cursor and the
 * same half-sent line, so that no line is lost or sent twice across the
 * handover; the hypervisor's drains send nothing. Power-off and panic
 * (log_flush) still send what the root has not read, themselves.
 *
 * Guests' lines (log_share_msg) may only fill LOG_GUEST_ROOM of the ring
 * with lines not yet sent, each partition at most LOG_SHARE_BYTES of it: a
 * partition that logs faster than the port sends loses its own lines, and
 * never pushes out another's or the hypervisor's, whose lines may use the
 * whole ring.
 *
 * The two locks record their holder. An NMI or exception handler can log
 * on a CPU that it stopped inside the log; that CPU never waits for a lock
 * it holds itself: its line goes straight to the serial port instead.
 */
#include "core/log.h"
#include "arch/x86/cpu.h"
#include "core/lib.h"
#include "core/logring.h"
#include "core/percpu.h"
#include "drivers/uart16550.h"

#define LOG_RING_SIZE	(128 * 1024)
#define LOG_HV_RESERVE	(16 * 1024)	/* unsent lines: only the hypervisor's may go beyond */
#define LOG_LINE_MAX	512
#define LOSS_NOTE_MAX	96
#define SHARE_MIN_CHARGE	(LOG_SHARE_BYTES / LOG_SHARE_LINES)
#define DRAIN_ROUNDS	4

_Static_assert(LOG_GUEST_ROOM + LOG_HV_RESERVE == LOG_RING_SIZE, "the ring is guests' room and the reserve");
_Static_assert(LOG_HV_RESERVE >= 2 * (LOGRING_HDR + LOG_LINE_MAX), "the reserve holds a crash report");

static uint16_t log_port;
static unsigned log_fifo = 1;		/* bytes the UART takes at once when empty */
static enum log_level log_level = LOG_INFO;
static volatile bool buffering;		/* lines wait in the ring for a drainer */
static volatile bool root_has_port;	/* the root partition sends the log (log_root_read) */

/* A lock that knows its holder: the CPU number + 1, 0 when free. */
struct log_lock {
	volatile uint32_t holder;
};

static uint8_t ring_buf[LOG_RING_SIZE];
static struct logring ring = { .buf = ring_buf, .size = LOG_RING_SIZE };
static struct log_lock ring_lock;	/* ring, drain_at, shares; a copy long, interrupts off */

/* The sender: under drain_lock. A zero cursor is a fresh ring's first line. */
static struct log_lock drain_lock;
static struct logring_cursor drain_at;	/* moved under ring_lock too: shares read it */
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

static uint32_t lock_id_here(void)
{
	return this_cpu_id() + 1;
}

static bool log_trylock(struct log_lock *l)
{
	uint32_t free = 0;

	return !__atomic_load_n(&l->holder, __ATOMIC_RELAXED) &&
	       __atomic_compare_exchange_n(&l->holder, &free, lock_id_here(), false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/*
 * Take l, waiting while another CPU holds it (for a copy, or a line to the
 * UART). False, not taken, when this CPU holds it: we are an NMI or
 * exception handler that interrupted its holder, which cannot go on until
 * we return.
 */
static bool log_lock(struct log_lock *l)
{
	for (;;) {
		uint32_t h = __atomic_load_n(&l->holder, __ATOMIC_RELAXED);

		if (h == lock_id_here())
			return false;
		if (!h && log_trylock(l))
			return true;
		cpu_relax();
	}
}

static void log_unlock(struct log_lock *l)
{
	__atomic_store_n(&l->holder, 0, __ATOMIC_RELEASE);
}

/* ring_lock with interrupts off (an interrupt handler that logs must not find it held). */
static bool ring_lock_irqsave(uint64_t *flags)
{
	*flags = read_rflags();
	irq_disable();
	if (log_lock(&ring_lock))
		return true;
	if (*flags & RFLAGS_IF)
		irq_enable();
	return false;
}

static void ring_unlock_irqrestore(uint64_t flags)
{
	log_unlock(&ring_lock);
	if (flags & RFLAGS_IF)
		irq_enable();
}

/* A note of lines the ring dropped before the sender reached them, into `out`. */
static size_t loss_note(const struct logring_loss *lost)
{
	if (lost->damaged)
		return (size_t)fmt_snprintf(out, LOSS_NOTE_MAX, "(log) %lu lines lost: the ring was "
					    "damaged (a CPU stopped while writing)\r\n", lost->lines);
	if (lost->lines)
		return (size_t)fmt_snprintf(out, LOSS_NOTE_MAX, "(log) %lu lines (%lu bytes) lost: "
					    "logged faster than the serial port sends\r\n",
					    lost->lines, lost->bytes);
	return 0;
}

/* Under drain_lock: the next line into `out`, after a note of lines the ring dropped. */
static bool fetch_line(void)
{
	struct logring_loss lost = { 0 };
	uint64_t flags;
	size_t len = 0, n;
	bool got;

	if (!ring_lock_irqsave(&flags))
		return false;
	got = logring_get(&ring, &drain_at, line_in, sizeof(line_in), &len, &lost);
	ring_unlock_irqrestore(flags);
	n = loss_note(&lost);
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

/* A hint, read without locks: lines in the ring that the sender has not finished. */
static bool log_pending(void)
{
	return __atomic_load_n(&ring.head, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&drain_at.pos, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&out_sent, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&out_len, __ATOMIC_RELAXED);
}

/*
 * A CPU that finds drain_lock taken leaves its line to the holder, which
 * may have fetched its last line already; so the holder, once it has
 * unlocked, looks again. The fence, on both sides (before the try, and
 * after the unlock when the loop comes round), makes that safe: a CPU that
 * put a line and then found the lock taken, and the holder that unlocked
 * and then looked at the ring, cannot both miss the other's store. The
 * rounds are bounded (other CPUs may keep logging); the scheduler drains
 * every quantum besides.
 */
void log_drain(void)
{
	bool all_sent = true;

	for (unsigned round = 0; round < DRAIN_ROUNDS && all_sent; round++) {
		if (__atomic_load_n(&root_has_port, __ATOMIC_RELAXED))
			return;		/* a hint, without the lock: the usual case with the root */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!log_pending() || !log_trylock(&drain_lock))
			return;		/* nothing to send, or the holder sends it */
		/*
		 * Under the lock: log_root_read sets the flag before it takes
		 * the lock, so a drainer that gets the lock after the root's
		 * first read sees it, and never writes to the port while the
		 * root writes what it read.
		 */
		if (__atomic_load_n(&root_has_port, __ATOMIC_ACQUIRE)) {
			log_unlock(&drain_lock);
			return;		/* the root reads the log and sends it */
		}
		all_sent = send_lines(false);	/* false: the UART is full, the next drain goes on */
		log_unlock(&drain_lock);
	}
}

void log_flush(void)
{
	if (!log_lock(&drain_lock))
		return;		/* we interrupted this CPU's sender: it sends the rest when resumed */
	send_lines(true);
	log_unlock(&drain_lock);
}

bool log_idle_drain(volatile bool *wake)
{
	while (buffering && !*wake && log_pending() &&
	       !__atomic_load_n(&root_has_port, __ATOMIC_ACQUIRE)) {
		irq_enable();
		log_drain();
		cpu_relax();
		irq_disable();
	}
	return *wake;
}

size_t log_root_read(char *dst, size_t size)
{
	size_t n = 0;

	if (!__atomic_exchange_n(&root_has_port, true, __ATOMIC_ACQ_REL))
		log_info("log: the root partition sends the log from here on");
	if (!log_lock(&drain_lock))
		return 0;	/* not in a hypercall: cannot happen, but never wait on ourselves */
	/* a line the hypervisor had half sent goes on where it stopped */
	while (n < size && (out_sent < out_len || fetch_line())) {
		size_t k = MIN(size - n, out_len - out_sent);

		memcpy(dst + n, out + out_sent, k);
		out_sent += k;
		n += k;
	}
	log_unlock(&drain_lock);
	return n;
}

bool log_history(uint64_t *from, char *dst, size_t size, size_t *copied, uint64_t *lost)
{
	uint64_t flags;
	bool ok;

	*copied = 0;
	*lost = 0;
	if (!ring_lock_irqsave(&flags))
		return true;	/* not in a hypercall: cannot happen, but never wait on ourselves */
	/* under the lock: no CPU's line moves the tail while the walk and the copy run */
	ok = logring_copy_since(&ring, from, dst, size, copied, lost);
	ring_unlock_irqrestore(flags);
	return ok;
}

void log_panic_takeover(void)
{
	buffering = false;
	log_unlock(&ring_lock);		/* a stopped CPU may have held them */
	log_unlock(&drain_lock);
	if (out_sent > out_len || out_len > sizeof(out))
		out_sent = out_len = 0;	/* torn by a sender stopped half-way */
	log_flush();
}

/* The line cannot enter the ring: this CPU holds it (we are a handler inside). Wait on the UART. */
static void send_straight(const char *line, size_t n)
{
	if (!log_port)
		return;
	for (size_t i = 0; i < n; i++)
		uart_putc(log_port, line[i]);
	uart_putc(log_port, '\r');
	uart_putc(log_port, '\n');
}

static void send_buffered(void)
{
	if (buffering)
		log_drain();
	else
		log_flush();
}

static void log_put(const char *line, int n)
{
	uint64_t flags;

	if (n < 0)
		return;
	if (!ring_lock_irqsave(&flags)) {
		send_straight(line, (size_t)n);
		return;
	}
	logring_put(&ring, line, (size_t)n);
	ring_unlock_irqrestore(flags);
	send_buffered();
}

/* Ring bytes of lines the sender has not fetched (under ring_lock). */
static uint64_t unsent_bytes(void)
{
	return ring.head > drain_at.pos ? ring.head - drain_at.pos : 0;
}

/* Under ring_lock: forget the share's lines that the sender has fetched (or the ring dropped). */
static void share_retire(struct log_share *s)
{
	while (s->count && s->end[s->first] <= drain_at.pos) {
		s->unsent -= s->charge[s->first];
		s->first = (uint16_t)((s->first + 1) % LOG_SHARE_LINES);
		s->count--;
	}
}

/* Under ring_lock: a record of `bytes` fits the share and the guests' room. */
static bool share_admits(struct log_share *s, size_t bytes)
{
	share_retire(s);
	return s->count < LOG_SHARE_LINES &&
	       s->unsent + MAX(bytes, SHARE_MIN_CHARGE) <= LOG_SHARE_BYTES &&
	       unsent_bytes() + bytes <= LOG_GUEST_ROOM;
}

/* Under ring_lock: the line just put, ending at the head, is the share's. */
static void share_add(struct log_share *s, size_t bytes)
{
	unsigned slot = (s->first + s->count) % LOG_SHARE_LINES;

	s->end[slot] = ring.head;
	s->charge[slot] = (uint16_t)MAX(bytes, SHARE_MIN_CHARGE);
	s->unsent += s->charge[slot];
	s->count++;
}

/* "(cpuN) L: " and the text, into buf; the length, cut to fit. */
static int format_line(char *buf, size_t size, enum log_level level, const char *fmt, va_list ap)
{
	static const char tag[] = { 'E', 'W', 'I', 'D' };
	int n = fmt_snprintf(buf, size, "(cpu%u) %c: ", this_cpu_id(), tag[level]);

	n += fmt_vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	return MIN(n, (int)size - 1);
}

bool log_share_msg(struct log_share *s, enum log_level level, const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	uint64_t flags;
	va_list ap;
	size_t n;
	bool put;

	if (level > log_level)
		return true;
	va_start(ap, fmt);
	n = (size_t)format_line(buf, sizeof(buf), level, fmt, ap);
	va_end(ap);
	if (!ring_lock_irqsave(&flags))
		return false;
	put = share_admits(s, LOGRING_HDR + n);
	if (put) {
		logring_put(&ring, buf, n);
		share_add(s, LOGRING_HDR + n);
	}
	ring_unlock_irqrestore(flags);
	if (put)
		send_buffered();
	return put;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	va_list ap;
	int n;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	n = format_line(buf, sizeof(buf), level, fmt, ap);
	va_end(ap);
	log_put(buf, n);
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

void log_test_trap_inside(void (*trap)(void))
{
	uint64_t flags;
	bool sending = log_lock(&drain_lock);

	if (ring_lock_irqsave(&flags)) {
		trap();
		ring_unlock_irqrestore(flags);
	}
	if (sending)
		log_unlock(&drain_lock);
	send_buffered();
}
