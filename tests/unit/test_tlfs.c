/*
 * Host unit tests for partitions/tlfs.c, the Hyper-V synthetic MSRs: each
 * is there only with its privilege bit, read-only ones refuse writes, the
 * hypercall MSR follows TLFS 3.13 (no enable while the guest OS id is 0,
 * #GP outside memory, the lock, RsvdP bits kept) and fills the page, and
 * the root's preset. The partition's memory is a 64 KiB array at GPA 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "partitions/tlfs.h"
#include "arch/x86/cpu.h"
#include "core/abi/hv_msr.h"
#include "core/abi/hypercall.h"

#define MEM_BYTES	0x10000u
#define KHZ		2000000u		/* a 2 GHz TSC */

static uint8_t memory[MEM_BYTES];
static unsigned page_writes;
static bool writes_must_not_change;	/* every byte written must already be what it is */

bool partition_owns_page(const struct partition *p, gpa_t gpa)
{
	(void)p;
	return gpa_val(gpa) < MEM_BYTES && !(gpa_val(gpa) & 0xfff);
}

bool partition_write(struct partition *p, gpa_t gpa, const void *src, size_t len)
{
	(void)p;
	if (gpa_val(gpa) > MEM_BYTES || len > MEM_BYTES - gpa_val(gpa))
		return false;
	if (writes_must_not_change)
		assert_memory_equal(memory + gpa_val(gpa), src, len);
	memcpy(memory + gpa_val(gpa), src, len);
	page_writes++;
	return true;
}

uint64_t tsc_khz(void)
{
	return KHZ;
}

static char crash_why[160];

void partition_crash(struct partition *p, struct vp *v, const char *why)
{
	(void)p;
	(void)v;
	snprintf(crash_why, sizeof(crash_why), "%s", why);
}

static const struct vcpu_ops fake_ops = {
	.name = "fake",
	.hypercall_insn = { 0x0f, 0x01, 0xd9 },		/* VMMCALL */
};
const struct vcpu_ops *vcpu_ops = &fake_ops;

static struct partition part;
static struct vp vp;

static int setup(void **state)
{
	(void)state;
	memset(&part, 0, sizeof(part));
	memset(&vp, 0, sizeof(vp));
	memset(memory, 0, sizeof(memory));
	page_writes = 0;
	writes_must_not_change = false;
	part.privileges = HV_PRIV_CHILD;
	vp.vcpu.part = &part;
	vp.vcpu.index = to_vp_index(3);
	return 0;
}

static uint64_t rd(uint32_t msr)
{
	uint64_t v = 0xdead;

	assert_true(tlfs_msr_read(&vp, msr, &v));
	return v;
}

static const struct { uint32_t msr; uint64_t priv; bool writable; } msrs[] = {
	{ HV_X64_MSR_GUEST_OS_ID, HV_PRIV_ACCESS_HYPERCALL_MSRS, true },
	{ HV_X64_MSR_HYPERCALL, HV_PRIV_ACCESS_HYPERCALL_MSRS, true },
	{ HV_X64_MSR_VP_INDEX, HV_PRIV_ACCESS_VP_INDEX, false },
	{ HV_X64_MSR_VP_RUNTIME, HV_PRIV_ACCESS_VP_RUNTIME, false },
	{ HV_X64_MSR_TIME_REF_COUNT, HV_PRIV_ACCESS_PARTITION_REF_COUNTER, false },
	{ HV_X64_MSR_REFERENCE_TSC, HV_PRIV_ACCESS_PARTITION_REF_TSC, true },
	{ HV_X64_MSR_TSC_FREQUENCY, HV_PRIV_ACCESS_FREQUENCY_REGS, false },
	{ HV_X64_MSR_APIC_FREQUENCY, HV_PRIV_ACCESS_FREQUENCY_REGS, false },
};

