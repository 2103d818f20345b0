/*
 * CPUID policy for partitions (see cpuid.h). References: SDM Vol. 2A,
 * CPUID, Table 3-8 "Information Returned by CPUID Instruction" (and the
 * feature tables after it); APM Vol. 3, Appendix E, by function
 * (Fn0000_0001 ...).
 *
 * Topology: a partition is one package of vp_count cores with one thread
 * each, and a vCPU's APIC id is its VP index, the same in every leaf that
 * tells it (1, 0xB, 0x1F, 0x8000001E). Cache and TLB leaves keep the host's
 * sizes with this topology's sharing; leaves that describe the host's
 * topology in a way this cannot (0x80000026) read as zero.
 */
#include "partitions/cpuid.h"
#include "core/abi/cpuid.h"

#define BIT(n)			(1u << (n))

/* Fn0000_0001 */
#define L1_EBX_LOGICAL_SHIFT	16		/* [23:16] addressable logical processor ids */
#define L1_EBX_APIC_ID_SHIFT	24		/* [31:24] initial APIC id */
#define L1_ECX_MONITOR		BIT(3)
#define L1_ECX_VMX		BIT(5)
#define L1_ECX_SMX		BIT(6)
#define L1_ECX_FMA		BIT(12)
#define L1_ECX_XSAVE		BIT(26)
#define L1_ECX_OSXSAVE		BIT(27)
#define L1_ECX_AVX		BIT(28)
#define L1_ECX_F16C		BIT(29)
#define L1_EDX_HTT		BIT(28)		/* [23:16] of EBX is valid */

/* Fn0000_0004 and Fn8000_001D (deterministic cache parameters) */
#define CACHE_EAX_TYPE_MASK	0x1fu		/* 0: no more caches */
#define CACHE_EAX_LEVEL(eax)	((eax) >> 5 & 7)
#define CACHE_EAX_SHARING_SHIFT	14		/* [25:14] sharing logical processors - 1 */
#define CACHE_EAX_SHARING_MASK	(0xfffu << 14)
#define L4_EAX_CORES_SHIFT	26		/* [31:26] addressable core ids - 1 */

/* Fn0000_0007, subleaf 0 */
#define L7_EBX_AVX2		BIT(5)
#define L7_EBX_INVPCID		BIT(10)
#define L7_EBX_AVX512F		BIT(16)
#define L7_EBX_AVX512DQ		BIT(17)
#define L7_EBX_AVX512IFMA	BIT(21)
#define L7_EBX_AVX512PF		BIT(26)
#define L7_EBX_AVX512ER		BIT(27)
#define L7_EBX_AVX512CD		BIT(28)
#define L7_EBX_AVX512BW		BIT(30)
#define L7_EBX_AVX512VL		BIT(31)
#define L7_ECX_AVX512VBMI	BIT(1)
#define L7_ECX_PKU		BIT(3)
#define L7_ECX_OSPKE		BIT(4)
#define L7_ECX_AVX512VBMI2	BIT(6)
#define L7_ECX_CET_SS		BIT(7)
#define L7_ECX_AVX512VNNI	BIT(11)
#define L7_ECX_AVX512BITALG	BIT(12)
#define L7_ECX_AVX512VPOPCNTDQ	BIT(14)
#define L7_ECX_RDPID		BIT(22)
#define L7_ECX_KL		BIT(23)
#define L7_ECX_PKS		BIT(31)
#define L7_EDX_AVX512_4VNNIW	BIT(2)
#define L7_EDX_AVX512_4FMAPS	BIT(3)
#define L7_EDX_UINTR		BIT(5)
#define L7_EDX_AVX512VP2INTERSECT BIT(8)
#define L7_EDX_CET_IBT		BIT(20)
#define L7_EDX_AVX512FP16	BIT(23)

/* Fn0000_000B and Fn0000_001F (extended topology) */
#define TOPO_ECX_TYPE_SHIFT	8
#define TOPO_TYPE_SMT		1
#define TOPO_TYPE_CORE		2

/* Fn0000_0018 (deterministic address translation parameters) */
#define L18_EDX_TYPE_MASK	0x1fu		/* 0: subleaf not valid */
#define L18_EDX_SHARING_MASK	(0xfffu << 14)	/* [25:14] sharing logical processors - 1 */

/* Fn8000_0001 */
#define X1_ECX_CMP_LEGACY	BIT(1)		/* cores count as logical processors in leaf 1 */
#define X1_ECX_SVM		BIT(2)
#define X1_EDX_RDTSCP		BIT(27)

