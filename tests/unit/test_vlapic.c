/* Host unit tests for partitions/vlapic.c, the virtual local APIC (SDM Vol. 3A chapter 11). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "partitions/vlapic.h"
#include "core/abi/hv_msr.h"

#define TSC_HZ	1000000000ull		/* 5 TSC ticks per APIC tick at divide-by-1 */
#define NOW	1000000ull
#define GPA	CHILDPLAT_LAPIC_GPA
#define EN	VLAPIC_BASE_EN
#define EXTD	VLAPIC_BASE_EXTD

static struct vlapic l;
static struct vlapic_effect fx;

static int setup(void **state)
{
	(void)state;
	memset(&l, 0xa5, sizeof(l));		/* reset must set every field */
	vlapic_reset(&l, 3, true, TSC_HZ);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

static uint32_t rd_at(uint32_t off, uint64_t now)
{
	uint64_t v = 0xdead;

	vlapic_mmio_read(&l, off, 4, now, &v);
	assert_true(v <= UINT32_MAX);
	return (uint32_t)v;
}

static uint32_t rd(uint32_t off)
{
	return rd_at(off, NOW);
}

static void wr_at(uint32_t off, uint32_t v, uint64_t now)
{
	vlapic_mmio_write(&l, off, 4, v, now, &fx);
}

static void wr(uint32_t off, uint32_t v)
{
	wr_at(off, v, NOW);
}

static bool mrd(uint32_t msr, uint64_t *v)
{
	return vlapic_msr_read(&l, msr, NOW, v);
}

static bool mwr(uint32_t msr, uint64_t v)
{
	return vlapic_msr_write(&l, msr, v, NOW, &fx);
}

static uint64_t mval(uint32_t msr)
{
	uint64_t v = 0xdead;

	assert_true(mrd(msr, &v));
	return v;
}

static void to_x2apic(void)
{
	assert_true(mwr(VLAPIC_MSR_APIC_BASE, GPA | EN | EXTD));
	assert_true(fx.mode_changed);
}

static bool irr_has(unsigned v)
{
	return l.irr[v / 32] >> (v % 32) & 1;
}

static void sw_enable(void)
{
	wr(VLAPIC_REG_SVR, 0x1ff);
}

static void test_reset_values(void **state)
{
	uint64_t gpa;

	(void)state;
	assert_int_equal(l.apic_base, GPA | EN | VLAPIC_BASE_BSP);
	assert_int_equal(mval(VLAPIC_MSR_APIC_BASE), GPA | EN | VLAPIC_BASE_BSP);
	assert_true(vlapic_xapic_page(&l, &gpa));
	assert_int_equal(gpa, GPA);
	assert_int_equal(rd(VLAPIC_REG_ID), 3u << 24);
	assert_int_equal(rd(VLAPIC_REG_VERSION), 0x60014);	/* 7 LVTs, version 0x14, no EOI suppression */
	assert_int_equal(rd(VLAPIC_REG_TPR), 0);
	assert_int_equal(rd(VLAPIC_REG_APR), 0);
	assert_int_equal(rd(VLAPIC_REG_PPR), 0);
	assert_int_equal(rd(VLAPIC_REG_RRD), 0);
	assert_int_equal(rd(VLAPIC_REG_LDR), 0);
	assert_int_equal(rd(VLAPIC_REG_DFR), 0xffffffffu);
	assert_int_equal(rd(VLAPIC_REG_SVR), 0xff);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(rd(VLAPIC_REG_ISR + 16 * i), 0);
		assert_int_equal(rd(VLAPIC_REG_TMR + 16 * i), 0);
		assert_int_equal(rd(VLAPIC_REG_IRR + 16 * i), 0);
	}
	assert_int_equal(rd(VLAPIC_REG_ESR), 0);
	assert_int_equal(rd(VLAPIC_REG_LVT_CMCI), 0x10000);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(rd(VLAPIC_REG_LVT_TIMER + 16 * i), 0x10000);
	assert_int_equal(rd(VLAPIC_REG_ICR_LO), 0);
	assert_int_equal(rd(VLAPIC_REG_ICR_HI), 0);
	assert_int_equal(rd(VLAPIC_REG_TIMER_ICR), 0);
	assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 0);
	assert_int_equal(rd(VLAPIC_REG_TIMER_DCR), 0);
	assert_int_equal(l.bad_access, 0);
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_int_equal(mval(VLAPIC_MSR_TSC_DEADLINE), 0);
	/* write-only EOI and the x2APIC-only SELF_IPI read 0 in the page */
	assert_int_equal(rd(VLAPIC_REG_EOI), 0);
	assert_int_equal(rd(VLAPIC_REG_SELF_IPI), 0);
	assert_int_equal(l.bad_access, 2);
	/* an AP has no BSP flag */
	vlapic_reset(&l, 1, false, TSC_HZ);
	assert_int_equal(l.apic_base, GPA | EN);
	assert_string_equal(vlapic_reg_name(VLAPIC_REG_TIMER_CCR), "TIMER_CCR");
	assert_string_equal(vlapic_reg_name(0x40), "reserved");
}

