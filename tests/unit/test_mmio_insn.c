/*
 * Host unit tests for the MMIO instruction decoder (core/mmio_insn.c).
 * Every byte string is what GNU as assembles for the instruction in the
 * comment beside it (objdump -d, or -m i8086 for 16-bit code); each
 * decoded one is also shown refused when cut one byte short anywhere.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/mmio_insn.h"
#include "core/vcpu.h"

struct insn_case {
	const char *text;
	unsigned mode;
	uint8_t bytes[16];
	uint8_t len;		/* also the bytes given */
	bool write, xchg, has_imm, high8;
	uint8_t size, reg, ext, dst_size;
	uint64_t imm;
};

#define R(...)	{ __VA_ARGS__ }

static const struct insn_case cases[] = {
	/* 64-bit code: what Linux does to the local APIC and I/O APIC */
	{ "mov %eax,0x300(%rdx)", 64, R(0x89, 0x82, 0x00, 0x03, 0x00, 0x00), 6,
	  .write = true, .size = 4, .reg = GPR_RAX, .dst_size = 4 },
	{ "mov 0x20(%rax),%eax", 64, R(0x8b, 0x40, 0x20), 3,
	  .size = 4, .reg = GPR_RAX, .dst_size = 4 },
	{ "movl $0x0,0xb0(%rip)", 64, R(0xc7, 0x05, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), 10,
	  .write = true, .has_imm = true, .size = 4, .dst_size = 4, .imm = 0 },
	{ "mov %r9d,(%r10)", 64, R(0x45, 0x89, 0x0a), 3,
	  .write = true, .size = 4, .reg = GPR_R9, .dst_size = 4 },
	{ "movb $1,(%rax)", 64, R(0xc6, 0x00, 0x01), 3,
	  .write = true, .has_imm = true, .size = 1, .dst_size = 1, .imm = 1 },
	{ "mov %ah,(%rbx)", 64, R(0x88, 0x23), 2,
	  .write = true, .high8 = true, .size = 1, .reg = GPR_RAX, .dst_size = 1 },
	{ "movzwl (%rdi),%eax", 64, R(0x0f, 0xb7, 0x07), 3,
	  .size = 2, .reg = GPR_RAX, .ext = MMIO_EXT_ZERO, .dst_size = 4 },
	{ "xchg %eax,(%rdx)", 64, R(0x87, 0x02), 2,
	  .write = true, .xchg = true, .size = 4, .reg = GPR_RAX, .dst_size = 4 },
	{ "mov %rax,(%rdx)", 64, R(0x48, 0x89, 0x02), 3,
	  .write = true, .size = 8, .reg = GPR_RAX, .dst_size = 8 },
	{ "mov %eax,(%esi)", 64, R(0x67, 0x89, 0x06), 3,
	  .write = true, .size = 4, .reg = GPR_RAX, .dst_size = 4 },
	{ "mov %fs:0x10,%eax", 64, R(0x64, 0x8b, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00), 8,
	  .size = 4, .reg = GPR_RAX, .dst_size = 4 },
	{ "movq $-2,0x8(%r13)", 64, R(0x49, 0xc7, 0x45, 0x08, 0xfe, 0xff, 0xff, 0xff), 8,
	  .write = true, .has_imm = true, .size = 8, .dst_size = 8, .imm = 0xfffffffffffffffeull },
	{ "mov 0x0(%r13),%r11d", 64, R(0x45, 0x8b, 0x5d, 0x00), 4,
	  .size = 4, .reg = GPR_R11, .dst_size = 4 },
	{ "mov (%rsp),%ecx", 64, R(0x8b, 0x0c, 0x24), 3,
	  .size = 4, .reg = GPR_RCX, .dst_size = 4 },
	{ "mov 0x12345678(,%rcx,4),%edx", 64, R(0x8b, 0x14, 0x8d, 0x78, 0x56, 0x34, 0x12), 7,
	  .size = 4, .reg = GPR_RDX, .dst_size = 4 },
	{ "movsbl 0x1(%rbx),%esi", 64, R(0x0f, 0xbe, 0x73, 0x01), 4,
	  .size = 1, .reg = GPR_RSI, .ext = MMIO_EXT_SIGN, .dst_size = 4 },
	{ "movswq (%rax),%r8", 64, R(0x4c, 0x0f, 0xbf, 0x00), 4,
	  .size = 2, .reg = GPR_R8, .ext = MMIO_EXT_SIGN, .dst_size = 8 },
	{ "mov %sil,(%rax)", 64, R(0x40, 0x88, 0x30), 3,
	  .write = true, .size = 1, .reg = GPR_RSI, .dst_size = 1 },
	{ "mov %ax,(%rdx)", 64, R(0x66, 0x89, 0x02), 3,
	  .write = true, .size = 2, .reg = GPR_RAX, .dst_size = 2 },
	{ "movw $0x1234,(%rdx)", 64, R(0x66, 0xc7, 0x02, 0x34, 0x12), 5,
	  .write = true, .has_imm = true, .size = 2, .dst_size = 2, .imm = 0x1234 },
	{ "movabs 0xfee00030,%eax", 64, R(0xa1, 0x30, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00), 9,
	  .size = 4, .reg = GPR_RAX, .dst_size = 4 },
	{ "addr32 mov 0xfee00030,%eax", 64, R(0x67, 0xa1, 0x30, 0x00, 0xe0, 0xfe), 6,
	  .size = 4, .reg = GPR_RAX, .dst_size = 4 },
	{ "lock xchg %rcx,(%rdx)", 64, R(0xf0, 0x48, 0x87, 0x0a), 4,
	  .write = true, .xchg = true, .size = 8, .reg = GPR_RCX, .dst_size = 8 },
	{ "movzbl (%rdx),%eax", 64, R(0x0f, 0xb6, 0x02), 3,
	  .size = 1, .reg = GPR_RAX, .ext = MMIO_EXT_ZERO, .dst_size = 4 },
	{ "mov 0x0(%rbp),%dh", 64, R(0x8a, 0x75, 0x00), 3,
	  .high8 = true, .size = 1, .reg = GPR_RDX, .dst_size = 1 },
	/* 32-bit code (CS.D=1) */
	{ "mov 0xfee000f0,%eax", 32, R(0xa1, 0xf0, 0x00, 0xe0, 0xfe), 5,
	  .size = 4, .reg = GPR_RAX, .dst_size = 4 },
	{ "mov %eax,0xfee000b0", 32, R(0xa3, 0xb0, 0x00, 0xe0, 0xfe), 5,
	  .write = true, .size = 4, .reg = GPR_RAX, .dst_size = 4 },
	{ "mov %ecx,0x300(%edx)", 32, R(0x89, 0x8a, 0x00, 0x03, 0x00, 0x00), 6,
	  .write = true, .size = 4, .reg = GPR_RCX, .dst_size = 4 },
	{ "mov (%bx,%si),%eax", 32, R(0x67, 0x8b, 0x00), 3,
	  .size = 4, .reg = GPR_RAX, .dst_size = 4 },
	{ "movl $0x12345678,0x10(%esp)", 32, R(0xc7, 0x44, 0x24, 0x10, 0x78, 0x56, 0x34, 0x12), 8,
	  .write = true, .has_imm = true, .size = 4, .dst_size = 4, .imm = 0x12345678 },
	{ "movw $0x1234,(%eax)", 32, R(0x66, 0xc7, 0x00, 0x34, 0x12), 5,
	  .write = true, .has_imm = true, .size = 2, .dst_size = 2, .imm = 0x1234 },
	/* 16-bit code */
	{ "mov %ax,(%bx)", 16, R(0x89, 0x07), 2,
	  .write = true, .size = 2, .reg = GPR_RAX, .dst_size = 2 },
	{ "mov 0x1234,%ax", 16, R(0xa1, 0x34, 0x12), 3,
	  .size = 2, .reg = GPR_RAX, .dst_size = 2 },
	{ "mov 0x0(%bp),%al", 16, R(0x8a, 0x46, 0x00), 3,
	  .size = 1, .reg = GPR_RAX, .dst_size = 1 },
	{ "mov %eax,0x12(%si)", 16, R(0x66, 0x89, 0x44, 0x12), 4,
	  .write = true, .size = 4, .reg = GPR_RAX, .dst_size = 4 },
	{ "movw $0x5,0x1234", 16, R(0xc7, 0x06, 0x34, 0x12, 0x05, 0x00), 6,
	  .write = true, .has_imm = true, .size = 2, .dst_size = 2, .imm = 5 },
	{ "mov (%eax),%cx", 16, R(0x67, 0x8b, 0x08), 3,
	  .size = 2, .reg = GPR_RCX, .dst_size = 2 },
	{ "movl $0x7,(%bx,%di)", 16, R(0x66, 0xc7, 0x01, 0x07, 0x00, 0x00, 0x00), 7,
	  .write = true, .has_imm = true, .size = 4, .dst_size = 4, .imm = 7 },
	{ "mov 0x1234(%bx),%dl", 16, R(0x8a, 0x97, 0x34, 0x12), 4,
	  .size = 1, .reg = GPR_RDX, .dst_size = 1 },
};

