/* Host unit tests for core/palloc.c: the bitmap page allocator. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/palloc.h"

#define NFRAMES		1000		/* not a multiple of 64 on purpose */
#define END		(NFRAMES * PAGE_SIZE)

static uint64_t bitmap[(NFRAMES + 63) / 64 + 1];
static struct palloc pa;

/* Every frame below NFRAMES given to the allocator (frame 0 excepted). */
static int setup_all_ram(void **state)
{
	(void)state;
	bitmap[ARRAY_SIZE(bitmap) - 1] = 0x5a5a5a5a5a5a5a5aull;	/* guard word */
	palloc_init(&pa, bitmap, NFRAMES);
	assert_int_equal(palloc_add(&pa, 0, END), NFRAMES - 1);
	return 0;
}

static int setup_no_ram(void **state)
{
	(void)state;
	bitmap[ARRAY_SIZE(bitmap) - 1] = 0x5a5a5a5a5a5a5a5aull;
	palloc_init(&pa, bitmap, NFRAMES);
	return 0;
}

/* After each test: the guard word past the bitmap is intact. */
static int check_guard(void **state)
{
	(void)state;
	assert_true(bitmap[ARRAY_SIZE(bitmap) - 1] == 0x5a5a5a5a5a5a5a5aull);
	return 0;
}

static bool frame_is_used(uint64_t f)
{
	return bitmap[f / 64] >> (f % 64) & 1;
}

/* Count the 0 bits below nframes: what pa.free must always equal. */
static uint64_t count_free_bits(void)
{
	uint64_t n = 0;

	for (uint64_t f = 0; f < pa.nframes; f++)
		n += !frame_is_used(f);
	return n;
}

static void assert_free(uint64_t want)
{
	assert_int_equal(palloc_free_pages(&pa), want);
	assert_int_equal(count_free_bits(), want);
}

static void bitmap_bytes_rounds_to_words(void **state)
{
	(void)state;
	assert_int_equal(palloc_bitmap_bytes(0), 0);
	assert_int_equal(palloc_bitmap_bytes(1), 8);
	assert_int_equal(palloc_bitmap_bytes(64 * PAGE_SIZE), 8);
	assert_int_equal(palloc_bitmap_bytes(64 * PAGE_SIZE + 1), 16);
	assert_int_equal(palloc_bitmap_bytes(GIB(4)), GIB(4) / PAGE_SIZE / 8);
}

static void init_leaves_nothing_free(void **state)
{
	(void)state;
	assert_free(0);
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0) == 0);
}

static void add_counts_whole_pages_only(void **state)
{
	(void)state;
	assert_int_equal(palloc_add(&pa, 0x1800, 0x3000), 2);	/* frames 2, 3 */
	assert_free(2);
	assert_false(frame_is_used(2));
	assert_false(frame_is_used(3));
	assert_true(frame_is_used(1));
	assert_true(frame_is_used(4));
	assert_int_equal(palloc_add(&pa, 0x10800, 0x1000), 0);	/* no whole page */
	assert_free(2);
}

static void add_never_frees_frame_zero(void **state)
{
	(void)state;
	assert_int_equal(palloc_add(&pa, 0, 16 * PAGE_SIZE), 15);
	assert_true(frame_is_used(0));
	assert_free(15);
}

static void add_twice_counts_once(void **state)
{
	(void)state;
	assert_int_equal(palloc_add(&pa, 0x10000, 0x10000), 16);
	assert_int_equal(palloc_add(&pa, 0x18000, 0x10000), 8);
	assert_free(24);
}

static void add_is_clamped_to_nframes(void **state)
{
	(void)state;
	assert_int_equal(palloc_add(&pa, END - 2 * PAGE_SIZE, GIB(1)), 2);
	assert_int_equal(palloc_add(&pa, END, GIB(1)), 0);
	assert_int_equal(palloc_add(&pa, 0x5000, UINT64_MAX), NFRAMES - 5 - 2);
	assert_free(NFRAMES - 5);
}

