/*
 * Host unit tests for core/json.c: the console's JSON writer. Output is
 * compared to exact strings: commas and colons placed by the writer,
 * escaping, integers at their limits, overflow (never past the buffer,
 * always NUL-terminated) and calls out of place.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/json.h"

static char buf[512];
static struct json j;

static void start(void)
{
	memset(buf, 0xcc, sizeof(buf));
	json_init(&j, buf, sizeof(buf));
}

static void expect(const char *text)
{
	assert_true(json_ok(&j));
	assert_string_equal(buf, text);
	assert_int_equal(j.len, strlen(text));
}

static void test_scalars(void **state)
{
	(void)state;
	start();
	json_uint(&j, 0);
	expect("0");
	start();
	json_uint(&j, UINT64_MAX);
	expect("18446744073709551615");
	start();
	json_int(&j, INT64_MIN);
	expect("-9223372036854775808");
	start();
	json_int(&j, -42);
	expect("-42");
	start();
	json_int(&j, INT64_MAX);
	expect("9223372036854775807");
	start();
	json_bool(&j, true);
	expect("true");
	start();
	json_bool(&j, false);
	expect("false");
	start();
	json_null(&j);
	expect("null");
	start();
	json_milli(&j, 0);
	expect("0.000");
	start();
	json_milli(&j, 1234);
	expect("1.234");
	start();
	json_milli(&j, 5007);
	expect("5.007");
	start();
	json_milli(&j, UINT64_MAX);
	expect("18446744073709551.615");
	start();
	json_string(&j, "");
	expect("\"\"");
	start();
	assert_false(json_ok(&j));		/* nothing written yet */
}

static void test_object_and_array(void **state)
{
	(void)state;
	start();
	json_begin_object(&j);
	json_key(&j, "name");
	json_string(&j, "web");
	json_key(&j, "memory");
	json_uint(&j, 64);
	json_key(&j, "cpus");
	json_begin_array(&j);
	json_uint(&j, 0);
	json_uint(&j, 2);
	json_begin_object(&j);
	json_end_object(&j);
	json_begin_array(&j);
	json_end_array(&j);
	json_null(&j);
	json_end_array(&j);
	json_key(&j, "up");
	json_bool(&j, true);
	json_key(&j, "delta");
	json_int(&j, -1);
	json_end_object(&j);
	expect("{\"name\":\"web\",\"memory\":64,\"cpus\":[0,2,{},[],null],\"up\":true,\"delta\":-1}");

	start();
	json_begin_array(&j);
	json_end_array(&j);
	expect("[]");
}

static void test_escaping(void **state)
{
	(void)state;
	start();
	json_string(&j, "a\"b\\c/d\n\t\x01\x1f\x7f" "\xe9 ~");
	expect("\"a\\\"b\\\\c/d\\u000a\\u0009\\u0001\\u001f\\u007f\\u00e9 ~\"");
	start();
	json_string_n(&j, "x\0y", 3);		/* a NUL in a counted string */
	expect("\"x\\u0000y\"");
	start();
	json_begin_object(&j);
	json_key(&j, "k\"ey");
	json_null(&j);
	json_end_object(&j);
	expect("{\"k\\\"ey\":null}");
}

