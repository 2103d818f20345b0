/*
 * The guest-visible platform of a partition: CPUID values, the MSR allow
 * list and I/O ports. Per partition, so the root and Linux children can
 * differ later.
 */
#ifndef PARTITIONS_PLATFORM_H
#define PARTITIONS_PLATFORM_H

#include "partitions/partition.h"

/*
 * CPUID with leaf and subleaf in the vCPU's EAX and ECX; results go to its
 * EAX-EDX (policy in partitions/cpuid.c, hypervisor leaves in core/abi/cpuid.h).
 */
void platform_cpuid(struct vp *vp);
/* false: the MSR is not on the allow list (the caller injects #GP) */
bool platform_msr_read(struct vp *vp, uint32_t msr, uint64_t *val);
bool platform_msr_write(struct vp *vp, uint32_t msr, uint64_t val);
/* An I/O access the partition may make; false: denied. */
bool platform_io(struct vp *vp, uint16_t port, uint8_t size, bool in, uint32_t *val);
/* Log the partition's unfinished debug-port line, if any (it stopped or crashed). */
void platform_debug_flush(struct partition *p);

/*
 * Emulated MMIO: the hook for a second-level fault on a guest-physical
 * address that is not the partition's memory. Returns true if a device of
 * the partition's platform handled the access (and moved RIP past it).
 * There are no such devices yet; the virtual APIC and VMBus's monitor
 * pages will be the first.
 */
bool platform_mmio(struct vp *vp, const struct vm_exit *e);

#endif
