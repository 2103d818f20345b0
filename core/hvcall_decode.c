/*
 * Decoding and checking a TLFS hypercall input value and its parameter
 * blocks: see core/hvcall_decode.h for the rules and their order.
 */
#include "core/hvcall_decode.h"
#include "core/abi/hypercall.h"

#define FIELD(v, mask)	((uint16_t)(((v) & (mask)) / ((mask) & -(mask))))

void hvcall_decode_control(uint64_t control, struct hvcall_decoded *d)
{
	*d = (struct hvcall_decoded){
		.code = (uint16_t)(control & HV_HYPERCALL_CODE_MASK),
		.fast = (control & HV_HYPERCALL_FAST) != 0,
		.nested = (control & HV_HYPERCALL_NESTED) != 0,
		.varhead_bytes = (uint16_t)(FIELD(control, HV_HYPERCALL_VARHEAD_MASK) * 8u),
		.rep_count = FIELD(control, HV_HYPERCALL_REP_COUNT_MASK),
		.rep_start = FIELD(control, HV_HYPERCALL_REP_START_MASK),
	};
}

uint64_t hvcall_with_rep_start(uint64_t control, uint16_t rep_start)
{
	uint64_t unit = HV_HYPERCALL_REP_START_MASK & -HV_HYPERCALL_REP_START_MASK;

	return (control & ~HV_HYPERCALL_REP_START_MASK) |
	       ((uint64_t)rep_start * unit & HV_HYPERCALL_REP_START_MASK);
}

/* TLFS 3.7: the rep fields must fit the call's class. */
static bool reps_ok(const struct hvcall_decoded *d, const struct hvcall_shape *s)
{
	if (!(s->form & HVCALL_FORM_REP))
		return d->rep_count == 0 && d->rep_start == 0;
	return d->rep_count != 0 && d->rep_start < d->rep_count;
}

static bool input_value_ok(uint64_t control, const struct hvcall_decoded *d,
			   const struct hvcall_shape *s)
{
	if (control & HV_HYPERCALL_RSVD_MASK || d->nested)
		return false;
	if (!(s->form & (d->fast ? HVCALL_FORM_FAST : HVCALL_FORM_MEMORY)))
		return false;
	if (d->varhead_bytes && !(s->form & HVCALL_FORM_VARHEAD))
		return false;
	return reps_ok(d, s);
}

/* 8-byte aligned and inside one 4 KiB page (TLFS 3.7 "Hypercall Inputs"). */
static bool block_placed_ok(uint64_t gpa, uint32_t len)
{
	return len == 0 ||
	       (gpa % 8 == 0 && (gpa % HVCALL_PAGE_SIZE) + len <= HVCALL_PAGE_SIZE);
}

/* Each block lies in one page, so they can only overlap inside the same page. */
static bool blocks_overlap(const struct hvcall_decoded *d)
{
	uint64_t in_off = d->in_gpa % HVCALL_PAGE_SIZE, out_off = d->out_gpa % HVCALL_PAGE_SIZE;

	if (!d->in_len || !d->out_len || d->in_gpa / HVCALL_PAGE_SIZE != d->out_gpa / HVCALL_PAGE_SIZE)
		return false;
	return in_off < out_off + d->out_len && out_off < in_off + d->in_len;
}

uint16_t hvcall_decode(uint64_t control, uint64_t in_reg, uint64_t out_reg,
		       const struct hvcall_shape *shape, struct hvcall_decoded *d)
{
	hvcall_decode_control(control, d);
	d->in_gpa = in_reg;
	d->out_gpa = out_reg;
	if (!shape)
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	if (!input_value_ok(control, d, shape))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	/* at most 65535 + 8 * 1023 + 4095 * 65535 bytes: no overflow in 32 bits */
	d->in_len = shape->in_fixed + d->varhead_bytes + (uint32_t)d->rep_count * shape->in_rep;
	d->out_len = shape->out_fixed + (uint32_t)d->rep_count * shape->out_rep;
	if (d->fast)	/* a fast call has no output block: the table gives it none */
		return d->in_len <= HVCALL_FAST_MAX && !d->out_len ? HV_STATUS_SUCCESS
								    : HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (!block_placed_ok(d->in_gpa, d->in_len) || !block_placed_ok(d->out_gpa, d->out_len) ||
	    blocks_overlap(d))
		return HV_STATUS_INVALID_ALIGNMENT;
	return HV_STATUS_SUCCESS;
}
