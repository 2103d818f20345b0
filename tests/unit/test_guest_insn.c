/*
 * Host unit tests for arch/x86/guest_insn.c: the walk of a guest's page
 * tables (no paging, 32-bit with 4 KiB and 4 MiB pages, PAE, 4-level with
 * 4 KiB, 2 MiB and 1 GiB pages), reads that cross pages and stop at an
 * unmapped one, and the MOV-to/from-CR decoder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/guest_insn.h"
#include "arch/x86/cpu.h"
#include "core/vcpu.h"

/* ---- a small guest-physical memory -------------------------------------- */

#define MEM_SIZE	(64 * 4096)
static uint8_t mem[MEM_SIZE];
static unsigned reads;

static bool mem_read(void *ctx, gpa_t at, void *buf, size_t len)
{
	uint64_t gpa = gpa_val(at);

	(void)ctx;
	reads++;
	/* the walker promises reads within one page */
	assert_true((gpa & 4095) + len <= 4096);
	if (gpa >= MEM_SIZE || gpa + len > MEM_SIZE)
		return false;
	memcpy(buf, mem + gpa, len);
	return true;
}

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(mem + gpa, &v, 4);
}

static size_t rd(const struct guest_paging *pg, uint64_t la, void *buf, size_t len)
{
	return guest_read_linear(pg, la, buf, len, mem_read, NULL);
}

static int setup(void **state)
{
	(void)state;
	memset(mem, 0, sizeof(mem));
	for (unsigned i = 0; i < MEM_SIZE; i += 4096)
		memset(mem + i + 0x800, (int)(0x10 + i / 4096), 0x800);	/* page i's mark */
	reads = 0;
	return 0;
}

#define MARK(page)	((uint8_t)(0x10 + (page)))

/* ---- page walks ---------------------------------------------------------- */

static void paging_off_is_physical(void **state)
{
	const struct guest_paging pg = { CR0_PE, 0, 0, 0 };
	uint8_t b[4];

	(void)state;
	assert_int_equal(rd(&pg, 0x3800, b, 4), 4);
	assert_int_equal(b[0], MARK(3));
	/* outside the partition's memory: nothing */
	assert_int_equal(rd(&pg, MEM_SIZE + 0x800, b, 4), 0);
}

/* 4-level: PML4 at page 1, PDPT at 2, PD at 3, PT at 4. */
static void long_mode_4k_2m_1g(void **state)
{
	const struct guest_paging pg = { CR0_PE | CR0_PG, 0x1000, CR4_PAE, EFER_LME | EFER_LMA };
	uint8_t b[4];

	(void)state;
	put64(0x1000 + 0 * 8, 0x2000 | 1);
	put64(0x2000 + 0 * 8, 0x3000 | 1);		/* 0-1 GiB: through the PD */
	put64(0x2000 + 1 * 8, 0x0 | 0x81);		/* 1-2 GiB: a 1 GiB page at 0 */
	put64(0x3000 + 0 * 8, 0x4000 | 1);		/* 0-2 MiB: through the PT */
	put64(0x3000 + 1 * 8, 0x0 | 0x81);		/* 2-4 MiB: a 2 MiB page at 0 */
	put64(0x4000 + 5 * 8, 0x7000 | 1);		/* 0x5000 -> page 7 */

	assert_int_equal(rd(&pg, 0x5800, b, 4), 4);
	assert_int_equal(b[0], MARK(7));
	assert_int_equal(rd(&pg, 0x200000 + 0x9800, b, 4), 4);	/* 2 MiB page: offset kept */
	assert_int_equal(b[0], MARK(9));
	assert_int_equal(rd(&pg, 0x40000000 + 0xa800, b, 4), 4);	/* 1 GiB page */
	assert_int_equal(b[0], MARK(10));
	assert_int_equal(rd(&pg, 0x6800, b, 4), 0);		/* PTE not present */
	assert_int_equal(rd(&pg, 0x80000000, b, 4), 0);		/* PDPTE not present */
}

