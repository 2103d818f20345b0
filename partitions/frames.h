/*
 * Who holds each 4 KiB frame of the root's RAM (docs/root.md, "Frames"):
 *   FRAME_ROOT       the root's, mapped in its second-level tables (GPA = HPA);
 *   FRAME_DEPOSITED  in a partition's page pool (HvCallDepositMemory), unmapped
 *                    from the root, until withdrawn;
 *   FRAME_CHILD      mapped into one child's GPA space (HvCallMapGpaPages) and
 *                    still mapped in the root, which emulates the child's devices.
 * Anything else (the hypervisor's memory, holes, past the end) is
 * FRAME_NOT_ROOT and never changes. A byte per frame: the state in bits
 * 1:0, and for FRAME_CHILD the owner's table slot + 1 in bits 7:2.
 *
 * Pure logic (tests/unit/test_frames.c): no locking; the caller holds its
 * lock (partitions/hvroot_mem.c).
 */
#ifndef PARTITIONS_FRAMES_H
#define PARTITIONS_FRAMES_H

#include <stdbool.h>
#include <stdint.h>

enum frame_state { FRAME_NOT_ROOT = 0, FRAME_ROOT, FRAME_DEPOSITED, FRAME_CHILD };

#define FRAME_BLOCK_PAGES	512u	/* frames in a 2 MiB block */
#define FRAME_OWNER_MAX		62u	/* owner slots 0..61 fit bits 7:2 */
/*
 * A frame just unmapped from a child whose VPs may still reach it through
 * a translation they hold (until each has left guest mode): still counted
 * FRAME_CHILD, so neither deposited nor mapped again, but no child's.
 * Bits 7:2 hold 63, one past the last owner slot.
 */
#define FRAME_OWNER_PENDING	FRAME_OWNER_MAX

struct frame_table {
	uint8_t *state;		/* npfn bytes, frames 0 .. npfn - 1 */
	uint64_t npfn;
	uint64_t pending;	/* frames FRAME_OWNER_PENDING: none, no scan to release them */
	uint64_t pending_lo, pending_hi;	/* ... all within [lo, hi]: the scan's range */
};

/* Bytes the table needs for frames below end_pfn. */
static inline uint64_t frames_bytes(uint64_t end_pfn)
{
	return end_pfn;
}

/* mem: frames_bytes(npfn) bytes; every frame starts FRAME_NOT_ROOT. */
void frames_init(struct frame_table *t, uint8_t *mem, uint64_t npfn);
/* [pfn, pfn + n) is the root's RAM (clipped to the table). */
void frames_add_root(struct frame_table *t, uint64_t pfn, uint64_t n);
enum frame_state frames_get(const struct frame_table *t, uint64_t pfn);
/* The owner slot of a FRAME_CHILD frame; -1 for any other. */
int frames_owner(const struct frame_table *t, uint64_t pfn);
/*
 * [pfn, pfn + n) from `from` to `to` (owner: the slot for FRAME_CHILD):
 * all or nothing. False, and nothing changes, if some frame is not in
 * state `from` (or `to` is FRAME_NOT_ROOT: the root's RAM stays the root's).
 */
bool frames_move(struct frame_table *t, uint64_t pfn, uint64_t n, enum frame_state from,
		 enum frame_state to, unsigned owner);
/* Every frame of the 2 MiB block holding pfn is mapped in the root (ROOT or CHILD). */
bool frames_block_in_root(const struct frame_table *t, uint64_t pfn);
/* A FRAME_CHILD frame (of any owner) becomes pending; false for a frame in another state. */
bool frames_make_pending(struct frame_table *t, uint64_t pfn);
/* Every pending frame back to FRAME_ROOT (its child's VPs have let go of it); returns how many. */
uint64_t frames_release_pending(struct frame_table *t);
/* Frames of child `owner` back to FRAME_ROOT; returns how many. */
uint64_t frames_release_owner(struct frame_table *t, unsigned owner);
/* How many frames are in state s (tests and statistics). */
uint64_t frames_count(const struct frame_table *t, enum frame_state s);

#endif
