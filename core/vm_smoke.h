/* Boot-time self-test of the vCPU back-end (option vmcheck=1). */
#ifndef CORE_VM_SMOKE_H
#define CORE_VM_SMOKE_H

#include "core/vcpu.h"

bool vm_smoke_test(void);

/* Flat 64-bit state: paging at cr3, code 0x08 and data 0x10 in the GDT at gdt. */
void vm_initial_state_long_mode(struct vcpu_state *s, uint64_t cr3, uint64_t gdt,
				uint16_t gdt_limit, uint64_t rip);

#endif