static void test_init_signal(void **state)
{
	(void)state;
	sw_enable();
	wr(VLAPIC_REG_TPR, 0x20);
	wr(VLAPIC_REG_LVT_TIMER, 0x30);
	wr(VLAPIC_REG_TIMER_ICR, 100);
	vlapic_accept(&l, 0x40, true);
	to_x2apic();
	vlapic_init_signal(&l);
	/* 11.4.7.3: the registers as at power-up; the ID and the mode stay */
	assert_int_equal(l.apic_base, GPA | EN | EXTD | VLAPIC_BASE_BSP);
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_ID)), 3);
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_TPR)), 0);
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_SVR)), 0xff);
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_LVT_TIMER)), 0x10000);
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_TIMER_ICR)), 0);
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	assert_false(irr_has(0x40));
}

/* 11.8.3: only a priority class above the PPR's is dispatched. */
static void test_priority_masking(void **state)
{
	(void)state;
	sw_enable();
	vlapic_accept(&l, 0x45, false);
	assert_int_equal(vlapic_pending(&l), 0x45);
	wr(VLAPIC_REG_TPR, 0x50);
	assert_int_equal(rd(VLAPIC_REG_PPR), 0x50);
	assert_int_equal(vlapic_pending(&l), -1);
	wr(VLAPIC_REG_TPR, 0x40);		/* the same class still blocks */
	assert_int_equal(vlapic_pending(&l), -1);
	wr(VLAPIC_REG_TPR, 0x3f);
	assert_int_equal(vlapic_pending(&l), 0x45);
	wr(VLAPIC_REG_TPR, 0x1ff);		/* only bits 7:0 */
	assert_int_equal(rd(VLAPIC_REG_TPR), 0xff);
	wr(VLAPIC_REG_TPR, 0);

	/* in service: 0x45 blocks its class (0x47) but not a higher one */
	vlapic_ack(&l, 0x45);
	assert_int_equal(rd(VLAPIC_REG_ISR + 0x20), 1u << 5);
	assert_int_equal(rd(VLAPIC_REG_PPR), 0x40);
	vlapic_accept(&l, 0x47, false);
	assert_int_equal(vlapic_pending(&l), -1);
	wr(VLAPIC_REG_TPR, 0x32);		/* TPR below the ISR class: PPR is the class */
	assert_int_equal(rd(VLAPIC_REG_PPR), 0x40);
	wr(VLAPIC_REG_TPR, 0x42);		/* TPR's class >= ISR's: PPR = TPR */
	assert_int_equal(rd(VLAPIC_REG_PPR), 0x42);
	wr(VLAPIC_REG_TPR, 0);
	/* the EOI uncovers it */
	wr(VLAPIC_REG_EOI, 0);
	assert_true(fx.eoi);
	assert_int_equal(fx.eoi_vector, 0x45);
	assert_int_equal(rd(VLAPIC_REG_PPR), 0);
	assert_int_equal(vlapic_pending(&l), 0x47);
}

static void test_nested_eoi(void **state)
{
	(void)state;
	sw_enable();
	vlapic_accept(&l, 0x30, false);
	vlapic_ack(&l, 0x30);
	vlapic_accept(&l, 0x70, true);		/* level-triggered: TMR */
	assert_int_equal(rd(VLAPIC_REG_TMR + 0x30), 1u << 16);
	assert_int_equal(vlapic_pending(&l), 0x70);
	vlapic_ack(&l, 0x70);
	assert_int_equal(rd(VLAPIC_REG_IRR + 0x30), 0);
	vlapic_ack(&l, 0x50);			/* not requested: nothing */
	assert_int_equal(rd(VLAPIC_REG_ISR + 0x20), 0);
	/* EOIs retire the highest first */
	wr(VLAPIC_REG_EOI, 0);
	assert_true(fx.eoi);
	assert_int_equal(fx.eoi_vector, 0x70);
	assert_true(fx.eoi_level);
	assert_int_equal(rd(VLAPIC_REG_TMR + 0x30), 0);
	wr(VLAPIC_REG_EOI, 0);
	assert_true(fx.eoi);
	assert_int_equal(fx.eoi_vector, 0x30);
	assert_false(fx.eoi_level);
	wr(VLAPIC_REG_EOI, 0);			/* nothing in service */
	assert_false(fx.eoi);
	/* an edge-triggered acceptance clears the TMR bit (11.8.4) */
	vlapic_accept(&l, 0x70, true);
	vlapic_accept(&l, 0x70, false);
	assert_int_equal(rd(VLAPIC_REG_TMR + 0x30), 0);
}

