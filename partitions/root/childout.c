/* A child's output in the root (see childout.h). Pure: also built into the host unit tests. */
#include "partitions/root/childout.h"
#include "core/lib.h"

/* The note for lines skipped at a gap; the tests and docs/root.md quote its words. */
static size_t note_dropped(const struct childout *o, uint32_t n, char *out, size_t size)
{
	int len = fmt_snprintf(out, size,
			       "[%s] %u lines dropped (more than %u bytes waiting for the serial port)",
			       o->name, n, CHILDOUT_BUDGET);

	return (size_t)MIN(len, (int)size - 1);
}

/* Say the lines skipped so far in the gap in a carried note (the caller checked for room). */
static void carry_note(struct childout *o)
{
	if (!o->dropped)
		return;
	note_dropped(o, o->dropped, o->carry[o->carried++], CHILDOUT_LINE_MAX);
	o->dropped = 0;
}

void childout_claim(struct childout *o, const char *name)
{
	if (o->ring.buf != o->buf) {		/* first use of the slot */
		memset(o, 0, sizeof(*o));
		logring_init(&o->ring, o->buf, CHILDOUT_RING);
	}
	if (o->gap && o->carried < CHILDOUT_CARRY)
		carry_note(o);			/* the earlier owner's lines, in its name */
	fmt_snprintf(o->name, sizeof(o->name), "%s", name);
	logring_cursor_newest(&o->ring, &o->owner);
	o->dropped_total = 0;
}

static bool is_root_line(const struct childout *o, uint64_t seq)
{
	uint32_t i = (uint32_t)(seq % CHILDOUT_MARKS);

	return o->root_mark[i / 8] >> (i % 8) & 1;
}

static void put(struct childout *o, const char *line, bool root)
{
	uint32_t i = (uint32_t)(o->ring.head_seq % CHILDOUT_MARKS);

	o->root_mark[i / 8] = (uint8_t)((o->root_mark[i / 8] & ~(1u << (i % 8))) |
					(unsigned)root << (i % 8));
	logring_put(&o->ring, line, strlen(line));
}

/* Bytes of the ring's lines the sender will still send: from the gap's end, or its cursor. */
static size_t ring_unsent(const struct childout *o)
{
	const struct logring_cursor *from = o->gap ? &o->resume : &o->serial;

	return (size_t)(o->ring.head - MAX(from->pos, o->ring.tail));
}

size_t childout_unsent(const struct childout *o)
{
	char note[CHILDOUT_LINE_MAX];
	size_t n = ring_unsent(o);

	for (unsigned i = o->carry_sent; i < o->carried; i++)
		n += LOGRING_HDR + strlen(o->carry[i]);
	if (o->gap && o->dropped)
		n += LOGRING_HDR + note_dropped(o, o->dropped, note, sizeof(note));
	return n;
}

/*
 * Make room for `need` more bytes: skip the oldest unsent lines, from the
 * gap's end on, until the backlog with them is down to the resume mark.
 * Skipped lines of the child's are counted; a root line is carried out
 * (after a note of the lines skipped before it), or, with no room left to
 * carry it, ends the skip there.
 */
static void skip_oldest(struct childout *o, size_t need)
{
	char line[CHILDOUT_LINE_MAX];

	if (!o->gap)
		o->resume = o->serial;
	o->gap = true;
	if (o->resume.pos < o->ring.tail) {	/* overwritten before the sender got there */
		o->dropped += (uint32_t)(o->ring.tail_seq - o->resume.seq);
		o->dropped_total += o->ring.tail_seq - o->resume.seq;
		logring_cursor_oldest(&o->ring, &o->resume);
	}
	while (ring_unsent(o) + need > CHILDOUT_RESUME) {
		struct logring_cursor c = o->resume;
		struct logring_loss lost = { 0, 0, 0 };
		size_t len;

		if (!logring_get(&o->ring, &c, line, sizeof(line) - 1, &len, &lost))
			break;			/* nothing left before the head */
		if (is_root_line(o, c.seq - 1)) {
			if (o->carried + (o->dropped ? 2 : 1) > CHILDOUT_CARRY)
				break;		/* the root line stays; the backlog grows (childout.h) */
			carry_note(o);
			len = MIN(len, sizeof(line) - 1);
			line[len] = '\0';
			memcpy(o->carry[o->carried++], line, len + 1);
		} else {
			o->dropped++;
			o->dropped_total++;
		}
		o->resume = c;
	}
	o->gap = o->resume.seq != o->serial.seq;
}

void childout_line(struct childout *o, const char *text)
{
	char line[CHILDOUT_LINE_MAX];
	int n = fmt_snprintf(line, sizeof(line), "[%s] %s", o->name, text);
	size_t need = LOGRING_HDR + (size_t)MIN(n, (int)sizeof(line) - 1);

	if (ring_unsent(o) + need > CHILDOUT_BUDGET)
		skip_oldest(o, need);
	put(o, line, false);
}

void childout_root_line(struct childout *o, const char *line)
{
	put(o, line, true);
}

static size_t copy_line(const char *line, char *out, size_t size)
{
	size_t len = MIN(strlen(line), size - 1);

	memcpy(out, line, len);
	out[len] = '\0';
	return len;
}

/* At a gap: its carried lines, then the note of the lines skipped last; 0 once it is said. */
static size_t gap_next(struct childout *o, char *out, size_t size)
{
	size_t len;

	if (o->carry_sent < o->carried)
		return copy_line(o->carry[o->carry_sent++], out, size);
	if (o->dropped) {
		len = note_dropped(o, o->dropped, out, size);
		o->dropped = 0;
		return len;
	}
	o->serial = o->resume;
	o->gap = false;
	o->carried = o->carry_sent = 0;
	return 0;
}

size_t childout_next(struct childout *o, char *out, size_t size)
{
	struct logring_loss lost = { 0, 0, 0 };
	size_t len;

	if (o->ring.buf != o->buf || size < 2)
		return 0;
	if (o->gap) {
		len = gap_next(o, out, size);
		if (len)
			return len;
	}
	if (o->serial.seq < o->ring.tail_seq) {
		uint64_t n = o->ring.tail_seq - o->serial.seq;

		logring_cursor_oldest(&o->ring, &o->serial);
		return (size_t)MIN(fmt_snprintf(out, size, "[%s] %lu lines dropped (overwritten before "
						"the serial port took them)", o->name, n),
				   (int)size - 1);
	}
	if (!logring_get(&o->ring, &o->serial, out, size - 1, &len, &lost))
		return 0;
	len = MIN(len, size - 1);
	out[len] = '\0';
	return len;
}

void childout_replay_from(const struct childout *o, struct logring_cursor *c)
{
	logring_cursor_oldest(&o->ring, c);
	if (c->seq < o->owner.seq)
		*c = o->owner;
}

bool childout_replay_next(const struct childout *o, struct logring_cursor *c, char *out,
			  size_t size, size_t *len)
{
	struct logring_loss lost = { 0, 0, 0 };

	if (c->pos < o->ring.tail)		/* overwritten meanwhile: what is left of it */
		logring_cursor_oldest(&o->ring, c);
	if (c->seq >= o->serial.seq)
		return false;
	return logring_get(&o->ring, c, out, size, len, &lost);
}
