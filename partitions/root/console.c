/*
 * COM1, the root's console. The root owns the port (every I/O port is the
 * root's, docs/root.md): its own lines, the hypervisor's log, which it
 * drains with HVCALL_X_LOG_READ, and its children's lines go out here. The
 * first read hands the port over: from then on the hypervisor writes to it
 * only on panic.
 *
 * Until console_start_buffering() (start-up, the self-tests) every line is
 * sent before say() returns, waiting on the UART. From then on (the event
 * loop runs children) nothing waits on it: at 115200 baud a character
 * takes about 87 us, a line of 60 about 5 ms, and a child's port write,
 * completed by the root, must not wait for that (docs/root.md, "A child's
 * output"). Lines wait in rings (the root's own here, each child's in
 * childout.h) and console_pump() hands the UART a transmit FIFO's worth
 * when its FIFO is empty, as core/log.c's sender does, then goes on; the
 * event loop pumps on each wake-up, every TX_TICK_US while text waits.
 *
 * The sender takes whole lines in turn from its sources (the root's own
 * lines, the hypervisor's log, the children, each child in turn), so no
 * source starves another and lines never mix. Power-off and panic send
 * everything, waiting on the UART (console_flush).
 *
 * The prompt (docs/console.md): while it is wanted, the prompt and the
 * line being edited are on the last line of the terminal. Typed keys'
 * echo goes out between lines, before anything else. A line from any
 * source first erases the prompt's line (CR, ESC [ K), and once nothing
 * waits the prompt and the line are drawn again, the cursor put back (ESC
 * [ n D): output never lands in the middle of what is being typed, as
 * linenoise's and readline's asynchronous output. While `part console P`
 * is attached (console_focus), only the root's own lines and P's go out:
 * first P's lines held from before (its output so far), then its new ones;
 * the rest waits in its rings.
 */
#include "partitions/root/root.h"
#include "partitions/root/child.h"
#include "partitions/root/lineedit.h"
#include "arch/x86/cpu.h"
#include "core/abi/hypercall.h"
#include "core/logring.h"
#include "drivers/uart16550.h"

#define COM1		0x3f8
#define ROOT_RING	16384	/* the root's own lines waiting: a power of two */
#define SAY_MAX		1024	/* a line, as logring takes it whole (LOGRING_LINE_MAX) */
#define CUR_MAX		1100	/* a line being sent: a line of say() or of the log, and an erase */

struct console_source {
	/* The next line into out (at most size bytes); 0 if none. *more: it goes on (cut). */
	size_t (*next)(char *out, size_t size, bool *more);
	bool crlf;		/* a bare line: the sender ends it with CR LF */
};

static bool buffering;
static unsigned fifo = 1;

static uint8_t root_buf[ROOT_RING];
static struct logring root_ring = { .buf = root_buf, .size = ROOT_RING };
static struct logring_cursor root_at;

static char log_buf[4096];
static size_t log_got, log_at;
static bool log_refused;
static bool log_may_read;	/* console_poll and console_flush: not each intercept's pump */

static char cur[CUR_MAX];
static size_t cur_len, cur_sent;
static unsigned turn;

#define ERASE_LINE	"\r\033[K"	/* CR, then VT100 EL: the prompt's line is blank */
#define ECHO_MAX	(LINEEDIT_ECHO_MAX + 64)

static const char *prompt;		/* NULL: no prompt wanted */
static const struct lineedit *prompt_le;
static bool prompt_shown;		/* the prompt and the line are on the terminal */
static char echo_buf[ECHO_MAX];
static size_t echo_len;

static struct child *focus;		/* part console's child; NULL: every source */
static struct logring_cursor replay;	/* its lines held from before, still to replay */
static bool replaying;
static bool fifo_on;			/* the UART's FIFOs are on (uart_fifo_on_if_idle) */
static uint64_t last_key_tsc;		/* when the last key came (0: none yet) */

#define TYPING_US	100000		/* a key this recent: the user (or a pipe) is typing */
#define FIFO_QUIET_US	50000		/* no key this long: the FIFOs may be turned on */

static void put_bytes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		uart_putc(COM1, s[i]);
}

static size_t root_unsent(void)
{
	return (size_t)(root_ring.head - MAX(root_at.pos, root_ring.tail));
}

/*
 * A command's lines go out together (console_group): each but the last
 * carries GROUP_MORE, which keeps the sender's turn on the root's lines;
 * a GROUP_END line (not sent) closes the group.
 */
#define GROUP_MORE	'\x01'
#define GROUP_END	'\x02'
static bool grouping;

static size_t root_next(char *out, size_t size, bool *more)
{
	struct logring_loss lost = { 0, 0, 0 };
	size_t len;

	*more = false;
	while (logring_get(&root_ring, &root_at, out, size, &len, &lost)) {
		len = MIN(len, size);
		if (len == 1 && out[0] == GROUP_END)
			continue;
		if (len && out[0] == GROUP_MORE) {
			memmove(out, out + 1, --len);
			*more = true;
		}
		return len;
	}
	return 0;
}

