/* Control-register accesses that exit: checked by the core, carried out by the back-end. */
#ifndef CORE_CR_H
#define CORE_CR_H

#include "core/exit.h"

/* EXIT_CR_ACCESS: MOV to/from CR0, CR4 or CR8, CLTS, LMSW (core/exit.c's table). */
enum exit_action on_cr_access(struct vp *vp, const struct vm_exit *e);

/* The CR4 bits this vCPU's partition may set: see cpuid_cr4_features in partitions/cpuid.c. */
uint64_t cr4_guest_bits(struct vp *vp);

#endif
