/*
 * Root-partition hypercalls: the wire format of their inputs and outputs,
 * and of the intercept messages the root receives, as Linux's mshv driver
 * (6.15-6.18) and its VMMs use them. Shared by the hypervisor and the root
 * partition. Everything is packed and little-endian; sizes and offsets are
 * those of ../shared/ref/hyperv-root-abi.md (sections 4 and 6), which gives
 * the Linux header (hvgdk_mini.h, hvhdk_mini.h, hvhdk.h) and TLFS page for
 * each. Call codes, status codes and privilege bits: core/abi/hypercall.h.
 * What each call accepts and returns: docs/hypercalls.md.
 *
 * A field named padding/rsvd that mshv leaves unwritten is marked
 * "ignored"; every other reserved field must be zero.
 */
#ifndef CORE_ABI_HVROOT_H
#define CORE_ABI_HVROOT_H

#include <stddef.h>
#include <stdint.h>

#include "core/abi/synic.h"

#define HV_PACKED		__attribute__((packed))

/* TLFS 6.0, 3.7: input and output lists lie in one 4 KiB page each. */
#define HV_HYP_PAGE_SIZE	4096u
#define HV_HYP_LARGE_PAGE_PAGES	512u		/* 4 KiB pages in a 2 MiB page */
/* Physical (and guest-physical) addresses have at most 52 bits: page numbers below 2^40. */
#define HV_PFN_LIMIT		(1ull << 40)

/* A NUMA hint (hvhdk_mini.h hv_proximity_domain_info): flags bit 0 preferred, bit 31 valid. */
struct hv_proximity_domain_info {
	uint32_t domain_id;
	uint32_t flags;
} HV_PACKED;
#define HV_PROXIMITY_PREFERRED		(1u << 0)
#define HV_PROXIMITY_INFO_VALID		(1u << 31)
#define HV_PROXIMITY_FLAGS_KNOWN	(HV_PROXIMITY_PREFERRED | HV_PROXIMITY_INFO_VALID)
_Static_assert(sizeof(struct hv_proximity_domain_info) == 8, "proximity info is 8 bytes");

/* HV_INPUT_VTL: target_vtl:4, use_target_vtl:1, rsvd:3. Only VTL 0 exists here. */
#define HV_INPUT_VTL_TARGET_MASK	0x0fu
#define HV_INPUT_VTL_USE_TARGET		0x10u

/* ---- HvCallCreatePartition (0x0040), hyperv-root-abi.md 4.1 ---- */

/* Creation flags (hvhdk.h, TLFS hv_partition_creation_flags): the ones mshv can send. */
#define HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST			(1ull << 0)
#define HV_PARTITION_CREATION_FLAG_NESTED_VIRTUALIZATION_CAPABLE	(1ull << 1)
#define HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED		(1ull << 4)
#define HV_PARTITION_CREATION_FLAG_EXO_PARTITION			(1ull << 8)
#define HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED			(1ull << 13)
#define HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED	(1ull << 19)
#define HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE			(1ull << 22)
#define HV_PARTITION_CREATION_FLAGS_KNOWN \
	(HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST | \
	 HV_PARTITION_CREATION_FLAG_NESTED_VIRTUALIZATION_CAPABLE | \
	 HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED | HV_PARTITION_CREATION_FLAG_EXO_PARTITION | \
	 HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED | \
	 HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED | \
	 HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE)

#define HV_COMPATIBILITY_21_H2		0x0609u		/* (6 << 8) | 9, what mshv sends */
#define HV_PARTITION_PROCESSOR_FEATURES_BANKS	2

struct hv_input_create_partition {
	uint64_t flags;
	struct hv_proximity_domain_info proximity_domain_info;
	uint32_t compatibility_version;
	uint32_t padding;					/* RsvdZ (mshv zeroes it) */
	uint64_t disabled_processor_features[HV_PARTITION_PROCESSOR_FEATURES_BANKS];
	uint64_t disabled_processor_xsave_features;
	uint64_t isolation_properties;				/* 0: no isolation (TLFS: ReservedZ) */
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_create_partition) == 56, "CreatePartition input is 56 bytes");
_Static_assert(offsetof(struct hv_input_create_partition, compatibility_version) == 16, "4.1");
_Static_assert(offsetof(struct hv_input_create_partition, disabled_processor_features) == 24, "4.1");
_Static_assert(offsetof(struct hv_input_create_partition, disabled_processor_xsave_features) == 40, "4.1");
_Static_assert(offsetof(struct hv_input_create_partition, isolation_properties) == 48, "4.1");

