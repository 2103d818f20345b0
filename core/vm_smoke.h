/* Boot-time self-test of the vCPU back-end (option vmcheck=1). */
#ifndef CORE_VM_SMOKE_H
#define CORE_VM_SMOKE_H

#include "core/vcpu.h"

bool vm_smoke_test(void);

#endif
