/*
 * Host unit tests for the TLFS hypercall decoder (core/hvcall_decode.c):
 * the input value's fields, and each rule of TLFS 6.0, 3.7/3.8 and
 * "Hypercall Status Codes" in its order: unknown code first, then the
 * input value (reserved bits one at a time, nested, form, variable
 * header, rep fields), then the blocks' placement (8-byte alignment, one
 * page, no overlap), at their boundaries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/hvcall_decode.h"
#include "core/abi/hypercall.h"

#define CODE	0x0046ull
#define PAGE	0x5000ull	/* a page-aligned GPA */

/* A simple memory call with an 8-byte input and 8-byte output, like most. */
static const struct hvcall_shape simple_mem = { HVCALL_FORM_MEMORY, 8, 0, 8, 0 };
/* A rep call: 16-byte header, 8-byte input and output elements. */
static const struct hvcall_shape rep_mem = { HVCALL_FORM_REP | HVCALL_FORM_MEMORY, 16, 8, 0, 8 };
/* A rep call with byte-sized input elements and no output: room for 4095 reps in a page. */
static const struct hvcall_shape rep_bytes = { HVCALL_FORM_REP | HVCALL_FORM_MEMORY, 0, 1, 0, 0 };
static const struct hvcall_shape simple_fast = { HVCALL_FORM_FAST, 16, 0, 0, 0 };

static uint64_t reps(uint64_t count, uint64_t start)
{
	return count << 32 | start << 48;
}

static uint16_t decode(uint64_t control, uint64_t in, uint64_t out, const struct hvcall_shape *s)
{
	struct hvcall_decoded d;

	return hvcall_decode(control, in, out, s, &d);
}

static void fields(void **state)
{
	struct hvcall_decoded d;

	(void)state;
	hvcall_decode_control(0xffffffffffffffffull, &d);
	assert_int_equal(d.code, 0xffff);
	assert_true(d.fast);
	assert_true(d.nested);
	assert_int_equal(d.varhead_bytes, 1023 * 8);
	assert_int_equal(d.rep_count, 4095);
	assert_int_equal(d.rep_start, 4095);
	hvcall_decode_control(0x0123ull | 5ull << 17 | reps(7, 3), &d);
	assert_int_equal(d.code, 0x123);
	assert_false(d.fast);
	assert_false(d.nested);
	assert_int_equal(d.varhead_bytes, 40);
	assert_int_equal(d.rep_count, 7);
	assert_int_equal(d.rep_start, 3);
}

/* A continued call's input value: only the rep start index changes. */
static void rep_start_replaced(void **state)
{
	struct hvcall_decoded d;
	uint64_t c = 0x0123ull | HV_HYPERCALL_FAST | 5ull << 17 | reps(4095, 7) | 1ull << 63;

	(void)state;
	assert_int_equal(hvcall_with_rep_start(c, 64), (c & ~HV_HYPERCALL_REP_START_MASK) | 64ull << 48);
	assert_int_equal(hvcall_with_rep_start(c, 4095), c | 0xfffull << 48);
	hvcall_decode_control(hvcall_with_rep_start(c, 4094), &d);
	assert_int_equal(d.rep_start, 4094);
	assert_int_equal(d.rep_count, 4095);
}

/* No such call: INVALID_HYPERCALL_CODE, checked before anything else. */
static void unknown_code_first(void **state)
{
	(void)state;
	assert_int_equal(decode(CODE, PAGE, PAGE + 8, NULL), HV_STATUS_INVALID_HYPERCALL_CODE);
	assert_int_equal(decode(CODE | 1ull << 27 | HV_HYPERCALL_NESTED | reps(1, 5), 1, 3, NULL),
			 HV_STATUS_INVALID_HYPERCALL_CODE);
}

