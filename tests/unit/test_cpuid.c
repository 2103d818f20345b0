/*
 * Host unit tests for partitions/cpuid.c: the topology a partition of 1-8
 * vCPUs sees (APIC id = VP index in every leaf, one package of cores with
 * one thread each, cache sharing to match), features hidden unless the
 * back-end enables them (instructions, CR4 bits), features with refused
 * instructions or MSRs hidden, leaves above the host's highest reading as
 * zero, and the hypervisor leaves. The "host" answers are
 * made up: every bit set, so that what the policy clears shows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "partitions/cpuid.h"
#include "core/abi/cpuid.h"
#include "core/abi/hypercall.h"

#define ALL	0xffffffffu

static struct cpuid_view view(unsigned vp, unsigned n)
{
	return (struct cpuid_view){ .vp_index = vp, .vp_count = n, .max_basic = 0x1f,
				    .max_ext = 0x80000026, .rdtscp = true, .invpcid = true,
				    .cr4 = ~0ull };
}

static struct cpuid_regs ask(const struct cpuid_view *v, uint32_t leaf, uint32_t sub,
			     struct cpuid_regs host)
{
	cpuid_adjust(v, leaf, sub, &host);
	return host;
}

static const struct cpuid_regs all_ones = { ALL, ALL, ALL, ALL };

static unsigned bits_for(unsigned n)
{
	unsigned b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

static void test_apic_id_is_vp_index_everywhere(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 8; n++) {
		for (unsigned vp = 0; vp < n; vp++) {
			struct cpuid_view v = view(vp, n);

			assert_int_equal(ask(&v, 1, 0, all_ones).ebx >> 24, vp);
			for (uint32_t sub = 0; sub < 4; sub++) {
				assert_int_equal(ask(&v, 0xb, sub, all_ones).edx, vp);
				assert_int_equal(ask(&v, 0x1f, sub, all_ones).edx, vp);
			}
			assert_int_equal(ask(&v, 0x8000001e, 0, all_ones).eax, vp);
			assert_int_equal(ask(&v, 0x8000001e, 0, all_ones).ebx & 0xff, vp);
		}
	}
}

static void test_one_package_of_single_thread_cores(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 8; n++) {
		struct cpuid_view v = view(n - 1, n);
		struct cpuid_regs l1 = ask(&v, 1, 0, all_ones);
		struct cpuid_regs smt = ask(&v, 0xb, 0, all_ones), core = ask(&v, 0xb, 1, all_ones);
		struct cpuid_regs end = ask(&v, 0x1f, 2, all_ones);
		struct cpuid_regs x1 = ask(&v, 0x80000001, 0, all_ones);
		struct cpuid_regs x8 = ask(&v, 0x80000008, 0, all_ones);
		struct cpuid_regs x1e = ask(&v, 0x8000001e, 0, all_ones);

		assert_int_equal(l1.ebx >> 16 & 0xff, 1u << bits_for(n));
		assert_int_equal(l1.edx >> 28 & 1, n > 1);		/* HTT */
		assert_int_equal(x1.ecx >> 1 & 1, n > 1);		/* CmpLegacy */
		assert_int_equal(smt.eax, 0);
		assert_int_equal(smt.ebx, 1);
		assert_int_equal(smt.ecx, 0x100);			/* level 0, SMT */
		assert_int_equal(core.eax, bits_for(n));
		assert_int_equal(core.ebx, n);
		assert_int_equal(core.ecx, 0x201);			/* level 1, core */
		assert_int_equal(end.ebx, 0);
		assert_int_equal(end.ecx, 2);				/* level 2, invalid */
		assert_int_equal(x8.ecx & 0xff, n - 1);			/* NC */
		assert_int_equal(x8.ecx >> 12 & 0xf, bits_for(n));	/* ApicIdSize */
		assert_int_equal(x8.ecx & ~0xf0ffu, ALL & ~0xf0ffu);	/* the rest is the host's */
		assert_int_equal(x1e.ebx >> 8 & 0xff, 0);		/* one thread per core */
		assert_int_equal(x1e.ecx & 0x7ff, 0);			/* node 0, one node */
	}
}