/* A range in the last page of the address space holds no whole page. */
static void add_near_top_adds_nothing(void **state)
{
	(void)state;
	assert_int_equal(palloc_add(&pa, 0xfffffffffffff001ull, 0xffe), 0);
	assert_int_equal(palloc_add(&pa, 0xffffffffffffe001ull, UINT64_MAX), 0);
	assert_free(0);
}

static void alloc_returns_every_frame_once_and_never_zero(void **state)
{
	static bool seen[NFRAMES];
	paddr_t a;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (uint64_t i = 0; i < NFRAMES - 1; i++) {
		a = palloc_alloc(&pa, 1, PAGE_SIZE, 0);
		assert_true(a != 0);
		assert_int_equal(a % PAGE_SIZE, 0);
		assert_true(a < END);
		assert_false(seen[a >> PAGE_SHIFT]);
		seen[a >> PAGE_SHIFT] = true;
		assert_int_equal(palloc_free_pages(&pa), NFRAMES - 2 - i);
	}
	assert_free(0);
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0) == 0);	/* exhausted */
	assert_false(seen[0]);
}

static void alloc_free_sequence_keeps_exact_count(void **state)
{
	paddr_t a[64];
	uint64_t want = NFRAMES - 1;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(a); i++) {
		a[i] = palloc_alloc(&pa, 1 + i % 5, PAGE_SIZE << (i % 3), 0);
		assert_true(a[i] != 0);
		want -= 1 + i % 5;
		assert_free(want);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(a); i += 2) {
		assert_true(palloc_free(&pa, a[i], 1 + i % 5));
		want += 1 + i % 5;
		assert_free(want);
	}
	for (unsigned i = 1; i < ARRAY_SIZE(a); i += 2) {
		assert_true(palloc_free(&pa, a[i], 1 + i % 5));
		want += 1 + i % 5;
		assert_free(want);
	}
	assert_int_equal(want, NFRAMES - 1);
}

static void alloc_contiguous_skips_holes(void **state)
{
	(void)state;
	/* free frames 1-3, 5-9, 11-30: a 6-page run must land at 11 */
	assert_int_equal(palloc_add(&pa, 1 * PAGE_SIZE, 3 * PAGE_SIZE), 3);
	assert_int_equal(palloc_add(&pa, 5 * PAGE_SIZE, 5 * PAGE_SIZE), 5);
	assert_int_equal(palloc_add(&pa, 11 * PAGE_SIZE, 20 * PAGE_SIZE), 20);
	assert_true(palloc_alloc(&pa, 6, PAGE_SIZE, 0) == 11 * PAGE_SIZE);
	for (uint64_t f = 11; f < 17; f++)
		assert_true(frame_is_used(f));
	assert_false(frame_is_used(17));
	assert_true(palloc_alloc(&pa, 5, PAGE_SIZE, 0) == 5 * PAGE_SIZE);
	assert_true(palloc_alloc(&pa, 14, PAGE_SIZE, 0) == 17 * PAGE_SIZE);
	assert_true(palloc_alloc(&pa, 4, PAGE_SIZE, 0) == 0);
	assert_free(3);
}

static void alloc_honours_alignment(void **state)
{
	paddr_t a;

	(void)state;
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0) != 0);	/* disturb the start */
	a = palloc_alloc(&pa, 3, KIB(64), 0);
	assert_true(a != 0);
	assert_int_equal(a % KIB(64), 0);
	a = palloc_alloc(&pa, 256, MIB(2), 0);
	assert_true(a == MIB(2));			/* the only 2M boundary below 4M */
	assert_true(palloc_alloc(&pa, 1, MIB(2), 0) == 0);
	assert_free(NFRAMES - 1 - 1 - 3 - 256);
}

