/*
 * Decoders for the inputs of the root-partition hypercalls (wire format:
 * core/abi/hvroot.h; rules and statuses: docs/hypercalls.md). Pure code:
 * no partition or VP state, no side effects. A handler decodes first and
 * then acts on the typed result only.
 *
 * Every decoder takes the engine's private copy of the input:
 *   in, len   for a memory call, the bytes from the input GPA to the end of
 *             its 4 KiB page (so len <= HV_HYP_PAGE_SIZE); for a fast call,
 *             the input registers in order, 8 bytes each, little-endian.
 *             Bytes past what the call reads are ignored (mshv's fast8
 *             calls leave R8 unset). An input, or a rep list, that needs
 *             more than len bytes runs past its page: INVALID_ALIGNMENT
 *             (TLFS 6.0, Appendix B: "the input parameter list spans pages").
 *   rep_count, rep_start  (rep calls) from the input value.
 * It returns HV_STATUS_SUCCESS with *out filled, or the status for the
 * caller. A rep call's decoder checks elements from rep_start on and stops
 * at the first bad one: out->reps.end is its index (rep_start if the header
 * is bad), so the handler performs [start, end) and returns the status
 * with end reps completed, as the TLFS rep convention asks (3.7).
 *
 * List pointers point into in; they stay valid as long as the copy does.
 */
#ifndef CORE_HVROOT_DECODE_H
#define CORE_HVROOT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/abi/hvroot.h"

/* mshv's MSHV_MAX_VPS: a VP index names VP 0-255 (the partition's own limit is the handler's). */
#define HVROOT_VP_INDEX_LIMIT	256u

/* A rep call's elements: [start, count) asked for, [start, end) valid. */
struct hvroot_reps {
	uint16_t start;
	uint16_t count;
	uint16_t end;
};

struct hvroot_create_partition {
	uint64_t flags;				/* HV_PARTITION_CREATION_FLAG_*, known bits only */
	uint32_t compatibility_version;
	struct hv_proximity_domain_info proximity;
	uint64_t disabled_processor_features[HV_PARTITION_PROCESSOR_FEATURES_BANKS];
	uint64_t disabled_processor_xsave_features;
};

/* Initialize-, Finalize-, DeletePartition: the target, never 0 or SELF. */
struct hvroot_partition {
	uint64_t partition_id;
};

struct hvroot_partition_property {
	uint64_t partition_id;
	uint32_t code;				/* a known HV_PARTITION_PROPERTY_* */
	uint64_t value;				/* Set only */
};

struct hvroot_deposit_memory {
	uint64_t partition_id;
	struct hvroot_reps reps;
	const uint8_t *pfns;			/* u64 [count]: hvroot_list_u64() */
};

struct hvroot_withdraw_memory {
	uint64_t partition_id;
	struct hv_proximity_domain_info proximity;
	struct hvroot_reps reps;		/* output: one u64 PFN per rep */
};

struct hvroot_map_gpa_pages {
	uint64_t partition_id;
	uint64_t gfn_base;			/* rep i maps gfn_base + i * pages_per_rep */
	uint32_t flags;				/* HV_MAP_GPA_* */
	uint32_t pages_per_rep;			/* 1, or 512 with LARGE_PAGE */
	struct hvroot_reps reps;
	const uint8_t *pfns;			/* u64 [count]: root PFNs (0 with NO_ACCESS) */
};

struct hvroot_unmap_gpa_pages {
	uint64_t partition_id;
	uint64_t gfn_base;
	uint32_t flags;				/* HV_UNMAP_GPA_* */
	uint32_t pages_per_rep;
	struct hvroot_reps reps;
};

struct hvroot_install_intercept {
	uint64_t partition_id;
	uint32_t access_mask;			/* HV_INTERCEPT_ACCESS_MASK_* */
	uint32_t type;				/* HV_INTERCEPT_TYPE_* */
	uint64_t parameter;			/* port, leaf, vector, MSR or APIC mask; else 0 */
};

