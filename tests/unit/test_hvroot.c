/*
 * Host unit tests for core/hvroot_decode.c, the root-partition hypercall
 * input decoders. Inputs are built in a 4 KiB "input page" first filled
 * with stale bytes (0xa5), as mshv's per-CPU input page is: the fields
 * mshv leaves unwritten keep them, and must be accepted; every other rule
 * of docs/hypercalls.md is broken once and must give its status (and, for
 * a rep call's element, the index reached).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/types.h"
#include "core/hvroot_decode.h"
#include "core/abi/hypercall.h"

#define PAGE		HV_HYP_PAGE_SIZE
#define STALE		0xa5
#define CHILD		0x1234ull		/* a child's partition id */

#define OK		HV_STATUS_SUCCESS
#define BAD_INPUT	HV_STATUS_INVALID_HYPERCALL_INPUT
#define BAD_ALIGN	HV_STATUS_INVALID_ALIGNMENT
#define BAD_PARAM	HV_STATUS_INVALID_PARAMETER
#define BAD_PART	HV_STATUS_INVALID_PARTITION_ID
#define BAD_VP		HV_STATUS_INVALID_VP_INDEX

static uint8_t page[PAGE];

static void put8(size_t off, uint8_t v) { page[off] = v; }
static void put16(size_t off, uint16_t v) { memcpy(page + off, &v, 2); }
static void put32(size_t off, uint32_t v) { memcpy(page + off, &v, 4); }
static void put64(size_t off, uint64_t v) { memcpy(page + off, &v, 8); }

static int setup(void **state)
{
	(void)state;
	memset(page, STALE, sizeof(page));
	return 0;
}

/* ---- CreatePartition ---- */

/* What mshv 6.15 sends: input memset, then flags, compatibility version. */
static void put_create_partition(uint64_t flags)
{
	memset(page, 0, sizeof(struct hv_input_create_partition));
	put64(0, flags);
	put32(16, HV_COMPATIBILITY_21_H2);
}

static void create_partition(void **state)
{
	struct hvroot_create_partition cp;
	const uint64_t mshv = HV_PARTITION_CREATION_FLAG_EXO_PARTITION |
			      HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED;
	(void)state;

	put_create_partition(mshv);
	assert_int_equal(hvroot_decode_create_partition(page, PAGE, &cp), OK);
	assert_int_equal(cp.flags, mshv);
	assert_int_equal(cp.compatibility_version, 0x0609);

	/* rust-vmm 0.7.0: LAPIC | X2APIC | GPA_SUPER_PAGES, disabled-feature banks, a NUMA hint */
	put_create_partition(mshv | HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED |
			     HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE |
			     HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED);
	put64(24, 0x1111);
	put64(32, 0x2222);
	put64(40, 0x3333);
	put32(8, 3);
	put32(12, HV_PROXIMITY_INFO_VALID | HV_PROXIMITY_PREFERRED);
	assert_int_equal(hvroot_decode_create_partition(page, 56, &cp), OK);
	assert_int_equal(cp.disabled_processor_features[0], 0x1111);
	assert_int_equal(cp.disabled_processor_features[1], 0x2222);
	assert_int_equal(cp.disabled_processor_xsave_features, 0x3333);
	assert_int_equal(cp.proximity.domain_id, 3);

	put_create_partition(mshv | 1ull << 2);			/* unknown flag */
	assert_int_equal(hvroot_decode_create_partition(page, PAGE, &cp), BAD_PARAM);
	assert_int_equal(cp.flags, 0);				/* nothing decoded */
	put_create_partition(mshv | 1ull << 63);
	assert_int_equal(hvroot_decode_create_partition(page, PAGE, &cp), BAD_PARAM);
	put_create_partition(mshv);
	put32(20, 1);						/* padding */
	assert_int_equal(hvroot_decode_create_partition(page, PAGE, &cp), BAD_PARAM);
	put_create_partition(mshv);
	put64(48, 2);						/* isolation type SNP */
	assert_int_equal(hvroot_decode_create_partition(page, PAGE, &cp), BAD_PARAM);
	put_create_partition(mshv);
	put32(12, 1u << 5);					/* proximity reserved bit */
	assert_int_equal(hvroot_decode_create_partition(page, PAGE, &cp), BAD_PARAM);
	put_create_partition(mshv);
	assert_int_equal(hvroot_decode_create_partition(page, 55, &cp), BAD_ALIGN);
}

/* ---- Initialize / Finalize / Delete ---- */

typedef uint16_t (*lifecycle_fn)(const uint8_t *, size_t, struct hvroot_partition *);

static void lifecycle_one(lifecycle_fn fn)
{
	struct hvroot_partition p;

	put64(0, CHILD);		/* RDX; R8 (bytes 8-15) is unset by fast8: stale */
	assert_int_equal(fn(page, 16, &p), OK);
	assert_int_equal(p.partition_id, CHILD);
	assert_int_equal(fn(page, 8, &p), OK);
	assert_int_equal(fn(page, 7, &p), BAD_ALIGN);
	put64(0, HV_PARTITION_ID_INVALID);
	assert_int_equal(fn(page, 16, &p), BAD_PART);
	put64(0, HV_PARTITION_ID_SELF);
	assert_int_equal(fn(page, 16, &p), BAD_PART);
}

static void partition_lifecycle(void **state)
{
	(void)state;
	lifecycle_one(hvroot_decode_initialize_partition);
	lifecycle_one(hvroot_decode_finalize_partition);
	lifecycle_one(hvroot_decode_delete_partition);
}

/* ---- Get/SetPartitionProperty ---- */