static void a_good_call(void **state)
{
	struct hvcall_decoded d;

	(void)state;
	assert_int_equal(hvcall_decode(CODE, PAGE, PAGE + 8, &simple_mem, &d), HV_STATUS_SUCCESS);
	assert_int_equal(d.in_len, 8);
	assert_int_equal(d.out_len, 8);
	assert_int_equal(d.in_gpa, PAGE);
	assert_int_equal(d.out_gpa, PAGE + 8);
}

/* Bits 30:27, 47:44 and 63:60 are reserved: each one alone is refused. */
static void reserved_bits_one_at_a_time(void **state)
{
	static const unsigned bits[] = { 27, 28, 29, 30, 44, 45, 46, 47, 60, 61, 62, 63 };

	(void)state;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		assert_int_equal(decode(CODE | 1ull << bits[i], PAGE, PAGE + 8, &simple_mem),
				 HV_STATUS_INVALID_HYPERCALL_INPUT);
		assert_int_equal(decode(CODE | reps(2, 0) | 1ull << bits[i], PAGE, PAGE + 0x800,
					&rep_mem), HV_STATUS_INVALID_HYPERCALL_INPUT);
	}
	assert_true((HV_HYPERCALL_RSVD_MASK >> 27 & 0xf) == 0xf);	/* the list is the mask */
}

