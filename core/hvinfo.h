/*
 * HVCALL_X_HV_INFO: what the hypervisor is and holds, for the root's
 * `hv info` and `hv check` (core/abi/hypercall.h). Each fact comes from
 * its owner through a vendor-neutral accessor.
 */
#ifndef CORE_HVINFO_H
#define CORE_HVINFO_H

#include "core/abi/hypercall.h"

void hv_info_fill(struct hv_x_hv_info *info);

#endif
