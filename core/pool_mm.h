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

/* Such a pool for whoever has no pool of its own to pay from (the root partition's object). */
extern struct pool mm_pool;

#endif