struct hv_output_create_partition {
	uint64_t partition_id;
} HV_PACKED;
_Static_assert(sizeof(struct hv_output_create_partition) == 8, "CreatePartition output is 8 bytes");

/* ---- Initialize (0x0041), Finalize (0x0042), Delete (0x0043): fast8, 4.3, 4.18, 4.19 ---- */

struct hv_input_partition_id {
	uint64_t partition_id;
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_partition_id) == 8, "one partition id");

/* ---- Get/SetPartitionProperty (0x0044/0x0045), 4.2 ---- */

#define HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS			0x00010000u
#define HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES		0x00010001u
#define HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING		0x00050005u
#define HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION		0x00050017u
#define HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES		0x00060002u
#define HV_PARTITION_PROPERTY_XSAVE_STATES			0x00060007u
#define HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE		0x00060008u
#define HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY	0x00060009u
#define HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0		0x0006000au
#define HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1		0x0006000bu
/* Only through GetPartitionPropertyEx (0x0101, not decoded here). */
#define HV_PARTITION_PROPERTY_VMM_CAPABILITIES			0x00090007u
#define HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES 0x00090009u

struct hv_input_get_partition_property {
	uint64_t partition_id;
	uint32_t property_code;
	uint32_t padding;			/* RsvdZ */
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_get_partition_property) == 16, "4.2");

struct hv_output_get_partition_property {
	uint64_t property_value;
} HV_PACKED;
_Static_assert(sizeof(struct hv_output_get_partition_property) == 8, "4.2");

struct hv_input_set_partition_property {
	uint64_t partition_id;
	uint32_t property_code;
	uint32_t padding;			/* RsvdZ */
	uint64_t property_value;
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_set_partition_property) == 24, "4.2");
_Static_assert(offsetof(struct hv_input_set_partition_property, property_value) == 16, "4.2");

/* GetPartitionId (0x0046): no input; its output is in core/abi/hypercall.h. */

/* ---- DepositMemory (0x0048, rep), 4.4 and 3 ---- */

struct hv_input_deposit_memory {
	uint64_t partition_id;
	uint64_t gpa_page_list[];		/* one root PFN per rep */
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_deposit_memory) == 8, "4.4: the list follows 8 bytes of header");
#define HV_DEPOSIT_MAX	((HV_HYP_PAGE_SIZE - 8) / 8)	/* 511, mshv's HV_DEPOSIT_MAX */

/* ---- WithdrawMemory (0x0049, rep), 4.5 ---- */

struct hv_input_withdraw_memory {
	uint64_t partition_id;
	struct hv_proximity_domain_info proximity_domain_info;
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_withdraw_memory) == 16, "4.5");
/* Output: uint64_t gpa_page_list[rep count], one PFN per completed rep. */
#define HV_WITHDRAW_MAX	(HV_HYP_PAGE_SIZE / 8)		/* 512, mshv's HV_WITHDRAW_BATCH_SIZE */

/* ---- MapGpaPages (0x004B, rep) and UnmapGpaPages (0x004C, rep), 4.6 and 4.7 ---- */

#define HV_MAP_GPA_READABLE		0x00000001u
#define HV_MAP_GPA_WRITABLE		0x00000002u
#define HV_MAP_GPA_KERNEL_EXECUTABLE	0x00000004u
#define HV_MAP_GPA_USER_EXECUTABLE	0x00000008u
#define HV_MAP_GPA_EXECUTABLE		0x0000000cu
#define HV_MAP_GPA_PERMISSIONS_MASK	0x0000000fu
#define HV_MAP_GPA_ADJUSTABLE		0x00008000u
#define HV_MAP_GPA_NO_ACCESS		0x00010000u
#define HV_MAP_GPA_NOT_CACHED		0x00200000u
#define HV_MAP_GPA_LARGE_PAGE		0x80000000u
#define HV_MAP_GPA_FLAGS_KNOWN	(HV_MAP_GPA_PERMISSIONS_MASK | HV_MAP_GPA_ADJUSTABLE | \
				 HV_MAP_GPA_NO_ACCESS | HV_MAP_GPA_NOT_CACHED | HV_MAP_GPA_LARGE_PAGE)

