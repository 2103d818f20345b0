/* Host unit tests for core/logring.c: the log's ring of lines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
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
	alarm(20);		/* a reader or writer that loops for ever fails the test */
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
	struct logring_loss lost = { 0 };
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
	struct logring_loss lost = { 0 };
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
	struct logring_loss lost = { 0 };

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
	struct logring_loss lost = { 0 };
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
	struct logring_loss lost = { 0 };
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
	struct logring_loss lost = { 0 };
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
	struct logring_loss lost = { 0 };
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
	struct logring_loss lost = { 0 };
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


/* Write a record's length field as a stopped writer or a stray store could leave it. */
static void tear_length(uint64_t pos, uint16_t len)
{
	buf[pos & (SIZE - 1)] = (uint8_t)len;
	buf[(pos + 1) & (SIZE - 1)] = (uint8_t)(len >> 8);
}

/* Every read ends, and the cursor never passes the head. */
static unsigned drain(struct logring_cursor *c, struct logring_loss *lost)
{
	char line[LOGRING_LINE_MAX];
	unsigned got = 0;
	size_t len;

	for (unsigned turn = 0; turn <= SIZE / LOGRING_HDR + 1; turn++) {
		if (!logring_get(&r, c, line, sizeof(line), &len, lost)) {
			assert_true(c->pos <= r.head);
			return got;
		}
		assert_true(len <= LOGRING_LINE_MAX);
		assert_true(c->pos <= r.head);
		got++;
	}
	fail_msg("the reader went on past every record the ring can hold");
	return got;
}

/*
 * A torn length (a writer stopped by a panic's NMI half-way): the reader
 * cannot find the records after it, so it skips to the head, counts them
 * lost and reads what comes later.
 */
static void a_torn_length_sends_the_reader_to_the_head(void **state)
{
	struct logring_cursor c;
	struct logring_loss lost = { 0 };
	char line[64];
	uint64_t second;

	(void)state;
	logring_cursor_oldest(&r, &c);
	put_str("one");
	second = r.head;
	put_str("two");
	put_str("three");
	tear_length(second, 0xffff);
	assert_true(get_str(&c, line, sizeof(line), &lost));
	assert_string_equal(line, "one");
	assert_false(get_str(&c, line, sizeof(line), &lost));
	assert_int_equal(c.pos, r.head);
	assert_int_equal(lost.lines, 2);
	assert_int_equal(lost.damaged, 1);
	put_str("after");
	assert_true(get_str(&c, line, sizeof(line), &lost));
	assert_string_equal(line, "after");
	assert_false(logring_has_more(&r, &c));
	assert_guard_intact();
}

/* A length a writer could have put, but that runs past the head, is damage too. */
static void a_record_running_past_the_head_is_not_read(void **state)
{
	struct logring_cursor c;
	struct logring_loss lost = { 0 };
	uint64_t last;

	(void)state;
	logring_cursor_oldest(&r, &c);
	put_str("first");
	last = r.head;
	put_str("short");
	tear_length(last, 500);
	assert_int_equal(drain(&c, &lost), 1);
	assert_int_equal(c.pos, r.head);
	assert_int_equal(lost.damaged, 1);
}

/* A cursor past the head (torn, or from a bad copy) is put back at the head. */
static void a_cursor_past_the_head_is_put_back(void **state)
{
	struct logring_cursor c;
	struct logring_loss lost = { 0 };
	char line[64];

	(void)state;
	put_str("one");
	put_str("two");
	logring_cursor_newest(&r, &c);
	c.pos += 100;
	assert_false(get_str(&c, line, sizeof(line), &lost));
	assert_int_equal(c.pos, r.head);
	assert_int_equal(c.seq, r.head_seq);
	assert_int_equal(lost.damaged, 1);
	put_str("three");
	assert_true(get_str(&c, line, sizeof(line), &lost));
	assert_string_equal(line, "three");
	assert_false(get_str(&c, line, sizeof(line), &lost));
}

/* A writer makes room over a torn oldest record, or a tail past the head, and goes on. */
static void a_writer_repairs_a_damaged_ring(void **state)
{
	static char text[SIZE];
	struct logring_cursor c;
	struct logring_loss lost = { 0 };

	(void)state;
	memset(text, 'x', sizeof(text));
	for (int i = 0; i < 8; i++)
		logring_put(&r, text, SIZE / 4 - LOGRING_HDR);	/* full, wrapped */
	tear_length(r.tail, 0xfff0);
	logring_put(&r, text, 100);
	assert_true(r.tail <= r.head && r.head - r.tail <= SIZE);
	r.tail = r.head + 8;					/* a torn tail */
	logring_put(&r, text, 100);
	assert_true(r.tail <= r.head && r.head - r.tail <= SIZE);
	logring_cursor_oldest(&r, &c);
	assert_int_equal(drain(&c, &lost), 1);
	assert_int_equal(lost.damaged, 0);
	logring_cursor_newest(&r, &c);
	assert_int_equal(c.pos, r.head);
	assert_guard_intact();
}

