/*
 * The guest-visible platform of a partition: CPUID values, the MSR allow
 * list and I/O ports. Per partition, so the root and Linux children can
 * differ later.
 */
#ifndef PARTITIONS_PLATFORM_H
#define PARTITIONS_PLATFORM_H

#include "core/percpu.h"
#include "partitions/cpuid.h"
#include "partitions/partition.h"

/* platform_cpuid for every leaf but the hypervisor's: the host's answer, adjusted. */
void platform_cpuid_host(struct vp *vp);

/* What the partition's hypervisor leaves depend on. */
static inline struct cpuid_hv_view platform_cpuid_hv_view(const struct partition *p)
{
	return (struct cpuid_hv_view){ p->privileges, PART_MAX_VPS, MAX_CPUS };
}

static inline void platform_cpuid_result(uint64_t *r, struct cpuid_regs c)
{
	r[GPR_RAX] = c.eax;
	r[GPR_RBX] = c.ebx;
	r[GPR_RCX] = c.ecx;
	r[GPR_RDX] = c.edx;
}

/*
 * The hypervisor leaves other than the vendor leaf. Out of line (a tail
 * call), so that the vendor leaf's path keeps no answer in memory and
 * needs no stack frame.
 */
static __attribute__((noinline, unused)) void platform_cpuid_hv(struct vp *vp)
{
	struct cpuid_hv_view hv = platform_cpuid_hv_view(vp->vcpu.part);
	struct cpuid_regs c;

	cpuid_hypervisor_leaf(&hv, (uint32_t)vp->vcpu.gpr[GPR_RAX], &c);
	platform_cpuid_result(vp->vcpu.gpr, c);
}

/*
 * CPUID with leaf and subleaf in the vCPU's EAX and ECX; results go to its
 * EAX-EDX (policy in partitions/cpuid.c, hypervisor leaves in core/abi/cpuid.h).
 * The hypervisor leaves are what guests ask at run time, so they are
 * answered without a host CPUID; the vendor leaf, what guests ask most,
 * first and inline, from constants.
 */
static inline void platform_cpuid(struct vp *vp)
{
	uint32_t leaf = (uint32_t)vp->vcpu.gpr[GPR_RAX];

	if (leaf == HV_CPUID_VENDOR_LEAF)
		platform_cpuid_result(vp->vcpu.gpr, cpuid_vendor_leaf());
	else if (cpuid_is_hypervisor_leaf(leaf))
		platform_cpuid_hv(vp);
	else
		platform_cpuid_host(vp);
}

/*
 * MSRs: false means the MSR is not there for this partition (not on the
 * allow list, or a synthetic MSR it has no privilege for, or a write it
 * may not make); the caller injects #GP. Unknown numbers end in the
 * default branch, which hands them to partitions/tlfs.c (the Hyper-V
 * synthetic MSRs); other ranges (the SynIC's) go there too, one call each.
 */
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
