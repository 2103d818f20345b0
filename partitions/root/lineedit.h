/*
 * The root console's line editor (groundwork for issue 11's prompt; not
 * wired in yet): one input byte at a time from the console UART, the bytes
 * to echo for a VT100/xterm terminal, and a finished line at Enter.
 * Pure logic, host-tested (tests/unit/test_lineedit.c) and fuzzed
 * (tests/fuzz/fuzz_lineedit.c).
 *
 * Keys: printable ASCII goes in at the cursor; BS (0x08) and DEL (0x7f)
 * delete before it; Ctrl-U clears the line; Ctrl-W deletes the word
 * before the cursor; Ctrl-C abandons the line ("^C" and a new line); CR,
 * LF or CRLF (once) ends it; ESC [ A / B (or ESC O A / B) walk the
 * history back and forth, ESC [ C / D (ESC O C / D) move the cursor.
 * Other escape sequences (CSI with parameters up to its final byte, SS3
 * and its one byte, ESC and one byte) and other control bytes are ignored.
 * A character beyond LINEEDIT_MAX, or a walk past either end of the
 * history, rings the bell (0x07).
 *
 * The echo uses only printable bytes, "\b", BEL, "\r\n", ESC [ n D
 * (VT100 CUB) and ESC [ K (EL): "\b \b" for a backspace at the end of the
 * line; a mid-line edit re-prints the tail, erases what is left and moves
 * back over the tail; a move right re-prints the character. Piped lines
 * of text (`make run` with a file on standard input) therefore echo as
 * themselves, each ended by "\r\n".
 */
#ifndef PARTITIONS_ROOT_LINEEDIT_H
#define PARTITIONS_ROOT_LINEEDIT_H

#include "core/types.h"

#define LINEEDIT_MAX		511	/* characters of a line, without the NUL (SCRIPT_LINE_MAX - 1) */
#define LINEEDIT_HISTORY	16	/* lines remembered */
/*
 * The most one byte echoes: a history step erases the line (ESC [ n D,
 * ESC [ K) and prints the recalled one; an insertion mid-line prints the
 * tail and moves back over it.
 */
#define LINEEDIT_ECHO_MAX	(2 * LINEEDIT_MAX + 32)

/* What a byte finished. */
enum lineedit_event {
	LINEEDIT_NONE,		/* still editing */
	LINEEDIT_LINE,		/* Enter: the line is in lineedit_line() */
	LINEEDIT_CANCEL,	/* Ctrl-C: the line was abandoned */
};

/* The bytes one lineedit_feed() call echoes. */
struct lineedit_echo {
	char buf[LINEEDIT_ECHO_MAX];
	size_t len;
	bool overflow;		/* a byte did not fit: a broken invariant (the fuzzer checks it) */
};

enum lineedit_esc_state { LE_ESC_NONE, LE_ESC_START, LE_ESC_CSI, LE_ESC_SS3 };

struct lineedit {
	char line[LINEEDIT_MAX + 1];	/* the line being edited, NUL-terminated */
	size_t len;			/* its length */
	size_t cursor;			/* 0..len */
	char done[LINEEDIT_MAX + 1];	/* the last finished line, until the next one */
	/* history: hist[(hist_next - 1 - i) % LINEEDIT_HISTORY] is the i-th most recent */
	char hist[LINEEDIT_HISTORY][LINEEDIT_MAX + 1];
	unsigned hist_count;		/* entries held, up to LINEEDIT_HISTORY */
	unsigned hist_next;		/* the slot the next entry takes */
	unsigned browse;		/* 0: the new line; i: the i-th most recent entry shown */
	char saved[LINEEDIT_MAX + 1];	/* the new line while the history is shown */
	enum lineedit_esc_state esc;
	bool after_cr;			/* the last byte was CR: an LF right after it is the same Enter */
	bool cut;			/* a character was refused for the length: the line is not whole */
	bool done_cut;			/* the last finished line was such a line */
	bool saved_cut;			/* `saved` (the new line, while the history is shown) was */
};

void lineedit_init(struct lineedit *le);
/*
 * One input byte: the echo goes into *echo (emptied first); the result
 * says whether it finished a line (then in lineedit_line()) or abandoned it.
 */
enum lineedit_event lineedit_feed(struct lineedit *le, uint8_t byte, struct lineedit_echo *echo);
/*
 * The last finished line lost characters beyond LINEEDIT_MAX (each rang
 * the bell): the caller must not run it as if it were what was typed.
 */
bool lineedit_overflowed(const struct lineedit *le);
/* The last finished line (empty before the first). */
const char *lineedit_line(const struct lineedit *le);
/* The i-th most recent history entry (0 = newest), NULL beyond those held. */
const char *lineedit_history(const struct lineedit *le, unsigned i);

#endif