/* Random bytes over a wrapped ring: every read ends and stays inside the buffer. */
static void reading_a_scribbled_ring_always_ends(void **state)
{
	struct logring_cursor c, late;
	struct logring_loss lost = { 0 };
	char line[64];
	unsigned seed = 1;

	(void)state;
	for (unsigned round = 0; round < 500; round++) {
		logring_cursor_oldest(&r, &c);
		for (unsigned i = 0; i < 40 + round % 300; i++) {
			snprintf(line, sizeof(line), "round %u line %u", round, i);
			put_str(line);
		}
		for (unsigned i = 0; i < 1 + round % 8; i++) {
			seed = seed * 1103515245 + 12345;
			buf[(seed >> 8) % SIZE] = (uint8_t)(seed >> 20);
		}
		drain(&c, &lost);
		assert_int_equal(c.pos, r.head);
		logring_cursor_newest(&r, &late);
		put_str("after");
		assert_true(get_str(&c, line, sizeof(line), &lost));
		assert_string_equal(line, "after");
	}
	assert_true(lost.damaged > 0);		/* some scribbles hit a length */
	assert_guard_intact();
}

/* logring_copy_since: whole lines with '\n', positions the caller keeps, nothing consumed. */
static void history_copies_whole_lines_from_a_position(void **state)
{
	char out[64];
	uint64_t from = 0, lost = 99;
	size_t n = 99;

	(void)state;
	assert_true(logring_copy_since(&r, &from, out, sizeof(out), &n, &lost));
	assert_int_equal(n, 0);			/* an empty ring: nothing newer */
	assert_int_equal(from, 0);
	assert_int_equal(lost, 0);
	put_str("one");
	put_str("two");
	put_str("three");
	assert_true(logring_copy_since(&r, &from, out, 9, &n, &lost));
	assert_int_equal(n, 8);			/* "three\n" does not fit the 1 byte left */
	assert_memory_equal(out, "one\ntwo\n", 8);
	assert_int_equal(from, 8);
	assert_true(logring_copy_since(&r, &from, out, sizeof(out), &n, &lost));
	assert_int_equal(n, 6);
	assert_memory_equal(out, "three\n", 6);
	assert_int_equal(from, 14);
	assert_true(logring_copy_since(&r, &from, out, sizeof(out), &n, &lost));
	assert_int_equal(n, 0);			/* nothing newer */
	assert_int_equal(from, 14);
	from = 4;				/* read again: nothing was consumed */
	assert_true(logring_copy_since(&r, &from, out, sizeof(out), &n, &lost));
	assert_int_equal(n, 10);
	assert_memory_equal(out, "two\nthree\n", 10);
	assert_int_equal(lost, 0);
	assert_guard_intact();
}

/* A position inside a line or past the newest is refused, and nothing is written. */
static void history_refuses_a_position_that_is_no_line_start(void **state)
{
	static const uint64_t bad[] = { 1, 3, 5, 15, 1000, ~0ull };
	char out[16];
	size_t n = 7;
	uint64_t lost = 7;

	(void)state;
	put_str("one");
	put_str("two");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t from = bad[i];

		memset(out, 'x', sizeof(out));
		assert_false(logring_copy_since(&r, &from, out, sizeof(out), &n, &lost));
		assert_int_equal(from, bad[i]);
		assert_int_equal(n, 7);
		assert_int_equal(lost, 7);
		assert_int_equal(out[0], 'x');
	}
}

/* A position the ring overwrote: the copy starts at the oldest line held, the gap is `lost`. */
static void history_counts_what_was_overwritten(void **state)
{
	char line[32], out[256];
	uint64_t from = 0, lost, before = 0;
	size_t n;
	unsigned first_kept;

	(void)state;
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(line, sizeof(line), "line %u", i);
		put_str(line);
	}
	first_kept = (unsigned)r.tail_seq;
	for (unsigned i = 0; i < first_kept; i++) {
		snprintf(line, sizeof(line), "line %u", i);
		before += strlen(line) + 1;
	}
	from = 5;				/* "line 0\n" is 7 bytes: 5 is inside it, but lost */
	assert_true(logring_copy_since(&r, &from, out, sizeof(out), &n, &lost));
	assert_int_equal(lost, before - 5);
	snprintf(line, sizeof(line), "line %u\n", first_kept);
	assert_memory_equal(out, line, strlen(line));
	assert_int_equal(out[n - 1], '\n');
	assert_int_equal(from, before + n);
	/* the rest, in buffer-sized pieces, ends at the newest line */
	while (logring_copy_since(&r, &from, out, sizeof(out), &n, &lost) && n)
		assert_int_equal(lost, 0);
	assert_int_equal(n, 0);
	assert_guard_intact();
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
		T(a_torn_length_sends_the_reader_to_the_head),
		T(a_record_running_past_the_head_is_not_read),
		T(a_cursor_past_the_head_is_put_back),
		T(a_writer_repairs_a_damaged_ring),
		T(reading_a_scribbled_ring_always_ends),
		T(history_copies_whole_lines_from_a_position),
		T(history_refuses_a_position_that_is_no_line_start),
		T(history_counts_what_was_overwritten),
	};

	return cmocka_run_group_tests_name("logring", tests, NULL, NULL);
}
