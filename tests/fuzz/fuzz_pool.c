/*
 * libFuzzer target for core/pool.c, the page pool: the input is a script of
 * deposits (good pages, duplicates, misaligned ones, page 0), takes of one
 * or more contiguous pages with an alignment and a limit, gives (of what
 * was taken, and bogus ones) and withdrawals, run against a simple model
 * that knows each page's state (absent, free, handed out). After every
 * operation the counts and the number of windows equal the model's; a take
 * returns exactly the model's first fit, zeroed; a page is never handed out
 * twice (each page taken carries its owner's tag until it is given back);
 * a withdrawal returns only free pages, lowest first, zeroed.
 *
 * The first byte picks the mode: deposited, or backed by a fake source
 * that hands out absent pages first-fit (the model predicts which) and
 * takes them back, scrubbed; a backed pool refuses deposits, never holds a
 * free page, and gives a run back to the source when the window table
 * cannot take it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

/*
 * Pages: ids 0..DENSE-1 are consecutive frames (several windows, runs that
 * cross them); ids DENSE.. are two frames in each of SPARSE_W further
 * windows, more than the table holds, so that deposits can run into its bound.
 */
#define BASE_PFN	1024
#define DENSE		320
#define SPARSE_W	(POOL_WINDOWS + 8)
#define NIDS		(DENSE + 2 * SPARSE_W)
#define MAX_OUT		64

enum { ABSENT, FREE, USED };

