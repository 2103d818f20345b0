/*
 * libFuzzer target for core/hvcall_decode.c: the input is a hypercall's
 * input value, its two input registers and the call's shape. Whatever it
 * is, the decoder must not crash, must return one of the four statuses it
 * knows, and what it accepts must keep the TLFS rules: the rep fields fit
 * the call's class, a fast call's input fits RDX and R8 and it has no
 * output, and a memory call's blocks are 8-byte aligned, each inside one
 * page, and do not overlap. Replacing the rep start index (a continued
 * call) changes nothing else.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/hvcall_decode.h"
#include "core/abi/hypercall.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

struct fuzz_in {
	uint64_t control, in_reg, out_reg;
	uint8_t form, known;
	uint16_t in_fixed, in_rep, out_fixed, out_rep;
};

static void check_block(uint64_t gpa, uint32_t len)
{
	if (!len)
		return;
	CHECK(gpa % 8 == 0);
	CHECK(gpa / HVCALL_PAGE_SIZE == (gpa + len - 1) / HVCALL_PAGE_SIZE);
}

static void check_accepted(const struct fuzz_in *f, const struct hvcall_shape *s,
			   const struct hvcall_decoded *d)
{
	CHECK(!(f->control & HV_HYPERCALL_RSVD_MASK) && !d->nested);
	CHECK(d->code == (uint16_t)f->control);
	if (s->form & HVCALL_FORM_REP)
		CHECK(d->rep_count && d->rep_start < d->rep_count);
	else
		CHECK(!d->rep_count && !d->rep_start);
	CHECK(d->in_len == s->in_fixed + d->varhead_bytes + (uint32_t)d->rep_count * s->in_rep);
	CHECK(d->out_len == s->out_fixed + (uint32_t)d->rep_count * s->out_rep);
	if (d->fast) {
		CHECK(s->form & HVCALL_FORM_FAST);
		CHECK(d->in_len <= HVCALL_FAST_MAX && !d->out_len);
		return;
	}
	CHECK(s->form & HVCALL_FORM_MEMORY);
	check_block(d->in_gpa, d->in_len);
	check_block(d->out_gpa, d->out_len);
	if (d->in_len && d->out_len)
		CHECK(d->in_gpa + d->in_len <= d->out_gpa || d->out_gpa + d->out_len <= d->in_gpa);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in f;
	struct hvcall_shape s;
	struct hvcall_decoded d;
	uint16_t st;

	if (size < sizeof(f))
		return 0;
	memcpy(&f, data, sizeof(f));
	s = (struct hvcall_shape){ f.form & 0xf, f.in_fixed, f.in_rep, f.out_fixed, f.out_rep };
	st = hvcall_decode(f.control, f.in_reg, f.out_reg, f.known & 1 ? &s : NULL, &d);
	CHECK(st == HV_STATUS_SUCCESS || st == HV_STATUS_INVALID_HYPERCALL_CODE ||
	      st == HV_STATUS_INVALID_HYPERCALL_INPUT || st == HV_STATUS_INVALID_ALIGNMENT);
	CHECK((st == HV_STATUS_INVALID_HYPERCALL_CODE) == !(f.known & 1));
	if (st == HV_STATUS_SUCCESS)
		check_accepted(&f, &s, &d);
	/* a continued call's input value differs in the rep start index only */
	hvcall_decode_control(hvcall_with_rep_start(f.control, (uint16_t)f.in_rep), &d);
	CHECK(d.rep_start == (f.in_rep & 0xfff));
	CHECK(((hvcall_with_rep_start(f.control, (uint16_t)f.in_rep) ^ f.control) &
	       ~HV_HYPERCALL_REP_START_MASK) == 0);
	return 0;
}