/* 11.4.7.2 */
static void test_software_disable(void **state)
{
	(void)state;
	sw_enable();
	wr(VLAPIC_REG_LVT_TIMER, 0x20);
	wr(VLAPIC_REG_LVT_LINT0, 0x700);	/* ExtINT */
	wr(VLAPIC_REG_LVT_ERROR, 0xfe);
	assert_int_equal(rd(VLAPIC_REG_LVT_LINT0), 0x700);
	vlapic_accept(&l, 0x40, false);
	assert_int_equal(vlapic_pending(&l), 0x40);
	wr(VLAPIC_REG_SVR, 0x0ff);
	assert_int_equal(rd(VLAPIC_REG_LVT_TIMER), 0x10020);
	assert_int_equal(rd(VLAPIC_REG_LVT_LINT0), 0x10700);
	assert_int_equal(rd(VLAPIC_REG_LVT_ERROR), 0x100fe);
	assert_int_equal(rd(VLAPIC_REG_LVT_CMCI), 0x10000);
	/* held, not dispatched; still accepted */
	assert_int_equal(vlapic_pending(&l), -1);
	vlapic_accept(&l, 0x41, false);
	assert_true(irr_has(0x40) && irr_has(0x41));
	/* the mask cannot be cleared while disabled */
	wr(VLAPIC_REG_LVT_TIMER, 0x21);
	assert_int_equal(rd(VLAPIC_REG_LVT_TIMER), 0x10021);
	/* enabling again does not unmask, and dispatches what was held */
	sw_enable();
	assert_int_equal(rd(VLAPIC_REG_LVT_TIMER), 0x10021);
	assert_int_equal(vlapic_pending(&l), 0x41);
	/* bit 12 (EOI broadcast suppression) is not offered */
	wr(VLAPIC_REG_SVR, 0x11ff);
	assert_int_equal(rd(VLAPIC_REG_SVR), 0x1ff);
}

/* 11.12.5, Figure 11-27 */
static void test_apic_base_transitions(void **state)
{
	uint64_t gpa, v;

	(void)state;
	assert_false(mrd(VLAPIC_MSR(VLAPIC_REG_ID), &v));	/* x2APIC MSRs #GP in xAPIC mode */
	assert_false(mwr(VLAPIC_MSR(VLAPIC_REG_TPR), 0));
	assert_false(mwr(VLAPIC_MSR_APIC_BASE, GPA | EXTD));		/* invalid state */
	assert_false(mwr(VLAPIC_MSR_APIC_BASE, GPA | EN | (1u << 9)));	/* reserved */
	assert_false(mwr(VLAPIC_MSR_APIC_BASE, GPA | EN | 1));
	assert_false(mwr(VLAPIC_MSR_APIC_BASE, GPA | EN | (1ull << 60)));
	assert_true(mwr(VLAPIC_MSR_APIC_BASE, GPA | EN | VLAPIC_BASE_BSP));	/* no change */
	assert_false(fx.mode_changed);
	assert_true(mwr(VLAPIC_MSR_APIC_BASE, GPA | EN));	/* BSP is not the guest's */
	assert_int_equal(mval(VLAPIC_MSR_APIC_BASE), GPA | EN | VLAPIC_BASE_BSP);

	wr(VLAPIC_REG_TPR, 0x30);
	to_x2apic();
	assert_false(vlapic_xapic_page(&l, &gpa));
	assert_int_equal(rd(VLAPIC_REG_TPR), 0);		/* the page is gone */
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_TPR)), 0x30);	/* the state is kept */
	assert_false(mwr(VLAPIC_MSR_APIC_BASE, GPA | EN));	/* x2APIC -> xAPIC */
	assert_true(mwr(VLAPIC_MSR_APIC_BASE, GPA | EN | EXTD));
	assert_false(fx.mode_changed);
	/* x2APIC -> disabled resets the registers */
	assert_true(mwr(VLAPIC_MSR_APIC_BASE, GPA));
	assert_true(fx.mode_changed);
	assert_false(vlapic_xapic_page(&l, &gpa));
	assert_false(mrd(VLAPIC_MSR(VLAPIC_REG_TPR), &v));
	assert_false(mrd(HV_X64_MSR_TPR, &v));
	assert_int_equal(l.tpr, 0);
	vlapic_accept(&l, 0x40, false);			/* a disabled APIC takes nothing */
	assert_false(irr_has(0x40));
	assert_false(vlapic_match_dest(&l, 0xff, false));
	assert_false(mwr(VLAPIC_MSR_APIC_BASE, GPA | EN | EXTD));	/* disabled -> x2APIC */
	/* disabled -> xAPIC, at another base */
	assert_true(mwr(VLAPIC_MSR_APIC_BASE, 0xfed00000ull | EN));
	assert_true(fx.mode_changed);
	assert_true(vlapic_xapic_page(&l, &gpa));
	assert_int_equal(gpa, 0xfed00000ull);
	assert_int_equal(rd(VLAPIC_REG_SVR), 0xff);
	assert_true(mwr(VLAPIC_MSR_APIC_BASE, 0xfed00000ull | EN));
	assert_false(fx.mode_changed);
	/* x2APIC not offered: EXTD is reserved */
	l.x2apic_hidden = true;
	assert_false(mwr(VLAPIC_MSR_APIC_BASE, GPA | EN | EXTD));
}

