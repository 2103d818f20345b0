/*
 * Root hypercalls on whole partitions: Create, Initialize, Finalize,
 * Delete (the life of a hosted child, partitions/hosted.h), partition and
 * system properties, and the statistics own call. The order of teardown
 * is mshv's (hyperv-root-abi.md section 8): Finalize (VPs released, GPA
 * mappings gone), WithdrawMemory until NO_RESOURCES, Delete.
 */
#include "partitions/hvroot.h"
#include "partitions/intercept.h"
#include "partitions/hosted.h"
#include "partitions/internal.h"
#include "arch/x86/tsc.h"
#include "core/abi/hvroot.h"
#include "core/hvroot_decode.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/sched.h"
#include "drivers/acpi.h"

/*
 * TLFS HvCallCreatePartition: the first creation step (partitions/create.c),
 * the object from the root's deposit pool (PART_PAGES contiguous pages:
 * INSUFFICIENT_MEMORY until the root has deposited enough, as mshv does
 * one page at a time), an empty pool of its own, no tables yet. Named
 * "vm<n>".
 */
uint16_t hvroot_create_partition(struct hc_call *c)
{
	static unsigned serial;
	struct partition *caller = c->vp->vcpu.part, *p;
	struct hvroot_create_partition in;
	struct hv_output_create_partition out;
	uint16_t st = hvroot_decode_create_partition(c->in, c->d.in_len, &in);
	struct part_config cfg = { .hosted = true, .parent_pool = &hvroot_deposit_pool };
	enum part_status ps;
	int slot;

	if (st != HV_STATUS_SUCCESS)
		return st;
	if (in.flags & HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED)	/* and its MSRs (TLFS AccessApicMsrs) */
		cfg.privileges = HV_PRIV_CHILD | HV_PRIV_ACCESS_INTR_CTRL_REGS;
	fmt_snprintf(cfg.name, sizeof(cfg.name), "vm%u", serial + 1);
	ps = part_object_create(&cfg, &p, &slot);
	if (ps == PART_ENOMEM)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	if (ps != PART_OK)
		return HV_STATUS_NO_RESOURCES;		/* the table is full */
	serial++;
	p->intercepts_to_root = true;	/* its ports, unmapped GPAs... are the root's (intercept.h) */
	p->lapic = in.flags & HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED;
	p->hosted_state = HOSTED_CREATED;
	p->parent = caller;
	part_publish(slot, p);
	out.partition_id = part_id_val(p->id);
	memcpy(c->out, &out, sizeof(out));
	log_info("part %u '%s': created by the root (flags %lx)", part_id_val(p->id), p->name,
		 in.flags);
	return HV_STATUS_SUCCESS;
}

uint16_t hvroot_decoded_child(struct hc_call *c, uint16_t st, uint64_t id, enum hosted_op op,
			      struct partition **out)
{
	if (st != HV_STATUS_SUCCESS)
		return st;
	*out = hvroot_child(c->vp->vcpu.part, id);
	if (!*out)
		return HV_STATUS_INVALID_PARTITION_ID;
	return hosted_may((*out)->hosted_state, op) ? HV_STATUS_SUCCESS
						    : HV_STATUS_INVALID_PARTITION_STATE;
}

/* TLFS HvCallInitializePartition: its second-level tables' root page from its pool. */
uint16_t hvroot_initialize_partition(struct hc_call *c)
{
	struct hvroot_partition in;
	struct partition *p;
	uint16_t st = hvroot_decode_initialize_partition(c->in, c->d.in_len, &in);

	st = hvroot_decoded_child(c, st, in.partition_id, HOSTED_OP_INITIALIZE, &p);
	if (st != HV_STATUS_SUCCESS)
		return st;
	if (pool_free(&p->pool) < 1 || part_initialize(p) != PART_OK)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	p->hosted_state = HOSTED_INITIALIZED;
	p->start_tsc = sched_now();
	p->state = PART_RUNNING;	/* its VPs run once created and resumed */
	return HV_STATUS_SUCCESS;
}

/*
 * TLFS HvCallFinalizePartition: its VPs stop and are released by their
 * home CPUs (pages back into its pool; HVCALL_STATUS_RETRY until they all
 * are), then every GPA mapping goes (frames back to the root's) and the
 * tables into its pool. Afterwards only its pool is left.
 */
