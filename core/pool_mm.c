/* Pools over the hypervisor's page allocator (see pool_mm.h). */
#include "core/pool_mm.h"
#include "core/mm.h"

static paddr_t mm_get(void *ctx __unused, uint64_t npages, uint64_t align, paddr_t limit)
{
	return mm_alloc(npages, align, limit);
}

static void mm_put(void *ctx __unused, paddr_t pa, uint64_t npages)
{
	mm_free(pa, npages);
}

static const struct pool_source mm_source = { mm_get, mm_put, NULL };

struct pool mm_pool = { .lock = SPINLOCK_INIT, .to_virt = phys_to_virt, .source = &mm_source };

void pool_init_mm(struct pool *p)
{
	pool_init(p, phys_to_virt, &mm_source);
}

uint64_t pool_return_mm(struct pool *p)
{
	paddr_t batch[64];
	uint64_t n, total = 0;

	while ((n = pool_withdraw(p, batch, ARRAY_SIZE(batch))) != 0) {
		for (uint64_t i = 0; i < n; i++)
			mm_free(batch[i], 1);
		total += n;
	}
	return total;
}

/*
 * Scattered on purpose: each page is the second of two allocated together,
 * and the first goes back, so no two deposited pages are neighbours and
 * nothing built from them can be relying on contiguity by chance.
 */
bool pool_fill_from_mm(struct pool *p, uint64_t npages)
{
	for (uint64_t i = 0; i < npages; i++) {
		paddr_t pair = mm_alloc(2, PAGE_SIZE, 0), pa = pair + PAGE_SIZE;
		uint64_t accepted;

		if (!pair)
			goto fail;
		mm_free(pair, 1);
		if (pool_deposit(p, &pa, 1, &accepted) != POOL_OK) {
			mm_free(pa, 1);
			goto fail;
		}
	}
	return true;
fail:
	pool_return_mm(p);
	return false;
}
