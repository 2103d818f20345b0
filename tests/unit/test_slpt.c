/*
 * Host unit tests for core/slpt.c: the generic second-level page-table
 * builder, driven through an NPT-like test format and a counting page
 * allocator over a static pool.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/slpt.h"

/* ---- test page allocator ------------------------------------------------ */

#define POOL_PAGES	64
#define POOL_BASE	0x7700000ull	/* pa of pool page 0; never 0 */
#define UNLIMITED	(~0u)

static uint8_t pool[POOL_PAGES][PAGE_SIZE] __aligned(PAGE_SIZE);

static struct test_mem {
	bool used[POOL_PAGES];
	unsigned in_use;	/* pages handed out and not freed */
	unsigned allocs;	/* successful allocations so far */
	unsigned limit;		/* allocations allowed in all; UNLIMITED for no limit */
} mem;

static unsigned page_index(paddr_t pa)
{
	assert_true(pa >= POOL_BASE);
	assert_true(pa % PAGE_SIZE == 0);
	assert_true((pa - POOL_BASE) / PAGE_SIZE < POOL_PAGES);
	return (unsigned)((pa - POOL_BASE) / PAGE_SIZE);
}

static paddr_t test_alloc_page(void *ctx)
{
	struct test_mem *m = ctx;

	if (m->allocs >= m->limit)
		return 0;
	for (unsigned i = 0; i < POOL_PAGES; i++) {
		if (m->used[i])
			continue;
		m->used[i] = true;
		m->in_use++;
		m->allocs++;
		memset(pool[i], 0, PAGE_SIZE);
		return POOL_BASE + (paddr_t)i * PAGE_SIZE;
	}
	fail_msg("test pool exhausted");
	return 0;
}

static void test_free_page(void *ctx, paddr_t pa)
{
	struct test_mem *m = ctx;
	unsigned i = page_index(pa);

	assert_true(m->used[i]);		/* no double or wild free */
	m->used[i] = false;
	m->in_use--;
	memset(pool[i], 0xa5, PAGE_SIZE);	/* stale data must not be relied on */
}

static void *test_to_virt(void *ctx, paddr_t pa)
{
	struct test_mem *m = ctx;
	unsigned i = page_index(pa);

	assert_true(m->used[i]);		/* only live table pages are touched */
	return pool[i];
}

static const struct slpt_alloc alloc = {
	.alloc_page = test_alloc_page,
	.free_page = test_free_page,
	.to_virt = test_to_virt,
	.ctx = &mem,
};

/* ---- NPT-like test format ----------------------------------------------- */

#define PTE_P		(1ull << 0)
#define PTE_W		(1ull << 1)
#define PTE_US		(1ull << 2)
#define PTE_PS		(1ull << 7)
#define PTE_NX		(1ull << 63)
#define PTE_ADDR	0x000ffffffffff000ull

#define LVL_SIZE(l)	((uint64_t)1 << (12 + 9 * ((l) - 1)))

static uint64_t npt_leaf(paddr_t hpa, unsigned perms, enum mem_cache type, unsigned level)
{
	(void)type;
	assert_true(level >= 1 && level <= 3);
	assert_true(hpa % LVL_SIZE(level) == 0);
	return hpa | PTE_P | (perms & SLP_W ? PTE_W : 0) | PTE_US |
	       (level >= 2 ? PTE_PS : 0) | (perms & SLP_X ? 0 : PTE_NX);
}

static uint64_t npt_table(paddr_t hpa)
{
	assert_true(hpa % PAGE_SIZE == 0);
	return hpa | 7;
}

static bool npt_present(uint64_t pte)
{
	return pte & PTE_P;
}

static bool npt_is_leaf(uint64_t pte, unsigned level)
{
	return level == 1 || (pte & PTE_PS);
}

static paddr_t npt_addr(uint64_t pte)
{
	return pte & PTE_ADDR;
}

static unsigned splits;

static uint64_t npt_split(uint64_t pte, unsigned level, unsigned i)
{
	assert_true(level >= 2 && level <= 3);
	assert_true(i < 512);
	assert_true(pte & PTE_P && pte & PTE_PS);
	if (i == 0)
		splits++;
	return (pte & ~(PTE_ADDR | PTE_PS)) | (npt_addr(pte) + i * LVL_SIZE(level - 1)) |
	       (level - 1 >= 2 ? PTE_PS : 0);
}

