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
 *
 * Features: leaf 7 (every subleaf), 0x80000001 ECX and 0x80000008 EBX/EDX
 * are filtered through lists of what a partition is offered, bit by bit,
 * so that a bit a newer CPU defines stays hidden until someone has looked
 * at it. A feature is left out when its instruction raises #UD in a
 * partition (the hypervisor intercepts it, or the back-end does not
 * enable it), when it comes with MSRs, which the MSR allow list
 * (partitions/platform.c) refuses with #GP, or when it needs state that is
 * not switched between partitions (XSAVE state, PKRU, CET, ...). Leaves
 * above the host's highest basic or extended leaf read as zero: Intel CPUs
 * answer them with their highest basic leaf, unfiltered.
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
#define L1_EDX_APIC		BIT(9)
#define L1_EDX_MCA		BIT(14)
#define L1_EDX_ACPI		BIT(22)		/* thermal monitor and clock control */
#define L1_EDX_TM		BIT(29)
#define L1_ECX_TM2		BIT(8)
#define L1_ECX_PDCM		BIT(15)		/* IA32_PERF_CAPABILITIES */
#define L1_ECX_X2APIC		BIT(21)
#define L1_ECX_TSC_DEADLINE	BIT(24)
#define L6_EAX_ARAT		BIT(2)		/* the APIC timer runs in every C-state */

/* Fn0000_0004 and Fn8000_001D (deterministic cache parameters) */
#define CACHE_EAX_TYPE_MASK	0x1fu		/* 0: no more caches */
#define CACHE_EAX_LEVEL(eax)	((eax) >> 5 & 7)
#define CACHE_EAX_SHARING_SHIFT	14		/* [25:14] sharing logical processors - 1 */
#define CACHE_EAX_SHARING_MASK	(0xfffu << 14)
#define L4_EAX_CORES_SHIFT	26		/* [31:26] addressable core ids - 1 */

/*
 * Fn0000_0007 subleaf 0 (SDM Vol. 2A, CPUID, leaf 07H; APM Vol. 3, E.3.6):
 * what a partition is offered. Left out of EBX: TSC_ADJUST (1, an MSR),
 * SGX (2), AVX2 (5, XSAVE state), RDT-M (12, MSRs), MPX (14, MSRs and
 * XSAVE state), RDT-A (15, MSRs), AVX-512 (16, 17, 21, 26-28, 30, 31),
 * Processor Trace (25, MSRs).
 */
#define L7_EBX_FSGSBASE		BIT(0)
#define L7_EBX_BMI1		BIT(3)
#define L7_EBX_HLE		BIT(4)
#define L7_EBX_FDP_EXCPTN_ONLY	BIT(6)
#define L7_EBX_SMEP		BIT(7)
#define L7_EBX_BMI2		BIT(8)
#define L7_EBX_ERMS		BIT(9)
#define L7_EBX_INVPCID		BIT(10)		/* where the back-end lets guests run it */
#define L7_EBX_RTM		BIT(11)
#define L7_EBX_FPU_CSDS_ZERO	BIT(13)
#define L7_EBX_RDSEED		BIT(18)
#define L7_EBX_ADX		BIT(19)
#define L7_EBX_SMAP		BIT(20)
#define L7_EBX_CLFLUSHOPT	BIT(23)
#define L7_EBX_CLWB		BIT(24)
#define L7_EBX_SHA		BIT(29)
#define L7_EBX_OFFERED		(L7_EBX_FSGSBASE | L7_EBX_BMI1 | L7_EBX_HLE | \
				 L7_EBX_FDP_EXCPTN_ONLY | L7_EBX_SMEP | L7_EBX_BMI2 | \
				 L7_EBX_ERMS | L7_EBX_INVPCID | L7_EBX_RTM | \
				 L7_EBX_FPU_CSDS_ZERO | L7_EBX_RDSEED | L7_EBX_ADX | \
				 L7_EBX_SMAP | L7_EBX_CLFLUSHOPT | L7_EBX_CLWB | L7_EBX_SHA)
/*
 * Left out of ECX: AVX-512 (1, 6, 11, 12, 14), PKU and OSPKE (3, 4: PKRU
 * is not switched), WAITPKG (5: UMONITOR/UMWAIT/TPAUSE raise #UD without
 * VT-x's "enable user wait and pause", and IA32_UMWAIT_CONTROL is an MSR),
 * CET shadow stacks (7), VAES and VPCLMULQDQ (9, 10: VEX-encoded, so AVX),
 * TME (13, MSRs), MAWAU (21:17, MPX), Key Locker (23), bus-lock detection
 * (24, IA32_DEBUGCTL), ENQCMD (29, IA32_PASID), SGX launch control (30),
 * PKS (31).
 */
