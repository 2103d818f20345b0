/*
 * libFuzzer target for core/hvroot_decode.c. Input: byte 0 picks the call,
 * bytes 1-4 are the rep count and rep start (little-endian u16 each, for
 * the rep calls), the rest is the hypercall input, copied to a buffer of
 * exactly its size so that ASan sees any read past len. Checks: a decoded
 * rep list lies within the input and ends where the status says; a
 * success satisfies the rules the decoder claims (partition id, VP index,
 * flags, ranges, every element from the start); a failure says how far
 * the elements were good; decoding is deterministic.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/types.h"
#include "core/hvroot_decode.h"
#include "core/abi/hypercall.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static const uint8_t *in_buf;
static size_t in_len;

/* A list of n elements of size elem at p lies within the input. */
static void check_list(const void *p, size_t elem, unsigned n)
{
	const uint8_t *b = p;

	CHECK(b >= in_buf && b <= in_buf + in_len);
	CHECK((size_t)(in_buf + in_len - b) / elem >= n);
}

/* The rep window: start <= end <= count, end == count exactly on success. */
static void check_reps(const struct hvroot_reps *r, uint16_t st, uint32_t count, uint32_t start)
{
	if (st == HV_STATUS_INVALID_HYPERCALL_INPUT) {
		CHECK(count == 0 || count > 0xfff || start >= count);
		return;
	}
	CHECK(r->count == count && r->start == start);
	CHECK(r->start <= r->end && r->end <= r->count);
	if (st == HV_STATUS_SUCCESS)
		CHECK(r->end == r->count);
	else
		CHECK(r->end < r->count);
}

static void check_partition(uint64_t id)
{
	CHECK(id != HV_PARTITION_ID_INVALID);
}

static void rep_calls(unsigned sel, uint32_t count, uint32_t start)
{
	const uint8_t *in = in_buf;
	size_t len = in_len;
	uint16_t st, st2;

	switch (sel) {
	case 0: {
		struct hvroot_deposit_memory d, d2;

		st = hvroot_decode_deposit_memory(in, len, count, start, &d);
		st2 = hvroot_decode_deposit_memory(in, len, count, start, &d2);
		CHECK(st == st2 && !memcmp(&d, &d2, sizeof(d)));
		check_reps(&d.reps, st, count, start);
		if (d.pfns) {
			check_list(d.pfns, 8, d.reps.count);
			for (unsigned i = d.reps.start; i < d.reps.end; i++)
				CHECK(hvroot_list_u64(d.pfns, i) < HV_PFN_LIMIT);
		}
		if (st == HV_STATUS_SUCCESS)
			check_partition(d.partition_id);
		break;
	}
	case 1: {
		struct hvroot_withdraw_memory w;

		st = hvroot_decode_withdraw_memory(in, len, count, start, &w);
		check_reps(&w.reps, st, count, start);
		if (st == HV_STATUS_SUCCESS) {
			check_partition(w.partition_id);
			CHECK(!(w.proximity.flags & ~HV_PROXIMITY_FLAGS_KNOWN));
		}
		break;
	}
	case 2: {
		struct hvroot_map_gpa_pages m;

		st = hvroot_decode_map_gpa_pages(in, len, count, start, &m);
		check_reps(&m.reps, st, count, start);
		if (!m.pfns)
			break;
		check_list(m.pfns, 8, m.reps.count);
		CHECK(!(m.flags & ~HV_MAP_GPA_FLAGS_KNOWN));
		CHECK(m.pages_per_rep == ((m.flags & HV_MAP_GPA_LARGE_PAGE) ? 512 : 1));
		CHECK(m.gfn_base % m.pages_per_rep == 0);
		CHECK(m.gfn_base + (uint64_t)m.reps.count * m.pages_per_rep <= HV_PFN_LIMIT);
		for (unsigned i = m.reps.start; i < m.reps.end; i++) {
			uint64_t pfn = hvroot_list_u64(m.pfns, i);

			if (m.flags & HV_MAP_GPA_NO_ACCESS)
				CHECK(pfn == 0);
			else
				CHECK(pfn % m.pages_per_rep == 0 && pfn + m.pages_per_rep <= HV_PFN_LIMIT);
		}
		break;
	}
	case 3: {
		struct hvroot_unmap_gpa_pages u;

		st = hvroot_decode_unmap_gpa_pages(in, len, count, start, &u);
		check_reps(&u.reps, st, count, start);
		if (st == HV_STATUS_SUCCESS) {
			CHECK(!(u.flags & ~HV_UNMAP_GPA_FLAGS_KNOWN));
			CHECK(u.gfn_base % u.pages_per_rep == 0);
			CHECK(u.gfn_base + (uint64_t)u.reps.count * u.pages_per_rep <= HV_PFN_LIMIT);
		}
		break;
	}
	case 4: {
		struct hvroot_get_vp_registers g;

		st = hvroot_decode_get_vp_registers(in, len, count, start, &g);
		check_reps(&g.reps, st, count, start);
		if (!g.names)
			break;
		check_list(g.names, 4, g.reps.count);
		CHECK(g.vp_index < HVROOT_VP_INDEX_LIMIT || g.vp_index == HV_VP_INDEX_SELF);
		for (unsigned i = g.reps.start; i < g.reps.end; i++)
			CHECK(hvroot_reg_lookup(hvroot_list_u32(g.names, i)));
		break;
	}
	default: {
		struct hvroot_set_vp_registers s;

		st = hvroot_decode_set_vp_registers(in, len, count, start, &s);
		check_reps(&s.reps, st, count, start);
		if (!s.assocs)
			break;
		check_list(s.assocs, sizeof(struct hv_register_assoc), s.reps.count);
		for (unsigned i = s.reps.start; i < s.reps.end; i++) {
			const struct hvroot_reg_info *r = hvroot_reg_lookup(s.assocs[i].name);

			CHECK(r && !r->read_only && hvroot_reg_value_ok(r, &s.assocs[i].value));
		}
		break;
	}
	}
}

