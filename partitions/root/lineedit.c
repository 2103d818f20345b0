/* The root console's line editor (see lineedit.h). Pure: also built into the host unit tests. */
#include "partitions/root/lineedit.h"
#include "core/lib.h"

#define KEY_CTRL_C	0x03
#define KEY_BS		0x08
#define KEY_LF		0x0a
#define KEY_CR		0x0d
#define KEY_CTRL_U	0x15
#define KEY_CTRL_W	0x17
#define KEY_ESC		0x1b
#define KEY_DEL		0x7f
#define BELL		0x07

/* --- echo: bounded appends; LINEEDIT_ECHO_MAX covers the most one byte can echo --- */

static void echo_bytes(struct lineedit_echo *e, const char *s, size_t n)
{
	size_t room = sizeof(e->buf) - e->len;

	if (n > room) {
		e->overflow = true;
		n = room;
	}
	memcpy(e->buf + e->len, s, n);
	e->len += n;
}

static void echo_str(struct lineedit_echo *e, const char *s)
{
	echo_bytes(e, s, strlen(s));
}

/* The terminal's cursor n columns left: "\b" for one, CSI n D (VT100 CUB) for more. */
static void echo_left(struct lineedit_echo *e, size_t n)
{
	char seq[16];

	if (n == 1) {
		echo_str(e, "\b");
	} else if (n > 1) {
		fmt_snprintf(seq, sizeof(seq), "\x1b[%uD", (unsigned)n);
		echo_str(e, seq);
	}
}

/* Erase from the terminal's cursor to the end of its line (VT100 EL, CSI K). */
static void echo_erase_tail(struct lineedit_echo *e)
{
	echo_str(e, "\x1b[K");
}

/* --- the line --- */

static void clear_line(struct lineedit *le)
{
	le->len = 0;
	le->cursor = 0;
	le->line[0] = '\0';
}

/* Show text instead of the line, the cursor at its end (history, Ctrl-U). */
static void replace_line(struct lineedit *le, const char *text, struct lineedit_echo *e)
{
	echo_left(e, le->cursor);
	if (le->len)
		echo_erase_tail(e);
	le->len = strnlen(text, LINEEDIT_MAX);
	memmove(le->line, text, le->len);
	le->line[le->len] = '\0';
	le->cursor = le->len;
	echo_bytes(e, le->line, le->len);
}

static void insert_char(struct lineedit *le, char c, struct lineedit_echo *e)
{
	size_t tail = le->len - le->cursor;

	if (le->len == LINEEDIT_MAX) {
		echo_str(e, "\a");
		le->cut = true;		/* Enter will not run a part of what was typed */
		return;
	}
	memmove(le->line + le->cursor + 1, le->line + le->cursor, tail + 1);	/* with the NUL */
	le->line[le->cursor] = c;
	le->len++;
	/* the character and the tail it pushed right, then back to just after it */
	echo_bytes(e, le->line + le->cursor, tail + 1);
	le->cursor++;
	echo_left(e, tail);
}

/* Delete the n characters before the cursor. */
static void delete_before(struct lineedit *le, size_t n, struct lineedit_echo *e)
{
	size_t tail = le->len - le->cursor;

	if (!n)
		return;
	memmove(le->line + le->cursor - n, le->line + le->cursor, tail + 1);	/* with the NUL */
	le->cursor -= n;
	le->len -= n;
	if (n == 1 && !tail) {
		echo_str(e, "\b \b");
		return;
	}
	/* back to the new cursor, the tail over the deleted text, erase what is left, back again */
	echo_left(e, n);
	echo_bytes(e, le->line + le->cursor, tail);
	echo_erase_tail(e);
	echo_left(e, tail);
}

/* Ctrl-W: spaces before the cursor, then the word before them (as readline's unix-word-rubout). */
static void delete_word(struct lineedit *le, struct lineedit_echo *e)
{
	size_t k = le->cursor;

	while (k && le->line[k - 1] == ' ')
		k--;
	while (k && le->line[k - 1] != ' ')
		k--;
	delete_before(le, le->cursor - k, e);
}

static void cursor_left(struct lineedit *le, struct lineedit_echo *e)
{
	if (!le->cursor)
		return;
	le->cursor--;
	echo_left(e, 1);
}

/* Right: the character under the cursor printed again (no escape needed). */
static void cursor_right(struct lineedit *le, struct lineedit_echo *e)
{
	if (le->cursor == le->len)
		return;
	echo_bytes(e, le->line + le->cursor, 1);
	le->cursor++;
}

/* --- history --- */

const char *lineedit_history(const struct lineedit *le, unsigned i)
{
	if (i >= le->hist_count)
		return NULL;
	return le->hist[(le->hist_next + LINEEDIT_HISTORY - 1 - i) % LINEEDIT_HISTORY];
}

/* A finished line into the history: not an empty one, nor one equal to the newest. */
static void history_add(struct lineedit *le, const char *text)
{
	const char *newest = lineedit_history(le, 0);

	if (!text[0] || (newest && !strcmp(newest, text)))
		return;
	memcpy(le->hist[le->hist_next], text, LINEEDIT_MAX + 1);
	le->hist_next = (le->hist_next + 1) % LINEEDIT_HISTORY;
	if (le->hist_count < LINEEDIT_HISTORY)
		le->hist_count++;
}

