/* Host unit tests for core/memmap.c: usable-range normalisation and exclusion. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/memmap.h"

#define U	MEM_USABLE
#define RSV	MEM_RESERVED
#define TOP	0xfffffffffffff000ull	/* highest page */

static struct mem_range rng(uint64_t base, uint64_t len, uint32_t type)
{
	return (struct mem_range){ base, len, type };
}

static void assert_range(const struct mem_range *r, uint64_t base, uint64_t end)
{
	assert_true(r->base == base);
	assert_true(r->len == end - base);
	assert_int_equal(r->type, MEM_USABLE);
}

/* memmap_usable with room to spare; checks nothing was dropped. */
static unsigned usable(const struct mem_range *in, unsigned n, struct mem_range *out)
{
	unsigned dropped = 99;
	unsigned count = memmap_usable(in, n, out, 16, &dropped);

	assert_int_equal(dropped, 0);
	return count;
}

/* --- memmap_usable --- */

static void usable_empty_input_gives_nothing(void **state)
{
	struct mem_range out[4];
	unsigned dropped = 99;

	(void)state;
	assert_int_equal(memmap_usable(NULL, 0, out, 4, &dropped), 0);
	assert_int_equal(dropped, 0);
}

static void usable_single_range_passes_through(void **state)
{
	const struct mem_range in[] = { rng(0x100000, 0x7f00000, U) };
	struct mem_range out[16];

	(void)state;
	assert_int_equal(usable(in, 1, out), 1);
	assert_range(&out[0], 0x100000, 0x8000000);
}

static void usable_rounds_inward_to_pages(void **state)
{
	const struct mem_range in[] = { rng(0x1001, 0x3fff - 0x1001, U) };
	struct mem_range out[16];

	(void)state;
	assert_int_equal(usable(in, 1, out), 1);
	assert_range(&out[0], 0x2000, 0x3000);
}

static void usable_drops_ranges_without_a_whole_page(void **state)
{
	const struct mem_range in[] = {
		rng(0x1001, 0xffe, U),		/* inside one page */
		rng(0x2800, 0x1000, U),		/* straddles two pages */
		rng(0x5000, 0xfff, U),
	};
	struct mem_range out[16];

	(void)state;
	assert_int_equal(usable(in, ARRAY_SIZE(in), out), 0);
}

static void usable_sorts_unsorted_input(void **state)
{
	const struct mem_range in[] = {
		rng(0x900000, 0x100000, U),
		rng(0x100000, 0x100000, U),
		rng(0x500000, 0x100000, U),
	};
	struct mem_range out[16];

	(void)state;
	assert_int_equal(usable(in, ARRAY_SIZE(in), out), 3);
	assert_range(&out[0], 0x100000, 0x200000);
	assert_range(&out[1], 0x500000, 0x600000);
	assert_range(&out[2], 0x900000, 0xa00000);
}

static void usable_merges_adjacent_ranges(void **state)
{
	const struct mem_range in[] = {
		rng(0x3000, 0x2000, U),
		rng(0x1000, 0x2000, U),
		rng(0x5000, 0x800, U),		/* adjacent, unaligned end */
		rng(0x5800, 0x800, U),		/* completes the page */
	};
	struct mem_range out[16];

	(void)state;
	assert_int_equal(usable(in, ARRAY_SIZE(in), out), 1);
	assert_range(&out[0], 0x1000, 0x6000);
}

static void usable_merges_overlapping_usable_ranges(void **state)
{
	const struct mem_range in[] = {
		rng(0x10000, 0x10000, U),
		rng(0x18000, 0x10000, U),
		rng(0x12000, 0x1000, U),	/* nested */
	};
	struct mem_range out[16];

	(void)state;
	assert_int_equal(usable(in, ARRAY_SIZE(in), out), 1);
	assert_range(&out[0], 0x10000, 0x28000);
}

static void usable_reserved_wins_over_usable(void **state)
{
	const struct mem_range in[] = {
		rng(0x0, 0x100000, U),
		rng(0x40000, 0x1000, RSV),	/* punches a page out */
		rng(0x7f800, 0x1000, RSV),	/* unaligned: costs two pages */
		rng(0xf0000, 0x20000, RSV),	/* overlaps the tail */
	};
	struct mem_range out[16];

	(void)state;
	assert_int_equal(usable(in, ARRAY_SIZE(in), out), 3);
	assert_range(&out[0], 0x0, 0x40000);
	assert_range(&out[1], 0x41000, 0x7f000);
	assert_range(&out[2], 0x81000, 0xf0000);
}

