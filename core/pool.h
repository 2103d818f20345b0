/*
 * A page pool: the memory one partition's hypervisor structures come from
 * (the partition object of its children, its second-level tables, its
 * vCPUs' VMCB or VMCS pages). On Hyper-V the root fills a partition's pool
 * with HvCallDepositMemory and takes free pages back with
 * HvCallWithdrawMemory; a call that finds the pool short fails with
 * HV_STATUS_INSUFFICIENT_MEMORY and the root deposits more
 * (../shared/ref/hyperv-root-abi.md sections 3, 4.4, 4.5).
 *
 * Pure logic (host-tested): physical addresses go through the to_virt
 * callback given at pool_init, only to zero pages. Ownership is the
 * caller's business: the pool checks a deposit's alignment and that it
 * does not hold the page already, not whose memory it is.
 *
 * Bookkeeping lives in struct pool itself, no allocation: a table, sorted by
 * address, of windows of 64 consecutive page frames (aligned to 64 frames)
 * with a bit per page for "held" and one for "handed out". The bound is
 * POOL_WINDOWS windows: between POOL_WINDOWS pages (all scattered) and
 * POOL_WINDOWS * 64 pages (64 MiB, whole aligned blocks, which is how Linux
 * deposits: power-of-two blocks of consecutive frames). A deposit that
 * needs a window beyond the bound is refused (POOL_EFULL) from that page
 * on. Sorted windows make contiguity visible: consecutive windows whose
 * frames touch form one run for pool_take.
 *
 * Two modes. Deposited (source NULL): pages arrive only by pool_deposit and
 * leave only by pool_withdraw. Backed (a source): a take that finds too few
 * free pages gets them from the source (the hypervisor's allocator), and a
 * page given back returns to the source at once, so a backed pool holds
 * only pages in use and is empty again when they are all given back.
 *
 * Every function takes the pool's spinlock; a backed pool calls its source
 * under it (the source must never call into a pool).
 */
#ifndef CORE_POOL_H
#define CORE_POOL_H

#include "core/spinlock.h"
#include "core/types.h"

#define POOL_WINDOW_PAGES	64	/* frames per window: one bit each in a uint64_t */
#define POOL_WINDOWS		256	/* the bound, see above: 6 KiB of table */

struct pool_window {
	uint64_t first_pfn;		/* a multiple of POOL_WINDOW_PAGES */
	uint64_t held;			/* bit i: frame first_pfn + i is the pool's */
	uint64_t used;			/* bit i: ... and handed out; a subset of held */
};

/* Where a backed pool's pages come from and go back to. */
struct pool_source {
	/* npages contiguous, aligned to align bytes, ending below limit (0: anywhere); 0 if none */
	paddr_t (*get)(void *ctx, uint64_t npages, uint64_t align, paddr_t limit);
	void (*put)(void *ctx, paddr_t pa, uint64_t npages);
	void *ctx;
};

enum pool_status {
	POOL_OK = 0,
	POOL_EINVAL,		/* page 0 or not 4 KiB aligned */
	POOL_EDUP,		/* the pool holds that page already */
	POOL_EFULL,		/* no window left for it (the bound above) */
};

/* Fields under `lock`; to_virt and source fixed at pool_init. */
struct pool {
	spinlock_t lock;
	void *(*to_virt)(paddr_t pa);
	const struct pool_source *source;	/* NULL: deposits only */
	uint64_t held;				/* pages the pool holds, free or handed out */
	uint64_t used;				/* of those, handed out */
	uint64_t short_takes;			/* takes that failed for want of pages */
	unsigned nwindows;
	struct pool_window windows[POOL_WINDOWS];	/* sorted by first_pfn, none empty */
};

void pool_init(struct pool *p, void *(*to_virt)(paddr_t pa), const struct pool_source *source);

/*
 * Add `n` pages (4 KiB each, physical addresses) in order. Stops at the
 * first page refused and says why; *accepted is how many went in (the
 * hypercall's reps completed).
 */
enum pool_status pool_deposit(struct pool *p, const paddr_t *pages, uint64_t n,
			      uint64_t *accepted);

/*
 * `npages` physically contiguous zeroed pages whose first address is a
 * multiple of `align` (a power of two, at least PAGE_SIZE) and whose last
 * byte lies below `limit` (0: anywhere): the lowest such run of free pages
 * (first fit). 0 if there is none (and a backed pool's source has none
 * either); the pool is then unchanged.
 */
paddr_t pool_take(struct pool *p, uint64_t npages, uint64_t align, paddr_t limit);

static inline paddr_t pool_take_page(struct pool *p)
{
	return pool_take(p, 1, PAGE_SIZE, 0);
}

/*
 * Give back `npages` pages at `pa` that pool_take handed out. False, and
 * nothing changes, if any of them is not handed out by this pool (a bug of
 * the caller's: callers panic).
 */
bool pool_give(struct pool *p, paddr_t pa, uint64_t npages);

/*
 * Remove up to `n` free pages from the pool, lowest first, each zeroed
 * before it leaves; their addresses go to out[]. Returns how many (fewer
 * than n when fewer are free, 0 from an empty pool).
 */
uint64_t pool_withdraw(struct pool *p, paddr_t *out, uint64_t n);

static inline uint64_t pool_held(const struct pool *p)
{
	return __atomic_load_n(&p->held, __ATOMIC_RELAXED);
}

static inline uint64_t pool_used(const struct pool *p)
{
	return __atomic_load_n(&p->used, __ATOMIC_RELAXED);
}

/* Free pages: held and not handed out (both read under the lock). */
uint64_t pool_free(struct pool *p);

#endif