static void partition_properties(void **state)
{
	struct hvroot_partition_property pp;
	(void)state;

	put64(0, HV_PARTITION_ID_SELF);		/* rust-vmm reads the host's features */
	put32(8, HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0);
	put32(12, 0);
	assert_int_equal(hvroot_decode_get_partition_property(page, PAGE, &pp), OK);
	assert_int_equal(pp.partition_id, HV_PARTITION_ID_SELF);
	assert_int_equal(pp.code, HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0);
	put32(8, 0x00050006);					/* not a known code */
	assert_int_equal(hvroot_decode_get_partition_property(page, PAGE, &pp),
			 HV_STATUS_UNKNOWN_PROPERTY);
	put32(8, HV_PARTITION_PROPERTY_VMM_CAPABILITIES);	/* Ex only */
	assert_int_equal(hvroot_decode_get_partition_property(page, PAGE, &pp),
			 HV_STATUS_UNKNOWN_PROPERTY);
	put32(8, HV_PARTITION_PROPERTY_XSAVE_STATES);
	put32(12, 1);						/* padding */
	assert_int_equal(hvroot_decode_get_partition_property(page, PAGE, &pp), BAD_PARAM);
	put32(12, 0);
	put64(0, 0);
	assert_int_equal(hvroot_decode_get_partition_property(page, PAGE, &pp), BAD_PART);
	put64(0, CHILD);
	assert_int_equal(hvroot_decode_get_partition_property(page, 15, &pp), BAD_ALIGN);

	put32(8, HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES);
	put64(16, 0xfffffffffull);
	assert_int_equal(hvroot_decode_set_partition_property(page, PAGE, &pp), OK);
	assert_int_equal(pp.value, 0xfffffffffull);
	put32(8, HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING);
	put64(16, 1);
	assert_int_equal(hvroot_decode_set_partition_property(page, PAGE, &pp), OK);
	put64(16, 2);
	assert_int_equal(hvroot_decode_set_partition_property(page, PAGE, &pp),
			 HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	put32(8, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION);
	put64(16, 1);
	assert_int_equal(hvroot_decode_set_partition_property(page, PAGE, &pp), OK);
	put32(8, HV_PARTITION_PROPERTY_XSAVE_STATES);		/* read-only */
	assert_int_equal(hvroot_decode_set_partition_property(page, PAGE, &pp), BAD_PARAM);
	put32(8, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS);	/* a child cannot be given privileges */
	assert_int_equal(hvroot_decode_set_partition_property(page, PAGE, &pp), BAD_PARAM);
	put32(8, 0x12345678);
	assert_int_equal(hvroot_decode_set_partition_property(page, PAGE, &pp),
			 HV_STATUS_UNKNOWN_PROPERTY);
	put32(8, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION);
	assert_int_equal(hvroot_decode_set_partition_property(page, 23, &pp), BAD_ALIGN);
}

/* ---- DepositMemory / WithdrawMemory ---- */

static void put_pfns(size_t off, unsigned n, uint64_t first)
{
	for (unsigned i = 0; i < n; i++)
		put64(off + 8 * i, first + i);
}

static void deposit_memory(void **state)
{
	struct hvroot_deposit_memory d;
	(void)state;

	put64(0, CHILD);
	put_pfns(8, HV_DEPOSIT_MAX, 0x10000);
	assert_int_equal(hvroot_decode_deposit_memory(page, PAGE, HV_DEPOSIT_MAX, 0, &d), OK);
	assert_int_equal(d.reps.end, 511);
	assert_ptr_equal(d.pfns, page + 8);
	assert_int_equal(hvroot_list_u64(d.pfns, 510), 0x10000 + 510);
	/* 512 PFNs run past the page: 8 + 4096 bytes */
	assert_int_equal(hvroot_decode_deposit_memory(page, PAGE, 512, 0, &d), BAD_ALIGN);
	/* an input 8 bytes before the page's end has room for the header only */
	assert_int_equal(hvroot_decode_deposit_memory(page + PAGE - 16, 16, 1, 0, &d), OK);
	assert_int_equal(hvroot_decode_deposit_memory(page + PAGE - 16, 16, 2, 0, &d), BAD_ALIGN);

	/* the rep count and start */
	assert_int_equal(hvroot_decode_deposit_memory(page, PAGE, 0, 0, &d), BAD_INPUT);
	assert_int_equal(hvroot_decode_deposit_memory(page, PAGE, 4, 4, &d), BAD_INPUT);
	assert_int_equal(hvroot_decode_deposit_memory(page, PAGE, 0x1000, 0, &d), BAD_INPUT);

	/* a PFN past 52 bits: the elements before it are good */
	put64(8 + 8 * 7, HV_PFN_LIMIT);
	assert_int_equal(hvroot_decode_deposit_memory(page, PAGE, 10, 0, &d), BAD_PARAM);
	assert_int_equal(d.reps.start, 0);
	assert_int_equal(d.reps.end, 7);
	/* a continuation that starts past it does not look at it again */
	assert_int_equal(hvroot_decode_deposit_memory(page, PAGE, 10, 8, &d), OK);
	assert_int_equal(d.reps.start, 8);
	assert_int_equal(d.reps.end, 10);
	put64(8 + 8 * 7, HV_PFN_LIMIT - 1);
	assert_int_equal(hvroot_decode_deposit_memory(page, PAGE, 10, 0, &d), OK);

	put64(0, 0);
	assert_int_equal(hvroot_decode_deposit_memory(page, PAGE, 10, 0, &d), BAD_PART);
	assert_int_equal(d.reps.end, 0);
}

static void withdraw_memory(void **state)
{
	struct hvroot_withdraw_memory w;
	(void)state;

	put64(0, CHILD);
	put64(8, 0);
	assert_int_equal(hvroot_decode_withdraw_memory(page, PAGE, HV_WITHDRAW_MAX, 0, &w), OK);
	assert_int_equal(w.reps.count, 512);
	assert_int_equal(w.reps.end, 512);
	assert_int_equal(hvroot_decode_withdraw_memory(page, PAGE, 512, 100, &w), OK);
	assert_int_equal(w.reps.start, 100);
	put32(12, 1u << 1);					/* proximity reserved */
	assert_int_equal(hvroot_decode_withdraw_memory(page, PAGE, 512, 0, &w), BAD_PARAM);
	put32(12, 0);
	assert_int_equal(hvroot_decode_withdraw_memory(page, 15, 512, 0, &w), BAD_ALIGN);
	assert_int_equal(hvroot_decode_withdraw_memory(page, PAGE, 0, 0, &w), BAD_INPUT);
}

/* ---- MapGpaPages / UnmapGpaPages ---- */

#define RAM_FLAGS	(HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE | HV_MAP_GPA_EXECUTABLE | \
			 HV_MAP_GPA_ADJUSTABLE)

/* mshv's hv_do_map_gpa_hcall: padding (20-23) is left as it was. */
static void put_map(uint64_t gfn, uint32_t flags)
{
	put64(0, CHILD);
	put64(8, gfn);
	put32(16, flags);
}