struct hv_input_map_gpa_pages {
	uint64_t target_partition_id;
	uint64_t target_gpa_base;		/* a GFN, in 4 KiB units even for large pages */
	uint32_t map_flags;
	uint32_t padding;			/* ignored: mshv leaves it unwritten (1.1) */
	uint64_t source_gpa_page_list[];	/* one root PFN per rep */
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_map_gpa_pages) == 24, "4.6");
_Static_assert(offsetof(struct hv_input_map_gpa_pages, map_flags) == 16, "4.6");
#define HV_MAP_GPA_MAX	((HV_HYP_PAGE_SIZE - 24) / 8)	/* 509, mshv's HV_MAP_GPA_BATCH_SIZE */

#define HV_UNMAP_GPA_KEEP_PRECOMMITTED	0x00000001u	/* TLFS only; value UNCONFIRMED (11.11) */
#define HV_UNMAP_GPA_LARGE_PAGE		0x00000002u
#define HV_UNMAP_GPA_FLAGS_KNOWN	(HV_UNMAP_GPA_KEEP_PRECOMMITTED | HV_UNMAP_GPA_LARGE_PAGE)

struct hv_input_unmap_gpa_pages {
	uint64_t target_partition_id;
	uint64_t target_gpa_base;
	uint32_t unmap_flags;
	uint32_t padding;			/* ignored: mshv leaves it unwritten (1.1) */
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_unmap_gpa_pages) == 24, "4.7");

/* ---- InstallIntercept (0x004D), 4.12 ---- */

#define HV_INTERCEPT_ACCESS_MASK_READ		0x1u
#define HV_INTERCEPT_ACCESS_MASK_WRITE		0x2u
#define HV_INTERCEPT_ACCESS_MASK_EXECUTE	0x4u
#define HV_INTERCEPT_ACCESS_MASK_ALL		0x7u

#define HV_INTERCEPT_TYPE_X64_IO_PORT			0x0u	/* parameter: u16 port */
#define HV_INTERCEPT_TYPE_X64_MSR			0x1u
#define HV_INTERCEPT_TYPE_X64_CPUID			0x2u	/* parameter: u32 leaf */
#define HV_INTERCEPT_TYPE_EXCEPTION			0x3u	/* parameter: u16 vector */
#define HV_INTERCEPT_TYPE_MMIO				0x5u
#define HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID		0x6u
#define HV_INTERCEPT_TYPE_X64_APIC_SMI			0x7u
#define HV_INTERCEPT_TYPE_HYPERCALL			0x8u
#define HV_INTERCEPT_TYPE_X64_APIC_INIT_SIPI		0x9u
#define HV_INTERCEPT_TYPE_MC_UPDATE_PATCH_LEVEL_MSR_READ 0xau
#define HV_INTERCEPT_TYPE_X64_APIC_WRITE		0xbu
#define HV_INTERCEPT_TYPE_X64_MSR_INDEX			0xcu	/* parameter: u32 MSR */

struct hv_input_install_intercept {
	uint64_t partition_id;
	uint32_t access_type;			/* HV_INTERCEPT_ACCESS_MASK_* */
	uint32_t intercept_type;
	uint64_t intercept_parameter;		/* union: u16 port, vector or APIC mask; u32 leaf or MSR */
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_install_intercept) == 24, "4.12");

/* ---- CreateVp (0x004E) and DeleteVp (0x004F, fast16), 4.8 and 4.17 ---- */

#define HV_SUBNODE_ANY	0u

struct hv_input_create_vp {
	uint64_t partition_id;
	uint32_t vp_index;
	uint8_t padding[3];			/* ignored: mshv leaves it unwritten (1.1) */
	uint8_t subnode_type;
	uint64_t subnode_id;			/* ignored: mshv leaves it unwritten (1.1) */
	struct hv_proximity_domain_info proximity_domain_info;
	uint64_t flags;				/* RsvdZ for a child (TLFS) */
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_create_vp) == 40, "4.8");
_Static_assert(offsetof(struct hv_input_create_vp, subnode_type) == 15, "4.8");
_Static_assert(offsetof(struct hv_input_create_vp, subnode_id) == 16, "4.8");
_Static_assert(offsetof(struct hv_input_create_vp, proximity_domain_info) == 24, "4.8");
_Static_assert(offsetof(struct hv_input_create_vp, flags) == 32, "4.8");

