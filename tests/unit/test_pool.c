/* Host unit tests for core/pool.c: the page pool of the deposit model. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/pool.h"

/* Fake physical memory: frames BASE_PFN .. BASE_PFN + NPAGES - 1. */
#define BASE_PFN	256		/* a multiple of 64: window 4 */
#define NPAGES		512
#define PA(i)		(((paddr_t)BASE_PFN + (i)) << PAGE_SHIFT)

static uint8_t ram[NPAGES][PAGE_SIZE] __attribute__((aligned(4096)));
static struct pool pool;

static void *fake_to_virt(paddr_t pa)
{
	uint64_t i = (pa >> PAGE_SHIFT) - BASE_PFN;

	assert_true(pa % PAGE_SIZE == 0 && i < NPAGES);	/* the pool only touches its own */
	return ram[i];
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0xa5, sizeof(ram));		/* stale data everywhere */
	pool_init(&pool, fake_to_virt, NULL);
	return 0;
}

static void counts_are(uint64_t held, uint64_t free, uint64_t used)
{
	assert_int_equal(pool_held(&pool), held);
	assert_int_equal(pool_free(&pool), free);
	assert_int_equal(pool_used(&pool), used);
}

/* Deposit pages first .. first+n-1 of the fake RAM; all must go in. */
static void deposit_range(uint64_t first, uint64_t n)
{
	paddr_t list[NPAGES];
	uint64_t accepted;

	for (uint64_t i = 0; i < n; i++)
		list[i] = PA(first + i);
	assert_int_equal(pool_deposit(&pool, list, n, &accepted), POOL_OK);
	assert_int_equal(accepted, n);
}

static bool page_is(uint64_t i, uint8_t byte)
{
	for (uint64_t b = 0; b < PAGE_SIZE; b++)
		if (ram[i][b] != byte)
			return false;
	return true;
}

static void deposit_take_give_withdraw_keep_exact_counts(void **state)
{
	paddr_t a, b, out[8];

	(void)state;
	counts_are(0, 0, 0);
	deposit_range(0, 4);
	counts_are(4, 4, 0);
	a = pool_take_page(&pool);
	b = pool_take_page(&pool);
	assert_int_equal(a, PA(0));		/* lowest first */
	assert_int_equal(b, PA(1));
	counts_are(4, 2, 2);
	assert_true(pool_give(&pool, a, 1));
	counts_are(4, 3, 1);
	assert_int_equal(pool_withdraw(&pool, out, 8), 3);	/* b is in use: stays */
	assert_int_equal(out[0], PA(0));
	assert_int_equal(out[1], PA(2));
	assert_int_equal(out[2], PA(3));
	counts_are(1, 0, 1);
	assert_true(pool_give(&pool, b, 1));
	counts_are(1, 1, 0);
	assert_int_equal(pool_withdraw(&pool, out, 8), 1);
	assert_int_equal(out[0], PA(1));
	counts_are(0, 0, 0);
	assert_int_equal(pool.nwindows, 0);	/* empty windows are dropped */
}

static void deposit_refuses_a_page_it_holds(void **state)
{
	paddr_t list[] = { PA(5), PA(6), PA(5), PA(7) };
	uint64_t accepted;
	paddr_t t;

	(void)state;
	assert_int_equal(pool_deposit(&pool, list, 4, &accepted), POOL_EDUP);
	assert_int_equal(accepted, 2);		/* stops at the duplicate */
	counts_are(2, 2, 0);
	t = pool_take_page(&pool);
	assert_int_equal(t, PA(5));
	/* a page handed out is still held: a second deposit of it is refused too */
	assert_int_equal(pool_deposit(&pool, &t, 1, &accepted), POOL_EDUP);
	assert_int_equal(accepted, 0);
	counts_are(2, 1, 1);
}

static void deposit_refuses_misaligned_and_zero(void **state)
{
	paddr_t bad[] = { PA(1) + 8, 0 };
	uint64_t accepted = 99;

	(void)state;
	assert_int_equal(pool_deposit(&pool, &bad[0], 1, &accepted), POOL_EINVAL);
	assert_int_equal(accepted, 0);
	assert_int_equal(pool_deposit(&pool, &bad[1], 1, &accepted), POOL_EINVAL);
	assert_int_equal(accepted, 0);
	counts_are(0, 0, 0);
	assert_int_equal(pool.nwindows, 0);
}

static void take_gives_zeroed_pages(void **state)
{
	paddr_t a;

	(void)state;
	deposit_range(10, 3);
	assert_true(page_is(10, 0xa5));
	a = pool_take(&pool, 3, PAGE_SIZE, 0);
	assert_int_equal(a, PA(10));
	for (int i = 10; i < 13; i++)
		assert_true(page_is((uint64_t)i, 0));
}