/* Fn8000_0008 ECX (AMD): [7:0] NC, cores - 1; [15:12] ApicIdSize, core id bits */
#define X8_ECX_TOPOLOGY_MASK	0xf0ffu
#define X8_ECX_APIC_ID_SIZE_SHIFT 12

/*
 * What XSAVE switching would have to cover (AVX and up, PKRU): hidden
 * while only the FXSAVE area changes hands between guests.
 */
#define L1_ECX_NEEDS_XSAVE	(L1_ECX_XSAVE | L1_ECX_OSXSAVE | L1_ECX_AVX | L1_ECX_FMA | \
				 L1_ECX_F16C)
#define L7_EBX_NEEDS_XSAVE	(L7_EBX_AVX2 | L7_EBX_AVX512F | L7_EBX_AVX512DQ | \
				 L7_EBX_AVX512IFMA | L7_EBX_AVX512PF | L7_EBX_AVX512ER | \
				 L7_EBX_AVX512CD | L7_EBX_AVX512BW | L7_EBX_AVX512VL)
#define L7_ECX_NEEDS_XSAVE	(L7_ECX_AVX512VBMI | L7_ECX_PKU | L7_ECX_OSPKE | \
				 L7_ECX_AVX512VBMI2 | L7_ECX_AVX512VNNI | L7_ECX_AVX512BITALG | \
				 L7_ECX_AVX512VPOPCNTDQ)
/* State whose CR4 bit core/cr.c refuses (CET, Key Locker, PKS, UINTR): hidden to match. */
#define L7_ECX_REFUSED_CR4	(L7_ECX_CET_SS | L7_ECX_KL | L7_ECX_PKS)
#define L7_EDX_REFUSED_CR4	(L7_EDX_UINTR | L7_EDX_CET_IBT)
#define L7_EDX_NEEDS_XSAVE	(L7_EDX_AVX512_4VNNIW | L7_EDX_AVX512_4FMAPS | \
				 L7_EDX_AVX512VP2INTERSECT | L7_EDX_AVX512FP16)

/* Bits an APIC id needs for the core number: ceil(log2(vp_count)). */
static unsigned core_bits(const struct cpuid_view *v)
{
	unsigned bits = 0;

	while ((1u << bits) < v->vp_count)
		bits++;
	return bits;
}

static uint32_t set_field(uint32_t reg, uint32_t mask, unsigned shift, uint32_t val)
{
	return (reg & ~mask) | (val << shift & mask);
}

static void leaf_1(const struct cpuid_view *v, struct cpuid_regs *r)
{
	r->ecx &= ~(L1_ECX_VMX | L1_ECX_SMX | L1_ECX_MONITOR | L1_ECX_NEEDS_XSAVE);
	r->ecx |= HV_CPUID_HYPERVISOR_PRESENT;
	r->ebx = set_field(r->ebx, 0xff0000u, L1_EBX_LOGICAL_SHIFT, 1u << core_bits(v));
	r->ebx = set_field(r->ebx, 0xff000000u, L1_EBX_APIC_ID_SHIFT, v->vp_index);
	if (v->vp_count > 1)
		r->edx |= L1_EDX_HTT;
	else
		r->edx &= ~L1_EDX_HTT;
}

/*
 * A cache's sharing (leaf 4 counts addressable ids, Fn8000_001D logical
 * processors; with ids 0..n-1 both give the same cache id, id >> bits):
 * L1 and L2 belong to one core, L3 and beyond to the package.
 */
static void cache_leaf(const struct cpuid_view *v, struct cpuid_regs *r, bool addressable)
{
	uint32_t package = addressable ? (1u << core_bits(v)) - 1 : v->vp_count - 1;

	if (!(r->eax & CACHE_EAX_TYPE_MASK)) {
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
		return;
	}
	r->eax = set_field(r->eax, CACHE_EAX_SHARING_MASK, CACHE_EAX_SHARING_SHIFT,
			   CACHE_EAX_LEVEL(r->eax) >= 3 ? package : 0);
	if (addressable)
		r->eax = set_field(r->eax, 0xfc000000u, L4_EAX_CORES_SHIFT,
				   (1u << core_bits(v)) - 1);
}

