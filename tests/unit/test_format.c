/* Host unit tests for core/format.c: fmt_snprintf/fmt_vsnprintf and parse_u64. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/lib.h"

/* No format attribute here, so that deliberately odd formats compile with -Werror. */
static int fmt_raw(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Format into a roomy buffer, check the text and the returned length. */
#define EXPECT_FMT(want, ...)							\
	do {									\
		char b_[128];							\
		int n_ = fmt_snprintf(b_, sizeof(b_), __VA_ARGS__);		\
		assert_string_equal(b_, want);					\
		assert_int_equal(n_, (int)strlen(want));			\
	} while (0)

static void fmt_plain_text_is_copied(void **state)
{
	(void)state;
	EXPECT_FMT("hello, world", "hello, world");
	EXPECT_FMT("", "%s", "");
}

static void fmt_signed_decimal(void **state)
{
	(void)state;
	EXPECT_FMT("0", "%d", 0);
	EXPECT_FMT("42 -42", "%d %i", 42, -42);
	EXPECT_FMT("-2147483648", "%d", INT32_MIN);
	EXPECT_FMT("-9223372036854775808", "%lld", (long long)INT64_MIN);
	EXPECT_FMT("9223372036854775807", "%ld", (long)INT64_MAX);
}

static void fmt_unsigned_decimal_and_hex(void **state)
{
	(void)state;
	EXPECT_FMT("4294967295", "%u", UINT32_MAX);
	EXPECT_FMT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	EXPECT_FMT("12345", "%zu", (size_t)12345);
	EXPECT_FMT("deadbeef DEADBEEF", "%x %X", 0xdeadbeefu, 0xdeadbeefu);
	EXPECT_FMT("ffffffffffffffff", "%lx", (unsigned long)UINT64_MAX);
	EXPECT_FMT("0", "%x", 0u);
}

static void fmt_int_argument_is_not_widened(void **state)
{
	(void)state;
	/* %x takes an unsigned int: -1 is 32 bits of ones, not 64 */
	EXPECT_FMT("ffffffff", "%x", (unsigned)-1);
}

static void fmt_width_and_flags(void **state)
{
	(void)state;
	EXPECT_FMT("   42", "%5d", 42);
	EXPECT_FMT("42   |", "%-5d|", 42);
	EXPECT_FMT("00042", "%05d", 42);
	EXPECT_FMT("-0042", "%05d", -42);
	EXPECT_FMT("  -42", "%5d", -42);
	EXPECT_FMT("-42  |", "%-5d|", -42);
	EXPECT_FMT("000000ff", "%08x", 0xffu);
	EXPECT_FMT("123456", "%3d", 123456);
	EXPECT_FMT("   ab|ab   |", "%5s|%-5s|", "ab", "ab");
}

static void fmt_pointer_is_0x_and_16_digits(void **state)
{
	(void)state;
	EXPECT_FMT("0x0000000000001234", "%p", (void *)(uintptr_t)0x1234);
	EXPECT_FMT("0xffff800000000000", "%p", (void *)(uintptr_t)0xffff800000000000ull);
}

static void fmt_char_and_percent(void **state)
{
	(void)state;
	EXPECT_FMT("a%b", "%c%%%c", 'a', 'b');
}

static void fmt_null_string_prints_marker(void **state)
{
	char b[16];
	const char *volatile none = NULL;

	(void)state;
	assert_int_equal(fmt_raw(b, sizeof(b), "%s", none), 6);
	assert_string_equal(b, "(null)");
}

static void fmt_unknown_conversion_is_echoed(void **state)
{
	char b[16];

	(void)state;
	assert_int_equal(fmt_raw(b, sizeof(b), "a%qb"), 4);
	assert_string_equal(b, "a%qb");
}

static void fmt_trailing_percent_stops_cleanly(void **state)
{
	char b[16];

	(void)state;
	assert_int_equal(fmt_raw(b, sizeof(b), "abc%"), 3);
	assert_string_equal(b, "abc");
	assert_int_equal(fmt_raw(b, sizeof(b), "abc%-05"), 3);
	assert_string_equal(b, "abc");
}

static void fmt_truncates_and_returns_full_length(void **state)
{
	char b[8];

	(void)state;
	memset(b, 'X', sizeof(b));
	assert_int_equal(fmt_snprintf(b, 4, "hello %d", 12345), 11);
	assert_string_equal(b, "hel");
	assert_int_equal(b[4], 'X');		/* nothing past size */
}

static void fmt_size_one_gives_empty_string(void **state)
{
	char b[2] = { 'X', 'Y' };

	(void)state;
	assert_int_equal(fmt_snprintf(b, 1, "abc"), 3);
	assert_int_equal(b[0], '\0');
	assert_int_equal(b[1], 'Y');
}

static void fmt_size_zero_writes_nothing(void **state)
{
	char b[1] = { 'X' };

	(void)state;
	assert_int_equal(fmt_snprintf(b, 0, "abc%d", 7), 4);
	assert_int_equal(b[0], 'X');
	assert_int_equal(fmt_snprintf(NULL, 0, "%s", "xyz"), 3);
}

static void fmt_exact_fit_keeps_terminator(void **state)
{
	char b[4];

	(void)state;
	assert_int_equal(fmt_snprintf(b, sizeof(b), "abc"), 3);
	assert_string_equal(b, "abc");
	assert_int_equal(fmt_snprintf(b, sizeof(b), "abcd"), 4);
	assert_string_equal(b, "abc");
}

/* parse_u64 on a whole C string */
static bool parse(const char *s, bool suffix, uint64_t *v)
{
	return parse_u64(s, strlen(s), suffix, v);
}

static void parse_decimal_and_hex(void **state)
{
	uint64_t v;

	(void)state;
	assert_true(parse("0", false, &v));
	assert_int_equal(v, 0);
	assert_true(parse("1234567890", false, &v));
	assert_int_equal(v, 1234567890u);
	assert_true(parse("0x2f8", false, &v));
	assert_int_equal(v, 0x2f8);
	assert_true(parse("0XDEADbeef", false, &v));
	assert_int_equal(v, 0xdeadbeef);
	assert_true(parse("007", false, &v));	/* leading zeros are decimal */
	assert_int_equal(v, 7);
}

static void parse_limits_and_overflow(void **state)
{
	uint64_t v;

	(void)state;
	assert_true(parse("18446744073709551615", false, &v));
	assert_true(v == UINT64_MAX);
	assert_false(parse("18446744073709551616", false, &v));
	assert_false(parse("99999999999999999999", false, &v));
	assert_true(parse("0xffffffffffffffff", false, &v));
	assert_true(v == UINT64_MAX);
	assert_false(parse("0x10000000000000000", false, &v));
}

static void parse_rejects_junk(void **state)
{
	uint64_t v = 77;

	(void)state;
	assert_false(parse("", false, &v));
	assert_false(parse("0x", false, &v));
	assert_false(parse("12a", false, &v));
	assert_false(parse("0x12g", false, &v));
	assert_false(parse("-1", false, &v));
	assert_false(parse(" 1", false, &v));
	assert_false(parse("1 ", false, &v));
	assert_false(parse("4K", false, &v));	/* no suffix allowed */
	assert_int_equal(v, 77);		/* untouched on failure */
}

static void parse_size_suffixes(void **state)
{
	uint64_t v;

	(void)state;
	assert_true(parse("4K", true, &v));
	assert_int_equal(v, 4096);
	assert_true(parse("4k", true, &v));
	assert_int_equal(v, 4096);
	assert_true(parse("16M", true, &v));
	assert_int_equal(v, 16u << 20);
	assert_true(parse("2g", true, &v));
	assert_true(v == 2ull << 30);
	assert_true(parse("0x10M", true, &v));
	assert_int_equal(v, 16u << 20);
	assert_true(parse("123", true, &v));	/* suffix optional */
	assert_int_equal(v, 123);
	assert_false(parse("K", true, &v));
	assert_false(parse("0xK", true, &v));
	assert_false(parse("4KK", true, &v));
	assert_false(parse("4T", true, &v));
}

static void parse_suffix_overflow(void **state)
{
	uint64_t v;

	(void)state;
	assert_true(parse("17179869183G", true, &v));	/* 2^34 - 1 */
	assert_true(v == (((uint64_t)1 << 34) - 1) << 30);
	assert_false(parse("17179869184G", true, &v));	/* 2^34 GiB = 2^64 */
	assert_false(parse("0xffffffffffffffffK", true, &v));
}

static void parse_respects_length(void **state)
{
	uint64_t v;

	(void)state;
	assert_true(parse_u64("123456", 3, false, &v));
	assert_int_equal(v, 123);
	assert_true(parse_u64("0x1fzz", 4, false, &v));
	assert_int_equal(v, 0x1f);
	assert_false(parse_u64("123", 0, false, &v));
	assert_true(parse_u64("8Kxyz", 2, true, &v));
	assert_int_equal(v, 8192);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fmt_plain_text_is_copied),
		cmocka_unit_test(fmt_signed_decimal),
		cmocka_unit_test(fmt_unsigned_decimal_and_hex),
		cmocka_unit_test(fmt_int_argument_is_not_widened),
		cmocka_unit_test(fmt_width_and_flags),
		cmocka_unit_test(fmt_pointer_is_0x_and_16_digits),
		cmocka_unit_test(fmt_char_and_percent),
		cmocka_unit_test(fmt_null_string_prints_marker),
		cmocka_unit_test(fmt_unknown_conversion_is_echoed),
		cmocka_unit_test(fmt_trailing_percent_stops_cleanly),
		cmocka_unit_test(fmt_truncates_and_returns_full_length),
		cmocka_unit_test(fmt_size_one_gives_empty_string),
		cmocka_unit_test(fmt_size_zero_writes_nothing),
		cmocka_unit_test(fmt_exact_fit_keeps_terminator),
		cmocka_unit_test(parse_decimal_and_hex),
		cmocka_unit_test(parse_limits_and_overflow),
		cmocka_unit_test(parse_rejects_junk),
		cmocka_unit_test(parse_size_suffixes),
		cmocka_unit_test(parse_suffix_overflow),
		cmocka_unit_test(parse_respects_length),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
