/*
 * Host unit tests for partitions/cpuid.c: the topology a partition of 1-8
 * vCPUs sees (APIC id = VP index in every leaf, one package of cores with
 * one thread each, cache sharing to match), features hidden unless the
 * back-end enables them, and the hypervisor leaves. The "host" answers are
 * made up: every bit set, so that what the policy clears shows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "partitions/cpuid.h"
#include "core/abi/cpuid.h"

#define ALL	0xffffffffu

static struct cpuid_view view(unsigned vp, unsigned n)
{
	return (struct cpuid_view){ .vp_index = vp, .vp_count = n, .max_basic = 0x1f,
				    .max_ext = 0x80000026, .rdtscp = true, .invpcid = true };
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
	/* subleaf 1 of leaf 7 is not the feature subleaf */
	assert_int_equal(ask(&v, 7, 1, all_ones).ebx, ALL);
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
	assert_int_equal(r.eax, HV_CPUID_MAX_LEAF);
	assert_int_equal(r.ebx, HV_CPUID_VENDOR_EBX);
	assert_int_equal(r.ecx, HV_CPUID_VENDOR_ECX);
	assert_int_equal(r.edx, HV_CPUID_VENDOR_EDX);
	r = ask(&v, 0x40000100, 0, all_ones);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
}

static void test_leaves_beyond_the_host_are_left_alone(void **state)
{
	struct cpuid_view v = view(1, 2);

	(void)state;
	v.max_basic = 0xd;
	v.max_ext = 0x80000008;
	assert_int_equal(ask(&v, 0x1f, 0, all_ones).edx, ALL);
	assert_int_equal(ask(&v, 0x8000001e, 0, all_ones).eax, ALL);
	assert_int_equal(ask(&v, 0xb, 0, all_ones).edx, 1);
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
		cmocka_unit_test(test_leaves_beyond_the_host_are_left_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