/* Table 11-6: which x2APIC MSRs exist and which way. */
static void test_x2apic_registers(void **state)
{
	uint64_t v;

	(void)state;
	vlapic_reset(&l, 0x23, false, TSC_HZ);
	wr(VLAPIC_REG_LDR, 0x12345678);			/* xAPIC: bits 31:24 */
	assert_int_equal(rd(VLAPIC_REG_LDR), 0x12000000);
	to_x2apic();
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_ID)), 0x23);
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_VERSION)), 0x60014);
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_LDR)), 0x20008);	/* cluster 2, bit 3 */
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_LVT_TIMER)), 0x10000);
	/* read-only: #GP on write */
	assert_false(mwr(VLAPIC_MSR(VLAPIC_REG_ID), 0));
	assert_false(mwr(VLAPIC_MSR(VLAPIC_REG_VERSION), 0));
	assert_false(mwr(VLAPIC_MSR(VLAPIC_REG_LDR), 0));
	assert_false(mwr(VLAPIC_MSR(VLAPIC_REG_PPR), 0));
	assert_false(mwr(VLAPIC_MSR(VLAPIC_REG_IRR), 0));
	assert_false(mwr(VLAPIC_MSR(VLAPIC_REG_TIMER_CCR), 0));
	/* write-only: #GP on read */
	assert_false(mrd(VLAPIC_MSR(VLAPIC_REG_EOI), &v));
	assert_false(mrd(VLAPIC_MSR(VLAPIC_REG_SELF_IPI), &v));
	/* not in x2APIC */
	assert_false(mrd(VLAPIC_MSR(VLAPIC_REG_DFR), &v));
	assert_false(mwr(VLAPIC_MSR(VLAPIC_REG_DFR), 0));
	assert_false(mrd(VLAPIC_MSR(VLAPIC_REG_ICR_HI), &v));
	assert_false(mwr(VLAPIC_MSR(VLAPIC_REG_ICR_HI), 0));
	assert_false(mrd(VLAPIC_MSR(VLAPIC_REG_APR), &v));
	assert_false(mrd(VLAPIC_MSR(VLAPIC_REG_RRD), &v));
	assert_false(mrd(0x801, &v));
	assert_false(mrd(0x840, &v));
	assert_false(mrd(0x8ff, &v));
	/* reserved bits */
	assert_false(mwr(VLAPIC_MSR(VLAPIC_REG_TPR), 1ull << 32));
	assert_false(mwr(VLAPIC_MSR(VLAPIC_REG_EOI), 1));	/* EOI: only 0 */
	assert_true(mwr(VLAPIC_MSR(VLAPIC_REG_EOI), 0));
	assert_false(mwr(VLAPIC_MSR(VLAPIC_REG_ESR), 1));	/* ESR: only 0 */
	assert_true(mwr(VLAPIC_MSR(VLAPIC_REG_ESR), 0));
	assert_true(mwr(VLAPIC_MSR(VLAPIC_REG_TPR), 0x1ff));	/* bits 31:8 ignored, as KVM */
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_TPR)), 0xff);
	assert_int_equal(mval(HV_X64_MSR_TPR), 0xff);
	/* ours, or not */
	assert_true(vlapic_msr_is_ours(0x1b) && vlapic_msr_is_ours(0x6e0) && vlapic_msr_is_ours(0x800) &&
		    vlapic_msr_is_ours(0x8ff) && vlapic_msr_is_ours(HV_X64_MSR_EOI) &&
		    vlapic_msr_is_ours(HV_X64_MSR_TPR));
	assert_false(vlapic_msr_is_ours(0x7ff) || vlapic_msr_is_ours(0x900) ||
		     vlapic_msr_is_ours(HV_X64_MSR_VP_ASSIST_PAGE));
	assert_false(mrd(HV_X64_MSR_VP_ASSIST_PAGE, &v));
	assert_false(mwr(0x10, 0));
}