static const struct slpt_format npt = {
	.leaf = npt_leaf,
	.table = npt_table,
	.present = npt_present,
	.is_leaf = npt_is_leaf,
	.addr = npt_addr,
	.split = npt_split,
};

/* ---- fixtures and helpers ----------------------------------------------- */

static struct slpt t;

static void reset_mem(unsigned limit)
{
	memset(&mem, 0, sizeof(mem));
	mem.limit = limit;
	splits = 0;
	memset(&t, 0, sizeof(t));
}

static int setup(void **state)
{
	(void)state;
	reset_mem(UNLIMITED);
	assert_true(slpt_init(&t, &npt, &alloc));
	return 0;
}

static int setup_bare(void **state)
{
	(void)state;
	reset_mem(UNLIMITED);
	return 0;
}

/* Table pages reachable from the table at pa (of `level`), itself included. */
static unsigned reachable(paddr_t pa, unsigned level)
{
	const uint64_t *tab = test_to_virt(&mem, pa);
	unsigned n = 1;

	for (unsigned i = 0; level > 1 && i < 512; i++)
		if (npt_present(tab[i]) && !npt_is_leaf(tab[i], level))
			n += reachable(npt_addr(tab[i]), level - 1);
	return n;
}

/* table_pages, the allocator's count and the tables in the tree all agree. */
static void check_tables(unsigned want)
{
	assert_int_equal(t.table_pages, want);
	assert_int_equal(mem.in_use, want);
	if (t.root)
		assert_int_equal(reachable(t.root, 4), want);
}

/* After each test: destroy gives every page back. */
static int teardown(void **state)
{
	(void)state;
	assert_int_equal(t.table_pages, mem.in_use);
	if (t.root)
		assert_int_equal(reachable(t.root, 4), mem.in_use);
	slpt_destroy(&t);
	assert_true(t.root == 0);
	assert_int_equal(t.table_pages, 0);
	assert_int_equal(mem.in_use, 0);
	return 0;
}

/* gpa translates to hpa; returns the leaf entry. */
static uint64_t expect_mapped(uint64_t gpa, paddr_t hpa)
{
	paddr_t got = 0;
	uint64_t pte = 0;

	assert_true(slpt_lookup(&t, to_gpa(gpa), &got, &pte));
	assert_int_equal(got, hpa);
	assert_true(pte & PTE_P);
	return pte;
}

static void expect_unmapped(uint64_t gpa)
{
	paddr_t got = 0x1234;
	uint64_t pte = 0x5678;

	assert_false(slpt_lookup(&t, to_gpa(gpa), &got, &pte));
}

/* A leaf's rights: W, X (no NX) and the 2 MiB or 1 GiB PS bit. */
static void expect_rights(uint64_t pte, bool w, bool x, bool ps)
{
	assert_true(pte & PTE_US);
	assert_int_equal(!!(pte & PTE_W), w);
	assert_int_equal(!(pte & PTE_NX), x);
	assert_int_equal(!!(pte & PTE_PS), ps);
}

/* ---- tests -------------------------------------------------------------- */

static void init_allocates_only_the_root(void **state)
{
	(void)state;
	check_tables(1);
	assert_true(t.root != 0);
	expect_unmapped(0);
	expect_unmapped(GIB(1));
	expect_unmapped(0x0000fffffffff000ull);
}

static void map_4k_pages_and_look_them_up(void **state)
{
	const uint64_t gpa = 0x10000;
	const paddr_t hpa = 0x7654000;

	(void)state;
	assert_true(slpt_map(&t, to_gpa(gpa), hpa, 4 * PAGE_SIZE, SLP_R | SLP_W, MEMTYPE_WB,
			     false));
	check_tables(4);	/* root, level 3, level 2, level 1 */
	for (uint64_t i = 0; i < 4; i++) {
		uint64_t pte = expect_mapped(gpa + i * PAGE_SIZE, hpa + i * PAGE_SIZE);

		expect_rights(pte, true, false, false);
		assert_int_equal(npt_addr(pte), hpa + i * PAGE_SIZE);
		expect_mapped(gpa + i * PAGE_SIZE + 0xabc, hpa + i * PAGE_SIZE + 0xabc);
		expect_mapped(gpa + i * PAGE_SIZE + 0xfff, hpa + i * PAGE_SIZE + 0xfff);
	}
	expect_unmapped(gpa - 1);
	expect_unmapped(gpa + 4 * PAGE_SIZE);

	/* the pte argument is optional */
	paddr_t got = 0;
	assert_true(slpt_lookup(&t, to_gpa(gpa + 0x10), &got, NULL));
	assert_int_equal(got, hpa + 0x10);
}

