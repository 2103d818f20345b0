/*
 * Root-partition hypercall input decoders (contract: hvroot_decode.h;
 * per-call rules and statuses: docs/hypercalls.md). Each decoder checks,
 * in this order: the rep count and start (INVALID_HYPERCALL_INPUT, TLFS
 * 6.0 Appendix B), that the fixed input and the whole rep list lie within
 * the copy (INVALID_ALIGNMENT: "the input parameter list spans pages"),
 * the partition id and VP index, then every other field. It reads each
 * byte of the copy into a local once and reads no byte past len.
 *
 * Reserved bytes that mshv leaves unwritten are ignored, every other
 * reserved field must be zero (hyperv-root-abi.md 1.1): the fields are
 * named in core/abi/hvroot.h.
 */
#include "core/hvroot_decode.h"
#include "core/abi/hypercall.h"
#include "core/lib.h"

#define HV_REP_COUNT_MAX	0xfffu		/* 12-bit rep count and start (TLFS 6.0, 3.7) */

/* The fixed part of an input: copied out if it lies within len. */
static bool take(void *dst, size_t size, const uint8_t *in, size_t len)
{
	if (len < size)
		return false;
	memcpy(dst, in, size);
	return true;
}

#define TAKE(w)	take(&(w), sizeof(w), in, len)

/* A list never reaches past one page, whatever the copy's length (TLFS 6.0, 3.7). */
bool hvroot_list_fits(size_t len, size_t hdr, size_t elem, uint32_t count)
{
	len = MIN(len, (size_t)HV_HYP_PAGE_SIZE);
	return hdr <= len && (elem == 0 || count <= (len - hdr) / elem);
}

/* 0 never names a partition; SELF is the caller, which some calls may not target. */
static bool partition_ok(uint64_t id, bool self_ok)
{
	return id != HV_PARTITION_ID_INVALID && (self_ok || id != HV_PARTITION_ID_SELF);
}

static bool vp_index_ok(uint32_t vp)
{
	return vp < HVROOT_VP_INDEX_LIMIT;
}

/* HV_INPUT_VTL: only VTL 0 exists, named or implied; bits 7:5 are reserved. */
static bool input_vtl_ok(uint8_t vtl)
{
	return vtl == 0 || vtl == HV_INPUT_VTL_USE_TARGET;
}

/* A NUMA hint: any domain (there is one node), no reserved flag bit. */
static bool proximity_ok(const struct hv_proximity_domain_info *p)
{
	return !(p->flags & ~HV_PROXIMITY_FLAGS_KNOWN);
}

/* Pages [base, base + n) lie below 2^40, the 52-bit physical space. */
static bool pfn_range_ok(uint64_t base, uint64_t n)
{
	return base < HV_PFN_LIMIT && n <= HV_PFN_LIMIT - base;
}

/*
 * The rep count and start of the input value: a rep call repeats at least
 * once and starts inside its list (TLFS 6.0, Appendix B,
 * INVALID_HYPERCALL_INPUT). The engine checks the same; the decoder does
 * not rely on it.
 */
static uint16_t reps_begin(uint32_t count, uint32_t start, struct hvroot_reps *r)
{
	if (count == 0 || count > HV_REP_COUNT_MAX || start >= count)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	r->start = (uint16_t)start;
	r->count = (uint16_t)count;
	r->end = (uint16_t)start;
	return HV_STATUS_SUCCESS;
}

/*
 * The start of a rep call's input: the rep count and start, then the
 * fixed header copied into hdr, and with elem, a list of rep_count
 * elements of elem bytes after it, all within the copy and one page.
 */
static uint16_t rep_input(const uint8_t *in, size_t len, uint32_t count, uint32_t start,
			  struct hvroot_reps *r, void *hdr, size_t hdr_size, size_t elem)
{
	uint16_t st = reps_begin(count, start, r);

	if (st)
		return st;
	if (!take(hdr, hdr_size, in, len) || (elem && !hvroot_list_fits(len, hdr_size, elem, count)))
		return HV_STATUS_INVALID_ALIGNMENT;
	return HV_STATUS_SUCCESS;
}

/*
 * Each element from the rep start on, as ok() says: the first bad one
 * ends the list there (reps.end: the reps before it are done) with
 * INVALID_PARAMETER.
 */
static uint16_t reps_each(struct hvroot_reps *r, const void *out,
			  bool (*ok)(const void *out, uint32_t i))
{
	for (uint32_t i = r->start; i < r->count; i++) {
		if (!ok(out, i)) {
			r->end = (uint16_t)i;
			return HV_STATUS_INVALID_PARAMETER;
		}
	}
	r->end = r->count;
	return HV_STATUS_SUCCESS;
}

