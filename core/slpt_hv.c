/*
 * Second-level page-table pages: from the hypervisor's allocator, or from
 * a partition's pool (core/pool.h), zeroed either way.
 */
#include "core/slpt_hv.h"
#include "core/mm.h"
#include "core/panic.h"

static paddr_t hv_alloc_page(void *ctx __unused)
{
	return mm_alloc_zeroed_page();
}

static void hv_free_page(void *ctx __unused, paddr_t pa)
{
	mm_free(pa, 1);
}

static void *hv_to_virt(void *ctx __unused, paddr_t pa)
{
	return phys_to_virt(pa);
}

const struct slpt_alloc slpt_hv_alloc = { hv_alloc_page, hv_free_page, hv_to_virt, NULL };

static paddr_t pool_alloc_page(void *ctx)
{
	return pool_take_page(ctx);
}

static void pool_free_page(void *ctx, paddr_t pa)
{
	if (!pool_give(ctx, pa, 1))
		panic("slpt: table page %016lx is not from the partition's pool", pa);
}

void slpt_pool_alloc(struct slpt_alloc *a, struct pool *pool)
{
	*a = (struct slpt_alloc){ pool_alloc_page, pool_free_page, hv_to_virt, pool };
}
