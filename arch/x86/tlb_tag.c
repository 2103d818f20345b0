/* Per-CPU TLB tag generations (see tlb_tag.h). */
#include "arch/x86/tlb_tag.h"
#include "core/panic.h"

uint64_t tlb_tag_gens[MAX_CPUS];
static uint32_t next_tag[MAX_CPUS];	/* above the maximum: none left in this generation */
static uint32_t tag_max;		/* the hardware's, the same on every CPU */
static uint32_t tag_limit;		/* testing: 0, or fewer tags than the hardware has */

uint32_t tlb_tags_max(void)
{
	return tag_limit && tag_limit < tag_max ? tag_limit : tag_max;
}

void tlb_tags_limit(uint32_t limit)
{
	tag_limit = limit;
}

void tlb_tags_cpu_init(uint32_t max)
{
	unsigned cpu = this_cpu_id();

	tag_max = max;
	tlb_tag_gens[cpu] = 1;		/* a zeroed struct tlb_tag (gen 0) is never current */
	next_tag[cpu] = UINT32_MAX;	/* none left: the first tag begins generation 2 */
}

void tlb_tags_flush_lost(unsigned cpu)
{
	next_tag[cpu] = UINT32_MAX;
}

bool tlb_tag_renew(struct tlb_tag *t, unsigned cpu)
{
	bool new_gen = false;

	/* Invariant: cpu_enable ran on this CPU (tlb_tags_cpu_init). */
	ASSERT(tlb_tag_gens[cpu] != 0 && tag_max != 0);
	if (next_tag[cpu] > tlb_tags_max()) {
		tlb_tag_gens[cpu]++;
		next_tag[cpu] = 1;
		new_gen = true;
	}
	t->tag = next_tag[cpu]++;
	__atomic_store_n(&t->gen, tlb_tag_gens[cpu], __ATOMIC_RELAXED);
	return new_gen;
}