/* ---- partitions ---- */

uint16_t hvroot_decode_create_partition(const uint8_t *in, size_t len,
					struct hvroot_create_partition *out)
{
	struct hv_input_create_partition w;

	memset(out, 0, sizeof(*out));
	if (!TAKE(w))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (w.flags & ~HV_PARTITION_CREATION_FLAGS_KNOWN)
		return HV_STATUS_INVALID_PARAMETER;
	/* Only isolation type NONE: the whole word is 0 (TLFS: ReservedZ0). */
	if (w.padding || w.isolation_properties || !proximity_ok(&w.proximity_domain_info))
		return HV_STATUS_INVALID_PARAMETER;
	out->flags = w.flags;
	out->compatibility_version = w.compatibility_version;
	out->proximity = w.proximity_domain_info;
	out->disabled_processor_features[0] = w.disabled_processor_features[0];
	out->disabled_processor_features[1] = w.disabled_processor_features[1];
	out->disabled_processor_xsave_features = w.disabled_processor_xsave_features;
	return HV_STATUS_SUCCESS;
}

/*
 * Initialize, Finalize, Delete: fast8, RDX only. A partition's life is its
 * parent's to drive, so SELF is refused (TLFS HvCallDeletePartition says
 * so for Delete; for the other two it is this hypervisor's choice).
 */
static uint16_t decode_lifecycle(const uint8_t *in, size_t len, struct hvroot_partition *out)
{
	struct hv_input_partition_id w;

	memset(out, 0, sizeof(*out));
	if (!TAKE(w))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (!partition_ok(w.partition_id, false))
		return HV_STATUS_INVALID_PARTITION_ID;
	out->partition_id = w.partition_id;
	return HV_STATUS_SUCCESS;
}

uint16_t hvroot_decode_initialize_partition(const uint8_t *in, size_t len,
					    struct hvroot_partition *out)
{
	return decode_lifecycle(in, len, out);
}

uint16_t hvroot_decode_finalize_partition(const uint8_t *in, size_t len,
					  struct hvroot_partition *out)
{
	return decode_lifecycle(in, len, out);
}

uint16_t hvroot_decode_delete_partition(const uint8_t *in, size_t len,
					struct hvroot_partition *out)
{
	return decode_lifecycle(in, len, out);
}

/*
 * The properties of hyperv-root-abi.md 4.2 that GetPartitionProperty
 * knows; settable ones with the largest value a Set may give. The Ex-only
 * codes (0x0009xxxx) are not here: they come through 0x0101.
 */
struct property_def {
	uint32_t code;
	bool settable;
	uint64_t max;
};

static const struct property_def properties[] = {
	{ HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, false, 0 },
	{ HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, true, ~0ull },
	{ HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING, true, 1 },
	{ HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION, true, 1 },
	{ HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES, false, 0 },
	{ HV_PARTITION_PROPERTY_XSAVE_STATES, false, 0 },
	{ HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE, false, 0 },
	{ HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY, false, 0 },
	{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0, false, 0 },
	{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1, false, 0 },
};

static const struct property_def *property_lookup(uint32_t code)
{
	for (size_t i = 0; i < ARRAY_SIZE(properties); i++)
		if (properties[i].code == code)
			return &properties[i];
	return NULL;
}

uint16_t hvroot_decode_get_partition_property(const uint8_t *in, size_t len,
					      struct hvroot_partition_property *out)
{
	struct hv_input_get_partition_property w;

	memset(out, 0, sizeof(*out));
	if (!TAKE(w))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (!partition_ok(w.partition_id, true))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (w.padding)
		return HV_STATUS_INVALID_PARAMETER;
	if (!property_lookup(w.property_code))
		return HV_STATUS_UNKNOWN_PROPERTY;
	out->partition_id = w.partition_id;
	out->code = w.property_code;
	return HV_STATUS_SUCCESS;
}

uint16_t hvroot_decode_set_partition_property(const uint8_t *in, size_t len,
					      struct hvroot_partition_property *out)
{
	struct hv_input_set_partition_property w;
	const struct property_def *p;

	memset(out, 0, sizeof(*out));
	if (!TAKE(w))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (!partition_ok(w.partition_id, true))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (w.padding)
		return HV_STATUS_INVALID_PARAMETER;
	p = property_lookup(w.property_code);
	if (!p)
		return HV_STATUS_UNKNOWN_PROPERTY;
	if (!p->settable)
		return HV_STATUS_INVALID_PARAMETER;
	if (w.property_value > p->max)
		return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
	out->partition_id = w.partition_id;
	out->code = w.property_code;
	out->value = w.property_value;
	return HV_STATUS_SUCCESS;
}