/*
 * Pages 60..67 straddle the window boundary at frame BASE_PFN + 64: a run
 * of 8 is found across it. Alignment 16 KiB: the first 4-page run starting
 * at a multiple of 4 frames.
 */
static void contiguous_first_fit_across_windows(void **state)
{
	paddr_t a, b;

	(void)state;
	deposit_range(2, 1);			/* a lone page below */
	deposit_range(61, 7);			/* 61..67: crosses into the next window */
	deposit_range(60, 1);			/* deposited out of order: the table sorts */
	deposit_range(130, 4);			/* 130..133, after a gap */
	counts_are(13, 13, 0);
	a = pool_take(&pool, 8, PAGE_SIZE, 0);
	assert_int_equal(a, PA(60));
	counts_are(13, 5, 8);
	assert_true(pool_give(&pool, a, 8));
	/* 60, 64 are multiples of 4 frames (BASE_PFN is): 60..63 is the first aligned run */
	b = pool_take(&pool, 4, 4 * PAGE_SIZE, 0);
	assert_int_equal(b, PA(60));
	/* next aligned 4: 64..67 */
	assert_int_equal(pool_take(&pool, 4, 4 * PAGE_SIZE, 0), PA(64));
	/* 130..133 holds 4 but 130 is not a multiple of 4 frames: none left */
	assert_int_equal(pool_take(&pool, 4, 4 * PAGE_SIZE, 0), 0);
	counts_are(13, 5, 8);
	/* unaligned it fits */
	assert_int_equal(pool_take(&pool, 4, PAGE_SIZE, 0), PA(130));
	counts_are(13, 1, 12);
}

static void contiguous_run_skips_pages_in_use(void **state)
{
	paddr_t a;

	(void)state;
	deposit_range(0, 6);
	a = pool_take_page(&pool);		/* 0 */
	assert_int_equal(pool_take_page(&pool), PA(1));
	assert_true(pool_give(&pool, a, 1));	/* 0 free, 1 used, 2..5 free */
	assert_int_equal(pool_take(&pool, 2, PAGE_SIZE, 0), PA(2));
	assert_int_equal(pool_take(&pool, 3, PAGE_SIZE, 0), 0);
	counts_are(6, 3, 3);
}

static void take_respects_limit(void **state)
{
	(void)state;
	deposit_range(0, 4);
	assert_int_equal(pool_take(&pool, 4, PAGE_SIZE, PA(3)), 0);	/* would end above */
	assert_int_equal(pool_take(&pool, 3, PAGE_SIZE, PA(3)), PA(0));
	counts_are(4, 1, 3);
}

static void take_on_empty_pool_fails_cleanly(void **state)
{
	(void)state;
	assert_int_equal(pool_take_page(&pool), 0);
	counts_are(0, 0, 0);
	deposit_range(0, 2);
	assert_int_equal(pool_take(&pool, 3, PAGE_SIZE, 0), 0);	/* more than it has */
	assert_int_equal(pool_take(&pool, 0, PAGE_SIZE, 0), 0);	/* bad arguments */
	assert_int_equal(pool_take(&pool, 1, 3 * PAGE_SIZE, 0), 0);
	assert_int_equal(pool_take(&pool, 1, 512, 0), 0);
	counts_are(2, 2, 0);
	assert_true(page_is(0, 0xa5));		/* nothing was touched */
	assert_int_equal(pool.short_takes, 2);	/* bad arguments are not a shortage */
}

static void withdraw_scrubs_every_byte(void **state)
{
	paddr_t out[4];

	(void)state;
	deposit_range(20, 4);
	memset(ram[20], 0x5a, 4 * PAGE_SIZE);	/* a partition's secrets */
	assert_int_equal(pool_withdraw(&pool, out, 4), 4);
	for (int i = 20; i < 24; i++)
		assert_true(page_is((uint64_t)i, 0));
	assert_true(page_is(24, 0xa5));		/* and no byte beyond */
}

static void withdraw_more_than_free_returns_what_is_free(void **state)
{
	paddr_t out[16];

	(void)state;
	deposit_range(0, 5);
	assert_int_equal(pool_take(&pool, 2, PAGE_SIZE, 0), PA(0));
	assert_int_equal(pool_withdraw(&pool, out, 16), 3);
	counts_are(2, 0, 2);
	assert_int_equal(pool_withdraw(&pool, out, 16), 0);
	assert_int_equal(pool_withdraw(&pool, out, 0), 0);
	counts_are(2, 0, 2);
}

static void give_refuses_what_was_not_handed_out(void **state)
{
	paddr_t a;

	(void)state;
	deposit_range(0, 4);
	a = pool_take(&pool, 2, PAGE_SIZE, 0);
	assert_false(pool_give(&pool, PA(2), 1));	/* free, not handed out */
	assert_false(pool_give(&pool, PA(100), 1));	/* not the pool's */
	assert_false(pool_give(&pool, a, 3));		/* runs into a free page */
	assert_false(pool_give(&pool, a + 4, 1));	/* misaligned */
	counts_are(4, 2, 2);
	assert_true(pool_give(&pool, a, 2));
	assert_false(pool_give(&pool, a, 2));		/* twice */
	counts_are(4, 4, 0);
}