static void usable_result_does_not_depend_on_order(void **state)
{
	const struct mem_range a[] = {
		rng(0x40000, 0x1000, RSV),
		rng(0x0, 0x100000, U),
	};
	const struct mem_range b[] = {
		rng(0x0, 0x100000, U),
		rng(0x40000, 0x1000, RSV),
	};
	struct mem_range oa[16], ob[16];

	(void)state;
	assert_int_equal(usable(a, 2, oa), 2);
	assert_int_equal(usable(b, 2, ob), 2);
	for (unsigned i = 0; i < 2; i++)
		assert_range(&ob[i], oa[i].base, oa[i].base + oa[i].len);
	assert_range(&oa[1], 0x41000, 0x100000);
}

static void usable_every_other_type_is_not_usable(void **state)
{
	const struct mem_range in[] = {
		rng(0x0, 0x10000, U),
		rng(0x1000, 0x1000, MEM_RESERVED),
		rng(0x3000, 0x1000, MEM_ACPI_RECLAIM),
		rng(0x5000, 0x1000, MEM_ACPI_NVS),
		rng(0x7000, 0x1000, MEM_BAD),
		rng(0x9000, 0x1000, 77),
		rng(0x20000, 0x1000, MEM_ACPI_RECLAIM),	/* alone: not usable */
	};
	struct mem_range out[16];

	(void)state;
	assert_int_equal(usable(in, ARRAY_SIZE(in), out), 6);
	assert_range(&out[0], 0x0, 0x1000);
	assert_range(&out[1], 0x2000, 0x3000);
	assert_range(&out[2], 0x4000, 0x5000);
	assert_range(&out[3], 0x6000, 0x7000);
	assert_range(&out[4], 0x8000, 0x9000);
	assert_range(&out[5], 0xa000, 0x10000);
}

static void usable_ignores_zero_length_entries(void **state)
{
	const struct mem_range in[] = {
		rng(0x10000, 0x10000, U),
		rng(0x18000, 0, RSV),		/* empty: covers nothing */
		rng(0x40000, 0, U),
	};
	struct mem_range out[16];

	(void)state;
	assert_int_equal(usable(in, ARRAY_SIZE(in), out), 1);
	assert_range(&out[0], 0x10000, 0x20000);
}

static void usable_clamps_range_that_wraps(void **state)
{
	const struct mem_range in[] = { rng(TOP - 0x1000, 0x4000, U) };
	struct mem_range out[16];

	(void)state;
	assert_int_equal(usable(in, 1, out), 1);
	assert_range(&out[0], TOP - 0x1000, TOP);
}

/* A run starting inside the top page has no whole page: rounding up must not wrap to 0. */
static void usable_partial_top_page_gives_nothing(void **state)
{
	const struct mem_range in[] = {
		rng(0x10000, 0x1000, U),
		rng(TOP + 1, UINT64_MAX - (TOP + 1), U),
	};
	struct mem_range out[16];

	(void)state;
	assert_int_equal(usable(in, ARRAY_SIZE(in), out), 1);
	assert_range(&out[0], 0x10000, 0x11000);
}

static void usable_overflow_counts_dropped(void **state)
{
	const struct mem_range in[] = {
		rng(0x10000, 0x1000, U),
		rng(0x30000, 0x1000, U),
		rng(0x50000, 0x1000, U),
		rng(0x70000, 0x1000, U),
	};
	struct mem_range out[3];
	unsigned dropped = 99;

	(void)state;
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(memmap_usable(in, 4, out, 2, &dropped), 2);
	assert_int_equal(dropped, 2);
	assert_range(&out[0], 0x10000, 0x11000);
	assert_range(&out[1], 0x30000, 0x31000);
	assert_true(out[2].base == 0xaaaaaaaaaaaaaaaaull);	/* untouched */
	assert_int_equal(memmap_usable(in, 4, out, 0, &dropped), 0);
	assert_int_equal(dropped, 4);
	assert_int_equal(memmap_usable(in, 4, out, 3, NULL), 3);
}

/* --- memmap_exclude --- */

/* Two ranges, [1M, 2M) and [4M, 8M). */
static unsigned two_ranges(struct mem_range *r)
{
	r[0] = rng(0x100000, 0x100000, U);
	r[1] = rng(0x400000, 0x400000, U);
	return 2;
}