struct hv_input_delete_vp {
	uint64_t partition_id;
	uint32_t vp_index;
	uint32_t reserved;			/* RsvdZ (mshv zero-initialises it) */
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_delete_vp) == 16, "4.17");

/* ---- Registers (4.11): hv_register_value and its members ---- */

/* Attributes: type:4, S:1, DPL:2, P:1, rsvd:4, AVL:1, L:1, D/B:1, G:1. */
struct hv_x64_segment_register {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint16_t attributes;
} HV_PACKED;
_Static_assert(sizeof(struct hv_x64_segment_register) == 16, "4.11");
_Static_assert(offsetof(struct hv_x64_segment_register, selector) == 12, "4.11");
_Static_assert(offsetof(struct hv_x64_segment_register, attributes) == 14, "4.11");
#define HV_X64_SEGMENT_ATTR_RSVD	0x0f00u

struct hv_x64_table_register {
	uint16_t pad[3];
	uint16_t limit;
	uint64_t base;
} HV_PACKED;
_Static_assert(sizeof(struct hv_x64_table_register) == 16, "4.11");
_Static_assert(offsetof(struct hv_x64_table_register, limit) == 6, "4.11");
_Static_assert(offsetof(struct hv_x64_table_register, base) == 8, "4.11");

/* 16 bytes; a 64-bit register is reg64 (the upper 8 bytes: see docs/hypercalls.md). */
union hv_register_value {
	uint64_t as_u64[2];
	uint64_t reg64;
	uint32_t reg32;
	struct hv_x64_segment_register segment;
	struct hv_x64_table_register table;
	uint8_t bytes[16];
} HV_PACKED;
_Static_assert(sizeof(union hv_register_value) == 16, "4.11");

/* Suspend registers: bit 0 = suspended. */
#define HV_REGISTER_SUSPEND_BIT			0x1ull

/* PENDING_INTERRUPTION: pending:1, type:3, deliver_error_code:1, instr_len:4, nested:1, rsvd:6, vector:16, error_code:32. */
#define HV_X64_PENDING_INTERRUPTION_PENDING	(1ull << 0)
#define HV_X64_PENDING_INTERRUPTION_RSVD	(0x3full << 10)
/* INTERRUPT_STATE: bit 0 interrupt_shadow, bit 1 nmi_masked. */
#define HV_X64_INTERRUPT_STATE_KNOWN		0x3ull