static void map_gpa_pages(void **state)
{
	struct hvroot_map_gpa_pages m;
	(void)state;

	put_map(0x100, RAM_FLAGS);
	put_pfns(24, HV_MAP_GPA_MAX, 0x80000);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, HV_MAP_GPA_MAX, 0, &m), OK);
	assert_int_equal(m.reps.end, 509);
	assert_int_equal(m.gfn_base, 0x100);
	assert_int_equal(m.pages_per_rep, 1);
	assert_int_equal(m.flags, RAM_FLAGS);
	assert_ptr_equal(m.pfns, page + 24);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 510, 0, &m), BAD_ALIGN);
	put_map(0x100, HV_MAP_GPA_READABLE | HV_MAP_GPA_ADJUSTABLE);		/* read-only RAM */
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 0, &m), OK);
	put_map(0x100, HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE | HV_MAP_GPA_NOT_CACHED); /* MMIO */
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 0, &m), OK);

	/* flags */
	put_map(0x100, RAM_FLAGS | 0x100);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 0, &m), BAD_PARAM);
	assert_int_equal(m.reps.end, 0);
	put_map(0x100, HV_MAP_GPA_WRITABLE);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 0, &m), BAD_PARAM);
	put_map(0x100, HV_MAP_GPA_KERNEL_EXECUTABLE);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 0, &m), BAD_PARAM);
	put_map(0x100, HV_MAP_GPA_NO_ACCESS | HV_MAP_GPA_READABLE);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 0, &m), BAD_PARAM);

	/* NO_ACCESS: list entries 0 */
	put_map(0x100, HV_MAP_GPA_NO_ACCESS);
	memset(page + 24, 0, 8 * 4);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 0, &m), OK);
	put64(24 + 8 * 2, 0x5000);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 0, &m), BAD_PARAM);
	assert_int_equal(m.reps.end, 2);

	/* 52-bit frames */
	put_map(0x100, RAM_FLAGS);
	put_pfns(24, 4, 0x80000);
	put64(24 + 8 * 3, HV_PFN_LIMIT - 1);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 0, &m), OK);
	put64(24 + 8 * 3, HV_PFN_LIMIT);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 0, &m), BAD_PARAM);
	assert_int_equal(m.reps.end, 3);
	put64(24 + 8 * 3, ~0ull);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 0, &m), BAD_PARAM);
	put_map(HV_PFN_LIMIT - 4, RAM_FLAGS);			/* the last 4 GFNs */
	put_pfns(24, 4, 0x80000);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 0, &m), OK);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 5, 0, &m), BAD_PARAM);
	put_map(~0ull - 1, RAM_FLAGS);				/* would wrap */
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 0, &m), BAD_PARAM);

	put_map(0, RAM_FLAGS);
	put64(0, HV_PARTITION_ID_INVALID);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 0, &m), BAD_PART);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, 23, 1, 0, &m), BAD_ALIGN);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 4, 9, &m), BAD_INPUT);
}

static void map_gpa_large_pages(void **state)
{
	struct hvroot_map_gpa_pages m;
	const uint32_t large = RAM_FLAGS | HV_MAP_GPA_LARGE_PAGE;
	(void)state;

	put_map(0x200, large);				/* GPA 2 MiB, two 2 MiB pages */
	put64(24, 0x400);
	put64(32, 0xa00);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 2, 0, &m), OK);
	assert_int_equal(m.pages_per_rep, 512);
	assert_int_equal(m.reps.end, 2);
	put_map(0x201, large);				/* base not 2 MiB-aligned */
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 2, 0, &m), BAD_PARAM);
	put_map(0x200, large);
	put64(32, 0xa01);				/* second source not aligned */
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 2, 0, &m), BAD_PARAM);
	assert_int_equal(m.reps.end, 1);
	put64(32, HV_PFN_LIMIT - 512);			/* the last 2 MiB frame */
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 2, 0, &m), OK);
	put_map(HV_PFN_LIMIT - 1024, large);		/* counts are in 2 MiB units */
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 2, 0, &m), OK);
	put_map(HV_PFN_LIMIT - 512, large);
	assert_int_equal(hvroot_decode_map_gpa_pages(page, PAGE, 2, 0, &m), BAD_PARAM);
}

static void unmap_gpa_pages(void **state)
{
	struct hvroot_unmap_gpa_pages u;
	(void)state;

	put64(0, CHILD);		/* padding 20-23 stale, as mshv leaves it */
	put64(8, 0x100);
	put32(16, 0);
	assert_int_equal(hvroot_decode_unmap_gpa_pages(page, 24, 512, 0, &u), OK);
	assert_int_equal(u.reps.end, 512);
	assert_int_equal(u.pages_per_rep, 1);
	/* no list: any 12-bit count fits */
	assert_int_equal(hvroot_decode_unmap_gpa_pages(page, 24, 0xfff, 0, &u), OK);
	assert_int_equal(hvroot_decode_unmap_gpa_pages(page, 24, 0x1000, 0, &u), BAD_INPUT);
	assert_int_equal(hvroot_decode_unmap_gpa_pages(page, 23, 1, 0, &u), BAD_ALIGN);

	put32(16, HV_UNMAP_GPA_LARGE_PAGE);
	assert_int_equal(hvroot_decode_unmap_gpa_pages(page, 24, 1, 0, &u), BAD_PARAM);
	put64(8, 0x200);
	assert_int_equal(hvroot_decode_unmap_gpa_pages(page, 24, 1, 0, &u), OK);
	assert_int_equal(u.pages_per_rep, 512);
	put32(16, HV_UNMAP_GPA_KEEP_PRECOMMITTED);
	assert_int_equal(hvroot_decode_unmap_gpa_pages(page, 24, 1, 0, &u), OK);
	put32(16, 0x4);
	assert_int_equal(hvroot_decode_unmap_gpa_pages(page, 24, 1, 0, &u), BAD_PARAM);
	put32(16, 0);
	put64(8, HV_PFN_LIMIT - 1);
	assert_int_equal(hvroot_decode_unmap_gpa_pages(page, 24, 1, 0, &u), OK);
	assert_int_equal(hvroot_decode_unmap_gpa_pages(page, 24, 2, 0, &u), BAD_PARAM);
}

/* ---- CreateVp / DeleteVp ---- */

/* mshv's hv_call_create_vp: no memset; padding[3] and subnode_id keep stale bytes. */
static void put_create_vp(uint32_t vp)
{
	put64(0, CHILD);
	put32(8, vp);
	put8(15, HV_SUBNODE_ANY);
	put64(24, 0);
	put64(32, 0);
}

