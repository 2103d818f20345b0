/*
 * Host unit tests for arch/x86/svm/svm_state.c: the VMCB state and control
 * registers behind a fake struct svm_vcpu. The guest runs with CR4.MCE
 * set whatever it wrote, and reads back its own value; a CR4 or CR0
 * write that translations depend on flushes the guest's ASID through
 * TLB_CONTROL at the next VMRUN, keeping its ASID (a new one would use
 * up the CPU's pool: a guest toggling CR4.PGE would turn the tag
 * generations over and flush every vCPU on the CPU); other writes flush
 * nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/svm/svm.h"

struct svm_features svm_features;

/*
 * svm.c's flush_tlb, which svm_state.c must not use for a CR write: it
 * drops the vCPU's ASID (here as there), which the tests would see.
 */
static void flush_tlb_drops_the_tag(struct vcpu *vc)
{
	tlb_tag_drop(&to_svm(vc)->asid);
}

const struct vcpu_ops svm_vcpu_ops = { .flush_tlb = flush_tlb_drops_the_tag };

/* arch/x86/tsc_aux.c's: what each CPU's IA32_TSC_AUX holds (svm_run's fast-path check). */
uint64_t tsc_aux_loaded[MAX_CPUS];

#define HOME_CPU	1

static struct vmcb vmcb;
static struct svm_vcpu sv;
static struct vcpu v;

static int setup(void **state)
{
	(void)state;
	memset(&vmcb, 0, sizeof(vmcb));
	memset(&sv, 0, sizeof(sv));
	memset(&v, 0, sizeof(v));
	sv.vmcb = &vmcb;
	sv.asid = (struct tlb_tag){ .gen = 7, .tag = 3 };
	v.arch = &sv;
	v.home_cpu = to_cpu_id(HOME_CPU);
	svm_features.flush_by_asid = true;
	return 0;
}

static void set_long_mode_state(uint64_t cr4)
{
	struct vcpu_state s;

	memset(&s, 0, sizeof(s));
	s.cr0 = CR0_PG | CR0_PE | CR0_ET | CR0_NE;
	s.cr4 = cr4;
	s.efer = EFER_LME | EFER_LMA;
	svm_set_state(&v, &s);
}

/* The VMCB's CR4 always has MCE; the guest reads (get_cr, get_state) what it wrote. */
static void cr4_mce_is_forced_and_hidden(void **state)
{
	struct vcpu_state s;

	(void)state;
	set_long_mode_state(CR4_PAE);
	assert_int_equal(vmcb.save.cr4, CR4_PAE | CR4_MCE);
	assert_int_equal(svm_get_cr(&v, 4), CR4_PAE);
	svm_get_state(&v, &s);
	assert_int_equal(s.cr4, CR4_PAE);

	svm_set_cr(&v, 4, CR4_PAE | CR4_MCE);
	assert_int_equal(svm_get_cr(&v, 4), CR4_PAE | CR4_MCE);
	assert_int_equal(vmcb.save.cr4, CR4_PAE | CR4_MCE);
	svm_set_cr(&v, 4, CR4_PAE);
	assert_int_equal(svm_get_cr(&v, 4), CR4_PAE);
	assert_int_equal(vmcb.save.cr4, CR4_PAE | CR4_MCE);
}

/* Toggling PGE (a global flush) flushes this ASID and keeps the tag. */
static void pge_toggle_keeps_the_asid(void **state)
{
	(void)state;
	set_long_mode_state(CR4_PAE | CR4_PGE);
	for (unsigned i = 0; i < 1000; i++) {
		vmcb.ctl.tlb_control = TLB_CONTROL_NONE;	/* as after each VMRUN */
		tsc_aux_loaded[HOME_CPU] = 0;			/* the vCPU's value */
		svm_set_cr(&v, 4, i & 1 ? CR4_PAE | CR4_PGE : CR4_PAE);
		assert_int_equal(vmcb.ctl.tlb_control, TLB_CONTROL_FLUSH_ASID);
		/* the next entry takes svm_run's slow path, which clears TLB_CONTROL after it */
		assert_true(tsc_aux_loaded[HOME_CPU] > UINT32_MAX);
		assert_int_equal(sv.asid.gen, 7);
		assert_int_equal(sv.asid.tag, 3);
	}
}

