/* Architectural start states that the core gives new vCPUs. */
#include "core/lib.h"
#include "core/vcpu.h"

void vm_initial_state_long_mode(struct vcpu_state *s, uint64_t cr3, uint64_t gdt,
				uint16_t gdt_limit, uint64_t rip)
{
	const struct seg_desc code = { 0, 0xffffffff, 0x08, 0xa9b };	/* L, G, P, S, type 0xb */
	const struct seg_desc data = { 0, 0xffffffff, 0x10, 0xc93 };	/* D/B, G, P, S, type 3 */

	memset(s, 0, sizeof(*s));
	s->rip = rip;
	s->rflags = 0x2;
	s->cr0 = 0x80000031;		/* PG, NE, ET, PE */
	s->cr4 = 0x20;			/* PAE */
	s->efer = 0x500;		/* LMA, LME */
	s->cr3 = cr3;
	s->pat = 0x0007040600070406ull;	/* power-on default */
	s->cs = code;
	s->ds = s->es = s->ss = s->fs = s->gs = data;
	s->tr = (struct seg_desc){ 0, 0x67, 0, 0x8b };	/* busy 64-bit TSS */
	s->ldtr = (struct seg_desc){ 0, 0xffff, 0, 0x82 };
	s->gdtr = (struct dtable){ gdt, gdt_limit };
	s->idtr = (struct dtable){ 0, 0 };
}
