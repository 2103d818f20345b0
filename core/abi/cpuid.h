/*
 * The hypervisor's CPUID leaves as partitions see them, shared by the
 * hypervisor and guests. Leaves 0x40000000-0x4fffffff belong to the
 * hypervisor when CPUID.1:ECX[31] is set (SDM Vol. 2A, CPUID: that bit is
 * reserved for hypervisors, and is 0 on real hardware; TLFS 6.0, 2.4
 * "Hypervisor CPUID Leaves" for the layout of 0x40000000).
 */
#ifndef CORE_ABI_CPUID_H
#define CORE_ABI_CPUID_H

#define HV_CPUID_HYPERVISOR_PRESENT	(1u << 31)	/* CPUID.1:ECX */

/* EAX: the highest hypervisor leaf; EBX, ECX, EDX: the vendor "HvMicroVisor". */
#define HV_CPUID_VENDOR_LEAF		0x40000000u
#define HV_CPUID_MAX_LEAF		0x40000001u
#define HV_CPUID_VENDOR_EBX		0x694d7648u	/* "HvMi" */
#define HV_CPUID_VENDOR_ECX		0x566f7263u	/* "croV" */
#define HV_CPUID_VENDOR_EDX		0x726f7369u	/* "isor" */

/* Every leaf of 0x40000000-0x4fffffff other than the vendor leaf reads as zero for now. */
#define HV_CPUID_RANGE_MASK		0xf0000000u

#endif
