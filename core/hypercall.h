/*
 * The hypercall engine (core/hypercall.c) and what a TLFS call's handler
 * sees. Our own calls (0x8000-0x80ff) are simple fast calls with their own
 * small table in core/hypercall.c; the TLFS calls are the const table of
 * core/hvcall_table.c, reached through hvcall_lookup().
 */
#ifndef CORE_HYPERCALL_H
#define CORE_HYPERCALL_H

#include "core/exit.h"
#include "core/hvcall_decode.h"

/*
 * Hypercall continuation (TLFS 6.0, 3.8 "Hypercall Continuation"): a rep
 * call does at most this many reps per entry. If more are left, the rep
 * start index in the caller's input value is moved on, RIP is left on the
 * instruction and the guest issues the call again: the CPU goes back to
 * the scheduler in between, so host interrupts and the end of the time
 * slice are taken, and a 4095-rep call never holds the CPU longer than
 * this many reps.
 */
#define HVCALL_REPS_PER_ENTRY	64

/*
 * One TLFS call as its handler sees it. `in` is the hypervisor's private
 * copy of the input block (fixed header, variable header, then rep_count
 * elements), copied once from guest memory (or the registers) before the
 * handler runs; the guest cannot change it any more. `out` is the output
 * block (zeroed), which the engine copies to the guest after the handler:
 * the fixed part, and the elements of completed reps only.
 *
 * A rep handler does elements rep_done, rep_done + 1, ... up to rep_end
 * (exclusive; the engine's budget) and advances rep_done past each one it
 * completes. It may stop early; returning HV_STATUS_SUCCESS with reps left
 * makes the engine continue the call later, so it must have done at least
 * one. On an error it returns the status of the failing element, with
 * rep_done at that element's index.
 */
struct hc_call {
	struct vp *vp;
	struct hvcall_decoded d;
	const uint8_t *in;
	uint8_t *out;
	uint16_t rep_done;	/* starts at d.rep_start */
	uint16_t rep_end;	/* at most d.rep_count */
};

/*
 * Not a TLFS status: a simple call's handler returns it when the call must
 * wait for other CPUs (a hosted VP being released by its home CPU), having
 * changed nothing it cannot redo. The engine writes nothing, leaves RIP on
 * the instruction and sends this CPU back to its scheduler, so the caller
 * issues the call again after the other CPUs (and this one) had their turn.
 */
#define HVCALL_STATUS_RETRY	0xffffu

typedef uint16_t (*hvcall_fn)(struct hc_call *c);

/* A TLFS call: its code, the privilege it needs, its shape, its handler. */
struct hvcall_def {
	uint16_t code;
	uint64_t privilege;	/* HV_PRIV_* bits the caller must all have; 0: anyone */
	struct hvcall_shape shape;
	hvcall_fn fn;
};

/* The TLFS call `code`, or NULL (core/hvcall_table.c). */
const struct hvcall_def *hvcall_lookup(uint16_t code);

/*
 * A VMCALL/VMMCALL exit e: #UD if the caller may not make hypercalls,
 * else the call runs and RIP moves past the instruction, unless a rep
 * call is continued (above).
 */
enum exit_action hypercall_dispatch(struct vp *vp, const struct vm_exit *e);

#endif