static void nested_is_refused(void **state)
{
	(void)state;
	assert_int_equal(decode(CODE | HV_HYPERCALL_NESTED, PAGE, PAGE + 8, &simple_mem),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
}

/* A call takes the forms its entry names. */
static void form(void **state)
{
	(void)state;
	assert_int_equal(decode(CODE | HV_HYPERCALL_FAST, 1, 2, &simple_mem),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(CODE, PAGE, PAGE + 0x100, &simple_fast),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(CODE | HV_HYPERCALL_FAST, 1, 2, &simple_fast), HV_STATUS_SUCCESS);
}

static void variable_header(void **state)
{
	static const struct hvcall_shape vh = { HVCALL_FORM_MEMORY | HVCALL_FORM_VARHEAD, 8, 0, 0, 0 };
	struct hvcall_decoded d;

	(void)state;
	assert_int_equal(decode(CODE | 1ull << 17, PAGE, 0, &simple_mem),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(hvcall_decode(CODE | 3ull << 17, PAGE, 0, &vh, &d), HV_STATUS_SUCCESS);
	assert_int_equal(d.in_len, 8 + 24);
	/* the largest variable header does not fit a page behind the fixed one */
	assert_int_equal(decode(CODE | 0x3ffull << 17, PAGE, 0, &vh), HV_STATUS_INVALID_ALIGNMENT);
	assert_int_equal(decode(CODE | 511ull << 17, PAGE, 0, &vh), HV_STATUS_SUCCESS);
	assert_int_equal(decode(CODE | 511ull << 17, PAGE + 8, 0, &vh), HV_STATUS_INVALID_ALIGNMENT);
}

static void simple_call_takes_no_reps(void **state)
{
	(void)state;
	assert_int_equal(decode(CODE | reps(1, 0), PAGE, PAGE + 8, &simple_mem),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(CODE | reps(0, 1), PAGE, PAGE + 8, &simple_mem),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(CODE | reps(4095, 4095), PAGE, PAGE + 8, &simple_mem),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
}

static void rep_count_and_start(void **state)
{
	struct hvcall_decoded d;

	(void)state;
	assert_int_equal(decode(CODE | reps(0, 0), PAGE, PAGE + 0x800, &rep_mem),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(CODE | reps(3, 3), PAGE, PAGE + 0x800, &rep_mem),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(CODE | reps(3, 4095), PAGE, PAGE + 0x800, &rep_mem),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(hvcall_decode(CODE | reps(3, 2), PAGE, PAGE + 0x800, &rep_mem, &d),
			 HV_STATUS_SUCCESS);		/* start = count - 1 */
	assert_int_equal(d.rep_count, 3);
	assert_int_equal(d.rep_start, 2);
	assert_int_equal(d.in_len, 16 + 3 * 8);	/* the whole list, whatever the start */
	assert_int_equal(d.out_len, 3 * 8);
	/* the largest count: 4095 one-byte elements fill a page but one byte */
	assert_int_equal(hvcall_decode(CODE | reps(4095, 4094), PAGE, 0, &rep_bytes, &d),
			 HV_STATUS_SUCCESS);
	assert_int_equal(d.in_len, 4095);
	assert_int_equal(decode(CODE | reps(4095, 0), PAGE + 8, 0, &rep_bytes),
			 HV_STATUS_INVALID_ALIGNMENT);
	/* 4095 eight-byte elements cannot fit a page */
	assert_int_equal(decode(CODE | reps(4095, 0), PAGE, PAGE + 0x10000, &rep_mem),
			 HV_STATUS_INVALID_ALIGNMENT);
}

static void alignment(void **state)
{
	(void)state;
	for (uint64_t off = 1; off < 8; off++) {
		assert_int_equal(decode(CODE, PAGE + off, PAGE + 0x800, &simple_mem),
				 HV_STATUS_INVALID_ALIGNMENT);
		assert_int_equal(decode(CODE, PAGE, PAGE + 0x800 + off, &simple_mem),
				 HV_STATUS_INVALID_ALIGNMENT);
	}
}

/* A block of no bytes has no GPA to check (TLFS 3.7: the pointer is ignored). */
static void empty_block_gpa_ignored(void **state)
{
	static const struct hvcall_shape out_only = { HVCALL_FORM_MEMORY, 0, 0, 8, 0 };
	static const struct hvcall_shape in_only = { HVCALL_FORM_MEMORY, 8, 0, 0, 0 };

	(void)state;
	assert_int_equal(decode(CODE, 3, PAGE, &out_only), HV_STATUS_SUCCESS);
	assert_int_equal(decode(CODE, PAGE + 0xff8, PAGE + 0xff8, &out_only), HV_STATUS_SUCCESS);
	assert_int_equal(decode(CODE, PAGE, 5, &in_only), HV_STATUS_SUCCESS);
	assert_int_equal(decode(CODE, PAGE, PAGE, &in_only), HV_STATUS_SUCCESS);
}

/* A block may end exactly at the end of its page, not one byte further. */
static void page_boundary(void **state)
{
	static const struct hvcall_shape odd = { HVCALL_FORM_REP | HVCALL_FORM_MEMORY, 16, 1, 0, 1 };

	(void)state;
	assert_int_equal(decode(CODE, PAGE + 0xff8, PAGE + 0x800, &simple_mem), HV_STATUS_SUCCESS);
	assert_int_equal(decode(CODE, PAGE + 0x800, PAGE + 0xff8, &simple_mem), HV_STATUS_SUCCESS);
	/* input 16 + n bytes at page end - 32 */
	assert_int_equal(decode(CODE | reps(16, 0), PAGE + 0xfe0, PAGE + 0x800, &odd),
			 HV_STATUS_SUCCESS);
	assert_int_equal(decode(CODE | reps(17, 0), PAGE + 0xfe0, PAGE + 0x800, &odd),
			 HV_STATUS_INVALID_ALIGNMENT);
	/* output n bytes at page end - 16 */
	assert_int_equal(decode(CODE | reps(16, 0), PAGE, PAGE + 0x1ff0, &odd), HV_STATUS_SUCCESS);
	assert_int_equal(decode(CODE | reps(17, 0), PAGE, PAGE + 0x1ff0, &odd),
			 HV_STATUS_INVALID_ALIGNMENT);
	/* a whole page from its start, but not from 8 bytes into it */
	assert_int_equal(decode(CODE | reps(4080, 0), PAGE, PAGE + 0x1000, &odd), HV_STATUS_SUCCESS);
	assert_int_equal(decode(CODE | reps(4080, 0), PAGE + 8, PAGE + 0x2000, &odd),
			 HV_STATUS_INVALID_ALIGNMENT);
	assert_int_equal(decode(CODE | reps(4081, 0), PAGE, PAGE + 0x2000, &odd),
			 HV_STATUS_INVALID_ALIGNMENT);
	/* at the very top of the address space: the end does not wrap */
	assert_int_equal(decode(CODE, 0xfffffffffffffff8ull, PAGE, &simple_mem), HV_STATUS_SUCCESS);
	assert_int_equal(decode(CODE | reps(9, 0), 0xfffffffffffffff0ull, PAGE, &odd),
			 HV_STATUS_INVALID_ALIGNMENT);
}

/* Input and output may not overlap; adjacent is fine. */
static void overlap(void **state)
{
	(void)state;
	assert_int_equal(decode(CODE, PAGE, PAGE, &simple_mem), HV_STATUS_INVALID_ALIGNMENT);
	assert_int_equal(decode(CODE | reps(2, 0), PAGE, PAGE + 24, &rep_mem),
			 HV_STATUS_INVALID_ALIGNMENT);	/* input is 32 bytes */
	assert_int_equal(decode(CODE | reps(2, 0), PAGE + 24, PAGE + 16, &rep_mem),
			 HV_STATUS_INVALID_ALIGNMENT);	/* output is 16 bytes */
	assert_int_equal(decode(CODE | reps(2, 0), PAGE, PAGE + 32, &rep_mem), HV_STATUS_SUCCESS);
	assert_int_equal(decode(CODE | reps(2, 0), PAGE + 16, PAGE, &rep_mem), HV_STATUS_SUCCESS);
	assert_int_equal(decode(CODE, PAGE, PAGE + 0x1000, &simple_mem), HV_STATUS_SUCCESS);
}

/* Fast calls: at most 16 bytes of input, no output, the registers are values, not GPAs. */
static void fast_calls(void **state)
{
	static const struct hvcall_shape fast_rep = { HVCALL_FORM_REP | HVCALL_FORM_FAST, 8, 4, 0, 0 };
	static const struct hvcall_shape fast_out = { HVCALL_FORM_FAST, 8, 0, 8, 0 };
	static const struct hvcall_shape big = { HVCALL_FORM_FAST, 24, 0, 0, 0 };
	struct hvcall_decoded d;

	(void)state;
	assert_int_equal(hvcall_decode(CODE | HV_HYPERCALL_FAST, 3, 5, &simple_fast, &d),
			 HV_STATUS_SUCCESS);
	assert_true(d.fast);
	assert_int_equal(d.in_len, 16);
	assert_int_equal(decode(CODE | HV_HYPERCALL_FAST | reps(2, 0), 3, 5, &fast_rep),
			 HV_STATUS_SUCCESS);
	assert_int_equal(decode(CODE | HV_HYPERCALL_FAST | reps(3, 0), 3, 5, &fast_rep),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);	/* 20 bytes: XMM input */
	assert_int_equal(decode(CODE | HV_HYPERCALL_FAST, 3, 5, &fast_out),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(decode(CODE | HV_HYPERCALL_FAST, 0, 0, &big),
			 HV_STATUS_INVALID_HYPERCALL_INPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fields),
		cmocka_unit_test(rep_start_replaced),
		cmocka_unit_test(unknown_code_first),
		cmocka_unit_test(a_good_call),
		cmocka_unit_test(reserved_bits_one_at_a_time),
		cmocka_unit_test(nested_is_refused),
		cmocka_unit_test(form),
		cmocka_unit_test(variable_header),
		cmocka_unit_test(simple_call_takes_no_reps),
		cmocka_unit_test(rep_count_and_start),
		cmocka_unit_test(alignment),
		cmocka_unit_test(empty_block_gpa_ignored),
		cmocka_unit_test(page_boundary),
		cmocka_unit_test(overlap),
		cmocka_unit_test(fast_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