/* ---- memory ---- */

static bool deposit_pfn_ok(const void *out, uint32_t i)
{
	return hvroot_list_u64(((const struct hvroot_deposit_memory *)out)->pfns, i) < HV_PFN_LIMIT;
}

uint16_t hvroot_decode_deposit_memory(const uint8_t *in, size_t len, uint32_t rep_count,
				      uint32_t rep_start, struct hvroot_deposit_memory *out)
{
	struct hv_input_deposit_memory w;
	uint16_t st;

	memset(out, 0, sizeof(*out));
	st = rep_input(in, len, rep_count, rep_start, &out->reps, &w, sizeof(w), 8);
	if (st)
		return st;
	if (!partition_ok(w.partition_id, true))
		return HV_STATUS_INVALID_PARTITION_ID;
	out->partition_id = w.partition_id;
	out->pfns = in + sizeof(w);
	return reps_each(&out->reps, out, deposit_pfn_ok);
}

uint16_t hvroot_decode_withdraw_memory(const uint8_t *in, size_t len, uint32_t rep_count,
				       uint32_t rep_start, struct hvroot_withdraw_memory *out)
{
	struct hv_input_withdraw_memory w;
	uint16_t st;

	memset(out, 0, sizeof(*out));
	st = rep_input(in, len, rep_count, rep_start, &out->reps, &w, sizeof(w), 0);
	if (st)
		return st;
	if (!partition_ok(w.partition_id, true))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (!proximity_ok(&w.proximity_domain_info))
		return HV_STATUS_INVALID_PARAMETER;
	out->partition_id = w.partition_id;
	out->proximity = w.proximity_domain_info;
	out->reps.end = (uint16_t)rep_count;
	return HV_STATUS_SUCCESS;
}

/*
 * MapGpaPages flags (hyperv-root-abi.md 4.6): no unknown bit; NO_ACCESS
 * gives no permission; writable or executable needs readable (neither EPT
 * nor NPT can express a writable page that cannot be read). Permissions 0
 * without NO_ACCESS (Linux's HV_MAP_GPA_PERMISSIONS_NONE) is accepted.
 */
static bool map_flags_ok(uint32_t f)
{
	uint32_t perm = f & HV_MAP_GPA_PERMISSIONS_MASK;

	if (f & ~HV_MAP_GPA_FLAGS_KNOWN)
		return false;
	if ((f & HV_MAP_GPA_NO_ACCESS) && perm)
		return false;
	return !perm || (perm & HV_MAP_GPA_READABLE);
}

/* One source entry: 0 for NO_ACCESS, else a frame (2 MiB-aligned for large pages) below 2^40. */
static bool map_source_ok(uint64_t pfn, uint32_t flags, uint32_t pages)
{
	if (flags & HV_MAP_GPA_NO_ACCESS)
		return pfn == 0;
	return pfn % pages == 0 && pfn_range_ok(pfn, pages);
}

static bool map_rep_ok(const void *out, uint32_t i)
{
	const struct hvroot_map_gpa_pages *m = out;

	return map_source_ok(hvroot_list_u64(m->pfns, i), m->flags, m->pages_per_rep);
}

uint16_t hvroot_decode_map_gpa_pages(const uint8_t *in, size_t len, uint32_t rep_count,
				     uint32_t rep_start, struct hvroot_map_gpa_pages *out)
{
	struct hv_input_map_gpa_pages w;
	uint32_t pages;
	uint16_t st;

	memset(out, 0, sizeof(*out));
	st = rep_input(in, len, rep_count, rep_start, &out->reps, &w, sizeof(w), 8);
	if (st)
		return st;
	if (!partition_ok(w.target_partition_id, true))
		return HV_STATUS_INVALID_PARTITION_ID;
	/* w.padding is ignored: mshv leaves it unwritten (hyperv-root-abi.md 1.1, 10). */
	if (!map_flags_ok(w.map_flags))
		return HV_STATUS_INVALID_PARAMETER;
	pages = (w.map_flags & HV_MAP_GPA_LARGE_PAGE) ? HV_HYP_LARGE_PAGE_PAGES : 1;
	if (w.target_gpa_base % pages || !pfn_range_ok(w.target_gpa_base, (uint64_t)rep_count * pages))
		return HV_STATUS_INVALID_PARAMETER;
	out->partition_id = w.target_partition_id;
	out->gfn_base = w.target_gpa_base;
	out->flags = w.map_flags;
	out->pages_per_rep = pages;
	out->pfns = in + sizeof(w);
	return reps_each(&out->reps, out, map_rep_ok);
}