static void leaf_7(const struct cpuid_view *v, uint32_t subleaf, struct cpuid_regs *r)
{
	if (subleaf != 0)
		return;
	r->ebx &= ~L7_EBX_NEEDS_XSAVE;
	r->ecx &= ~(L7_ECX_NEEDS_XSAVE | L7_ECX_REFUSED_CR4);
	r->edx &= ~(L7_EDX_NEEDS_XSAVE | L7_EDX_REFUSED_CR4);
	if (!v->invpcid)
		r->ebx &= ~L7_EBX_INVPCID;
	if (!v->rdtscp)
		r->ecx &= ~L7_ECX_RDPID;	/* RDPID reads TSC_AUX too */
}

/*
 * Extended topology: level 0 the thread (one per core, shift 0), level 1
 * the core (vp_count of them), then an invalid level. EDX is the x2APIC id
 * on every subleaf.
 */
static void topology_leaf(const struct cpuid_view *v, uint32_t subleaf, struct cpuid_regs *r)
{
	r->edx = v->vp_index;
	r->ecx = subleaf & 0xff;
	if (subleaf == 0) {
		r->eax = 0;
		r->ebx = 1;
		r->ecx |= TOPO_TYPE_SMT << TOPO_ECX_TYPE_SHIFT;
	} else if (subleaf == 1) {
		r->eax = core_bits(v);
		r->ebx = v->vp_count;
		r->ecx |= TOPO_TYPE_CORE << TOPO_ECX_TYPE_SHIFT;
	} else {
		r->eax = 0;
		r->ebx = 0;
	}
}

/* A TLB is per core, and a core has one thread. */
static void tlb_leaf(struct cpuid_regs *r)
{
	if (r->edx & L18_EDX_TYPE_MASK)
		r->edx &= ~L18_EDX_SHARING_MASK;
}

static void ext_leaf_1(const struct cpuid_view *v, struct cpuid_regs *r)
{
	r->ecx &= ~X1_ECX_SVM;
	if (v->vp_count > 1)
		r->ecx |= X1_ECX_CMP_LEGACY;
	else
		r->ecx &= ~X1_ECX_CMP_LEGACY;
	if (!v->rdtscp)
		r->edx &= ~X1_EDX_RDTSCP;
}

/* Fn8000_001E: extended APIC id, core id (one thread per core), node 0 of 1. */
static void ext_apic_leaf(const struct cpuid_view *v, struct cpuid_regs *r)
{
	*r = (struct cpuid_regs){ v->vp_index, v->vp_index, 0, 0 };
}

static void basic_leaf(const struct cpuid_view *v, uint32_t leaf, uint32_t subleaf,
		       struct cpuid_regs *r)
{
	switch (leaf) {
	case 1:
		leaf_1(v, r);
		break;
	case 4:
		cache_leaf(v, r, true);
		break;
	case 7:
		leaf_7(v, subleaf, r);
		break;
	case 0xb:
	case 0x1f:
		topology_leaf(v, subleaf, r);
		break;
	case 0xd:				/* XSAVE features: none (leaf 1) */
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	case 0x18:
		tlb_leaf(r);
		break;
	default:
		break;
	}
}

static void ext_leaf(const struct cpuid_view *v, uint32_t leaf, struct cpuid_regs *r)
{
	switch (leaf) {
	case 0x80000001:
		ext_leaf_1(v, r);
		break;
	case 0x80000008:
		r->ecx = set_field(r->ecx, X8_ECX_TOPOLOGY_MASK, 0,
				   (v->vp_count - 1) | core_bits(v) << X8_ECX_APIC_ID_SIZE_SHIFT);
		break;
	case 0x8000000a:			/* SVM features: no nested virtualization */
	case 0x80000026:			/* extended CPU topology: not described */
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	case 0x8000001d:
		cache_leaf(v, r, false);
		break;
	case 0x8000001e:
		ext_apic_leaf(v, r);
		break;
	default:
		break;
	}
}

/*
 * A leaf above the host's highest is left as the host answers it (Intel
 * CPUs repeat their highest basic leaf there): such a leaf is not
 * described, so there is nothing to adjust.
 */
void cpuid_adjust(const struct cpuid_view *v, uint32_t leaf, uint32_t subleaf,
		  struct cpuid_regs *r)
{
	if (cpuid_is_hypervisor_leaf(leaf))
		cpuid_hypervisor_leaf(leaf, r);
	else if (leaf < 0x80000000u && leaf <= v->max_basic)
		basic_leaf(v, leaf, subleaf, r);
	else if (leaf >= 0x80000000u && leaf <= v->max_ext)
		ext_leaf(v, leaf, r);
}