static void test_overflow(void **state)
{
	char small[8];
	(void)state;

	/* every size: never past it, always NUL-terminated, flagged when short */
	for (size_t size = 1; size <= sizeof(small); size++) {
		memset(small, 'Z', sizeof(small));
		json_init(&j, small, size);
		json_begin_array(&j);
		json_uint(&j, 12);
		json_string(&j, "a\n");
		json_end_array(&j);
		assert_int_equal(j.overflow, size <= strlen("[12,\"a\\u000a\"]"));
		assert_false(json_ok(&j));
		assert_true(memchr(small, '\0', size) != NULL);
		assert_int_equal(strlen(small), j.len);
		assert_true(j.len < size);
		for (size_t i = size; i < sizeof(small); i++)
			assert_int_equal(small[i], 'Z');
	}
	/* a call that does not fit writes none of itself, its comma included */
	json_init(&j, small, 8);
	json_begin_array(&j);
	json_uint(&j, 12);
	json_string(&j, "a\n");
	assert_true(j.overflow);
	assert_string_equal(small, "[12");
	/* exactly the size: fits with its NUL */
	json_init(&j, small, 8);
	json_string(&j, "abcde");
	assert_true(json_ok(&j));
	assert_string_equal(small, "\"abcde\"");
	json_init(&j, small, 8);
	json_string(&j, "abcdef");
	assert_true(j.overflow);
	assert_false(json_ok(&j));
	/* after an overflow nothing more is written, even what would fit */
	json_init(&j, small, 8);
	json_begin_array(&j);
	json_string(&j, "abcdefgh");
	json_end_array(&j);
	assert_true(j.overflow);
	assert_string_equal(small, "[");
	/* size 0: nothing written at all */
	json_init(&j, small, 0);
	json_null(&j);
	assert_false(json_ok(&j));
}

static void test_misuse(void **state)
{
	(void)state;
	start();			/* a value in an object without its key */
	json_begin_object(&j);
	json_uint(&j, 1);
	assert_true(j.misuse);
	assert_string_equal(buf, "{");
	start();			/* a key in an array */
	json_begin_array(&j);
	json_key(&j, "k");
	assert_true(j.misuse);
	start();			/* two keys in a row */
	json_begin_object(&j);
	json_key(&j, "a");
	json_key(&j, "b");
	assert_true(j.misuse);
	start();			/* an object closed after its key */
	json_begin_object(&j);
	json_key(&j, "a");
	json_end_object(&j);
	assert_true(j.misuse);
	start();			/* the wrong end */
	json_begin_object(&j);
	json_end_array(&j);
	assert_true(j.misuse);
	start();			/* an end with nothing open */
	json_end_object(&j);
	assert_true(j.misuse);
	start();			/* a second top-level value */
	json_null(&j);
	json_null(&j);
	assert_true(j.misuse);
	assert_false(json_ok(&j));
	assert_string_equal(buf, "null");
	start();			/* still open */
	json_begin_array(&j);
	assert_false(j.misuse);
	assert_false(json_ok(&j));
	start();			/* a key at the top level */
	json_key(&j, "a");
	assert_true(j.misuse);
}

static void test_depth(void **state)
{
	char expect_text[2 * JSON_DEPTH_MAX + 1];
	(void)state;

	start();
	for (int i = 0; i < JSON_DEPTH_MAX; i++)
		json_begin_array(&j);
	for (int i = 0; i < JSON_DEPTH_MAX; i++)
		json_end_array(&j);
	memset(expect_text, '[', JSON_DEPTH_MAX);
	memset(expect_text + JSON_DEPTH_MAX, ']', JSON_DEPTH_MAX);
	expect_text[2 * JSON_DEPTH_MAX] = '\0';
	expect(expect_text);

	start();
	for (int i = 0; i <= JSON_DEPTH_MAX; i++)
		json_begin_object(&j), json_key(&j, "a");
	assert_true(j.misuse);
	assert_int_equal(j.depth, JSON_DEPTH_MAX);
	assert_false(json_ok(&j));
}

/* Items of nested containers each get their own commas. */
static void test_nested_commas(void **state)
{
	(void)state;
	start();
	json_begin_array(&j);
	json_begin_array(&j);
	json_uint(&j, 1);
	json_uint(&j, 2);
	json_end_array(&j);
	json_begin_object(&j);
	json_key(&j, "a");
	json_begin_array(&j);
	json_end_array(&j);
	json_key(&j, "b");
	json_begin_object(&j);
	json_key(&j, "c");
	json_uint(&j, 3);
	json_end_object(&j);
	json_end_object(&j);
	json_uint(&j, 4);
	json_end_array(&j);
	expect("[[1,2],{\"a\":[],\"b\":{\"c\":3}},4]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_object_and_array),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_nested_commas),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