static uint8_t ram[NIDS][PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t state[NIDS];
static uint8_t tag[NIDS];		/* the byte an owner wrote over a page it holds */
static struct pool pool;
static bool backed;
static paddr_t got_pa;			/* the source's last run, while pool_take runs */
static uint64_t got_n;

static uint64_t pfn_of_id(unsigned id)
{
	if (id < DENSE)
		return BASE_PFN + id;
	id -= DENSE;
	return BASE_PFN + ALIGN_UP(DENSE, 64) + (uint64_t)(id / 2) * 64 + id % 2;
}

/* id of a frame, or -1 if the fuzzer never uses it */
static int id_of_pfn(uint64_t pfn)
{
	uint64_t sparse = BASE_PFN + ALIGN_UP(DENSE, 64);

	if (pfn >= BASE_PFN && pfn < BASE_PFN + DENSE)
		return (int)(pfn - BASE_PFN);
	if (pfn >= sparse && (pfn - sparse) % 64 < 2 && (pfn - sparse) / 64 < SPARSE_W)
		return (int)(DENSE + (pfn - sparse) / 64 * 2 + (pfn - sparse) % 64);
	return -1;
}

static void *to_virt(paddr_t pa)
{
	int id = id_of_pfn(pa >> PAGE_SHIFT);

	CHECK(pa % PAGE_SIZE == 0 && id >= 0);
	return ram[id];
}

#include "tests/fuzz/fuzz_input.h"

static unsigned any_id(struct script *s)
{
	return (unsigned)(byte(s) | byte(s) << 8) % NIDS;
}

static bool zeroed(unsigned id, uint8_t value)
{
	for (size_t b = 0; b < PAGE_SIZE; b += 512)	/* a sample is enough */
		if (ram[id][b] != value)
			return false;
	return true;
}

static unsigned model_windows(void)
{
	unsigned windows = 0;
	uint64_t last = ~0ull;

	for (unsigned id = 0; id < NIDS; id++)	/* ids are in frame order */
		if (state[id] != ABSENT && pfn_of_id(id) / 64 != last) {
			windows++;
			last = pfn_of_id(id) / 64;
		}
	return windows;
}

static bool window_present(uint64_t pfn)
{
	for (unsigned id = 0; id < NIDS; id++)
		if (state[id] != ABSENT && pfn_of_id(id) / 64 == pfn / 64)
			return true;
	return false;
}

/* The sampled bytes zeroed() looks at. */
static void fill(unsigned id, uint8_t value)
{
	for (size_t b = 0; b < PAGE_SIZE; b += 512)
		ram[id][b] = value;
}

static void check_counts(void)
{
	uint64_t held = 0, used = 0;

	for (unsigned id = 0; id < NIDS; id++) {
		held += state[id] != ABSENT;
		used += state[id] == USED;
	}
	CHECK(pool_held(&pool) == held);
	CHECK(pool_used(&pool) == used);
	CHECK(pool_free(&pool) == held - used);
	CHECK(pool.nwindows == model_windows());
}

/*
 * A list of random pages (some misaligned, some page 0), or a sweep: one
 * page in each of up to SPARSE_W sparse windows, so that one or two sweeps
 * fill the window table.
 */
static void op_deposit(struct script *s, bool sweep)
{
	paddr_t list[SPARSE_W];
	unsigned n = sweep ? (byte(s) % 8 + 1) * SPARSE_W / 8 : byte(s) % 16 + 1;
	unsigned first = byte(s), half = byte(s) & 1;
	uint64_t accepted, expect = 0;
	enum pool_status st, want = POOL_OK;

	for (unsigned i = 0; i < n; i++) {
		uint8_t kind = sweep ? 0 : byte(s);

		list[i] = pfn_of_id(sweep ? DENSE + (first + i) % SPARSE_W * 2 + half : any_id(s))
			  << PAGE_SHIFT;
		if (kind == 0xfe)
			list[i] += 8;		/* misaligned */
		else if (kind == 0xff)
			list[i] = 0;
	}
	/* the model, page by page in order; it stops at the first refusal */
	for (unsigned i = 0; i < n; i++) {
		if (backed) {
			want = POOL_EINVAL;	/* a backed pool takes no deposits */
			break;
		}
		uint64_t pfn = list[i] >> PAGE_SHIFT;

		if (!list[i] || list[i] % PAGE_SIZE)
			want = POOL_EINVAL;
		else if (state[id_of_pfn(pfn)] != ABSENT)
			want = POOL_EDUP;	/* held, or earlier in this list */
		else if (!window_present(pfn) && model_windows() == POOL_WINDOWS)
			want = POOL_EFULL;
		if (want != POOL_OK)
			break;
		state[id_of_pfn(pfn)] = FREE;
		fill((unsigned)id_of_pfn(pfn), 0xa5);	/* stale data the pool must zero */
		expect++;
	}
	st = pool_deposit(&pool, list, n, &accepted);
	CHECK(st == want);
	CHECK(accepted == expect);
}

/* The model's first fit over pages in state `want`, as a page id; -1 if none. */
static int model_fit(unsigned n, uint64_t align, uint64_t limit, uint8_t want)
{
	for (unsigned id = 0; id < NIDS; id++) {
		uint64_t pfn = pfn_of_id(id);
		bool ok = pfn % align == 0 && (!limit || pfn + n <= limit);

		for (unsigned k = 0; ok && k < n; k++) {
			int other = id_of_pfn(pfn + k);

			ok = other >= 0 && state[other] == want;
		}
		if (ok)
			return (int)id;
	}
	return -1;
}

static paddr_t src_get(void *ctx, uint64_t n, uint64_t align, paddr_t limit)
{
	int id = model_fit((unsigned)n, align >> PAGE_SHIFT, limit >> PAGE_SHIFT, ABSENT);

	(void)ctx;
	CHECK(!got_pa);
	if (id < 0)
		return 0;
	got_pa = pfn_of_id((unsigned)id) << PAGE_SHIFT;
	got_n = n;
	for (uint64_t k = 0; k < n; k++)
		fill((unsigned)id_of_pfn((got_pa >> PAGE_SHIFT) + k), 0xa5);	/* stale data */
	return got_pa;
}

/* Pages given back (handed out, scrubbed), or the run just got, which the table could not take. */
static void src_put(void *ctx, paddr_t pa, uint64_t n)
{
	(void)ctx;
	if (got_pa) {
		CHECK(pa == got_pa && n == got_n);
		got_pa = 0;
		return;
	}
	for (uint64_t k = 0; k < n; k++) {
		int id = id_of_pfn((pa >> PAGE_SHIFT) + k);

		CHECK(id >= 0 && state[id] == USED && zeroed((unsigned)id, 0));
	}
}

static const struct pool_source source = { src_get, src_put, NULL };

/* Windows the run of n pages at page `id` would add to the table. */
static unsigned new_windows(unsigned id, unsigned n)
{
	unsigned count = 0;

	for (unsigned k = 0; k < n; k++) {
		uint64_t pfn = pfn_of_id(id) + k;

		if (!window_present(pfn) && (k == 0 || pfn % 64 == 0))
			count++;
	}
	return count;
}

static void op_take(struct script *s, uint8_t next_tag)
{
	unsigned n = byte(s) % 9 + 1;
	uint64_t align = 1ull << (byte(s) % 4);
	uint64_t limit = byte(s) % 4 == 0 ? pfn_of_id(any_id(s)) : 0;
	int want = model_fit(n, align, limit, backed ? ABSENT : FREE);
	paddr_t pa;

	if (backed && want >= 0 && model_windows() + new_windows((unsigned)want, n) > POOL_WINDOWS)
		want = -1;			/* the table is full: the run goes back */
	pa = pool_take(&pool, n, align << PAGE_SHIFT, limit << PAGE_SHIFT);
	got_pa = 0;
	if (want < 0) {
		CHECK(pa == 0);
		return;
	}
	CHECK(pa == pfn_of_id((unsigned)want) << PAGE_SHIFT);
	for (unsigned k = 0; k < n; k++) {
		int id = id_of_pfn((pa >> PAGE_SHIFT) + k);

		CHECK(id >= 0 && state[id] == (backed ? ABSENT : FREE));	/* never twice */
		CHECK(zeroed((unsigned)id, 0));
		state[id] = USED;
		tag[id] = next_tag;
		fill((unsigned)id, next_tag);
	}
}

static void op_give(struct script *s)
{
	unsigned id = any_id(s), n = byte(s) % 4 + 1;
	uint64_t pfn = pfn_of_id(id);
	bool want = true;

	for (unsigned k = 0; k < n; k++) {
		int other = id_of_pfn(pfn + k);

		want = want && other >= 0 && state[other] == USED;
	}
	for (unsigned k = 0; want && k < n; k++) {
		int other = id_of_pfn(pfn + k);

		CHECK(zeroed((unsigned)other, tag[other]));	/* nobody else had it meanwhile */
	}
	CHECK(pool_give(&pool, pfn << PAGE_SHIFT, n) == want);
	for (unsigned k = 0; want && k < n; k++)
		state[id_of_pfn(pfn + k)] = backed ? ABSENT : FREE;
}

static void op_withdraw(struct script *s)
{
	paddr_t out[MAX_OUT];
	unsigned n = byte(s) % MAX_OUT;
	uint64_t free = 0, got;

	for (unsigned id = 0; id < NIDS; id++)
		free += state[id] == FREE;
	got = pool_withdraw(&pool, out, n);
	CHECK(got == (free < n ? free : n));
	for (uint64_t k = 0; k < got; k++) {
		int id = id_of_pfn(out[k] >> PAGE_SHIFT);

		CHECK(id >= 0 && state[id] == FREE);
		CHECK(k == 0 || out[k] > out[k - 1]);
		CHECK(zeroed((unsigned)id, 0));
		state[id] = ABSENT;
	}
	/* lowest first: no free page is left below the last one withdrawn */
	for (unsigned id = 0; got && id < NIDS; id++)
		CHECK(state[id] != FREE || pfn_of_id(id) > out[got - 1] >> PAGE_SHIFT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s = { data, size };
	uint8_t next_tag = 1;

	memset(state, ABSENT, sizeof(state));
	backed = byte(&s) & 1;
	got_pa = 0;
	pool_init(&pool, to_virt, backed ? &source : NULL);
	while (s.left) {
		switch (byte(&s) % 5) {
		case 0: op_deposit(&s, false); break;
		case 4: op_deposit(&s, true); break;
		case 1: op_take(&s, next_tag); next_tag = (uint8_t)(next_tag % 250 + 1); break;
		case 2: op_give(&s); break;
		default: op_withdraw(&s); break;
		}
		check_counts();
	}
	return 0;
}
