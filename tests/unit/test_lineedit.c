/*
 * Host unit tests for the root console's line editor (partitions/root/lineedit.h):
 * every key, CR/LF/CRLF, the line's bound, the history at both ends and its
 * bound, ignored bytes and escape sequences; and after every byte, that the
 * echo replayed into a model terminal (vt_model.h) shows exactly the line
 * being edited with the cursor where the editor has it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "partitions/root/lineedit.h"
#include "tests/unit/vt_model.h"

static struct lineedit le;
static struct lineedit_echo echo;
static struct vt term;
static unsigned lines, cancels;

static int setup(void **state)
{
	(void)state;
	lineedit_init(&le);
	vt_init(&term);
	lines = cancels = 0;
	return 0;
}

/* One byte: its echo into the terminal, which must then show the line being edited. */
static enum lineedit_event feed(uint8_t b)
{
	enum lineedit_event ev = lineedit_feed(&le, b, &echo);

	assert_false(echo.overflow);
	assert_true(echo.len <= sizeof(echo.buf));
	vt_write(&term, echo.buf, echo.len);
	assert_true(le.len <= LINEEDIT_MAX && le.cursor <= le.len);
	assert_int_equal(strlen(le.line), le.len);
	assert_true(vt_shows(&term, le.line, le.len, le.cursor));
	lines += ev == LINEEDIT_LINE;
	cancels += ev == LINEEDIT_CANCEL;
	return ev;
}

/* Bytes in turn; the echo of the last one stays in echo; the event of the last one. */
static enum lineedit_event type(const char *s)
{
	enum lineedit_event ev = LINEEDIT_NONE;

	while (*s)
		ev = feed((uint8_t)*s++);
	return ev;
}

static void assert_echo(const char *want)
{
	assert_int_equal(echo.len, strlen(want));
	assert_memory_equal(echo.buf, want, echo.len);
}

#define UP	"\x1b[A"
#define DOWN	"\x1b[B"
#define RIGHT	"\x1b[C"
#define LEFT	"\x1b[D"

static void test_printable_and_enter(void **state)
{
	(void)state;
	assert_string_equal(lineedit_line(&le), "");
	assert_int_equal(type("a"), LINEEDIT_NONE);
	assert_echo("a");
	type("b c~");
	assert_string_equal(le.line, "ab c~");
	assert_int_equal(feed('\r'), LINEEDIT_LINE);
	assert_echo("\r\n");
	assert_string_equal(lineedit_line(&le), "ab c~");
	assert_string_equal(term.prev, "ab c~");
	assert_int_equal(le.len, 0);
	assert_int_equal(le.cursor, 0);
	/* the finished line stays until the next one */
	type("xy");
	assert_string_equal(lineedit_line(&le), "ab c~");
}

static void test_cr_lf_crlf(void **state)
{
	(void)state;
	assert_int_equal(type("one\r\n"), LINEEDIT_NONE);	/* the LF of a CRLF: nothing */
	assert_int_equal(echo.len, 0);
	assert_int_equal(lines, 1);
	assert_string_equal(lineedit_line(&le), "one");
	assert_int_equal(type("two\n"), LINEEDIT_LINE);
	assert_string_equal(lineedit_line(&le), "two");
	assert_int_equal(type("three\r"), LINEEDIT_LINE);
	assert_string_equal(lineedit_line(&le), "three");
	/* a second CR, or an LF not right after a CR, is an Enter of its own (an empty line) */
	assert_int_equal(type("\r"), LINEEDIT_LINE);
	assert_string_equal(lineedit_line(&le), "");
	type("four\r\n\n");
	assert_int_equal(lines, 6);
	assert_string_equal(lineedit_line(&le), "");
	/* CRLF once more after the CR of an empty line */
	type("\r\nfive\r\n");
	assert_int_equal(lines, 8);
	assert_string_equal(lineedit_line(&le), "five");
	assert_int_equal(term.newlines, 8);
}

