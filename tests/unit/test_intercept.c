/*
 * Host unit tests for partitions/intercept.c: the intercept messages the
 * root receives, byte for byte. The expectations are built by hand at the
 * offsets of hyperv-root-abi.md 6.1-6.3 (the message header at 0, the
 * payload at 16, each field at its documented offset in the payload), not
 * through the structs of core/abi/hvroot.h, so a wrong struct shows here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "partitions/intercept.h"

#define P	16	/* the payload's offset in the message (6.1) */

static void put(uint8_t *b, size_t off, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

/* A segment at b+off: base 0, limit 8, selector 12, attributes 14 (4.11). */
static void put_seg(uint8_t *b, size_t off, uint64_t base, uint32_t limit, uint16_t sel,
		    uint16_t attr)
{
	put(b, off, base, 8);
	put(b, off + 8, limit, 4);
	put(b, off + 12, sel, 2);
	put(b, off + 14, attr, 2);
}

/*
 * A 64-bit guest at CPL 3 in an STI shadow: CS 0x2b (VMCB attr 0xa fb:
 * type b, S, DPL 3, P, L), SS DPL 3, CR0 PE|AM, EFER LMA.
 */
static struct intercept_vp_view view(void)
{
	struct intercept_vp_view v = {
		.vp_index = 3,
		.insn_len = 1,
		.rip = 0x401234,
		.rflags = 0x246,
		.cr0 = 0x80040011,		/* PG, AM, ET, PE */
		.efer = 0xd01,			/* SCE, LME, LMA, NXE */
		.cs = { 0x1000, 0xfffff, 0x2b, 0xafb },
		.ss = { 0, 0xfffff, 0x33, 0xcf3 },
		.ds = { 0x2000, 0xffff, 0x23, 0xcf3 },
		.es = { 0x3000, 0xfff, 0x1b, 0x0093 },
		.rax = 0x1122334455667788ull,
		.rcx = 7, .rsi = 0x5000, .rdi = 0x6000,
		.interrupt_shadow = true,
		.insn_count = 2,
		.insn = { 0xe6, 0xe9 },
	};
	return v;
}

/* The 40-byte header (6.2) at payload offset 0, as view() gives it. */
static void expect_header(uint8_t *e, uint8_t insn_len, uint8_t access)
{
	put(e, P + 0, 3, 4);				/* vp_index */
	put(e, P + 4, insn_len, 1);			/* instruction_length, cr8 0 */
	put(e, P + 5, access, 1);
	/* cpl 3 (bits 1:0), cr0_pe (2), cr0_am (3), efer_lma (4), interrupt_shadow (12) */
	put(e, P + 6, 0x3 | 0x4 | 0x8 | 0x10 | 0x1000, 2);
	/* CS: attributes AVL/L/D/G move from bits 8-11 to 12-15: 0xafb -> 0xa0fb */
	put_seg(e, P + 8, 0x1000, 0xfffff, 0x2b, 0xa0fb);
	put(e, P + 24, 0x401234, 8);			/* rip */
	put(e, P + 32, 0x246, 8);			/* rflags */
}

static void expect_msg_header(uint8_t *e, uint32_t type, uint8_t size, uint64_t sender)
{
	put(e, 0, type, 4);
	put(e, 4, size, 1);
	put(e, 8, sender, 8);
}

static void test_io_out_byte(void **state)
{
	struct intercept_vp_view v = view();
	const struct intercept_io io = { .port = 0xe9, .size = 1 };
	struct hv_message m;
	uint8_t e[256] = { 0 };

	(void)state;
	memset(&m, 0xcc, sizeof(m));		/* every byte not written must come out 0 */
	intercept_build_io(&m, 5, &v, &io);
	expect_msg_header(e, 0x80010000, 128, 5);
	expect_header(e, 1, 1);			/* OUT: WRITE */
	put(e, P + 40, 0xe9, 2);		/* port_number */
	put(e, P + 42, 1, 1);			/* access_info: size 1 */
	put(e, P + 43, 2, 1);			/* instruction_byte_count */
	put(e, P + 48, 0x1122334455667788ull, 8);	/* rax */
	e[P + 56] = 0xe6;
	e[P + 57] = 0xe9;
	put_seg(e, P + 72, 0x2000, 0xffff, 0x23, 0xc0f3);	/* ds */
	put_seg(e, P + 88, 0x3000, 0xfff, 0x1b, 0x0093);	/* es */
	put(e, P + 104, 7, 8);			/* rcx */
	put(e, P + 112, 0x5000, 8);		/* rsi */
	put(e, P + 120, 0x6000, 8);		/* rdi */
	assert_memory_equal(&m, e, sizeof(e));
}

static void test_io_in_rep_string(void **state)
{
	struct intercept_vp_view v = view();
	const struct intercept_io io = { .port = 0x3f8, .size = 4, .in = true, .string = true,
					 .rep = true };
	struct hv_message m;
	const uint8_t *b = m.payload;

	(void)state;
	v.insn_len = 2;
	intercept_build_io(&m, 9, &v, &io);
	assert_int_equal(b[5], 0);			/* IN: READ */
	assert_int_equal(b[4], 2);
	assert_int_equal(b[40] | b[41] << 8, 0x3f8);
	assert_int_equal(b[42], 4 | 0x08 | 0x10);	/* size 4, string_op, rep_prefix */
}

static void test_memory_unmapped(void **state)
{
	struct intercept_vp_view v = view();
	const struct intercept_mem mem = { .gpa = 0xfeed000, .gva = 0xffff800000001000ull,
					   .gva_valid = true, .access = 1 };
	struct hv_message m;
	uint8_t e[256] = { 0 };

	(void)state;
	memset(&m, 0xcc, sizeof(m));
	v.insn_len = 0;				/* not an instruction-length exit */
	v.insn_count = 16;
	for (unsigned i = 0; i < 16; i++)
		v.insn[i] = (uint8_t)(0x40 + i);
	intercept_build_memory(&m, 0x80000000, 6, &v, &mem);
	expect_msg_header(e, 0x80000000, 80, 6);
	expect_header(e, 0, 1);
	put(e, P + 40, 6, 4);			/* cache_type: write-back */
	put(e, P + 44, 16, 1);			/* instruction_byte_count */
	put(e, P + 45, 0x01, 1);		/* gva_valid */
	put(e, P + 48, 0xffff800000001000ull, 8);
	put(e, P + 56, 0xfeed000, 8);
	for (unsigned i = 0; i < 16; i++)
		e[P + 64 + i] = (uint8_t)(0x40 + i);
	assert_memory_equal(&m, e, sizeof(e));
}

static void test_memory_gpa_intercept_no_gva(void **state)
{
	struct intercept_vp_view v = view();
	const struct intercept_mem mem = { .gpa = 0x2000, .gva = 0x1234, .access = 2 };
	struct hv_message m;
	const uint8_t *b = m.payload;

	(void)state;
	v.insn_count = 40;			/* clamped to 16 */
	intercept_build_memory(&m, 0x80000001, 6, &v, &mem);
	assert_int_equal(m.header.message_type, 0x80000001);
	assert_int_equal(b[5], 2);			/* EXECUTE */
	assert_int_equal(b[44], 16);
	assert_int_equal(b[45], 0);			/* gva not valid */
	for (unsigned i = 48; i < 56; i++)
		assert_int_equal(b[i], 0);		/* so no gva either */
}

static void test_real_mode_state(void **state)
{
	struct intercept_vp_view v = view();

	(void)state;
	v.cr0 = 0x10;				/* ET only: real mode, CPL 0 */
	v.efer = 0;
	v.interrupt_shadow = false;
	v.interruption_pending = true;
	assert_int_equal(intercept_execution_state(&v), 0x40);
}

static void test_header_only_and_opaque(void **state)
{
	struct intercept_vp_view v = view();
	struct hv_message m;
	uint8_t e[256] = { 0 };

	(void)state;
	memset(&m, 0xcc, sizeof(m));
	intercept_build_header_only(&m, 0x80000021, 4, &v);
	expect_msg_header(e, 0x80000021, 40, 4);
	expect_header(e, 1, 2);
	assert_memory_equal(&m, e, sizeof(e));

	memset(e, 0, sizeof(e));
	intercept_build_opaque(&m, 4, 3);
	expect_msg_header(e, 0x8000003f, 4, 4);
	put(e, P, 3, 4);
	assert_memory_equal(&m, e, sizeof(e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_io_out_byte),
		cmocka_unit_test(test_io_in_rep_string),
		cmocka_unit_test(test_memory_unmapped),
		cmocka_unit_test(test_memory_gpa_intercept_no_gva),
		cmocka_unit_test(test_real_mode_state),
		cmocka_unit_test(test_header_only_and_opaque),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
