/*
 * The hypervisor's physical memory: a locked page allocator over the usable
 * RAM of the boot memory map, minus the hypervisor image, the boot modules
 * and the boot information; with the root partition (root=on), over a pool
 * of hv_mem= MiB only, the rest being the root's (core/rootmem.h).
 * Memory is identity-mapped for the hypervisor.
 */
#ifndef CORE_MM_H
#define CORE_MM_H

#include "core/bootinfo.h"

/* pool_bytes 0: the allocator gets all free RAM; else that much (root=on). */
void mm_init(const struct boot_info *bi, uint64_t pool_bytes);
/* root=on: the root partition's RAM (sorted, disjoint, page-aligned); NULL and 0 otherwise. */
const struct mem_range *mm_root_ram(unsigned *n);

/* Contiguous pages, aligned to `align` bytes, below `limit` (0: anywhere). 0 on failure. */
paddr_t mm_alloc(uint64_t npages, uint64_t align, paddr_t limit);
/* One zeroed page, or 0. */
paddr_t mm_alloc_zeroed_page(void);
/* Free pages; freeing what was not allocated is a bug of ours (panics). */
void mm_free(paddr_t pa, uint64_t npages);
uint64_t mm_free_pages(void);
/* Usable RAM in the boot memory map, and of it the root partition's (0 without one), in pages. */
uint64_t mm_usable_pages(void);
uint64_t mm_root_pages(void);
/* End of the highest RAM or ACPI range in the firmware map. */
paddr_t mm_phys_end(void);

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)(uintptr_t)va;
}

#endif
