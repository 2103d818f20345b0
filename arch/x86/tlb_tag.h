/*
 * TLB tags for vCPUs: VPIDs on VT-x, ASIDs on AMD-V, handed out per
 * physical CPU. A tag only has to be unique among the vCPUs that run on
 * one CPU, and a vCPU never leaves its home CPU, so each CPU numbers its
 * own from 1 up to the back-end's maximum. When it runs out it starts a
 * new generation: every tag's translations on that CPU are flushed and
 * numbering starts again at 1; a vCPU whose tag is from an older
 * generation takes a new one before its next entry (KVM's ASID
 * generations). Within a generation no tag is handed out twice, so a new
 * tag has no translations cached and needs no flush of its own. The
 * number of vCPUs is bounded by memory, not by tags.
 *
 * Each CPU's pool is used by that CPU only, from the back-end's run():
 * no locks. The fast path compares one generation.
 */
#ifndef ARCH_X86_TLB_TAG_H
#define ARCH_X86_TLB_TAG_H

#include "core/percpu.h"
#include "core/types.h"

/* A vCPU's tag, in the back-end's private state. Zeroed: no tag yet. */
struct tlb_tag {
	uint64_t gen;		/* the home CPU's generation it belongs to; 0: none */
	uint32_t tag;
};

/* Each CPU's current generation, from 1 (the rest of its pool is in tlb_tag.c). */
extern uint64_t tlb_tag_gens[MAX_CPUS];

/*
 * Called by the back-end's cpu_enable on each CPU, before any vCPU runs
 * there: tags run from 1 to max (0 is the host's on both vendors). The
 * first tag handed out on the CPU begins a generation, with a flush.
 */
void tlb_tags_cpu_init(uint32_t max);
/* Testing (boot option tlb_tags=): at most limit tags per CPU; 0: as many as the hardware has. */
void tlb_tags_limit(uint32_t limit);
uint32_t tlb_tags_max(void);

/* t may be used for an entry on this CPU without taking a new tag. */
static inline bool tlb_tag_current(const struct tlb_tag *t, unsigned cpu)
{
	return __atomic_load_n(&t->gen, __ATOMIC_RELAXED) == tlb_tag_gens[cpu];
}

/*
 * Give t the next tag of this CPU (the calling one). Returns true when
 * that began a new generation: the caller must then flush the
 * translations of every tag on this CPU before the entry.
 */
bool tlb_tag_renew(struct tlb_tag *t, unsigned cpu);

/* Forget t's tag: its vCPU takes a new one (which holds no translations) before its next entry. */
static inline void tlb_tag_drop(struct tlb_tag *t)
{
	__atomic_store_n(&t->gen, 0, __ATOMIC_RELAXED);
}

/*
 * The flush that began this CPU's generation may not have happened (its
 * entry was refused): begin another generation at the next tag.
 */
void tlb_tags_flush_lost(unsigned cpu);

#endif