uint16_t hvroot_decode_unmap_gpa_pages(const uint8_t *in, size_t len, uint32_t rep_count,
				       uint32_t rep_start, struct hvroot_unmap_gpa_pages *out)
{
	struct hv_input_unmap_gpa_pages w;
	uint32_t pages;
	uint16_t st;

	memset(out, 0, sizeof(*out));
	st = rep_input(in, len, rep_count, rep_start, &out->reps, &w, sizeof(w), 0);
	if (st)
		return st;
	if (!partition_ok(w.target_partition_id, true))
		return HV_STATUS_INVALID_PARTITION_ID;
	/* w.padding is ignored, as for MapGpaPages. */
	if (w.unmap_flags & ~HV_UNMAP_GPA_FLAGS_KNOWN)
		return HV_STATUS_INVALID_PARAMETER;
	pages = (w.unmap_flags & HV_UNMAP_GPA_LARGE_PAGE) ? HV_HYP_LARGE_PAGE_PAGES : 1;
	if (w.target_gpa_base % pages || !pfn_range_ok(w.target_gpa_base, (uint64_t)rep_count * pages))
		return HV_STATUS_INVALID_PARAMETER;
	out->partition_id = w.target_partition_id;
	out->gfn_base = w.target_gpa_base;
	out->flags = w.unmap_flags;
	out->pages_per_rep = pages;
	out->reps.end = (uint16_t)rep_count;
	return HV_STATUS_SUCCESS;
}

/* ---- intercepts ---- */

/*
 * Intercept types of Linux's hvgdk_mini.h (hyperv-root-abi.md 4.12) and
 * the width of their parameter (union hv_intercept_parameters): only that
 * many low bytes are read, since VMMs build the union from its narrow
 * member (rust-vmm `hv_intercept_parameters { cpuid_index }`, Hyperlight
 * `{ exception_vector }`) and the other bytes are uninitialised. Types
 * without a parameter get 0. Unknown types (4, and the TLFS-only
 * 0xD-0x13): false.
 */
static bool intercept_parameter(uint32_t type, uint64_t raw, uint64_t *param)
{
	switch (type) {
	case HV_INTERCEPT_TYPE_X64_IO_PORT:
	case HV_INTERCEPT_TYPE_X64_APIC_WRITE:		/* apic_write_mask */
		*param = (uint16_t)raw;
		return true;
	case HV_INTERCEPT_TYPE_EXCEPTION:
		*param = (uint16_t)raw;
		return *param < 32;
	case HV_INTERCEPT_TYPE_X64_CPUID:
	case HV_INTERCEPT_TYPE_X64_MSR_INDEX:
		*param = (uint32_t)raw;
		return true;
	case HV_INTERCEPT_TYPE_X64_MSR:
	case HV_INTERCEPT_TYPE_MMIO:
	case HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID:
	case HV_INTERCEPT_TYPE_X64_APIC_SMI:
	case HV_INTERCEPT_TYPE_HYPERCALL:
	case HV_INTERCEPT_TYPE_X64_APIC_INIT_SIPI:
	case HV_INTERCEPT_TYPE_MC_UPDATE_PATCH_LEVEL_MSR_READ:
		*param = 0;
		return true;
	default:
		return false;
	}
}

uint16_t hvroot_decode_install_intercept(const uint8_t *in, size_t len,
					 struct hvroot_install_intercept *out)
{
	struct hv_input_install_intercept w;

	memset(out, 0, sizeof(*out));
	if (!TAKE(w))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (!partition_ok(w.partition_id, true))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (w.access_type & ~HV_INTERCEPT_ACCESS_MASK_ALL ||
	    !intercept_parameter(w.intercept_type, w.intercept_parameter, &out->parameter)) {
		out->parameter = 0;
		return HV_STATUS_INVALID_PARAMETER;
	}
	out->partition_id = w.partition_id;
	out->access_mask = w.access_type;
	out->type = w.intercept_type;
	return HV_STATUS_SUCCESS;
}

/* ---- virtual processors ---- */

