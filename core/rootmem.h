/*
 * How RAM is split when the root partition runs (root=on, docs/root.md):
 * the hypervisor keeps its image, its boot information and a pool for
 * all its own allocations; every other byte of usable RAM is the root's,
 * the boot modules included. Where the root's start block goes inside its
 * RAM. Pure logic, unit-tested on the host (tests/unit/test_rootmem.c).
 */
#ifndef CORE_ROOTMEM_H
#define CORE_ROOTMEM_H

#include "core/bootinfo.h"

#define ROOTMEM_POOL_MAX	16

struct rootmem_split {
	struct mem_range pool[ROOTMEM_POOL_MAX];	/* the hypervisor's allocator's */
	unsigned npool;
	struct mem_range root[BOOT_MMAP_MAX];		/* the root partition's, GPA = HPA */
	unsigned nroot;
};

/*
 * Split `usable` (memmap_usable's output: sorted, disjoint, page-aligned)
 * given `kept`, what the hypervisor keeps outside its pool (its image, the
 * boot information), and `modules`, which are the root's but must not go
 * into the pool. The pool is one page below 1 MiB (the APs' start-up
 * trampoline) and at least `pool_bytes` at or above 1 MiB and below 4 GiB
 * (page tables and VT-x structures must lie there), lowest addresses
 * first; its last piece ends at a 2 MiB boundary where its range goes on,
 * so that the root's RAM after it starts 2 MiB aligned. Page 0 is the
 * root's. The root gets the rest. Returns NULL, or what went wrong.
 */
const char *rootmem_split(const struct mem_range *usable, unsigned n,
			  const struct mem_range *kept, unsigned nkept,
			  const struct mem_range *modules, unsigned nmod,
			  uint64_t pool_bytes, struct rootmem_split *out);

/*
 * Where to put a block of `bytes` in the root's RAM: the lowest address at
 * or above 1 MiB, aligned to `align`, with the whole block inside one of
 * `ranges` and overlapping none of `avoid` (the boot modules, which the
 * root will read). False if there is none.
 */
bool rootmem_place(const struct mem_range *ranges, unsigned n,
		   const struct mem_range *avoid, unsigned navoid,
		   uint64_t bytes, uint64_t align, uint64_t *at);

#endif
