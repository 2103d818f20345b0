/*
 * EPT entries for the generic second-level page tables (core/slpt.h).
 * SDM Vol. 3C, 29.3.2, Tables 29-1 to 29-6: bits 0-2 read, write and
 * execute; in a leaf, bits 3-5 the EPT memory type and bit 7 "maps a
 * page" at levels 2 and 3; bits 12-51 the physical address. A non-leaf
 * entry with all three rights leaves the decision to the leaf.
 */
#include "arch/x86/vmx/vmx.h"
#include "core/slpt_hv.h"

#define EPT_RWX			7ull
#define EPT_MEMTYPE_SHIFT	3
#define EPT_LARGE		(1ull << 7)
#define EPT_ADDR_MASK		0x000ffffffffff000ull

_Static_assert(SLP_R == 1 && SLP_W == 2 && SLP_X == 4, "SLP rights are EPT bits 0-2");

static uint64_t ept_leaf(paddr_t hpa, unsigned perms, enum mem_cache type, unsigned level)
{
	/* bit 6 (ignore PAT) stays 0: the guest's PAT combines with the EPT type (29.3.7.2) */
	return (hpa & EPT_ADDR_MASK) | (perms & EPT_RWX) | (uint64_t)type << EPT_MEMTYPE_SHIFT |
	       (level > 1 ? EPT_LARGE : 0);
}

static uint64_t ept_table(paddr_t hpa)
{
	return (hpa & EPT_ADDR_MASK) | EPT_RWX;
}

/* An entry with none of R, W, X is not present (29.3.2). */
static bool ept_present(uint64_t pte)
{
	return (pte & EPT_RWX) != 0;
}

static bool ept_is_leaf(uint64_t pte, unsigned level)
{
	return level == 1 || (pte & EPT_LARGE);
}

static paddr_t ept_addr(uint64_t pte)
{
	return pte & EPT_ADDR_MASK;
}

static uint64_t ept_split(uint64_t pte, unsigned level, unsigned i)
{
	unsigned child = level - 1;
	uint64_t size = (uint64_t)1 << (12 + 9 * (child - 1));
	uint64_t flags = pte & ~EPT_ADDR_MASK;

	if (child == 1)
		flags &= ~EPT_LARGE;	/* bit 7 is ignored in a 4 KiB leaf; keep it clear */
	return (ept_addr(pte) + i * size) | flags;
}

const struct slpt_format ept_format = {
	.leaf = ept_leaf,
	.table = ept_table,
	.present = ept_present,
	.is_leaf = ept_is_leaf,
	.addr = ept_addr,
	.split = ept_split,
};

bool ept_translate(paddr_t root, gpa_t gpa, paddr_t *hpa)
{
	const struct slpt t = { .fmt = &ept_format, .mem = &slpt_hv_alloc, .root = root };

	return slpt_lookup(&t, gpa, hpa, NULL);
}
