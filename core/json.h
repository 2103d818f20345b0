/*
 * A small JSON writer (docs/root.md, "Console groundwork"): pure, into a
 * caller's bounded buffer, no allocation. Commas and colons are placed by
 * the writer; the buffer is always NUL-terminated (size > 0) and never
 * written past: a call whose text does not fit writes none of it, sets
 * `overflow`, and nothing more is written (so the text ends after a whole
 * piece, for a caller that shows it anyway). A call out of place (a value in an object without its key, a key
 * in an array, an end of the wrong kind, nesting deeper than JSON_DEPTH_MAX,
 * a second top-level value) sets `misuse`: our own bug, reported, not
 * written. Strings are written as ASCII: '"', '\\', control characters,
 * DEL and bytes above 0x7f (read as Latin-1) become \u00XX.
 */
#ifndef CORE_JSON_H
#define CORE_JSON_H

#include "core/types.h"

#define JSON_DEPTH_MAX	16

struct json {
	char *buf;
	size_t size, len;		/* len: bytes written, without the NUL */
	bool overflow, misuse;
	bool want_value;		/* a key was written: its value comes next */
	bool done;			/* the top-level value is complete */
	unsigned depth;
	uint32_t is_object;		/* bit d: level d+1 is an object (else an array) */
	uint32_t has_items;		/* bit d: level d+1 holds something: a comma first */
};

void json_init(struct json *j, char *buf, size_t size);
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_string_n(struct json *j, const char *s, size_t len);
void json_uint(struct json *j, uint64_t v);
void json_int(struct json *j, int64_t v);
/* A number of thousandths as a decimal with three places: 1234 -> 1.234. */
void json_milli(struct json *j, uint64_t milli);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* true when one whole value was written, all of it fitted, and no call was out of place. */
bool json_ok(const struct json *j);

#endif
