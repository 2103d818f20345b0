/*
 * libFuzzer target for core/cmdline.c and core/options.c: the input, made
 * into a NUL-terminated string, is a hypervisor command line. Tokens must
 * stay inside the string and options must stay within their documented
 * ranges.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/options.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

struct line {
	const char *start;
	size_t len;
	unsigned warnings;
};

static bool inside(const struct line *l, const char *p, size_t n)
{
	return p >= l->start && n <= l->len && (size_t)(p - l->start) <= l->len - n;
}

static void warn(void *ctx, const char *msg, const char *what, size_t what_len)
{
	struct line *l = ctx;

	CHECK(msg && *msg);
	CHECK(inside(l, what, what_len));
	l->warnings++;
}

static void check_tokens(const struct line *l)
{
	const char *p = l->start;
	struct cmdline_token t;

	while (cmdline_next(&p, &t)) {
		CHECK(inside(l, t.key, t.key_len));
		CHECK(!t.val || inside(l, t.val, t.val_len));
		CHECK(!t.val || t.val > t.key);
		CHECK(inside(l, p, 0));
	}
	CHECK(*p == '\0');
}

static void check_options(const struct hv_options *o)
{
	CHECK(o->serial_baud >= 50 && o->serial_baud <= 115200);
	CHECK(115200 % o->serial_baud == 0);
	CHECK(o->serial_port <= 0xfff8);
	CHECK(o->loglvl <= LOG_DEBUG);
	CHECK(o->max_cpus <= 4096);
	CHECK(o->after_boot <= AFTER_BOOT_POWEROFF);
	CHECK(o->on_panic <= ON_PANIC_POWEROFF);
	CHECK(o->crash <= CRASH_UD_IN_LOG);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct line l = { s, 0, 0 };
	struct hv_options o;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	l.len = strlen(s);
	check_tokens(&l);
	options_defaults(&o);
	CHECK(options_parse(&o, s, warn, &l) == l.warnings);
	check_options(&o);
	free(s);
	return 0;
}