void console_group(bool on)
{
	static const char end = GROUP_END;

	if (!on && grouping && buffering)
		logring_put(&root_ring, &end, 1);
	grouping = on;
}

/* Read the hypervisor's log into log_buf when all of it is sent; false when it has nothing. */
static bool log_fill(void)
{
	uint64_t got;
	uint16_t st;

	if (log_at < log_got)
		return true;
	if (log_refused || !log_may_read)
		return false;
	log_at = log_got = 0;
	st = hv_fast(HVCALL_X_LOG_READ, root_image_gpa(log_buf), sizeof(log_buf), &got);
	if (st != HV_STATUS_SUCCESS) {
		char why[64];
		int n = fmt_snprintf(why, sizeof(why), "root: log read refused, status %u", st);

		log_refused = true;	/* said once, in the root's own lines */
		logring_put(&root_ring, why, (size_t)MIN(n, (int)sizeof(why) - 1));
		return false;
	}
	log_got = (size_t)MIN(got, sizeof(log_buf));
	return log_got > 0;
}

/*
 * The hypervisor's log: its lines end in CR LF already; one may span two
 * reads, and the second may have to wait (no read from an intercept's
 * pump): the line is then unfinished on the terminal, and no other
 * source's line may start until its rest is out (next_line).
 */
static bool log_mid_line;

static size_t log_next(char *out, size_t size, bool *more)
{
	size_t n = 0;

	while (n < size && log_fill()) {
		char ch = log_buf[log_at++];

		out[n++] = ch;
		if (ch == '\n') {
			*more = false;
			log_mid_line = false;
			return n;
		}
	}
	*more = n > 0 || log_mid_line;	/* cut: the rest before any other source's line */
	log_mid_line = *more;
	return n;
}

/* The focused child's lines: the ones held from before it was attached, then its new ones. */
static size_t focus_next(char *out, size_t size, bool *more)
{
	struct childout *o = focus->out;
	size_t len;

	*more = false;
	if (replaying && childout_replay_next(o, &replay, out, size, &len))
		return MIN(len, size);
	replaying = false;
	return childout_next(o, out, size);
}

static const struct console_source sources[] = {
	{ root_next, true },
	{ log_next, false },		/* LOG_SOURCE */
	{ child_output_next, true },
};
#define LOG_SOURCE	1
static const struct console_source focused[] = {
	{ root_next, true },
	{ focus_next, true },
};
#define SOURCES (sizeof(sources) / sizeof(sources[0]))

/* The next line into cur + at from the source whose turn it is; false if none has one. */
static bool next_line(size_t at)
{
	const struct console_source *src = focus ? focused : sources;
	unsigned count = focus ? ARRAY_SIZE(focused) : SOURCES;

	if (log_mid_line && !focus) {	/* the rest of the log's line before anything else */
		bool more = false;
		size_t n = log_next(cur + at, sizeof(cur) - at - 2, &more);

		if (!n)
			return false;
		cur_len = at + n;
		cur_sent = 0;
		turn = more ? LOG_SOURCE : LOG_SOURCE + 1;
		return true;
	}
	for (unsigned k = 0; k < count; k++) {
		unsigned s = (turn + k) % count;
		bool more = false;
		size_t n = src[s].next(cur + at, sizeof(cur) - at - 2, &more);

		if (!n)
			continue;
		n += at;
		if (src[s].crlf) {
			cur[n++] = '\r';
			cur[n++] = '\n';
		}
		cur_len = n;
		cur_sent = 0;
		turn = more ? s : (s + 1) % count;
		return true;
	}
	return false;
}

/* The prompt and the line being edited, the cursor put back where it is. */
static void draw_prompt(void)
{
	size_t back = prompt_le->len - prompt_le->cursor;
	int n = fmt_snprintf(cur, sizeof(cur), "%s%s", prompt, prompt_le->line);

	if (back)
		n += fmt_snprintf(cur + n, sizeof(cur) - (size_t)n, "\033[%luD", back);
	cur_len = (size_t)MIN(n, (int)sizeof(cur) - 1);
	cur_sent = 0;
	prompt_shown = true;
}

/* Between lines: the echo first; a line erases the prompt; then the prompt again. */
static bool have_byte(void)
{
	if (cur_sent < cur_len)
		return true;
	if (echo_len) {
		memcpy(cur, echo_buf, echo_len);
		cur_len = echo_len;
		cur_sent = echo_len = 0;
		return true;
	}
	if (prompt_shown) {
		memcpy(cur, ERASE_LINE, sizeof(ERASE_LINE) - 1);
		if (next_line(sizeof(ERASE_LINE) - 1)) {
			prompt_shown = false;
			return true;
		}
		return false;
	}
	if (next_line(0))
		return true;
	if (prompt && buffering && !log_mid_line) {	/* never after half a log line */
		draw_prompt();
		return true;
	}
	return false;
}

/*
 * Each byte the root writes to the UART is an exit (docs/root.md, "What is
 * left"): a FIFO's worth is 17 of them. A child whose port access waits in
 * SINT0's slot is suspended until the root completes it, so the pump stops
 * for it after each byte (at least one goes out per call: a flood of
 * intercepts slows the output, never stops it).
 */
