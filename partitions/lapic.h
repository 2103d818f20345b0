/*
 * The local APIC of each VP of a partition created with
 * HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED (docs/lapic.md): the pure model
 * (partitions/vlapic.c) bound to the hypervisor. Its xAPIC page and MSRs
 * (the x2APIC range, IA32_APIC_BASE, IA32_TSC_DEADLINE, Hyper-V's EOI,
 * ICR and TPR MSRs), its timer as one of the VP's timers, interrupts
 * priority-ordered through IRR/ISR with a real EOI, and IPIs: fixed,
 * NMI, INIT and SIPI, physical, logical and the shorthands.
 *
 * Ownership: a VP's `struct vlapic` is its home CPU's alone. Other CPUs
 * (a sender's IPI, the root's AssertVirtualInterrupt, a SynIC post) raise
 * a vector in the VP's pending bitmap (sched_raise_irq) or a signal
 * (INIT, SIPI, NMI), and the home CPU moves them into the model before it
 * decides what to inject: the bitmap is the model's posted-interrupt
 * request register.
 */
#ifndef PARTITIONS_LAPIC_H
#define PARTITIONS_LAPIC_H

#include "core/vcpu.h"

struct vp;
struct partition;

/* A new VP of a LAPIC partition (CreateVp): the power-on state; an AP waits for INIT-SIPI-SIPI. */
void lapic_vp_init(struct vp *vp);

/* MSRs: whether msr is the local APIC's (for a LAPIC partition), and its access (false: #GP). */
bool lapic_msr_is_ours(const struct vp *vp, uint32_t msr);
bool lapic_msr_read(struct vp *vp, uint32_t msr, uint64_t *val);
bool lapic_msr_write(struct vp *vp, uint32_t msr, uint64_t val);

/* A second-level fault in the xAPIC page: emulated (true, RIP moved on) or not the APIC's. */
bool lapic_mmio(struct vp *vp, const struct vm_exit *e);

/*
 * Home CPU. The pending bitmap into IRR, and whether a vector can be
 * delivered now (a halted VP wakes for it).
 */
bool lapic_irq_ready(struct vp *vp);
/* Home CPU, before entry: inject the highest deliverable vector if the guest can take it. */
void lapic_deliver(struct vp *vp);
/* Home CPU, a pick: carry out INIT, SIPI and NMI signals that other CPUs sent. */
void lapic_take_signals(struct vp *vp);
/* HLT with interrupts off: wait for an INIT (lapic.c says more). */
void lapic_park(struct vp *vp);
/* Home CPU: the APIC timer is due. */
void lapic_timer_expire(struct vp *vp, uint64_t now);

/*
 * Deliver an interrupt message in partition p, as an I/O APIC or the
 * root's AssertVirtualInterrupt sends one: type (HV_X64_INTERRUPT_TYPE_*,
 * the APIC delivery modes), physical or logical destination. `from` is
 * the sending VP for an IPI's shorthands (NULL otherwise). Any CPU.
 * Returns how many VPs took it.
 */
unsigned lapic_send(struct partition *p, struct vp *from, uint8_t type, uint8_t shorthand,
		    bool logical, uint32_t dest, uint8_t vector, bool level);

#endif
