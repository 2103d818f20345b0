/*
 * Pools whose pages are the hypervisor's own (core/pool.h's backed mode
 * over the page allocator): what pays for a partition that no root
 * deposits for (today's boot-time partitions, the boot self-tests).
 */
#ifndef CORE_POOL_MM_H
#define CORE_POOL_MM_H

#include "core/pool.h"

/* An empty pool that takes from mm on demand and returns to mm at once. */
void pool_init_mm(struct pool *p);

/* Such a pool for whoever has no pool of its own to pay from (boot-time partitions' objects). */
extern struct pool mm_pool;

/*
 * Fill a deposit-only pool with `npages` of the hypervisor's pages, one
 * page at a time as a root deposits them, no two of them adjacent; false
 * (and nothing taken) if mm has too few or the pool refuses them. pool_return_mm gives every free
 * page back to mm, scrubbed; it returns how many.
 */
bool pool_fill_from_mm(struct pool *p, uint64_t npages);
uint64_t pool_return_mm(struct pool *p);

#endif
