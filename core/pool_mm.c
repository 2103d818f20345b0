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