static void alloc_rejects_bad_arguments(void **state)
{
	(void)state;
	assert_true(palloc_alloc(&pa, 0, PAGE_SIZE, 0) == 0);
	assert_true(palloc_alloc(&pa, 1, 3 * PAGE_SIZE, 0) == 0);	/* not a power of two */
	assert_true(palloc_alloc(&pa, NFRAMES, PAGE_SIZE, 0) == 0);	/* more than free */
	assert_true(palloc_alloc(&pa, UINT64_MAX, PAGE_SIZE, 0) == 0);
	assert_free(NFRAMES - 1);
}

static void alloc_whole_memory_in_one_run(void **state)
{
	(void)state;
	assert_true(palloc_alloc(&pa, NFRAMES - 1, PAGE_SIZE, 0) == PAGE_SIZE);
	assert_free(0);
}

static void alloc_respects_limit(void **state)
{
	paddr_t a;

	(void)state;
	a = palloc_alloc(&pa, 4, PAGE_SIZE, 0x10000);
	assert_true(a != 0 && a + 4 * PAGE_SIZE <= 0x10000);
	a = palloc_alloc(&pa, 11, PAGE_SIZE, 0x10000);	/* frames 5-15 */
	assert_true(a == 5 * PAGE_SIZE);
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0x10000) == 0);
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0x10fff) == 0);	/* last byte 0x10fff */
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0x11000) == 0x10000);
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0xfff) == 0);
	assert_free(NFRAMES - 1 - 16);
}

static void free_returns_frames_for_reuse(void **state)
{
	paddr_t a, b;

	(void)state;
	a = palloc_alloc(&pa, 1, PAGE_SIZE, 0);
	b = palloc_alloc(&pa, 1, PAGE_SIZE, 0);
	assert_true(a && b && a != b);
	assert_true(palloc_free(&pa, a, 1));
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0) == a);	/* lowest first */
	assert_free(NFRAMES - 3);
}

static void free_below_hint_is_found_again(void **state)
{
	paddr_t first = 0, a;

	(void)state;
	while ((a = palloc_alloc(&pa, 1, PAGE_SIZE, 0)) != 0)
		if (!first)
			first = a;
	assert_free(0);
	assert_true(palloc_free(&pa, first, 1));
	assert_true(palloc_free(&pa, END - PAGE_SIZE, 1));
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0) == first);
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0) == END - PAGE_SIZE);
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0) == 0);
}

static void add_below_hint_is_found(void **state)
{
	(void)state;
	assert_int_equal(palloc_add(&pa, 0x100000, 0x2000), 2);
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0) == 0x100000);	/* moves the hint up */
	assert_int_equal(palloc_add(&pa, 0x1000, 0x1000), 1);
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0) == 0x101000);
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0) == 0x1000);
	assert_free(0);
}

static void free_twice_is_rejected(void **state)
{
	paddr_t a;

	(void)state;
	a = palloc_alloc(&pa, 4, PAGE_SIZE, 0);
	assert_true(a != 0);
	assert_true(palloc_free(&pa, a + PAGE_SIZE, 1));
	assert_free(NFRAMES - 1 - 3);
	assert_false(palloc_free(&pa, a + PAGE_SIZE, 1));	/* plain double free */
	assert_false(palloc_free(&pa, a, 4));			/* one of them is free */
	assert_free(NFRAMES - 1 - 3);
	assert_true(frame_is_used(a >> PAGE_SHIFT));		/* nothing freed */
	assert_true(palloc_free(&pa, a, 1));
	assert_true(palloc_free(&pa, a + 2 * PAGE_SIZE, 2));
	assert_free(NFRAMES - 1);
}

static void free_rejects_bad_arguments(void **state)
{
	paddr_t a;

	(void)state;
	a = palloc_alloc(&pa, 2, PAGE_SIZE, 0);
	assert_true(a != 0);
	assert_false(palloc_free(&pa, 0, 1));			/* frame 0 */
	assert_false(palloc_free(&pa, a + 1, 1));		/* misaligned */
	assert_false(palloc_free(&pa, a, 0));			/* nothing */
	assert_false(palloc_free(&pa, END, 1));			/* out of range */
	assert_false(palloc_free(&pa, END - PAGE_SIZE, 2));	/* runs past the end */
	assert_false(palloc_free(&pa, a, UINT64_MAX));
	assert_free(NFRAMES - 3);
	assert_true(palloc_free(&pa, a, 2));
}