static struct cpuid_regs cache(unsigned level)
{
	return (struct cpuid_regs){ (ALL & ~0xffu) | level << 5 | 1, ALL, ALL, ALL };
}

static void test_cache_sharing(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 8; n++) {
		struct cpuid_view v = view(0, n);
		uint32_t ids = (1u << bits_for(n)) - 1;

		for (unsigned level = 1; level <= 3; level++) {
			struct cpuid_regs l4 = ask(&v, 4, level, cache(level));
			struct cpuid_regs x1d = ask(&v, 0x8000001d, level, cache(level));
			uint32_t shared = level == 3;

			assert_int_equal(l4.eax >> 14 & 0xfff, shared ? ids : 0);
			assert_int_equal(l4.eax >> 26, ids);
			assert_int_equal(x1d.eax >> 14 & 0xfff, shared ? n - 1 : 0);
			assert_int_equal(l4.eax & 0x3fff, cache(level).eax & 0x3fff);
			assert_int_equal(l4.ebx, ALL);			/* sizes are the host's */
		}
		/* no more caches: all zero */
		assert_int_equal(ask(&v, 4, 4, (struct cpuid_regs){ 0, ALL, ALL, ALL }).ebx, 0);
		/* a TLB belongs to one core */
		assert_int_equal(ask(&v, 0x18, 1, all_ones).edx >> 14 & 0xfff, 0);
	}
}

static void test_features_follow_the_back_end(void **state)
{
	struct cpuid_view v = view(0, 1);

	(void)state;
	assert_int_equal(ask(&v, 0x80000001, 0, all_ones).edx >> 27 & 1, 1);
	assert_int_equal(ask(&v, 7, 0, all_ones).ebx >> 10 & 1, 1);
	assert_int_equal(ask(&v, 7, 0, all_ones).ecx >> 22 & 1, 1);
	v.rdtscp = false;
	assert_int_equal(ask(&v, 0x80000001, 0, all_ones).edx >> 27 & 1, 0);	/* RDTSCP */
	assert_int_equal(ask(&v, 7, 0, all_ones).ecx >> 22 & 1, 0);		/* RDPID */
	v.invpcid = false;
	assert_int_equal(ask(&v, 7, 0, all_ones).ebx >> 10 & 1, 0);		/* INVPCID */
}

/* A register with exactly the given bits set (a list ending in -1). */
static uint32_t bits(const int *list)
{
	uint32_t r = 0;

	for (; *list >= 0; list++)
		r |= 1u << *list;
	return r;
}

/*
 * Features whose instruction raises #UD in a partition, or whose MSRs are
 * refused with #GP, or whose state is not switched, are hidden: every bit
 * a host could set in leaf 7, 0x80000001 ECX and 0x80000008 EBX is
 * checked against the list of what is offered (SDM Vol. 2A, CPUID leaf
 * 07H; APM Vol. 3, E.4.2 and E.4.7).
 */