uint16_t hvroot_decode_create_vp(const uint8_t *in, size_t len, struct hvroot_create_vp *out)
{
	struct hv_input_create_vp w;

	memset(out, 0, sizeof(*out));
	if (!TAKE(w))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (!partition_ok(w.partition_id, true))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (!vp_index_ok(w.vp_index))
		return HV_STATUS_INVALID_VP_INDEX;
	/*
	 * padding[3] and subnode_id are ignored: mshv does not zero the input
	 * (hyperv-root-abi.md 1.1). flags is the LP index only when a root
	 * creates its own VPs; for a child the TLFS says "must be zero". Ours
	 * (core/abi/hypercall.h): 0, or HV_X_CREATE_VP_LP_VALID | the CPU.
	 */
	if (w.subnode_type != HV_SUBNODE_ANY || !proximity_ok(&w.proximity_domain_info) ||
	    (w.flags && !(w.flags & HV_X_CREATE_VP_LP_VALID)) ||
	    (w.flags & ~(HV_X_CREATE_VP_LP_VALID | HV_X_CREATE_VP_LP_MASK)))
		return HV_STATUS_INVALID_PARAMETER;
	out->lp_valid = (w.flags & HV_X_CREATE_VP_LP_VALID) != 0;
	out->lp = (uint32_t)(w.flags & HV_X_CREATE_VP_LP_MASK);
	out->partition_id = w.partition_id;
	out->vp_index = w.vp_index;
	out->proximity = w.proximity_domain_info;
	return HV_STATUS_SUCCESS;
}

uint16_t hvroot_decode_delete_vp(const uint8_t *in, size_t len, struct hvroot_vp *out)
{
	struct hv_input_delete_vp w;

	memset(out, 0, sizeof(*out));
	if (!TAKE(w))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (!partition_ok(w.partition_id, true))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (!vp_index_ok(w.vp_index))
		return HV_STATUS_INVALID_VP_INDEX;
	if (w.reserved)
		return HV_STATUS_INVALID_PARAMETER;
	out->partition_id = w.partition_id;
	out->vp_index = w.vp_index;
	return HV_STATUS_SUCCESS;
}

/* ---- registers ---- */

/* rFLAGS bits 3, 5, 15 and 63:22 are reserved (SDM Vol. 1, 3.4.3); bit 1 is always 1. */
#define RFLAGS_FIXED1	(1ull << 1)
#define RFLAGS_RSVD	(1ull << 3 | 1ull << 5 | 1ull << 15 | ~0ull << 22)
#define CR0_PE		(1ull << 0)
#define CR0_NW		(1ull << 29)
#define CR0_CD		(1ull << 30)
#define CR0_PG		(1ull << 31)
/* CR4 bits no CPU defines (SDM Vol. 3A, 2.5): 15, 26, 27, 63:29. */
#define CR4_RSVD	(1ull << 15 | 1ull << 26 | 1ull << 27 | ~0ull << 29)

/* Register names of hyperv-root-abi.md 4.11 as ranges, sorted (a unit test checks the order). */
static const struct hvroot_reg_info registers[] = {
	{ HV_REGISTER_EXPLICIT_SUSPEND, HV_REGISTER_INTERCEPT_SUSPEND, HVROOT_REG_SUSPEND, false },
	{ HV_REGISTER_DISPATCH_SUSPEND, HV_REGISTER_DISPATCH_SUSPEND, HVROOT_REG_SUSPEND, false },
	{ HV_REGISTER_PENDING_INTERRUPTION, HV_REGISTER_PENDING_INTERRUPTION, HVROOT_REG_PENDING_INT, false },
	{ HV_REGISTER_INTERRUPT_STATE, HV_REGISTER_INTERRUPT_STATE, HVROOT_REG_INT_STATE, false },
	{ HV_X64_REGISTER_RAX, HV_X64_REGISTER_RIP, HVROOT_REG_U64, false },
	{ HV_X64_REGISTER_RFLAGS, HV_X64_REGISTER_RFLAGS, HVROOT_REG_RFLAGS, false },
	{ HV_X64_REGISTER_XMM0, HV_X64_REGISTER_XMM15, HVROOT_REG_U128, false },
	{ HV_X64_REGISTER_CR0, HV_X64_REGISTER_CR0, HVROOT_REG_CR0, false },
	{ HV_X64_REGISTER_CR2, HV_X64_REGISTER_CR2, HVROOT_REG_U64, false },
	{ HV_X64_REGISTER_CR3, HV_X64_REGISTER_CR3, HVROOT_REG_CR3, false },
	{ HV_X64_REGISTER_CR4, HV_X64_REGISTER_CR4, HVROOT_REG_CR4, false },
	{ HV_X64_REGISTER_CR8, HV_X64_REGISTER_CR8, HVROOT_REG_CR8, false },
	{ HV_X64_REGISTER_XFEM, HV_X64_REGISTER_XFEM, HVROOT_REG_U64, false },
	{ HV_X64_REGISTER_INTERMEDIATE_CR0, HV_X64_REGISTER_INTERMEDIATE_CR0, HVROOT_REG_CR0, false },
	{ HV_X64_REGISTER_INTERMEDIATE_CR3, HV_X64_REGISTER_INTERMEDIATE_CR3, HVROOT_REG_CR3, false },
	{ HV_X64_REGISTER_INTERMEDIATE_CR4, HV_X64_REGISTER_INTERMEDIATE_CR4, HVROOT_REG_CR4, false },
	{ HV_X64_REGISTER_INTERMEDIATE_CR8, HV_X64_REGISTER_INTERMEDIATE_CR8, HVROOT_REG_CR8, false },
	{ HV_X64_REGISTER_DR0, HV_X64_REGISTER_DR3, HVROOT_REG_U64, false },
	{ HV_X64_REGISTER_DR6, HV_X64_REGISTER_DR7, HVROOT_REG_DR67, false },
	{ HV_X64_REGISTER_ES, HV_X64_REGISTER_TR, HVROOT_REG_SEGMENT, false },
	{ HV_X64_REGISTER_IDTR, HV_X64_REGISTER_GDTR, HVROOT_REG_TABLE, false },
	{ HV_X64_REGISTER_TSC, HV_X64_REGISTER_SFMASK, HVROOT_REG_U64, false },
	{ HV_REGISTER_VP_ROOT_SIGNAL_COUNT, HV_REGISTER_VP_ROOT_SIGNAL_COUNT, HVROOT_REG_U64, true },
};

