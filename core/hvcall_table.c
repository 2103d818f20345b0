/*
 * The TLFS hypercalls: one const table indexed by call code, each entry
 * with the privilege it needs, its shape (simple or rep; fast, memory or
 * both; the sizes of its blocks) and its handler. The engine
 * (core/hypercall.c) does every check the shape and privilege imply and
 * copies the blocks; a handler only reads c->in and fills c->out.
 *
 * Adding a call is adding an entry: its input and output structs live in
 * core/abi/ (root calls: core/abi/hvroot.h), its sizes come from them.
 */
#include "core/hypercall.h"
#include "core/abi/hypercall.h"
#include "core/hvroot_decode.h"
#include "core/lib.h"
#include "partitions/intercept.h"
#include "partitions/partition.h"
#include "partitions/hvroot.h"
#include "core/abi/hvroot.h"

/* TLFS HvCallGetPartitionId: the caller's own id. */
static uint16_t hv_get_partition_id(struct hc_call *c)
{
	struct hv_output_get_partition_id out = {
		.partition_id = part_id_val(c->vp->vcpu.part->id),
	};

	memcpy(c->out, &out, sizeof(out));
	return HV_STATUS_SUCCESS;
}

/*
 * TLFS HvCallPostMessage. The arguments are checked as the TLFS says (a
 * payload over 240 bytes or a hypervisor message type is
 * HV_STATUS_INVALID_PARAMETER); there are no ports yet, so every
 * connection id is unknown (HV_STATUS_INVALID_CONNECTION_ID). VMBus
 * connects here.
 */
static uint16_t hv_post_message(struct hc_call *c)
{
	struct hv_input_post_message in;

	memcpy(&in, c->in, sizeof(in));
	if (in.payload_size > HV_MESSAGE_PAYLOAD_BYTES ||
	    in.message_type & HV_MESSAGE_TYPE_HYPERVISOR_MASK)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_INVALID_CONNECTION_ID;
}

/*
 * MapVpStatePage (hyperv-root-abi.md 4.9): the hypervisor picks the page
 * (partitions/intercept_post.c) and returns its root PFN.
 */
static uint16_t hv_map_vp_state_page(struct hc_call *c)
{
	struct hvroot_vp_state_page d;
	struct hv_output_map_vp_state_page out;
	struct partition *child;
	uint64_t pfn;
	uint16_t st = hvroot_decode_map_vp_state_page(c->in, c->d.in_len, &d);

	if (st != HV_STATUS_SUCCESS)
		return st;
	child = d.partition_id >> 32 ? NULL : partition_find_id(to_part_id((uint32_t)d.partition_id));
	if (!child)
		return HV_STATUS_INVALID_PARTITION_ID;
	st = intercept_map_state_page(c->vp->vcpu.part, child, d.vp_index, d.type,
				      d.location_provided, &pfn);
	out.map_location = pfn;
	if (st == HV_STATUS_SUCCESS)
		memcpy(c->out, &out, sizeof(out));
	return st;
}

static uint16_t hv_unmap_vp_state_page(struct hc_call *c)
{
	struct hvroot_vp_state_page d;
	struct partition *child;
	uint16_t st = hvroot_decode_unmap_vp_state_page(c->in, c->d.in_len, &d);

	if (st != HV_STATUS_SUCCESS)
		return st;
	child = d.partition_id >> 32 ? NULL : partition_find_id(to_part_id((uint32_t)d.partition_id));
	if (!child)
		return HV_STATUS_INVALID_PARTITION_ID;
	return intercept_unmap_state_page(c->vp->vcpu.part, child, d.vp_index, d.type);
}

/* Shapes: byte counts of the fixed input, an input element, the fixed output, an output element. */
#define SIMPLE_MEMORY(in, out)	{ HVCALL_FORM_MEMORY, (in), 0, (out), 0 }
#define REP_MEMORY(in, in_rep, out, out_rep) \
	{ HVCALL_FORM_REP | HVCALL_FORM_MEMORY, (in), (in_rep), (out), (out_rep) }
/* mshv's fast calls with no output, also accepted in memory form (docs/hypercalls.md) */
#define SIMPLE_FAST(in)		{ HVCALL_FORM_FAST | HVCALL_FORM_MEMORY, (in), 0, 0, 0 }
#define ROOT	HV_PRIV_CREATE_PARTITIONS
#define ENTRY(code, priv, shape, fn)	[code] = { code, priv, shape, fn }

