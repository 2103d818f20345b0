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

/* Drop the oldest line. */
static void drop_oldest(struct logring *r)
{
	size_t n = text_len_at(r, r->tail);

	r->tail += LOGRING_HDR + n;
	r->tail_seq++;
	r->tail_text += n;
}

void logring_put(struct logring *r, const char *text, size_t len)
{
	uint8_t h[LOGRING_HDR];

	len = MIN(len, (size_t)LOGRING_LINE_MAX);
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
	for (uint64_t pos = r->tail; pos != r->head;) {
		size_t n = text_len_at(r, pos);

		text += n;
		pos += LOGRING_HDR + n;
	}
	*c = (struct logring_cursor){ r->head, r->head_seq, text };
}

bool logring_has_more(const struct logring *r, const struct logring_cursor *c)
{
	return c->pos != r->head;
}

bool logring_get(const struct logring *r, struct logring_cursor *c, char *out, size_t out_size,
		 size_t *len, struct logring_loss *lost)
{
	size_t n;

	/* Invariant: positions only grow, and tail <= every live cursor's record <= head */
	if (c->pos < r->tail) {
		lost->lines += r->tail_seq - c->seq;
		lost->bytes += r->tail_text - c->text;
		logring_cursor_oldest(r, c);
	}
	if (c->pos == r->head)
		return false;
	n = text_len_at(r, c->pos);
	copy_out(r, c->pos + LOGRING_HDR, out, MIN(n, out_size));
	*len = n;
	c->pos += LOGRING_HDR + n;
	c->seq++;
	c->text += n;
	return true;
}
