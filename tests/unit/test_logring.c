/* Host unit tests for core/logring.c: the log's ring of lines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/logring.h"

#define SIZE	4096		/* the smallest ring that holds two longest lines */

static uint8_t buf[SIZE + 64];	/* the last 64 bytes guard the end */
static struct logring r;

static int setup(void **state)
{
	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	logring_init(&r, buf, SIZE);
	return 0;
}

static void assert_guard_intact(void)
{
	for (size_t i = SIZE; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xa5);
}

static void put_str(const char *s)
{
	logring_put(&r, s, strlen(s));
}

/* Read the next line as a string; false when there is none. */
static bool get_str(struct logring_cursor *c, char *out, size_t size, struct logring_loss *lost)
{
	size_t len;

	if (!logring_get(&r, c, out, size - 1, &len, lost))
		return false;
	out[len < size - 1 ? len : size - 1] = '\0';
	return true;
}

static void empty_ring_has_nothing(void **state)
{
	struct logring_cursor c;
	struct logring_loss lost = { 0, 0 };
	char line[64];

	(void)state;
	logring_cursor_oldest(&r, &c);
	assert_false(logring_has_more(&r, &c));
	assert_false(get_str(&c, line, sizeof(line), &lost));
	assert_int_equal(lost.lines, 0);
	assert_int_equal(c.seq, 0);
}

static void lines_come_back_in_order_with_sequence_numbers(void **state)
{
	struct logring_cursor c;
	struct logring_loss lost = { 0, 0 };
	char line[64];

	(void)state;
	logring_cursor_oldest(&r, &c);
	put_str("first");
	put_str("");			/* an empty line is a line too */
	put_str("third line");
	assert_true(logring_has_more(&r, &c));
	assert_true(get_str(&c, line, sizeof(line), &lost));
	assert_string_equal(line, "first");
	assert_int_equal(c.seq, 1);
	assert_true(get_str(&c, line, sizeof(line), &lost));
	assert_string_equal(line, "");
	assert_true(get_str(&c, line, sizeof(line), &lost));
	assert_string_equal(line, "third line");
	assert_int_equal(c.seq, 3);
	assert_int_equal(c.text, 15);
	assert_false(logring_has_more(&r, &c));
	assert_false(get_str(&c, line, sizeof(line), &lost));
	assert_int_equal(lost.lines, 0);
	assert_int_equal(lost.bytes, 0);
}

/* Lines of every length from 0 to 300, read as they come: each crosses the end in turn. */
static void lines_across_the_end_of_the_buffer_stay_whole(void **state)
{
	static char text[301], line[400];
	struct logring_cursor c;
	struct logring_loss lost = { 0, 0 };

	(void)state;
	logring_cursor_oldest(&r, &c);
	for (int round = 0; round < 3; round++) {
		for (size_t n = 0; n <= 300; n++) {
			for (size_t i = 0; i < n; i++)
				text[i] = (char)('a' + (i + n) % 26);
			logring_put(&r, text, n);
			assert_true(get_str(&c, line, sizeof(line), &lost));
			assert_int_equal(strlen(line), n);
			assert_memory_equal(line, text, n);
		}
	}
	assert_true(r.head > 10 * SIZE);	/* it went round many times */
	assert_int_equal(lost.lines, 0);
	assert_guard_intact();
}

/*
 * A reader that does not keep up misses the oldest lines: it is told how
 * many lines and text bytes, and then reads the newest ones, none skipped.
 */
static void overwritten_lines_are_counted_for_a_slow_reader(void **state)
{
	struct logring_cursor c;
	struct logring_loss lost = { 0, 0 };
	char line[64], want[64];
	unsigned total = 1000, first_kept;
	uint64_t text_before = 0;

	(void)state;
	logring_cursor_oldest(&r, &c);
	for (unsigned i = 0; i < total; i++) {
		snprintf(line, sizeof(line), "line %u", i);
		put_str(line);
	}
	assert_true(r.head - r.tail <= SIZE);
	first_kept = (unsigned)r.tail_seq;
	assert_true(first_kept > 0 && first_kept < total);
	for (unsigned i = 0; i < first_kept; i++) {
		snprintf(want, sizeof(want), "line %u", i);
		text_before += strlen(want);
	}
	assert_true(get_str(&c, line, sizeof(line), &lost));
	assert_int_equal(lost.lines, first_kept);
	assert_int_equal(lost.bytes, text_before);
	snprintf(want, sizeof(want), "line %u", first_kept);
	assert_string_equal(line, want);
	for (unsigned i = first_kept + 1; i < total; i++) {
		assert_true(get_str(&c, line, sizeof(line), &lost));
		snprintf(want, sizeof(want), "line %u", i);
		assert_string_equal(line, want);
	}
	assert_false(get_str(&c, line, sizeof(line), &lost));
	assert_int_equal(lost.lines, first_kept);	/* nothing more was lost */
	assert_guard_intact();
}