static void create_vp(void **state)
{
	struct hvroot_create_vp c;
	(void)state;

	put_create_vp(0);
	assert_int_equal(hvroot_decode_create_vp(page, PAGE, &c), OK);
	assert_int_equal(c.partition_id, CHILD);
	assert_int_equal(c.vp_index, 0);
	put_create_vp(255);
	assert_int_equal(hvroot_decode_create_vp(page, 40, &c), OK);
	assert_int_equal(c.vp_index, 255);
	put_create_vp(256);
	assert_int_equal(hvroot_decode_create_vp(page, PAGE, &c), BAD_VP);
	put_create_vp(HV_VP_INDEX_SELF);
	assert_int_equal(hvroot_decode_create_vp(page, PAGE, &c), BAD_VP);
	put_create_vp(1);
	put64(32, 3);					/* flags: an LP index without our bit */
	assert_int_equal(hvroot_decode_create_vp(page, PAGE, &c), BAD_PARAM);
	put64(32, HV_X_CREATE_VP_LP_VALID | 3);		/* ours: run on CPU 3 */
	assert_int_equal(hvroot_decode_create_vp(page, PAGE, &c), OK);
	assert_true(c.lp_valid);
	assert_int_equal(c.lp, 3);
	put64(32, HV_X_CREATE_VP_LP_VALID | 1ull << 32 | 3);	/* a reserved bit */
	assert_int_equal(hvroot_decode_create_vp(page, PAGE, &c), BAD_PARAM);
	put_create_vp(1);
	assert_int_equal(hvroot_decode_create_vp(page, PAGE, &c), OK);
	assert_false(c.lp_valid);
	put_create_vp(1);
	put8(15, 1);					/* subnode type */
	assert_int_equal(hvroot_decode_create_vp(page, PAGE, &c), BAD_PARAM);
	put_create_vp(1);
	put32(28, HV_PROXIMITY_INFO_VALID);
	assert_int_equal(hvroot_decode_create_vp(page, PAGE, &c), OK);
	put32(28, 1u << 7);
	assert_int_equal(hvroot_decode_create_vp(page, PAGE, &c), BAD_PARAM);
	put_create_vp(1);
	assert_int_equal(hvroot_decode_create_vp(page, 39, &c), BAD_ALIGN);
	put64(0, HV_PARTITION_ID_INVALID);
	assert_int_equal(hvroot_decode_create_vp(page, PAGE, &c), BAD_PART);
}

static void delete_vp(void **state)
{
	struct hvroot_vp v;
	(void)state;

	put64(0, CHILD);		/* fast16: RDX, R8 = {vp_index, 0} */
	put64(8, 7);
	assert_int_equal(hvroot_decode_delete_vp(page, 16, &v), OK);
	assert_int_equal(v.vp_index, 7);
	put64(8, 7 | 1ull << 32);
	assert_int_equal(hvroot_decode_delete_vp(page, 16, &v), BAD_PARAM);
	put64(8, 256);
	assert_int_equal(hvroot_decode_delete_vp(page, 16, &v), BAD_VP);
	assert_int_equal(hvroot_decode_delete_vp(page, 15, &v), BAD_ALIGN);
}

/* ---- Get/SetVpRegisters ---- */

static void put_regs_header(uint32_t vp)
{
	put64(0, CHILD);
	put32(8, vp);
	put8(12, 0);
	put8(13, 0);
	put16(14, 0);
}

/* The registers a VMM sets before the first run (hyperv-root-abi.md 9.2). */
static const uint32_t boot_regs[] = {
	HV_X64_REGISTER_RIP, HV_X64_REGISTER_RSP, HV_X64_REGISTER_RFLAGS, HV_X64_REGISTER_CS,
	HV_X64_REGISTER_DS, HV_X64_REGISTER_ES, HV_X64_REGISTER_FS, HV_X64_REGISTER_GS,
	HV_X64_REGISTER_SS, HV_X64_REGISTER_TR, HV_X64_REGISTER_LDTR, HV_X64_REGISTER_GDTR,
	HV_X64_REGISTER_IDTR, HV_X64_REGISTER_CR0, HV_X64_REGISTER_INTERMEDIATE_CR0,
	HV_X64_REGISTER_CR3, HV_X64_REGISTER_INTERMEDIATE_CR3, HV_X64_REGISTER_CR4,
	HV_X64_REGISTER_INTERMEDIATE_CR4, HV_X64_REGISTER_EFER, HV_X64_REGISTER_RAX,
	HV_X64_REGISTER_R15, HV_X64_REGISTER_XMM15, HV_X64_REGISTER_CR8, HV_X64_REGISTER_APIC_BASE,
	HV_X64_REGISTER_SFMASK, HV_X64_REGISTER_DR7, HV_REGISTER_EXPLICIT_SUSPEND,
	HV_REGISTER_INTERCEPT_SUSPEND, HV_REGISTER_DISPATCH_SUSPEND, HV_REGISTER_VP_ROOT_SIGNAL_COUNT,
	HV_REGISTER_PENDING_INTERRUPTION, HV_REGISTER_INTERRUPT_STATE,
};

static void get_vp_registers(void **state)
{
	struct hvroot_get_vp_registers g;
	const unsigned n = ARRAY_SIZE(boot_regs);
	(void)state;

	put_regs_header(0);
	for (unsigned i = 0; i < n; i++)
		put32(16 + 4 * i, boot_regs[i]);
	assert_int_equal(hvroot_decode_get_vp_registers(page, PAGE, n, 0, &g), OK);
	assert_int_equal(g.reps.end, n);
	assert_ptr_equal(g.names, page + 16);
	assert_int_equal(hvroot_list_u32(g.names, 2), HV_X64_REGISTER_RFLAGS);

	put32(16 + 4 * 3, 0x00041001);				/* between INTERMEDIATE_CR0 and CR3 */
	assert_int_equal(hvroot_decode_get_vp_registers(page, PAGE, n, 0, &g), BAD_PARAM);
	assert_int_equal(g.reps.end, 3);
	assert_int_equal(hvroot_decode_get_vp_registers(page, PAGE, n, 4, &g), OK);
	put32(16 + 4 * 3, HV_X64_REGISTER_CS);

	/* 1020 names fill the page */
	assert_int_equal(hvroot_decode_get_vp_registers(page, PAGE, HV_GET_VP_REGISTERS_MAX, 1019, &g),
			 BAD_PARAM);				/* stale name, but it fits */
	assert_int_equal(hvroot_decode_get_vp_registers(page, PAGE, HV_GET_VP_REGISTERS_MAX + 1, 0, &g),
			 BAD_ALIGN);

	/* the header */
	put_regs_header(HV_VP_INDEX_SELF);
	assert_int_equal(hvroot_decode_get_vp_registers(page, PAGE, n, 0, &g), OK);
	put_regs_header(HV_ANY_VP);
	assert_int_equal(hvroot_decode_get_vp_registers(page, PAGE, n, 0, &g), BAD_VP);
	put_regs_header(256);
	assert_int_equal(hvroot_decode_get_vp_registers(page, PAGE, n, 0, &g), BAD_VP);
	put_regs_header(0);
	put8(12, HV_INPUT_VTL_USE_TARGET);			/* VTL 0 named */
	assert_int_equal(hvroot_decode_get_vp_registers(page, PAGE, n, 0, &g), OK);
	put8(12, HV_INPUT_VTL_USE_TARGET | 1);			/* VTL 1 */
	assert_int_equal(hvroot_decode_get_vp_registers(page, PAGE, n, 0, &g), BAD_PARAM);
	put8(12, 0x20);
	assert_int_equal(hvroot_decode_get_vp_registers(page, PAGE, n, 0, &g), BAD_PARAM);
	put8(12, 0);
	put8(13, 1);
	assert_int_equal(hvroot_decode_get_vp_registers(page, PAGE, n, 0, &g), BAD_PARAM);
	put8(13, 0);
	put16(14, 1);
	assert_int_equal(hvroot_decode_get_vp_registers(page, PAGE, n, 0, &g), BAD_PARAM);
	put16(14, 0);
	put64(0, HV_PARTITION_ID_INVALID);
	assert_int_equal(hvroot_decode_get_vp_registers(page, PAGE, n, 0, &g), BAD_PART);
}

