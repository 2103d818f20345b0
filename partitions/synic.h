/*
 * The Synthetic Interrupt Controller of each VP (TLFS 6.0, 11): its MSRs,
 * message delivery into the guest's message page with the pending/EOM
 * protocol, and the synthetic timers that post HVMSG_TIMER_EXPIRED
 * (TLFS 6.0, 12.4). Vendor-neutral; docs/synic.md has the design.
 *
 * Queued messages. A message that cannot go into its slot now (the slot is
 * busy, the SINT masked, the SynIC or its message page off) waits in a
 * per-SINT FIFO of struct synic_node, in order, and is never dropped. The
 * nodes are either the target VP's own (SYNIC_POOL of them, for senders
 * that post a copy: synic_post) or embedded in the sender (synic_post_node:
 * a child VP's one intercept in flight, a synthetic timer), so nothing is
 * allocated on the delivery path and memory is bounded: a full pool
 * answers HV_STATUS_INSUFFICIENT_BUFFERS, a sender's own node is always
 * accepted (it can be queued once at a time).
 */
#ifndef PARTITIONS_SYNIC_H
#define PARTITIONS_SYNIC_H

#include "core/abi/synic.h"
#include "core/spinlock.h"
#include "core/types.h"

struct vp;
struct partition;

/* Copies a VP holds for senders that do not own a node (TLFS: 16 buffers a port). */
#define SYNIC_POOL	8

/*
 * A queued message. Set and read under the target VP's SynIC lock;
 * `target` non-NULL while it is queued (its owner must not reuse it, and
 * withdraws it with synic_withdraw before it goes away).
 */
struct synic_node {
	struct synic_node *next;	/* the SINT's FIFO */
	struct vp *target;		/* where it waits; NULL: not queued */
	uint8_t sint;
	bool pooled;			/* one of the target's SYNIC_POOL */
	struct hv_message msg;
};

/* A synthetic timer; its fields belong to its VP's home CPU (MSR writes, expiry). */
struct synic_stimer {
	uint64_t config;		/* STIMERn_CONFIG */
	uint64_t count;			/* STIMERn_COUNT: one-shot expiry, or period (100 ns) */
	uint64_t due_ref;		/* reference time (100 ns) of the next expiry; 0: not armed */
	uint64_t missed;		/* expiries while its message still waited */
	struct synic_node node;		/* its HVMSG_TIMER_EXPIRED: one in flight */
};

/* Per-VP SynIC state. */
struct synic {
	spinlock_t lock;		/* everything below but the timers; also the slots' writes */
	uint64_t scontrol, simp, siefp, sirbp;
	uint64_t sint[HV_SYNIC_SINT_COUNT];
	struct synic_node *head[HV_SYNIC_SINT_COUNT], *tail[HV_SYNIC_SINT_COUNT];
	uint32_t pool_used;		/* bit i: pool[i] is queued */
	bool gone;			/* released (synic_release): posts are refused */
	struct synic_node pool[SYNIC_POOL];
	struct synic_stimer stimer[HV_SYNIC_STIMER_COUNT];
};

/* The reset state: SynIC off, pages off at GPA 0, SINTs masked, timers off. */
void synic_init(struct vp *vp);

/*
 * The SynIC and synthetic-timer MSRs. A return of false means #GP: the
 * MSR is not one of them, the partition lacks the privilege
 * (HV_PRIV_ACCESS_SYNIC_REGS, HV_PRIV_ACCESS_SYNTHETIC_TIMER_REGS), a
 * reserved bit or bad value is written, SVERSION is written or EOM read.
 * Called by the VP itself, on its home CPU.
 */
bool synic_msr_read(struct vp *vp, uint32_t msr, uint64_t *val);
bool synic_msr_write(struct vp *vp, uint32_t msr, uint64_t val);

/*
 * The hypervisor places the pages for the root (hyperv-root-abi.md 2.3):
 * the MSRs read back these GPAs, disabled, until the guest sets the
 * enable bit. Before the VP first runs.
 */
void synic_preset_pages(struct vp *vp, uint64_t simp_gpa, uint64_t siefp_gpa, uint64_t sirbp_gpa);

/*
 * Post a copy of msg to SINT `sint` of `target`, from any CPU. Delivered
 * now if the slot is free and the SINT can take it, else queued behind
 * what waits already. HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARAMETER (bad
 * SINT or payload size), HV_STATUS_INSUFFICIENT_BUFFERS (the pool is full).
 */
uint16_t synic_post(struct vp *target, unsigned sint, const struct hv_message *msg);
/*
 * The same with the sender's own node (node->msg filled in): never
 * refused for want of a buffer. HV_STATUS_INVALID_VP_STATE if the node is
 * queued already.
 */
uint16_t synic_post_node(struct vp *target, unsigned sint, struct synic_node *node);
/* Take a sender's node out of the queue it waits in, if any (its sender is going away). */
void synic_withdraw(struct synic_node *node);
/*
 * The VP goes (its release: DeleteVp, Finalize, a destroy): every node
 * queued on it is taken off, each sender's own again (target NULL), and
 * any later post to it is refused with HV_STATUS_INVALID_VP_STATE. A
 * sender that still holds a pointer to it then finds a consistent, empty
 * SynIC, never one cleared under its lock or a queue into freed nodes.
 */
void synic_release(struct vp *vp);
/*
 * The page at guest-physical `gpa` is one of vp's SynIC pages now (SIMP,
 * SIEFP or SIRBP, enabled): the hypervisor may be writing it from any CPU.
 */
bool synic_uses_page(struct vp *vp, uint64_t gpa);

/* partitions/stimer.c: the STIMERn_CONFIG/COUNT MSRs, privilege checked (synic_msr_*). */
bool synic_stimer_msr_read(struct vp *vp, uint32_t msr, uint64_t *val);
bool synic_stimer_msr_write(struct vp *vp, uint32_t msr, uint64_t val);

/* Reference time of the partition (100 ns since it was created). */
uint64_t synic_ref_time(const struct partition *p);
/* Home CPU: post the messages of the VP's synthetic timers that are due, re-arm periodic ones. */
void synic_stimers_expire(struct vp *vp);

#endif