/* 11.6.2: physical, broadcast, logical flat / cluster / x2APIC cluster. */
static void test_match_dest(void **state)
{
	(void)state;
	/* physical, xAPIC */
	assert_true(vlapic_match_dest(&l, 3, false));
	assert_false(vlapic_match_dest(&l, 4, false));
	assert_true(vlapic_match_dest(&l, 0xff, false));
	/* flat */
	wr(VLAPIC_REG_LDR, 0x01000000);
	assert_true(vlapic_match_dest(&l, 0x01, true));
	assert_true(vlapic_match_dest(&l, 0x03, true));
	assert_false(vlapic_match_dest(&l, 0x02, true));
	assert_true(vlapic_match_dest(&l, 0xff, true));
	/* cluster: cluster 2, bit 1 */
	wr(VLAPIC_REG_DFR, 0x00000000);
	assert_int_equal(rd(VLAPIC_REG_DFR), 0x0fffffff);
	wr(VLAPIC_REG_LDR, 0x22000000);
	assert_true(vlapic_match_dest(&l, 0x22, true));
	assert_true(vlapic_match_dest(&l, 0x2a, true));
	assert_false(vlapic_match_dest(&l, 0x21, true));
	assert_false(vlapic_match_dest(&l, 0x12, true));
	assert_true(vlapic_match_dest(&l, 0xff, true));
	/* x2APIC: 32-bit ID, cluster from the ID */
	vlapic_reset(&l, 0x123, false, TSC_HZ);
	to_x2apic();
	assert_true(vlapic_match_dest(&l, 0x123, false));
	assert_false(vlapic_match_dest(&l, 0x23, false));
	assert_true(vlapic_match_dest(&l, 0xffffffffu, false));
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_LDR)), 0x120008);	/* cluster 0x12, bit 3 */
	assert_true(vlapic_match_dest(&l, 0x120008, true));
	assert_true(vlapic_match_dest(&l, 0x12000c, true));
	assert_false(vlapic_match_dest(&l, 0x120004, true));
	assert_false(vlapic_match_dest(&l, 0x110008, true));
	assert_true(vlapic_match_dest(&l, 0xffffffffu, true));
}

static void expect_ipi(uint8_t vector, uint8_t mode, uint8_t sh, bool logical, bool level, bool assert,
		       uint32_t dest)
{
	assert_true(fx.ipi);
	assert_int_equal(fx.msg.vector, vector);
	assert_int_equal(fx.msg.mode, mode);
	assert_int_equal(fx.msg.shorthand, sh);
	assert_int_equal(fx.msg.logical, logical);
	assert_int_equal(fx.msg.level, level);
	assert_int_equal(fx.msg.assert, assert);
	assert_int_equal(fx.msg.dest, dest);
}

static void test_icr_xapic(void **state)
{
	(void)state;
	wr(VLAPIC_REG_ICR_HI, 0x05ffffff);
	assert_false(fx.ipi);				/* the high half does not send */
	assert_int_equal(rd(VLAPIC_REG_ICR_HI), 0x05000000);
	wr(VLAPIC_REG_ICR_LO, 0x000050fd);		/* fixed, physical; bit 12 is read-only */
	expect_ipi(0xfd, VLAPIC_IPI_FIXED, VLAPIC_SH_NONE, false, false, true, 5);
	assert_int_equal(rd(VLAPIC_REG_ICR_LO), 0x000040fd);	/* delivery status reads 0 */
	wr(VLAPIC_REG_ICR_LO, 0x000c08fb);		/* all excluding self, logical */
	expect_ipi(0xfb, VLAPIC_IPI_FIXED, VLAPIC_SH_OTHERS, true, false, true, 5);
	wr(VLAPIC_REG_ICR_LO, 0x000440fc);		/* self */
	expect_ipi(0xfc, VLAPIC_IPI_FIXED, VLAPIC_SH_SELF, false, false, true, 5);
	wr(VLAPIC_REG_ICR_LO, 0x00080400);		/* NMI to all including self */
	expect_ipi(0, VLAPIC_IPI_NMI, VLAPIC_SH_ALL, false, false, true, 5);
	/* Linux's AP start: INIT assert, INIT de-assert, SIPI */
	wr(VLAPIC_REG_ICR_LO, 0x0000c500);
	expect_ipi(0, VLAPIC_IPI_INIT, VLAPIC_SH_NONE, false, true, true, 5);
	wr(VLAPIC_REG_ICR_LO, 0x00008500);
	expect_ipi(0, VLAPIC_IPI_INIT, VLAPIC_SH_NONE, false, true, false, 5);
	wr(VLAPIC_REG_ICR_LO, 0x00000699);
	expect_ipi(0x99, VLAPIC_IPI_SIPI, VLAPIC_SH_NONE, false, false, true, 5);
	wr(VLAPIC_REG_ICR_LO, 0x00000105);		/* lowest priority, vector 5: illegal */
	assert_false(fx.ipi);
	/* Hyper-V's ICR MSR, xAPIC mode: the destination in bits 63:56 */
	assert_true(mwr(HV_X64_MSR_ICR, 0x07000000ull << 32 | 0x40ef));
	expect_ipi(0xef, VLAPIC_IPI_FIXED, VLAPIC_SH_NONE, false, false, true, 7);
	assert_int_equal(mval(HV_X64_MSR_ICR), 0x07000000ull << 32 | 0x40ef);
	assert_int_equal(rd(VLAPIC_REG_ICR_HI), 0x07000000);
}

