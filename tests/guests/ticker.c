/*
 * A child to type at (the root console's `part console`): on its COM1,
 * driven as a real polled driver drives a 16550 (LSR.THRE before each
 * byte, LSR.DR before each read), it says it is ready, then "tick N"
 * about every 100 ms, and answers each line it receives (CR or LF ends
 * it) with "typed: LINE". It never stops by itself: an ELF64 child has no
 * command line to say how long (docs/partitions.md), so whoever starts it
 * destroys it.
 *
 * First, in the UART's loopback mode, it checks that what it transmits
 * comes back in the receiver, oldest first: the root's receive FIFO, seen
 * from a child without anyone typing (PASS/FAIL on the debug port).
 */
#include "tests/guests/guest.h"

#define COM1		0x3f8
#define RBR		0	/* THR when written; DLL with LCR.DLAB */
#define FCR		2
#define LCR		3
#define MCR		4
#define LSR		5
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define MCR_LOOP	0x10

#define TIMER_VECTOR	0x46
#define NAP_US		10000	/* how often it looks for input */
#define TICK_MS		100
#define LINE_MAX	72

static void on_timer(void) {}

static void com1_putc(char c)
{
	while (!(inb(COM1 + LSR) & LSR_THRE))
		;
	outb(COM1 + RBR, (uint8_t)c);
}

static void com1_puts(const char *s)
{
	while (*s)
		com1_putc(*s++);
}

static void com1_put_uint(unsigned v)
{
	char digits[12];
	unsigned n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		com1_putc(digits[--n]);
}

/* 8 data bits, no parity, one stop bit; FIFOs on and emptied. */
static void com1_init(void)
{
	outb(COM1 + LCR, 0x03);
	outb(COM1 + FCR, 0x07);
	outb(COM1 + MCR, 0x03);		/* DTR, RTS */
}

/* In loopback, "abc" written comes back as "abc", and then nothing more. */
static void check_loopback(void)
{
	char got[4] = { 0 };
	unsigned n = 0;

	outb(COM1 + MCR, MCR_LOOP | 0x03);
	for (const char *p = "abc"; *p; p++)
		com1_putc(*p);
	while (n < 3 && (inb(COM1 + LSR) & LSR_DR))
		got[n++] = (char)inb(COM1 + RBR);
	check(n == 3 && got[0] == 'a' && got[1] == 'b' && got[2] == 'c',
	      "loopback: the bytes written come back in order");
	check(!(inb(COM1 + LSR) & LSR_DR), "loopback: then no data is ready");
	outb(COM1 + MCR, 0x03);
}

struct line {
	char text[LINE_MAX + 1];
	unsigned len;
	bool after_cr;		/* CR LF is one line end */
};

static void line_end(struct line *l)
{
	l->text[l->len] = '\0';
	com1_puts("typed: ");
	com1_puts(l->text);
	com1_puts("\r\n");
	l->len = 0;
}

static void take(struct line *l, uint8_t c)
{
	bool lf_after_cr = c == '\n' && l->after_cr;

	l->after_cr = c == '\r';
	if (lf_after_cr)
		return;
	if (c == '\r' || c == '\n') {
		line_end(l);
		return;
	}
	l->text[l->len++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	if (l->len == LINE_MAX)
		line_end(l);
}

static void read_input(struct line *l)
{
	while (inb(COM1 + LSR) & LSR_DR)
		take(l, inb(COM1 + RBR));
}

static void say_tick(unsigned tick)
{
	com1_puts("tick ");
	com1_put_uint(tick);
	com1_puts("\r\n");
}

/*
 * The ticks follow the TSC, not the number of naps: a nap may run long
 * (an emulator's busy host), and the ticks must still come every 100 ms
 * of the clock the partitions beside it count in. A tick is a period the
 * ticker ran, never caught up: paused (part pause), it does not count, and
 * resumed it goes on from the next number.
 */
void guest_main(const struct guest_boot *b)
{
	static struct line line;
	uint64_t period = guest_tsc_khz() * TICK_MS, next;
	unsigned tick = 0;

	if (b->vp_index != 0)
		return;
	set_irq_handler(TIMER_VECTOR, on_timer);
	com1_init();
	check_loopback();
	com1_puts("ticker: ready, type a line\r\n");
	next = rdtsc() + period;
	for (unsigned naps = 1;; naps++) {
		hypercall(HVCALL_X_SET_TIMER, NAP_US, TIMER_VECTOR);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		read_input(&line);
		if (!period) {			/* no TSC frequency: count naps */
			if (naps % (TICK_MS * 1000 / NAP_US) == 0)
				say_tick(++tick);
			continue;
		}
		if (rdtsc() >= next) {
			say_tick(++tick);
			next = rdtsc() + period;
		}
	}
}
