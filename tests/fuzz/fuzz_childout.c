/*
 * libFuzzer target for partitions/root/childout.c, a child's output in the
 * root: the input is a script of operations on one output: the child's
 * lines (any bytes, any length, ending in a number), the root's lines
 * (numbered), the serial sender's reads into buffers of any size, a new
 * owner, a later reader's replay (`part console`: it only ever shows
 * lines the sender has already sent). Every line read is NUL-terminated within its buffer, and unsent
 * bytes never exceed the ring and its carried lines. While only the child
 * writes, they never exceed its budget (and the notes of a gap). While nothing can have overwritten
 * unsent lines (the root's lines since the sender was last idle leave the
 * budget room in the ring, and no gap has filled its carry) and no read
 * cut a line:
 *  - the child's lines arrive in order, each once, and those that do not
 *    are counted in the "N lines dropped" notes, exactly;
 *  - the child's last line always arrives (a flood drops its oldest);
 *  - every root line arrives, once, in order: a gap never drops one;
 *  - nothing says "overwritten before".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "partitions/root/childout.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

#include "tests/fuzz/fuzz_input.h"

#define NOTE_END	" lines dropped (more than 7168 bytes waiting for the serial port)"
#define TEXT_MAX	140		/* with the name and the number: never cut to CHILDOUT_LINE_MAX */

struct model {
	unsigned child_put, root_put;		/* numbers handed out */
	long child_seen, root_seen;		/* the last read, -1 before any */
	unsigned child_read, dropped_said;
	size_t root_bytes;			/* the root's line bytes since the sender was idle */
	bool unsure;				/* something may have been overwritten or cut */
};

/* Up to TEXT_MAX bytes of the input (no NUL inside), NUL-terminated. */
static void text(struct script *s, char *out)
{
	size_t n = byte(s) % (TEXT_MAX + 1), i;

	for (i = 0; i < n; i++)
		out[i] = (char)(byte(s) | 1);
	out[n] = '\0';
}

/* The number at the end of s after `tag` (" c" or "r"), or -1. */
static long number_after(const char *s, size_t len, const char *tag)
{
	size_t t = strlen(tag);

	if (len < t + 10 || memcmp(s + len - 10 - t, tag, t))
		return -1;
	return strtol(s + len - 10, NULL, 10);
}

static void check_line(struct model *m, const char *out, size_t len)
{
	size_t e = strlen(NOTE_END);
	long n;

	if (strstr(out, "overwritten before")) {
		CHECK(m->unsure);
		return;
	}
	if (len > e && !strcmp(out + len - e, NOTE_END)) {
		const char *p = out + len - e;

		while (p > out && p[-1] >= '0' && p[-1] <= '9')
			p--;
		m->dropped_said += (unsigned)strtoul(p, NULL, 10);
	} else if (out[0] == 'r' && (n = number_after(out, len, "r")) >= 0 && len == 11) {
		CHECK(m->unsure || n == m->root_seen + 1);	/* none lost, none twice */
		m->root_seen = n;
	} else if ((n = number_after(out, len, " c")) >= 0) {
		CHECK(m->unsure || n > m->child_seen);		/* in order, once */
		m->child_seen = n;
		m->child_read++;
	}
}

/* A later reader's line: only one the sender has passed (sent, or in a gap it has said). */
static void replay_one(struct childout *o, struct model *m, struct logring_cursor *c)
{
	static char out[CHILDOUT_LINE_MAX + 1];
	size_t len;
	long n;

	if (!childout_replay_next(o, c, out, CHILDOUT_LINE_MAX, &len))
		return;
	CHECK(len <= LOGRING_LINE_MAX);
	len = len < CHILDOUT_LINE_MAX ? len : CHILDOUT_LINE_MAX;
	out[len] = '\0';
	if (m->unsure)
		return;
	if (out[0] == 'r' && len == 11 && (n = number_after(out, len, "r")) >= 0)
		CHECK(n <= m->root_seen);
	else if ((n = number_after(out, len, " c")) >= 0)
		CHECK(n <= m->child_seen);
}

static void read_one(struct childout *o, struct model *m, size_t size)
{
	static char out[CHILDOUT_LINE_MAX + 1];
	size_t len;

	memset(out, 'x', sizeof(out));
	len = childout_next(o, out, size);
	if (!childout_unsent(o))
		m->root_bytes = 0;
	if (!len)
		return;
	CHECK(len < size && out[len] == '\0' && strlen(out) == len);
	if (len == size - 1)
		m->unsure = true;	/* perhaps cut: its number is not whole */
	check_line(m, out, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct childout o;
	struct script s = { data, size };
	struct model m = { 0, 0, -1, -1, 0, 0, 0, false };
	bool root_used = false;
	char t[256], line[TEXT_MAX + 16];
	struct logring_cursor replay;

	memset(&o, 0, sizeof(o));
	childout_claim(&o, "fuzz");
	childout_replay_from(&o, &replay);
	while (s.left) {
		switch (byte(&s) % 8) {
		case 0:
		case 1:
			text(&s, t);
			snprintf(line, sizeof(line), "%s c%010u", t, m.child_put++);
			childout_line(&o, line);
			break;
		case 2:
			snprintf(line, sizeof(line), "r%010u", m.root_put++);
			childout_root_line(&o, line);
			m.root_bytes += LOGRING_HDR + strlen(line);
			root_used = true;
			break;
		case 3:
		case 4:
			read_one(&o, &m, 1 + byte(&s) % CHILDOUT_LINE_MAX);
			break;
		case 5:
			text(&s, t);
			t[CHILDOUT_NAME_MAX - 1] = '\0';
			childout_claim(&o, t);
			break;
		case 6:
			childout_replay_from(&o, &replay);
			break;
		default:
			replay_one(&o, &m, &replay);
			break;
		}
		if (m.root_bytes + CHILDOUT_BUDGET + 2 * (LOGRING_HDR + CHILDOUT_LINE_MAX) >
		    CHILDOUT_RING || o.carried >= CHILDOUT_CARRY - 1)
			m.unsure = true;
		CHECK(childout_unsent(&o) <=
		      CHILDOUT_RING + (CHILDOUT_CARRY + 1) * (LOGRING_HDR + CHILDOUT_LINE_MAX));
		/* and the notes of a gap not yet said: the last, and earlier owners' (carried) */
		CHECK(root_used || childout_unsent(&o) <= CHILDOUT_BUDGET + (1 + o.carried - o.carry_sent) *
							 (LOGRING_HDR + CHILDOUT_LINE_MAX));
	}
	while (childout_unsent(&o))
		read_one(&o, &m, CHILDOUT_LINE_MAX);
	CHECK(!childout_next(&o, t, sizeof(t)));
	if (m.unsure)
		return 0;
	CHECK(m.child_read + m.dropped_said == m.child_put);
	CHECK(m.child_put == 0 || m.child_seen == (long)m.child_put - 1);	/* the last arrives */
	CHECK(m.root_seen == (long)m.root_put - 1);
	return 0;
}