static void test_icr_x2apic(void **state)
{
	(void)state;
	to_x2apic();
	assert_true(mwr(VLAPIC_MSR(VLAPIC_REG_ICR_LO), 0x12345ull << 32 | 0x18ec));	/* bit 12 ignored */
	expect_ipi(0xec, VLAPIC_IPI_FIXED, VLAPIC_SH_NONE, true, false, true, 0x12345);
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_ICR_LO)), 0x12345ull << 32 | 0x08ec);
	assert_false(mwr(VLAPIC_MSR(VLAPIC_REG_ICR_LO), 0x20ec));	/* bit 13 reserved */
	assert_false(fx.ipi);
	assert_false(mwr(VLAPIC_MSR(VLAPIC_REG_ICR_LO), 0x100000ec));
	assert_true(mwr(VLAPIC_MSR(VLAPIC_REG_ICR_LO), 0xffffffffull << 32 | 0x000c0400));
	expect_ipi(0, VLAPIC_IPI_NMI, VLAPIC_SH_OTHERS, false, false, true, 0xffffffffu);
	/* SELF_IPI: a fixed, edge IPI to self; vector bits only */
	assert_true(mwr(VLAPIC_MSR(VLAPIC_REG_SELF_IPI), 0x341));
	expect_ipi(0x41, VLAPIC_IPI_FIXED, VLAPIC_SH_SELF, false, false, true, 3);
	assert_true(mwr(VLAPIC_MSR(VLAPIC_REG_SELF_IPI), 0x0f));	/* illegal vector */
	assert_false(fx.ipi);
	assert_true(mwr(VLAPIC_MSR(VLAPIC_REG_ESR), 0));
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_ESR)), VLAPIC_ESR_SEND_ILLEGAL);
	/* Hyper-V's ICR MSR, x2APIC mode: a 32-bit destination */
	assert_true(mwr(HV_X64_MSR_ICR, 0x1234ull << 32 | 0x40ef));
	expect_ipi(0xef, VLAPIC_IPI_FIXED, VLAPIC_SH_NONE, false, false, true, 0x1234);
}

static void arm_oneshot(uint32_t lvt, uint32_t dcr, uint32_t count)
{
	sw_enable();
	wr(VLAPIC_REG_TIMER_DCR, dcr);
	wr(VLAPIC_REG_LVT_TIMER, lvt);
	wr(VLAPIC_REG_TIMER_ICR, count);
}

static void test_timer_oneshot(void **state)
{
	(void)state;
	arm_oneshot(0x30, 0x3, 1000);			/* divide by 16 */
	assert_true(fx.timer_changed);
	/* 1000 x 16 APIC ticks at 200 MHz = 80 us = 80000 TSC ticks at 1 GHz */
	assert_int_equal(vlapic_timer_deadline(&l), NOW + 80000);
	assert_int_equal(rd(VLAPIC_REG_TIMER_ICR), 1000);
	assert_int_equal(rd_at(VLAPIC_REG_TIMER_CCR, NOW), 1000);
	assert_int_equal(rd_at(VLAPIC_REG_TIMER_CCR, NOW + 40000), 500);
	assert_int_equal(rd_at(VLAPIC_REG_TIMER_CCR, NOW + 79920), 1);
	vlapic_timer_expire(&l, NOW + 79999);		/* not yet */
	assert_false(irr_has(0x30));
	vlapic_timer_expire(&l, NOW + 80000);
	assert_true(irr_has(0x30));
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	assert_int_equal(rd_at(VLAPIC_REG_TIMER_CCR, NOW + 80001), 0);
	assert_int_equal(rd(VLAPIC_REG_TIMER_ICR), 1000);
	vlapic_ack(&l, 0x30);
	vlapic_timer_expire(&l, NOW + 200000);		/* once only */
	assert_false(irr_has(0x30));
	assert_int_equal(l.timer_fires, 1);
	/* divide by 1; then 0 stops */
	wr(VLAPIC_REG_TIMER_DCR, 0xb);
	wr(VLAPIC_REG_TIMER_ICR, 10);
	assert_int_equal(vlapic_timer_deadline(&l), NOW + 50);
	assert_true(fx.timer_changed);
	wr(VLAPIC_REG_TIMER_ICR, 0);
	assert_true(fx.timer_changed);
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 0);
	/* divide by 128, a full count: no overflow */
	wr(VLAPIC_REG_TIMER_DCR, 0xa);
	wr(VLAPIC_REG_TIMER_ICR, 0xffffffffu);
	assert_int_equal(vlapic_timer_deadline(&l), NOW + 0xffffffffull * 128 * 5);
	assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 0xffffffffu);
}

static void test_timer_periodic(void **state)
{
	(void)state;
	arm_oneshot(0x20031, 0xb, 200000);		/* periodic, divide by 1: 1 ms */
	assert_int_equal(vlapic_timer_deadline(&l), NOW + 1000000);
	vlapic_timer_expire(&l, NOW + 1000000);
	assert_true(irr_has(0x31));
	assert_int_equal(vlapic_timer_deadline(&l), NOW + 2000000);
	assert_int_equal(rd_at(VLAPIC_REG_TIMER_CCR, NOW + 1500000), 100000);
	vlapic_ack(&l, 0x31);
	wr(VLAPIC_REG_EOI, 0);
	/* 3.5 periods late: one interrupt, the next deadline on the old grid, after now */
	vlapic_timer_expire(&l, NOW + 5500000);
	assert_true(irr_has(0x31));
	assert_int_equal(l.timer_fires, 2);
	assert_int_equal(vlapic_timer_deadline(&l), NOW + 6000000);
	assert_int_equal(rd_at(VLAPIC_REG_TIMER_CCR, NOW + 5750000), 50000);
	/* read late (the expiry not yet run): the count still follows the period */
	assert_int_equal(rd_at(VLAPIC_REG_TIMER_CCR, NOW + 6250000), 150000);
	/* a tiny period is stretched to the floor (100 us) */
	wr(VLAPIC_REG_TIMER_ICR, 1);
	assert_int_equal(vlapic_timer_deadline(&l), NOW + TSC_HZ / 10000);
	assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 1);
}

