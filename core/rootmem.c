/*
 * Splitting RAM between the hypervisor and the root partition (rootmem.h).
 * Everything works on copies of sorted, disjoint, page-aligned ranges
 * through memmap_exclude, so the result is sorted and disjoint too.
 */
#include "core/rootmem.h"
#include "core/lib.h"
#include "core/memmap.h"

#define LOW_END		MIB(1)
#define POOL_LIMIT	GIB(4)

static bool exclude_all(struct mem_range *r, unsigned *n, unsigned max,
			const struct mem_range *what, unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		if (!memmap_exclude(r, n, max, what[i].base, what[i].len))
			return false;
	return true;
}

static bool add_piece(struct rootmem_split *s, uint64_t base, uint64_t len)
{
	if (s->npool == ROOTMEM_POOL_MAX)
		return false;
	s->pool[s->npool++] = (struct mem_range){ base, len, MEM_USABLE };
	return true;
}

/* The first free page below 1 MiB other than page 0. */
static bool take_low_page(struct rootmem_split *s, const struct mem_range *free, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t lo = MAX(free[i].base, PAGE_SIZE), hi = free[i].base + free[i].len;

		if (lo < hi && lo + PAGE_SIZE <= LOW_END)
			return add_piece(s, lo, PAGE_SIZE);
	}
	return false;
}

/* `bytes` from [1 MiB, 4 GiB), lowest first; the last piece rounded up to 2 MiB in its range. */
static bool take_pool(struct rootmem_split *s, const struct mem_range *free, unsigned n,
		      uint64_t bytes)
{
	for (unsigned i = 0; i < n && bytes; i++) {
		uint64_t lo = MAX(free[i].base, LOW_END);
		uint64_t hi = MIN(free[i].base + free[i].len, POOL_LIMIT);
		uint64_t take;

		if (lo >= hi)
			continue;
		take = MIN(bytes, hi - lo);
		bytes -= take;
		if (!bytes)	/* the last piece: the root's part of this range starts aligned */
			take = MIN(ALIGN_UP(lo + take, MIB(2)), free[i].base + free[i].len) - lo;
		if (!add_piece(s, lo, take))
			return false;
	}
	return bytes == 0;
}

const char *rootmem_split(const struct mem_range *usable, unsigned n,
			  const struct mem_range *kept, unsigned nkept,
			  const struct mem_range *modules, unsigned nmod,
			  uint64_t pool_bytes, struct rootmem_split *out)
{
	static struct mem_range free[BOOT_MMAP_MAX];
	unsigned nfree;

	if (n > BOOT_MMAP_MAX)
		return "too many usable ranges";
	memset(out, 0, sizeof(*out));
	memcpy(out->root, usable, n * sizeof(*usable));
	out->nroot = n;
	if (!exclude_all(out->root, &out->nroot, BOOT_MMAP_MAX, kept, nkept))
		return "the memory map is too fragmented";
	memcpy(free, out->root, out->nroot * sizeof(*free));
	nfree = out->nroot;
	if (!exclude_all(free, &nfree, BOOT_MMAP_MAX, modules, nmod))
		return "the memory map is too fragmented";
	if (!take_low_page(out, free, nfree))
		return "no free page below 1 MiB for the hypervisor";
	if (!take_pool(out, free, nfree, pool_bytes))
		return "not enough free memory between 1 MiB and 4 GiB for the hypervisor's pool";
	if (!exclude_all(out->root, &out->nroot, BOOT_MMAP_MAX, out->pool, out->npool))
		return "the memory map is too fragmented";
	return NULL;
}

static bool overlaps_any(uint64_t lo, uint64_t hi, const struct mem_range *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (r[i].len && lo < r[i].base + r[i].len && r[i].base < hi)
			return true;
	return false;
}

/* The end of the last of `avoid` that overlaps [lo, hi). */
static uint64_t past_overlap(uint64_t lo, uint64_t hi, const struct mem_range *r, unsigned n)
{
	uint64_t end = lo;

	for (unsigned i = 0; i < n; i++)
		if (r[i].len && lo < r[i].base + r[i].len && r[i].base < hi)
			end = MAX(end, r[i].base + r[i].len);
	return end;
}

bool rootmem_place(const struct mem_range *ranges, unsigned n,
		   const struct mem_range *avoid, unsigned navoid,
		   uint64_t bytes, uint64_t align, uint64_t *at)
{
	if (!bytes || !align || (align & (align - 1)))
		return false;
	for (unsigned i = 0; i < n; i++) {
		uint64_t end = ranges[i].base + ranges[i].len;
		uint64_t lo = ALIGN_UP(MAX(ranges[i].base, LOW_END), align);

		/* each step moves past a module, so this ends */
		while (lo >= ranges[i].base && lo < end && bytes <= end - lo) {
			if (!overlaps_any(lo, lo + bytes, avoid, navoid)) {
				*at = lo;
				return true;
			}
			lo = ALIGN_UP(past_overlap(lo, lo + bytes, avoid, navoid), align);
		}
	}
	return false;
}
