/*
 * libFuzzer target for core/memmap.c. The input is a 16-byte exclusion
 * (base, length) followed by an array of struct mem_range. memmap_usable
 * must give sorted, disjoint, merged, page-aligned usable ranges that avoid
 * every other kind of range; memmap_exclude must keep them so, remove
 * exactly the excluded pages, and fail only when a split finds no room.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/memmap.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static uint64_t end_of(uint64_t base, uint64_t len)
{
	return base + len < base ? UINT64_MAX : base + len;
}

static bool overlaps(uint64_t lo1, uint64_t hi1, uint64_t lo2, uint64_t hi2)
{
	return lo1 < hi2 && lo2 < hi1;
}

/* Usable, non-empty, page aligned, sorted, and disjoint with a gap between (merged). */
static void check_normal(const struct mem_range *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		CHECK(r[i].type == MEM_USABLE);
		CHECK(r[i].len && r[i].len % PAGE_SIZE == 0 && r[i].base % PAGE_SIZE == 0);
		CHECK(r[i].base + r[i].len > r[i].base);
		if (i)
			CHECK(r[i - 1].base + r[i - 1].len < r[i].base);
	}
}

static bool same_ranges(const struct mem_range *a, const struct mem_range *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i].base != b[i].base || a[i].len != b[i].len || a[i].type != b[i].type)
			return false;
	return true;
}

/* Every output range avoids all non-usable input and starts in usable input. */
static void check_against_input(const struct mem_range *in, unsigned nin,
				const struct mem_range *out, unsigned nout)
{
	for (unsigned i = 0; i < nout; i++) {
		uint64_t lo = out[i].base, hi = lo + out[i].len;
		bool covered = false;

		for (unsigned j = 0; j < nin; j++) {
			uint64_t jlo = in[j].base, jhi = end_of(jlo, in[j].len);

			if (!in[j].len)
				continue;
			if (in[j].type != MEM_USABLE)
				CHECK(!overlaps(lo, hi, jlo, jhi));
			else if (jlo <= lo && lo < jhi)
				covered = true;
		}
		CHECK(covered);
	}
}

static uint64_t overlap_len(const struct mem_range *r, unsigned n, uint64_t lo, uint64_t hi)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t a = MAX(lo, r[i].base), b = MIN(hi, r[i].base + r[i].len);

		sum += a < b ? b - a : 0;
	}
	return sum;
}

static void check_exclude(const struct mem_range *r, unsigned n, uint64_t base, uint64_t len)
{
	static struct mem_range work[BOOT_MMAP_MAX + 1];
	uint64_t lo = ALIGN_DOWN(base, PAGE_SIZE), end = end_of(base, len);
	uint64_t hi = end > UINT64_MAX - PAGE_SIZE + 1 ? UINT64_MAX : ALIGN_UP(end, PAGE_SIZE);
	uint64_t gone = len ? overlap_len(r, n, lo, hi) : 0;
	unsigned m = n;

	memcpy(work, r, n * sizeof(*r));
	if (!memmap_exclude(work, &m, n, base, len)) {	/* no room to split */
		CHECK(m == n && same_ranges(work, r, n));
		m = n;
		CHECK(memmap_exclude(work, &m, n + 1, base, len));
		CHECK(m == n + 1);
	}
	check_normal(work, m);
	CHECK(memmap_total(work, m) == memmap_total(r, n) - gone);
	if (len)
		CHECK(overlap_len(work, m, lo, hi) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mem_range in[BOOT_MMAP_MAX], out[BOOT_MMAP_MAX], few[BOOT_MMAP_MAX];
	uint64_t xbase, xlen;
	unsigned n, count, dropped, nfew, fewdropped;

	if (size < 16)
		return 0;
	memcpy(&xbase, data, 8);
	memcpy(&xlen, data + 8, 8);
	n = (unsigned)MIN((size - 16) / sizeof(in[0]), BOOT_MMAP_MAX);
	memcpy(in, data + 16, n * sizeof(in[0]));

	count = memmap_usable(in, n, out, BOOT_MMAP_MAX, &dropped);
	CHECK(count <= BOOT_MMAP_MAX && dropped == 0);
	check_normal(out, count);
	check_against_input(in, n, out, count);

	/* With less room: the same first ranges, and the rest counted. */
	nfew = memmap_usable(in, n, few, count / 2, &fewdropped);
	CHECK(nfew == count / 2 && nfew + fewdropped == count);
	CHECK(same_ranges(few, out, nfew));

	check_exclude(out, count, xbase, xlen);
	return 0;
}