/* Register names (rust-vmm hvgdk_mini.h enum hv_register_name, TLFS hv_register_name). */
#define HV_REGISTER_EXPLICIT_SUSPEND		0x00000000u
#define HV_REGISTER_INTERCEPT_SUSPEND		0x00000001u
#define HV_REGISTER_DISPATCH_SUSPEND		0x00000003u
#define HV_REGISTER_PENDING_INTERRUPTION	0x00010002u
#define HV_REGISTER_INTERRUPT_STATE		0x00010003u
#define HV_X64_REGISTER_RAX			0x00020000u
#define HV_X64_REGISTER_RCX			0x00020001u
#define HV_X64_REGISTER_RDX			0x00020002u
#define HV_X64_REGISTER_RBX			0x00020003u
#define HV_X64_REGISTER_RSP			0x00020004u
#define HV_X64_REGISTER_RBP			0x00020005u
#define HV_X64_REGISTER_RSI			0x00020006u
#define HV_X64_REGISTER_RDI			0x00020007u
#define HV_X64_REGISTER_R8			0x00020008u
#define HV_X64_REGISTER_R15			0x0002000fu
#define HV_X64_REGISTER_RIP			0x00020010u
#define HV_X64_REGISTER_RFLAGS			0x00020011u
#define HV_X64_REGISTER_XMM0			0x00030000u
#define HV_X64_REGISTER_XMM15			0x0003000fu
#define HV_X64_REGISTER_CR0			0x00040000u
#define HV_X64_REGISTER_CR2			0x00040001u
#define HV_X64_REGISTER_CR3			0x00040002u
#define HV_X64_REGISTER_CR4			0x00040003u
#define HV_X64_REGISTER_CR8			0x00040004u
#define HV_X64_REGISTER_XFEM			0x00040005u
#define HV_X64_REGISTER_INTERMEDIATE_CR0	0x00041000u
#define HV_X64_REGISTER_INTERMEDIATE_CR3	0x00041002u
#define HV_X64_REGISTER_INTERMEDIATE_CR4	0x00041003u
#define HV_X64_REGISTER_INTERMEDIATE_CR8	0x00041004u
#define HV_X64_REGISTER_DR0			0x00050000u
#define HV_X64_REGISTER_DR3			0x00050003u
#define HV_X64_REGISTER_DR6			0x00050004u
#define HV_X64_REGISTER_DR7			0x00050005u
#define HV_X64_REGISTER_ES			0x00060000u
#define HV_X64_REGISTER_CS			0x00060001u
#define HV_X64_REGISTER_SS			0x00060002u
#define HV_X64_REGISTER_DS			0x00060003u
#define HV_X64_REGISTER_FS			0x00060004u
#define HV_X64_REGISTER_GS			0x00060005u
#define HV_X64_REGISTER_LDTR			0x00060006u
#define HV_X64_REGISTER_TR			0x00060007u
#define HV_X64_REGISTER_IDTR			0x00070000u
#define HV_X64_REGISTER_GDTR			0x00070001u
#define HV_X64_REGISTER_TSC			0x00080000u
#define HV_X64_REGISTER_EFER			0x00080001u
#define HV_X64_REGISTER_KERNEL_GS_BASE		0x00080002u
#define HV_X64_REGISTER_APIC_BASE		0x00080003u
#define HV_X64_REGISTER_PAT			0x00080004u
#define HV_X64_REGISTER_SYSENTER_CS		0x00080005u
#define HV_X64_REGISTER_SYSENTER_EIP		0x00080006u
#define HV_X64_REGISTER_SYSENTER_ESP		0x00080007u
#define HV_X64_REGISTER_STAR			0x00080008u
#define HV_X64_REGISTER_LSTAR			0x00080009u
#define HV_X64_REGISTER_CSTAR			0x0008000au
#define HV_X64_REGISTER_SFMASK			0x0008000bu
#define HV_REGISTER_VP_ROOT_SIGNAL_COUNT	0x00090014u

/* ---- Get/SetVpRegisters (0x0050/0x0051, rep), 4.11 ---- */

struct hv_input_vp_registers_header {
	uint64_t partition_id;
	uint32_t vp_index;
	uint8_t input_vtl;
	uint8_t rsvd_z8;
	uint16_t rsvd_z16;
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_vp_registers_header) == 16, "4.11");
_Static_assert(offsetof(struct hv_input_vp_registers_header, input_vtl) == 12, "4.11");

struct hv_input_get_vp_registers {
	struct hv_input_vp_registers_header header;
	uint32_t names[];			/* one register name per rep */
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_get_vp_registers) == 16, "4.11");
/* Output: union hv_register_value values[rep count]. */
#define HV_GET_VP_REGISTERS_MAX	((HV_HYP_PAGE_SIZE - 16) / 4)	/* 1020 names fit the input page */
#define HV_GET_VP_REGISTERS_OUT_MAX	(HV_HYP_PAGE_SIZE / 16)	/* 256 values fit the output page */

struct hv_register_assoc {
	uint32_t name;
	uint32_t rsvd1;				/* RsvdZ */
	uint64_t rsvd2;				/* RsvdZ */
	union hv_register_value value;
} HV_PACKED;
_Static_assert(sizeof(struct hv_register_assoc) == 32, "4.11");
_Static_assert(offsetof(struct hv_register_assoc, value) == 16, "4.11");

struct hv_input_set_vp_registers {
	struct hv_input_vp_registers_header header;
	struct hv_register_assoc elements[];	/* one per rep */
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_set_vp_registers) == 16, "4.11");
#define HV_SET_VP_REGISTERS_MAX	((HV_HYP_PAGE_SIZE - 16) / 32)	/* 127, mshv's batch */

/* ---- MapStatsPage / UnmapStatsPage (0x006C/0x006D), 4.10 ---- */

#define HV_STATS_OBJECT_VP	0x00010002u
#define HV_STATS_AREA_SELF	0u
#define HV_STATS_AREA_PARENT	1u