uint16_t hvroot_finalize_partition(struct hc_call *c)
{
	struct hvroot_partition in;
	struct partition *p;
	uint16_t st = hvroot_decode_finalize_partition(c->in, c->d.in_len, &in);
	bool all = true;

	st = hvroot_decoded_child(c, st, in.partition_id, HOSTED_OP_FINALIZE, &p);
	if (st != HV_STATUS_SUCCESS)
		return st;
	spin_lock(&p->lock);
	if (p->state == PART_RUNNING || p->state == PART_CREATED)
		p->state = PART_STOPPED;
	spin_unlock(&p->lock);
	for (unsigned i = 0; i < p->nvps; i++) {
		p->vps[i].leaving = true;
		all &= __atomic_load_n(&p->vps[i].released, __ATOMIC_ACQUIRE);
	}
	if (!all) {
		sched_kick_partition(p);
		return HVCALL_STATUS_RETRY;
	}
	for (unsigned i = 0; i < p->nvps; i++)
		intercept_vp_drop_pages(&p->vps[i]);	/* pages the root did not unmap */
	hvroot_unmap_all(p);
	p->hosted_state = HOSTED_FINALIZED;
	part_log_stats(p);
	return HV_STATUS_SUCCESS;
}

/*
 * TLFS HvCallDeletePartition. Decision: refused (INVALID_PARTITION_STATE)
 * while its pool holds pages: the root withdraws them first, as mshv does,
 * so no deposited page is ever lost. The object goes back to the root's
 * deposit pool.
 */
uint16_t hvroot_delete_partition(struct hc_call *c)
{
	struct hvroot_partition in;
	struct partition *p;
	uint16_t st = hvroot_decode_delete_partition(c->in, c->d.in_len, &in);
	part_id_t id;
	char name[PART_NAME_MAX];
	int slot;

	st = hvroot_decoded_child(c, st, in.partition_id, HOSTED_OP_DELETE, &p);
	if (st != HV_STATUS_SUCCESS)
		return st;
	if (pool_held(&p->pool))
		return HV_STATUS_INVALID_PARTITION_STATE;
	id = p->id;
	memcpy(name, p->name, sizeof(name));
	slot = part_table_retire(p);
	if (!pool_give(&hvroot_deposit_pool, virt_to_phys(p), PART_PAGES))
		panic("part %u: object not from the root's deposit pool", part_id_val(id));
	part_table_release(slot);
	log_info("part %u '%s': deleted by the root (%lu MiB free)", part_id_val(id), name,
		 mm_free_pages() >> (20 - PAGE_SHIFT));
	return HV_STATUS_SUCCESS;
}

/* The partition a property call names: SELF or the caller's id is the caller itself. */
static struct partition *property_target(struct partition *caller, uint64_t id)
{
	if (id == HV_PARTITION_ID_SELF || id == part_id_val(caller->id))
		return caller;
	return hvroot_child(caller, id);
}

/* TLFS HvCallGetPartitionProperty (docs/hypercalls.md: the values). */
uint16_t hvroot_get_partition_property(struct hc_call *c)
{
	struct hvroot_partition_property in;
	struct hv_output_get_partition_property out = { 0 };
	uint16_t st = hvroot_decode_get_partition_property(c->in, c->d.in_len, &in);
	struct partition *p;

	if (st != HV_STATUS_SUCCESS)
		return st;
	p = property_target(c->vp->vcpu.part, in.partition_id);
	if (!p)
		return HV_STATUS_INVALID_PARTITION_ID;
	switch (in.code) {
	case HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS:
		out.property_value = p->privileges;
		break;
	case HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES:
		out.property_value = p->prop_synthetic_features;
		break;
	case HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING:
		out.property_value = p->prop_gpa_tracking;
		break;
	case HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION:
		out.property_value = p->prop_msr_action;
		break;
	case HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY:
		out.property_value = tsc_khz() * 1000;
		break;
	case HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES:
	case HV_PARTITION_PROPERTY_XSAVE_STATES:
	case HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE:
	case HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0:
	case HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1:
		out.property_value = 0;		/* nothing beyond what CPUID offers: none banked */
		break;
	default:
		return HV_STATUS_UNKNOWN_PROPERTY;
	}
	memcpy(c->out, &out, sizeof(out));
	return HV_STATUS_SUCCESS;
}

/* TLFS HvCallSetPartitionProperty: the settable ones (the decoder refused the rest). */
uint16_t hvroot_set_partition_property(struct hc_call *c)
{
	struct hvroot_partition_property in;
	uint16_t st = hvroot_decode_set_partition_property(c->in, c->d.in_len, &in);
	struct partition *p;

	if (st != HV_STATUS_SUCCESS)
		return st;
	p = property_target(c->vp->vcpu.part, in.partition_id);
	if (!p)
		return HV_STATUS_INVALID_PARTITION_ID;
	switch (in.code) {
	case HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES:
		if (p->hosted && !hosted_may(p->hosted_state, HOSTED_OP_EARLY_PROPERTY))
			return HV_STATUS_INVALID_PARTITION_STATE;
		p->prop_synthetic_features = in.value;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING:
		p->prop_gpa_tracking = in.value;
		return HV_STATUS_SUCCESS;
	case HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION:
		p->prop_msr_action = in.value;
		return HV_STATUS_SUCCESS;
	default:
		return HV_STATUS_UNKNOWN_PROPERTY;
	}
}