/* Each MSR needs its own privilege bit and no other; without it, reads and writes fail (#GP). */
static void each_msr_needs_its_privilege(void **state)
{
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		part.privileges = HV_PRIV_ROOT & ~msrs[i].priv;
		assert_false(tlfs_msr_read(&vp, msrs[i].msr, &v));
		assert_false(tlfs_msr_write(&vp, msrs[i].msr, 0));
		part.privileges = msrs[i].priv;
		assert_true(tlfs_msr_read(&vp, msrs[i].msr, &v));
		assert_int_equal(tlfs_msr_write(&vp, msrs[i].msr, 0), msrs[i].writable);
	}
	part.privileges = 0;
	assert_false(tlfs_msr_read(&vp, HV_X64_MSR_VP_INDEX, &v));
}

static void others_are_not_here(void **state)
{
	static const uint32_t none[] = { 0x40000003, 0x40000074, 0x40000080,
					 0x40000090, 0x400000b0, 0x40000106, 0x4fffffff };
	uint64_t v;

	(void)state;
	part.privileges = ~0ull;
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		assert_false(tlfs_msr_read(&vp, none[i], &v));
		assert_false(tlfs_msr_write(&vp, none[i], 0));
	}
}

/*
 * The reference TSC page (TLFS 12.7.3): filled at once, sequence not 0,
 * scale = 2^64 * 10^7 / TSC Hz, and the time it gives for a TSC value is
 * TIME_REF_COUNT's for that value, within a unit. Outside memory: #GP.
 */
static void reference_tsc_page(void **state)
{
	struct hv_reference_tsc_page pg;
	uint64_t created = 123456789012345ull;

	(void)state;
	part.created_tsc = created;
	assert_false(tlfs_msr_write(&vp, HV_X64_MSR_REFERENCE_TSC, MEM_BYTES | 1));
	assert_int_equal(rd(HV_X64_MSR_REFERENCE_TSC), 0);
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_REFERENCE_TSC, 0x3000 | 1));
	assert_int_equal(rd(HV_X64_MSR_REFERENCE_TSC), 0x3001);
	memcpy(&pg, memory + 0x3000, sizeof(pg));
	assert_int_equal(pg.tsc_sequence, 1);
	assert_true(pg.tsc_scale == (uint64_t)(((unsigned __int128)10000000 << 64) / (KHZ * 1000ull)));
	for (uint64_t dt = 0; dt < 40000000000ull; dt += 1234567891ull) {
		uint64_t tsc = created + dt;
		uint64_t t = (uint64_t)(((unsigned __int128)tsc * pg.tsc_scale) >> 64) + (uint64_t)pg.tsc_offset;
		uint64_t want = dt / (KHZ / 10000);	/* 100 ns units at 2 GHz: ticks / 200 */

		assert_true(t + 1 >= want && t <= want + 1);
	}
}

/* The crash MSRs: P0-P4 kept, CRASH_CTL offers CRASH_NOTIFY only, and a notify crashes the partition. */
static void crash_msrs(void **state)
{
	(void)state;
	crash_why[0] = 0;
	for (uint32_t i = 0; i < 5; i++)
		assert_true(tlfs_msr_write(&vp, HV_X64_MSR_CRASH_P0 + i, 0x10 + i));
	assert_int_equal(rd(HV_X64_MSR_CRASH_P0 + 2), 0x12);
	assert_int_equal(rd(HV_X64_MSR_CRASH_CTL), HV_CRASH_CTL_CRASH_NOTIFY);
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_CRASH_CTL, 0));
	assert_string_equal(crash_why, "");
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_CRASH_CTL, HV_CRASH_CTL_CRASH_NOTIFY));
	assert_string_equal(crash_why, "the guest reported a crash: P0-P4 10 11 12 13 14");
}

static void read_only_values(void **state)
{
	(void)state;
	assert_int_equal(rd(HV_X64_MSR_VP_INDEX), 3);
	assert_int_equal(rd(HV_X64_MSR_TSC_FREQUENCY), KHZ * 1000ull);
	assert_int_equal(rd(HV_X64_MSR_APIC_FREQUENCY), PLATFORM_APIC_TIMER_HZ);
	vp.stats.guest_ticks = KHZ * 1500ull;			/* 1.5 s */
	assert_int_equal(rd(HV_X64_MSR_VP_RUNTIME), 15000000);
	assert_false(tlfs_msr_write(&vp, HV_X64_MSR_VP_INDEX, 3));
}