struct hvroot_create_vp {
	uint64_t partition_id;
	uint32_t vp_index;			/* < HVROOT_VP_INDEX_LIMIT */
	struct hv_proximity_domain_info proximity;
	bool lp_valid;				/* flags: HV_X_CREATE_VP_LP_VALID */
	uint32_t lp;				/* the CPU asked for (checked by the handler) */
};

struct hvroot_vp {
	uint64_t partition_id;
	uint32_t vp_index;
};

struct hvroot_get_vp_registers {
	uint64_t partition_id;
	uint32_t vp_index;			/* < HVROOT_VP_INDEX_LIMIT or HV_VP_INDEX_SELF */
	struct hvroot_reps reps;		/* output: one hv_register_value per rep */
	const uint8_t *names;			/* u32 [count]: hvroot_list_u32() */
};

struct hvroot_set_vp_registers {
	uint64_t partition_id;
	uint32_t vp_index;
	struct hvroot_reps reps;
	const struct hv_register_assoc *assocs;	/* [count], packed: safe at any alignment */
};

struct hvroot_system_property {
	uint32_t property_id;			/* HV_SYSTEM_PROPERTY_SCHEDULER_TYPE */
};

struct hvroot_assert_interrupt {
	uint64_t partition_id;
	uint32_t type;				/* HV_X64_INTERRUPT_TYPE_* */
	bool level_triggered;
	bool logical_dest;
	uint32_t dest_apic_id;
	uint8_t vector;
};

struct hvroot_vp_state_page {
	uint64_t partition_id;
	uint32_t vp_index;
	uint16_t type;				/* HV_VP_STATE_PAGE_* */
	bool location_provided;			/* Map only */
	uint64_t location_pfn;			/* Map only, 0 unless provided */
};

struct hvroot_stats_page {
	uint64_t partition_id;
	uint32_t vp_index;
	uint8_t area;				/* HV_STATS_AREA_SELF or _PARENT */
};

/* The registers Get/SetVpRegisters know, and what a Set may write to each. */
enum hvroot_reg_check {
	HVROOT_REG_U64,		/* any value (state-dependent checks are the handler's) */
	HVROOT_REG_U128,	/* XMM: all 16 bytes */
	HVROOT_REG_SUSPEND,	/* bit 0 only */
	HVROOT_REG_RFLAGS,	/* bit 1 set; 3, 5, 15, 63:22 clear */
	HVROOT_REG_CR0,		/* 63:32 clear; PG needs PE, NW needs CD */
	HVROOT_REG_CR3,		/* 63:52 clear */
	HVROOT_REG_CR4,		/* reserved bits clear (15, 26, 27, 63:29) */
	HVROOT_REG_CR8,		/* 63:4 clear */
	HVROOT_REG_DR67,	/* 63:32 clear */
	HVROOT_REG_SEGMENT,	/* attribute bits 11:8 clear */
	HVROOT_REG_TABLE,	/* pad clear */
	HVROOT_REG_PENDING_INT,	/* rsvd bits 15:10 clear */
	HVROOT_REG_INT_STATE,	/* bits 63:2 clear */
};

/* Names first..last, all checked alike. */
struct hvroot_reg_info {
	uint32_t first, last;
	uint8_t check;		/* enum hvroot_reg_check */
	bool read_only;		/* Get only */
};

/* The entry for a register name, or NULL for a name not in the table. */
const struct hvroot_reg_info *hvroot_reg_lookup(uint32_t name);
/* The whole table, sorted by name, and its length (for tests). */
const struct hvroot_reg_info *hvroot_reg_table(size_t *n);
/*
 * Whether v is a value a Set may write to r (TLFS HvCallSetVpRegisters:
 * reserved and fixed bits). All but U128, SEGMENT and TABLE are 64-bit
 * registers: only reg64 is read, the upper 8 bytes are ignored.
 */
