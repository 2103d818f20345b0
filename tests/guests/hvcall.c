/*
 * TLFS hypercalls from a child partition (core/hypercall.c): the checks
 * every call shares, seen from the inside. GetPartitionId needs a
 * privilege a child has not (ACCESS_DENIED, nothing written), but only
 * after the common checks: a misaligned output GPA, one outside the
 * partition's memory, a reserved bit, a rep count or the fast flag fail
 * first. PostMessage, which a child may make: a misaligned input GPA, an
 * input that crosses a page, one outside memory; arguments checked; no
 * ports exist yet, so a good message gets INVALID_CONNECTION_ID.
 */
#include "tests/guests/guest.h"

#define SENTINEL	0x5a5a5a5a5a5a5a5aull

static uint8_t pages[2][4096] __attribute__((aligned(4096)));

static uint64_t mem_call(uint64_t control, uint64_t in_gpa, uint64_t out_gpa)
{
	return hypercall_control(control, in_gpa, out_gpa);
}

static uint64_t addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void get_partition_id(const struct guest_boot *b)
{
	volatile uint64_t *out = (volatile uint64_t *)pages[1];
	uint64_t r;

	*out = SENTINEL;
	r = mem_call(HVCALL_GET_PARTITION_ID, 0, addr(pages[1]));
	check(r == HV_STATUS_ACCESS_DENIED, "GetPartitionId from a child: HV_STATUS_ACCESS_DENIED");
	check(*out == SENTINEL, "the denied GetPartitionId wrote nothing");
	check(mem_call(HVCALL_GET_PARTITION_ID, 0, addr(pages[1]) + 4) == HV_STATUS_INVALID_ALIGNMENT,
	      "GetPartitionId, output GPA not 8-byte aligned: HV_STATUS_INVALID_ALIGNMENT");
	check(mem_call(HVCALL_GET_PARTITION_ID, 0, b->mem_bytes) == HV_STATUS_INVALID_ALIGNMENT &&
	      mem_call(HVCALL_GET_PARTITION_ID, 0, 1ull << 40) == HV_STATUS_INVALID_ALIGNMENT,
	      "GetPartitionId, output GPA outside my memory: HV_STATUS_INVALID_ALIGNMENT");
	check(mem_call(HVCALL_GET_PARTITION_ID | 1ull << 27, 0, addr(pages[1])) ==
		      HV_STATUS_INVALID_HYPERCALL_INPUT &&
	      mem_call(HVCALL_GET_PARTITION_ID | 1ull << 44, 0, addr(pages[1])) ==
		      HV_STATUS_INVALID_HYPERCALL_INPUT &&
	      mem_call(HVCALL_GET_PARTITION_ID | 1ull << 63, 0, addr(pages[1])) ==
		      HV_STATUS_INVALID_HYPERCALL_INPUT,
	      "GetPartitionId with a reserved bit: HV_STATUS_INVALID_HYPERCALL_INPUT");
	check(mem_call(HVCALL_GET_PARTITION_ID | 1ull << 32, 0, addr(pages[1])) ==
		      HV_STATUS_INVALID_HYPERCALL_INPUT,
	      "GetPartitionId with a rep count: HV_STATUS_INVALID_HYPERCALL_INPUT");
	check(mem_call(HVCALL_GET_PARTITION_ID | HV_HYPERCALL_FAST, 0, addr(pages[1])) ==
		      HV_STATUS_INVALID_HYPERCALL_INPUT,
	      "GetPartitionId as a fast call: HV_STATUS_INVALID_HYPERCALL_INPUT");
	check(*out == SENTINEL, "no refused GetPartitionId wrote anything");
}

/* A message at `at` (inside pages[0] or across into pages[1]). */
static uint64_t post(uint8_t *at, uint32_t type, uint32_t size)
{
	struct hv_input_post_message *m = (struct hv_input_post_message *)at;

	m->connection_id = 1;
	m->message_type = type;
	m->payload_size = size;
	return mem_call(HVCALL_POST_MESSAGE, addr(at), 0);
}

static void post_message(const struct guest_boot *b)
{
	uint8_t *end = pages[0] + sizeof(pages[0]);

	check(post(pages[0], 1, 8) == HV_STATUS_INVALID_CONNECTION_ID,
	      "PostMessage: no such connection: HV_STATUS_INVALID_CONNECTION_ID");
	check(post(pages[0], 1, 241) == HV_STATUS_INVALID_PARAMETER,
	      "PostMessage with a 241-byte payload: HV_STATUS_INVALID_PARAMETER");
	check(post(pages[0] + 4, 1, 8) == HV_STATUS_INVALID_ALIGNMENT,
	      "PostMessage, input GPA not 8-byte aligned: HV_STATUS_INVALID_ALIGNMENT");
	check(post(end - 256, 1, 8) == HV_STATUS_INVALID_CONNECTION_ID,
	      "PostMessage, input ending at the page end: accepted");
	check(post(end - 248, 1, 8) == HV_STATUS_INVALID_ALIGNMENT,
	      "PostMessage, input crossing a page: HV_STATUS_INVALID_ALIGNMENT");
	check(mem_call(HVCALL_POST_MESSAGE, b->mem_bytes, 0) == HV_STATUS_INVALID_ALIGNMENT,
	      "PostMessage, input GPA outside my memory: HV_STATUS_INVALID_ALIGNMENT");
}

void guest_main(const struct guest_boot *b)
{
	uint64_t r;

	if (b->vp_index != 0)
		return;
	get_partition_id(b);
	post_message(b);
	r = mem_call(0x0001 | 1ull << 27, 0, 0);
	check(r == HV_STATUS_INVALID_HYPERCALL_CODE,
	      "an unknown TLFS code: HV_STATUS_INVALID_HYPERCALL_CODE, whatever the other bits");
	check(hypercall(HVCALL_X_NULL, 0, 0) == HV_STATUS_SUCCESS, "our own null call still works");
}
