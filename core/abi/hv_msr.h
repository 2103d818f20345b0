/*
 * The Hyper-V synthetic MSRs this hypervisor implements, shared by the
 * hypervisor and guests. Numbers as in the TLFS (and Linux's
 * hyperv-tlfs.h); each one is gated by its bit of the partition's
 * privilege mask (core/abi/hypercall.h): without it, RDMSR and WRMSR raise
 * #GP. The SynIC MSRs (0x40000080-0x400000bf) are another file's.
 * docs/tlfs.md has the behaviour in full.
 */
#ifndef CORE_ABI_HV_MSR_H
#define CORE_ABI_HV_MSR_H

#include <stdint.h>

/*
 * Guest OS identity (TLFS 6.0, "Reporting the Guest OS Identity"):
 * partition-wide, read/write, 0 at creation. The hypercall page can be
 * enabled only while it is non-zero; writing 0 disables the page.
 * AccessHypercallMsrs.
 */
#define HV_X64_MSR_GUEST_OS_ID		0x40000000u

/*
 * The hypercall page (TLFS 6.0, 3.13 "Establishing the Hypercall
 * Interface"): partition-wide. Bit 0 enable, bit 1 locked (set once, it
 * stays set and the MSR no longer changes), bits 11:2 RsvdP (read back as
 * written), bits 63:12 the page's guest-physical page number.
 * AccessHypercallMsrs.
 */
#define HV_X64_MSR_HYPERCALL		0x40000001u
#define HV_HYPERCALL_MSR_ENABLE		(1ull << 0)
#define HV_HYPERCALL_MSR_LOCKED		(1ull << 1)
#define HV_HYPERCALL_MSR_RSVDP		(0x3ffull << 2)
#define HV_HYPERCALL_MSR_GPA_MASK	(~0xfffull)
_Static_assert((HV_HYPERCALL_MSR_ENABLE | HV_HYPERCALL_MSR_LOCKED | HV_HYPERCALL_MSR_RSVDP |
		HV_HYPERCALL_MSR_GPA_MASK) == ~0ull, "the hypercall MSR's fields cover its 64 bits");
_Static_assert((HV_HYPERCALL_MSR_ENABLE & HV_HYPERCALL_MSR_LOCKED) == 0 &&
	       (HV_HYPERCALL_MSR_RSVDP & HV_HYPERCALL_MSR_GPA_MASK) == 0,
	       "the hypercall MSR's fields do not overlap");

/* The calling vCPU's VP index (TLFS 6.0, "Virtual Processor Index"): read-only. AccessVpIndex. */
#define HV_X64_MSR_VP_INDEX		0x40000002u

/*
 * The calling VP's time in guest mode, in 100 ns units (TLFS 6.0,
 * "Virtual Processor Run Time Register"): read-only. AccessVpRuntimeReg.
 * Summed as each of the VP's turns on its CPU ends (a HLT, a preemption).
 */
#define HV_X64_MSR_VP_RUNTIME		0x40000010u

/*
 * The partition reference counter (TLFS 6.0, "Partition Reference
 * Counter"): read-only, in 100 ns units since the partition was created,
 * the same on every VP. AccessPartitionReferenceCounter.
 */
#define HV_X64_MSR_TIME_REF_COUNT	0x40000020u
#define HV_REF_COUNT_HZ			10000000ull

/*
 * The reference TSC page (TLFS 6.0, 12.7.3 "Partition Reference Time
 * Enlightenment"): enable bit 0, GPA 63:12, 11:1 reserved (kept).
 * AccessPartitionReferenceTsc. The page: a guest reads the reference
 * time as ((TSC * tsc_scale) >> 64) + tsc_offset while tsc_sequence
 * stays the same and is not 0 (0: use the MSR above).
 */
#define HV_X64_MSR_REFERENCE_TSC	0x40000021u
#define HV_REFERENCE_TSC_ENABLE		1ull
#define HV_REFERENCE_TSC_GPA_MASK	(~0xfffull)

struct hv_reference_tsc_page {
	uint32_t tsc_sequence;
	uint32_t reserved1;
	uint64_t tsc_scale;
	int64_t tsc_offset;
};
_Static_assert(sizeof(struct hv_reference_tsc_page) == 24, "TLFS reference TSC page header");

/*
 * Frequencies in Hz (TLFS 6.0, "Feature and Interface Discovery": their
 * presence is CPUID 0x40000003 EDX bit 8): read-only. AccessFrequencyRegs.
 * The APIC's is its timer's input clock (divide by 1).
 */
#define HV_X64_MSR_TSC_FREQUENCY	0x40000022u
#define HV_X64_MSR_APIC_FREQUENCY	0x40000023u

/*
 * The local APIC's registers as Hyper-V MSRs (TLFS 6.0, "Synthetic Interrupt
 * Controller"; hyperv-linux-guest.md 2.1): EOI (write-only: an EOI, whatever
 * the value), ICR (ICR_HI << 32 | ICR_LO in either APIC mode; a write sends),
 * TPR. partitions/vlapic.c implements them. AccessApicMsrs.
 */
#define HV_X64_MSR_EOI			0x40000070u
#define HV_X64_MSR_ICR			0x40000071u
#define HV_X64_MSR_TPR			0x40000072u

/*
 * The guest crash MSRs (TLFS 6.0, "Guest Crash Enlightenment"; CPUID
 * 0x40000003 EDX bit 10): P0-P4 hold what the guest says about its crash
 * (Linux: the panic's code and arguments), CRASH_CTL bit 63 reports it.
 * Reading CRASH_CTL says which notifications exist: only CRASH_NOTIFY
 * (not bit 62, the message page).
 */
#define HV_X64_MSR_CRASH_P0		0x40000100u
#define HV_X64_MSR_CRASH_P4		0x40000104u
#define HV_X64_MSR_CRASH_CTL		0x40000105u
#define HV_CRASH_CTL_CRASH_NOTIFY	(1ull << 63)

/* Where the SynIC's MSRs begin and end (they are not in this header). */
/* The VP assist page (TLFS 6.0, 7.8.7): enable bit 0, GPA 63:12, 11:1 reserved. Per VP. */
#define HV_X64_MSR_VP_ASSIST_PAGE	0x40000073u
#define HV_VP_ASSIST_PAGE_ENABLE	1ull
#define HV_VP_ASSIST_PAGE_RSVD		0xffeull

#define HV_X64_MSR_SYNIC_FIRST		0x40000080u
#define HV_X64_MSR_SYNIC_LAST		0x400000bfu
_Static_assert(HV_X64_MSR_APIC_FREQUENCY < HV_X64_MSR_SYNIC_FIRST,
	       "none of these MSRs is in the SynIC's range");

#endif
