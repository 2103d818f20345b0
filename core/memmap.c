/*
 * Memory-map normalisation. Firmware maps overlap and come in any order; a
 * byte is usable only if some usable range covers it and no other range
 * does. We sweep over the sorted set of range boundaries: between two
 * neighbouring boundaries coverage is constant, so each elementary interval
 * is either wholly usable or not.
 */
#include "core/memmap.h"
#include "core/lib.h"

static uint64_t range_end(const struct mem_range *r)
{
	/* ranges that wrap were refused by the parser; clamp anyway */
	return r->base + r->len < r->base ? UINT64_MAX : r->base + r->len;
}

static void sort_u64(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned j = i;

		for (; j && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* true: usable; coverage by anything else wins */
static bool interval_usable(const struct mem_range *in, unsigned n,
			    uint64_t lo, uint64_t hi)
{
	bool usable = false;

	for (unsigned i = 0; i < n; i++) {
		if (!in[i].len || in[i].base >= hi || range_end(&in[i]) <= lo)
			continue;	/* an empty range covers nothing */
		if (in[i].type != MEM_USABLE)
			return false;
		usable = true;
	}
	return usable;
}

static unsigned append_aligned(struct mem_range *out, unsigned count, unsigned max,
			       uint64_t lo, uint64_t hi, unsigned *dropped)
{
	hi = ALIGN_DOWN(hi, PAGE_SIZE);
	if (lo >= hi)			/* also keeps ALIGN_UP below from wrapping */
		return count;
	lo = ALIGN_UP(lo, PAGE_SIZE);
	if (hi <= lo)
		return count;
	if (count == max) {
		if (dropped)
			(*dropped)++;
		return count;
	}
	out[count] = (struct mem_range){ lo, hi - lo, MEM_USABLE };
	return count + 1;
}

unsigned memmap_usable(const struct mem_range *in, unsigned n,
		       struct mem_range *out, unsigned max, unsigned *dropped)
{
	uint64_t points[2 * BOOT_MMAP_MAX];
	unsigned np = 0, count = 0;
	uint64_t run_lo = 0;
	bool in_run = false;

	if (dropped)
		*dropped = 0;
	if (n > BOOT_MMAP_MAX)
		n = BOOT_MMAP_MAX;
	for (unsigned i = 0; i < n; i++) {
		if (!in[i].len)
			continue;
		points[np++] = in[i].base;
		points[np++] = range_end(&in[i]);
	}
	sort_u64(points, np);
	for (unsigned i = 0; i + 1 < np; i++) {
		uint64_t lo = points[i], hi = points[i + 1];
		bool usable;

		if (lo == hi)
			continue;
		usable = interval_usable(in, n, lo, hi);
		if (usable && !in_run) {
			run_lo = lo;
			in_run = true;
		} else if (!usable && in_run) {
			count = append_aligned(out, count, max, run_lo, lo, dropped);
			in_run = false;
		}
	}
	if (in_run)
		count = append_aligned(out, count, max, run_lo, points[np - 1], dropped);
	return count;
}

bool memmap_exclude(struct mem_range *r, unsigned *n, unsigned max,
		    uint64_t base, uint64_t len)
{
	uint64_t lo = ALIGN_DOWN(base, PAGE_SIZE);
	uint64_t hi = base + len < base ? UINT64_MAX : ALIGN_UP(base + len, PAGE_SIZE);

	if (!len)
		return true;
	if (hi <= lo)			/* ALIGN_UP wrapped near the top */
		hi = UINT64_MAX & ~(PAGE_SIZE - 1);
	for (unsigned i = 0; i < *n; i++) {
		uint64_t rlo = r[i].base, rhi = r[i].base + r[i].len;

		if (hi <= rlo || lo >= rhi)
			continue;
		if (lo > rlo && hi < rhi) {	/* split in two */
			if (*n == max)
				return false;
			memmove(&r[i + 2], &r[i + 1], (*n - i - 1) * sizeof(*r));
			r[i + 1] = (struct mem_range){ hi, rhi - hi, MEM_USABLE };
			r[i].len = lo - rlo;
			(*n)++;
			return true;
		}
		if (lo <= rlo && hi >= rhi) {	/* remove whole */
			memmove(&r[i], &r[i + 1], (*n - i - 1) * sizeof(*r));
			(*n)--;
			i--;
			continue;
		}
		if (lo <= rlo) {		/* cut the head */
			r[i].base = hi;
			r[i].len = rhi - hi;
		} else {			/* cut the tail */
			r[i].len = lo - rlo;
		}
	}
	return true;
}

uint64_t memmap_total(const struct mem_range *r, unsigned n)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++)
		sum += r[i].len;
	return sum;
}

uint64_t memmap_end(const struct mem_range *r, unsigned n)
{
	uint64_t end = 0;

	for (unsigned i = 0; i < n; i++)
		end = MAX(end, range_end(&r[i]));
	return end;
}
