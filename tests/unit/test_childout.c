/*
 * Host unit tests for a child's output in the root (partitions/root/childout.h):
 * lines in order, the budget of unsent bytes with the newest lines dropped
 * and a note once the backlog is down to the resume mark, the root's lines
 * beyond the budget, a note at the child's end, a slot's next owner, and the
 * lines kept after sending for a later reader (replay).
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
	assert_true(childout_line(&out, "hi"));
	assert_true(childout_line(&out, "there"));
	assert_int_equal(childout_unsent(&out),
			 2 * LOGRING_HDR + strlen("[web] hi") + strlen("[web] there"));
	assert_string_equal(next(), "[web] hi");
	assert_string_equal(next(), "[web] there");
	assert_null(next());
	assert_int_equal(childout_unsent(&out), 0);
}

/* Lines until one is refused; returns how many were taken. */
static unsigned fill(unsigned from)
{
	unsigned i = from;

	while (childout_line(&out, line_of(i)))
		i++;
	return i - from;
}

static void test_budget_drops_newest_then_notes(void **state)
{
	unsigned taken, i, sent = 0, dropped;
	char note[128];

	(void)state;
	taken = fill(0);
	assert_true(taken > 0);
	assert_true(childout_unsent(&out) <= CHILDOUT_BUDGET);
	assert_true(childout_unsent(&out) + LOGRING_HDR + strlen("[web] ") + strlen(line_of(0)) >
		    CHILDOUT_BUDGET);
	/* refused lines stay refused while the backlog is above the resume mark */
	dropped = 1;
	while (childout_unsent(&out) > CHILDOUT_RESUME) {
		assert_false(childout_line(&out, line_of(taken + dropped)));
		dropped++;
		snprintf(note, sizeof(note), "[web] %s", line_of(sent));
		assert_string_equal(next(), note);
		sent++;
	}
	assert_int_equal(out.dropped, dropped);
	/* at the mark: the note, then the line */
	assert_true(childout_line(&out, "back"));
	for (i = sent; i < taken; i++) {
		snprintf(note, sizeof(note), "[web] %s", line_of(i));
		assert_string_equal(next(), note);
	}
	snprintf(note, sizeof(note),
		 "[web] %u lines dropped (more than %u bytes waiting for the serial port)", dropped,
		 CHILDOUT_BUDGET);
	assert_string_equal(next(), note);
	assert_string_equal(next(), "[web] back");
	assert_null(next());
	assert_int_equal(out.dropped_total, dropped);
}

static void test_root_lines_beyond_budget_and_settle(void **state)
{
	unsigned taken, i;
	char want[128];

	(void)state;
	taken = fill(0);
	assert_false(childout_line(&out, "lost too"));
	childout_settle(&out);
	childout_root_line(&out, "root: 'web': stopped itself, exit code 0");
	for (i = 0; i < taken; i++) {
		snprintf(want, sizeof(want), "[web] %s", line_of(i));
		assert_string_equal(next(), want);
	}
	assert_string_equal(next(),
			    "[web] 2 lines dropped (more than 7168 bytes waiting for the serial port)");
	assert_string_equal(next(), "root: 'web': stopped itself, exit code 0");
	assert_null(next());
}

static void test_settle_without_drops_says_nothing(void **state)
{
	(void)state;
	assert_true(childout_line(&out, "bye"));
	childout_settle(&out);
	assert_string_equal(next(), "[web] bye");
	assert_null(next());
}

static void test_overwritten_unsent_lines_are_noted(void **state)
{
	unsigned i;

	(void)state;
	assert_true(childout_line(&out, "first"));
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
	assert_true(childout_line(&out, "old words"));
	childout_claim(&out, "new");
	assert_true(childout_line(&out, "new words"));
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
		assert_true(childout_line(&out, line_of(i)));
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
	assert_true(childout_line(&out, text));
	assert_int_equal(childout_next(&out, got, sizeof(got)), CHILDOUT_LINE_MAX - 1);
	assert_int_equal(strncmp(got, "[a-name-of-thirty-one-characters] xxx", 37), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_in_order, setup),
		cmocka_unit_test_setup(test_budget_drops_newest_then_notes, setup),
		cmocka_unit_test_setup(test_root_lines_beyond_budget_and_settle, setup),
		cmocka_unit_test_setup(test_settle_without_drops_says_nothing, setup),
		cmocka_unit_test_setup(test_overwritten_unsent_lines_are_noted, setup),
		cmocka_unit_test_setup(test_next_owner_keeps_the_unsent_lines, setup),
		cmocka_unit_test_setup(test_sent_lines_stay_for_replay, setup),
		cmocka_unit_test_setup(test_long_name_and_line_are_cut, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
