/*
 * libFuzzer target for partitions/root/childout.c, a child's output in the
 * root: the input is a script of operations on one output: the child's
 * lines (any bytes, any length), the root's lines, the serial sender's
 * reads into buffers of any size, the end's note, a new owner. Every line
 * read is NUL-terminated within its buffer; unsent bytes never exceed the
 * ring; and while only the child writes, they never exceed its budget and
 * no line it was given room for is ever lost ("overwritten" notes come
 * only from the root's lines and end notes, beyond the budget).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "partitions/root/childout.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

#include "tests/fuzz/fuzz_input.h"

/* A NUL-terminated string of up to 255 bytes of the input (no NUL inside). */
static void text(struct script *s, char *out)
{
	size_t n = byte(s), i;

	for (i = 0; i < n; i++)
		out[i] = (char)(byte(s) | 1);
	out[n] = '\0';
}

static void read_one(struct childout *o, size_t size, bool root_used)
{
	static char out[CHILDOUT_LINE_MAX + 1];
	size_t len;

	memset(out, 'x', sizeof(out));
	len = childout_next(o, out, size);
	if (!len)
		return;
	CHECK(len < size && out[len] == '\0' && strlen(out) == len);
	CHECK(root_used || !strstr(out, "overwritten before"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct childout o;
	struct script s = { data, size };
	bool root_used = false;
	char t[256];

	memset(&o, 0, sizeof(o));
	childout_claim(&o, "fuzz");
	while (s.left) {
		switch (byte(&s) % 6) {
		case 0:
		case 1:
			text(&s, t);
			childout_line(&o, t);
			break;
		case 2:
			text(&s, t);
			childout_root_line(&o, t);
			root_used = true;
			break;
		case 3:
			read_one(&o, 1 + byte(&s) % CHILDOUT_LINE_MAX, root_used);
			break;
		case 4:
			childout_settle(&o);	/* the root's note at the end: beyond the budget too */
			root_used = true;
			break;
		default:
			text(&s, t);
			t[CHILDOUT_NAME_MAX - 1] = '\0';
			childout_claim(&o, t);
			break;
		}
		CHECK(childout_unsent(&o) <= CHILDOUT_RING);
		CHECK(root_used || childout_unsent(&o) <= CHILDOUT_BUDGET);
	}
	while (childout_unsent(&o))
		read_one(&o, CHILDOUT_LINE_MAX, root_used);
	return 0;
}