static void test_timer_tsc_deadline(void **state)
{
	(void)state;
	sw_enable();
	/* outside TSC-deadline mode the MSR ignores writes and reads 0 */
	assert_true(mwr(VLAPIC_MSR_TSC_DEADLINE, NOW + 500));
	assert_false(fx.timer_changed);
	assert_int_equal(mval(VLAPIC_MSR_TSC_DEADLINE), 0);
	assert_int_equal(vlapic_timer_deadline(&l), 0);

	wr(VLAPIC_REG_LVT_TIMER, 0x40032);
	assert_true(mwr(VLAPIC_MSR_TSC_DEADLINE, NOW + 500));
	assert_true(fx.timer_changed);
	assert_int_equal(vlapic_timer_deadline(&l), NOW + 500);
	assert_int_equal(mval(VLAPIC_MSR_TSC_DEADLINE), NOW + 500);
	/* the initial count is ignored, the current count reads 0 */
	wr(VLAPIC_REG_TIMER_ICR, 1000);
	assert_false(fx.timer_changed);
	assert_int_equal(rd(VLAPIC_REG_TIMER_ICR), 0);
	assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 0);
	vlapic_timer_expire(&l, NOW + 499);
	assert_false(irr_has(0x32));
	vlapic_timer_expire(&l, NOW + 600);
	assert_true(irr_has(0x32));
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	assert_int_equal(mval(VLAPIC_MSR_TSC_DEADLINE), 0);
	/* 0 disarms */
	assert_true(mwr(VLAPIC_MSR_TSC_DEADLINE, NOW + 900));
	assert_true(mwr(VLAPIC_MSR_TSC_DEADLINE, 0));
	assert_true(fx.timer_changed);
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	/* a mode switch disarms (11.5.4.1) */
	assert_true(mwr(VLAPIC_MSR_TSC_DEADLINE, NOW + 900));
	wr(VLAPIC_REG_LVT_TIMER, 0x32);
	assert_true(fx.timer_changed);
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	assert_int_equal(mval(VLAPIC_MSR_TSC_DEADLINE), 0);
	wr(VLAPIC_REG_LVT_TIMER, 0x40032);
	assert_int_equal(mval(VLAPIC_MSR_TSC_DEADLINE), 0);	/* not re-armed */
	assert_int_equal(vlapic_timer_deadline(&l), 0);
}

static void test_timer_mode_switch(void **state)
{
	(void)state;
	arm_oneshot(0x30, 0xb, 1000);
	wr(VLAPIC_REG_LVT_TIMER, 0x31);			/* same mode: keeps counting */
	assert_false(fx.timer_changed);
	assert_int_equal(vlapic_timer_deadline(&l), NOW + 5000);
	wr(VLAPIC_REG_LVT_TIMER, 0x20031);		/* to periodic: disarmed */
	assert_true(fx.timer_changed);
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	assert_int_equal(rd(VLAPIC_REG_TIMER_ICR), 0);
	assert_int_equal(rd(VLAPIC_REG_TIMER_CCR), 0);
	wr(VLAPIC_REG_LVT_TIMER, 0x60031);		/* mode 3 is reserved: never counts */
	wr(VLAPIC_REG_TIMER_ICR, 1000);
	assert_int_equal(vlapic_timer_deadline(&l), 0);
}

static void test_timer_masked(void **state)
{
	(void)state;
	arm_oneshot(0x10030, 0xb, 1000);
	assert_int_equal(vlapic_timer_deadline(&l), NOW + 5000);
	vlapic_timer_expire(&l, NOW + 5000);
	assert_int_equal(vlapic_pending(&l), -1);
	assert_false(irr_has(0x30));
	assert_int_equal(l.timer_fires, 1);
	assert_int_equal(vlapic_timer_deadline(&l), 0);
	/* masked periodic: keeps its period, raises nothing */
	wr(VLAPIC_REG_LVT_TIMER, 0x30030);
	wr(VLAPIC_REG_TIMER_ICR, 1000000);
	vlapic_timer_expire(&l, NOW + 5000000);
	assert_false(irr_has(0x30));
	assert_int_equal(vlapic_timer_deadline(&l), NOW + 10000000);
}

