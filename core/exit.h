/* VM-exit dispatch: a const table indexed by the normalised exit reason. */
#ifndef CORE_EXIT_H
#define CORE_EXIT_H

#include "core/vcpu.h"

struct vp;

enum exit_action {
	EXIT_ACTION_RESUME,	/* enter the guest again */
	EXIT_ACTION_BLOCK,	/* the vCPU waits (HLT) */
	EXIT_ACTION_STOP,	/* the partition stopped or crashed */
};

enum exit_action exit_dispatch(struct vp *vp, const struct vm_exit *e);

/* Advance the guest's RIP past the exiting instruction (e->insn_len bytes). */
void exit_skip_insn(struct vp *vp, const struct vm_exit *e);
/* Raise #GP(0) or #UD at the guest's current instruction (faults: RIP is left alone). */
void exit_inject_gp(struct vp *vp);
void exit_inject_ud(struct vp *vp);

#endif