static void reserve_takes_pages_out(void **state)
{
	(void)state;
	palloc_reserve(&pa, 0x1800, 0x1000);		/* touches frames 1 and 2 */
	assert_free(NFRAMES - 3);
	assert_true(frame_is_used(1));
	assert_true(frame_is_used(2));
	assert_false(frame_is_used(3));
	palloc_reserve(&pa, 0x1000, 0x3000);		/* 1, 2 again, and 3 */
	assert_free(NFRAMES - 4);
	palloc_reserve(&pa, 0x8000, 0);			/* empty */
	assert_free(NFRAMES - 4);
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0) == 4 * PAGE_SIZE);
}

static void reserve_of_allocated_frame_keeps_count(void **state)
{
	paddr_t a;

	(void)state;
	a = palloc_alloc(&pa, 1, PAGE_SIZE, 0);
	palloc_reserve(&pa, a, PAGE_SIZE);
	assert_free(NFRAMES - 2);
}

static void reserve_clamps_to_nframes(void **state)
{
	(void)state;
	palloc_reserve(&pa, END - PAGE_SIZE, GIB(1));
	palloc_reserve(&pa, END + PAGE_SIZE, GIB(1));
	palloc_reserve(&pa, 0xfffffffffffff000ull, UINT64_MAX);
	assert_free(NFRAMES - 2);
	palloc_reserve(&pa, 0x2000, UINT64_MAX);	/* wraps: to the end */
	assert_free(1);
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0) == PAGE_SIZE);
	assert_true(palloc_alloc(&pa, 1, PAGE_SIZE, 0) == 0);
}

static void alloc_never_crosses_nframes(void **state)
{
	(void)state;
	/* frames 1 and the last three free: a 4-page run must not spill past the end */
	palloc_reserve(&pa, 2 * PAGE_SIZE, END - 5 * PAGE_SIZE);
	assert_free(4);
	assert_true(palloc_alloc(&pa, 4, PAGE_SIZE, 0) == 0);
	assert_true(palloc_alloc(&pa, 3, PAGE_SIZE, 0) == END - 3 * PAGE_SIZE);
	assert_free(1);
}

#define T(f, setup)	cmocka_unit_test_setup_teardown(f, setup, check_guard)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bitmap_bytes_rounds_to_words),
		T(init_leaves_nothing_free, setup_no_ram),
		T(add_counts_whole_pages_only, setup_no_ram),
		T(add_never_frees_frame_zero, setup_no_ram),
		T(add_twice_counts_once, setup_no_ram),
		T(add_is_clamped_to_nframes, setup_no_ram),
		T(add_near_top_adds_nothing, setup_no_ram),
		T(alloc_returns_every_frame_once_and_never_zero, setup_all_ram),
		T(alloc_free_sequence_keeps_exact_count, setup_all_ram),
		T(alloc_contiguous_skips_holes, setup_no_ram),
		T(alloc_honours_alignment, setup_all_ram),
		T(alloc_rejects_bad_arguments, setup_all_ram),
		T(alloc_whole_memory_in_one_run, setup_all_ram),
		T(alloc_respects_limit, setup_all_ram),
		T(free_returns_frames_for_reuse, setup_all_ram),
		T(free_below_hint_is_found_again, setup_all_ram),
		T(add_below_hint_is_found, setup_no_ram),
		T(free_twice_is_rejected, setup_all_ram),
		T(free_rejects_bad_arguments, setup_all_ram),
		T(reserve_takes_pages_out, setup_all_ram),
		T(reserve_of_allocated_frame_keeps_count, setup_all_ram),
		T(reserve_clamps_to_nframes, setup_all_ram),
		T(alloc_never_crosses_nframes, setup_all_ram),
	};

	return cmocka_run_group_tests_name("palloc", tests, NULL, NULL);
}