static void test_refused_features_are_hidden(void **state)
{
	/* FSGSBASE BMI1 HLE FDP_EXCPTN_ONLY SMEP BMI2 ERMS INVPCID RTM FPU-CS/DS RDSEED ADX
	 * SMAP CLFLUSHOPT CLWB SHA */
	static const int l7_ebx[] = { 0, 3, 4, 6, 7, 8, 9, 10, 11, 13, 18, 19, 20, 23, 24, 29, -1 };
	/* PREFETCHWT1 UMIP GFNI LA57 RDPID CLDEMOTE MOVDIRI MOVDIR64B */
	static const int l7_ecx[] = { 0, 2, 8, 16, 22, 25, 27, 28, -1 };
	/* FSRM MD_CLEAR RTM_ALWAYS_ABORT SERIALIZE TSXLDTRK */
	static const int l7_edx[] = { 4, 10, 11, 14, 16, -1 };
	/* LahfSahf CmpLegacy (2 vCPUs) AltMovCr8 ABM SSE4A MisAlignSse 3DNowPrefetch TBM TopoExt */
	static const int x1_ecx[] = { 0, 1, 4, 5, 6, 7, 8, 21, 22, -1 };
	/* CLZERO XSaveErPtr WBNOINVD INT_WBINVD EferLmsleUnsupported SsbdNotRequired BTC_NO */
	static const int x8_ebx[] = { 0, 2, 9, 13, 20, 26, 29, -1 };
	struct cpuid_view v = view(0, 2);
	struct cpuid_regs l7 = ask(&v, 7, 0, all_ones);
	struct cpuid_regs x1 = ask(&v, 0x80000001, 0, all_ones);
	struct cpuid_regs x8 = ask(&v, 0x80000008, 0, all_ones);

	(void)state;
	assert_int_equal(l7.eax, 0);				/* subleaf 0 is the last */
	assert_int_equal(l7.ebx, bits(l7_ebx));
	assert_int_equal(l7.ecx, bits(l7_ecx));
	assert_int_equal(l7.edx, bits(l7_edx));
	assert_int_equal(x1.ecx, bits(x1_ecx));
	assert_int_equal(x8.ebx, bits(x8_ebx));
	assert_int_equal(x8.edx, 0);				/* INVLPGB, RDPRU counts */
	/* the ones named in the review, one by one */
	assert_int_equal(x1.ecx >> 29 & 1, 0);			/* MONITORX/MWAITX */
	assert_int_equal(l7.ecx >> 5 & 1, 0);			/* WAITPKG */
	assert_int_equal(x8.ebx >> 3 & 1, 0);			/* INVLPGB */
	assert_int_equal(l7.edx >> 26 & 0x3f, 0);		/* IBRS/IBPB STIBP L1D_FLUSH
								   ARCH_CAP CORE_CAP SSBD */
	assert_int_equal(x8.ebx & (1u << 12 | 1u << 14 | 1u << 15 | 1u << 24 | 1u << 25), 0);
	assert_int_equal(l7.ebx >> 1 & 1, 0);			/* IA32_TSC_ADJUST */
	/* the later subleaves read as zero */
	for (uint32_t sub = 1; sub < 4; sub++) {
		struct cpuid_regs r = ask(&v, 7, sub, all_ones);

		assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	}
}

/* A feature whose CR4 bits the back-end cannot load is hidden (struct cpuid_view's cr4). */
static void test_cr4_features_follow_the_back_end(void **state)
{
	struct cpuid_view v = view(0, 1);

	(void)state;
	assert_int_equal(ask(&v, 7, 0, all_ones).ecx >> 2 & 1, 1);		/* UMIP */
	v.cr4 = ~(uint64_t)CR4_UMIP;
	assert_int_equal(ask(&v, 7, 0, all_ones).ecx >> 2 & 1, 0);
	assert_int_equal(ask(&v, 7, 0, all_ones).ecx >> 16 & 1, 1);		/* LA57 stays */
	v.cr4 = ~(uint64_t)(CR4_PCIDE | CR4_SMAP);
	assert_int_equal(ask(&v, 1, 0, all_ones).ecx >> 17 & 1, 0);		/* PCID */
	assert_int_equal(ask(&v, 7, 0, all_ones).ebx >> 20 & 1, 0);		/* SMAP */
	assert_int_equal(ask(&v, 7, 0, all_ones).ebx >> 7 & 1, 1);		/* SMEP stays */
	v.cr4 = ~(uint64_t)CR4_PVI;		/* VME needs both VME and PVI */
	assert_int_equal(ask(&v, 1, 0, all_ones).edx >> 1 & 1, 0);
	assert_int_equal(ask(&v, 1, 0, all_ones).edx >> 2 & 1, 1);		/* DE stays */
}

