/*
 * What the pieces of the partition object share; partition.h is the
 * interface for everyone else. The pieces, one topic each:
 *   table.c      the table of partitions: slots, ids, names, lookups
 *   create.c     the creation steps: object, tables, vCPUs, publish
 *   memory.c     the object and its pool, guest memory access
 *   lifecycle.c  state changes: start, pause, resume, stop, crash
 *   stats.c      what a partition costs and did, for the log
 */
#ifndef PARTITIONS_INTERNAL_H
#define PARTITIONS_INTERNAL_H

#include "partitions/partition.h"

/* The partition object itself, in pages. */
#define PART_PAGES	(ALIGN_UP(sizeof(struct partition), PAGE_SIZE) >> PAGE_SHIFT)

/* ---- table.c ---- */

/*
 * Take a free slot for a partition named `name` and give it the next id
 * (*slot, *id); the slot stays reserved, invisible to lookups, until
 * part_table_publish or part_table_release. PART_EEXIST if a partition
 * has the name, PART_ELIMIT if no slot is free.
 */
enum part_status part_table_reserve(const char *name, int *slot, part_id_t *id);
/* Fill the reserved slot with p: lookups find it from now on. */
void part_table_publish(int slot, struct partition *p);
/* Free the reserved slot. */
void part_table_release(int slot);
/*
 * Hide p from lookups but keep its slot reserved (while its memory is
 * being returned); returns the slot, -1 if p is not in the table.
 */
int part_table_retire(struct partition *p);
bool part_name_ok(const char *name);

/* ---- memory.c ---- */

/* Back-end memory per vCPU, in pages of the partition's pool, measured at boot. */
extern uint64_t part_vcpu_pages;

/*
 * A zeroed partition object from `parent` (NULL: the hypervisor's pages),
 * with its own pool (hosted: empty, the root deposits; else the
 * hypervisor's pages on demand) and the second-level tables' page source
 * pointing at it. NULL if `parent` is short.
 */
struct partition *part_object_alloc(const struct part_config *c, struct pool *parent);

/* ---- create.c ---- */

/*
 * The creation steps (create.c's comment). part_object_create: a table
 * slot and the object from c->parent_pool, with its pool as c says (hosted:
 * empty) and the fields every partition has; invisible until part_publish.
 * PART_EEXIST/PART_ELIMIT (table), PART_ENOMEM (object), nothing taken.
 */
enum part_status part_object_create(const struct part_config *c, struct partition **out,
				    int *slot);
/* Its second-level tables' root, from its pool; PART_ENOMEM if the pool is short. */
enum part_status part_initialize(struct partition *p);
/*
 * VP nvps: home CPU from cpu_mask (0: any), back-end pages from its pool.
 * PART_ELIMIT at PART_MAX_VPS, PART_ENOMEM (nothing changed) if the pool is short.
 */
enum part_status part_vp_add(struct partition *p, uint64_t cpu_mask);
/* Make the slot's partition visible to lookups. */
void part_publish(int slot, struct partition *p);

/* vCPUs up to vcpus - 1 (part_vp_add each), their home CPUs picked from cpu_mask (0: any CPU). */
enum part_status part_vps_create(struct partition *p, unsigned vcpus, uint64_t cpu_mask);

/* VP i of p: its fields, its home CPU (as part_vps_create picks it), its back-end state from p's pool. */
enum part_status part_vp_init(struct partition *p, unsigned i, uint64_t cpu_mask);

/* Return the back-end state of one vCPU (none: nothing to do). */
void part_vp_free(struct vp *vp);

/* ---- stats.c ---- */

/* The partition was created: its size and the hypervisor's overhead. */
void part_log_created(const struct partition *p);
/* Its exits, time and denials, summed over its vCPUs: as it is destroyed. */
void part_log_stats(const struct partition *p);

#endif