static void check_case(const struct insn_case *c)
{
	struct mmio_insn d;
	uint8_t buf[16];

	print_message("%s\n", c->text);
	assert_true(mmio_insn_decode(c->bytes, c->len, c->mode, &d));
	assert_int_equal(d.len, c->len);
	assert_int_equal(d.write, c->write);
	assert_int_equal(d.xchg, c->xchg);
	assert_int_equal(d.size, c->size);
	assert_int_equal(d.has_imm, c->has_imm);
	if (c->has_imm)
		assert_int_equal(d.imm, c->imm);
	else
		assert_int_equal(d.reg, c->reg);
	assert_int_equal(d.high8, c->high8);
	if (!c->write || c->xchg) {
		assert_int_equal(d.ext, c->ext);
		assert_int_equal(d.dst_size, c->dst_size);
	}
	/* the rest of the 16 bytes the hypervisor read do not change it */
	memset(buf, 0x90, sizeof(buf));
	memcpy(buf, c->bytes, c->len);
	assert_true(mmio_insn_decode(buf, sizeof(buf), c->mode, &d));
	assert_int_equal(d.len, c->len);
	/* one byte short anywhere: refused */
	for (unsigned n = 0; n < c->len; n++)
		assert_false(mmio_insn_decode(c->bytes, n, c->mode, &d));
}