static void map_honours_rights(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(0x1000), 0x100000, PAGE_SIZE, SLP_R, MEMTYPE_WB, false));
	assert_true(slpt_map(&t, to_gpa(0x2000), 0x101000, PAGE_SIZE, SLP_RWX, MEMTYPE_UC, false));
	assert_true(slpt_map(&t, to_gpa(0x3000), 0x102000, PAGE_SIZE, SLP_R | SLP_X, MEMTYPE_WB,
			     false));
	expect_rights(expect_mapped(0x1000, 0x100000), false, false, false);
	expect_rights(expect_mapped(0x2000, 0x101000), true, true, false);
	expect_rights(expect_mapped(0x3000, 0x102000), false, true, false);
	check_tables(4);
}

/* A run crossing level-1, level-2, level-3 and level-4 table boundaries. */
static void map_across_every_table_boundary(void **state)
{
	const uint64_t gpa = GIB(512) - 2 * PAGE_SIZE;
	const paddr_t hpa = 0x123456000;

	(void)state;
	assert_true(slpt_map(&t, to_gpa(gpa), hpa, 4 * PAGE_SIZE, SLP_RWX, MEMTYPE_WB, false));
	check_tables(1 + 3 + 3);
	for (uint64_t i = 0; i < 4; i++)
		expect_mapped(gpa + i * PAGE_SIZE + 8, hpa + i * PAGE_SIZE + 8);
	expect_unmapped(gpa - PAGE_SIZE);
	expect_unmapped(gpa + 4 * PAGE_SIZE);
	expect_unmapped(0);
}

static void lookup_of_unmapped_returns_false(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(GIB(1) + MIB(2) + 0x5000), 0x9000, PAGE_SIZE, SLP_R,
			     MEMTYPE_WB, false));
	expect_unmapped(GIB(1) + MIB(2) + 0x4000);	/* empty level-1 entry */
	expect_unmapped(GIB(1) + MIB(4));		/* empty level-2 entry */
	expect_unmapped(GIB(2));			/* empty level-3 entry */
	expect_unmapped(GIB(512));			/* empty level-4 entry */
	expect_mapped(GIB(1) + MIB(2) + 0x5000, 0x9000);
}

static void large_leaf_used_when_aligned(void **state)
{
	const uint64_t gpa = MIB(2);
	const paddr_t hpa = 0x80600000;

	(void)state;
	assert_true(slpt_map(&t, to_gpa(gpa), hpa, MIB(4), SLP_R | SLP_W, MEMTYPE_WB, true));
	check_tables(3);	/* no level-1 table */
	expect_rights(expect_mapped(gpa, hpa), true, false, true);
	assert_int_equal(npt_addr(expect_mapped(gpa + MIB(2), hpa + MIB(2))), hpa + MIB(2));
	expect_mapped(gpa + 0x1234, hpa + 0x1234);
	expect_mapped(gpa + 0x1fffff, hpa + 0x1fffff);
	expect_mapped(gpa + MIB(4) - 1, hpa + MIB(4) - 1);
	expect_unmapped(gpa - 1);
	expect_unmapped(gpa + MIB(4));
}

