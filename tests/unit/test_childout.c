/*
 * Host unit tests for a child's output in the root (partitions/root/childout.h):
 * lines in order, the budget of unsent bytes with the OLDEST lines skipped
 * down to the resume mark and a note where the gap is (the flood's last
 * line always arrives), the root's lines beyond the budget and carried
 * through a gap, a slot's next owner, and the lines kept after sending for
 * a later reader (replay, which stops at a gap).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "partitions/root/childout.h"

static struct childout out;
static char got[CHILDOUT_LINE_MAX];

static int setup(void **state)
{
	(void)state;
	memset(&out, 0, sizeof(out));
	childout_claim(&out, "web");
	return 0;
}

/* The sender's next line, NUL-terminated in got; NULL when nothing waits. */
static const char *next(void)
{
	return childout_next(&out, got, sizeof(got)) ? got : NULL;
}

static const char *line_of(unsigned i)
{
	static char t[128];

	snprintf(t, sizeof(t), "%05u a line of some length, as a chatty child writes them", i);
	return t;
}

static void test_in_order(void **state)
{
	(void)state;
	assert_null(next());
	assert_int_equal(childout_unsent(&out), 0);
	childout_line(&out, "hi");
	childout_line(&out, "there");
	assert_int_equal(childout_unsent(&out),
			 2 * LOGRING_HDR + strlen("[web] hi") + strlen("[web] there"));
	assert_string_equal(next(), "[web] hi");
	assert_string_equal(next(), "[web] there");
	assert_null(next());
	assert_int_equal(childout_unsent(&out), 0);
}

static void expect_line(unsigned i)
{
	char want[CHILDOUT_LINE_MAX];

	snprintf(want, sizeof(want), "[web] %s", line_of(i));
	assert_string_equal(next(), want);
}

/* The line in got is the note of a gap; returns its count. */
static unsigned expect_note_in_got(void)
{
	unsigned n;
	char tail[96];

	assert_int_equal(sscanf(got, "[web] %u lines dropped (more than 7168 bytes waiting for the "
				"serial port%95[)]", &n, tail), 2);
	return n;
}

/* The next line is the note of a gap; returns its count. */
static unsigned expect_note(void)
{
	assert_non_null(next());
	return expect_note_in_got();
}

/* Lines `from` up to `to` (not included), each within the budget the moment it goes in. */
static void flood(unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i++) {
		childout_line(&out, line_of(i));
		assert_true(childout_unsent(&out) <= CHILDOUT_BUDGET + LOGRING_HDR + CHILDOUT_LINE_MAX);
	}
}

/* A flood with nothing sent: the oldest lines go, the note first, then the newest to the last. */
static void test_flood_drops_oldest_last_arrives(void **state)
{
	unsigned dropped, i;

	(void)state;
	flood(0, 1000);
	dropped = expect_note();
	assert_true(dropped > 0 && dropped < 1000);
	for (i = dropped; i < 1000; i++)
		expect_line(i);
	assert_null(next());
	assert_int_equal(out.dropped_total, dropped);
	assert_int_equal(childout_unsent(&out), 0);
}

/* The gap is where the lines are missing: after those sent, before the first kept. */
static void test_gap_is_said_where_it_is(void **state)
{
	unsigned dropped, i;

	(void)state;
	flood(0, 3);
	expect_line(0);
	expect_line(1);
	flood(3, 500);
	dropped = expect_note();
	for (i = 2 + dropped; i < 500; i++)
		expect_line(i);
	assert_null(next());
}

/*
 * A flood the sender reads as it goes: it skips down to the resume mark,
 * so a note comes after many lines, not after each; every line is sent or
 * counted, and the last arrives.
 */
