/* A page pool over a sorted table of 64-page windows (see pool.h). */
#include "core/pool.h"
#include "core/lib.h"

#define WPAGES	POOL_WINDOW_PAGES

static uint64_t window_base(uint64_t pfn)
{
	return ALIGN_DOWN(pfn, WPAGES);
}

static uint64_t bit_of(uint64_t pfn)
{
	return 1ull << (pfn % WPAGES);
}

/* Bits b .. b+len-1 set (len 1 to 64 - b). */
static uint64_t bits(unsigned b, unsigned len)
{
	return (len == 64 ? ~0ull : (1ull << len) - 1) << b;
}

/* Index of the window that holds pfn, or where it would go: binary search. */
static unsigned window_slot(const struct pool *p, uint64_t pfn)
{
	unsigned lo = 0, hi = p->nwindows;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (p->windows[mid].first_pfn < window_base(pfn))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct pool_window *window_of(struct pool *p, uint64_t pfn)
{
	unsigned i = window_slot(p, pfn);

	if (i < p->nwindows && p->windows[i].first_pfn == window_base(pfn))
		return &p->windows[i];
	return NULL;
}

/* Add one page to the held set (free). */
static enum pool_status add_page(struct pool *p, paddr_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT;
	unsigned i;

	if (!pa || pa % PAGE_SIZE)
		return POOL_EINVAL;
	i = window_slot(p, pfn);
	if (i == p->nwindows || p->windows[i].first_pfn != window_base(pfn)) {
		if (p->nwindows == POOL_WINDOWS)
			return POOL_EFULL;
		memmove(&p->windows[i + 1], &p->windows[i],
			(p->nwindows - i) * sizeof(p->windows[0]));
		p->windows[i] = (struct pool_window){ .first_pfn = window_base(pfn) };
		p->nwindows++;
	}
	if (p->windows[i].held & bit_of(pfn))
		return POOL_EDUP;
	p->windows[i].held |= bit_of(pfn);
	p->held++;
	return POOL_OK;
}

/* Drop held pages [pfn, pfn+n) (none handed out) and the windows left empty. */
static void remove_pages(struct pool *p, uint64_t pfn, uint64_t n)
{
	for (uint64_t f = pfn; f < pfn + n; f++) {
		unsigned i = window_slot(p, f);
		struct pool_window *w = &p->windows[i];

		w->held &= ~bit_of(f);
		p->held--;
		if (!w->held) {
			memmove(w, w + 1, (p->nwindows - i - 1) * sizeof(*w));
			p->nwindows--;
		}
	}
}

static void set_used(struct pool *p, uint64_t pfn, uint64_t n, bool used)
{
	for (uint64_t f = pfn; f < pfn + n; f++) {
		struct pool_window *w = window_of(p, f);

		if (used)
			w->used |= bit_of(f);
		else
			w->used &= ~bit_of(f);
	}
	if (used)
		p->used += n;
	else
		p->used -= n;
}

/* The lowest aligned place for n pages in the free stretch [start, end), 0 if none. */
static uint64_t fit(uint64_t start, uint64_t end, uint64_t n, uint64_t align, uint64_t limit)
{
	uint64_t at = ALIGN_UP(start, align);

	if (start && at + n <= end && (!limit || at + n <= limit))
		return at;
	return 0;
}

/*
 * First fit: walk the free pages in address order as stretches of
 * consecutive frames (a stretch goes on from one window into the next when
 * their frames touch) and test each stretch as it ends. Frame numbers;
 * frame 0 is never held, so 0 means none.
 */
static uint64_t find_run(const struct pool *p, uint64_t n, uint64_t align, uint64_t limit)
{
	uint64_t start = 0, end = 0, at;

	for (unsigned i = 0; i < p->nwindows; i++) {
		const struct pool_window *w = &p->windows[i];
		uint64_t free = w->held & ~w->used;

		while (free) {
			unsigned b = (unsigned)__builtin_ctzll(free);
			uint64_t rest = ~(free >> b);
			unsigned len = rest ? (unsigned)__builtin_ctzll(rest) : 64;
			uint64_t pfn = w->first_pfn + b;

			if (pfn != end) {
				at = fit(start, end, n, align, limit);
				if (at)
					return at;
				start = pfn;
			}
			end = pfn + len;
			free &= ~bits(b, len);
		}
	}
	return fit(start, end, n, align, limit);
}

/* A backed pool is short: n pages from the source, added and free. 0 if none. */
static uint64_t take_from_source(struct pool *p, uint64_t n, uint64_t align, paddr_t limit)
{
	paddr_t pa = p->source->get(p->source->ctx, n, align, limit);
	uint64_t pfn = pa >> PAGE_SHIFT;

	if (!pa)
		return 0;
	for (uint64_t i = 0; i < n; i++) {
		if (add_page(p, pa + i * PAGE_SIZE) != POOL_OK) {
			remove_pages(p, pfn, i);	/* the table is full: all of it goes back */
			p->source->put(p->source->ctx, pa, n);
			return 0;
		}
	}
	return pfn;
}

void pool_init(struct pool *p, void *(*to_virt)(paddr_t pa), const struct pool_source *source)
{
	p->lock = (spinlock_t)SPINLOCK_INIT;
	p->to_virt = to_virt;
	p->source = source;
	p->held = p->used = p->short_takes = 0;
	p->nwindows = 0;
}

enum pool_status pool_deposit(struct pool *p, const paddr_t *pages, uint64_t n,
			      uint64_t *accepted)
{
	enum pool_status st = POOL_OK;
	uint64_t i = 0;

	spin_lock(&p->lock);
	if (p->source)
		st = POOL_EINVAL;	/* a backed pool gives its pages to the source */
	for (; st == POOL_OK && i < n; i++) {
		st = add_page(p, pages[i]);
		if (st != POOL_OK)
			break;
	}
	spin_unlock(&p->lock);
	*accepted = i;
	return st;
}

paddr_t pool_take(struct pool *p, uint64_t npages, uint64_t align, paddr_t limit)
{
	uint64_t align_pfn = align >> PAGE_SHIFT, limit_pfn = limit >> PAGE_SHIFT, pfn;

	if (!npages || align < PAGE_SIZE || (align & (align - 1)))
		return 0;
	spin_lock(&p->lock);
	pfn = find_run(p, npages, align_pfn, limit_pfn);
	if (!pfn && p->source)
		pfn = take_from_source(p, npages, align, limit);
	if (pfn)
		set_used(p, pfn, npages, true);
	else
		p->short_takes++;
	spin_unlock(&p->lock);
	if (!pfn)
		return 0;
	/* the caller's now: zero it outside the lock */
	memset(p->to_virt(pfn << PAGE_SHIFT), 0, npages * PAGE_SIZE);
	return pfn << PAGE_SHIFT;
}

static bool all_used(struct pool *p, uint64_t pfn, uint64_t n)
{
	for (uint64_t f = pfn; f < pfn + n; f++) {
		const struct pool_window *w = window_of(p, f);

		if (!w || !(w->used & bit_of(f)))
			return false;
	}
	return true;
}

bool pool_give(struct pool *p, paddr_t pa, uint64_t npages)
{
	uint64_t pfn = pa >> PAGE_SHIFT;
	bool ok, to_source;

	spin_lock(&p->lock);
	ok = pa % PAGE_SIZE == 0 && npages && all_used(p, pfn, npages);
	to_source = ok && p->source;
	if (ok)
		set_used(p, pfn, npages, false);
	if (to_source)
		remove_pages(p, pfn, npages);
	spin_unlock(&p->lock);
	if (to_source) {
		/* a page leaves a pool only scrubbed */
		memset(p->to_virt(pa), 0, npages * PAGE_SIZE);
		p->source->put(p->source->ctx, pa, npages);
	}
	return ok;
}

uint64_t pool_withdraw(struct pool *p, paddr_t *out, uint64_t n)
{
	uint64_t got = 0;

	spin_lock(&p->lock);
	for (unsigned i = 0; i < p->nwindows && got < n; i++) {
		const struct pool_window *w = &p->windows[i];

		for (uint64_t free = w->held & ~w->used; free && got < n; free &= free - 1)
			out[got++] = (w->first_pfn + (uint64_t)__builtin_ctzll(free)) << PAGE_SHIFT;
	}
	/* then out of the table (which moves windows, so not while walking it) */
	for (uint64_t k = 0; k < got; k++)
		remove_pages(p, out[k] >> PAGE_SHIFT, 1);
	spin_unlock(&p->lock);
	/* a page leaves a pool only scrubbed */
	for (uint64_t k = 0; k < got; k++)
		memset(p->to_virt(out[k]), 0, PAGE_SIZE);
	return got;
}

uint64_t pool_free(struct pool *p)
{
	uint64_t n;

	spin_lock(&p->lock);
	n = p->held - p->used;
	spin_unlock(&p->lock);
	return n;
}
