/* The log's ring of lines (see logring.h). Pure: also built into the host unit tests. */
#include "core/logring.h"
#include "core/lib.h"

static void copy_in(struct logring *r, uint64_t pos, const void *src, size_t n)
{
	uint32_t at = (uint32_t)(pos & (r->size - 1));
	size_t first = MIN(n, (size_t)(r->size - at));

	memcpy(r->buf + at, src, first);
	memcpy(r->buf, (const uint8_t *)src + first, n - first);
}

static void copy_out(const struct logring *r, uint64_t pos, void *dst, size_t n)
{
	uint32_t at = (uint32_t)(pos & (r->size - 1));
	size_t first = MIN(n, (size_t)(r->size - at));

	memcpy(dst, r->buf + at, first);
	memcpy((uint8_t *)dst + first, r->buf, n - first);
}

static size_t text_len_at(const struct logring *r, uint64_t pos)
{
	uint8_t h[LOGRING_HDR];

	copy_out(r, pos, h, sizeof(h));
	return (size_t)h[0] | (size_t)h[1] << 8;
}

void logring_init(struct logring *r, void *buf, uint32_t size)
{
	*r = (struct logring){ .buf = buf, .size = size };
}

/*
 * The ring's own fields agree: the oldest record is at or before the head,
 * and what lies between fits in the buffer. A writer that was stopped in the
 * middle of logring_put (a panic stops CPUs with an NMI) can leave them
 * otherwise; readers then read nothing and the next writer starts afresh.
 */
static bool ring_sane(const struct logring *r)
{
	return r->tail <= r->head && r->head - r->tail <= r->size && r->tail_seq <= r->head_seq;
}

/* The record at pos (<= head) is whole: a length no writer puts, or one past the head, is damage. */
static bool record_at(const struct logring *r, uint64_t pos, size_t *n)
{
	*n = text_len_at(r, pos);
	return *n <= LOGRING_LINE_MAX && r->head - pos >= LOGRING_HDR + *n;
}

/* Forget every record: what is held cannot be walked any more (tail_text falls behind). */
static void drop_all(struct logring *r)
{
	r->tail = r->head;
	r->tail_seq = r->head_seq;
}

/* Drop the oldest line (the ring is sane and not empty). */
static void drop_oldest(struct logring *r)
{
	size_t n;

	if (r->tail_seq == r->head_seq || !record_at(r, r->tail, &n)) {
		drop_all(r);
		return;
	}
	r->tail += LOGRING_HDR + n;
	r->tail_seq++;
	r->tail_text += n;
}

void logring_put(struct logring *r, const char *text, size_t len)
{
	uint8_t h[LOGRING_HDR];

	len = MIN(len, (size_t)LOGRING_LINE_MAX);
	if (!ring_sane(r))
		drop_all(r);
	/* each turn moves the tail towards the head, or onto it */
	while (r->head + LOGRING_HDR + len - r->tail > r->size)
		drop_oldest(r);
	h[0] = (uint8_t)len;
	h[1] = (uint8_t)(len >> 8);
	copy_in(r, r->head, h, sizeof(h));
	copy_in(r, r->head + LOGRING_HDR, text, len);
	r->head += LOGRING_HDR + len;
	r->head_seq++;
}

void logring_cursor_oldest(const struct logring *r, struct logring_cursor *c)
{
	*c = (struct logring_cursor){ r->tail, r->tail_seq, r->tail_text };
}

void logring_cursor_newest(const struct logring *r, struct logring_cursor *c)
{
	uint64_t text = r->tail_text;

	/* the text before the head: walk the lines held (this is done once per reader) */
	for (uint64_t pos = r->tail; ring_sane(r) && pos != r->head;) {
		size_t n;

		if (!record_at(r, pos, &n))
			break;		/* damaged: the count falls short */
		text += n;
		pos += LOGRING_HDR + n;	/* towards the head, never past it */
	}
	*c = (struct logring_cursor){ r->head, r->head_seq, text };
}

bool logring_has_more(const struct logring *r, const struct logring_cursor *c)
{
	return c->pos != r->head;
}

/* a - b, or 0 where a damaged count would make it negative */
static uint64_t count_since(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/*
 * The cursor, or the record under it, cannot be right (it is past the head,
 * or the record's length is torn): the records up to the head cannot be
 * found, so the reader skips them and counts them lost.
 */
static void skip_damage(const struct logring *r, struct logring_cursor *c,
			struct logring_loss *lost)
{
	lost->lines += count_since(r->head_seq, c->seq);
	lost->damaged++;
	*c = (struct logring_cursor){ r->head, r->head_seq, c->text };
}

bool logring_get(const struct logring *r, struct logring_cursor *c, char *out, size_t out_size,
		 size_t *len, struct logring_loss *lost)
{
	size_t n;

	/* Invariant: positions only grow, and tail <= every live cursor's record <= head */
	if (!ring_sane(r))
		return false;		/* the next logring_put repairs it */
	if (c->pos > r->head || c->seq > r->head_seq) {
		skip_damage(r, c, lost);
		return false;
	}
	if (c->pos < r->tail) {
		lost->lines += count_since(r->tail_seq, c->seq);
		lost->bytes += count_since(r->tail_text, c->text);
		logring_cursor_oldest(r, c);
	}
	if (c->pos == r->head)
		return false;
	if (!record_at(r, c->pos, &n)) {
		skip_damage(r, c, lost);
		return false;
	}
	copy_out(r, c->pos + LOGRING_HDR, out, MIN(n, out_size));
	*len = n;
	c->pos += LOGRING_HDR + n;
	c->seq++;
	c->text += n;
	return true;
}

/* A cursor's position in the stream of lines as logring_copy_since writes them. */
static uint64_t stream_pos(const struct logring_cursor *c)
{
	return c->text + c->seq;
}

/* Move c past the whole record of n text bytes under it. */
static void step(struct logring_cursor *c, size_t n)
{
	c->pos += LOGRING_HDR + n;
	c->seq++;
	c->text += n;
}

bool logring_copy_since(const struct logring *r, uint64_t *from, char *dst, size_t size,
			size_t *copied, uint64_t *lost)
{
	struct logring_cursor c;
	uint64_t skipped = 0;
	size_t n, done = 0;

	if (!ring_sane(r)) {		/* nothing can be walked until the next put repairs it */
		*copied = 0;
		*lost = 0;
		return true;
	}
	logring_cursor_oldest(r, &c);
	if (*from < stream_pos(&c))
		skipped = stream_pos(&c) - *from;
	/* find the caller's line: walk towards the head, never past it */
	while (stream_pos(&c) < *from && c.pos != r->head && record_at(r, c.pos, &n))
		step(&c, n);
	if (!skipped && stream_pos(&c) != *from)
		return false;		/* inside a line, past the newest, or beyond damage */
	while (c.pos != r->head && record_at(r, c.pos, &n) && n + 1 <= size - done) {
		copy_out(r, c.pos + LOGRING_HDR, dst + done, n);
		dst[done + n] = '\n';
		done += n + 1;
		step(&c, n);
	}
	*from = stream_pos(&c);
	*copied = done;
	*lost = skipped;
	return true;
}
