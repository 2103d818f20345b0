/* Page sources for second-level page tables. */
#ifndef CORE_SLPT_HV_H
#define CORE_SLPT_HV_H

#include "core/pool.h"
#include "core/slpt.h"

/* The hypervisor's allocator: its own tables (self-tests), and lookups, which allocate nothing. */
extern const struct slpt_alloc slpt_hv_alloc;

/* A partition's tables: zeroed pages from its pool, given back to it. */
void slpt_pool_alloc(struct slpt_alloc *a, struct pool *pool);

#endif