static void long_mode_five_levels(void **state)
{
	const struct guest_paging pg = { CR0_PE | CR0_PG, 0x1000, CR4_PAE | CR4_LA57,
					 EFER_LME | EFER_LMA };
	uint8_t b[4];

	(void)state;
	put64(0x1000, 0x2000 | 1);		/* PML5 */
	put64(0x2000, 0x3000 | 1);		/* PML4 */
	put64(0x3000, 0x4000 | 1);		/* PDPT */
	put64(0x4000, 0x5000 | 1);		/* PD */
	put64(0x5000 + 2 * 8, 0xb000 | 1);	/* 0x2000 -> page 11 */
	assert_int_equal(rd(&pg, 0x2800, b, 4), 4);
	assert_int_equal(b[0], MARK(11));
}

/* PAE: PDPTEs at CR3 (32-byte aligned), PD at page 2, PT at page 3. */
static void pae_paging(void **state)
{
	const struct guest_paging pg = { CR0_PE | CR0_PG, 0x1020, CR4_PAE, 0 };
	uint8_t b[4];

	(void)state;
	put64(0x1020 + 3 * 8, 0x2000 | 1);		/* 3-4 GiB */
	put64(0x2000 + 0 * 8, 0x3000 | 1);
	put64(0x2000 + 1 * 8, 0x0 | 0x81);		/* 2 MiB page */
	put64(0x3000 + 4 * 8, 0xc000 | 1);
	assert_int_equal(rd(&pg, 0xc0004800, b, 4), 4);
	assert_int_equal(b[0], MARK(12));
	assert_int_equal(rd(&pg, 0xc0200000 + 0xd800, b, 4), 4);
	assert_int_equal(b[0], MARK(13));
	assert_int_equal(rd(&pg, 0x00004800, b, 4), 0);	/* PDPTE 0 not present */
}

/* 32-bit paging: PD at page 1, PT at page 2; 4 MiB pages only with CR4.PSE. */
static void legacy_paging(void **state)
{
	struct guest_paging pg = { CR0_PE | CR0_PG, 0x1000, CR4_PSE, 0 };
	uint8_t b[4];

	(void)state;
	put32(0x1000 + 0 * 4, 0x2000 | 1);
	put32(0x1000 + 1 * 4, 0x0 | 0x81);		/* 4-8 MiB: a 4 MiB page at 0 */
	put32(0x2000 + 3 * 4, 0xe000 | 1);
	assert_int_equal(rd(&pg, 0x3800, b, 4), 4);
	assert_int_equal(b[0], MARK(14));
	assert_int_equal(rd(&pg, 0x400000 + 0xf800, b, 4), 4);
	assert_int_equal(b[0], MARK(15));
	/* without PSE the PS bit means nothing: entry 1 is a page table at 0 */
	pg.cr4 = 0;
	put32(0x0000 + 0xf * 4, 0x5000 | 1);
	assert_int_equal(rd(&pg, 0x400000 + 0xf800, b, 4), 4);
	assert_int_equal(b[0], MARK(5));
}

/* A read across a page boundary goes page by page and stops at the first hole. */
static void reads_cross_pages(void **state)
{
	const struct guest_paging pg = { CR0_PE | CR0_PG, 0x1000, CR4_PAE, EFER_LME | EFER_LMA };
	uint8_t b[16];

	(void)state;
	put64(0x1000, 0x2000 | 1);
	put64(0x2000, 0x3000 | 1);
	put64(0x3000, 0x4000 | 1);
	put64(0x4000 + 5 * 8, 0x7000 | 1);
	put64(0x4000 + 6 * 8, 0x9000 | 1);		/* 0x6000 -> page 9, not page 8 */
	assert_int_equal(rd(&pg, 0x6000 - 4, b, 8), 8);
	assert_int_equal(b[0], MARK(7));
	assert_int_equal(b[4], 0);			/* page 9's first half is zero */
	memset(b, 0xee, sizeof(b));
	assert_int_equal(rd(&pg, 0x7000 - 4, b, 8), 4);	/* 0x7000 is not mapped */
	assert_int_equal(b[4], 0xee);
}

/* ---- MOV CR decoding ------------------------------------------------------- */

