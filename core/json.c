/*
 * The JSON writer (core/json.h). Every byte goes through put(), the one
 * place that checks the bound; the rest keeps the nesting state.
 */
#include "core/json.h"
#include "core/lib.h"

void json_init(struct json *j, char *buf, size_t size)
{
	memset(j, 0, sizeof(*j));
	j->buf = buf;
	j->size = size;
	if (size)
		buf[0] = '\0';
	else
		j->overflow = true;
}

static void put(struct json *j, const char *s, size_t n)
{
	if (j->overflow || j->misuse)
		return;
	if (n >= j->size - j->len) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

/*
 * After a call that overflowed: take back what it wrote, so that the text
 * ends where a whole piece (a value, a key, a bracket) did.
 */
static void cut_back(struct json *j, size_t mark)
{
	if (j->overflow && j->size && j->len > mark) {
		j->len = mark;
		j->buf[mark] = '\0';
	}
}

static bool in_object(const struct json *j)
{
	return j->depth && (j->is_object >> (j->depth - 1) & 1);
}

/* A comma before the second and later items of the open container. */
static void separate(struct json *j)
{
	uint32_t bit;

	if (!j->depth)
		return;
	bit = 1u << (j->depth - 1);
	if (j->has_items & bit)
		put(j, ",", 1);
	j->has_items |= bit;
}

/* Before any value: is one allowed here? Writes the comma an array needs. */
static bool value_starts(struct json *j)
{
	if (j->misuse)
		return false;
	if (!j->depth) {
		if (j->done) {
			j->misuse = true;
			return false;
		}
	} else if (in_object(j)) {
		if (!j->want_value) {
			j->misuse = true;
			return false;
		}
		j->want_value = false;
	} else {
		separate(j);
	}
	return true;
}

/* After a scalar or a container's end: at the top level, the value is whole. */
static void value_ends(struct json *j)
{
	if (!j->depth)
		j->done = true;
}

static void begin(struct json *j, bool object)
{
	size_t mark = j->len;

	if (!value_starts(j))
		return;
	if (j->depth >= JSON_DEPTH_MAX) {
		j->misuse = true;
		return;
	}
	put(j, object ? "{" : "[", 1);
	j->depth++;
	j->has_items &= ~(1u << (j->depth - 1));
	if (object)
		j->is_object |= 1u << (j->depth - 1);
	else
		j->is_object &= ~(1u << (j->depth - 1));
	cut_back(j, mark);
}

static void end(struct json *j, bool object)
{
	if (j->misuse)
		return;
	if (!j->depth || in_object(j) != object || j->want_value) {
		j->misuse = true;
		return;
	}
	put(j, object ? "}" : "]", 1);
	j->depth--;		/* closed even when it did not fit: the text is cut anyway */
	value_ends(j);
}

void json_begin_object(struct json *j) { begin(j, true); }
void json_end_object(struct json *j) { end(j, true); }
void json_begin_array(struct json *j) { begin(j, false); }
void json_end_array(struct json *j) { end(j, false); }

static void put_quoted(struct json *j, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	put(j, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

		if (c == '"' || c == '\\')
			put(j, (const char[]){ '\\', (char)c }, 2);
		else if (c < 0x20 || c >= 0x7f)
			put(j, esc, sizeof(esc));
		else
			put(j, (const char *)&s[i], 1);
	}
	put(j, "\"", 1);
}

void json_key(struct json *j, const char *key)
{
	size_t mark = j->len;

	if (j->misuse)
		return;
	if (!in_object(j) || j->want_value) {
		j->misuse = true;
		return;
	}
	separate(j);
	put_quoted(j, key, strlen(key));
	put(j, ":", 1);
	j->want_value = true;
	cut_back(j, mark);
}

void json_string_n(struct json *j, const char *s, size_t len)
{
	size_t mark = j->len;

	if (!value_starts(j))
		return;
	put_quoted(j, s, len);
	value_ends(j);
	cut_back(j, mark);
}

void json_string(struct json *j, const char *s)
{
	json_string_n(j, s, strlen(s));
}

static void put_u64(struct json *j, uint64_t v)
{
	char d[24];

	put(j, d, (size_t)fmt_snprintf(d, sizeof(d), "%lu", v));
}

void json_uint(struct json *j, uint64_t v)
{
	size_t mark = j->len;

	if (!value_starts(j))
		return;
	put_u64(j, v);
	value_ends(j);
	cut_back(j, mark);
}

void json_milli(struct json *j, uint64_t milli)
{
	char frac[4] = { (char)('0' + milli / 100 % 10), (char)('0' + milli / 10 % 10),
			 (char)('0' + milli % 10), '\0' };
	size_t mark = j->len;

	if (!value_starts(j))
		return;
	put_u64(j, milli / 1000);
	put(j, ".", 1);
	put(j, frac, 3);
	value_ends(j);
	cut_back(j, mark);
}

void json_int(struct json *j, int64_t v)
{
	size_t mark = j->len;

	if (!value_starts(j))
		return;
	if (v < 0) {
		put(j, "-", 1);
		put_u64(j, -(uint64_t)v);	/* INT64_MIN too: no signed overflow */
	} else {
		put_u64(j, (uint64_t)v);
	}
	value_ends(j);
	cut_back(j, mark);
}

static void put_word(struct json *j, const char *w)
{
	size_t mark = j->len;

	if (!value_starts(j))
		return;
	put(j, w, strlen(w));
	value_ends(j);
	cut_back(j, mark);
}

void json_bool(struct json *j, bool v) { put_word(j, v ? "true" : "false"); }
void json_null(struct json *j) { put_word(j, "null"); }

bool json_ok(const struct json *j)
{
	return !j->overflow && !j->misuse && j->done && !j->depth;
}