/* Without FlushByAsid the only TLB_CONTROL flush is the whole TLB; still no new tag. */
static void without_flush_by_asid_flush_all(void **state)
{
	(void)state;
	svm_features.flush_by_asid = false;
	set_long_mode_state(CR4_PAE);
	svm_set_cr(&v, 4, CR4_PAE | CR4_PGE);
	assert_int_equal(vmcb.ctl.tlb_control, TLB_CONTROL_FLUSH_ALL);
	assert_int_equal(sv.asid.gen, 7);
}

/* Bits no translation depends on (MCE, OSFXSR, TSD, ...) and CR8 flush nothing. */
static void other_writes_flush_nothing(void **state)
{
	static const uint64_t bits[] = { CR4_MCE, CR4_OSFXSR, CR4_OSXMMEXCPT, CR4_TSD, CR4_DE,
					 CR4_PCE, CR4_UMIP, CR4_FSGSBASE };
	static const uint64_t tlb_bits[] = { CR4_PSE, CR4_PGE, CR4_SMEP, CR4_SMAP, CR4_PKE };

	(void)state;
	set_long_mode_state(CR4_PAE);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		svm_set_cr(&v, 4, CR4_PAE | bits[i]);
		svm_set_cr(&v, 4, CR4_PAE);
	}
	svm_set_cr(&v, 4, CR4_PAE);			/* no change at all */
	svm_set_cr(&v, 8, 5);
	svm_set_cr(&v, 0, vmcb.save.cr0 | CR0_TS);	/* CR0.TS */
	assert_int_equal(vmcb.ctl.tlb_control, TLB_CONTROL_NONE);
	assert_int_equal(sv.asid.gen, 7);
	/* and each bit translations depend on does flush */
	for (size_t i = 0; i < sizeof(tlb_bits) / sizeof(tlb_bits[0]); i++) {
		vmcb.ctl.tlb_control = TLB_CONTROL_NONE;
		svm_set_cr(&v, 4, CR4_PAE | tlb_bits[i]);
		assert_int_equal(vmcb.ctl.tlb_control, TLB_CONTROL_FLUSH_ASID);
		vmcb.ctl.tlb_control = TLB_CONTROL_NONE;
		svm_set_cr(&v, 4, CR4_PAE);
		assert_int_equal(vmcb.ctl.tlb_control, TLB_CONTROL_FLUSH_ASID);
	}
	vmcb.ctl.tlb_control = TLB_CONTROL_NONE;
	svm_set_cr(&v, 0, vmcb.save.cr0 | CR0_WP);
	assert_int_equal(vmcb.ctl.tlb_control, TLB_CONTROL_FLUSH_ASID);
}

/* A flush of every ASID already due for this VMRUN (a new tag generation) is not narrowed. */
static void flush_all_stays(void **state)
{
	(void)state;
	set_long_mode_state(CR4_PAE);
	vmcb.ctl.tlb_control = TLB_CONTROL_FLUSH_ALL;
	svm_set_cr(&v, 4, CR4_PAE | CR4_PGE);
	assert_int_equal(vmcb.ctl.tlb_control, TLB_CONTROL_FLUSH_ALL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(cr4_mce_is_forced_and_hidden, setup),
		cmocka_unit_test_setup(pge_toggle_keeps_the_asid, setup),
		cmocka_unit_test_setup(without_flush_by_asid_flush_all, setup),
		cmocka_unit_test_setup(other_writes_flush_nothing, setup),
		cmocka_unit_test_setup(flush_all_stays, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