#define L7_ECX_PREFETCHWT1	BIT(0)
#define L7_ECX_UMIP		BIT(2)
#define L7_ECX_GFNI		BIT(8)		/* its SSE encodings need no XSAVE state */
#define L7_ECX_LA57		BIT(16)
#define L7_ECX_RDPID		BIT(22)		/* where the back-end lets guests run RDTSCP */
#define L7_ECX_CLDEMOTE		BIT(25)
#define L7_ECX_MOVDIRI		BIT(27)
#define L7_ECX_MOVDIR64B	BIT(28)
#define L7_ECX_OFFERED		(L7_ECX_PREFETCHWT1 | L7_ECX_UMIP | L7_ECX_GFNI | L7_ECX_LA57 | \
				 L7_ECX_RDPID | L7_ECX_CLDEMOTE | L7_ECX_MOVDIRI | \
				 L7_ECX_MOVDIR64B)
/*
 * Left out of EDX: AVX-512 (2, 3, 8, 23), UINTR (5), SRBDS_CTRL (9,
 * IA32_MCU_OPT_CTRL), RTM_FORCE_ABORT (13, an MSR), Hybrid (15: the
 * partition's cores are all alike), PCONFIG (18: #UD without VT-x's
 * "enable PCONFIG"), architectural LBRs (19), CET IBT (20), AMX (22, 24,
 * 25), and the speculation controls: IBRS/IBPB (26), STIBP (27),
 * L1D_FLUSH (28), ARCH_CAPABILITIES (29), CORE_CAPABILITIES (30), SSBD
 * (31), all of them MSRs. IA32_SPEC_CTRL would have to be switched with
 * every vCPU (KVM does so), and IA32_PRED_CMD and IA32_FLUSH_CMD passed
 * through: until then a guest is told they do not exist, rather than
 * finding them raise #GP.
 */
#define L7_EDX_FSRM		BIT(4)
#define L7_EDX_MD_CLEAR		BIT(10)		/* VERW clears buffers: an instruction */
#define L7_EDX_RTM_ALWAYS_ABORT	BIT(11)
#define L7_EDX_SERIALIZE	BIT(14)
#define L7_EDX_TSXLDTRK		BIT(16)
#define L7_EDX_OFFERED		(L7_EDX_FSRM | L7_EDX_MD_CLEAR | L7_EDX_RTM_ALWAYS_ABORT | \
				 L7_EDX_SERIALIZE | L7_EDX_TSXLDTRK)

/* Fn0000_000B and Fn0000_001F (extended topology) */
#define TOPO_ECX_TYPE_SHIFT	8
#define TOPO_TYPE_SMT		1
#define TOPO_TYPE_CORE		2

/* Fn0000_0018 (deterministic address translation parameters) */
#define L18_EDX_TYPE_MASK	0x1fu		/* 0: subleaf not valid */
#define L18_EDX_SHARING_MASK	(0xfffu << 14)	/* [25:14] sharing logical processors - 1 */

/*
 * Fn8000_0001 ECX (APM Vol. 3, E.4.2): what a partition is offered.
 * CmpLegacy follows the partition's topology. Left out: SVM (2),
 * ExtApicSpace (3: there is no APIC to extend), OSVW (9), IBS (10), WDT
 * (13), NodeId (19), the performance-counter extensions (23, 24, 25, 27,
 * 28) and data-breakpoint extensions (26, 30), all MSRs; XOP, LWP and
 * FMA4 (11, 15, 16: XSAVE state); SKINIT (12, intercepted: #UD); TCE (17,
 * an EFER bit, and EFER is not the partition's to write); MONITORX (29:
 * MONITORX and MWAITX are intercepted with MONITOR and MWAIT, #UD).
 */