static void test_backspace_and_del(void **state)
{
	(void)state;
	type("abc");
	feed(0x08);
	assert_echo("\b \b");
	assert_string_equal(le.line, "ab");
	feed(0x7f);
	assert_echo("\b \b");
	assert_string_equal(le.line, "a");
	type("\x7f\x08\x7f");		/* nothing left to delete: no echo, no change */
	assert_int_equal(echo.len, 0);
	assert_string_equal(le.line, "");
	type("x\r");
	assert_string_equal(lineedit_line(&le), "x");
}

static void test_cursor_and_mid_line_edits(void **state)
{
	(void)state;
	type("helo");
	type(LEFT);
	assert_echo("\b");
	assert_int_equal(le.cursor, 3);
	type("l");
	assert_echo("lo\b");			/* the character, the tail, back over the tail */
	assert_string_equal(le.line, "hello");
	assert_int_equal(le.cursor, 4);
	type(LEFT LEFT);
	type("\x7f");				/* "h|llo" after deleting the e */
	assert_echo("\bllo\x1b[K\x1b[3D");
	assert_string_equal(le.line, "hllo");
	assert_int_equal(le.cursor, 1);
	type(RIGHT);
	assert_echo("l");			/* right: the character again */
	assert_int_equal(le.cursor, 2);
	type(RIGHT RIGHT RIGHT RIGHT);		/* stops at the end */
	assert_int_equal(le.cursor, 4);
	assert_int_equal(echo.len, 0);
	type(LEFT LEFT LEFT LEFT LEFT LEFT);	/* stops at the start */
	assert_int_equal(le.cursor, 0);
	type(">");
	assert_string_equal(le.line, ">hllo");
	/* the SS3 forms (application cursor keys) */
	type("\x1bOC\x1bOC");
	assert_int_equal(le.cursor, 3);
	type("\x1bOD");
	assert_int_equal(le.cursor, 2);
	assert_int_equal(type("\r"), LINEEDIT_LINE);	/* Enter mid-line: the whole line */
	assert_string_equal(lineedit_line(&le), ">hllo");
}

static void test_ctrl_u(void **state)
{
	(void)state;
	type("ls -l /tmp" LEFT LEFT);
	type("\x15");
	assert_echo("\x1b[8D\x1b[K");
	assert_string_equal(le.line, "");
	assert_int_equal(le.cursor, 0);
	type("\x15");				/* an empty line: nothing to say */
	assert_int_equal(echo.len, 0);
	type("pwd\r");
	assert_string_equal(lineedit_line(&le), "pwd");
}

static void test_ctrl_w(void **state)
{
	(void)state;
	type("ls foo  bar");
	type("\x17");
	assert_string_equal(le.line, "ls foo  ");
	type("\x17");				/* the spaces, then the word */
	assert_string_equal(le.line, "ls ");
	type("\x17");
	assert_string_equal(le.line, "");
	type("\x17");				/* nothing before the cursor */
	assert_int_equal(echo.len, 0);
	/* mid-line: only what is before the cursor goes, the tail moves left */
	type("abc def ghi" LEFT LEFT LEFT LEFT LEFT);
	type("\x17");
	assert_string_equal(le.line, "abc f ghi");
	assert_int_equal(le.cursor, 4);
	type("\x17");
	assert_string_equal(le.line, "f ghi");
	assert_int_equal(le.cursor, 0);
}

static void test_ctrl_c(void **state)
{
	(void)state;
	type("kept\r");
	assert_int_equal(type("abandoned" LEFT), LINEEDIT_NONE);
	assert_int_equal(feed(0x03), LINEEDIT_CANCEL);
	assert_echo("^C\r\n");
	assert_int_equal(cancels, 1);
	assert_int_equal(le.len, 0);
	assert_string_equal(lineedit_line(&le), "kept");
	assert_string_equal(lineedit_history(&le, 0), "kept");
	assert_null(lineedit_history(&le, 1));
}