static const struct hvcall_def tlfs_calls[] = {
	[HVCALL_GET_PARTITION_ID] = {
		HVCALL_GET_PARTITION_ID, HV_PRIV_ACCESS_PARTITION_ID,
		SIMPLE_MEMORY(0, sizeof(struct hv_output_get_partition_id)), hv_get_partition_id,
	},
	ENTRY(HVCALL_CREATE_PARTITION, ROOT, SIMPLE_MEMORY(sizeof(struct hv_input_create_partition),
		sizeof(struct hv_output_create_partition)), hvroot_create_partition),
	ENTRY(HVCALL_INITIALIZE_PARTITION, ROOT, SIMPLE_FAST(8), hvroot_initialize_partition),
	ENTRY(HVCALL_FINALIZE_PARTITION, ROOT, SIMPLE_FAST(8), hvroot_finalize_partition),
	ENTRY(HVCALL_DELETE_PARTITION, ROOT, SIMPLE_FAST(8), hvroot_delete_partition),
	ENTRY(HVCALL_GET_PARTITION_PROPERTY, ROOT,
	      SIMPLE_MEMORY(sizeof(struct hv_input_get_partition_property),
			    sizeof(struct hv_output_get_partition_property)),
	      hvroot_get_partition_property),
	ENTRY(HVCALL_SET_PARTITION_PROPERTY, ROOT,
	      SIMPLE_MEMORY(sizeof(struct hv_input_set_partition_property), 0),
	      hvroot_set_partition_property),
	ENTRY(HVCALL_DEPOSIT_MEMORY, HV_PRIV_ACCESS_MEMORY_POOL,
	      REP_MEMORY(sizeof(struct hv_input_deposit_memory), 8, 0, 0), hvroot_deposit_memory),
	ENTRY(HVCALL_WITHDRAW_MEMORY, HV_PRIV_ACCESS_MEMORY_POOL,
	      REP_MEMORY(sizeof(struct hv_input_withdraw_memory), 0, 0, 8), hvroot_withdraw_memory),
	ENTRY(HVCALL_MAP_GPA_PAGES, ROOT, REP_MEMORY(sizeof(struct hv_input_map_gpa_pages), 8, 0, 0),
	      hvroot_map_gpa_pages),
	ENTRY(HVCALL_UNMAP_GPA_PAGES, ROOT, REP_MEMORY(sizeof(struct hv_input_unmap_gpa_pages), 0, 0, 0),
	      hvroot_unmap_gpa_pages),
	ENTRY(HVCALL_CREATE_VP, ROOT, SIMPLE_MEMORY(sizeof(struct hv_input_create_vp), 0),
	      hvroot_create_vp),
	ENTRY(HVCALL_DELETE_VP, ROOT, SIMPLE_FAST(sizeof(struct hv_input_delete_vp)), hvroot_delete_vp),
	ENTRY(HVCALL_GET_VP_REGISTERS, ROOT,
	      REP_MEMORY(sizeof(struct hv_input_get_vp_registers), 4, 0, 16), hvroot_get_vp_registers),
	ENTRY(HVCALL_SET_VP_REGISTERS, ROOT,
	      REP_MEMORY(sizeof(struct hv_input_set_vp_registers), 32, 0, 0), hvroot_set_vp_registers),
	ENTRY(HVCALL_GET_SYSTEM_PROPERTY, HV_PRIV_CPU_MANAGEMENT,
	      SIMPLE_MEMORY(8, sizeof(struct hv_output_get_system_property)),
	      hvroot_get_system_property),
	ENTRY(HVCALL_ASSERT_VIRTUAL_INTERRUPT, ROOT,
	      SIMPLE_MEMORY(sizeof(struct hv_input_assert_virtual_interrupt), 0),
	      hvroot_assert_virtual_interrupt),
	[HVCALL_POST_MESSAGE] = {
		HVCALL_POST_MESSAGE, HV_PRIV_POST_MESSAGES,
		SIMPLE_MEMORY(sizeof(struct hv_input_post_message), 0), hv_post_message,
	},
	[HVCALL_MAP_VP_STATE_PAGE] = {
		HVCALL_MAP_VP_STATE_PAGE, HV_PRIV_CREATE_PARTITIONS,
		SIMPLE_MEMORY(sizeof(struct hv_input_map_vp_state_page),
			      sizeof(struct hv_output_map_vp_state_page)),
		hv_map_vp_state_page,
	},
	[HVCALL_UNMAP_VP_STATE_PAGE] = {
		HVCALL_UNMAP_VP_STATE_PAGE, HV_PRIV_CREATE_PARTITIONS,
		SIMPLE_MEMORY(sizeof(struct hv_input_unmap_vp_state_page), 0),
		hv_unmap_vp_state_page,
	},
};

const struct hvcall_def *hvcall_lookup(uint16_t code)
{
	if (code >= sizeof(tlfs_calls) / sizeof(tlfs_calls[0]) || !tlfs_calls[code].fn)
		return NULL;
	/* Invariant: each entry sits at its own code. */
	ASSERT(tlfs_calls[code].code == code);
	return &tlfs_calls[code];
}