#define X1_ECX_LAHF_SAHF	BIT(0)
#define X1_ECX_CMP_LEGACY	BIT(1)		/* cores count as logical processors in leaf 1 */
#define X1_ECX_ALT_MOV_CR8	BIT(4)
#define X1_ECX_ABM		BIT(5)
#define X1_ECX_SSE4A		BIT(6)
#define X1_ECX_MISALIGN_SSE	BIT(7)
#define X1_ECX_3DNOW_PREFETCH	BIT(8)
#define X1_ECX_TBM		BIT(21)
#define X1_ECX_TOPOLOGY_EXT	BIT(22)		/* Fn8000_001D and Fn8000_001E, described */
#define X1_ECX_OFFERED		(X1_ECX_LAHF_SAHF | X1_ECX_ALT_MOV_CR8 | X1_ECX_ABM | \
				 X1_ECX_SSE4A | X1_ECX_MISALIGN_SSE | X1_ECX_3DNOW_PREFETCH | \
				 X1_ECX_TBM | X1_ECX_TOPOLOGY_EXT)
#define X1_EDX_RDTSCP		BIT(27)

/* Fn8000_0008 ECX (AMD): [7:0] NC, cores - 1; [15:12] ApicIdSize, core id bits */
#define X8_ECX_TOPOLOGY_MASK	0xf0ffu
#define X8_ECX_APIC_ID_SIZE_SHIFT 12
/*
 * Fn8000_0008 EBX (APM Vol. 3, E.4.7): what a partition is offered; the
 * rest are instructions it cannot run or MSRs it cannot reach: IRPERF (1,
 * an MSR), INVLPGB and TLBSYNC (3, 21: #UD unless the VMCB enables them),
 * RDPRU (4: it would read the host CPU's APERF/MPERF), MBE (6, MSRs),
 * MCOMMIT (8, an EFER bit), the speculation controls IBPB (12), IBRS
 * (14), STIBP (15) and the hints that go with them (16-19, 30), SSBD (24),
 * VIRT_SSBD (25), CPPC (27), PSFD (28), all MSRs.
 */
#define X8_EBX_CLZERO		BIT(0)
#define X8_EBX_XSAVE_ERR_PTR	BIT(2)		/* FXSAVE always saves FIP/FDP/FOP */
#define X8_EBX_WBNOINVD		BIT(9)		/* intercepted with WBINVD */
#define X8_EBX_INT_WBINVD	BIT(13)
#define X8_EBX_NO_EFER_LMSLE	BIT(20)
#define X8_EBX_SSBD_NOT_NEEDED	BIT(26)
#define X8_EBX_BTC_NO		BIT(29)
#define X8_EBX_OFFERED		(X8_EBX_CLZERO | X8_EBX_XSAVE_ERR_PTR | X8_EBX_WBNOINVD | \
				 X8_EBX_INT_WBINVD | X8_EBX_NO_EFER_LMSLE | \
				 X8_EBX_SSBD_NOT_NEEDED | X8_EBX_BTC_NO)

/*
 * Every CR4 bit a partition can ever set, with the feature that CPUID
 * leaf 1 or 7 (subleaf 0) shows for it; core/cr.c refuses any other bit.
 * Left out, and so always refused: VMXE and SMXE (VMX and SMX are not
 * offered), and the bits for state that is not switched between
 * partitions: Key Locker (19), CET (23), PKS (24), UINTR (25), LAM_SUP
 * (28), FRED (32). OSXSAVE and PKE are here, but their features (XSAVE,
 * PKU) stay hidden while XCR0 and PKRU are not switched, so today they
 * are refused as well: a partition cannot turn on protection keys and
 * leave its PKRU to the next partition on the CPU. A feature whose CR4
 * bits the back-end cannot load (struct cpuid_view's cr4) is hidden.
 */
const struct cpuid_cr4_feature cpuid_cr4_features[] = {
	{ CR4_VME | CR4_PVI, 1, CPUID_EDX, 1 },
	{ CR4_DE, 1, CPUID_EDX, 2 },
	{ CR4_PSE, 1, CPUID_EDX, 3 },
	{ CR4_TSD, 1, CPUID_EDX, 4 },
	{ CR4_PAE, 1, CPUID_EDX, 6 },
	{ CR4_MCE, 1, CPUID_EDX, 7 },
	{ CR4_PGE, 1, CPUID_EDX, 13 },
	{ CR4_OSFXSR, 1, CPUID_EDX, 24 },
	{ CR4_OSXMMEXCPT, 1, CPUID_EDX, 25 },	/* SSE */
	{ CR4_PCIDE, 1, CPUID_ECX, 17 },
	{ CR4_OSXSAVE, 1, CPUID_ECX, 26 },	/* XSAVE */
	{ CR4_PCE, 0, 0, 0 },
	{ CR4_FSGSBASE, 7, CPUID_EBX, 0 },
	{ CR4_SMEP, 7, CPUID_EBX, 7 },
	{ CR4_SMAP, 7, CPUID_EBX, 20 },
	{ CR4_UMIP, 7, CPUID_ECX, 2 },
	{ CR4_PKE, 7, CPUID_ECX, 3 },		/* PKU */
	{ CR4_LA57, 7, CPUID_ECX, 16 },
};
const unsigned cpuid_cr4_feature_count = sizeof(cpuid_cr4_features) / sizeof(cpuid_cr4_features[0]);

