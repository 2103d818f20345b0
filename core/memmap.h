/* Memory-map normalisation: firmware maps in, usable page ranges out. Pure logic. */
#ifndef CORE_MEMMAP_H
#define CORE_MEMMAP_H

#include "core/bootinfo.h"

/*
 * From `in` (any order, may overlap), produce in `out` the sorted, disjoint,
 * page-aligned ranges that are usable RAM and overlap no other kind of
 * range (reserved wins over usable). Adjacent ranges are merged. Returns the
 * number written, at most `max`; ranges past `max` are dropped and counted
 * in *dropped (may be NULL).
 */
unsigned memmap_usable(const struct mem_range *in, unsigned n,
		       struct mem_range *out, unsigned max, unsigned *dropped);

/*
 * Remove [base, base+len) (widened to whole pages) from the sorted, disjoint
 * usable ranges in r[0..*n), splitting a range where needed. Returns false
 * if a split would need more than `max` entries (nothing is changed then).
 */
bool memmap_exclude(struct mem_range *r, unsigned *n, unsigned max,
		    uint64_t base, uint64_t len);

/* Sum of lengths, and the end of the highest range (0 if none). */
uint64_t memmap_total(const struct mem_range *r, unsigned n);
uint64_t memmap_end(const struct mem_range *r, unsigned n);

#endif