/* One element of SetVpRegisters, as the kernel builds it (zero-initialised hv_register_assoc). */
static void put_assoc(unsigned i, uint32_t name, uint64_t lo, uint64_t hi)
{
	size_t off = 16 + 32 * (size_t)i;

	put32(off, name);
	put32(off + 4, 0);
	put64(off + 8, 0);
	put64(off + 16, lo);
	put64(off + 24, hi);
}

static uint64_t segment_lo(uint64_t base) { return base; }
static uint64_t segment_hi(uint32_t limit, uint16_t sel, uint16_t attr)
{
	return limit | (uint64_t)sel << 32 | (uint64_t)attr << 48;
}

/* Set one element (at index 1, after a good one); the decoder's status. */
static uint16_t set_one(uint32_t name, uint64_t lo, uint64_t hi, struct hvroot_set_vp_registers *s)
{
	put_regs_header(0);
	put_assoc(0, HV_X64_REGISTER_RAX, 0x1234, 0);
	put_assoc(1, name, lo, hi);
	return hvroot_decode_set_vp_registers(page, PAGE, 2, 0, s);
}

static void set_vp_registers(void **state)
{
	struct hvroot_set_vp_registers s;
	(void)state;

	/* the resume sequence of 5.1: INTERCEPT_SUSPEND = 0, then EXPLICIT_SUSPEND = 0 */
	put_regs_header(0);
	put_assoc(0, HV_REGISTER_INTERCEPT_SUSPEND, 0, 0);
	put_assoc(1, HV_REGISTER_EXPLICIT_SUSPEND, 0, 0);
	assert_int_equal(hvroot_decode_set_vp_registers(page, PAGE, 2, 0, &s), OK);
	assert_int_equal(s.reps.end, 2);
	assert_ptr_equal(s.assocs, page + 16);
	assert_int_equal(s.assocs[1].name, HV_REGISTER_EXPLICIT_SUSPEND);

	/* values a VMM sets at boot */
	assert_int_equal(set_one(HV_REGISTER_DISPATCH_SUSPEND, 1, 0, &s), OK);
	assert_int_equal(set_one(HV_X64_REGISTER_RFLAGS, 0x2, 0, &s), OK);
	assert_int_equal(set_one(HV_X64_REGISTER_RFLAGS, 0x246, 0, &s), OK);
	assert_int_equal(set_one(HV_X64_REGISTER_CS, segment_lo(0), segment_hi(0xffffffff, 8, 0xa09b), &s), OK);
	assert_int_equal(set_one(HV_X64_REGISTER_TR, segment_lo(0x1000), segment_hi(0x67, 0x18, 0x8b), &s), OK);
	assert_int_equal(set_one(HV_X64_REGISTER_GDTR, (uint64_t)0x27 << 48, 0x5000, &s), OK);
	assert_int_equal(set_one(HV_X64_REGISTER_CR0, 0x80050033, 0, &s), OK);
	assert_int_equal(set_one(HV_X64_REGISTER_INTERMEDIATE_CR4, 0x6a0, 0, &s), OK);
	assert_int_equal(set_one(HV_X64_REGISTER_CR3, 0x000ffffffffff000ull, 0, &s), OK);
	assert_int_equal(set_one(HV_X64_REGISTER_CR8, 15, 0, &s), OK);
	assert_int_equal(set_one(HV_X64_REGISTER_XMM0, ~0ull, ~0ull, &s), OK);
	assert_int_equal(set_one(HV_X64_REGISTER_DR7, 0x400, 0, &s), OK);
	assert_int_equal(set_one(HV_REGISTER_PENDING_INTERRUPTION,
				 1 | 3 << 1 | 1 << 4 | 14ull << 16 | 0x2ull << 32, 0, &s), OK);
	assert_int_equal(set_one(HV_REGISTER_INTERRUPT_STATE, 3, 0, &s), OK);
	assert_int_equal(set_one(HV_X64_REGISTER_EFER, 0xd01, 0, &s), OK);
	/* rust-vmm's `hv_register_value { reg64 }`: the upper 8 bytes uninitialised */
	assert_int_equal(set_one(HV_X64_REGISTER_RIP, 0x1000, 0xdeadbeefcafef00dull, &s), OK);
	assert_int_equal(set_one(HV_REGISTER_EXPLICIT_SUSPEND, 0, ~0ull, &s), OK);
	assert_int_equal(set_one(HV_X64_REGISTER_RFLAGS, 0x2, 1, &s), OK);
	/* Hyperlight's pending interrupt (vector | 1 << 31): bits 15:10 clear */
	assert_int_equal(set_one(HV_REGISTER_PENDING_INTERRUPTION, 0x20 | 1ull << 31, 0, &s), OK);

	/* each rule: the good element before it counts, this one stops the call */
	static const struct { uint32_t name; uint64_t lo, hi; } bad[] = {
		{ HV_REGISTER_EXPLICIT_SUSPEND, 2, 0 },		/* suspend: bit 0 only */
		{ HV_REGISTER_INTERCEPT_SUSPEND, 1ull << 63, 0 },
		{ HV_X64_REGISTER_RFLAGS, 0, 0 },		/* bit 1 is 1 */
		{ HV_X64_REGISTER_RFLAGS, 0x2 | 1 << 3, 0 },
		{ HV_X64_REGISTER_RFLAGS, 0x2 | 1ull << 22, 0 },
		{ HV_X64_REGISTER_CS, 0, 0x0f00ull << 48 },	/* segment attribute bits 11:8 */
		{ HV_X64_REGISTER_LDTR, 0, 0x0100ull << 48 },
		{ HV_X64_REGISTER_IDTR, 1, 0 },			/* table register pad */
		{ HV_X64_REGISTER_CR0, 1ull << 32, 0 },
		{ HV_X64_REGISTER_CR0, 0x80000000, 0 },		/* PG without PE */
		{ HV_X64_REGISTER_INTERMEDIATE_CR0, 0x20000001, 0 },	/* NW without CD */
		{ HV_X64_REGISTER_CR3, 1ull << 52, 0 },
		{ HV_X64_REGISTER_CR4, 1ull << 15, 0 },
		{ HV_X64_REGISTER_INTERMEDIATE_CR4, 1ull << 32, 0 },
		{ HV_X64_REGISTER_CR8, 16, 0 },
		{ HV_X64_REGISTER_DR6, 1ull << 32, 0 },
		{ HV_REGISTER_PENDING_INTERRUPTION, 1 << 10, 0 },
		{ HV_REGISTER_PENDING_INTERRUPTION, 1ull << 15, 0 },
		{ HV_REGISTER_INTERRUPT_STATE, 4, 0 },
		{ HV_REGISTER_VP_ROOT_SIGNAL_COUNT, 0, 0 },	/* read-only */
		{ 0x00000002, 0, 0 },				/* unknown names */
		{ 0x00090000, 0, 0 },
		{ 0xffffffff, 0, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(set_one(bad[i].name, bad[i].lo, bad[i].hi, &s), BAD_PARAM);
		assert_int_equal(s.reps.end, 1);
	}

	/* reserved fields of the element */
	set_one(HV_X64_REGISTER_RBX, 5, 0, &s);
	put32(16 + 32 + 4, 1);
	assert_int_equal(hvroot_decode_set_vp_registers(page, PAGE, 2, 0, &s), BAD_PARAM);
	assert_int_equal(s.reps.end, 1);
	set_one(HV_X64_REGISTER_RBX, 5, 0, &s);
	put64(16 + 32 + 8, 1);
	assert_int_equal(hvroot_decode_set_vp_registers(page, PAGE, 2, 0, &s), BAD_PARAM);

	/* 127 elements fill the page; a continuation checks only from its start */
	set_one(HV_X64_REGISTER_RBX, 5, 0, &s);
	assert_int_equal(hvroot_decode_set_vp_registers(page, PAGE, HV_SET_VP_REGISTERS_MAX, 0, &s),
			 BAD_PARAM);				/* stale element 2 */
	assert_int_equal(s.reps.end, 2);
	put_assoc(126, HV_X64_REGISTER_R8, 1, 0);
	assert_int_equal(hvroot_decode_set_vp_registers(page, PAGE, HV_SET_VP_REGISTERS_MAX, 126, &s), OK);
	assert_int_equal(s.reps.end, 127);
	assert_int_equal(hvroot_decode_set_vp_registers(page, PAGE, HV_SET_VP_REGISTERS_MAX + 1, 127, &s),
			 BAD_ALIGN);
	assert_int_equal(hvroot_decode_set_vp_registers(page, 16 + 32, 2, 1, &s), BAD_ALIGN);
	put_regs_header(0);
	put8(14, 1);
	assert_int_equal(hvroot_decode_set_vp_registers(page, PAGE, 1, 0, &s), BAD_PARAM);
	assert_int_equal(s.reps.end, 0);
}

static void register_table(void **state)
{
	size_t n;
	const struct hvroot_reg_info *t = hvroot_reg_table(&n);
	(void)state;

	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		assert_true(t[i].first <= t[i].last);
		if (i)
			assert_true(t[i - 1].last < t[i].first);	/* sorted, disjoint */
		assert_ptr_equal(hvroot_reg_lookup(t[i].first), &t[i]);
		assert_ptr_equal(hvroot_reg_lookup(t[i].last), &t[i]);
		if (i && t[i - 1].last + 1 < t[i].first)
			assert_null(hvroot_reg_lookup(t[i].first - 1));
	}
	for (size_t i = 0; i < ARRAY_SIZE(boot_regs); i++)
		assert_non_null(hvroot_reg_lookup(boot_regs[i]));
	assert_null(hvroot_reg_lookup(HV_X64_REGISTER_SFMASK + 1));
	assert_null(hvroot_reg_lookup(0x00041001));
	assert_null(hvroot_reg_lookup(0x00000002));
	assert_true(hvroot_reg_lookup(HV_REGISTER_VP_ROOT_SIGNAL_COUNT)->read_only);
	assert_false(hvroot_reg_lookup(HV_REGISTER_DISPATCH_SUSPEND)->read_only);
}

