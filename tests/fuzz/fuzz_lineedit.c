/*
 * libFuzzer target for partitions/root/lineedit.c, the root console's line
 * editor: the input is any byte stream typed at it. After every byte: the
 * line is NUL-terminated at its length within LINEEDIT_MAX, the cursor
 * within it, every history entry held NUL-terminated within bound and not
 * empty, no two neighbours equal, the walk within the entries held; the
 * echo never overflows its buffer, and replayed into a model terminal
 * (tests/unit/vt_model.h) it shows exactly the line with the cursor where
 * the editor has it; a finished line equals what the terminal showed before
 * the new line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "partitions/root/lineedit.h"
#include "tests/unit/vt_model.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

/* A string NUL-terminated within LINEEDIT_MAX + 1 bytes (strnlen is not C11). */
static bool bounded(const char *s)
{
	return memchr(s, '\0', LINEEDIT_MAX + 1) != NULL;
}

static void check_history(const struct lineedit *le)
{
	const char *prev = NULL, *h;
	unsigned i;

	CHECK(le->hist_count <= LINEEDIT_HISTORY && le->hist_next < LINEEDIT_HISTORY);
	CHECK(le->browse <= le->hist_count);
	for (i = 0; i < le->hist_count; i++) {
		h = lineedit_history(le, i);
		CHECK(h && bounded(h) && h[0]);
		CHECK(!prev || strcmp(prev, h));
		prev = h;
	}
	CHECK(!lineedit_history(le, le->hist_count));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lineedit le;
	static struct lineedit_echo echo;
	static struct vt term;
	enum lineedit_event ev;
	size_t i;

	lineedit_init(&le);
	vt_init(&term);
	for (i = 0; i < size; i++) {
		memset(echo.buf, 0x55, sizeof(echo.buf));
		ev = lineedit_feed(&le, data[i], &echo);
		CHECK(!echo.overflow && echo.len <= sizeof(echo.buf));
		CHECK(le.len <= LINEEDIT_MAX && le.cursor <= le.len);
		CHECK(le.line[le.len] == '\0' && strlen(le.line) == le.len);
		CHECK(bounded(le.done));
		check_history(&le);
		vt_write(&term, echo.buf, echo.len);
		CHECK(vt_shows(&term, le.line, le.len, le.cursor));
		if (ev == LINEEDIT_LINE) {
			size_t n = strlen(le.done);

			CHECK(vt_visible(term.prev, strlen(term.prev)) == vt_visible(le.done, n));
			CHECK(!memcmp(term.prev, le.done, vt_visible(le.done, n)));
		}
	}
	return 0;
}