static void test_history_walk(void **state)
{
	(void)state;
	type(UP);				/* nothing held: the bell */
	assert_echo("\a");
	type(DOWN);
	assert_echo("\a");
	type("first\rsecond\rthird\r");
	type("new" LEFT);
	type(UP);
	assert_string_equal(le.line, "third");
	assert_int_equal(le.cursor, 5);
	type(UP UP);
	assert_string_equal(le.line, "first");
	type(UP);				/* the oldest: the bell, the line stays */
	assert_echo("\a");
	assert_string_equal(le.line, "first");
	type(DOWN);
	assert_string_equal(le.line, "second");
	type("\x1bOB");				/* SS3 down */
	assert_string_equal(le.line, "third");
	type(DOWN);				/* back to the new line as it was left */
	assert_string_equal(le.line, "new");
	type(DOWN);				/* past the new line: the bell */
	assert_echo("\a");
	assert_string_equal(le.line, "new");
	/* a recalled line edited and entered: a new entry; the old one unchanged */
	type("\x1bOA\x7f" "D\r");
	assert_string_equal(lineedit_line(&le), "thirD");
	assert_string_equal(lineedit_history(&le, 0), "thirD");
	assert_string_equal(lineedit_history(&le, 1), "third");
	/* Enter resets the walk: the next Up is the newest */
	type(UP);
	assert_string_equal(le.line, "thirD");
}

static void test_history_not_added(void **state)
{
	(void)state;
	type("\r\r");				/* empty lines */
	assert_null(lineedit_history(&le, 0));
	type("same\rsame\r");			/* equal to the newest */
	assert_string_equal(lineedit_history(&le, 0), "same");
	assert_null(lineedit_history(&le, 1));
	type(UP "\r");				/* a recalled line entered as it is */
	assert_null(lineedit_history(&le, 1));
	type("other\rsame\r");			/* equal to an older one: added */
	assert_string_equal(lineedit_history(&le, 0), "same");
	assert_string_equal(lineedit_history(&le, 1), "other");
	assert_string_equal(lineedit_history(&le, 2), "same");
}

static void test_history_bound(void **state)
{
	char s[16];
	unsigned i;

	(void)state;
	for (i = 0; i < LINEEDIT_HISTORY + 4; i++) {
		snprintf(s, sizeof(s), "cmd%u\r", i);
		type(s);
	}
	for (i = 0; i < LINEEDIT_HISTORY; i++) {
		snprintf(s, sizeof(s), "cmd%u", LINEEDIT_HISTORY + 3 - i);
		assert_string_equal(lineedit_history(&le, i), s);
	}
	assert_null(lineedit_history(&le, LINEEDIT_HISTORY));
	for (i = 0; i < LINEEDIT_HISTORY; i++)
		type(UP);
	assert_string_equal(le.line, "cmd4");
	type(UP);
	assert_echo("\a");
}

static void test_line_bound(void **state)
{
	char full[LINEEDIT_MAX + 1];
	unsigned i;

	(void)state;
	for (i = 0; i < LINEEDIT_MAX; i++) {
		full[i] = (char)('a' + i % 26);
		assert_int_equal(feed((uint8_t)full[i]), LINEEDIT_NONE);
	}
	full[LINEEDIT_MAX] = '\0';
	assert_int_equal(le.len, LINEEDIT_MAX);
	type("Z");				/* refused with the bell */
	assert_echo("\a");
	assert_string_equal(le.line, full);
	type(LEFT LEFT "Z");			/* mid-line too */
	assert_echo("\a");
	assert_string_equal(le.line, full);
	type(RIGHT RIGHT "\x7fz");		/* room again: taken */
	full[LINEEDIT_MAX - 1] = 'z';
	assert_string_equal(le.line, full);
	type("\r");
	assert_string_equal(lineedit_line(&le), full);
	assert_true(lineedit_overflowed(&le));	/* characters were refused: not what was typed */
	assert_null(lineedit_history(&le, 0));	/* nor remembered */
	/* a full line with nothing refused is whole; Ctrl-U forgets a refusal */
	type("Q" "\x15");
	for (i = 0; i < LINEEDIT_MAX; i++)
		feed((uint8_t)full[i]);
	type("\r");
	assert_false(lineedit_overflowed(&le));
	assert_string_equal(lineedit_history(&le, 0), full);
	for (i = 0; i <= LINEEDIT_MAX; i++)
		feed('y');			/* the last one refused */
	type("\x15" "ok\r");
	assert_false(lineedit_overflowed(&le));
	assert_string_equal(lineedit_line(&le), "ok");
	/* a line that lost characters, then recalled over or deleted: what is run is whole */
	for (i = 0; i <= LINEEDIT_MAX; i++)
		feed('y');
	type(UP "\r");				/* "ok" recalled over it */
	assert_false(lineedit_overflowed(&le));
	assert_string_equal(lineedit_line(&le), "ok");
	for (i = 0; i <= LINEEDIT_MAX; i++)
		feed('y');
	for (i = 0; i < LINEEDIT_MAX; i++)
		feed(0x7f);			/* all deleted */
	type("ok\r");
	assert_false(lineedit_overflowed(&le));
	for (i = 0; i <= LINEEDIT_MAX; i++)
		feed('y');
	type(UP DOWN "\r");			/* back to the cut line: still cut */
	assert_true(lineedit_overflowed(&le));
	type("x" UP UP);			/* a full line recalled over a short one */
	assert_string_equal(le.line, full);
	type(DOWN DOWN);
	assert_string_equal(le.line, "x");
}

