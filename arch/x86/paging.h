/* The hypervisor's own page tables: an identity map of physical memory. */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include "core/types.h"

#define PT_P		(1ull << 0)
#define PT_W		(1ull << 1)
#define PT_PS		(1ull << 7)
#define PT_ADDR_MASK	0x000ffffffffff000ull

/*
 * Replace the boot page tables with an identity map of [0, end) rounded up
 * to at least 4 GiB (firmware tables and MMIO live below it), using 1 GiB
 * pages where the CPU has them. The tables lie below 4 GiB so that the
 * 32-bit AP start-up code can load them.
 */
void paging_init(paddr_t end);
paddr_t paging_root(void);
/* First address past the identity map. */
paddr_t paging_mapped_end(void);

#endif