/* Linux writes the VP assist page on every CPU, whatever CPUID offers: kept per VP, reserved bits #GP. */
static void vp_assist_page_is_kept(void **state)
{
	uint64_t v;

	(void)state;
	part.privileges = 0;
	assert_true(tlfs_msr_read(&vp, HV_X64_MSR_VP_ASSIST_PAGE, &v));
	assert_int_equal(v, 0);
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_VP_ASSIST_PAGE, 0x123000 | HV_VP_ASSIST_PAGE_ENABLE));
	assert_true(tlfs_msr_read(&vp, HV_X64_MSR_VP_ASSIST_PAGE, &v));
	assert_int_equal(v, 0x123001);
	assert_false(tlfs_msr_write(&vp, HV_X64_MSR_VP_ASSIST_PAGE, 0x123002));
	assert_true(tlfs_msr_read(&vp, HV_X64_MSR_VP_ASSIST_PAGE, &v));
	assert_int_equal(v, 0x123001);
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_VP_ASSIST_PAGE, 0));	/* CPU offline */
}

/* 100 ns units since creation: a partition created 1 s ago reads about 10^7. */
static void reference_counter(void **state)
{
	uint64_t r;

	(void)state;
	part.created_tsc = rdtsc() - KHZ * 1000ull;
	r = rd(HV_X64_MSR_TIME_REF_COUNT);
	assert_in_range(r, 10000000, 10000000 + 10000000 / 10);	/* the host's TSC may be faster */
	assert_true(rd(HV_X64_MSR_TIME_REF_COUNT) >= r);
}

/* TLFS 3.13: no enable while the guest OS id is 0; the write itself succeeds. */
static void enable_needs_a_guest_os_id(void **state)
{
	(void)state;
	assert_int_equal(rd(HV_X64_MSR_GUEST_OS_ID), 0);
	assert_int_equal(rd(HV_X64_MSR_HYPERCALL), 0);
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_HYPERCALL, 0x3000 | HV_HYPERCALL_MSR_ENABLE));
	assert_int_equal(rd(HV_X64_MSR_HYPERCALL), 0x3000);
	assert_int_equal(page_writes, 0);
}

static void enable_fills_the_page(void **state)
{
	static const uint8_t code[] = { 0x0f, 0x01, 0xd9, 0xc3 };
	uint64_t val = 0x3000 | HV_HYPERCALL_MSR_ENABLE | 0x3ffull << 2;	/* RsvdP kept */

	(void)state;
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_GUEST_OS_ID, 0x8100000601c00000ull));
	assert_int_equal(rd(HV_X64_MSR_GUEST_OS_ID), 0x8100000601c00000ull);
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_HYPERCALL, val));
	assert_int_equal(rd(HV_X64_MSR_HYPERCALL), val);
	assert_memory_equal(memory + 0x3000, code, sizeof(code));
	for (unsigned off = sizeof(code); off < 4096; off++)
		assert_int_equal(memory[0x3000 + off], 0xcc);
	assert_int_equal(memory[0x2fff], 0);
	assert_int_equal(memory[0x4000], 0);
}

/*
 * Every VP may enable the page; one may be calling it meanwhile. Enabling
 * a page that is already there writes each byte with its own value: no
 * moment of INT3 at offset 0 (a race the test guests' 8-VP partitions hit).
 */
static void enabling_again_changes_no_byte(void **state)
{
	(void)state;
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_GUEST_OS_ID, 1));
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_HYPERCALL, 0x3000 | HV_HYPERCALL_MSR_ENABLE));
	writes_must_not_change = true;
	page_writes = 0;
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_HYPERCALL, 0x3000 | HV_HYPERCALL_MSR_ENABLE));
	assert_true(page_writes > 0);
}