/* hv_stats_object_identity, its VP member (the only one decoded). */
struct hv_stats_vp_identity {
	uint64_t partition_id;
	uint32_t vp_index;
	uint16_t flags;				/* RsvdZ */
	uint8_t reserved;			/* RsvdZ */
	uint8_t stats_area_type;
} HV_PACKED;
_Static_assert(sizeof(struct hv_stats_vp_identity) == 16, "4.10");

struct hv_input_map_stats_page {
	uint32_t type;				/* HV_STATS_OBJECT_* */
	uint32_t padding;			/* RsvdZ */
	struct hv_stats_vp_identity identity;
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_map_stats_page) == 24, "4.10");
_Static_assert(offsetof(struct hv_input_map_stats_page, identity) == 8, "4.10");

struct hv_output_map_stats_page {
	uint64_t map_location;			/* a root PFN */
} HV_PACKED;
_Static_assert(sizeof(struct hv_output_map_stats_page) == 8, "4.10");

struct hv_input_unmap_stats_page {
	uint32_t type;
	uint32_t padding;			/* RsvdZ */
	struct hv_stats_vp_identity identity;
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_unmap_stats_page) == 24, "4.10");

/* ---- GetSystemProperty (0x007B), 4.21 ---- */

#define HV_SYSTEM_PROPERTY_SCHEDULER_TYPE	15u

#define HV_SCHEDULER_TYPE_LP		1u	/* classic, no SMT */
#define HV_SCHEDULER_TYPE_LP_SMT	2u
#define HV_SCHEDULER_TYPE_CORE_SMT	3u	/* the one this hypervisor reports (9.1) */
#define HV_SCHEDULER_TYPE_ROOT		4u

/*
 * 16 bytes as hvhdk_mini.h has it since 2026; older kernels declare 8
 * ({u32 property_id; u32 as_uint32}) and zero only those, so the argument
 * at 8 may be stale (docs/hypercalls.md).
 */
struct hv_input_get_system_property {
	uint32_t property_id;
	uint32_t reserved;			/* RsvdZ */
	uint64_t argument;			/* ignored for SCHEDULER_TYPE */
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_get_system_property) == 16, "4.21");

struct hv_output_get_system_property {
	union {
		uint32_t scheduler_type;
		uint64_t as_u64;
	};
} HV_PACKED;
_Static_assert(sizeof(struct hv_output_get_system_property) == 8, "4.21");

/* ---- AssertVirtualInterrupt (0x0094), 4.13 ---- */

#define HV_X64_INTERRUPT_TYPE_FIXED		0u
#define HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY	1u
#define HV_X64_INTERRUPT_TYPE_SMI		2u
#define HV_X64_INTERRUPT_TYPE_REMOTEREAD	3u
#define HV_X64_INTERRUPT_TYPE_NMI		4u
#define HV_X64_INTERRUPT_TYPE_INIT		5u
#define HV_X64_INTERRUPT_TYPE_SIPI		6u
#define HV_X64_INTERRUPT_TYPE_EXTINT		7u
#define HV_X64_INTERRUPT_TYPE_LOCALINT0		8u
#define HV_X64_INTERRUPT_TYPE_LOCALINT1		9u
#define HV_X64_INTERRUPT_TYPE_MAX		9u

/* control: [31:0] interrupt type, 32 level-triggered, 33 logical destination, 62 rust-vmm's "long_mode". */
#define HV_INTERRUPT_CONTROL_TYPE_MASK		0xffffffffull
#define HV_INTERRUPT_CONTROL_LEVEL		(1ull << 32)
#define HV_INTERRUPT_CONTROL_LOGICAL_DEST	(1ull << 33)
#define HV_INTERRUPT_CONTROL_LONG_MODE		(1ull << 62)

struct hv_input_assert_virtual_interrupt {
	uint64_t partition_id;
	uint64_t control;
	uint64_t dest_addr;			/* APIC ID */
	uint32_t vector;
	uint8_t target_vtl;
	uint8_t rsvd_z0;
	uint16_t rsvd_z1;
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_assert_virtual_interrupt) == 32, "4.13");
_Static_assert(offsetof(struct hv_input_assert_virtual_interrupt, vector) == 24, "4.13");
_Static_assert(offsetof(struct hv_input_assert_virtual_interrupt, target_vtl) == 28, "4.13");