/* Up: an older entry; the new line is kept aside while entries are shown. */
static void history_up(struct lineedit *le, struct lineedit_echo *e)
{
	if (le->browse == le->hist_count) {
		echo_str(e, "\a");
		return;
	}
	if (!le->browse) {
		memcpy(le->saved, le->line, LINEEDIT_MAX + 1);
		le->saved_cut = le->cut;
	}
	le->browse++;
	replace_line(le, lineedit_history(le, le->browse - 1), e);
	le->cut = false;		/* a remembered line is whole */
}

/* Down: a newer entry, and after the newest the new line as it was left. */
static void history_down(struct lineedit *le, struct lineedit_echo *e)
{
	if (!le->browse) {
		echo_str(e, "\a");
		return;
	}
	le->browse--;
	replace_line(le, le->browse ? lineedit_history(le, le->browse - 1) : le->saved, e);
	le->cut = !le->browse && le->saved_cut;	/* back to the new line: as it was left */
}

/* --- keys --- */

static enum lineedit_event enter(struct lineedit *le, struct lineedit_echo *e)
{
	echo_str(e, "\r\n");
	memcpy(le->done, le->line, LINEEDIT_MAX + 1);
	le->done_cut = le->cut;
	le->cut = false;
	if (!le->done_cut)
		history_add(le, le->done);
	clear_line(le);
	le->browse = 0;
	return LINEEDIT_LINE;
}

static enum lineedit_event cancel(struct lineedit *le, struct lineedit_echo *e)
{
	echo_str(e, "^C\r\n");
	le->cut = false;
	clear_line(le);
	le->browse = 0;
	return LINEEDIT_CANCEL;
}

/* The final byte of CSI A-D or SS3 A-D: the arrow keys (VT100 cursor keys, either mode). */
static void arrow(struct lineedit *le, uint8_t final, struct lineedit_echo *e)
{
	switch (final) {
	case 'A': history_up(le, e); break;
	case 'B': history_down(le, e); break;
	case 'C': cursor_right(le, e); break;
	case 'D': cursor_left(le, e); break;
	default: break;		/* another key (Home, F1...): ignored */
	}
}

/*
 * A byte inside an escape sequence; false when it ended the sequence
 * without belonging to it (a control byte: handled as a key).
 * ECMA-48 5.4: CSI parameter bytes 0x30-0x3f, intermediates 0x20-0x2f, final 0x40-0x7e.
 */
static bool escape_byte(struct lineedit *le, uint8_t b, struct lineedit_echo *e)
{
	enum lineedit_esc_state state = le->esc;

	if (b < 0x20 || b >= 0x7f) {
		le->esc = LE_ESC_NONE;
		return false;
	}
	switch (state) {
	case LE_ESC_START:
		le->esc = b == '[' ? LE_ESC_CSI : b == 'O' ? LE_ESC_SS3 : LE_ESC_NONE;
		break;
	case LE_ESC_CSI:
		if (b >= 0x40) {	/* final; parameters (e.g. xterm's 1;5 for Ctrl) ignored */
			le->esc = LE_ESC_NONE;
			arrow(le, b, e);
		}
		break;
	default:		/* SS3: one byte */
		le->esc = LE_ESC_NONE;
		arrow(le, b, e);
		break;
	}
	return true;
}

static enum lineedit_event key(struct lineedit *le, uint8_t b, struct lineedit_echo *e)
{
	switch (b) {
	case KEY_CR:
	case KEY_LF:
		return enter(le, e);
	case KEY_CTRL_C:
		return cancel(le, e);
	case KEY_BS:
	case KEY_DEL:
		delete_before(le, le->cursor ? 1 : 0, e);
		break;
	case KEY_CTRL_U:
		replace_line(le, "", e);
		le->cut = false;	/* nothing typed is left: nothing is cut either */
		break;
	case KEY_CTRL_W:
		delete_word(le, e);
		break;
	case KEY_ESC:
		le->esc = LE_ESC_START;
		break;
	default:
		if (b >= 0x20 && b < 0x7f)
			insert_char(le, (char)b, e);
		break;		/* other control bytes and non-ASCII: ignored */
	}
	return LINEEDIT_NONE;
}

enum lineedit_event lineedit_feed(struct lineedit *le, uint8_t b, struct lineedit_echo *e)
{
	bool lf_of_crlf = le->after_cr && b == KEY_LF;
	enum lineedit_event ev;

	e->len = 0;
	e->overflow = false;
	le->after_cr = b == KEY_CR;
	if (lf_of_crlf)
		return LINEEDIT_NONE;	/* CRLF is one Enter */
	if (le->esc != LE_ESC_NONE && escape_byte(le, b, e))
		return LINEEDIT_NONE;
	ev = key(le, b, e);
	if (!le->len)
		le->cut = false;	/* all deleted: nothing cut is left either */
	return ev;
}

bool lineedit_overflowed(const struct lineedit *le)
{
	return le->done_cut;
}

const char *lineedit_line(const struct lineedit *le)
{
	return le->done;
}

void lineedit_init(struct lineedit *le)
{
	memset(le, 0, sizeof(*le));
}