static void test_encodings(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

static void test_refused(void **state)
{
	static const struct {
		const char *text;
		unsigned mode;
		uint8_t bytes[16];
		uint8_t n;
	} bad[] = {
		{ "mov %eax,%ecx (a register, no memory)", 64, R(0x89, 0xc1), 2 },
		{ "movl $1,%eax (C7 mod 11)", 64, R(0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00), 6 },
		{ "C7 /1 (not a MOV)", 64, R(0xc7, 0x08, 0x01, 0x00, 0x00, 0x00), 6 },
		{ "lock mov %eax,(%rdx) (#UD)", 64, R(0xf0, 0x89, 0x02), 3 },
		{ "add %eax,(%rdx)", 64, R(0x01, 0x02), 2 },
		{ "rep movsb", 64, R(0xf3, 0xa4), 2 },
		{ "0F 00 (not MOVZX/MOVSX)", 64, R(0x0f, 0x00, 0x00), 3 },
		{ "inc %eax; mov (%edx),%eax in 32-bit code", 32, R(0x40, 0x8b, 0x02), 3 },
		{ "16 bytes: 14 prefixes, then mov", 64,
		  R(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		    0x89, 0x02), 16 },
		{ "mode 8", 8, R(0x89, 0x02), 2 },
	};
	struct mmio_insn d;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i].text);
		assert_false(mmio_insn_decode(bad[i].bytes, bad[i].n, bad[i].mode, &d));
	}
}

