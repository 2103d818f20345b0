/*
 * The intercept messages' bytes (hyperv-root-abi.md 6.2, 6.3), from a
 * snapshot of the VP: pure code, unit-tested (tests/unit/test_intercept.c).
 * Header layouts and offsets are core/abi/hvroot.h's.
 */
#include "partitions/intercept.h"
#include "core/lib.h"

/* VMCB attribute bits (core/vcpu.h struct seg_desc): 0-3 type, 4 S, 5-6 DPL, 7 P, 8-11 AVL L D/B G. */
#define SEG_ATTR_LOW		0x00ffu
#define SEG_ATTR_HIGH		0x0f00u
#define SEG_ATTR_DPL_SHIFT	5
#define SEG_ATTR_DPL_MASK	0x3u

/* x86 control bits (SDM Vol. 3A, 2.5; 2.2.1) */
#define CR0_PE			(1ull << 0)
#define CR0_AM			(1ull << 18)
#define EFER_LMA		(1ull << 10)

struct hv_x64_segment_register intercept_segment(const struct seg_desc *s)
{
	/* The TLFS's attributes have 4 reserved bits (8-11) where the VMCB has none. */
	return (struct hv_x64_segment_register){
		.base = s->base,
		.limit = s->limit,
		.selector = s->sel,
		.attributes = (uint16_t)((s->attr & SEG_ATTR_LOW) | ((s->attr & SEG_ATTR_HIGH) << 4)),
	};
}

/*
 * CPL is SS.DPL in protected mode (SDM Vol. 3C, 27.3.1.2 "SS.DPL is
 * always equal to the logical processor's CPL"; APM Vol. 2, 15.5.1 keeps
 * it so too), 0 in real mode. VTL is 0: there is no other.
 */
uint16_t intercept_execution_state(const struct intercept_vp_view *v)
{
	uint16_t st = 0;

	if (v->cr0 & CR0_PE) {
		st |= HV_X64_EXEC_STATE_CR0_PE;
		st |= (v->ss.attr >> SEG_ATTR_DPL_SHIFT) & SEG_ATTR_DPL_MASK;
	}
	if (v->cr0 & CR0_AM)
		st |= HV_X64_EXEC_STATE_CR0_AM;
	if (v->efer & EFER_LMA)
		st |= HV_X64_EXEC_STATE_EFER_LMA;
	if (v->interruption_pending)
		st |= HV_X64_EXEC_STATE_INTERRUPTION_PENDING;
	if (v->interrupt_shadow)
		st |= HV_X64_EXEC_STATE_INTERRUPT_SHADOW;
	return st;
}

/* Every field written: the builders fill messages in place, with no memset of the whole. */
void intercept_header(struct hv_x64_intercept_message_header *h, const struct intercept_vp_view *v,
		      uint8_t access)
{
	h->vp_index = v->vp_index;
	/* bits 7:4 (CR8) are for EXO partitions only; ours say 0 */
	h->instruction_length_cr8 = v->insn_len & HV_INTERCEPT_INSN_LEN_MASK;
	h->intercept_access_type = access;
	h->execution_state = intercept_execution_state(v);
	h->cs_segment = intercept_segment(&v->cs);
	h->rip = v->rip;
	h->rflags = v->rflags;
}

/*
 * The message header, and the payload's bytes past `payload` zeroed: the
 * caller writes every byte before. Not a memset of the whole 256 bytes:
 * this is every intercept's path (make bench's root round trip).
 */
static void message_finish(struct hv_message *m, uint32_t type, uint64_t sender, size_t payload)
{
	m->header.message_type = type;
	m->header.payload_size = (uint8_t)payload;
	m->header.message_flags = 0;
	m->header.rsvd[0] = m->header.rsvd[1] = 0;
	m->header.sender = sender;
	memset(m->payload + payload, 0, sizeof(m->payload) - payload);
}

static uint8_t insn_count(const struct intercept_vp_view *v)
{
	return v->insn_count > INTERCEPT_INSN_BYTES ? INTERCEPT_INSN_BYTES : v->insn_count;
}

/* The first n bytes of the instruction, zeroes after them. */
static void insn_bytes(uint8_t *dst, const struct intercept_vp_view *v, uint8_t n)
{
	memcpy(dst, v->insn, n);
	memset(dst + n, 0, INTERCEPT_INSN_BYTES - n);
}

void intercept_build_io(struct hv_message *m, uint64_t sender, const struct intercept_vp_view *v,
			const struct intercept_io *io)
{
	struct hv_x64_io_port_intercept_message *b = (void *)m->payload;

	intercept_header(&b->header, v, io->in ? HV_INTERCEPT_ACCESS_READ : HV_INTERCEPT_ACCESS_WRITE);
	b->port_number = io->port;
	b->access_info = (uint8_t)((io->size & HV_X64_IO_PORT_ACCESS_SIZE_MASK) |
				   (io->string ? HV_X64_IO_PORT_ACCESS_STRING_OP : 0) |
				   (io->rep ? HV_X64_IO_PORT_ACCESS_REP_PREFIX : 0));
	b->instruction_byte_count = insn_count(v);
	b->reserved = 0;
	b->rax = v->rax;
	insn_bytes(b->instruction_bytes, v, b->instruction_byte_count);
	b->ds_segment = intercept_segment(&v->ds);
	b->es_segment = intercept_segment(&v->es);
	b->rcx = v->rcx;
	b->rsi = v->rsi;
	b->rdi = v->rdi;
	message_finish(m, HVMSG_X64_IO_PORT_INTERCEPT, sender, sizeof(*b));
}

/* The cache type is write-back: a child's memory is, and an unmapped GPA has none yet. */
void intercept_build_memory(struct hv_message *m, uint32_t type, uint64_t sender,
			    const struct intercept_vp_view *v, const struct intercept_mem *mem)
{
	struct hv_x64_memory_intercept_message *b = (void *)m->payload;

	intercept_header(&b->header, v, mem->access);
	b->cache_type = HV_CACHE_TYPE_WRITE_BACK;
	b->instruction_byte_count = insn_count(v);
	b->memory_access_info = mem->gva_valid ? HV_X64_MEMORY_ACCESS_GVA_VALID : 0;
	b->tpr_priority = 0;
	b->reserved1 = 0;
	b->guest_virtual_address = mem->gva_valid ? mem->gva : 0;
	b->guest_physical_address = mem->gpa;
	insn_bytes(b->instruction_bytes, v, b->instruction_byte_count);
	message_finish(m, type, sender, sizeof(*b));
}

void intercept_build_header_only(struct hv_message *m, uint32_t type, uint64_t sender,
				 const struct intercept_vp_view *v)
{
	intercept_header((void *)m->payload, v, HV_INTERCEPT_ACCESS_EXECUTE);
	message_finish(m, type, sender, sizeof(struct hv_x64_intercept_message_header));
}

void intercept_build_opaque(struct hv_message *m, uint64_t sender, uint32_t vp_index)
{
	struct hv_opaque_intercept_message *b = (void *)m->payload;

	b->vp_index = vp_index;
	message_finish(m, HVMSG_OPAQUE_INTERCEPT, sender, sizeof(*b));
}