/* 11.5.3 */
static void test_illegal_vector_esr(void **state)
{
	(void)state;
	sw_enable();
	vlapic_accept(&l, 5, false);
	assert_int_equal(rd(VLAPIC_REG_IRR), 0);
	assert_int_equal(rd(VLAPIC_REG_ESR), 0);	/* not until the next write */
	wr(VLAPIC_REG_ESR, 0);
	assert_int_equal(rd(VLAPIC_REG_ESR), VLAPIC_ESR_RECV_ILLEGAL);
	wr(VLAPIC_REG_ESR, 0x1234);			/* any value in xAPIC mode */
	assert_int_equal(rd(VLAPIC_REG_ESR), 0);
	wr(VLAPIC_REG_ICR_LO, 0x000040ff & ~0xf0u);	/* fixed vector 0x0f */
	assert_false(fx.ipi);
	wr(VLAPIC_REG_ESR, 0);
	assert_int_equal(rd(VLAPIC_REG_ESR), VLAPIC_ESR_SEND_ILLEGAL);
	/* an unmasked error LVT raises its vector */
	wr(VLAPIC_REG_LVT_ERROR, 0xfe);
	vlapic_accept(&l, 0, false);
	assert_true(irr_has(0xfe));
	assert_int_equal(vlapic_pending(&l), 0xfe);
	/* the timer with an illegal vector: the error, not the vector */
	vlapic_ack(&l, 0xfe);
	arm_oneshot(0x8, 0xb, 1);
	vlapic_timer_expire(&l, NOW + 5);
	assert_int_equal(rd(VLAPIC_REG_IRR), 0);
	wr(VLAPIC_REG_ESR, 0);
	assert_int_equal(rd(VLAPIC_REG_ESR), VLAPIC_ESR_RECV_ILLEGAL);
}

static void test_bad_mmio(void **state)
{
	uint64_t v;

	(void)state;
	vlapic_mmio_read(&l, VLAPIC_REG_SVR, 1, NOW, &v);
	assert_int_equal(v, 0);
	vlapic_mmio_read(&l, VLAPIC_REG_SVR, 8, NOW, &v);
	assert_int_equal(v, 0);
	vlapic_mmio_read(&l, VLAPIC_REG_SVR + 4, 4, NOW, &v);
	assert_int_equal(v, 0);
	vlapic_mmio_read(&l, 0xff0, 4, NOW, &v);
	assert_int_equal(v, 0);
	vlapic_mmio_write(&l, VLAPIC_REG_TPR, 2, 0x50, NOW, &fx);
	vlapic_mmio_write(&l, VLAPIC_REG_TPR + 1, 4, 0x50, NOW, &fx);
	vlapic_mmio_write(&l, VLAPIC_REG_ID, 4, 0x7000000, NOW, &fx);	/* read-only: ignored */
	assert_int_equal(rd(VLAPIC_REG_TPR), 0);
	assert_int_equal(rd(VLAPIC_REG_ID), 3u << 24);
	assert_int_equal(l.bad_access, 7);
}

static void test_hv_msrs(void **state)
{
	uint64_t v;

	(void)state;
	sw_enable();
	assert_true(mwr(HV_X64_MSR_TPR, 0x60));
	assert_int_equal(rd(VLAPIC_REG_TPR), 0x60);
	assert_int_equal(mval(HV_X64_MSR_TPR), 0x60);
	assert_false(mrd(HV_X64_MSR_EOI, &v));		/* write-only */
	vlapic_accept(&l, 0x80, false);
	vlapic_ack(&l, 0x80);
	assert_true(mwr(HV_X64_MSR_EOI, 0x1234));	/* any value */
	assert_true(fx.eoi);
	assert_int_equal(fx.eoi_vector, 0x80);
	to_x2apic();
	assert_true(mwr(HV_X64_MSR_TPR, 0x20));
	assert_int_equal(mval(VLAPIC_MSR(VLAPIC_REG_TPR)), 0x20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_values, setup),
		cmocka_unit_test_setup(test_init_signal, setup),
		cmocka_unit_test_setup(test_priority_masking, setup),
		cmocka_unit_test_setup(test_nested_eoi, setup),
		cmocka_unit_test_setup(test_software_disable, setup),
		cmocka_unit_test_setup(test_apic_base_transitions, setup),
		cmocka_unit_test_setup(test_x2apic_registers, setup),
		cmocka_unit_test_setup(test_match_dest, setup),
		cmocka_unit_test_setup(test_icr_xapic, setup),
		cmocka_unit_test_setup(test_icr_x2apic, setup),
		cmocka_unit_test_setup(test_timer_oneshot, setup),
		cmocka_unit_test_setup(test_timer_periodic, setup),
		cmocka_unit_test_setup(test_timer_tsc_deadline, setup),
		cmocka_unit_test_setup(test_timer_mode_switch, setup),
		cmocka_unit_test_setup(test_timer_masked, setup),
		cmocka_unit_test_setup(test_illegal_vector_esr, setup),
		cmocka_unit_test_setup(test_bad_mmio, setup),
		cmocka_unit_test_setup(test_hv_msrs, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
