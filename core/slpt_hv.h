/* The hypervisor's page source for second-level page tables. */
#ifndef CORE_SLPT_HV_H
#define CORE_SLPT_HV_H

#include "core/slpt.h"

extern const struct slpt_alloc slpt_hv_alloc;

#endif