static void exclude_middle_splits_range(void **state)
{
	struct mem_range r[4];
	unsigned n = two_ranges(r);

	(void)state;
	assert_true(memmap_exclude(r, &n, 4, 0x500000, 0x100000));
	assert_int_equal(n, 3);
	assert_range(&r[0], 0x100000, 0x200000);
	assert_range(&r[1], 0x400000, 0x500000);
	assert_range(&r[2], 0x600000, 0x800000);
}

static void exclude_split_keeps_later_ranges(void **state)
{
	struct mem_range r[4];
	unsigned n = two_ranges(r);

	(void)state;
	assert_true(memmap_exclude(r, &n, 4, 0x180000, 0x1000));
	assert_int_equal(n, 3);
	assert_range(&r[0], 0x100000, 0x180000);
	assert_range(&r[1], 0x181000, 0x200000);
	assert_range(&r[2], 0x400000, 0x800000);
}

static void exclude_split_without_room_changes_nothing(void **state)
{
	struct mem_range r[2], before[2];
	unsigned n = two_ranges(r);

	(void)state;
	memcpy(before, r, sizeof(r));
	assert_false(memmap_exclude(r, &n, 2, 0x500000, 0x1000));
	assert_int_equal(n, 2);
	assert_memory_equal(r, before, sizeof(r));
}

static void exclude_head_of_range(void **state)
{
	struct mem_range r[4];
	unsigned n = two_ranges(r);

	(void)state;
	assert_true(memmap_exclude(r, &n, 2, 0x300000, 0x180000));
	assert_int_equal(n, 2);
	assert_range(&r[0], 0x100000, 0x200000);
	assert_range(&r[1], 0x480000, 0x800000);
}

static void exclude_tail_of_range(void **state)
{
	struct mem_range r[4];
	unsigned n = two_ranges(r);

	(void)state;
	assert_true(memmap_exclude(r, &n, 2, 0x1ff000, 0x100000));
	assert_int_equal(n, 2);
	assert_range(&r[0], 0x100000, 0x1ff000);
	assert_range(&r[1], 0x400000, 0x800000);
}

static void exclude_whole_range(void **state)
{
	struct mem_range r[4];
	unsigned n = two_ranges(r);

	(void)state;
	assert_true(memmap_exclude(r, &n, 2, 0x100000, 0x100000));
	assert_int_equal(n, 1);
	assert_range(&r[0], 0x400000, 0x800000);
}

static void exclude_spanning_several_ranges(void **state)
{
	struct mem_range r[4];
	unsigned n = 3;

	(void)state;
	r[0] = rng(0x1000, 0x3000, U);
	r[1] = rng(0x6000, 0x1000, U);
	r[2] = rng(0x9000, 0x3000, U);
	assert_true(memmap_exclude(r, &n, 3, 0x3000, 0x7000));
	assert_int_equal(n, 2);
	assert_range(&r[0], 0x1000, 0x3000);
	assert_range(&r[1], 0xa000, 0xc000);
}

static void exclude_everything(void **state)
{
	struct mem_range r[4];
	unsigned n = two_ranges(r);

	(void)state;
	assert_true(memmap_exclude(r, &n, 2, 0, 0x10000000));
	assert_int_equal(n, 0);
}

static void exclude_widens_to_whole_pages(void **state)
{
	struct mem_range r[4];
	unsigned n = two_ranges(r);

	(void)state;
	assert_true(memmap_exclude(r, &n, 4, 0x100fff, 2));	/* touches two pages */
	assert_int_equal(n, 2);
	assert_range(&r[0], 0x102000, 0x200000);
}

static void exclude_outside_or_empty_changes_nothing(void **state)
{
	struct mem_range r[2], before[2];
	unsigned n = two_ranges(r);

	(void)state;
	memcpy(before, r, sizeof(r));
	assert_true(memmap_exclude(r, &n, 2, 0x200000, 0x200000));	/* the gap */
	assert_true(memmap_exclude(r, &n, 2, 0x0, 0x100000));
	assert_true(memmap_exclude(r, &n, 2, 0x800000, 0x1000));
	assert_true(memmap_exclude(r, &n, 2, 0x500000, 0));		/* empty */
	assert_int_equal(n, 2);
	assert_memory_equal(r, before, sizeof(r));
}

