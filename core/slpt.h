/*
 * Second-level page tables (EPT or NPT): one generic 4-level builder that
 * maps guest-physical ranges to host pages; the back-end supplies the entry
 * format. Pure logic with an allocator callback, so it is unit-tested on
 * the host.
 */
#ifndef CORE_SLPT_H
#define CORE_SLPT_H

#include "core/types.h"

#define SLP_R		1u
#define SLP_W		2u
#define SLP_X		4u
#define SLP_RWX		(SLP_R | SLP_W | SLP_X)

enum mem_cache { MEMTYPE_UC = 0, MEMTYPE_WB = 6 };	/* PAT/MTRR encodings */

struct slpt_format {
	/* A leaf entry mapping hpa; level 1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB. */
	uint64_t (*leaf)(paddr_t hpa, unsigned perms, enum mem_cache type, unsigned level);
	/* A non-leaf entry pointing at the table at hpa. */
	uint64_t (*table)(paddr_t hpa);
	bool (*present)(uint64_t pte);
	bool (*is_leaf)(uint64_t pte, unsigned level);
	paddr_t (*addr)(uint64_t pte);
	/* Entry i of the 512 that replace the large leaf `pte` at `level`. */
	uint64_t (*split)(uint64_t pte, unsigned level, unsigned i);
};

struct slpt_alloc {
	paddr_t (*alloc_page)(void *ctx);	/* zeroed page, 0 if none */
	void (*free_page)(void *ctx, paddr_t pa);
	void *(*to_virt)(void *ctx, paddr_t pa);
	void *ctx;
};

struct slpt {
	const struct slpt_format *fmt;
	const struct slpt_alloc *mem;
	paddr_t root;
	uint64_t table_pages;		/* pages used by tables, for overhead figures */
};

bool slpt_init(struct slpt *t, const struct slpt_format *fmt, const struct slpt_alloc *mem);

/*
 * Map [gpa, gpa+size) to [hpa, hpa+size) with `perms` and `type`; all three
 * 4 KiB aligned. Uses 2 MiB leaves where alignment allows when `large` is
 * set. Replaces existing leaves. Returns false on allocation failure (what
 * was mapped before the failure stays mapped).
 */
bool slpt_map(struct slpt *t, gpa_t gpa, paddr_t hpa, uint64_t size,
	      unsigned perms, enum mem_cache type, bool large);

/* Remove mappings in [gpa, gpa+size); the caller flushes guest TLBs. */
void slpt_unmap(struct slpt *t, gpa_t gpa, uint64_t size);
/*
 * The same, but where a large leaf only partly in the range cannot be
 * split (no page for its table), the walk stops there and returns false:
 * the rest of the range from that leaf on stays mapped (a single page's
 * unmap then changed nothing a guest can see). What slpt_unmap would do
 * instead, dropping the whole leaf, is wrong where the leaf's other pages
 * must stay mapped (the root's RAM around a page it deposits).
 */
bool slpt_unmap_or_keep(struct slpt *t, gpa_t gpa, uint64_t size);

/* Translate; returns false if unmapped. */
bool slpt_lookup(const struct slpt *t, gpa_t gpa, paddr_t *hpa, uint64_t *pte);

/* Free every table page (not the mapped memory). */
void slpt_destroy(struct slpt *t);

#endif
