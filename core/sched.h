/*
 * vCPU scheduler. Every vCPU has a home physical CPU; each CPU runs the
 * runnable vCPUs on its queue round robin, preempting with the local APIC
 * timer after a quantum. HLT blocks a vCPU until it has an interrupt to take.
 */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include "core/types.h"

struct vp;
struct partition;

#define SCHED_QUANTUM_US	10000

void sched_init(bool poweroff_when_idle);
/* Change that choice before sched_loop (root=on where no root could be started). */
void sched_poweroff_when_idle(bool on);
/* Put a vCPU on its home CPU's queue (it runs once its partition runs). */
void sched_add(struct vp *vp);
/* Make every CPU running one of p's vCPUs look at its state again soon. */
void sched_kick_partition(struct partition *p);
/* Make vp's home CPU look at it again soon (it may have become runnable or suspended). */
void sched_kick_vp(struct vp *vp);
/*
 * The same only where vp's home is another CPU: one homed here is not in
 * guest mode now (this CPU is running the caller), so it needs no kick,
 * and a kick here would end the caller's own turn for nothing.
 */
void sched_kick_vp_elsewhere(struct vp *vp);
/* From a hypercall handler: this CPU goes back to its scheduler after the exit. */
void sched_yield_cpu(void);
/* Raise a virtual interrupt for vp; it is injected when the guest can take it. */
void sched_raise_irq(struct vp *vp, uint8_t vector);
/*
 * From an exit handler (IF is clear there): let this CPU take the
 * interrupts pending at its local APIC now, its timer and kick IPIs among
 * them, which set need_resched.
 */
void sched_take_host_interrupts(void);
uint64_t sched_now(void);
/* Remember free memory before partitions exist, to compare when all are gone. */
void sched_mark_baseline(void);
/* "hv: free memory N pages, at boot M pages" (the baseline above): before a power-off. */
void sched_log_free_memory(void);
/* The scheduling loop of the calling CPU. */
void __noreturn sched_loop(void);

#endif
