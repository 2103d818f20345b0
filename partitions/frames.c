/* The root's frame table (partitions/frames.h): pure logic. */
#include "partitions/frames.h"

#define STATE_MASK	0x3u
#define OWNER_SHIFT	2

static uint8_t encode(enum frame_state s, unsigned owner)
{
	return (uint8_t)(s == FRAME_CHILD ? (s | (owner + 1) << OWNER_SHIFT) : s);
}

void frames_init(struct frame_table *t, uint8_t *mem, uint64_t npfn)
{
	t->state = mem;
	t->npfn = npfn;
	t->pending = 0;
	for (uint64_t i = 0; i < npfn; i++)
		mem[i] = FRAME_NOT_ROOT;
}

void frames_add_root(struct frame_table *t, uint64_t pfn, uint64_t n)
{
	for (uint64_t i = pfn; i < t->npfn && i - pfn < n; i++)
		t->state[i] = FRAME_ROOT;
}

enum frame_state frames_get(const struct frame_table *t, uint64_t pfn)
{
	return pfn < t->npfn ? (enum frame_state)(t->state[pfn] & STATE_MASK) : FRAME_NOT_ROOT;
}

int frames_owner(const struct frame_table *t, uint64_t pfn)
{
	if (frames_get(t, pfn) != FRAME_CHILD)
		return -1;
	return (t->state[pfn] >> OWNER_SHIFT) - 1;
}

bool frames_move(struct frame_table *t, uint64_t pfn, uint64_t n, enum frame_state from,
		 enum frame_state to, unsigned owner)
{
	if (to == FRAME_NOT_ROOT || from == FRAME_NOT_ROOT || owner >= FRAME_OWNER_MAX ||
	    pfn >= t->npfn || n > t->npfn - pfn)
		return false;
	for (uint64_t i = 0; i < n; i++)
		if (frames_get(t, pfn + i) != from)
			return false;
	for (uint64_t i = 0; i < n; i++)
		t->state[pfn + i] = encode(to, owner);
	return true;
}

bool frames_block_in_root(const struct frame_table *t, uint64_t pfn)
{
	uint64_t first = pfn & ~(uint64_t)(FRAME_BLOCK_PAGES - 1);

	for (uint64_t i = first; i < first + FRAME_BLOCK_PAGES; i++) {
		enum frame_state s = frames_get(t, i);

		if (s != FRAME_ROOT && s != FRAME_CHILD)
			return false;
	}
	return true;
}

uint64_t frames_release_owner(struct frame_table *t, unsigned owner)
{
	uint8_t mine = encode(FRAME_CHILD, owner);
	uint64_t n = 0;

	for (uint64_t i = 0; i < t->npfn; i++)
		if (t->state[i] == mine) {
			t->state[i] = FRAME_ROOT;
			n++;
		}
	return n;
}

bool frames_make_pending(struct frame_table *t, uint64_t pfn)
{
	if (frames_get(t, pfn) != FRAME_CHILD)
		return false;
	t->state[pfn] = encode(FRAME_CHILD, FRAME_OWNER_PENDING);
	if (!t->pending++)
		t->pending_lo = t->pending_hi = pfn;
	t->pending_lo = pfn < t->pending_lo ? pfn : t->pending_lo;
	t->pending_hi = pfn > t->pending_hi ? pfn : t->pending_hi;
	return true;
}

/*
 * Every Map/UnmapGpaPages call ends here: it scans only the range the
 * pending frames lie in (one call's, contiguous in the usual case), and
 * nothing with none pending, not the whole table (a 16 MiB child's 65
 * MapGpaPages calls took 30 million instructions more when it did).
 */
uint64_t frames_release_pending(struct frame_table *t)
{
	uint8_t pending = encode(FRAME_CHILD, FRAME_OWNER_PENDING);
	uint64_t n = 0;

	if (!t->pending)
		return 0;
	for (uint64_t i = t->pending_lo; i <= t->pending_hi; i++)
		if (t->state[i] == pending) {
			t->state[i] = FRAME_ROOT;
			n++;
		}
	t->pending = 0;
	return n;
}

uint64_t frames_count(const struct frame_table *t, enum frame_state s)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < t->npfn; i++)
		n += frames_get(t, i) == s;
	return n;
}
