/* VM-exit dispatch: a const table indexed by the normalised exit reason. */
#ifndef CORE_EXIT_H
#define CORE_EXIT_H

#include "core/panic.h"
#include "core/vcpu.h"
#include "partitions/partition.h"

enum exit_action {
	EXIT_ACTION_RESUME,	/* enter the guest again */
	EXIT_ACTION_BLOCK,	/* the vCPU waits (HLT) */
	EXIT_ACTION_STOP,	/* the partition stopped or crashed */
	EXIT_ACTION_SUSPEND,	/* the vCPU waits for the root (an intercept: vp_suspended) */
};

typedef enum exit_action (*exit_handler_t)(struct vp *vp, const struct vm_exit *e);

/* Generated from the one list of reasons: entry EXIT_X is on_x (core/exit.c). */
extern const exit_handler_t exit_table[];

/* Count the exit in vp's statistics and run its handler; inline, for the scheduler's hot loop. */
static inline enum exit_action exit_dispatch(struct vp *vp, const struct vm_exit *e)
{
	/* Invariant: back-ends only produce reasons below EXIT_REASON_COUNT. */
	ASSERT(e->reason < EXIT_REASON_COUNT);
	vp->stats.exits[e->reason]++;
	return exit_table[e->reason](vp, e);
}

/*
 * Advance the guest's RIP past the exiting instruction (e->insn_len bytes):
 * the back-end's decoder sets insn_len for every exit whose handler skips
 * the instruction.
 */
static inline void exit_skip_insn(struct vp *vp, const struct vm_exit *e)
{
	vcpu_skip_insn(&vp->vcpu, e->insn_len);
}
/* Raise #GP(0) or #UD at the guest's current instruction (faults: RIP is left alone). */
void exit_inject_gp(struct vp *vp);
void exit_inject_ud(struct vp *vp);

#endif
