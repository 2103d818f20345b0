/*
 * CPUID as a partition sees it: the host's values with what the partition
 * cannot use hidden, its own topology, and the hypervisor leaves. Pure: the
 * caller runs CPUID on the host and passes the result in, so the policy is
 * tested on the build machine (tests/unit/test_cpuid.c).
 */
#ifndef PARTITIONS_CPUID_H
#define PARTITIONS_CPUID_H

#include "arch/x86/cpu.h"
#include "core/abi/cpuid.h"

/* What the hypervisor leaves (core/abi/cpuid.h) depend on besides the leaf. */
struct cpuid_hv_view {
	uint64_t privileges;		/* the partition's HV_PRIV_* mask: 0x40000003 EAX, EBX */
	uint32_t max_vps;		/* the most VPs a partition can have: 0x40000005 EAX */
	uint32_t max_lps;		/* the most CPUs the hypervisor runs on: 0x40000005 EBX */
};

/* Everything the partition's CPUID depends on besides the host's answer. */
struct cpuid_view {
	unsigned vp_index;		/* the asking vCPU; its APIC id */
	unsigned vp_count;		/* 1-8: one package of vp_count cores, one thread each */
	uint32_t max_basic, max_ext;	/* the host's highest basic and extended leaves */
	bool rdtscp, invpcid;		/* what the back-end lets guests run (struct vcpu_caps) */
	uint64_t cr4;			/* the CR4 bits it can load for a guest (struct vcpu_caps) */
	bool lapic;			/* a local APIC per vCPU (partitions/lapic.h) */
	struct cpuid_hv_view hv;
};

/* CPUID's output registers, for tables. */
enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

uint32_t cpuid_reg(const struct cpuid_regs *r, enum cpuid_reg reg);

/*
 * A feature that CR4 bits turn on, as CPUID shows it. One table, in
 * cpuid.c: core/cr.c lets a partition set the CR4 bits of the features
 * its CPUID shows, and cpuid.c hides a feature whose bits the back-end
 * cannot load.
 */
struct cpuid_cr4_feature {
	uint64_t cr4;
	uint8_t leaf;		/* 1 or 7 (subleaf 0); 0: no CPUID bit, every CPU has it */
	uint8_t reg;		/* enum cpuid_reg */
	uint8_t bit;
};

extern const struct cpuid_cr4_feature cpuid_cr4_features[];
extern const unsigned cpuid_cr4_feature_count;

/*
 * Turn the host's answer r to CPUID(leaf, subleaf) into the partition's.
 * Leaves 0x40000000-0x4fffffff are the hypervisor's and ignore r's input.
 */
void cpuid_adjust(const struct cpuid_view *v, uint32_t leaf, uint32_t subleaf,
		  struct cpuid_regs *r);

/* The hypervisor's leaves (core/abi/cpuid.h), which need nothing of the host. */
static inline bool cpuid_is_hypervisor_leaf(uint32_t leaf)
{
	return (leaf & HV_CPUID_RANGE_MASK) == HV_CPUID_VENDOR_LEAF;
}

/*
 * The vendor leaf, known at compile time. Inline: it is what guests ask
 * most (it is how they find the hypervisor), answered on the exit path
 * (partitions/platform.h) before anything else is looked at.
 */
static inline struct cpuid_regs cpuid_vendor_leaf(void)
{
	return (struct cpuid_regs){ HV_CPUID_MAX_LEAF, HV_CPUID_VENDOR_EBX, HV_CPUID_VENDOR_ECX,
				    HV_CPUID_VENDOR_EDX };
}

/* A hypervisor leaf (cpuid_is_hypervisor_leaf): the TLFS leaves up to the highest, then zeros. */
void cpuid_hypervisor_leaf(const struct cpuid_hv_view *hv, uint32_t leaf, struct cpuid_regs *r);

#endif