static void test_prefix_rules(void **state)
{
	/* 13 prefixes, opcode, ModRM: 15 bytes, the most there can be */
	static const uint8_t longest[] = { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
					   0x66, 0x66, 0x66, 0x66, 0x89, 0x02 };
	/* REX.W then 66: the REX is ignored (not last), a 16-bit store of AX */
	static const uint8_t rex_not_last[] = { 0x48, 0x66, 0x89, 0x02 };
	/* 66 with REX.W: REX.W wins, 8 bytes */
	static const uint8_t rexw_66[] = { 0x66, 0x48, 0x89, 0x02 };
	/* REX.B/X change nothing in the length: mov %eax,(%r12) with a SIB, 41 89 04 24 */
	static const uint8_t rexb_sib[] = { 0x41, 0x89, 0x04, 0x24 };
	/* mov %ah,(%rax) with an empty REX is mov %spl,(%rax): 40 88 20 */
	static const uint8_t spl[] = { 0x40, 0x88, 0x20 };
	struct mmio_insn d;

	(void)state;
	assert_true(mmio_insn_decode(longest, sizeof(longest), 64, &d));
	assert_int_equal(d.len, 15);
	assert_int_equal(d.size, 2);
	assert_true(mmio_insn_decode(rex_not_last, sizeof(rex_not_last), 64, &d));
	assert_int_equal(d.size, 2);
	assert_int_equal(d.len, 4);
	assert_true(mmio_insn_decode(rexw_66, sizeof(rexw_66), 64, &d));
	assert_int_equal(d.size, 8);
	assert_true(mmio_insn_decode(rexb_sib, sizeof(rexb_sib), 64, &d));
	assert_int_equal(d.len, 4);
	assert_int_equal(d.reg, GPR_RAX);
	assert_true(mmio_insn_decode(spl, sizeof(spl), 64, &d));
	assert_false(d.high8);
	assert_int_equal(d.reg, GPR_RSP);
}

static struct mmio_insn decoded(const uint8_t *b, size_t n, unsigned mode)
{
	struct mmio_insn d;

	assert_true(mmio_insn_decode(b, n, mode, &d));
	return d;
}

static void test_load(void **state)
{
	static const uint8_t mov32[] = { 0x8b, 0x40, 0x20 };		/* mov 0x20(%rax),%eax */
	static const uint8_t mov64[] = { 0x48, 0x8b, 0x02 };		/* mov (%rdx),%rax */
	static const uint8_t mov16[] = { 0x66, 0x8b, 0x02 };		/* mov (%rdx),%ax */
	static const uint8_t mov8[] = { 0x8a, 0x02 };			/* mov (%rdx),%al */
	static const uint8_t movdh[] = { 0x8a, 0x75, 0x00 };		/* mov 0x0(%rbp),%dh */
	static const uint8_t movzwl[] = { 0x0f, 0xb7, 0x07 };		/* movzwl (%rdi),%eax */
	static const uint8_t movsbl[] = { 0x0f, 0xbe, 0x73, 0x01 };	/* movsbl 0x1(%rbx),%esi */
	static const uint8_t movswq[] = { 0x4c, 0x0f, 0xbf, 0x00 };	/* movswq (%rax),%r8 */
	static const uint8_t movsbw[] = { 0x66, 0x0f, 0xbe, 0x02 };	/* movsbw (%rdx),%ax */
	const uint64_t old = 0x1122334455667788ull;
	struct mmio_insn d;

	(void)state;
	d = decoded(mov32, sizeof(mov32), 64);
	assert_int_equal(mmio_insn_load(&d, old, 0xaabbccddeeff0011ull, 64), 0xeeff0011ull);
	/* outside 64-bit mode the upper half is not touched */
	d = decoded(mov32, sizeof(mov32), 32);
	assert_int_equal(mmio_insn_load(&d, old, 0xeeff0011ull, 32), 0x11223344eeff0011ull);
	d = decoded(mov64, sizeof(mov64), 64);
	assert_int_equal(mmio_insn_load(&d, old, 0xaabbccddeeff0011ull, 64), 0xaabbccddeeff0011ull);
	d = decoded(mov16, sizeof(mov16), 64);
	assert_int_equal(mmio_insn_load(&d, old, 0xabcd, 64), 0x112233445566abcdull);
	d = decoded(mov8, sizeof(mov8), 64);
	assert_int_equal(mmio_insn_load(&d, old, 0x1ab, 64), 0x11223344556677abull);
	d = decoded(movdh, sizeof(movdh), 64);
	assert_int_equal(mmio_insn_load(&d, old, 0xab, 64), 0x112233445566ab88ull);
	d = decoded(movzwl, sizeof(movzwl), 64);
	assert_int_equal(mmio_insn_load(&d, old, 0x8001, 64), 0x8001);
	d = decoded(movsbl, sizeof(movsbl), 64);
	assert_int_equal(mmio_insn_load(&d, old, 0x80, 64), 0xffffff80ull);
	assert_int_equal(mmio_insn_load(&d, old, 0x7f, 64), 0x7f);
	d = decoded(movswq, sizeof(movswq), 64);
	assert_int_equal(mmio_insn_load(&d, old, 0x8001, 64), 0xffffffffffff8001ull);
	d = decoded(movsbw, sizeof(movsbw), 64);
	assert_int_equal(mmio_insn_load(&d, old, 0xfe, 64), 0x112233445566fffeull);
}