/* ---- MapVpStatePage / UnmapVpStatePage (0x00E1/0x00E2), 4.9 ---- */

#define HV_VP_STATE_PAGE_REGISTERS		0u
#define HV_VP_STATE_PAGE_INTERCEPT_MESSAGE	1u
#define HV_VP_STATE_PAGE_GHCB			2u

#define HV_MAP_VP_STATE_LOCATION_PROVIDED	0x1u

/*
 * The later form (24 bytes); 6.15 sends 16 ({..., u32 type}), the same
 * bytes up to 16 when VTL and flags are 0, and leaves 16-23 unwritten.
 */
struct hv_input_map_vp_state_page {
	uint64_t partition_id;
	uint32_t vp_index;
	uint16_t type;
	uint8_t input_vtl;
	uint8_t flags;				/* HV_MAP_VP_STATE_LOCATION_PROVIDED */
	uint64_t requested_map_location;	/* a PFN; ignored without the flag */
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_map_vp_state_page) == 24, "4.9");
_Static_assert(offsetof(struct hv_input_map_vp_state_page, type) == 12, "4.9");
_Static_assert(offsetof(struct hv_input_map_vp_state_page, requested_map_location) == 16, "4.9");

struct hv_output_map_vp_state_page {
	uint64_t map_location;			/* a root PFN */
} HV_PACKED;
_Static_assert(sizeof(struct hv_output_map_vp_state_page) == 8, "4.9");

struct hv_input_unmap_vp_state_page {
	uint64_t partition_id;
	uint32_t vp_index;
	uint16_t type;
	uint8_t input_vtl;
	uint8_t rsvd;				/* RsvdZ */
} HV_PACKED;
_Static_assert(sizeof(struct hv_input_unmap_vp_state_page) == 16, "4.9");

/* ---- Intercept messages (section 6): payloads of an hv_message (core/abi/synic.h), at its offset 16 ---- */

/* The message types (HVMSG_*) are in core/abi/synic.h. */

/* intercept_access_type */
#define HV_INTERCEPT_ACCESS_READ		0u
#define HV_INTERCEPT_ACCESS_WRITE		1u
#define HV_INTERCEPT_ACCESS_EXECUTE		2u

/* instruction_length_cr8: [3:0] instruction length (0: not given), [7:4] CR8 (EXO partitions). */
#define HV_INTERCEPT_INSN_LEN_MASK		0x0fu
#define HV_INTERCEPT_CR8_SHIFT			4

/* execution_state bits */
#define HV_X64_EXEC_STATE_CPL_MASK		0x0003u
#define HV_X64_EXEC_STATE_CR0_PE		0x0004u
#define HV_X64_EXEC_STATE_CR0_AM		0x0008u
#define HV_X64_EXEC_STATE_EFER_LMA		0x0010u
#define HV_X64_EXEC_STATE_DEBUG_ACTIVE		0x0020u
#define HV_X64_EXEC_STATE_INTERRUPTION_PENDING	0x0040u
#define HV_X64_EXEC_STATE_VTL_MASK		0x0780u
#define HV_X64_EXEC_STATE_ENCLAVE_MODE		0x0800u
#define HV_X64_EXEC_STATE_INTERRUPT_SHADOW	0x1000u

struct hv_x64_intercept_message_header {
	uint32_t vp_index;
	uint8_t instruction_length_cr8;
	uint8_t intercept_access_type;
	uint16_t execution_state;
	struct hv_x64_segment_register cs_segment;
	uint64_t rip;
	uint64_t rflags;
} HV_PACKED;
_Static_assert(sizeof(struct hv_x64_intercept_message_header) == 40, "6.2");
_Static_assert(offsetof(struct hv_x64_intercept_message_header, intercept_access_type) == 5, "6.2");
_Static_assert(offsetof(struct hv_x64_intercept_message_header, execution_state) == 6, "6.2");
_Static_assert(offsetof(struct hv_x64_intercept_message_header, cs_segment) == 8, "6.2");
_Static_assert(offsetof(struct hv_x64_intercept_message_header, rip) == 24, "6.2");
_Static_assert(offsetof(struct hv_x64_intercept_message_header, rflags) == 32, "6.2");

