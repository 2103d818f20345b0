/*
 * libFuzzer target for core/logring.c, the log's ring: the input is a
 * script of operations on a small ring and two readers: lines put, single
 * reads, reads until nothing is left, new cursors, and damage (a byte of
 * the buffer, a cursor, or the ring's own fields overwritten, as a writer
 * stopped half-way by a panic's NMI can leave them). Every operation must
 * end and stay inside the buffer (AddressSanitizer); a read never returns
 * more than a line holds nor leaves the cursor past the head; reading until
 * nothing is left takes at most one read per record the ring has room for,
 * and then the next line put is the next line read. The history copy
 * (logring_copy_since) from a kept or a made-up position stays inside its
 * buffer, copies whole lines, and never moves the position back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/logring.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define SIZE		4096	/* the smallest ring: two longest lines */

#include "tests/fuzz/fuzz_input.h"

static uint16_t word(struct script *s)
{
	return (uint16_t)(byte(s) | byte(s) << 8);
}

static bool sane(const struct logring *r)
{
	return r->tail <= r->head && r->head - r->tail <= r->size && r->tail_seq <= r->head_seq;
}

static void read_one(const struct logring *r, struct logring_cursor *c, size_t out_size)
{
	static char out[LOGRING_LINE_MAX];
	struct logring_loss lost = { 0 };
	size_t len = 0;

	if (logring_get(r, c, out, out_size, &len, &lost))
		CHECK(len <= LOGRING_LINE_MAX);
	CHECK(c->pos <= r->head || !sane(r));
}

static void read_all_then_one_more(struct logring *r, struct logring_cursor *c)
{
	static char out[LOGRING_LINE_MAX];
	struct logring_loss lost = { 0 };
	unsigned turns = 0;
	size_t len;

	while (logring_get(r, c, out, sizeof(out), &len, &lost))
		CHECK(++turns <= SIZE / LOGRING_HDR);
	if (!sane(r))
		return;		/* nothing can be read until a writer repairs it */
	CHECK(c->pos == r->head);
	logring_put(r, "fresh", 5);
	CHECK(logring_get(r, c, out, sizeof(out), &len, &lost));
	CHECK(len == 5 && memcmp(out, "fresh", 5) == 0);
}

/*
 * Positions and counts are 64-bit and never wrap (2^64 bytes is centuries of
 * logging), and an aligned 8-byte store is not torn: damage moves a field
 * to another value some code could have stored, never below zero.
 */
static void nudge(uint64_t *field, int64_t by)
{
	if (by >= 0 || *field >= (uint64_t)-by)
		*field += (uint64_t)by;
}

static void damage_ring(struct logring *r, struct script *s)
{
	uint64_t *fields[] = { &r->tail, &r->head, &r->tail_seq, &r->head_seq, &r->tail_text };
	int64_t by = (int16_t)word(s);

	nudge(fields[byte(s) % 5], by);
}

static void damage_cursor(struct logring_cursor *c, struct script *s)
{
	uint64_t *fields[] = { &c->pos, &c->seq, &c->text };
	int64_t by = (int16_t)word(s);

	nudge(fields[byte(s) % 3], by);
}

static void copy_since(const struct logring *r, uint64_t *from, size_t size)
{
	static char out[2 * LOGRING_LINE_MAX];
	uint64_t before = *from, lost = 0;
	size_t copied = 0;

	size = size % sizeof(out);
	if (!logring_copy_since(r, from, out, size, &copied, &lost)) {
		CHECK(*from == before);
		return;
	}
	CHECK(copied <= size && *from >= before);
	CHECK(copied == 0 || out[copied - 1] == '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[SIZE];
	static char text[LOGRING_LINE_MAX + 16];
	struct script s = { data, size };
	struct logring r;
	struct logring_cursor readers[2];
	uint64_t from = 0;			/* a history reader's kept position */

	memset(buf, 0, sizeof(buf));
	logring_init(&r, buf, SIZE);
	logring_cursor_oldest(&r, &readers[0]);
	readers[1] = readers[0];
	while (s.left) {
		uint8_t op = byte(&s);
		struct logring_cursor *c = &readers[op >> 7];
		size_t len;

		switch (op & 7) {
		case 0:
		case 1:
			len = word(&s) % sizeof(text);
			memset(text, 'a' + op % 26, len);
			logring_put(&r, text, len);
			CHECK(sane(&r));
			break;
		case 2:
			read_one(&r, c, byte(&s));
			break;
		case 3:
			read_all_then_one_more(&r, c);
			break;
		case 4:
			buf[word(&s) % SIZE] = byte(&s);
			break;
		case 5:
			damage_cursor(c, &s);
			break;
		case 6:
			damage_ring(&r, &s);
			break;
		default:
			if (op & 16) {
				if (op & 32)
					from = word(&s);	/* made up: most are no line's start */
				copy_since(&r, &from, word(&s));
			} else if (op & 8)
				logring_cursor_oldest(&r, c);
			else
				logring_cursor_newest(&r, c);
			break;
		}
	}
	return 0;
}
