/* Physical page allocator over a bitmap (see palloc.h). */
#include "core/palloc.h"
#include "core/lib.h"

static bool frame_used(const struct palloc *pa, uint64_t f)
{
	return pa->bitmap[f / 64] >> (f % 64) & 1;
}

static void mark(struct palloc *pa, uint64_t f, bool used)
{
	uint64_t bit = (uint64_t)1 << (f % 64);

	if (used)
		pa->bitmap[f / 64] |= bit;
	else
		pa->bitmap[f / 64] &= ~bit;
}

uint64_t palloc_bitmap_bytes(paddr_t end)
{
	uint64_t frames = ALIGN_UP(end, PAGE_SIZE) >> PAGE_SHIFT;

	return ALIGN_UP(frames, 64) / 8;
}

void palloc_init(struct palloc *pa, uint64_t *bitmap, uint64_t nframes)
{
	pa->bitmap = bitmap;
	pa->nframes = nframes;
	pa->free = 0;
	pa->hint = 1;
	memset(bitmap, 0xff, ALIGN_UP(nframes, 64) / 8);
}

uint64_t palloc_add(struct palloc *pa, paddr_t base, uint64_t len)
{
	/* rounded up without ALIGN_UP, which wraps to 0 in the top page */
	uint64_t first = (base >> PAGE_SHIFT) + !!(base & (PAGE_SIZE - 1));
	uint64_t end = base + len < base ? UINT64_MAX : base + len;
	uint64_t last = ALIGN_DOWN(end, PAGE_SIZE) >> PAGE_SHIFT;	/* exclusive */
	uint64_t added = 0;

	if (first == 0)
		first = 1;		/* frame 0 is never free */
	last = MIN(last, pa->nframes);
	for (uint64_t f = first; f < last; f++) {
		if (frame_used(pa, f)) {
			mark(pa, f, false);
			added++;
		}
	}
	pa->free += added;
	return added;
}

void palloc_reserve(struct palloc *pa, paddr_t base, uint64_t len)
{
	uint64_t first = base >> PAGE_SHIFT;
	uint64_t end = base + len < base ? UINT64_MAX : base + len;
	uint64_t last = ALIGN_UP(end, PAGE_SIZE) >> PAGE_SHIFT;

	if (!len)
		return;
	if (end > UINT64_MAX - PAGE_SIZE)
		last = UINT64_MAX >> PAGE_SHIFT;
	last = MIN(last, pa->nframes);
	for (uint64_t f = first; f < last; f++) {
		if (!frame_used(pa, f)) {
			mark(pa, f, true);
			pa->free--;
		}
	}
}

/* Length of the run of free frames starting at f, capped at want. */
static uint64_t free_run(const struct palloc *pa, uint64_t f, uint64_t want, uint64_t end)
{
	uint64_t n = 0;

	while (n < want && f + n < end && !frame_used(pa, f + n))
		n++;
	return n;
}

paddr_t palloc_alloc(struct palloc *pa, uint64_t npages, uint64_t align, paddr_t limit)
{
	uint64_t step = align > PAGE_SIZE ? align >> PAGE_SHIFT : 1;
	uint64_t end = pa->nframes;
	uint64_t f;

	if (!npages || npages > pa->free || (step & (step - 1)))
		return 0;
	if (limit)
		end = MIN(end, limit >> PAGE_SHIFT);
	f = npages == 1 && step == 1 ? pa->hint : step;
	for (f = ALIGN_UP(f, step); f < end && npages <= end - f; f += step) {
		uint64_t run = free_run(pa, f, npages, end);

		if (run == npages) {
			for (uint64_t i = 0; i < npages; i++)
				mark(pa, f + i, true);
			pa->free -= npages;
			if (npages == 1 && step == 1)
				pa->hint = f + 1;
			return f << PAGE_SHIFT;
		}
		if (step == 1)
			f += run;	/* skip the short run and the used frame */
	}
	if (npages == 1 && step == 1 && pa->hint > 1) {
		pa->hint = 1;		/* wrap once: frees below the hint */
		return palloc_alloc(pa, npages, align, limit);
	}
	return 0;
}

bool palloc_free(struct palloc *pa, paddr_t addr, uint64_t npages)
{
	uint64_t first = addr >> PAGE_SHIFT;

	if (addr % PAGE_SIZE || !npages || first == 0 || first >= pa->nframes ||
	    npages > pa->nframes - first)
		return false;
	for (uint64_t i = 0; i < npages; i++)
		if (!frame_used(pa, first + i))
			return false;	/* double free */
	for (uint64_t i = 0; i < npages; i++)
		mark(pa, first + i, false);
	pa->free += npages;
	if (first < pa->hint)
		pa->hint = first;
	return true;
}
