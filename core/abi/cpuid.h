/*
 * The hypervisor's CPUID leaves as partitions see them, shared by the
 * hypervisor and guests. Leaves 0x40000000-0x4fffffff belong to the
 * hypervisor when CPUID.1:ECX[31] is set (SDM Vol. 2A, CPUID: that bit is
 * reserved for hypervisors, and is 0 on real hardware). They follow the
 * Hyper-V TLFS ("Feature and Interface Discovery", TLFS 6.0 section 2.4),
 * so that an unmodified Linux detects Hyper-V (hyperv-linux-guest.md 1.1:
 * "Microsoft Hv", highest leaf at least 0x40000005, privilege bits 5 and 6).
 * docs/tlfs.md says why each value is what it is.
 */
#ifndef CORE_ABI_CPUID_H
#define CORE_ABI_CPUID_H

#define HV_CPUID_HYPERVISOR_PRESENT	(1u << 31)	/* CPUID.1:ECX */

/* Every leaf of 0x40000000-0x4fffffff is the hypervisor's. */
#define HV_CPUID_RANGE_MASK		0xf0000000u

/* 0x40000000, EAX: the highest hypervisor leaf; EBX, ECX, EDX: the vendor "Microsoft Hv". */
#define HV_CPUID_VENDOR_LEAF		0x40000000u
#define HV_CPUID_MAX_LEAF		0x40000006u
#define HV_CPUID_VENDOR_EBX		0x7263694du	/* "Micr" */
#define HV_CPUID_VENDOR_ECX		0x666f736fu	/* "osof" */
#define HV_CPUID_VENDOR_EDX		0x76482074u	/* "t Hv" */

/* 0x40000001, EAX: the interface signature; it names the semantics of the leaves after it. */
#define HV_CPUID_INTERFACE_LEAF		0x40000001u
#define HV_CPUID_INTERFACE_HV1		0x31237648u	/* "Hv#1" */

/*
 * 0x40000002: the hypervisor's version. EAX build number, EBX major:minor
 * (16 bits each), ECX service pack, EDX service branch [31:24] and number
 * [23:0]. Linux's mshv (mshv_root.h) warns unless the build lies in
 * 27744..27751, so ours is one of those.
 */
#define HV_CPUID_VERSION_LEAF		0x40000002u
#define HV_CPUID_BUILD			27744u
#define HV_CPUID_VERSION_MAJOR		10u
#define HV_CPUID_VERSION_MINOR		0u

/*
 * 0x40000003: features. EAX = privilege mask [31:0], EBX = [63:32] (the
 * partition's own, HV_PRIV_* of core/abi/hypercall.h); ECX reserved (0);
 * EDX what the hypervisor implements for everyone.
 */
#define HV_CPUID_FEATURES_LEAF		0x40000003u
#define HV_FEATURE_FREQUENCY_MSRS	(1u << 8)	/* EDX: "determining timer frequencies" */
#define HV_FEATURE_HYPERCALL_MSR_LOCK	(1u << 18)	/* EDX: HypercallMsrLockAvailable */
#define HV_FEATURE_GUEST_CRASH_MSRS	(1u << 10)	/* EDX: the crash MSRs 0x40000100-105 */
#define HV_FEATURE_STIMER_DIRECT	(1u << 19)	/* EDX: direct-mode synthetic timers */
#define HV_CPUID_FEATURES_EDX		(HV_FEATURE_FREQUENCY_MSRS | HV_FEATURE_GUEST_CRASH_MSRS | \
					 HV_FEATURE_HYPERCALL_MSR_LOCK | HV_FEATURE_STIMER_DIRECT)

/*
 * 0x40000004: recommendations. EAX: deprecate AutoEOI (bit 9: there is no
 * AutoEOI, so a SINT's vector is EOIed like any other). EBX: spinlock
 * retries before notifying, all ones = never notify (there is no notify
 * call). ECX (physical address bits) 0: not reported.
 */
#define HV_CPUID_HINTS_LEAF		0x40000004u
#define HV_HINT_DEPRECATING_AEOI	(1u << 9)
#define HV_CPUID_HINTS_EAX		HV_HINT_DEPRECATING_AEOI
#define HV_CPUID_HINTS_EBX		0xffffffffu

/* 0x40000005: limits. EAX most VPs in a partition, EBX most logical processors, ECX 0. */
#define HV_CPUID_LIMITS_LEAF		0x40000005u

/*
 * 0x40000006: hardware features in use. EAX bit 1 MSR bitmaps, bit 3
 * second-level address translation: both back-ends use both (VT-x MSR
 * bitmap and EPT, AMD-V MSRPM and NPT).
 */
#define HV_CPUID_HW_FEATURES_LEAF	0x40000006u
#define HV_HW_FEATURE_MSR_BITMAPS	(1u << 1)
#define HV_HW_FEATURE_SLAT		(1u << 3)
#define HV_CPUID_HW_FEATURES_EAX	(HV_HW_FEATURE_MSR_BITMAPS | HV_HW_FEATURE_SLAT)

_Static_assert(HV_CPUID_MAX_LEAF >= 0x40000005u && HV_CPUID_MAX_LEAF <= 0x4000ffffu,
	       "Linux detects Hyper-V only with a highest leaf in 0x40000005..0x4000ffff");
_Static_assert(HV_CPUID_HW_FEATURES_LEAF == HV_CPUID_MAX_LEAF, "every leaf up to the highest is defined");

#endif