static void no_large_leaf_for_unaligned_or_short_ranges(void **state)
{
	(void)state;
	/* hpa not 2 MiB aligned */
	assert_true(slpt_map(&t, to_gpa(MIB(2)), 0x80601000, MIB(2), SLP_R, MEMTYPE_WB, true));
	/* gpa not 2 MiB aligned */
	assert_true(slpt_map(&t, to_gpa(MIB(4) + PAGE_SIZE), 0x80800000, MIB(2), SLP_R, MEMTYPE_WB,
			     true));
	/* both aligned but shorter than 2 MiB */
	assert_true(slpt_map(&t, to_gpa(MIB(8)), 0x80a00000, MIB(2) - PAGE_SIZE, SLP_R, MEMTYPE_WB,
			     true));
	/* aligned and long enough but `large` not set */
	assert_true(slpt_map(&t, to_gpa(MIB(10)), 0x80c00000, MIB(2), SLP_R, MEMTYPE_WB, false));

	for (uint64_t off = 0; off < MIB(2); off += 0x7f000) {
		expect_rights(expect_mapped(MIB(2) + off, 0x80601000 + off), false, false, false);
		expect_rights(expect_mapped(MIB(4) + PAGE_SIZE + off, 0x80800000 + off),
			      false, false, false);
		expect_rights(expect_mapped(MIB(10) + off, 0x80c00000 + off), false, false, false);
		if (off < MIB(2) - PAGE_SIZE)
			expect_rights(expect_mapped(MIB(8) + off, 0x80a00000 + off),
				      false, false, false);
	}
	expect_unmapped(MIB(10) - PAGE_SIZE);
	/* levels 4, 3 and 2 plus one level-1 table per 2 MiB region touched (1, 2, 3, 4, 5) */
	check_tables(3 + 5);
}

/* 4 KiB head, one 2 MiB leaf, 4 KiB tail. */
static void large_map_with_unaligned_head_and_tail(void **state)
{
	const uint64_t gpa = MIB(2) - PAGE_SIZE;
	const paddr_t hpa = GIB(1) + MIB(2) - PAGE_SIZE;

	(void)state;
	assert_true(slpt_map(&t, to_gpa(gpa), hpa, MIB(2) + 2 * PAGE_SIZE, SLP_RWX, MEMTYPE_WB,
			     true));
	expect_rights(expect_mapped(gpa, hpa), true, true, false);
	expect_rights(expect_mapped(MIB(2), hpa + PAGE_SIZE), true, true, true);
	expect_rights(expect_mapped(MIB(3) + 0x321, hpa + PAGE_SIZE + MIB(1) + 0x321),
		      true, true, true);
	expect_rights(expect_mapped(MIB(4), hpa + PAGE_SIZE + MIB(2)), true, true, false);
	expect_unmapped(gpa - PAGE_SIZE);
	expect_unmapped(MIB(4) + PAGE_SIZE);
	check_tables(3 + 2);
}

static void unmap_4k_pages(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(0x40000), 0x200000, 8 * PAGE_SIZE, SLP_R, MEMTYPE_WB,
			     false));
	slpt_unmap(&t, to_gpa(0x42000), 2 * PAGE_SIZE);
	for (uint64_t i = 0; i < 8; i++) {
		if (i == 2 || i == 3)
			expect_unmapped(0x40000 + i * PAGE_SIZE);
		else
			expect_mapped(0x40000 + i * PAGE_SIZE, 0x200000 + i * PAGE_SIZE);
	}
	/* unmapping what is not mapped is harmless */
	slpt_unmap(&t, to_gpa(0x42000), 2 * PAGE_SIZE);
	slpt_unmap(&t, to_gpa(GIB(3)), MIB(6));
	expect_mapped(0x41000, 0x201000);
	expect_mapped(0x44000, 0x204000);
	check_tables(4);
}

/* One call over a huge range with holes at every level. */
static void unmap_everything_across_holes(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(0x5000), 0x5000, PAGE_SIZE, SLP_R, MEMTYPE_WB, false));
	assert_true(slpt_map(&t, to_gpa(MIB(6)), MIB(6), MIB(2), SLP_R, MEMTYPE_WB, true));
	assert_true(slpt_map(&t, to_gpa(GIB(7)), 0x11000, PAGE_SIZE, SLP_R, MEMTYPE_WB, false));
	assert_true(slpt_map(&t, to_gpa(GIB(1024) + MIB(2)), MIB(2), MIB(2), SLP_R, MEMTYPE_WB,
			     true));
	check_tables(1 + 3 + 2 + 2);
	slpt_unmap(&t, to_gpa(0), GIB(2048));
	expect_unmapped(0x5000);
	expect_unmapped(MIB(6));
	expect_unmapped(MIB(8) - 1);
	expect_unmapped(GIB(7));
	expect_unmapped(GIB(1024) + MIB(2));
	check_tables(1 + 3 + 2 + 2);	/* tables stay until destroy, none are added */
}

