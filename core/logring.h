/*
 * The log's ring: lines (records) in a power-of-two byte buffer, oldest
 * first. A new line that does not fit overwrites the oldest whole lines.
 * Any number of readers follow it, each with its own cursor, and a reader
 * that falls behind learns how many lines and bytes it missed. Pure logic
 * with no locking: core/log.c serialises writers and readers (host unit
 * tests: tests/unit/test_logring.c).
 *
 * Positions are free-running byte counts, masked by size - 1 to index the
 * buffer. Each record is a 2-byte little-endian text length, then the text;
 * a record may wrap around the end of the buffer. Records are numbered in
 * order from 0 (their sequence number).
 *
 * Nothing here trusts the buffer or a cursor: a writer stopped half-way (a
 * panic stops CPUs wherever they are) can leave a torn length or a cursor
 * past the head. Readers then skip to the head and count the skipped lines
 * lost, the next writer drops what it cannot walk, and every loop ends.
 */
#ifndef CORE_LOGRING_H
#define CORE_LOGRING_H

#include "core/types.h"

#define LOGRING_HDR		2
#define LOGRING_LINE_MAX	1024	/* longer lines are cut to this */

struct logring {
	uint8_t *buf;
	uint32_t size;		/* a power of two, at least 2 * (LOGRING_HDR + LOGRING_LINE_MAX) */
	uint64_t head;		/* where the next record goes */
	uint64_t tail;		/* the oldest record still held */
	uint64_t tail_seq;	/* its sequence number */
	uint64_t tail_text;	/* text bytes of all records before it */
	uint64_t head_seq;	/* the next record's sequence number */
};

/* A reader's place: the next record it will read. */
struct logring_cursor {
	uint64_t pos;
	uint64_t seq;
	uint64_t text;		/* text bytes of all records before it */
};

/* What a reader missed because the ring overwrote it first. */
struct logring_loss {
	uint64_t lines;
	uint64_t bytes;		/* text bytes (not counted for lines skipped over damage) */
	uint64_t damaged;	/* times the reader found damage and skipped to the head */
};

void logring_init(struct logring *r, void *buf, uint32_t size);
/* Append one line (cut to LOGRING_LINE_MAX), dropping the oldest lines to make room. */
void logring_put(struct logring *r, const char *text, size_t len);
/* A cursor at the oldest line held, or after the newest (only lines still to come). */
void logring_cursor_oldest(const struct logring *r, struct logring_cursor *c);
void logring_cursor_newest(const struct logring *r, struct logring_cursor *c);
/* Whether the reader at `c` has a line to read (or lines it missed). */
bool logring_has_more(const struct logring *r, const struct logring_cursor *c);
/*
 * Copy the next line for `c` into out (at most out_size bytes, no NUL) and
 * move c past it; *len is its whole length (more than out_size: the copy is
 * its start). Lines overwritten before c reached them are skipped and added
 * to *lost. False when there is no line, and when the ring or the cursor
 * is damaged: then the cursor is put at the head and lost->damaged counts it.
 */
bool logring_get(const struct logring *r, struct logring_cursor *c, char *out, size_t out_size,
		 size_t *len, struct logring_loss *lost);

/*
 * A non-consuming copy for a reader that keeps its own place as a number
 * (HVCALL_X_LOG_HISTORY): the log as a stream of lines, each its text then
 * '\n', where a line's position is the bytes of all lines before it
 * (text + seq of a cursor at it). Copies whole lines from the one at *from
 * (or the oldest held, if *from is older) while they fit in size bytes,
 * then sets *from after the last one copied, *copied to the bytes copied
 * and *lost to the bytes between the old *from and the oldest line held.
 * False, with nothing written, when *from is not a line's start or lies
 * past the newest line. A damaged record ends the copy.
 */
bool logring_copy_since(const struct logring *r, uint64_t *from, char *dst, size_t size,
			size_t *copied, uint64_t *lost);

#endif