/* Scattered pages each need a window: the table's bound. */
static void deposit_beyond_the_window_bound_is_refused(void **state)
{
	static paddr_t list[POOL_WINDOWS + 1];
	uint64_t accepted;

	(void)state;
	for (unsigned i = 0; i <= POOL_WINDOWS; i++)
		list[i] = ((paddr_t)(1000 + i) * POOL_WINDOW_PAGES) << PAGE_SHIFT;
	assert_int_equal(pool_deposit(&pool, list, POOL_WINDOWS + 1, &accepted), POOL_EFULL);
	assert_int_equal(accepted, POOL_WINDOWS);
	counts_are(POOL_WINDOWS, POOL_WINDOWS, 0);
	/* a page in a window it has still goes in */
	list[0] += PAGE_SIZE;
	assert_int_equal(pool_deposit(&pool, list, 1, &accepted), POOL_OK);
	counts_are(POOL_WINDOWS + 1, POOL_WINDOWS + 1, 0);
}

/* A backed pool: a fake source over the fake RAM, one bit per page. */
static bool src_out[NPAGES];
static unsigned src_gets, src_puts;

static paddr_t src_get(void *ctx, uint64_t n, uint64_t align, paddr_t limit)
{
	(void)ctx;
	(void)limit;
	for (uint64_t i = 0; i + n <= NPAGES; i++) {
		bool ok = PA(i) % align == 0;

		for (uint64_t k = 0; ok && k < n; k++)
			ok = !src_out[i + k];
		if (!ok)
			continue;
		for (uint64_t k = 0; k < n; k++)
			src_out[i + k] = true;
		src_gets++;
		return PA(i);
	}
	return 0;
}

static void src_put(void *ctx, paddr_t pa, uint64_t n)
{
	(void)ctx;
	for (uint64_t k = 0; k < n; k++) {
		uint64_t i = (pa >> PAGE_SHIFT) - BASE_PFN + k;

		assert_true(src_out[i]);
		src_out[i] = false;
	}
	src_puts++;
}

static const struct pool_source source = { src_get, src_put, NULL };

static void backed_pool_takes_on_demand_and_returns_at_once(void **state)
{
	paddr_t a, b, out[4];
	uint64_t accepted;

	(void)state;
	memset(src_out, 0, sizeof(src_out));
	src_gets = src_puts = 0;
	pool_init(&pool, fake_to_virt, &source);
	a = pool_take_page(&pool);
	b = pool_take(&pool, 2, 2 * PAGE_SIZE, 0);
	assert_int_equal(a, PA(0));
	assert_int_equal(b, PA(2));
	assert_int_equal(src_gets, 2);
	counts_are(3, 0, 3);
	memset(ram[2], 0x5a, 2 * PAGE_SIZE);
	assert_true(pool_give(&pool, b, 2));
	assert_int_equal(src_puts, 1);
	assert_false(src_out[2] || src_out[3]);
	assert_true(page_is(2, 0) && page_is(3, 0));	/* scrubbed on the way out */
	counts_are(1, 0, 1);
	assert_int_equal(pool_withdraw(&pool, out, 4), 0);	/* nothing free is kept */
	assert_int_equal(pool_deposit(&pool, &a, 1, &accepted), POOL_EINVAL);
	assert_true(pool_give(&pool, a, 1));
	counts_are(0, 0, 0);
	assert_false(src_out[0]);
}

static void backed_pool_fails_cleanly_when_the_source_is_dry(void **state)
{
	(void)state;
	memset(src_out, 1, sizeof(src_out));
	pool_init(&pool, fake_to_virt, &source);
	assert_int_equal(pool_take_page(&pool), 0);
	counts_are(0, 0, 0);
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(deposit_take_give_withdraw_keep_exact_counts),
		T(deposit_refuses_a_page_it_holds),
		T(deposit_refuses_misaligned_and_zero),
		T(take_gives_zeroed_pages),
		T(contiguous_first_fit_across_windows),
		T(contiguous_run_skips_pages_in_use),
		T(take_respects_limit),
		T(take_on_empty_pool_fails_cleanly),
		T(withdraw_scrubs_every_byte),
		T(withdraw_more_than_free_returns_what_is_free),
		T(give_refuses_what_was_not_handed_out),
		T(deposit_beyond_the_window_bound_is_refused),
		T(backed_pool_takes_on_demand_and_returns_at_once),
		T(backed_pool_fails_cleanly_when_the_source_is_dry),
	};

	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