static void unmap_whole_large_leaf(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(MIB(2)), GIB(2), MIB(4), SLP_RWX, MEMTYPE_WB, true));
	slpt_unmap(&t, to_gpa(MIB(2)), MIB(2));
	for (uint64_t off = 0; off < MIB(2); off += 0x3f000)
		expect_unmapped(MIB(2) + off);
	expect_rights(expect_mapped(MIB(4), GIB(2) + MIB(2)), true, true, true);
	assert_int_equal(splits, 0);
	check_tables(3);
}

/* Unmapping one page of a 2 MiB leaf splits it; the rest keeps its rights. */
static void unmap_part_of_large_leaf_splits_it(void **state)
{
	const uint64_t gpa = MIB(2);
	const paddr_t hpa = GIB(3);

	(void)state;
	assert_true(slpt_map(&t, to_gpa(gpa), hpa, MIB(2), SLP_R | SLP_W, MEMTYPE_WB, true));
	check_tables(3);
	slpt_unmap(&t, to_gpa(gpa + 0x5000), PAGE_SIZE);
	assert_int_equal(splits, 1);
	check_tables(4);
	expect_unmapped(gpa + 0x5000);
	expect_unmapped(gpa + 0x5fff);
	for (uint64_t off = 0; off < MIB(2); off += PAGE_SIZE) {
		if (off == 0x5000)
			continue;
		uint64_t pte = expect_mapped(gpa + off + 0x10, hpa + off + 0x10);

		expect_rights(pte, true, false, false);
	}
}

/* A range that ends in one 2 MiB leaf and starts in the next. */
static void unmap_straddling_two_large_leaves(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(MIB(2)), GIB(4), MIB(4), SLP_R | SLP_X, MEMTYPE_WB, true));
	slpt_unmap(&t, to_gpa(MIB(3)), MIB(2));
	assert_int_equal(splits, 2);
	check_tables(3 + 2);
	for (uint64_t off = 0; off < MIB(1); off += PAGE_SIZE) {
		expect_rights(expect_mapped(MIB(2) + off, GIB(4) + off), false, true, false);
		expect_unmapped(MIB(3) + off);
		expect_unmapped(MIB(4) + off);
		expect_rights(expect_mapped(MIB(5) + off, GIB(4) + MIB(3) + off), false, true, false);
	}
	expect_unmapped(MIB(6));
}

/* A range starting before a 2 MiB leaf and ending inside it. */
static void unmap_head_of_large_leaf_from_below(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(MIB(2)), GIB(4), MIB(2), SLP_R, MEMTYPE_WB, true));
	assert_true(slpt_map(&t, to_gpa(MIB(2) - PAGE_SIZE), 0x3000, PAGE_SIZE, SLP_R, MEMTYPE_WB,
			     false));
	slpt_unmap(&t, to_gpa(MIB(2) - PAGE_SIZE), 3 * PAGE_SIZE);
	expect_unmapped(MIB(2) - PAGE_SIZE);
	expect_unmapped(MIB(2));
	expect_unmapped(MIB(2) + PAGE_SIZE);
	expect_rights(expect_mapped(MIB(2) + 2 * PAGE_SIZE, GIB(4) + 2 * PAGE_SIZE),
		      false, false, false);
	expect_mapped(MIB(4) - 1, GIB(4) + MIB(2) - 1);
	check_tables(3 + 2);
}

/*
 * A 1 GiB leaf (which slpt_map never makes, but a format may find) split
 * twice by a 4 KiB unmap: 2 MiB children keep PS, 4 KiB grandchildren not.
 */