static void test_store_value(void **state)
{
	static const uint8_t mov32[] = { 0x89, 0x82, 0x00, 0x03, 0x00, 0x00 };	/* mov %eax,0x300(%rdx) */
	static const uint8_t movah[] = { 0x88, 0x23 };				/* mov %ah,(%rbx) */
	static const uint8_t movw[] = { 0x66, 0x89, 0x02 };			/* mov %ax,(%rdx) */
	static const uint8_t movq[] = { 0x48, 0x89, 0x02 };			/* mov %rax,(%rdx) */
	static const uint8_t movb1[] = { 0xc6, 0x00, 0x01 };			/* movb $1,(%rax) */
	static const uint8_t movqm2[] = { 0x49, 0xc7, 0x45, 0x08, 0xfe, 0xff, 0xff, 0xff };
	static const uint8_t movlm2[] = { 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff };	/* movl $-2,(%rax) */
	static const uint8_t xchg[] = { 0x87, 0x02 };				/* xchg %eax,(%rdx) */
	const uint64_t rax = 0x1122334455667788ull;
	struct mmio_insn d;

	(void)state;
	d = decoded(mov32, sizeof(mov32), 64);
	assert_int_equal(mmio_insn_store_value(&d, rax), 0x55667788ull);
	d = decoded(movah, sizeof(movah), 64);
	assert_int_equal(mmio_insn_store_value(&d, rax), 0x77);
	d = decoded(movw, sizeof(movw), 64);
	assert_int_equal(mmio_insn_store_value(&d, rax), 0x7788);
	d = decoded(movq, sizeof(movq), 64);
	assert_int_equal(mmio_insn_store_value(&d, rax), rax);
	d = decoded(movb1, sizeof(movb1), 64);
	assert_int_equal(mmio_insn_store_value(&d, rax), 1);
	d = decoded(movqm2, sizeof(movqm2), 64);
	assert_int_equal(mmio_insn_store_value(&d, rax), 0xfffffffffffffffeull);
	d = decoded(movlm2, sizeof(movlm2), 64);
	assert_int_equal(mmio_insn_store_value(&d, rax), 0xfffffffeull);
	/* XCHG: the register goes out, the old memory value comes back in */
	d = decoded(xchg, sizeof(xchg), 64);
	assert_int_equal(mmio_insn_store_value(&d, rax), 0x55667788ull);
	assert_int_equal(mmio_insn_load(&d, rax, 0xdeadbeef, 64), 0xdeadbeefull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_prefix_rules),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_store_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
