/* Second-level page-table pages come from the hypervisor's allocator, zeroed. */
#include "core/slpt_hv.h"
#include "core/mm.h"

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
