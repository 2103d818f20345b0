/*
 * The typed numbers of core/ids.h must not mix: each "#if CASE == n" below
 * puts one mix in place of a correct line, and tests/unit/compile-fail.sh
 * (make unit) checks that the compiler refuses it on that line, after
 * checking that the file compiles as it is (CASE 0). Never linked or run.
 */
#include "core/percpu.h"
#include "core/slpt.h"
#include "partitions/partition.h"

bool mixes(struct slpt *t, struct partition *p, struct vcpu *v, gpa_t gpa, paddr_t hpa,
	   uint64_t mask);

bool mixes(struct slpt *t, struct partition *p, struct vcpu *v, gpa_t gpa, paddr_t hpa,
	   uint64_t mask)
{
	bool ok = true;
	uint8_t byte = 0;

#if CASE == 1	/* a host-physical address where a guest-physical one goes */
	ok &= slpt_map(t, hpa, hpa, PAGE_SIZE, SLP_R, MEMTYPE_WB, false);
#else
	ok &= slpt_map(t, gpa, hpa, PAGE_SIZE, SLP_R, MEMTYPE_WB, false);
#endif
#if CASE == 2	/* guest- and host-physical addresses swapped */
	ok &= slpt_map(t, hpa, gpa, PAGE_SIZE, SLP_R, MEMTYPE_WB, false);
#else
	ok &= slpt_map(t, gpa, hpa, PAGE_SIZE, SLP_R, MEMTYPE_WB, false);
#endif
#if CASE == 3	/* a plain integer as a guest-physical address */
	ok &= partition_write(p, 0x1000, &byte, 1);
#else
	ok &= partition_write(p, to_gpa(0x1000), &byte, 1);
#endif
#if CASE == 4	/* arithmetic on a guest-physical address without gpa_add */
	ok &= partition_zero(p, gpa + PAGE_SIZE, 1);
#else
	ok &= partition_zero(p, gpa_add(gpa, PAGE_SIZE), 1);
#endif
#if CASE == 5	/* a guest-physical address read as a plain integer */
	ok &= p->chunks[0].gpa == 0;
#else
	ok &= gpa_val(p->chunks[0].gpa) == 0;
#endif
#if CASE == 6	/* a VP index as a home CPU */
	v->home_cpu = v->index;
#else
	v->home_cpu = to_cpu_id(vp_index_val(v->index));
#endif
#if CASE == 7	/* a VP index where a partition id goes */
	ok &= partition_find_id(v->index) == p;
#else
	ok &= partition_find_id(p->id) == p;
#endif
#if CASE == 8	/* a partition id compared with a plain integer */
	ok &= p->id == 1;
#else
	ok &= part_id_val(p->id) == 1;
#endif
#if CASE == 9	/* a VP index looked up in a CPU mask */
	ok &= cpu_mask_has(mask, v->index);
#else
	ok &= cpu_mask_has(mask, v->home_cpu);
#endif
#if CASE == 10	/* a plain integer as a CPU number */
	ok &= cpu_is_current(0);
#else
	ok &= cpu_is_current(to_cpu_id(0));
#endif
	return ok;
}