static void unmap_inside_1g_leaf_splits_twice(void **state)
{
	const paddr_t hpa = GIB(5);
	uint64_t *l4, *l3;

	(void)state;
	assert_true(slpt_map(&t, to_gpa(0), 0x1000, PAGE_SIZE, SLP_R, MEMTYPE_WB, false));
	l4 = test_to_virt(&mem, t.root);
	l3 = test_to_virt(&mem, npt_addr(l4[0]));
	l3[1] = npt_leaf(hpa, SLP_RWX, MEMTYPE_WB, 3);

	expect_rights(expect_mapped(GIB(1) + 0x12345678, hpa + 0x12345678), true, true, true);
	slpt_unmap(&t, to_gpa(GIB(1) + MIB(3) + 0x2000), PAGE_SIZE);
	assert_int_equal(splits, 2);
	check_tables(4 + 2);
	expect_unmapped(GIB(1) + MIB(3) + 0x2000);
	expect_rights(expect_mapped(GIB(1) + MIB(3) + 0x1000, hpa + MIB(3) + 0x1000),
		      true, true, false);
	expect_rights(expect_mapped(GIB(1) + MIB(3) + 0x3000, hpa + MIB(3) + 0x3000),
		      true, true, false);
	expect_rights(expect_mapped(GIB(1) + MIB(1), hpa + MIB(1)), true, true, true);
	expect_rights(expect_mapped(GIB(1) + MIB(4) + 0x777, hpa + MIB(4) + 0x777),
		      true, true, true);
	expect_rights(expect_mapped(GIB(2) - 1, hpa + GIB(1) - 1), true, true, true);
	expect_mapped(0, 0x1000);
}

static void remap_4k_replaces(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(0x8000), 0xa000, 2 * PAGE_SIZE, SLP_R | SLP_W, MEMTYPE_WB,
			     false));
	assert_true(slpt_map(&t, to_gpa(0x9000), 0xf000, PAGE_SIZE, SLP_R | SLP_X, MEMTYPE_UC,
			     false));
	expect_rights(expect_mapped(0x8000, 0xa000), true, false, false);
	expect_rights(expect_mapped(0x9000, 0xf000), false, true, false);
	check_tables(4);
}

/* Mapping a 4 KiB page inside a 2 MiB leaf splits it around the new page. */
static void remap_4k_inside_large_leaf(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(MIB(2)), GIB(6), MIB(2), SLP_RWX, MEMTYPE_WB, true));
	assert_true(slpt_map(&t, to_gpa(MIB(2) + 0x3000), 0x55000, PAGE_SIZE, SLP_R, MEMTYPE_WB,
			     true));
	assert_int_equal(splits, 1);
	check_tables(4);
	expect_rights(expect_mapped(MIB(2) + 0x3000, 0x55000), false, false, false);
	expect_rights(expect_mapped(MIB(2) + 0x2000, GIB(6) + 0x2000), true, true, false);
	expect_rights(expect_mapped(MIB(2) + 0x4000, GIB(6) + 0x4000), true, true, false);
	expect_rights(expect_mapped(MIB(4) - PAGE_SIZE, GIB(6) + MIB(2) - PAGE_SIZE),
		      true, true, false);
}

static void remap_large_replaces_large(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(MIB(2)), GIB(6), MIB(2), SLP_RWX, MEMTYPE_WB, true));
	assert_true(slpt_map(&t, to_gpa(MIB(2)), GIB(7), MIB(2), SLP_R, MEMTYPE_WB, true));
	expect_rights(expect_mapped(MIB(2) + 0x1234, GIB(7) + 0x1234), false, false, true);
	check_tables(3);
}

/*
 * A 2 MiB leaf mapped where a level-1 table was (made by 4 KiB maps or by a
 * split) replaces it; the table page goes back, it is not leaked.
 */
static void remap_large_over_4k_table_frees_it(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(MIB(2)), 0x300000, 4 * PAGE_SIZE, SLP_R, MEMTYPE_WB,
			     false));
	check_tables(4);
	assert_true(slpt_map(&t, to_gpa(MIB(2)), GIB(8), MIB(2), SLP_R | SLP_W, MEMTYPE_WB, true));
	expect_rights(expect_mapped(MIB(2) + PAGE_SIZE, GIB(8) + PAGE_SIZE), true, false, true);
	check_tables(3);

	/* the same after a split */
	slpt_unmap(&t, to_gpa(MIB(2) + PAGE_SIZE), PAGE_SIZE);
	check_tables(4);
	assert_true(slpt_map(&t, to_gpa(MIB(2)), GIB(9), MIB(2), SLP_R, MEMTYPE_WB, true));
	expect_rights(expect_mapped(MIB(2) + PAGE_SIZE, GIB(9) + PAGE_SIZE), false, false, true);
	check_tables(3);
}