static void simple_calls(unsigned sel)
{
	const uint8_t *in = in_buf;
	size_t len = in_len;

	switch (sel) {
	case 0: {
		struct hvroot_create_partition c;

		if (!hvroot_decode_create_partition(in, len, &c))
			CHECK(!(c.flags & ~HV_PARTITION_CREATION_FLAGS_KNOWN) && len >= 56);
		break;
	}
	case 1: {
		struct hvroot_partition p;

		if (!hvroot_decode_initialize_partition(in, len, &p))
			CHECK(p.partition_id && p.partition_id != HV_PARTITION_ID_SELF);
		if (!hvroot_decode_finalize_partition(in, len, &p))
			CHECK(p.partition_id && p.partition_id != HV_PARTITION_ID_SELF);
		if (!hvroot_decode_delete_partition(in, len, &p))
			CHECK(p.partition_id && p.partition_id != HV_PARTITION_ID_SELF);
		break;
	}
	case 2: {
		struct hvroot_partition_property pp;

		if (!hvroot_decode_get_partition_property(in, len, &pp))
			check_partition(pp.partition_id);
		if (!hvroot_decode_set_partition_property(in, len, &pp))
			CHECK(pp.code != HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING || pp.value <= 1);
		break;
	}
	case 3: {
		struct hvroot_install_intercept ii;

		if (!hvroot_decode_install_intercept(in, len, &ii))
			CHECK(!(ii.access_mask & ~HV_INTERCEPT_ACCESS_MASK_ALL) && ii.type <= 0xc &&
			      ii.type != 4);
		break;
	}
	case 4: {
		struct hvroot_create_vp c;
		struct hvroot_vp v;

		if (!hvroot_decode_create_vp(in, len, &c))
			CHECK(c.vp_index < HVROOT_VP_INDEX_LIMIT && (c.lp_valid || !c.lp));
		if (!hvroot_decode_delete_vp(in, len, &v))
			CHECK(v.vp_index < HVROOT_VP_INDEX_LIMIT);
		break;
	}
	case 5: {
		struct hvroot_system_property sp;

		if (!hvroot_decode_get_system_property(in, len, &sp))
			CHECK(sp.property_id == HV_SYSTEM_PROPERTY_SCHEDULER_TYPE);
		break;
	}
	case 6: {
		struct hvroot_assert_interrupt a;

		if (!hvroot_decode_assert_virtual_interrupt(in, len, &a))
			CHECK(a.type <= HV_X64_INTERRUPT_TYPE_MAX &&
			      (a.vector >= 16 || a.type > HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY));
		break;
	}
	case 7: {
		struct hvroot_vp_state_page v;

		if (!hvroot_decode_map_vp_state_page(in, len, &v))
			CHECK(v.type <= HV_VP_STATE_PAGE_GHCB && v.location_pfn < HV_PFN_LIMIT &&
			      (v.location_provided || !v.location_pfn));
		if (!hvroot_decode_unmap_vp_state_page(in, len, &v))
			CHECK(v.type <= HV_VP_STATE_PAGE_GHCB && v.vp_index < HVROOT_VP_INDEX_LIMIT);
		break;
	}
	default: {
		struct hvroot_stats_page s;

		if (!hvroot_decode_map_stats_page(in, len, &s))
			CHECK(s.area <= HV_STATS_AREA_PARENT);
		if (!hvroot_decode_unmap_stats_page(in, len, &s))
			CHECK(s.vp_index < HVROOT_VP_INDEX_LIMIT);
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	unsigned sel;
	uint16_t count, start;

	if (size < 5)
		return 0;
	sel = data[0] % 15;
	memcpy(&count, data + 1, 2);
	memcpy(&start, data + 3, 2);
	/* mostly counts that could fit a page, sometimes anything */
	if (!(data[0] & 0x80)) {
		count &= 0x3ff;
		start = (uint16_t)(count ? start % (count + 1u) : 0);
	}
	size -= 5;
	buf = malloc(size ? size : 1);		/* exact size: ASan sees overreads */
	if (!buf)
		return 0;
	memcpy(buf, data + 5, size);
	in_buf = buf;
	in_len = size;
	if (sel < 6)
		rep_calls(sel, count, start);
	else
		simple_calls(sel - 6);
	free(buf);
	return 0;
}