const struct hvroot_reg_info *hvroot_reg_table(size_t *n)
{
	*n = ARRAY_SIZE(registers);
	return registers;
}

const struct hvroot_reg_info *hvroot_reg_lookup(uint32_t name)
{
	size_t lo = 0, hi = ARRAY_SIZE(registers);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct hvroot_reg_info *r = &registers[mid];

		if (name < r->first)
			hi = mid;
		else if (name > r->last)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/*
 * TLFS HvCallSetVpRegisters: "the hypervisor will validate that reserved
 * bits of a register are set to zero, bits that are architecturally
 * defined as always containing a zero or a one are set appropriately, and
 * specified bits beyond the architectural size of the register are
 * zeroed". Checks that need the VP's features (EFER, CR4 bits a CPU lacks,
 * canonical addresses) are the handler's. One exception: the upper 8
 * bytes of a 64-bit register's value are ignored, not checked. rust-vmm
 * and Hyperlight build the value as `hv_register_value { reg64: x }`, a
 * Rust union literal whose other bytes are uninitialised, and pass it
 * through mshv as it is (the same rule as mshv's unwritten padding).
 */
static bool reg64_ok(uint8_t check, uint64_t v)
{
	switch (check) {
	case HVROOT_REG_SUSPEND:
		return !(v & ~HV_REGISTER_SUSPEND_BIT);
	case HVROOT_REG_RFLAGS:
		return (v & RFLAGS_FIXED1) && !(v & RFLAGS_RSVD);
	case HVROOT_REG_CR0:	/* SDM Vol. 3A, 2.5: 63:32 reserved; PG without PE and NW without CD #GP */
		return !(v >> 32) && !((v & CR0_PG) && !(v & CR0_PE)) && !((v & CR0_NW) && !(v & CR0_CD));
	case HVROOT_REG_CR3:
		return !(v >> 52);
	case HVROOT_REG_CR4:
		return !(v & CR4_RSVD);
	case HVROOT_REG_CR8:
		return !(v >> 4);
	case HVROOT_REG_DR67:	/* SDM Vol. 3B, 17.2.6: 63:32 must be zero */
		return !(v >> 32);
	case HVROOT_REG_PENDING_INT:
		return !(v & HV_X64_PENDING_INTERRUPTION_RSVD);
	case HVROOT_REG_INT_STATE:
		return !(v & ~HV_X64_INTERRUPT_STATE_KNOWN);
	default:
		return true;
	}
}

bool hvroot_reg_value_ok(const struct hvroot_reg_info *r, const union hv_register_value *v)
{
	union hv_register_value c;

	memcpy(&c, v, sizeof(c));
	switch (r->check) {
	case HVROOT_REG_U128:
		return true;
	case HVROOT_REG_SEGMENT:
		return !(c.segment.attributes & HV_X64_SEGMENT_ATTR_RSVD);
	case HVROOT_REG_TABLE:
		return !(c.table.pad[0] | c.table.pad[1] | c.table.pad[2]);
	default:	/* a 64-bit register: reg64; the upper half is ignored */
		return reg64_ok(r->check, c.as_u64[0]);
	}
}

/* The 16-byte header both calls share (hyperv-root-abi.md 4.11). */
static uint16_t decode_regs_header(const struct hv_input_vp_registers_header *h)
{
	if (!partition_ok(h->partition_id, true))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (!vp_index_ok(h->vp_index) && h->vp_index != HV_VP_INDEX_SELF)
		return HV_STATUS_INVALID_VP_INDEX;
	if (!input_vtl_ok(h->input_vtl) || h->rsvd_z8 || h->rsvd_z16)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

static bool get_name_ok(const void *out, uint32_t i)
{
	return hvroot_reg_lookup(hvroot_list_u32(((const struct hvroot_get_vp_registers *)out)->names, i));
}

uint16_t hvroot_decode_get_vp_registers(const uint8_t *in, size_t len, uint32_t rep_count,
					uint32_t rep_start, struct hvroot_get_vp_registers *out)
{
	struct hv_input_vp_registers_header h;
	uint16_t st;

	memset(out, 0, sizeof(*out));
	st = rep_input(in, len, rep_count, rep_start, &out->reps, &h, sizeof(h), 4);
	if (!st)
		st = decode_regs_header(&h);
	if (st)
		return st;
	out->partition_id = h.partition_id;
	out->vp_index = h.vp_index;
	out->names = in + sizeof(h);
	return reps_each(&out->reps, out, get_name_ok);
}

/* One element of SetVpRegisters: a known, writable name, reserved fields zero, a value it may hold. */
static bool set_element_ok(const struct hv_register_assoc *a)
{
	const struct hvroot_reg_info *r = hvroot_reg_lookup(a->name);

	return r && !r->read_only && !a->rsvd1 && !a->rsvd2 && hvroot_reg_value_ok(r, &a->value);
}

static bool set_assoc_ok(const void *out, uint32_t i)
{
	struct hv_register_assoc a;

	memcpy(&a, &((const struct hvroot_set_vp_registers *)out)->assocs[i], sizeof(a));
	return set_element_ok(&a);
}

uint16_t hvroot_decode_set_vp_registers(const uint8_t *in, size_t len, uint32_t rep_count,
					uint32_t rep_start, struct hvroot_set_vp_registers *out)
{
	struct hv_input_vp_registers_header h;
	uint16_t st;

	memset(out, 0, sizeof(*out));
	st = rep_input(in, len, rep_count, rep_start, &out->reps, &h, sizeof(h),
		       sizeof(struct hv_register_assoc));
	if (!st)
		st = decode_regs_header(&h);
	if (st)
		return st;
	out->partition_id = h.partition_id;
	out->vp_index = h.vp_index;
	out->assocs = (const struct hv_register_assoc *)(in + sizeof(h));
	return reps_each(&out->reps, out, set_assoc_ok);
}

/* ---- system ---- */

/*
 * Only the scheduler type (4.21). Kernels before the 2026 hvhdk_mini.h fix
 * declare the input as 8 bytes and leave 8-15 unwritten, so only the first
 * 8 bytes are read: the argument is ignored (the property takes none).
 */
uint16_t hvroot_decode_get_system_property(const uint8_t *in, size_t len,
					   struct hvroot_system_property *out)
{
	struct {
		uint32_t property_id;
		uint32_t reserved;
	} w;

	_Static_assert(sizeof(w) == offsetof(struct hv_input_get_system_property, argument),
		       "the part read is the one old kernels zero");
	memset(out, 0, sizeof(*out));
	if (!TAKE(w))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (w.property_id != HV_SYSTEM_PROPERTY_SCHEDULER_TYPE)
		return HV_STATUS_UNKNOWN_PROPERTY;
	if (w.reserved)
		return HV_STATUS_INVALID_PARAMETER;
	out->property_id = w.property_id;
	return HV_STATUS_SUCCESS;
}

/* ---- interrupts ---- */

#define ASSERT_CONTROL_KNOWN	(HV_INTERRUPT_CONTROL_TYPE_MASK | HV_INTERRUPT_CONTROL_LEVEL | \
				 HV_INTERRUPT_CONTROL_LOGICAL_DEST | HV_INTERRUPT_CONTROL_LONG_MODE)

/*
 * A vector in 0-15 is illegal for fixed and lowest-priority delivery (SDM
 * Vol. 3A, 11.5.3, "Send Illegal Vector"); the other types ignore it.
 * Control bit 62 (rust-vmm's long_mode) is accepted and ignored (4.13).
 */
uint16_t hvroot_decode_assert_virtual_interrupt(const uint8_t *in, size_t len,
						struct hvroot_assert_interrupt *out)
{
	struct hv_input_assert_virtual_interrupt w;
	uint32_t type;

	memset(out, 0, sizeof(*out));
	if (!TAKE(w))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (!partition_ok(w.partition_id, true))
		return HV_STATUS_INVALID_PARTITION_ID;
	type = (uint32_t)(w.control & HV_INTERRUPT_CONTROL_TYPE_MASK);
	if (w.control & ~ASSERT_CONTROL_KNOWN || type > HV_X64_INTERRUPT_TYPE_MAX)
		return HV_STATUS_INVALID_PARAMETER;
	if (w.dest_addr > 0xffffffffull || w.vector > 0xff || w.target_vtl || w.rsvd_z0 || w.rsvd_z1)
		return HV_STATUS_INVALID_PARAMETER;
	if ((type == HV_X64_INTERRUPT_TYPE_FIXED || type == HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY) &&
	    w.vector < 16)
		return HV_STATUS_INVALID_PARAMETER;
	out->partition_id = w.partition_id;
	out->type = type;
	out->level_triggered = w.control & HV_INTERRUPT_CONTROL_LEVEL;
	out->logical_dest = w.control & HV_INTERRUPT_CONTROL_LOGICAL_DEST;
	out->dest_apic_id = (uint32_t)w.dest_addr;
	out->vector = (uint8_t)w.vector;
	return HV_STATUS_SUCCESS;
}

/* ---- VP state and stats pages ---- */

/*
 * MapVpStatePage: the first 16 bytes are what 6.15 sends (its u32 type is
 * our u16 type, VTL 0 and flags 0); 16-23 are read only when the flags say
 * a location is provided, since 6.15 leaves them unwritten (4.9).
 */
uint16_t hvroot_decode_map_vp_state_page(const uint8_t *in, size_t len,
					 struct hvroot_vp_state_page *out)
{
	struct hv_input_map_vp_state_page w;
	const size_t head = offsetof(struct hv_input_map_vp_state_page, requested_map_location);

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	if (!take(&w, head, in, len))
		return HV_STATUS_INVALID_ALIGNMENT;
	if ((w.flags & HV_MAP_VP_STATE_LOCATION_PROVIDED) && !TAKE(w))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (!partition_ok(w.partition_id, true))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (!vp_index_ok(w.vp_index))
		return HV_STATUS_INVALID_VP_INDEX;
	if (w.type > HV_VP_STATE_PAGE_GHCB || !input_vtl_ok(w.input_vtl) ||
	    (w.flags & ~HV_MAP_VP_STATE_LOCATION_PROVIDED) || w.requested_map_location >= HV_PFN_LIMIT)
		return HV_STATUS_INVALID_PARAMETER;
	out->partition_id = w.partition_id;
	out->vp_index = w.vp_index;
	out->type = w.type;
	out->location_provided = w.flags & HV_MAP_VP_STATE_LOCATION_PROVIDED;
	out->location_pfn = w.requested_map_location;
	return HV_STATUS_SUCCESS;
}

uint16_t hvroot_decode_unmap_vp_state_page(const uint8_t *in, size_t len,
					   struct hvroot_vp_state_page *out)
{
	struct hv_input_unmap_vp_state_page w;

	memset(out, 0, sizeof(*out));
	if (!TAKE(w))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (!partition_ok(w.partition_id, true))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (!vp_index_ok(w.vp_index))
		return HV_STATUS_INVALID_VP_INDEX;
	if (w.type > HV_VP_STATE_PAGE_GHCB || !input_vtl_ok(w.input_vtl) || w.rsvd)
		return HV_STATUS_INVALID_PARAMETER;
	out->partition_id = w.partition_id;
	out->vp_index = w.vp_index;
	out->type = w.type;
	return HV_STATUS_SUCCESS;
}

/* Map and Unmap StatsPage share the input; only VP objects (what mshv maps, 4.10) are known. */
static uint16_t decode_stats_page(const uint8_t *in, size_t len, struct hvroot_stats_page *out)
{
	struct hv_input_map_stats_page w;
	const struct hv_stats_vp_identity *id = &w.identity;

	memset(out, 0, sizeof(*out));
	if (!TAKE(w))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (w.type != HV_STATS_OBJECT_VP || w.padding)
		return HV_STATUS_INVALID_PARAMETER;
	if (!partition_ok(id->partition_id, true))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (!vp_index_ok(id->vp_index))
		return HV_STATUS_INVALID_VP_INDEX;
	if (id->flags || id->reserved || id->stats_area_type > HV_STATS_AREA_PARENT)
		return HV_STATUS_INVALID_PARAMETER;
	out->partition_id = id->partition_id;
	out->vp_index = id->vp_index;
	out->area = id->stats_area_type;
	return HV_STATUS_SUCCESS;
}

uint16_t hvroot_decode_map_stats_page(const uint8_t *in, size_t len, struct hvroot_stats_page *out)
{
	return decode_stats_page(in, len, out);
}

uint16_t hvroot_decode_unmap_stats_page(const uint8_t *in, size_t len, struct hvroot_stats_page *out)
{
	return decode_stats_page(in, len, out);
}
