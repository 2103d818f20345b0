/*
 * The hypervisor's side of the root-partition hypercalls (docs/hypercalls.md):
 * handlers for core/hvcall_table.c and the own root calls of
 * core/hypercall.c, split by topic:
 *   hvroot_part.c  Create/Initialize/Finalize/DeletePartition, properties,
 *                  GetSystemProperty, the statistics call
 *   hvroot_mem.c   the root's frame table, Deposit/WithdrawMemory,
 *                  Map/UnmapGpaPages, a hosted child's memory accesses
 *   hvroot_vp.c    Create/DeleteVp, Get/SetVpRegisters, AssertVirtualInterrupt
 * Every handler decodes first (core/hvroot_decode.c), then checks
 * everything, then acts: on any error nothing has changed (rep calls: the
 * reps before the failing one are done, as the TLFS rep convention says).
 * The root has one VP, so its calls never run concurrently with each other.
 */
#ifndef PARTITIONS_HVROOT_H
#define PARTITIONS_HVROOT_H

#include "core/bootinfo.h"
#include "core/hypercall.h"
#include "partitions/partition.h"
#include "partitions/hosted.h"

struct hc_call;

uint16_t hvroot_create_partition(struct hc_call *c);
uint16_t hvroot_initialize_partition(struct hc_call *c);
uint16_t hvroot_finalize_partition(struct hc_call *c);
uint16_t hvroot_delete_partition(struct hc_call *c);
uint16_t hvroot_get_partition_property(struct hc_call *c);
uint16_t hvroot_set_partition_property(struct hc_call *c);
uint16_t hvroot_get_system_property(struct hc_call *c);
uint16_t hvroot_deposit_memory(struct hc_call *c);
uint16_t hvroot_withdraw_memory(struct hc_call *c);
uint16_t hvroot_map_gpa_pages(struct hc_call *c);
uint16_t hvroot_unmap_gpa_pages(struct hc_call *c);
uint16_t hvroot_create_vp(struct hc_call *c);
uint16_t hvroot_delete_vp(struct hc_call *c);
uint16_t hvroot_get_vp_registers(struct hc_call *c);
uint16_t hvroot_set_vp_registers(struct hc_call *c);
uint16_t hvroot_assert_virtual_interrupt(struct hc_call *c);

/* HVCALL_X_PARTITION_STATS (core/abi/hypercall.h): fill *out for partition `id` of the caller's. */
uint16_t hvroot_partition_stats(struct partition *caller, uint64_t id,
				struct hv_x_partition_stats *out);

/*
 * HVCALL_X_PARTITION_NAME: name the caller's child `id` (in its Created
 * state, before any VP runs and reads the name), from `name`, `len` bytes
 * the root gave (not trusted: checked here).
 */
uint16_t hvroot_partition_name(struct partition *caller, uint64_t id, const char *name,
			       size_t len);

/* HVCALL_X_POWER_OFF: the log sent, ACPI S5; returns only if that failed. */
void hvroot_power_off(void);

/* ---- hvroot_mem.c ---- */

/* At root creation: the frame table over the root's RAM ranges, in hypervisor memory. */
void hvroot_frames_init(struct partition *root, const struct mem_range *ram, unsigned n);
/* The root's deposit pool: what CreatePartition takes a child's object from. */
extern struct pool hvroot_deposit_pool;
/* The child of `caller` with this id (not SELF, not the caller); NULL if none. */
struct partition *hvroot_child(struct partition *caller, uint64_t id);
/*
 * The common start of a handler on a child: the decoder's status `st`, then
 * the caller's child `id` (INVALID_PARTITION_ID) in a state that allows `op`
 * (INVALID_PARTITION_STATE, partitions/hosted.h).
 */
uint16_t hvroot_decoded_child(struct hc_call *c, uint16_t st, uint64_t id, enum hosted_op op,
			      struct partition **out);
/* Finalize: every GPA mapping of p goes (frames back to the root's), its tables into its pool. */
void hvroot_unmap_all(struct partition *p);
/* Drop the guest translations of each of p's VPs. */
void hvroot_flush_child(struct partition *p);
/* Frames mapped into any child (the statistics call's root figure). */
uint64_t hvroot_frames_mapped(void);
/*
 * Every page of [gpa, gpa + len) of the root's RAM is still the root's to
 * touch: its own or mapped into a child, never deposited (then it may be
 * a hypervisor object: a page table, a VMCB, a partition). The hypervisor
 * asks before it reads or writes the root's memory for the root.
 */
bool hvroot_root_may_touch(uint64_t gpa, uint64_t len);

#endif