static void exclude_range_that_wraps_removes_to_the_top(void **state)
{
	struct mem_range r[4];
	unsigned n = two_ranges(r);

	(void)state;
	assert_true(memmap_exclude(r, &n, 2, 0x180000, UINT64_MAX));
	assert_int_equal(n, 1);
	assert_range(&r[0], 0x100000, 0x180000);
}

/* An end inside the top page rounds up past 2^64: everything above base goes. */
static void exclude_end_in_top_page_removes_to_the_top(void **state)
{
	struct mem_range r[4];
	unsigned n = two_ranges(r);

	(void)state;
	assert_true(memmap_exclude(r, &n, 2, 0, TOP + 0x800));
	assert_int_equal(n, 0);
	n = two_ranges(r);
	assert_true(memmap_exclude(r, &n, 2, 0x180000, TOP + 0x800 - 0x180000));
	assert_int_equal(n, 1);
	assert_range(&r[0], 0x100000, 0x180000);
}

/* --- totals --- */

static void total_and_end(void **state)
{
	struct mem_range r[4];
	unsigned n = two_ranges(r);

	(void)state;
	assert_true(memmap_total(r, n) == 0x500000);
	assert_true(memmap_end(r, n) == 0x800000);
	assert_true(memmap_total(r, 0) == 0);
	assert_true(memmap_end(r, 0) == 0);
}

/* The whole pipeline on a realistic BIOS map. */
static void usable_then_exclude_on_pc_map(void **state)
{
	const struct mem_range in[] = {
		rng(0x0, 0x9fc00, U),
		rng(0x9fc00, 0x400, RSV),
		rng(0xf0000, 0x10000, RSV),
		rng(0x100000, 0x7ee0000, U),
		rng(0x7fe0000, 0x20000, RSV),
		rng(0xfffc0000, 0x40000, RSV),
		rng(0x100000000ull, 0x80000000ull, U),
	};
	struct mem_range out[16];
	unsigned n;

	(void)state;
	n = usable(in, ARRAY_SIZE(in), out);
	assert_int_equal(n, 3);
	assert_range(&out[0], 0x0, 0x9f000);
	assert_range(&out[1], 0x100000, 0x7fe0000);
	assert_range(&out[2], 0x100000000ull, 0x180000000ull);
	assert_true(memmap_exclude(out, &n, 16, 0x200000, 0x123456));	/* the image */
	assert_int_equal(n, 4);
	assert_range(&out[1], 0x100000, 0x200000);
	assert_range(&out[2], 0x324000, 0x7fe0000);
	assert_true(memmap_end(out, n) == 0x180000000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(usable_empty_input_gives_nothing),
		cmocka_unit_test(usable_single_range_passes_through),
		cmocka_unit_test(usable_rounds_inward_to_pages),
		cmocka_unit_test(usable_drops_ranges_without_a_whole_page),
		cmocka_unit_test(usable_sorts_unsorted_input),
		cmocka_unit_test(usable_merges_adjacent_ranges),
		cmocka_unit_test(usable_merges_overlapping_usable_ranges),
		cmocka_unit_test(usable_reserved_wins_over_usable),
		cmocka_unit_test(usable_result_does_not_depend_on_order),
		cmocka_unit_test(usable_every_other_type_is_not_usable),
		cmocka_unit_test(usable_ignores_zero_length_entries),
		cmocka_unit_test(usable_clamps_range_that_wraps),
		cmocka_unit_test(usable_partial_top_page_gives_nothing),
		cmocka_unit_test(usable_overflow_counts_dropped),
		cmocka_unit_test(exclude_middle_splits_range),
		cmocka_unit_test(exclude_split_keeps_later_ranges),
		cmocka_unit_test(exclude_split_without_room_changes_nothing),
		cmocka_unit_test(exclude_head_of_range),
		cmocka_unit_test(exclude_tail_of_range),
		cmocka_unit_test(exclude_whole_range),
		cmocka_unit_test(exclude_spanning_several_ranges),
		cmocka_unit_test(exclude_everything),
		cmocka_unit_test(exclude_widens_to_whole_pages),
		cmocka_unit_test(exclude_outside_or_empty_changes_nothing),
		cmocka_unit_test(exclude_range_that_wraps_removes_to_the_top),
		cmocka_unit_test(exclude_end_in_top_page_removes_to_the_top),
		cmocka_unit_test(total_and_end),
		cmocka_unit_test(usable_then_exclude_on_pc_map),
	};

	return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