static void test_steady_flood_notes_seldom(void **state)
{
	unsigned put = 0, sent = 0, said = 0, notes = 0, since = 0, i, n;
	long last = -1;

	(void)state;
	for (i = 0; i < 3000; i++) {
		flood(put, put + 2);
		put += 2;
		assert_non_null(next());
		if (strstr(got, " lines dropped")) {
			n = expect_note_in_got();
			assert_true(notes == 0 || since >= 40);
			notes++;
			said += n;
			since = 0;
			continue;
		}
		assert_int_equal(sscanf(got, "[web] %u", &n), 1);
		assert_true((long)n > last);
		last = n;
		sent++;
		since++;
	}
	while (next()) {
		if (strstr(got, " lines dropped")) {
			said += expect_note_in_got();
			continue;
		}
		assert_int_equal(sscanf(got, "[web] %u", &n), 1);
		last = n;
		sent++;
	}
	assert_true(notes > 10);
	assert_int_equal(sent + said, put);
	assert_int_equal(last, put - 1);
}

/* The root's lines inside a gap are carried out of it, in order, each after its note. */
static void test_root_lines_kept_through_a_gap(void **state)
{
	unsigned dropped, i;

	(void)state;
	flood(0, 50);
	childout_root_line(&out, "root: 'web': crashed");
	childout_root_line(&out, "root: 'web': restarting (on_crash=restart)");
	flood(50, 400);
	assert_int_equal(expect_note(), 50);
	assert_string_equal(next(), "root: 'web': crashed");
	assert_string_equal(next(), "root: 'web': restarting (on_crash=restart)");
	dropped = expect_note();
	for (i = 50 + dropped; i < 400; i++)
		expect_line(i);
	assert_null(next());
	assert_int_equal(out.dropped_total, 50 + dropped);
}

/* The root's lines after a flood: beyond the budget, after the child's last line. */
static void test_root_lines_beyond_budget(void **state)
{
	unsigned dropped, i;

	(void)state;
	flood(0, 300);
	childout_root_line(&out, "root: 'web': stopped itself, exit code 0");
	dropped = expect_note();
	for (i = dropped; i < 300; i++)
		expect_line(i);
	assert_string_equal(next(), "root: 'web': stopped itself, exit code 0");
	assert_null(next());
}

/* A slot's next owner: the earlier owner's gap is said in the earlier owner's name. */
static void test_next_owner_after_a_flood(void **state)
{
	unsigned dropped, i;
	char tail[96];

	(void)state;
	flood(0, 300);
	childout_claim(&out, "new");
	childout_line(&out, "hi");
	assert_non_null(next());
	assert_int_equal(sscanf(got, "[web] %u lines dropped (more than 7168 bytes waiting for the "
				"serial port%95[)]", &dropped, tail), 2);
	for (i = dropped; i < 300; i++)
		expect_line(i);
	assert_string_equal(next(), "[new] hi");
	assert_null(next());
}

/* A later reader replays what was sent, up to the gap: no skipped line, no carried one twice. */
static void test_replay_stops_at_the_gap(void **state)
{
	struct logring_cursor c;
	size_t len;
	unsigned n = 0, i = 20;

	(void)state;
	flood(0, 2);
	expect_line(0);
	expect_line(1);
	flood(2, 20);
	childout_root_line(&out, "root: 'web': crashed");
	while (!out.gap)		/* the first gap: lines 0 and 1 are still held */
		flood(i, i + 1), i++;
	childout_replay_from(&out, &c);
	while (childout_replay_next(&out, &c, got, sizeof(got) - 1, &len))
		n++;
	assert_int_equal(n, 2);		/* lines 0 and 1; then the sender's: */
	assert_int_equal(expect_note(), 18);
	assert_string_equal(next(), "root: 'web': crashed");
}

/* A reader replaying while the flood overwrites what it had still to read: nothing past the gap. */
static void test_replay_overtaken_by_a_flood(void **state)
{
	struct logring_cursor c;
	size_t len;

	(void)state;
	flood(0, 2);
	expect_line(0);
	expect_line(1);
	childout_replay_from(&out, &c);
	flood(2, 400);			/* a gap from line 2; lines 0 to ~80 overwritten */
	assert_true(out.gap && out.serial.seq == 2);
	assert_false(childout_replay_next(&out, &c, got, sizeof(got) - 1, &len));
	assert_non_null(strstr(next(), " lines dropped"));
}

