/*
 * The guest-visible platform of a partition: CPUID values, the MSR allow
 * list and I/O ports. Per partition, so the root and Linux children can
 * differ later.
 */
#ifndef PARTITIONS_PLATFORM_H
#define PARTITIONS_PLATFORM_H

#include "partitions/cpuid.h"
#include "partitions/partition.h"

/* platform_cpuid for every leaf but the hypervisor's: the host's answer, adjusted. */
void platform_cpuid_host(struct vp *vp);

/*
 * CPUID with leaf and subleaf in the vCPU's EAX and ECX; results go to its
 * EAX-EDX (policy in partitions/cpuid.c, hypervisor leaves in core/abi/cpuid.h).
 * The hypervisor leaves are what guests ask at run time, so they are
 * answered here, inline on the exit path, without a host CPUID.
 */
static inline void platform_cpuid(struct vp *vp)
{
	uint64_t *r = vp->vcpu.gpr;
	uint32_t leaf = (uint32_t)r[GPR_RAX];
	struct cpuid_regs c;

	/* the vendor leaf first, with its answer known at compile time */
	if (leaf == HV_CPUID_VENDOR_LEAF)
		cpuid_hypervisor_leaf(HV_CPUID_VENDOR_LEAF, &c);
	else if (cpuid_is_hypervisor_leaf(leaf))
		cpuid_hypervisor_leaf(leaf, &c);
	else {
		platform_cpuid_host(vp);
		return;
	}
	r[GPR_RAX] = c.eax;
	r[GPR_RBX] = c.ebx;
	r[GPR_RCX] = c.ecx;
	r[GPR_RDX] = c.edx;
}

/* false: the MSR is not on the allow list (the caller injects #GP) */
bool platform_msr_read(struct vp *vp, uint32_t msr, uint64_t *val);
bool platform_msr_write(struct vp *vp, uint32_t msr, uint64_t val);
/* The partition's I/O bitmap lets it use the port. Inline: every I/O exit asks. */
static inline bool platform_io_allowed(const struct partition *p, uint16_t port)
{
	return p->io_allowed[port / 8] & (1u << (port % 8));
}

/* An access to a port platform_io_allowed lets through; false: no device answers it. */
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