/* ---- GetSystemProperty ---- */

static void system_property(void **state)
{
	struct hvroot_system_property sp;
	(void)state;

	/* a 6.15 kernel: 8 bytes zeroed, 8-15 stale */
	put32(0, HV_SYSTEM_PROPERTY_SCHEDULER_TYPE);
	put32(4, 0);
	assert_int_equal(hvroot_decode_get_system_property(page, PAGE, &sp), OK);
	assert_int_equal(sp.property_id, 15);
	assert_int_equal(hvroot_decode_get_system_property(page, 8, &sp), OK);
	assert_int_equal(hvroot_decode_get_system_property(page, 7, &sp), BAD_ALIGN);
	put32(4, 1);
	assert_int_equal(hvroot_decode_get_system_property(page, PAGE, &sp), BAD_PARAM);
	put32(4, 0);
	put32(0, 21);
	assert_int_equal(hvroot_decode_get_system_property(page, PAGE, &sp), HV_STATUS_UNKNOWN_PROPERTY);
}

/* ---- AssertVirtualInterrupt ---- */

static void put_assert(uint64_t control, uint64_t dest, uint32_t vector)
{
	memset(page, 0, 32);		/* mshv memsets the input */
	put64(0, CHILD);
	put64(8, control);
	put64(16, dest);
	put32(24, vector);
}