/* A ring filled to the last byte keeps everything; one byte more drops exactly the oldest line. */
static void a_full_ring_drops_only_what_it_must(void **state)
{
	static char text[SIZE];
	struct logring_cursor c;
	struct logring_loss lost = { 0, 0 };
	size_t len, n = SIZE / 4 - LOGRING_HDR;	/* four lines fill the ring */

	(void)state;
	memset(text, 'x', sizeof(text));
	logring_cursor_oldest(&r, &c);
	for (int i = 0; i < 4; i++)
		logring_put(&r, text, n);
	assert_int_equal(r.head - r.tail, SIZE);
	assert_int_equal(r.tail_seq, 0);
	logring_put(&r, text, 0);			/* needs LOGRING_HDR bytes: one line goes */
	assert_int_equal(r.tail_seq, 1);
	assert_true(logring_get(&r, &c, text, sizeof(text), &len, &lost));
	assert_int_equal(lost.lines, 1);
	assert_int_equal(lost.bytes, n);
	assert_int_equal(len, n);
	assert_guard_intact();
}

static void long_lines_are_cut_and_short_buffers_get_the_start(void **state)
{
	static char text[LOGRING_LINE_MAX + 100], out[LOGRING_LINE_MAX + 100];
	struct logring_cursor c;
	struct logring_loss lost = { 0, 0 };
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('0' + i % 10);
	logring_cursor_oldest(&r, &c);
	logring_put(&r, text, sizeof(text));
	logring_put(&r, "abcdefgh", 8);
	assert_true(logring_get(&r, &c, out, sizeof(out), &len, &lost));
	assert_int_equal(len, LOGRING_LINE_MAX);
	assert_memory_equal(out, text, LOGRING_LINE_MAX);
	memset(out, 0, sizeof(out));
	assert_true(logring_get(&r, &c, out, 3, &len, &lost));
	assert_int_equal(len, 8);			/* the whole length is said... */
	assert_memory_equal(out, "abc\0", 4);		/* ...and only the start copied */
	assert_false(logring_has_more(&r, &c));		/* the cursor is past the whole line */
}

/* Two readers keep their own places; the newest cursor sees only what comes later. */
static void readers_are_independent(void **state)
{
	struct logring_cursor early, late;
	struct logring_loss lost = { 0, 0 };
	char line[64];

	(void)state;
	logring_cursor_oldest(&r, &early);
	put_str("one");
	put_str("two");
	assert_true(get_str(&early, line, sizeof(line), &lost));
	assert_string_equal(line, "one");
	logring_cursor_newest(&r, &late);
	assert_int_equal(late.seq, 2);
	assert_int_equal(late.text, 6);
	assert_false(logring_has_more(&r, &late));
	put_str("three");
	assert_true(get_str(&late, line, sizeof(line), &lost));
	assert_string_equal(line, "three");
	assert_true(get_str(&early, line, sizeof(line), &lost));
	assert_string_equal(line, "two");
	assert_true(get_str(&early, line, sizeof(line), &lost));
	assert_string_equal(line, "three");
	assert_int_equal(early.seq, late.seq);
	assert_int_equal(early.text, late.text);
}

/* The newest cursor's text count agrees with a reader's after the ring has wrapped and dropped lines. */
static void newest_cursor_counts_text_after_wrapping(void **state)
{
	struct logring_cursor reader, late;
	struct logring_loss lost = { 0, 0 };
	char line[64];

	(void)state;
	logring_cursor_oldest(&r, &reader);
	for (unsigned i = 0; i < 700; i++) {
		snprintf(line, sizeof(line), "entry %u", i);
		put_str(line);
	}
	logring_cursor_newest(&r, &late);
	while (get_str(&reader, line, sizeof(line), &lost))
		;
	assert_true(lost.lines > 0);
	assert_int_equal(reader.seq, late.seq);
	assert_int_equal(reader.text, late.text);
	assert_int_equal(reader.pos, late.pos);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
		T(empty_ring_has_nothing),
		T(lines_come_back_in_order_with_sequence_numbers),
		T(lines_across_the_end_of_the_buffer_stay_whole),
		T(overwritten_lines_are_counted_for_a_slow_reader),
		T(a_full_ring_drops_only_what_it_must),
		T(long_lines_are_cut_and_short_buffers_get_the_start),
		T(readers_are_independent),
		T(newest_cursor_counts_text_after_wrapping),
	};

	return cmocka_run_group_tests_name("logring", tests, NULL, NULL);
}
