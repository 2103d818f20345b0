/* Hypercall dispatch through a const table (see core/abi/hypercall.h). */
#ifndef CORE_HYPERCALL_H
#define CORE_HYPERCALL_H

#include "core/exit.h"

enum exit_action hypercall_dispatch(struct vp *vp);

#endif