/* XSAVE state (AVX and up): hidden while only the FXSAVE area changes hands between guests. */
#define L1_ECX_NEEDS_XSAVE	(L1_ECX_XSAVE | L1_ECX_OSXSAVE | L1_ECX_AVX | L1_ECX_FMA | \
				 L1_ECX_F16C)

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

uint32_t cpuid_reg(const struct cpuid_regs *r, enum cpuid_reg reg)
{
	switch (reg) {
	case CPUID_EAX:
		return r->eax;
	case CPUID_EBX:
		return r->ebx;
	case CPUID_ECX:
		return r->ecx;
	default:
		return r->edx;
	}
}

static uint32_t *reg_of(struct cpuid_regs *r, enum cpuid_reg reg)
{
	switch (reg) {
	case CPUID_EAX:
		return &r->eax;
	case CPUID_EBX:
		return &r->ebx;
	case CPUID_ECX:
		return &r->ecx;
	default:
		return &r->edx;
	}
}

/*
 * A feature whose CR4 bits the back-end cannot load into the guest's CR4
 * (on VT-x, IA32_VMX_CR4_FIXED1 may lack one the CPUID bit promises) is
 * hidden: the guest would read the bit back set and not have it.
 */
static void hide_unloadable_cr4_features(const struct cpuid_view *v, uint32_t leaf,
					 struct cpuid_regs *r)
{
	for (unsigned i = 0; i < cpuid_cr4_feature_count; i++) {
		const struct cpuid_cr4_feature *f = &cpuid_cr4_features[i];

		if (f->leaf == leaf && (f->cr4 & ~v->cr4))
			*reg_of(r, (enum cpuid_reg)f->reg) &= ~BIT(f->bit);
	}
}