void console_pump(void)
{
	if (!buffering)
		return;
	while (uart_tx_empty(COM1)) {
		unsigned room = fifo;

		while (room && have_byte()) {
			uart_tx_byte(COM1, cur[cur_sent++]);
			room--;
			if (intercept_pending())
				return;
		}
		if (room)
			return;		/* nothing left to send */
	}
}

/*
 * The UART's FIFOs are turned on here, not at boot (drivers/uart16550.c):
 * the transmitter then takes 16 bytes at a time; until then one, and
 * typed-ahead input is read byte by byte. Turning them on clears the
 * receiver, so only once no key has come for FIFO_QUIET_US and none waits:
 * piped input (which the emulator hands over one byte at a time while
 * the FIFOs are off) is all read by then, and a key typed within the few
 * instructions between the check and the switch is the only one that
 * could be lost.
 */
static void fifo_check(void)
{
	if (fifo_on || (last_key_tsc && root_us_since(last_key_tsc) < FIFO_QUIET_US) ||
	    !uart_fifo_on_if_idle(COM1))
		return;
	fifo_on = true;
	fifo = uart_tx_fifo_depth(COM1);
}

void console_poll(void)
{
	fifo_check();
	log_may_read = true;
	console_pump();
	log_may_read = false;
}

void console_flush(void)
{
	if (!buffering) {
		console_relay_log();
		return;
	}
	log_may_read = true;
	while (have_byte())
		uart_putc(COM1, cur[cur_sent++]);
	log_may_read = false;
}

bool console_busy(void)
{
	return cur_sent < cur_len || root_unsent() || log_at < log_got || child_output_waiting() ||
	       echo_len || (prompt && !prompt_shown) || replaying;
}

bool console_getc(uint8_t *b)
{
	if (!uart_rx_ready(COM1))
		return false;
	*b = uart_rx_byte(COM1);
	last_key_tsc = rdtsc();
	return true;
}

size_t console_backlog(void)
{
	return root_unsent();
}

bool console_typing(void)
{
	return last_key_tsc && root_us_since(last_key_tsc) < TYPING_US;
}

bool console_focused(const struct child *c)
{
	return focus == c;
}

void console_prompt_show(const char *text, const struct lineedit *le)
{
	prompt = text;
	prompt_le = le;
	prompt_shown = false;
	console_pump();
}

void console_prompt_end(const char *entered)
{
	/*
	 * Shown, the echo ended the line. Erased by other output, the line
	 * is printed whole, so that what was entered stays on the terminal
	 * above what it prints.
	 */
	const char *was = prompt;
	bool shown = prompt_shown;

	prompt = NULL;
	prompt_shown = false;
	if (!shown && was)	/* after the root's lines still waiting: in the order they came */
		say("%s%s", was, entered);
	console_pump();
}

void console_echo(const char *s, size_t n)
{
	if (!prompt_shown || !n)
		return;			/* the next drawing of the prompt shows the line as it is */
	if (echo_len + n > sizeof(echo_buf)) {
		prompt_shown = false;	/* too much at once: erase and draw again */
		echo_len = 0;
		memcpy(echo_buf, ERASE_LINE, sizeof(ERASE_LINE) - 1);
		echo_len = sizeof(ERASE_LINE) - 1;
	} else {
		memcpy(echo_buf + echo_len, s, n);
		echo_len += n;
	}
	console_pump();
}

void console_focus(struct child *c)
{
	focus = c;
	turn = 0;
	if (c) {
		childout_replay_from(c->out, &replay);
		replaying = true;
	}
}

void console_start_buffering(void)
{
	console_relay_log();
	fifo = uart_tx_fifo_depth(COM1);
	buffering = true;
}

void say(const char *fmt, ...)
{
	char line[SAY_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(line, sizeof(line) - 3, fmt, ap);
	va_end(ap);
	n = MIN(n, (int)sizeof(line) - 4);	/* room for CR LF, or a group's mark */
	if (!buffering) {
		line[n++] = '\r';
		line[n++] = '\n';
		put_bytes(line, (size_t)n);
		return;
	}
	/* the root's own lines are never dropped: its ring full of unsent ones, send till one fits */
	while (root_unsent() + LOGRING_HDR + (size_t)n > ROOT_RING && have_byte())
		uart_putc(COM1, cur[cur_sent++]);
	if (grouping) {
		memmove(line + 1, line, (size_t)n);
		line[0] = GROUP_MORE;
		n++;
	}
	logring_put(&root_ring, line, (size_t)n);
	console_pump();
}

void console_relay_log(void)
{
	uint64_t gpa = root_image_gpa(log_buf), got;

	for (;;) {
		uint16_t st = hv_fast(HVCALL_X_LOG_READ, gpa, sizeof(log_buf), &got);

		if (st != HV_STATUS_SUCCESS) {
			say("root: log read refused, status %u", st);
			return;
		}
		put_bytes(log_buf, (size_t)MIN(got, sizeof(log_buf)));
		if (got < sizeof(log_buf))
			return;
	}
}
