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
 *  - at most CHILDOUT_BUDGET bytes of a child's own lines wait for the
 *    serial port: beyond that its newest lines are dropped and counted,
 *    until the sender has brought the backlog down to CHILDOUT_RESUME
 *    (so that a flood does not turn into a note after every line); then a
 *    note "[NAME] N lines dropped (...)" goes in before its next line;
 *  - the root's own lines about the child (its end, its teardown) go in
 *    after its output, beyond the budget, never dropped by it.
 *
 * Lines already sent stay in the ring until newer ones need the room: a
 * later reader (the root console's `part console P`) takes a cursor at
 * childout_replay_from() and reads what is held, then what comes.
 */
#ifndef PARTITIONS_ROOT_CHILDOUT_H
#define PARTITIONS_ROOT_CHILDOUT_H

#include "core/logring.h"
#include "core/types.h"

#define CHILDOUT_RING		8192	/* a power of two: sent and unsent lines */
#define CHILDOUT_BUDGET		7168	/* a child's own lines unsent, at most (as LOG_SHARE_BYTES) */
#define CHILDOUT_RESUME		(CHILDOUT_BUDGET / 2)
#define CHILDOUT_NAME_MAX	32	/* with the NUL, as SCRIPT_NAME_MAX */
#define CHILDOUT_LINE_MAX	192	/* a line handed to the sender, with the name */

_Static_assert((CHILDOUT_RING & (CHILDOUT_RING - 1)) == 0, "the ring is a power of two");
_Static_assert(CHILDOUT_RING >= 2 * (LOGRING_HDR + LOGRING_LINE_MAX), "logring's minimum size");
_Static_assert(CHILDOUT_RING - CHILDOUT_RESUME >= 4 * (LOGRING_HDR + CHILDOUT_LINE_MAX),
	       "a note and the root's lines fit beside a backlog at the resume mark");

struct childout {
	struct logring ring;
	uint8_t buf[CHILDOUT_RING];
	struct logring_cursor serial;	/* the serial sender's next line */
	struct logring_cursor owner;	/* the owner's first line */
	char name[CHILDOUT_NAME_MAX];
	uint32_t dropped;		/* lines refused and not yet said */
	bool dropping;			/* refusing until the backlog is down to CHILDOUT_RESUME */
	uint64_t dropped_total;		/* every line refused since the owner claimed it */
};

/*
 * A new owner (a child created in this slot): its lines from here on. What
 * an earlier owner left unsent is kept and still sent (first use: the
 * ring is set up empty).
 */
void childout_claim(struct childout *o, const char *name);
/* One line of the child's: "[NAME] text", within its budget; false when dropped. */
bool childout_line(struct childout *o, const char *text);
/* A line of the root's about the child, after its output, whole, beyond the budget. */
void childout_root_line(struct childout *o, const char *line);
/* At the child's end: a note of lines dropped and not yet said, so that none goes unsaid. */
void childout_settle(struct childout *o);
/* Bytes of lines the serial sender has not taken. */
size_t childout_unsent(const struct childout *o);
/*
 * The serial sender's next line into out (at most size - 1 bytes and a
 * NUL); its length, 0 when nothing waits. Lines overwritten before the
 * sender took them (only the root's own lines can push them out) come back
 * as a note first.
 */
size_t childout_next(struct childout *o, char *out, size_t size);
/* A cursor for a later reader: the owner's oldest line still held. */
void childout_replay_from(const struct childout *o, struct logring_cursor *c);

#endif