static void assert_virtual_interrupt(void **state)
{
	struct hvroot_assert_interrupt a;
	(void)state;

	put_assert(HV_X64_INTERRUPT_TYPE_FIXED, 0, 0x30);
	assert_int_equal(hvroot_decode_assert_virtual_interrupt(page, PAGE, &a), OK);
	assert_int_equal(a.vector, 0x30);
	assert_false(a.level_triggered);
	put_assert(HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY | HV_INTERRUPT_CONTROL_LEVEL |
		   HV_INTERRUPT_CONTROL_LOGICAL_DEST | HV_INTERRUPT_CONTROL_LONG_MODE, 0xffffffff, 0xff);
	assert_int_equal(hvroot_decode_assert_virtual_interrupt(page, 32, &a), OK);
	assert_true(a.level_triggered);
	assert_true(a.logical_dest);
	assert_int_equal(a.dest_apic_id, 0xffffffff);
	put_assert(HV_X64_INTERRUPT_TYPE_NMI, 0, 0);		/* vector ignored */
	assert_int_equal(hvroot_decode_assert_virtual_interrupt(page, PAGE, &a), OK);
	assert_int_equal(a.type, HV_X64_INTERRUPT_TYPE_NMI);

	put_assert(HV_X64_INTERRUPT_TYPE_FIXED, 0, 15);
	assert_int_equal(hvroot_decode_assert_virtual_interrupt(page, PAGE, &a), BAD_PARAM);
	put_assert(HV_X64_INTERRUPT_TYPE_FIXED, 0, 0x100);
	assert_int_equal(hvroot_decode_assert_virtual_interrupt(page, PAGE, &a), BAD_PARAM);
	put_assert(10, 0, 0x30);
	assert_int_equal(hvroot_decode_assert_virtual_interrupt(page, PAGE, &a), BAD_PARAM);
	put_assert(HV_X64_INTERRUPT_TYPE_FIXED | 1ull << 40, 0, 0x30);
	assert_int_equal(hvroot_decode_assert_virtual_interrupt(page, PAGE, &a), BAD_PARAM);
	put_assert(HV_X64_INTERRUPT_TYPE_FIXED, 1ull << 32, 0x30);
	assert_int_equal(hvroot_decode_assert_virtual_interrupt(page, PAGE, &a), BAD_PARAM);
	put_assert(HV_X64_INTERRUPT_TYPE_FIXED, 0, 0x30);
	put8(28, 1);						/* target VTL */
	assert_int_equal(hvroot_decode_assert_virtual_interrupt(page, PAGE, &a), BAD_PARAM);
	put8(28, 0);
	put8(31, 1);
	assert_int_equal(hvroot_decode_assert_virtual_interrupt(page, PAGE, &a), BAD_PARAM);
	assert_int_equal(hvroot_decode_assert_virtual_interrupt(page, 31, &a), BAD_ALIGN);
}

/* ---- VP state pages and stats pages ---- */

static void map_vp_state_page(void **state)
{
	struct hvroot_vp_state_page v;
	(void)state;

	/* 6.15: {partition, vp, u32 type} memset to 16 bytes; 16-23 stale */
	put64(0, CHILD);
	put32(8, 2);
	put32(12, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE);
	assert_int_equal(hvroot_decode_map_vp_state_page(page, PAGE, &v), OK);
	assert_int_equal(v.type, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE);
	assert_int_equal(v.vp_index, 2);
	assert_false(v.location_provided);
	assert_int_equal(v.location_pfn, 0);
	assert_int_equal(hvroot_decode_map_vp_state_page(page, 16, &v), OK);
	assert_int_equal(hvroot_decode_map_vp_state_page(page, 15, &v), BAD_ALIGN);

	/* the later form: an L1VH host provides the page */
	put8(15, HV_MAP_VP_STATE_LOCATION_PROVIDED);
	put64(16, 0x12345);
	assert_int_equal(hvroot_decode_map_vp_state_page(page, 24, &v), OK);
	assert_true(v.location_provided);
	assert_int_equal(v.location_pfn, 0x12345);
	assert_int_equal(hvroot_decode_map_vp_state_page(page, 16, &v), BAD_ALIGN);
	put64(16, HV_PFN_LIMIT);
	assert_int_equal(hvroot_decode_map_vp_state_page(page, 24, &v), BAD_PARAM);
	put8(15, 2);						/* unknown flag */
	assert_int_equal(hvroot_decode_map_vp_state_page(page, 24, &v), BAD_PARAM);
	put8(15, 0);
	put8(14, HV_INPUT_VTL_USE_TARGET);			/* GHCB: target VTL 0 named */
	put16(12, HV_VP_STATE_PAGE_GHCB);
	assert_int_equal(hvroot_decode_map_vp_state_page(page, 24, &v), OK);
	put16(12, 3);
	assert_int_equal(hvroot_decode_map_vp_state_page(page, 24, &v), BAD_PARAM);
	put16(12, 0);
	put8(14, 2);
	assert_int_equal(hvroot_decode_map_vp_state_page(page, 24, &v), BAD_PARAM);
	put8(14, 0);
	put32(8, 256);
	assert_int_equal(hvroot_decode_map_vp_state_page(page, 24, &v), BAD_VP);
}

static void unmap_vp_state_page(void **state)
{
	struct hvroot_vp_state_page v;
	(void)state;

	put64(0, CHILD);
	put32(8, 0);
	put32(12, HV_VP_STATE_PAGE_REGISTERS);
	assert_int_equal(hvroot_decode_unmap_vp_state_page(page, 16, &v), OK);
	assert_int_equal(v.type, HV_VP_STATE_PAGE_REGISTERS);
	put8(15, 1);						/* rsvd */
	assert_int_equal(hvroot_decode_unmap_vp_state_page(page, 16, &v), BAD_PARAM);
	put32(12, 3);
	assert_int_equal(hvroot_decode_unmap_vp_state_page(page, 16, &v), BAD_PARAM);
	put32(12, 1);
	put32(8, 300);
	assert_int_equal(hvroot_decode_unmap_vp_state_page(page, 16, &v), BAD_VP);
	assert_int_equal(hvroot_decode_unmap_vp_state_page(page, 15, &v), BAD_ALIGN);
}

static void put_stats(uint32_t type, uint8_t area)
{
	memset(page, 0, 24);
	put32(0, type);
	put64(8, CHILD);
	put32(16, 3);
	put8(23, area);
}