static void table_pages_track_every_operation(void **state)
{
	(void)state;
	check_tables(1);
	assert_true(slpt_map(&t, to_gpa(0), 0, PAGE_SIZE, SLP_R, MEMTYPE_WB, false));
	check_tables(4);
	assert_true(slpt_map(&t, to_gpa(PAGE_SIZE), PAGE_SIZE, PAGE_SIZE, SLP_R, MEMTYPE_WB,
			     false));
	check_tables(4);
	assert_true(slpt_map(&t, to_gpa(MIB(2)), MIB(2), MIB(2), SLP_R, MEMTYPE_WB, true));
	check_tables(4);
	assert_true(slpt_map(&t, to_gpa(GIB(1)), GIB(1), PAGE_SIZE, SLP_R, MEMTYPE_WB, false));
	check_tables(6);
	assert_true(slpt_map(&t, to_gpa(GIB(512)), 0, PAGE_SIZE, SLP_R, MEMTYPE_WB, false));
	check_tables(9);
	slpt_unmap(&t, to_gpa(MIB(2) + MIB(1)), PAGE_SIZE);
	check_tables(10);
	slpt_unmap(&t, to_gpa(0), GIB(1024));
	check_tables(10);
}

static void destroy_frees_every_table_page(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(0), 0x100000, MIB(8), SLP_RWX, MEMTYPE_WB, true));
	assert_true(slpt_map(&t, to_gpa(GIB(3) + PAGE_SIZE), 0x100000, MIB(3), SLP_R, MEMTYPE_WB,
			     true));
	assert_true(slpt_map(&t, to_gpa(GIB(700)), GIB(2), MIB(4), SLP_R, MEMTYPE_WB, true));
	slpt_unmap(&t, to_gpa(GIB(700) + MIB(1)), PAGE_SIZE);
	assert_true(mem.in_use > 10);
	check_tables(mem.in_use);
	slpt_destroy(&t);
	assert_true(t.root == 0);
	assert_int_equal(t.table_pages, 0);
	assert_int_equal(mem.in_use, 0);
	slpt_destroy(&t);	/* a second destroy does nothing */
	assert_int_equal(mem.in_use, 0);
}

static void init_fails_without_memory(void **state)
{
	(void)state;
	mem.limit = 0;
	assert_false(slpt_init(&t, &npt, &alloc));
	assert_true(t.root == 0);
	assert_int_equal(t.table_pages, 0);
	assert_int_equal(mem.in_use, 0);
}

/* Out of memory on the way down: false, nothing mapped, no page lost. */
static void map_fails_when_tables_cannot_be_allocated(void **state)
{
	(void)state;
	mem.limit = 2;		/* root and the level-3 table only */
	assert_true(slpt_init(&t, &npt, &alloc));
	assert_false(slpt_map(&t, to_gpa(0), 0x1000, PAGE_SIZE, SLP_R, MEMTYPE_WB, false));
	expect_unmapped(0);
	check_tables(2);
	assert_false(slpt_map(&t, to_gpa(MIB(2)), MIB(2), MIB(2), SLP_R, MEMTYPE_WB, true));
	expect_unmapped(MIB(2));
	check_tables(2);
}

/* What was mapped before the failure stays mapped. */
static void map_failure_keeps_the_part_already_mapped(void **state)
{
	const uint64_t gpa = MIB(2) - 2 * PAGE_SIZE;

	(void)state;
	mem.limit = 4;		/* room for the first level-1 table only */
	assert_true(slpt_init(&t, &npt, &alloc));
	assert_false(slpt_map(&t, to_gpa(gpa), 0x70000, 4 * PAGE_SIZE, SLP_R, MEMTYPE_WB, false));
	expect_mapped(gpa, 0x70000);
	expect_mapped(gpa + PAGE_SIZE, 0x71000);
	expect_unmapped(gpa + 2 * PAGE_SIZE);
	expect_unmapped(gpa + 3 * PAGE_SIZE);
	check_tables(4);
}

/* No page to split a 2 MiB leaf for a 4 KiB map: the leaf is left whole. */
static void map_failure_leaves_large_leaf_intact(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(MIB(2)), GIB(2), MIB(2), SLP_R | SLP_W, MEMTYPE_WB, true));
	mem.limit = mem.allocs;
	assert_false(slpt_map(&t, to_gpa(MIB(2) + 0x8000), 0x1000, PAGE_SIZE, SLP_R, MEMTYPE_WB,
			      false));
	expect_rights(expect_mapped(MIB(2) + 0x8000, GIB(2) + 0x8000), true, false, true);
	expect_mapped(MIB(2), GIB(2));
	check_tables(3);
}