/* TLFS HvCallGetSystemProperty: we schedule VPs ourselves, core scheduler with SMT (ref 9.1). */
uint16_t hvroot_get_system_property(struct hc_call *c)
{
	struct hvroot_system_property in;
	struct hv_output_get_system_property out = { .as_u64 = 0 };
	uint16_t st = hvroot_decode_get_system_property(c->in, c->d.in_len, &in);

	if (st != HV_STATUS_SUCCESS)
		return st;
	out.scheduler_type = HV_SCHEDULER_TYPE_CORE_SMT;
	memcpy(c->out, &out, sizeof(out));
	return HV_STATUS_SUCCESS;
}

static uint32_t stats_state(const struct partition *p)
{
	if (partition_is_root(p))
		return HV_X_PART_ROOT;
	if (p->state == PART_CRASHED)
		return HV_X_PART_CRASHED;
	if (p->hosted_state == HOSTED_FINALIZED)
		return HV_X_PART_FINALIZED;
	if (p->state == PART_STOPPED)
		return HV_X_PART_STOPPED;
	return p->hosted_state == HOSTED_INITIALIZED ? HV_X_PART_INITIALIZED : HV_X_PART_CREATED;
}

/*
 * Core's exit reasons onto the ABI's exit_counts[] index: each core reason
 * has an ABI entry of the same name (or this does not compile), and they
 * all fit the ABI's array.
 */
_Static_assert(EXIT_REASON_COUNT <= HV_X_EXIT_REASONS_MAX, "core's exit reasons fit exit_counts");
static const uint8_t exit_abi_index[EXIT_REASON_COUNT] = {
#define EXIT_ABI_INDEX(name, handler, stat)	[EXIT_##name] = HV_X_EXIT_##name,
	EXIT_REASONS(EXIT_ABI_INDEX)
#undef EXIT_ABI_INDEX
};

uint16_t hvroot_partition_stats(struct partition *caller, uint64_t id,
				struct hv_x_partition_stats *out)
{
	bool self = id == HV_PARTITION_ID_SELF || id == part_id_val(caller->id);
	struct partition *p = self ? caller : hvroot_child(caller, id);

	if (!p)
		return HV_STATUS_INVALID_PARTITION_ID;
	memset(out, 0, sizeof(*out));
	out->state = stats_state(p);
	out->vp_count = p->nvps;
	out->exit_code = p->exit_code;
	for (unsigned i = 0; i < p->nvps; i++) {
		const struct part_stats *s = &p->vps[i].stats;

		for (unsigned r = 0; r < EXIT_REASON_COUNT; r++) {
			out->exits += s->exits[r];
			out->exit_counts[exit_abi_index[r]] += s->exits[r];
		}
		out->hypercalls += s->exits[EXIT_HYPERCALL];
		out->guest_ticks += s->guest_ticks;
		out->hv_ticks += s->hv_ticks;
		out->io_denied += s->io_denied;
		out->msr_denied += s->msr_denied;
	}
	out->pool_held = pool_held(self ? &hvroot_deposit_pool : &p->pool);
	out->pool_free = pool_free(self ? &hvroot_deposit_pool : &p->pool);
	out->mapped_pages = self ? hvroot_frames_mapped() : p->mapped_pages;
	out->hv_free_pages = mm_free_pages();
	return HV_STATUS_SUCCESS;
}

static bool name_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_' || ch == '.';
}

uint16_t hvroot_partition_name(struct partition *caller, uint64_t id, const char *name,
			       size_t len)
{
	struct partition *p = hvroot_child(caller, id);
	size_t n = strnlen(name, len);
	char old[PART_NAME_MAX];

	if (!p)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (p->hosted_state != HOSTED_CREATED)
		return HV_STATUS_INVALID_PARTITION_STATE;
	if (n == 0 || n == len || n >= sizeof(p->name) || (name[0] >= '0' && name[0] <= '9'))
		return HV_STATUS_INVALID_PARAMETER;	/* unterminated, or read as an id */
	for (size_t i = 0; i < n; i++)
		if (!name_char_ok(name[i]))
			return HV_STATUS_INVALID_PARAMETER;
	if (partition_find(name))
		return HV_STATUS_INVALID_PARAMETER;	/* names stay unique (partition_find) */
	memcpy(old, p->name, sizeof(old));
	memset(p->name, 0, sizeof(p->name));
	memcpy(p->name, name, n);
	log_info("part %u '%s': so named by the root (was '%s')", part_id_val(p->id), p->name,
		 old);
	return HV_STATUS_SUCCESS;
}

void hvroot_power_off(void)
{
	log_info("hv: the root asked to power off");
	sched_log_free_memory();
	log_flush();
	acpi_poweroff();
}
