/*
 * Nested page table entries for the generic builder (core/slpt.c). NPT
 * uses the long-mode page-table format (APM Vol. 2, 15.25.5, and 5.3.3
 * "4-Kbyte Page Translation" for the bits). The nested walk treats every
 * guest access as a user access (15.25.5), so every level, non-leaf ones
 * included, needs P, RW and US or the guest takes #NPF; rights are
 * restricted in the leaf only.
 */
#include "arch/x86/svm/svm.h"

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_US		(1ull << 2)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_PS		(1ull << 7)	/* level 2/3: large page; level 1: PAT (never set) */
#define PTE_NX		(1ull << 63)
#define PTE_ADDR	0x000ffffffffff000ull
#define PTE_FLAGS	(~PTE_ADDR)

#define LEVEL_SIZE(l)	(1ull << (12 + 9 * ((l) - 1)))

/*
 * The memory type goes through the host PAT (15.25.8): index 0 (WB at
 * power-on, left alone by this hypervisor) or index 3 (PCD|PWT, UC). The
 * PAT bit is never set, so its different place in large leaves (bit 12)
 * never collides with the address.
 */
static uint64_t npt_leaf(paddr_t hpa, unsigned perms, enum mem_cache type, unsigned level)
{
	uint64_t pte = (hpa & PTE_ADDR) | PTE_P | PTE_US;

	if (!(perms & SLP_RWX))
		return 0;		/* no access at all: not present */
	if (perms & SLP_W)
		pte |= PTE_RW;
	/* NX is a reserved bit unless the host's EFER.NXE is set (15.25.5) */
	if (!(perms & SLP_X) && svm_features.nx)
		pte |= PTE_NX;
	if (type == MEMTYPE_UC)
		pte |= PTE_PCD | PTE_PWT;
	if (level > 1)
		pte |= PTE_PS;
	return pte;
}

static uint64_t npt_table(paddr_t hpa)
{
	return (hpa & PTE_ADDR) | PTE_P | PTE_RW | PTE_US;
}

static bool npt_present(uint64_t pte)
{
	return pte & PTE_P;
}

static bool npt_is_leaf(uint64_t pte, unsigned level)
{
	return level == 1 || (level <= 3 && (pte & PTE_PS));
}

static paddr_t npt_addr(uint64_t pte)
{
	return pte & PTE_ADDR;
}

static uint64_t npt_split(uint64_t pte, unsigned level, unsigned i)
{
	uint64_t flags = pte & PTE_FLAGS;

	if (level - 1 == 1)
		flags &= ~PTE_PS;
	return (npt_addr(pte) + i * LEVEL_SIZE(level - 1)) | flags;
}

const struct slpt_format npt_format = {
	.leaf = npt_leaf,
	.table = npt_table,
	.present = npt_present,
	.is_leaf = npt_is_leaf,
	.addr = npt_addr,
	.split = npt_split,
};