bool hvroot_reg_value_ok(const struct hvroot_reg_info *r, const union hv_register_value *v);

/* Whether hdr bytes plus count elements of elem bytes fit in len, and in one page (no overflow). */
bool hvroot_list_fits(size_t len, size_t hdr, size_t elem, uint32_t count);

static inline uint64_t hvroot_list_u64(const uint8_t *list, unsigned i)
{
	uint64_t v;

	__builtin_memcpy(&v, list + (size_t)i * 8, 8);
	return v;
}

static inline uint32_t hvroot_list_u32(const uint8_t *list, unsigned i)
{
	uint32_t v;

	__builtin_memcpy(&v, list + (size_t)i * 4, 4);
	return v;
}

uint16_t hvroot_decode_create_partition(const uint8_t *in, size_t len,
					struct hvroot_create_partition *out);
uint16_t hvroot_decode_initialize_partition(const uint8_t *in, size_t len,
					    struct hvroot_partition *out);
uint16_t hvroot_decode_finalize_partition(const uint8_t *in, size_t len,
					  struct hvroot_partition *out);
uint16_t hvroot_decode_delete_partition(const uint8_t *in, size_t len,
					struct hvroot_partition *out);
uint16_t hvroot_decode_get_partition_property(const uint8_t *in, size_t len,
					      struct hvroot_partition_property *out);
uint16_t hvroot_decode_set_partition_property(const uint8_t *in, size_t len,
					      struct hvroot_partition_property *out);
uint16_t hvroot_decode_deposit_memory(const uint8_t *in, size_t len, uint32_t rep_count,
				      uint32_t rep_start, struct hvroot_deposit_memory *out);
uint16_t hvroot_decode_withdraw_memory(const uint8_t *in, size_t len, uint32_t rep_count,
				       uint32_t rep_start, struct hvroot_withdraw_memory *out);
uint16_t hvroot_decode_map_gpa_pages(const uint8_t *in, size_t len, uint32_t rep_count,
				     uint32_t rep_start, struct hvroot_map_gpa_pages *out);
uint16_t hvroot_decode_unmap_gpa_pages(const uint8_t *in, size_t len, uint32_t rep_count,
				       uint32_t rep_start, struct hvroot_unmap_gpa_pages *out);
uint16_t hvroot_decode_install_intercept(const uint8_t *in, size_t len,
					 struct hvroot_install_intercept *out);
uint16_t hvroot_decode_create_vp(const uint8_t *in, size_t len, struct hvroot_create_vp *out);
uint16_t hvroot_decode_delete_vp(const uint8_t *in, size_t len, struct hvroot_vp *out);
uint16_t hvroot_decode_get_vp_registers(const uint8_t *in, size_t len, uint32_t rep_count,
					uint32_t rep_start, struct hvroot_get_vp_registers *out);
uint16_t hvroot_decode_set_vp_registers(const uint8_t *in, size_t len, uint32_t rep_count,
					uint32_t rep_start, struct hvroot_set_vp_registers *out);
uint16_t hvroot_decode_get_system_property(const uint8_t *in, size_t len,
					   struct hvroot_system_property *out);
uint16_t hvroot_decode_assert_virtual_interrupt(const uint8_t *in, size_t len,
						struct hvroot_assert_interrupt *out);
uint16_t hvroot_decode_map_vp_state_page(const uint8_t *in, size_t len,
					 struct hvroot_vp_state_page *out);
uint16_t hvroot_decode_unmap_vp_state_page(const uint8_t *in, size_t len,
					   struct hvroot_vp_state_page *out);
uint16_t hvroot_decode_map_stats_page(const uint8_t *in, size_t len, struct hvroot_stats_page *out);
uint16_t hvroot_decode_unmap_stats_page(const uint8_t *in, size_t len, struct hvroot_stats_page *out);

#endif