static void test_overwritten_unsent_lines_are_noted(void **state)
{
	unsigned i;

	(void)state;
	childout_line(&out, "first");
	for (i = 0; i < 2 * CHILDOUT_RING / 64; i++)	/* far more than the ring holds */
		childout_root_line(&out, "root: a line of the root's that pushes out older ones ....");
	assert_non_null(next());
	assert_non_null(strstr(got, "[web] "));
	assert_non_null(strstr(got, " lines dropped (overwritten before the serial port took them)"));
	assert_string_equal(next(), "root: a line of the root's that pushes out older ones ....");
}

static void test_next_owner_keeps_the_unsent_lines(void **state)
{
	struct logring_cursor c;
	struct logring_loss lost = { 0, 0, 0 };
	size_t len;

	(void)state;
	childout_line(&out, "old words");
	childout_claim(&out, "new");
	childout_line(&out, "new words");
	assert_string_equal(next(), "[web] old words");
	assert_string_equal(next(), "[new] new words");
	/* a later reader replays the owner's lines only */
	childout_replay_from(&out, &c);
	assert_true(logring_get(&out.ring, &c, got, sizeof(got) - 1, &len, &lost));
	got[len] = '\0';
	assert_string_equal(got, "[new] new words");
	assert_false(logring_get(&out.ring, &c, got, sizeof(got) - 1, &len, &lost));
}

static void test_sent_lines_stay_for_replay(void **state)
{
	struct logring_cursor c;
	struct logring_loss lost = { 0, 0, 0 };
	size_t len;
	unsigned i, n = 0;

	(void)state;
	for (i = 0; i < 200; i++) {
		childout_line(&out, line_of(i));
		assert_non_null(next());	/* sent at once: the budget never fills */
	}
	childout_replay_from(&out, &c);
	while (logring_get(&out.ring, &c, got, sizeof(got) - 1, &len, &lost))
		n++;
	assert_int_equal(lost.lines, 0);
	assert_true(n > 0 && n < 200);		/* the newest that fit the ring */
	got[len] = '\0';
	assert_non_null(strstr(got, line_of(199)));
}

static void test_long_name_and_line_are_cut(void **state)
{
	char text[300];

	(void)state;
	childout_claim(&out, "a-name-of-thirty-one-characters");
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	childout_line(&out, text);
	assert_int_equal(childout_next(&out, got, sizeof(got)), CHILDOUT_LINE_MAX - 1);
	assert_int_equal(strncmp(got, "[a-name-of-thirty-one-characters] xxx", 37), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_in_order, setup),
		cmocka_unit_test_setup(test_flood_drops_oldest_last_arrives, setup),
		cmocka_unit_test_setup(test_gap_is_said_where_it_is, setup),
		cmocka_unit_test_setup(test_steady_flood_notes_seldom, setup),
		cmocka_unit_test_setup(test_root_lines_kept_through_a_gap, setup),
		cmocka_unit_test_setup(test_root_lines_beyond_budget, setup),
		cmocka_unit_test_setup(test_next_owner_after_a_flood, setup),
		cmocka_unit_test_setup(test_replay_stops_at_the_gap, setup),
		cmocka_unit_test_setup(test_replay_overtaken_by_a_flood, setup),
		cmocka_unit_test_setup(test_overwritten_unsent_lines_are_noted, setup),
		cmocka_unit_test_setup(test_next_owner_keeps_the_unsent_lines, setup),
		cmocka_unit_test_setup(test_sent_lines_stay_for_replay, setup),
		cmocka_unit_test_setup(test_long_name_and_line_are_cut, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
