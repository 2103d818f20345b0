/* Boot-time self-test (option vmcheck=1) and exit floor (benchfloor=1) of the vCPU back-end. */
#ifndef CORE_VM_SMOKE_H
#define CORE_VM_SMOKE_H

#include "core/vcpu.h"

bool vm_smoke_test(void);
/* Measure and log the back-end's cheapest exit round trip (option benchfloor=1). */
void vm_bench_floor(void);

#endif
