/*
 * The TLFS hypercall input value and parameter blocks, decoded and checked
 * without side effects (TLFS 6.0, 3.7 "Hypercall Inputs", 3.8 "Hypercall
 * Outputs", "Hypercall Status Codes"). Pure: also built for the host, unit
 * tested and fuzzed. What is checked here is what every call has in
 * common; the call's own arguments are its handler's business.
 */
#ifndef CORE_HVCALL_DECODE_H
#define CORE_HVCALL_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#define HVCALL_PAGE_SIZE	4096u
#define HVCALL_FAST_MAX		16u	/* bytes of input in RDX and R8 (XMM fast input is not offered) */

/* How a call may be made (hvcall_shape.form). */
#define HVCALL_FORM_REP		(1u << 0)	/* a rep call; else a simple one */
#define HVCALL_FORM_FAST	(1u << 1)	/* inputs in registers accepted */
#define HVCALL_FORM_MEMORY	(1u << 2)	/* inputs and outputs in memory accepted */
#define HVCALL_FORM_VARHEAD	(1u << 3)	/* takes a variable header */

/* A call's parameter blocks as its dispatch-table entry describes them. */
struct hvcall_shape {
	uint8_t form;
	uint16_t in_fixed;	/* bytes of the fixed input header */
	uint16_t in_rep;	/* bytes of one input rep element */
	uint16_t out_fixed;	/* bytes of the fixed output */
	uint16_t out_rep;	/* bytes of one output rep element */
};

/* One call, decoded: the fields of the input value, and where its blocks are. */
struct hvcall_decoded {
	uint16_t code;
	bool fast;
	bool nested;
	uint16_t varhead_bytes;	/* the variable header, after the fixed one */
	uint16_t rep_count;
	uint16_t rep_start;
	uint32_t in_len;	/* input block: fixed + variable header + rep_count elements */
	uint32_t out_len;	/* output block: fixed + rep_count elements */
	uint64_t in_gpa;	/* memory form; for a fast call, the first input register */
	uint64_t out_gpa;	/* memory form; for a fast call, the second input register */
};

/* The fields of an input value as they are, nothing checked (in_len/out_len left 0). */
void hvcall_decode_control(uint64_t control, struct hvcall_decoded *d);

/* The input value with its rep start index replaced (a continued call, TLFS 3.8). */
uint64_t hvcall_with_rep_start(uint64_t control, uint16_t rep_start);

/*
 * Decode and check a TLFS call: the input value `control`, the two input
 * registers (GPAs of the input and output blocks for the memory form), and
 * the call's shape (NULL: no such call). Returns HV_STATUS_SUCCESS and
 * fills *d, or the status the call fails with, in this order:
 *   - no such call: HV_STATUS_INVALID_HYPERCALL_CODE, whatever the other bits;
 *   - a reserved bit, the nested flag (there is no L0 hypervisor beneath
 *     this one), a form the call does not take (fast or memory), a variable
 *     header on a call without one, a rep count or start index on a simple
 *     call, a zero rep count on a rep call, start >= count, or a fast call
 *     whose input does not fit RDX and R8: HV_STATUS_INVALID_HYPERCALL_INPUT;
 *   - memory form: an input or output GPA not 8-byte aligned, or a block
 *     that crosses a 4 KiB page boundary, or input and output blocks that
 *     overlap ("the input and output parameter lists cannot overlap or
 *     cross page boundaries"): HV_STATUS_INVALID_ALIGNMENT. A block of no
 *     bytes is not checked: its GPA is ignored (TLFS 3.7).
 * Whether the blocks lie in the caller's memory is the engine's check (it
 * knows the memory); it fails with HV_STATUS_INVALID_ALIGNMENT too, as the
 * TLFS's list of common status codes says ("not within the bounds of the
 * GPA space").
 */
uint16_t hvcall_decode(uint64_t control, uint64_t in_reg, uint64_t out_reg,
		       const struct hvcall_shape *shape, struct hvcall_decoded *d);

#endif
