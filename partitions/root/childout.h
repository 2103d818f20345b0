/*
 * A child's output as the root keeps it (docs/root.md, "A child's output"):
 * its lines, "[NAME] text" as they will be printed, in a ring of their own
 * (core/logring.h), read by the root's serial sender (console.c) through
 * its own cursor. Pure logic, host-tested (tests/unit/test_childout.c).
 *
 * The guarantees Hyper-V's and Xen's console daemons give a guest's
 * console, and the hypervisor gave its partition= children's debug port
 * (the log share, core/log.h):
 *  - a child's port write never waits on the serial port: the line is put
 *    here and the intercept completed; the sender drains it later;
 *  - a new line always goes in, and at most CHILDOUT_BUDGET bytes of lines
 *    wait for the serial port: beyond that the sender's OLDEST unsent lines
 *    are skipped (a gap) until the backlog, the new line with it, is down
 *    to CHILDOUT_RESUME (so that a flood makes a note every half budget,
 *    not after every line), and counted; when the sender reaches the gap
 *    it says "[NAME] N lines dropped (...)" before the first line after it,
 *    so the reader sees where the gap is and the flood's last line arrives;
 *  - the root's own lines about the child (its end, its teardown) go in
 *    after its output, beyond the budget, and a gap never drops them: the
 *    ring marks them (one bit per record), and a skip that passes one
 *    carries it out of the ring into a short queue, with a note of the
 *    lines dropped before it, which the sender sends at the gap in order.
 *    More than CHILDOUT_CARRY such lines in one gap (many ends of the
 *    slot's children while the sender is held up) stop the skip at a root
 *    line: then the backlog grows beyond the budget until the ring
 *    overwrites its oldest lines, which the sender says as before.
 *
 * Lines already sent stay in the ring until newer ones need the room: a
 * later reader (the root console's `part console P`) takes a cursor at
 * childout_replay_from() and reads what is held up to o->serial with
 * childout_replay_next() (o->serial stays at a gap's start until the
 * sender has said the gap: skipped lines are not replayed, carried ones
 * are not shown twice), then what comes, from childout_next().
 */
#ifndef PARTITIONS_ROOT_CHILDOUT_H
#define PARTITIONS_ROOT_CHILDOUT_H

#include "core/logring.h"
#include "core/types.h"

#define CHILDOUT_RING		8192	/* a power of two: sent and unsent lines */
#define CHILDOUT_BUDGET		7168	/* lines unsent, at most (as LOG_SHARE_BYTES) */
#define CHILDOUT_RESUME		(CHILDOUT_BUDGET / 2)
#define CHILDOUT_NAME_MAX	32	/* with the NUL, as SCRIPT_NAME_MAX */
#define CHILDOUT_LINE_MAX	192	/* a line handed to the sender, with the name */
#define CHILDOUT_CARRY		8	/* root lines and notes carried out of one gap */
/* each record takes at least LOGRING_HDR bytes: no two held records share a mark */
#define CHILDOUT_MARKS		(CHILDOUT_RING / LOGRING_HDR)

_Static_assert((CHILDOUT_RING & (CHILDOUT_RING - 1)) == 0, "the ring is a power of two");
_Static_assert(CHILDOUT_RING >= 2 * (LOGRING_HDR + LOGRING_LINE_MAX), "logring's minimum size");
_Static_assert(CHILDOUT_RESUME >= LOGRING_HDR + CHILDOUT_LINE_MAX, "a skip makes room for a line");

struct childout {
	struct logring ring;
	uint8_t buf[CHILDOUT_RING];
	uint8_t root_mark[CHILDOUT_MARKS / 8];	/* record seq % CHILDOUT_MARKS is a root line */
	struct logring_cursor serial;	/* the serial sender's next line (a gap's start) */
	struct logring_cursor resume;	/* with a gap: the first line after it */
	struct logring_cursor owner;	/* the owner's first line */
	char name[CHILDOUT_NAME_MAX];
	bool gap;			/* lines from serial to resume are skipped */
	uint32_t dropped;		/* lines skipped after the last carried line */
	unsigned carried, carry_sent;	/* lines in carry[], of which sent */
	char carry[CHILDOUT_CARRY][CHILDOUT_LINE_MAX];	/* said at the gap, in order */
	uint64_t dropped_total;		/* every line skipped since the owner claimed it */
};

/*
 * A new owner (a child created in this slot): its lines from here on. What
 * an earlier owner left unsent is kept and still sent (first use: the
 * ring is set up empty); a count of its lines skipped is said in its name.
 */
void childout_claim(struct childout *o, const char *name);
/* One line of the child's: "[NAME] text"; it always goes in, the oldest unsent make room. */
void childout_line(struct childout *o, const char *text);
/* A line of the root's about the child, after its output, whole, beyond the budget. */
void childout_root_line(struct childout *o, const char *line);
/* Bytes of lines (and carried lines) the serial sender has not taken. */
size_t childout_unsent(const struct childout *o);
/*
 * The serial sender's next line into out (at most size - 1 bytes and a
 * NUL); its length, 0 when nothing waits. At a gap: its carried lines and
 * notes, then the note of the lines dropped last, then the line after it.
 * Lines overwritten before the sender took them (only the root's own lines
 * can push them out) come back as a note first.
 */
size_t childout_next(struct childout *o, char *out, size_t size);
/* A cursor for a later reader: the owner's oldest line still held. */
void childout_replay_from(const struct childout *o, struct logring_cursor *c);
/*
 * The later reader's next line (at most size bytes, no NUL; *len its whole
 * length), only from those the sender has passed: false once c reaches the
 * sender's cursor (a gap's start), also when the ring overwrote lines
 * meanwhile and what is left lies beyond it (those the sender sends).
 */
bool childout_replay_next(const struct childout *o, struct logring_cursor *c, char *out,
			  size_t size, size_t *len);

#endif
