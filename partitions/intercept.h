/*
 * Intercept messages of a child partition created by the root
 * (hyperv-root-abi.md 5.1 and 6; docs/root.md, "Intercepts"): the exits
 * the root handles (port I/O, an access to a guest-physical address the
 * child has no mapping for, a write to a read-only one, HLT with no way
 * to wake, a triple fault) become a full hv_message in the VP's
 * intercept-message page, the VP is suspended (INTERCEPT_SUSPEND) and the
 * root's SINT0 gets HVMSG_OPAQUE_INTERCEPT {vp_index}.
 *
 * The builders below are pure (no VP, no memory access): they turn a
 * snapshot of the VP (struct intercept_vp_view) and the exit's facts into
 * the message bytes, and are unit-tested field by field
 * (tests/unit/test_intercept.c). The delivery (partitions/intercept_deliver.c)
 * takes the snapshot and posts.
 */
#ifndef PARTITIONS_INTERCEPT_H
#define PARTITIONS_INTERCEPT_H

#include "core/abi/hvroot.h"
#include "core/abi/synic.h"
#include "core/vcpu.h"

#define INTERCEPT_INSN_BYTES	16

/* What a message says of the VP, as of the exit. */
struct intercept_vp_view {
	uint32_t vp_index;
	uint8_t insn_len;		/* the exiting instruction's length, 0: not known */
	uint64_t rip, rflags;
	uint64_t cr0, efer;
	struct seg_desc cs, ss, ds, es;	/* attr in the VMCB layout (core/vcpu.h) */
	uint64_t rax, rcx, rsi, rdi;
	bool interrupt_shadow;		/* STI or MOV SS shadow at the exit */
	bool interruption_pending;	/* an event was being delivered */
	uint8_t insn_count;		/* bytes of insn[] read from the guest, 0 to 16 */
	uint8_t insn[INTERCEPT_INSN_BYTES];
};

/* The facts of a port access (an I/O exit). */
struct intercept_io {
	uint16_t port;
	uint8_t size;			/* 1, 2 or 4 */
	bool in, string, rep;
};

/* The facts of a second-level fault. */
struct intercept_mem {
	uint64_t gpa;
	uint64_t gva;			/* guest-virtual, where gva_valid */
	bool gva_valid;
	uint8_t access;			/* HV_INTERCEPT_ACCESS_READ, _WRITE or _EXECUTE */
};

/* A segment in the TLFS's layout: the VMCB's attribute bits 8-11 move to 12-15. */
struct hv_x64_segment_register intercept_segment(const struct seg_desc *s);

/* The 16-bit execution_state word of the header (6.2). */
uint16_t intercept_execution_state(const struct intercept_vp_view *v);

/*
 * The common header (6.2); access is HV_INTERCEPT_ACCESS_*. For an I/O
 * exit, instruction_length is the exiting instruction's (the root adds it
 * to rip to complete the access: 6.4).
 */
void intercept_header(struct hv_x64_intercept_message_header *h, const struct intercept_vp_view *v,
		      uint8_t access);

/*
 * A whole hv_message (zeroed first, then filled): sender is the child's
 * partition id. HVMSG_X64_IO_PORT_INTERCEPT; HVMSG_UNMAPPED_GPA or
 * HVMSG_GPA_INTERCEPT (type); a header-only message (HVMSG_X64_HALT,
 * HVMSG_UNRECOVERABLE_EXCEPTION).
 */
void intercept_build_io(struct hv_message *m, uint64_t sender, const struct intercept_vp_view *v,
			const struct intercept_io *io);
void intercept_build_memory(struct hv_message *m, uint32_t type, uint64_t sender,
			    const struct intercept_vp_view *v, const struct intercept_mem *mem);
void intercept_build_header_only(struct hv_message *m, uint32_t type, uint64_t sender,
				 const struct intercept_vp_view *v);
/* The note to the root's SINT0 (5.1): HVMSG_OPAQUE_INTERCEPT {vp_index}, sender = the child. */
void intercept_build_opaque(struct hv_message *m, uint64_t sender, uint32_t vp_index);

#endif

/* ---- Delivery and the VP state pages (partitions/intercept_post.c; hypervisor only) ---- */

struct vp;
struct partition;
struct vm_exit;

/*
 * The exit e (EXIT_IO, EXIT_SLP_FAULT), HLT with no way to wake, or a
 * crash, of a VP whose partition has intercepts_to_root, as a message to
 * the root: written into the VP's intercept-message page (and kept in
 * vp->icpt.last), the VP suspended (VP_SUSPEND_INTERCEPT), and
 * HVMSG_OPAQUE_INTERCEPT posted to the root VP's SINT0. RIP is not moved
 * (hyperv-root-abi.md 6.4: the root completes). Without a root the child
 * crashes. intercept_crash only tells the root; the caller crashes the
 * partition.
 */
struct vcpu_state;
/* The instruction bytes at the VP's CS:RIP through its own page walk: as many as translate, <= cap. */
size_t vp_read_insn(struct vp *vp, const struct vcpu_state *s, uint8_t *buf, size_t cap);
void intercept_io(struct vp *vp, const struct vm_exit *e);
void intercept_memory(struct vp *vp, const struct vm_exit *e);
void intercept_halt(struct vp *vp);
void intercept_crash(struct vp *vp);

/*
 * MapVpStatePage / UnmapVpStatePage from `caller` (the root) on `child`
 * (docs/hypercalls.md): HV_STATUS_* and, on success, the page's root PFN
 * (GPA = HPA). child must be the caller's own (hosted, its parent).
 */
uint16_t intercept_map_state_page(struct partition *caller, struct partition *child,
				  uint32_t vp_index, uint16_t type, bool location_provided,
				  uint64_t *pfn);
uint16_t intercept_unmap_state_page(struct partition *caller, struct partition *child,
				    uint32_t vp_index, uint16_t type);

/*
 * The VP's state pages leave the root and go back to its partition's pool.
 * On the root's CPU, from its calls (FinalizePartition, DeleteVp): the
 * root's second-level tables change only there.
 */
void intercept_vp_drop_pages(struct vp *vp);

/* The VP goes away (part_vp_free, its home CPU): its note leaves the root's queue. */
void intercept_vp_release(struct vp *vp);
