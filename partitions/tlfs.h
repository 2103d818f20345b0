/*
 * The Hyper-V synthetic MSRs of the guest identity (core/abi/hv_msr.h):
 * guest OS id, hypercall page, VP index, VP run time, reference counter,
 * frequencies.
 * platform_msr_read/write hand them every MSR they do not know.
 */
#ifndef PARTITIONS_TLFS_H
#define PARTITIONS_TLFS_H

#include "partitions/partition.h"

/*
 * The rate the partition's APIC timer counts at, divide by 1, as
 * HV_X64_MSR_APIC_FREQUENCY says (Hyper-V's own value). There is no
 * virtual APIC yet: when there is, its timer counts at this rate.
 */
#define PLATFORM_APIC_TIMER_HZ	200000000ull

/*
 * A synthetic MSR of this file: true and *val if the partition may read
 * it. False if msr is none of them or the partition lacks its privilege
 * (the caller raises #GP).
 */
bool tlfs_msr_read(struct vp *vp, uint32_t msr, uint64_t *val);
/* The same for a write; false also for a read-only MSR or a value it refuses. */
bool tlfs_msr_write(struct vp *vp, uint32_t msr, uint64_t val);

#endif
