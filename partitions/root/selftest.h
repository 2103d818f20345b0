/*
 * The root's self-test (root_test=calls): what its two files share.
 *   selftest.c       the tests (docs/hypercalls.md, "The root's self-test")
 *   selftest_mshv.c  the root calls made as Linux's mshv driver makes them
 *                    (hyperv-root-abi.md sections 3, 4, 8), and the checks
 *   selftest_child.S the children's programs
 */
#ifndef PARTITIONS_ROOT_SELFTEST_H
#define PARTITIONS_ROOT_SELFTEST_H

#include "partitions/root/root.h"
#include "core/abi/hvroot.h"
#include "core/abi/hypercall.h"

#define PAGE		4096ull
#define CHILD_PAGES	4096u		/* 16 MiB of RAM, GPA 0 on */
#define CHILD_CODE	0x1000u
#define CHILD_STUB	0x1f00u
#define CHILD_STACK	0x8000u
#define CHILD_GDT	0x7000u
#define TIMER_VECTOR	0x40
#define WAIT_POLLS	2000		/* of 1 ms: 2 s */
#define CREATE_TRIES	256		/* single-page deposits CreatePartition may ask for */

extern const uint8_t child_calc[], child_calc_end[], child_deny[], child_deny_end[];

struct child {
	uint64_t id;
	uint64_t ram;			/* root address (= PA) of its 16 MiB, GPA 0 */
};

extern unsigned failures;		/* checks failed so far */
extern bool amd;			/* VMMCALL, else VMCALL */
extern uint64_t root_id;		/* the root's own partition id */
extern uint64_t raw_page[512];		/* raw_call's input page */

/* `root: test PASS what`, or FAIL with the status got (check) or the value seen (check_value). */
void check(bool ok, const char *what, uint16_t got);
void check_value(bool ok, const char *what, uint64_t got);
void expect(uint16_t got, uint16_t want, const char *what);
/* HVCALL_X_PARTITION_STATS of partition id (SELF: the root). */
uint16_t stats(uint64_t id, struct hv_x_partition_stats *out);
uint64_t hv_free_pages(void);
/* A call with an input value of our making, its input in raw_page (for rep counts hv_rep refuses). */
uint16_t raw_call(uint64_t control);
/* n pages of ours deposited into partition id; the status of the first failure. */
uint16_t deposit(uint64_t id, unsigned n);
/* Withdraw until NO_RESOURCES (mshv's loop), each page back into our allocator; how many. */
unsigned withdraw_all(uint64_t id);
struct hv_register_assoc reg(uint32_t name, uint64_t v);
uint16_t set_regs(uint64_t id, uint32_t vp, const struct hv_register_assoc *a, unsigned n,
		  unsigned *done);
uint16_t get_reg(uint64_t id, uint32_t vp, uint32_t name, uint64_t *v);
/* build_child's steps, each as mshv makes it (bench.c times them without the checks' lines). */
uint16_t create_partition(uint64_t *id);
uint16_t fast_with_deposit(uint16_t code, uint64_t id);
uint16_t create_vp(uint64_t id, uint32_t index);
uint16_t map_pages(uint64_t id, uint64_t gfn, uint64_t first_pfn, unsigned n, uint32_t flags);
uint16_t set_start_state(uint64_t id);
void load_program(struct child *c, const uint8_t *code, const uint8_t *end);
/* mshv's order up to a suspended VP 0 in 32-bit protected mode at CHILD_CODE running `code`. */
bool build_child(struct child *c, const uint8_t *code, const uint8_t *end);
/* Resume VP 0 and wait until the child stopped itself; its statistics in *s. */
bool run_child(struct child *c, struct hv_x_partition_stats *s);
/* mshv's teardown (section 8): Finalize, withdraw until NO_RESOURCES, Delete; its RAM back to us. */
void tear_down(struct child *c);

#endif
