/*
 * A tiny model of one line of a VT100/xterm terminal, for checking what an
 * echo stream shows (tests/unit/test_lineedit.c, tests/fuzz/fuzz_lineedit.c):
 * printable bytes written over the cells at the cursor, "\b" (not past
 * column 0), "\r", "\n" (the line is kept as the previous one and a new one
 * begins), BEL counted, ESC [ n D / ESC [ n C (n defaults to 1), ESC [ K.
 * Any other byte or sequence is an error: the editor must not send it.
 */
#ifndef TESTS_UNIT_VT_MODEL_H
#define TESTS_UNIT_VT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define VT_COLS 1024

struct vt {
	char cells[VT_COLS + 1];	/* NUL-terminated at len */
	size_t len, cur;
	char prev[VT_COLS + 1];		/* the line before the last "\n" */
	unsigned newlines, bells;
	int esc;			/* 0, 1 after ESC, 2 in CSI */
	size_t num;			/* CSI parameter */
	bool bad;			/* a byte the model does not know */
};

static inline void vt_init(struct vt *t)
{
	memset(t, 0, sizeof(*t));
}

static inline void vt_csi(struct vt *t, char final)
{
	size_t n = t->num ? t->num : 1;

	if (final == 'D')
		t->cur = n > t->cur ? 0 : t->cur - n;
	else if (final == 'C')
		t->cur = t->cur + n > VT_COLS - 1 ? VT_COLS - 1 : t->cur + n;
	else if (final == 'K' && !t->num)
		t->len = t->cur < t->len ? t->cur : t->len;
	else
		t->bad = true;
	t->cells[t->len] = '\0';
}

static inline void vt_byte(struct vt *t, char c)
{
	if (t->esc == 1) {
		t->esc = c == '[' ? 2 : 0;
		t->num = 0;
		t->bad |= c != '[';
	} else if (t->esc == 2) {
		if (c >= '0' && c <= '9') {
			t->num = t->num * 10 + (size_t)(c - '0');
		} else {
			t->esc = 0;
			vt_csi(t, c);
		}
	} else if (c == '\x1b') {
		t->esc = 1;
	} else if (c == '\b') {
		t->cur -= t->cur ? 1 : 0;
	} else if (c == '\r') {
		t->cur = 0;
	} else if (c == '\n') {
		memcpy(t->prev, t->cells, sizeof(t->prev));
		t->len = t->cur = 0;
		t->cells[0] = '\0';
		t->newlines++;
	} else if (c == '\a') {
		t->bells++;
	} else if (c >= 0x20 && c < 0x7f && t->cur < VT_COLS) {
		while (t->len < t->cur)		/* cells skipped by a move right are blank */
			t->cells[t->len++] = ' ';
		t->cells[t->cur++] = c;
		if (t->cur > t->len)
			t->len = t->cur;
		t->cells[t->len] = '\0';
	} else {
		t->bad = true;
	}
}

static inline void vt_write(struct vt *t, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		vt_byte(t, s[i]);
}

/* Length of s without trailing blanks (what a terminal shows the same). */
static inline size_t vt_visible(const char *s, size_t n)
{
	while (n && s[n - 1] == ' ')
		n--;
	return n;
}

/* Does the terminal show exactly line (len characters) with its cursor at cursor? */
static inline bool vt_shows(const struct vt *t, const char *line, size_t len, size_t cursor)
{
	size_t a = vt_visible(t->cells, t->len), b = vt_visible(line, len);

	return !t->bad && t->esc == 0 && a == b && !memcmp(t->cells, line, a) && t->cur == cursor;
}

#endif
