/* Hypercall dispatch through a const table (see core/abi/hypercall.h). */
#ifndef CORE_HYPERCALL_H
#define CORE_HYPERCALL_H

#include "core/exit.h"

/*
 * A VMCALL/VMMCALL exit e: #UD if the caller may not make hypercalls,
 * else RIP moves past the instruction and the call runs.
 */
enum exit_action hypercall_dispatch(struct vp *vp, const struct vm_exit *e);

#endif