/* No page to split a 2 MiB leaf for a partial unmap: all of it goes (documented). */
static void unmap_without_memory_to_split_drops_the_whole_leaf(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(MIB(2)), GIB(2), MIB(4), SLP_R | SLP_W, MEMTYPE_WB, true));
	mem.limit = mem.allocs;
	slpt_unmap(&t, to_gpa(MIB(2) + 0x8000), PAGE_SIZE);
	expect_unmapped(MIB(2));
	expect_unmapped(MIB(2) + 0x8000);
	expect_unmapped(MIB(4) - 1);
	expect_mapped(MIB(4), GIB(2) + MIB(2));
	check_tables(3);
}

/*
 * The root's deposit (hvroot_mem.c): no page to split its 2 MiB leaf for
 * one page: nothing changes, every page of the leaf stays mapped, and the
 * caller is told (it refuses the deposit).
 */
static void unmap_or_keep_without_memory_keeps_the_leaf(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(MIB(2)), GIB(2), MIB(4), SLP_R | SLP_W, MEMTYPE_WB, true));
	mem.limit = mem.allocs;
	assert_false(slpt_unmap_or_keep(&t, to_gpa(MIB(2) + 0x8000), PAGE_SIZE));
	expect_mapped(MIB(2), GIB(2));
	expect_mapped(MIB(2) + 0x8000, GIB(2) + 0x8000);
	expect_mapped(MIB(4) - 1, GIB(2) + MIB(2) - 1);
	expect_mapped(MIB(4), GIB(2) + MIB(2));
	check_tables(3);
}

/* With the page: the split happens and only that page goes, as slpt_unmap does. */
static void unmap_or_keep_with_memory_splits(void **state)
{
	(void)state;
	assert_true(slpt_map(&t, to_gpa(MIB(2)), GIB(2), MIB(2), SLP_R | SLP_W, MEMTYPE_WB, true));
	mem.limit = mem.allocs + 1;
	assert_true(slpt_unmap_or_keep(&t, to_gpa(MIB(2) + 0x8000), PAGE_SIZE));
	expect_unmapped(MIB(2) + 0x8000);
	expect_mapped(MIB(2) + 0x7000, GIB(2) + 0x7000);
	expect_mapped(MIB(2) + 0x9000, GIB(2) + 0x9000);
	check_tables(4);
}

#define T(f)		cmocka_unit_test_setup_teardown(f, setup, teardown)
#define T_BARE(f)	cmocka_unit_test_setup_teardown(f, setup_bare, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(init_allocates_only_the_root),
		T(map_4k_pages_and_look_them_up),
		T(map_honours_rights),
		T(map_across_every_table_boundary),
		T(lookup_of_unmapped_returns_false),
		T(large_leaf_used_when_aligned),
		T(no_large_leaf_for_unaligned_or_short_ranges),
		T(large_map_with_unaligned_head_and_tail),
		T(unmap_4k_pages),
		T(unmap_everything_across_holes),
		T(unmap_whole_large_leaf),
		T(unmap_part_of_large_leaf_splits_it),
		T(unmap_straddling_two_large_leaves),
		T(unmap_head_of_large_leaf_from_below),
		T(unmap_inside_1g_leaf_splits_twice),
		T(remap_4k_replaces),
		T(remap_4k_inside_large_leaf),
		T(remap_large_replaces_large),
		T(remap_large_over_4k_table_frees_it),
		T(table_pages_track_every_operation),
		T(destroy_frees_every_table_page),
		T_BARE(init_fails_without_memory),
		T_BARE(map_fails_when_tables_cannot_be_allocated),
		T_BARE(map_failure_keeps_the_part_already_mapped),
		T(map_failure_leaves_large_leaf_intact),
		T(unmap_without_memory_to_split_drops_the_whole_leaf),
		T(unmap_or_keep_without_memory_keeps_the_leaf),
		T(unmap_or_keep_with_memory_splits),
	};

	return cmocka_run_group_tests_name("slpt", tests, NULL, NULL);
}