static void leaf_1(const struct cpuid_view *v, struct cpuid_regs *r)
{
	r->ecx &= ~(L1_ECX_VMX | L1_ECX_SMX | L1_ECX_MONITOR | L1_ECX_NEEDS_XSAVE);
	/*
	 * No machine-check architecture: its MSRs (MCG_CAP, MCG_STATUS, the
	 * banks) are not there, and Linux, told of MCA, panics at the first
	 * #GP of one ("MCA architectural violation"). The machine-check
	 * exception itself (CR4.MCE) stays: Linux wants both before it uses
	 * either (mce_available()).
	 */
	r->edx &= ~L1_EDX_MCA;
	/* No thermal monitor either: its MSRs (IA32_THERM_*) are not there. */
	r->edx &= ~(L1_EDX_ACPI | L1_EDX_TM);
	r->ecx &= ~L1_ECX_TM2;
	/* No performance monitoring: IA32_PERF_CAPABILITIES and the counters are not there. */
	r->ecx &= ~L1_ECX_PDCM;
	hide_unloadable_cr4_features(v, 1, r);
	r->ecx |= HV_CPUID_HYPERVISOR_PRESENT;
	r->ebx = set_field(r->ebx, 0xff0000u, L1_EBX_LOGICAL_SHIFT, 1u << core_bits(v));
	r->ebx = set_field(r->ebx, 0xff000000u, L1_EBX_APIC_ID_SHIFT, v->vp_index);
	if (v->vp_count > 1)
		r->edx |= L1_EDX_HTT;
	else
		r->edx &= ~L1_EDX_HTT;
	if (v->lapic) {		/* partitions/lapic.h: xAPIC, x2APIC and the TSC-deadline timer */
		r->edx |= L1_EDX_APIC;
		r->ecx |= L1_ECX_X2APIC | L1_ECX_TSC_DEADLINE;
	}
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

/*
 * Subleaf 0 is the only one: EAX (the highest subleaf) reads 0, and the
 * later subleaves, whose bits are newer features (LASS, FRED, LAM,
 * HRESET, MSRLIST, PPIN, AVX-VNNI, the speculation controls of subleaf
 * 2, ...) that all come with MSRs, CR4 bits or XSAVE state a partition
 * does not have, read as zero.
 */
static void leaf_7(const struct cpuid_view *v, uint32_t subleaf, struct cpuid_regs *r)
{
	if (subleaf != 0) {
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
		return;
	}
	r->eax = 0;
	r->ebx &= L7_EBX_OFFERED;
	r->ecx &= L7_ECX_OFFERED;
	r->edx &= L7_EDX_OFFERED;
	hide_unloadable_cr4_features(v, 7, r);
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
	r->ecx &= X1_ECX_OFFERED;
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
	case 6:
		/*
		 * A virtual APIC's timer never stops: ARAT, without which Linux
		 * insists on a PIT (hyperv-linux-guest.md 1.4).
		 */
		if (v->lapic)	/* and nothing of power management: no thermal or HWP MSRs */
			*r = (struct cpuid_regs){ L6_EAX_ARAT, 0, 0, 0 };
		break;
	case 7:
		leaf_7(v, subleaf, r);
		break;
	case 0xb:
	case 0x1f:
		topology_leaf(v, subleaf, r);
		break;
	case 0xa:				/* architectural performance monitoring: none */
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
		r->ebx &= X8_EBX_OFFERED;
		r->ecx = set_field(r->ecx, X8_ECX_TOPOLOGY_MASK, 0,
				   (v->vp_count - 1) | core_bits(v) << X8_ECX_APIC_ID_SIZE_SHIFT);
		r->edx = 0;		/* INVLPGB's page count, RDPRU's register count */
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
 * The hypervisor's leaves (core/abi/cpuid.h; TLFS 6.0, "Feature and
 * Interface Discovery"). Leaves past the highest read as zero: no other
 * hypervisor's signature may appear above ours (Linux's KVM and Xen
 * detectors scan there and would out-rank Hyper-V), and 0x40000081/82
 * must not say "VS#1".
 */
void cpuid_hypervisor_leaf(const struct cpuid_hv_view *hv, uint32_t leaf, struct cpuid_regs *r)
{
	switch (leaf) {
	case HV_CPUID_VENDOR_LEAF:
		*r = cpuid_vendor_leaf();
		break;
	case HV_CPUID_INTERFACE_LEAF:
		*r = (struct cpuid_regs){ HV_CPUID_INTERFACE_HV1, 0, 0, 0 };
		break;
	case HV_CPUID_VERSION_LEAF:
		*r = (struct cpuid_regs){ HV_CPUID_BUILD,
					  HV_CPUID_VERSION_MAJOR << 16 | HV_CPUID_VERSION_MINOR, 0, 0 };
		break;
	case HV_CPUID_FEATURES_LEAF:
		*r = (struct cpuid_regs){ (uint32_t)hv->privileges, (uint32_t)(hv->privileges >> 32),
					  0, HV_CPUID_FEATURES_EDX };
		break;
	case HV_CPUID_HINTS_LEAF:
		*r = (struct cpuid_regs){ HV_CPUID_HINTS_EAX, HV_CPUID_HINTS_EBX, 0, 0 };
		break;
	case HV_CPUID_LIMITS_LEAF:
		*r = (struct cpuid_regs){ hv->max_vps, hv->max_lps, 0, 0 };
		break;
	case HV_CPUID_HW_FEATURES_LEAF:
		*r = (struct cpuid_regs){ HV_CPUID_HW_FEATURES_EAX, 0, 0, 0 };
		break;
	default:
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	}
}

/*
 * A leaf above the host's highest basic or extended leaf reads as zero,
 * as AMD CPUs answer it. Intel CPUs answer with their highest basic leaf
 * (SDM Vol. 2A, CPUID: "If a value entered for CPUID.EAX is higher than
 * the maximum input value for basic or extended function ..., the data
 * for the highest basic information leaf is returned"), unfiltered: the
 * physical x2APIC id of leaf 0xB or 0x1F, or the XSAVE sizes of leaf 0xD.
 */
void cpuid_adjust(const struct cpuid_view *v, uint32_t leaf, uint32_t subleaf,
		  struct cpuid_regs *r)
{
	if (cpuid_is_hypervisor_leaf(leaf))
		cpuid_hypervisor_leaf(&v->hv, leaf, r);
	else if (leaf < 0x80000000u && leaf <= v->max_basic)
		basic_leaf(v, leaf, subleaf, r);
	else if (leaf >= 0x80000000u && leaf <= v->max_ext)
		ext_leaf(v, leaf, r);
	else
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
}