static void decode(const char *what, const uint8_t *b, size_t n, bool mode64, bool ok,
		   unsigned cr, unsigned gpr, unsigned len, bool to)
{
	struct mov_cr m = { 0xff, 0xff, 0xff, false };
	bool got = x86_decode_mov_cr(b, n, mode64, &m);

	if (got != ok)
		fail_msg("%s: decoded %d, expected %d", what, got, ok);
	if (!ok)
		return;
	if (m.cr != cr || m.gpr != gpr || m.len != len || m.to_cr != to)
		fail_msg("%s: cr %u gpr %u len %u to %d", what, m.cr, m.gpr, m.len, m.to_cr);
}

static void mov_cr_forms(void **state)
{
	static const uint8_t to_cr4_rax[] = { 0x0f, 0x22, 0xe0 };
	static const uint8_t to_cr4_r9[] = { 0x41, 0x0f, 0x22, 0xe1 };
	static const uint8_t from_cr8[] = { 0x44, 0x0f, 0x20, 0xc0 };
	static const uint8_t to_cr0_prefixed[] = { 0x66, 0x2e, 0x48, 0x0f, 0x22, 0xc3 };
	static const uint8_t rex_then_legacy[] = { 0x41, 0x66, 0x0f, 0x22, 0xe1 };
	static const uint8_t lock_cr0[] = { 0xf0, 0x0f, 0x22, 0xc0 };
	static const uint8_t mod_ignored[] = { 0x0f, 0x22, 0x20 };	/* mod 00 is still a register */
	static const uint8_t other[] = { 0x0f, 0x01, 0xd8 };
	static const uint8_t short_insn[] = { 0x0f, 0x22 };

	(void)state;
	decode("mov %rax,%cr4", to_cr4_rax, 3, true, true, 4, GPR_RAX, 3, true);
	decode("mov %eax,%cr4 (32-bit)", to_cr4_rax, 3, false, true, 4, GPR_RAX, 3, true);
	decode("mov %r9,%cr4", to_cr4_r9, 4, true, true, 4, GPR_R9, 4, true);
	/* outside 64-bit mode 0x41 is INC ECX, not a prefix */
	decode("41 outside 64-bit mode", to_cr4_r9, 4, false, false, 0, 0, 0, false);
	decode("mov %cr8,%rax", from_cr8, 4, true, true, 8, GPR_RAX, 4, false);
	decode("prefixes", to_cr0_prefixed, 6, true, true, 0, GPR_RBX, 6, true);
	/* a legacy prefix after REX cancels it */
	decode("REX then 66", rex_then_legacy, 5, true, true, 4, GPR_RCX, 5, true);
	decode("lock mov %eax,%cr0 is CR8", lock_cr0, 4, false, true, 8, GPR_RAX, 4, true);
	decode("mod bits", mod_ignored, 3, true, true, 4, GPR_RAX, 3, true);
	decode("VMRUN", other, 3, true, false, 0, 0, 0, false);
	decode("truncated", short_insn, 2, true, false, 0, 0, 0, false);
	decode("truncated by n", to_cr4_r9, 3, true, false, 0, 0, 0, false);
}

/* Fifteen prefixes leave no room for the instruction: refused, not read past. */
static void too_many_prefixes(void **state)
{
	uint8_t b[20];

	(void)state;
	memset(b, 0x66, sizeof(b));
	b[15] = 0x0f;
	b[16] = 0x22;
	b[17] = 0xe0;
	decode("15 prefixes", b, sizeof(b), true, false, 0, 0, 0, false);
	decode("12 prefixes", b + 3, 15, true, true, 4, GPR_RAX, 15, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(paging_off_is_physical, setup),
		cmocka_unit_test_setup(long_mode_4k_2m_1g, setup),
		cmocka_unit_test_setup(long_mode_five_levels, setup),
		cmocka_unit_test_setup(pae_paging, setup),
		cmocka_unit_test_setup(legacy_paging, setup),
		cmocka_unit_test_setup(reads_cross_pages, setup),
		cmocka_unit_test(mov_cr_forms),
		cmocka_unit_test(too_many_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