static void test_hidden_and_set_bits(void **state)
{
	struct cpuid_view v = view(0, 1);
	struct cpuid_regs l1 = ask(&v, 1, 0, (struct cpuid_regs){ ALL, ALL, 0, ALL });

	(void)state;
	assert_int_equal(l1.ecx, HV_CPUID_HYPERVISOR_PRESENT);
	l1 = ask(&v, 1, 0, all_ones);
	assert_int_equal(l1.ecx >> 5 & 1, 0);		/* VMX */
	assert_int_equal(l1.ecx >> 3 & 1, 0);		/* MONITOR */
	assert_int_equal(l1.ecx >> 26 & 1, 0);		/* XSAVE */
	assert_int_equal(ask(&v, 0x80000001, 0, all_ones).ecx >> 2 & 1, 0);	/* SVM */
	assert_int_equal(ask(&v, 0x8000000a, 0, all_ones).edx, 0);
	assert_int_equal(ask(&v, 0xd, 0, all_ones).eax, 0);
	assert_int_equal(ask(&v, 0x80000026, 0, all_ones).ebx, 0);
}

static void test_hypervisor_leaves(void **state)
{
	struct cpuid_view v = view(0, 1);
	struct cpuid_regs r = ask(&v, HV_CPUID_VENDOR_LEAF, 0, all_ones);

	(void)state;
	assert_int_equal(r.eax, 0x40000006);
	assert_memory_equal(&r.ebx, "Micr", 4);
	assert_memory_equal(&r.ecx, "osof", 4);
	assert_memory_equal(&r.edx, "t Hv", 4);
	r = ask(&v, 0x40000001, 0, all_ones);
	assert_memory_equal(&r.eax, "Hv#1", 4);
	assert_int_equal(r.ebx | r.ecx | r.edx, 0);
	r = ask(&v, 0x40000002, 0, all_ones);
	assert_in_range(r.eax, 27744, 27751);		/* mshv_root.h's range: no warning */
	for (uint32_t leaf = 0x40000007; leaf < 0x40000100; leaf++) {
		r = ask(&v, leaf, 0, all_ones);
		assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	}
	r = ask(&v, 0x4fffffff, 0, all_ones);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
}

/*
 * 0x40000003: the partition's own privilege mask, low half in EAX, high
 * half in EBX; a child has what Linux needs to detect Hyper-V (hypercall
 * and VP-index MSRs) and none of the bits that make it take itself for
 * the root (hyperv-linux-guest.md 1.3, hyperv-root-abi.md 2.2).
 */
/* A LAPIC partition's CPUID promises its APIC: xAPIC, x2APIC, TSC-deadline, ARAT; others keep the host's. */
static void test_lapic_partition(void **state)
{
	struct cpuid_view v = view(0, 2);
	struct cpuid_regs none = { 0, 0, 0, 0 }, r;

	(void)state;
	r = ask(&v, 6, 0, none);
	assert_int_equal(r.eax & 1u << 2, 0);
	v.lapic = true;
	r = ask(&v, 1, 0, none);
	assert_true(r.edx & 1u << 9);
	assert_true(r.ecx & 1u << 21 && r.ecx & 1u << 24);
	r = ask(&v, 6, 0, none);
	assert_true(r.eax & 1u << 2);
}