/* access_info: [2:0] access size (1, 2 or 4), 3 string op, 4 rep prefix. */
#define HV_X64_IO_PORT_ACCESS_SIZE_MASK		0x07u
#define HV_X64_IO_PORT_ACCESS_STRING_OP		0x08u
#define HV_X64_IO_PORT_ACCESS_REP_PREFIX	0x10u

struct hv_x64_io_port_intercept_message {
	struct hv_x64_intercept_message_header header;
	uint16_t port_number;
	uint8_t access_info;
	uint8_t instruction_byte_count;
	uint32_t reserved;
	uint64_t rax;
	uint8_t instruction_bytes[16];
	struct hv_x64_segment_register ds_segment;
	struct hv_x64_segment_register es_segment;
	uint64_t rcx;
	uint64_t rsi;
	uint64_t rdi;
} HV_PACKED;
_Static_assert(sizeof(struct hv_x64_io_port_intercept_message) == 128, "6.3");
_Static_assert(offsetof(struct hv_x64_io_port_intercept_message, port_number) == 40, "6.3");
_Static_assert(offsetof(struct hv_x64_io_port_intercept_message, access_info) == 42, "6.3");
_Static_assert(offsetof(struct hv_x64_io_port_intercept_message, rax) == 48, "6.3");
_Static_assert(offsetof(struct hv_x64_io_port_intercept_message, instruction_bytes) == 56, "6.3");
_Static_assert(offsetof(struct hv_x64_io_port_intercept_message, ds_segment) == 72, "6.3");
_Static_assert(offsetof(struct hv_x64_io_port_intercept_message, es_segment) == 88, "6.3");
_Static_assert(offsetof(struct hv_x64_io_port_intercept_message, rcx) == 104, "6.3");
_Static_assert(offsetof(struct hv_x64_io_port_intercept_message, rdi) == 120, "6.3");

/* memory_access_info: 0 gva_valid, 1 gva_gpa_valid, 2 hypercall_output_pending, 3 tlb_locked_no_overlay. */
#define HV_X64_MEMORY_ACCESS_GVA_VALID		0x01u
#define HV_X64_MEMORY_ACCESS_GVA_GPA_VALID	0x02u

/* cache_type (hvhdk.h enum hv_cache_type) */
#define HV_CACHE_TYPE_UNCACHED			0u
#define HV_CACHE_TYPE_WRITE_BACK		6u

struct hv_x64_memory_intercept_message {
	struct hv_x64_intercept_message_header header;
	uint32_t cache_type;
	uint8_t instruction_byte_count;
	uint8_t memory_access_info;
	uint8_t tpr_priority;
	uint8_t reserved1;
	uint64_t guest_virtual_address;
	uint64_t guest_physical_address;
	uint8_t instruction_bytes[16];
} HV_PACKED;
_Static_assert(sizeof(struct hv_x64_memory_intercept_message) == 80, "6.3");
_Static_assert(offsetof(struct hv_x64_memory_intercept_message, cache_type) == 40, "6.3");
_Static_assert(offsetof(struct hv_x64_memory_intercept_message, instruction_byte_count) == 44, "6.3");
_Static_assert(offsetof(struct hv_x64_memory_intercept_message, memory_access_info) == 45, "6.3");
_Static_assert(offsetof(struct hv_x64_memory_intercept_message, guest_virtual_address) == 48, "6.3");
_Static_assert(offsetof(struct hv_x64_memory_intercept_message, guest_physical_address) == 56, "6.3");
_Static_assert(offsetof(struct hv_x64_memory_intercept_message, instruction_bytes) == 64, "6.3");

struct hv_x64_halt_message {
	struct hv_x64_intercept_message_header header;
} HV_PACKED;
_Static_assert(sizeof(struct hv_x64_halt_message) == 40, "6.3");

struct hv_x64_unrecoverable_exception_message {
	struct hv_x64_intercept_message_header header;
} HV_PACKED;
_Static_assert(sizeof(struct hv_x64_unrecoverable_exception_message) == 40, "6.3");

/* Posted to the root's SINT0 when a VP's intercept-message page has a message (5.1). */
struct hv_opaque_intercept_message {
	uint32_t vp_index;
} HV_PACKED;
_Static_assert(sizeof(struct hv_opaque_intercept_message) == 4, "5.1");

#endif