static void test_ignored_bytes_and_sequences(void **state)
{
	static const char *const ignored[] = {
		"\t", "\x01", "\x02", "\x04", "\x0b", "\x0c", "\x1c", "\x80", "\xff", "\xc3\xa9",
		"\x1b[3~", "\x1b[1;5H", "\x1b[200~", "\x1b[?25h", "\x1b[H", "\x1bOP", "\x1bx",
		"\x1b\x1b", "\x1b[1;5", "~",
	};
	unsigned i;

	(void)state;
	type("ab");
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		type(ignored[i]);
		assert_int_equal(echo.len, 0);
	}
	/* "\x1b[1;5" then "~": the final byte of the unfinished sequence, not a character */
	assert_string_equal(le.line, "ab");
	/* a control byte ends an unfinished sequence and counts as the key it is */
	type("\x1b[1\x7f");
	assert_string_equal(le.line, "a");
	assert_int_equal(type("\x1b\r"), LINEEDIT_LINE);
	assert_string_equal(lineedit_line(&le), "a");
	assert_int_equal(type("\x1bO\x03"), LINEEDIT_CANCEL);
	/* xterm's Ctrl-arrows (parameters) still move */
	type("xy\x1b[1;5D");
	assert_int_equal(le.cursor, 1);
}

/* Random keys (a fixed seed): after each byte the terminal shows the line (checked in feed). */
static void test_random_keys_replay(void **state)
{
	static const char *const keys[] = {
		"a", "b", " ", "Q", "\x7f", "\x08", "\x15", "\x17", "\r", "\n", "\r\n", "\x03",
		UP, DOWN, LEFT, RIGHT, "\x1bOA", "\x1bOD", "\x1b[3~", "\t", "hello world ",
	};
	unsigned i;

	(void)state;
	srand(11);
	for (i = 0; i < 20000; i++)
		type(keys[(unsigned)rand() % (sizeof(keys) / sizeof(keys[0]))]);
	assert_true(lines > 0);
	assert_true(cancels > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_printable_and_enter, setup),
		cmocka_unit_test_setup(test_cr_lf_crlf, setup),
		cmocka_unit_test_setup(test_backspace_and_del, setup),
		cmocka_unit_test_setup(test_cursor_and_mid_line_edits, setup),
		cmocka_unit_test_setup(test_ctrl_u, setup),
		cmocka_unit_test_setup(test_ctrl_w, setup),
		cmocka_unit_test_setup(test_ctrl_c, setup),
		cmocka_unit_test_setup(test_history_walk, setup),
		cmocka_unit_test_setup(test_history_not_added, setup),
		cmocka_unit_test_setup(test_history_bound, setup),
		cmocka_unit_test_setup(test_line_bound, setup),
		cmocka_unit_test_setup(test_ignored_bytes_and_sequences, setup),
		cmocka_unit_test_setup(test_random_keys_replay, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