static void test_privileges_per_partition(void **state)
{
	struct cpuid_view v = view(0, 1);
	struct cpuid_regs r;

	(void)state;
	v.hv.privileges = HV_PRIV_CHILD;
	r = ask(&v, 0x40000003, 0, all_ones);
	assert_int_equal(r.eax, (uint32_t)HV_PRIV_CHILD);
	assert_int_equal(r.ebx, (uint32_t)(HV_PRIV_CHILD >> 32));
	assert_true(r.eax & 1u << 5 && r.eax & 1u << 6);	/* hypercall MSRs, VP index */
	assert_true(r.eax & 1u << 11);				/* frequency MSRs */
	assert_int_equal(r.ebx & (1u << 0 | 1u << 1 | 1u << 12 | 1u << 22), 0);
	assert_int_equal(r.ecx, 0);
	assert_int_equal(r.edx, 1u << 8 | 1u << 10 | 1u << 18 | 1u << 19);	/* frequencies, crash MSRs, MSR lock, direct stimers */
	v.hv.privileges = HV_PRIV_ROOT;
	r = ask(&v, 0x40000003, 0, all_ones);
	assert_int_equal(r.eax, (uint32_t)HV_PRIV_ROOT);
	assert_true(r.ebx & 1u << 0 && r.ebx & 1u << 12);	/* CreatePartitions, CpuManagement */
	assert_int_equal(r.ebx & 1u << 22, 0);			/* never Isolation */
}

static void test_recommendations_limits_hardware(void **state)
{
	struct cpuid_view v = view(0, 1);
	struct cpuid_regs r;

	(void)state;
	v.hv = (struct cpuid_hv_view){ HV_PRIV_CHILD, 8, 64 };
	r = ask(&v, 0x40000004, 0, all_ones);
	assert_int_equal(r.eax, 1u << 9);		/* deprecate AutoEOI, nothing else */
	assert_int_equal(r.ebx, 0xffffffffu);
	assert_int_equal(r.ecx | r.edx, 0);
	r = ask(&v, 0x40000005, 0, all_ones);
	assert_int_equal(r.eax, 8);
	assert_int_equal(r.ebx, 64);
	assert_int_equal(r.ecx | r.edx, 0);
	r = ask(&v, 0x40000006, 0, all_ones);
	assert_int_equal(r.eax, 1u << 1 | 1u << 3);	/* MSR bitmaps, SLAT */
	assert_int_equal(r.ebx | r.ecx | r.edx, 0);
}

/*
 * Above the host's highest basic or extended leaf, an Intel CPU answers
 * with its highest basic leaf, unfiltered: the partition reads zeros.
 */
static void test_leaves_beyond_the_host_read_as_zero(void **state)
{
	static const uint32_t beyond[] = { 0xe, 0x1f, 0x20, 0x3fffffff, 0x50000000, 0x7fffffff,
					   0x80000009, 0x8000001e, 0x80000026, 0xc0000000,
					   0xffffffff };
	struct cpuid_view v = view(1, 2);

	(void)state;
	v.max_basic = 0xd;
	v.max_ext = 0x80000008;
	for (size_t i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++) {
		struct cpuid_regs r = ask(&v, beyond[i], 0, all_ones);

		assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	}
	assert_int_equal(ask(&v, 0xb, 0, all_ones).edx, 1);
	assert_int_equal(ask(&v, 0x80000008, 0, all_ones).eax, ALL);
	assert_int_equal(ask(&v, HV_CPUID_VENDOR_LEAF, 0, all_ones).ebx, HV_CPUID_VENDOR_EBX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apic_id_is_vp_index_everywhere),
		cmocka_unit_test(test_one_package_of_single_thread_cores),
		cmocka_unit_test(test_cache_sharing),
		cmocka_unit_test(test_features_follow_the_back_end),
		cmocka_unit_test(test_hidden_and_set_bits),
		cmocka_unit_test(test_hypervisor_leaves),
		cmocka_unit_test(test_privileges_per_partition),
		cmocka_unit_test(test_lapic_partition),
		cmocka_unit_test(test_recommendations_limits_hardware),
		cmocka_unit_test(test_leaves_beyond_the_host_read_as_zero),
		cmocka_unit_test(test_refused_features_are_hidden),
		cmocka_unit_test(test_cr4_features_follow_the_back_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
