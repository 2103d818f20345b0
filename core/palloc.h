/*
 * Physical page allocator: one bit per 4 KiB frame below `nframes`, set
 * when the frame is in use or not RAM. Pure logic, no locking: core/mm.c
 * wraps it with a lock for the hypervisor. Frame 0 is never handed out, so
 * 0 can mean "no memory".
 */
#ifndef CORE_PALLOC_H
#define CORE_PALLOC_H

#include "core/types.h"

struct palloc {
	uint64_t *bitmap;	/* nframes bits, 1 = unavailable */
	uint64_t nframes;
	uint64_t free;		/* frames with a 0 bit: exact at all times */
	uint64_t hint;		/* first frame worth looking at for 1-page allocations */
};

/* Bytes of bitmap needed for frames below `end`. */
uint64_t palloc_bitmap_bytes(paddr_t end);

/* Start with every frame unavailable. */
void palloc_init(struct palloc *pa, uint64_t *bitmap, uint64_t nframes);

/* Make the whole pages inside [base, base+len) available. Returns frames added. */
uint64_t palloc_add(struct palloc *pa, paddr_t base, uint64_t len);

/* Take the pages touching [base, base+len) out of circulation, free or not. */
void palloc_reserve(struct palloc *pa, paddr_t base, uint64_t len);

/*
 * Allocate `npages` contiguous frames whose first address is a multiple of
 * `align` (a power of two, at least PAGE_SIZE) and whose last byte lies below
 * `limit` (0: no limit). Returns the physical address, or 0.
 */
paddr_t palloc_alloc(struct palloc *pa, uint64_t npages, uint64_t align, paddr_t limit);

/*
 * Free `npages` frames at `pa`. Returns false, and frees nothing, if any of
 * them is out of range, misaligned or not currently allocated.
 */
bool palloc_free(struct palloc *pa, paddr_t addr, uint64_t npages);

static inline uint64_t palloc_free_pages(const struct palloc *pa)
{
	return pa->free;
}

#endif