static void stats_pages(void **state)
{
	struct hvroot_stats_page s;
	(void)state;

	put_stats(HV_STATS_OBJECT_VP, HV_STATS_AREA_SELF);
	assert_int_equal(hvroot_decode_map_stats_page(page, PAGE, &s), OK);
	assert_int_equal(s.partition_id, CHILD);
	assert_int_equal(s.vp_index, 3);
	assert_int_equal(s.area, HV_STATS_AREA_SELF);
	put_stats(HV_STATS_OBJECT_VP, HV_STATS_AREA_PARENT);
	assert_int_equal(hvroot_decode_unmap_stats_page(page, 24, &s), OK);
	assert_int_equal(s.area, HV_STATS_AREA_PARENT);

	put_stats(HV_STATS_OBJECT_VP, 2);			/* INTERNAL */
	assert_int_equal(hvroot_decode_map_stats_page(page, PAGE, &s), BAD_PARAM);
	put_stats(0x00010001, 0);				/* a partition object */
	assert_int_equal(hvroot_decode_map_stats_page(page, PAGE, &s), BAD_PARAM);
	put_stats(HV_STATS_OBJECT_VP, 0);
	put32(4, 1);						/* padding */
	assert_int_equal(hvroot_decode_unmap_stats_page(page, PAGE, &s), BAD_PARAM);
	put_stats(HV_STATS_OBJECT_VP, 0);
	put16(20, 1);						/* identity flags */
	assert_int_equal(hvroot_decode_map_stats_page(page, PAGE, &s), BAD_PARAM);
	put_stats(HV_STATS_OBJECT_VP, 0);
	put32(16, 256);
	assert_int_equal(hvroot_decode_map_stats_page(page, PAGE, &s), BAD_VP);
	put_stats(HV_STATS_OBJECT_VP, 0);
	put64(8, 0);
	assert_int_equal(hvroot_decode_map_stats_page(page, PAGE, &s), BAD_PART);
	assert_int_equal(hvroot_decode_map_stats_page(page, 23, &s), BAD_ALIGN);
}

/* ---- InstallIntercept ---- */

static struct hvroot_install_intercept ii;

static uint16_t install(uint32_t access, uint32_t type, uint64_t param)
{
	put64(0, CHILD);
	put32(8, access);
	put32(12, type);
	put64(16, param);
	return hvroot_decode_install_intercept(page, 24, &ii);
}

static void install_intercept(void **state)
{
	(void)state;

	assert_int_equal(install(HV_INTERCEPT_ACCESS_MASK_READ | HV_INTERCEPT_ACCESS_MASK_WRITE,
				 HV_INTERCEPT_TYPE_X64_IO_PORT, 0x3f8), OK);
	assert_int_equal(ii.parameter, 0x3f8);
	assert_int_equal(ii.type, HV_INTERCEPT_TYPE_X64_IO_PORT);
	/* VMMs fill the union's narrow member only: the rest is stale, and not read */
	assert_int_equal(install(HV_INTERCEPT_ACCESS_MASK_EXECUTE, HV_INTERCEPT_TYPE_X64_CPUID,
				 0xa5a5a5a540000000ull), OK);
	assert_int_equal(ii.parameter, 0x40000000);
	assert_int_equal(install(HV_INTERCEPT_ACCESS_MASK_EXECUTE, HV_INTERCEPT_TYPE_EXCEPTION,
				 0xa5a5a5a5a5a50003ull), OK);
	assert_int_equal(ii.parameter, 3);
	assert_int_equal(install(HV_INTERCEPT_ACCESS_MASK_WRITE, HV_INTERCEPT_TYPE_X64_MSR_INDEX,
				 0xa5a5a5a50000001bull), OK);
	assert_int_equal(ii.parameter, 0x1b);
	assert_int_equal(install(HV_INTERCEPT_ACCESS_MASK_WRITE, HV_INTERCEPT_TYPE_X64_IO_PORT,
				 0xa5a5a5a5a5a50060ull), OK);
	assert_int_equal(ii.parameter, 0x60);
	assert_int_equal(install(HV_INTERCEPT_ACCESS_MASK_EXECUTE, HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID,
				 ~0ull), OK);
	assert_int_equal(ii.parameter, 0);
	/* mask 0: Hyperlight's "off" (HV_INTERCEPT_ACCESS_MASK_NONE) */
	assert_int_equal(install(0, HV_INTERCEPT_TYPE_EXCEPTION, 1), OK);

	assert_int_equal(install(HV_INTERCEPT_ACCESS_MASK_EXECUTE, HV_INTERCEPT_TYPE_EXCEPTION, 32),
			 BAD_PARAM);
	assert_int_equal(ii.type, 0);
	assert_int_equal(install(HV_INTERCEPT_ACCESS_MASK_READ, 4, 0), BAD_PARAM);
	assert_int_equal(install(HV_INTERCEPT_ACCESS_MASK_READ, 0xd, 0), BAD_PARAM);
	assert_int_equal(install(0x8, HV_INTERCEPT_TYPE_X64_IO_PORT, 0x60), BAD_PARAM);
	put64(0, 0);
	assert_int_equal(hvroot_decode_install_intercept(page, 24, &ii), BAD_PART);
	assert_int_equal(hvroot_decode_install_intercept(page, 23, &ii), BAD_ALIGN);
}

static void list_fits(void **state)
{
	(void)state;
	assert_true(hvroot_list_fits(PAGE, 24, 8, 509));
	assert_false(hvroot_list_fits(PAGE, 24, 8, 510));
	assert_false(hvroot_list_fits(16, 24, 8, 0));
	assert_true(hvroot_list_fits(24, 24, 8, 0));
	assert_false(hvroot_list_fits(PAGE, 16, 32, 0xffffffffu));	/* no wrap-around */
	assert_false(hvroot_list_fits(SIZE_MAX, 0, SIZE_MAX / 2 + 1, 3));
	assert_false(hvroot_list_fits(2 * PAGE, 8, 8, 512));		/* one page at most */
	assert_true(hvroot_list_fits(2 * PAGE, 8, 8, 511));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(create_partition, setup),
		cmocka_unit_test_setup(partition_lifecycle, setup),
		cmocka_unit_test_setup(partition_properties, setup),
		cmocka_unit_test_setup(deposit_memory, setup),
		cmocka_unit_test_setup(withdraw_memory, setup),
		cmocka_unit_test_setup(map_gpa_pages, setup),
		cmocka_unit_test_setup(map_gpa_large_pages, setup),
		cmocka_unit_test_setup(unmap_gpa_pages, setup),
		cmocka_unit_test_setup(create_vp, setup),
		cmocka_unit_test_setup(delete_vp, setup),
		cmocka_unit_test_setup(get_vp_registers, setup),
		cmocka_unit_test_setup(set_vp_registers, setup),
		cmocka_unit_test_setup(register_table, setup),
		cmocka_unit_test_setup(system_property, setup),
		cmocka_unit_test_setup(assert_virtual_interrupt, setup),
		cmocka_unit_test_setup(map_vp_state_page, setup),
		cmocka_unit_test_setup(unmap_vp_state_page, setup),
		cmocka_unit_test_setup(stats_pages, setup),
		cmocka_unit_test_setup(install_intercept, setup),
		cmocka_unit_test_setup(list_fits, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
