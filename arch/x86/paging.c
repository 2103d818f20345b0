/* Hypervisor identity map (see paging.h). */
#include "arch/x86/paging.h"
#include "arch/x86/cpu.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/panic.h"

static paddr_t hv_pml4, mapped_end;

static uint64_t *new_table(void)
{
	paddr_t pa = mm_alloc(1, PAGE_SIZE, GIB(4));

	if (!pa)
		panic("paging: out of memory below 4 GiB");
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return phys_to_virt(pa);
}

/* The PDPT covering virtual address va, created on first use. */
static uint64_t *pdpt_for(uint64_t *pml4, uint64_t va)
{
	uint64_t *e = &pml4[(va >> 39) & 511];

	if (!(*e & PT_P))
		*e = virt_to_phys(new_table()) | PT_P | PT_W;
	return phys_to_virt(*e & PT_ADDR_MASK);
}

void paging_init(paddr_t end)
{
	bool gib_pages = cpuid(0x80000001, 0).edx & (1u << 26);	/* Page1GB */
	uint64_t *pml4 = new_table();

	end = ALIGN_UP(MAX(end, GIB(4)), GIB(1));
	for (uint64_t va = 0; va < end; va += GIB(1)) {
		uint64_t *pdpt = pdpt_for(pml4, va);
		uint64_t *pd;

		if (gib_pages) {
			pdpt[(va >> 30) & 511] = va | PT_P | PT_W | PT_PS;
			continue;
		}
		pd = new_table();
		for (unsigned i = 0; i < 512; i++)
			pd[i] = (va + (uint64_t)i * MIB(2)) | PT_P | PT_W | PT_PS;
		pdpt[(va >> 30) & 511] = virt_to_phys(pd) | PT_P | PT_W;
	}
	hv_pml4 = virt_to_phys(pml4);
	mapped_end = end;
	write_cr3(hv_pml4);
	log_info("paging: identity map of %lu GiB with %s pages", end >> 30,
		 gib_pages ? "1 GiB" : "2 MiB");
}

paddr_t paging_root(void)
{
	return hv_pml4;
}

paddr_t paging_mapped_end(void)
{
	return mapped_end;
}