/* Outside the partition's memory: #GP, and the MSR keeps its value. */
static void enable_outside_memory_is_refused(void **state)
{
	(void)state;
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_GUEST_OS_ID, 1));
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_HYPERCALL, 0x1000 | HV_HYPERCALL_MSR_ENABLE));
	assert_false(tlfs_msr_write(&vp, HV_X64_MSR_HYPERCALL, MEM_BYTES | HV_HYPERCALL_MSR_ENABLE));
	assert_false(tlfs_msr_write(&vp, HV_X64_MSR_HYPERCALL, ~0xfffull | HV_HYPERCALL_MSR_ENABLE));
	assert_int_equal(rd(HV_X64_MSR_HYPERCALL), 0x1000 | HV_HYPERCALL_MSR_ENABLE);
	/* not enabled: the GPA is only remembered */
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_HYPERCALL, 1ull << 40));
	assert_int_equal(rd(HV_X64_MSR_HYPERCALL), 1ull << 40);
}

static void guest_os_id_zero_disables(void **state)
{
	(void)state;
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_GUEST_OS_ID, 1));
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_HYPERCALL, 0x1000 | HV_HYPERCALL_MSR_ENABLE));
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_GUEST_OS_ID, 0));
	assert_int_equal(rd(HV_X64_MSR_HYPERCALL), 0x1000);
}

/* Locked: nothing changes it, a write is refused, guest OS id 0 leaves it enabled. */
static void locked_stays(void **state)
{
	uint64_t locked = 0x1000 | HV_HYPERCALL_MSR_ENABLE | HV_HYPERCALL_MSR_LOCKED;

	(void)state;
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_GUEST_OS_ID, 1));
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_HYPERCALL, locked));
	assert_false(tlfs_msr_write(&vp, HV_X64_MSR_HYPERCALL, 0x2000 | HV_HYPERCALL_MSR_ENABLE));
	assert_false(tlfs_msr_write(&vp, HV_X64_MSR_HYPERCALL, 0));
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_GUEST_OS_ID, 0));
	assert_int_equal(rd(HV_X64_MSR_HYPERCALL), locked);
}

/* The root's page: the MSR reads back the preset GPA, not enabled, and enabling fills it. */
static void preset_for_the_root(void **state)
{
	(void)state;
	assert_false(partition_preset_hypercall_page(&part, to_gpa(MEM_BYTES)));
	assert_false(partition_preset_hypercall_page(&part, to_gpa(0x5008)));
	assert_int_equal(rd(HV_X64_MSR_HYPERCALL), 0);
	assert_true(partition_preset_hypercall_page(&part, to_gpa(0x5000)));
	assert_int_equal(rd(HV_X64_MSR_HYPERCALL), 0x5000);
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_GUEST_OS_ID, 1));
	assert_true(tlfs_msr_write(&vp, HV_X64_MSR_HYPERCALL,
				   rd(HV_X64_MSR_HYPERCALL) | HV_HYPERCALL_MSR_ENABLE));
	assert_int_equal(memory[0x5000], 0x0f);
	assert_int_equal(memory[0x5003], 0xc3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(each_msr_needs_its_privilege, setup),
		cmocka_unit_test_setup(others_are_not_here, setup),
		cmocka_unit_test_setup(read_only_values, setup),
		cmocka_unit_test_setup(reference_tsc_page, setup),
		cmocka_unit_test_setup(crash_msrs, setup),
		cmocka_unit_test_setup(vp_assist_page_is_kept, setup),
		cmocka_unit_test_setup(reference_counter, setup),
		cmocka_unit_test_setup(enable_needs_a_guest_os_id, setup),
		cmocka_unit_test_setup(enable_fills_the_page, setup),
		cmocka_unit_test_setup(enabling_again_changes_no_byte, setup),
		cmocka_unit_test_setup(enable_outside_memory_is_refused, setup),
		cmocka_unit_test_setup(guest_os_id_zero_disables, setup),
		cmocka_unit_test_setup(locked_stays, setup),
		cmocka_unit_test_setup(preset_for_the_root, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
