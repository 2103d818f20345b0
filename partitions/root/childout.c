/* A child's output in the root (see childout.h). Pure: also built into the host unit tests. */
#include "partitions/root/childout.h"
#include "core/lib.h"

void childout_claim(struct childout *o, const char *name)
{
	if (o->ring.buf != o->buf) {		/* first use of the slot */
		memset(o, 0, sizeof(*o));
		logring_init(&o->ring, o->buf, CHILDOUT_RING);
	}
	fmt_snprintf(o->name, sizeof(o->name), "%s", name);
	logring_cursor_newest(&o->ring, &o->owner);
	o->dropped = 0;
	o->dropping = false;
	o->dropped_total = 0;
}

size_t childout_unsent(const struct childout *o)
{
	uint64_t from = MAX(o->serial.pos, o->ring.tail);

	return (size_t)(o->ring.head - from);
}

static void put(struct childout *o, const char *line)
{
	logring_put(&o->ring, line, strlen(line));
}

static void note_dropped(struct childout *o)
{
	char note[CHILDOUT_LINE_MAX];

	fmt_snprintf(note, sizeof(note),
		     "[%s] %u lines dropped (more than %u bytes waiting for the serial port)", o->name,
		     o->dropped, CHILDOUT_BUDGET);
	put(o, note);
	o->dropped = 0;
}

/* Refuse a line: count it, and keep refusing until the backlog is down to the resume mark. */
static bool refuse(struct childout *o)
{
	o->dropping = true;
	o->dropped++;
	o->dropped_total++;
	return false;
}

bool childout_line(struct childout *o, const char *text)
{
	char line[CHILDOUT_LINE_MAX];
	int n = fmt_snprintf(line, sizeof(line), "[%s] %s", o->name, text);

	n = MIN(n, (int)sizeof(line) - 1);
	if (o->dropping) {
		if (childout_unsent(o) > CHILDOUT_RESUME)
			return refuse(o);
		note_dropped(o);	/* fits: the resume mark leaves room for it (childout.h) */
		o->dropping = false;
	}
	if (childout_unsent(o) + LOGRING_HDR + (size_t)n > CHILDOUT_BUDGET)
		return refuse(o);
	put(o, line);
	return true;
}

void childout_root_line(struct childout *o, const char *line)
{
	put(o, line);
}

void childout_settle(struct childout *o)
{
	if (o->dropped)
		note_dropped(o);
	o->dropping = false;
}

size_t childout_next(struct childout *o, char *out, size_t size)
{
	struct logring_loss lost = { 0, 0, 0 };
	size_t len;

	if (o->ring.buf != o->buf || size < 2)
		return 0;
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
