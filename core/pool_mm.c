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

bool pool_fill_from_mm(struct pool *p, uint64_t npages)
{
	for (uint64_t i = 0; i < npages; i++) {
		paddr_t pa = mm_alloc(1, PAGE_SIZE, 0);
		uint64_t accepted;

		if (!pa || pool_deposit(p, &pa, 1, &accepted) != POOL_OK) {
			if (pa)
				mm_free(pa, 1);
			pool_return_mm(p);
			return false;
		}
	}
	return true;
}
