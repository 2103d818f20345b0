/*
 * The hypervisor's side of the intercept path (docs/root.md, "Intercepts";
 * hyperv-root-abi.md 5.1, 4.9): a child's exit, turned into a message by
 * partitions/intercept.c, goes into the VP's intercept-message page, the
 * VP is suspended until the root clears INTERCEPT_SUSPEND, and the root's
 * SINT0 gets HVMSG_OPAQUE_INTERCEPT {vp_index} from the VP's own SynIC
 * node (never lost, never allocated). The VP state pages come from the
 * child's pool and are mapped into the root at GPA = HPA.
 */
#include "partitions/intercept.h"
#include "partitions/hosted.h"
#include "partitions/partition.h"
#include "partitions/rootpart.h"
#include "arch/x86/guest_insn.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/sched.h"

/* The root's second-level tables and the children's state-page fields. */
static spinlock_t state_page_lock;

#define EFER_LMA	(1ull << 10)

/* A guest-physical read through the child's own second-level tables (what it can reach). */
static bool slpt_read(void *ctx, gpa_t gpa, void *buf, size_t len)
{
	struct partition *p = ctx;
	paddr_t hpa;

	if (gpa_val(gpa) >> 52 || !slpt_lookup(&p->slpt, gpa, &hpa, NULL))
		return false;
	memcpy(buf, phys_to_virt(hpa), len);
	return true;
}

size_t vp_read_insn(struct vp *vp, const struct vcpu_state *s, uint8_t *buf, size_t cap)
{
	const struct guest_paging pg = { s->cr0, s->cr3, s->cr4, s->efer };
	bool mode64 = (s->efer & EFER_LMA) && (s->cs.attr & SEG_ATTR_L);
	uint64_t la = mode64 ? vp->vcpu.rip : (uint32_t)(s->cs.base + vp->vcpu.rip);

	return guest_read_linear(&pg, la, buf, cap, slpt_read, vp->vcpu.part);
}

static void fetch_insn(struct vp *vp, const struct vcpu_state *s, struct intercept_vp_view *v)
{
	v->insn_count = (uint8_t)vp_read_insn(vp, s, v->insn, sizeof(v->insn));
}

/* The VP as of the exit. The interrupt shadow is not read out of the back-ends yet: 0. */
static void take_view(struct vp *vp, uint8_t insn_len, bool with_insn, struct intercept_vp_view *v)
{
	struct vcpu_state s;
	const uint64_t *r = vp->vcpu.gpr;

	vcpu_ops->get_state(&vp->vcpu, &s);
	v->vp_index = vp_index_val(vp->vcpu.index);
	v->insn_len = insn_len;
	v->rip = vp->vcpu.rip;
	v->rflags = s.rflags;
	v->cr0 = s.cr0;
	v->efer = s.efer;
	v->cs = s.cs;
	v->ss = s.ss;
	v->ds = s.ds;
	v->es = s.es;
	v->rax = r[GPR_RAX];
	v->rcx = r[GPR_RCX];
	v->rsi = r[GPR_RSI];
	v->rdi = r[GPR_RDI];
	v->interrupt_shadow = false;
	v->interruption_pending = false;
	v->insn_count = 0;
	if (with_insn)
		fetch_insn(vp, &s, v);
}

static uint64_t sender_of(const struct vp *vp)
{
	return part_id_val(vp->vcpu.part->id);
}

/*
 * Into the page: the header and the payload, and the bytes the previous
 * message used beyond them (zero in `last`), not the whole 256 bytes
 * (this is every intercept's path). Under state_page_lock.
 */
static void write_page(struct vp_intercept *ic)
{
	uint8_t size = ic->last.header.payload_size, used = MAX(size, ic->page_used);

	memcpy(phys_to_virt(ic->page), &ic->last, sizeof(ic->last.header) + used);
	ic->page_used = size;
}

/*
 * The message is in vp->icpt.last: into the page, suspend, tell the root.
 * The note's bytes never change (its sender and VP index): built once,
 * before it is first queued. One still queued names this VP already, and
 * the page has the newest message, so it is left as it is.
 */
static void post(struct vp *vp)
{
	struct vp_intercept *ic = &vp->icpt;
	struct vp *root = rootpart_intercept_vp(vp);

	spin_lock(&state_page_lock);
	if (ic->page)
		write_page(ic);
	spin_unlock(&state_page_lock);
	vp_suspend_set(vp, VP_SUSPEND_INTERCEPT, true);
	if (!root) {
		partition_crash(vp->vcpu.part, vp, "an intercept, and no root partition to take it");
		return;
	}
	log_debug("intercept: part %u vp %u on cpu %u: message %x to the root",
		  part_id_val(vp->vcpu.part->id), vp_index_val(vp->vcpu.index), this_cpu_id(),
		  ic->last.header.message_type);
	if (ic->note.msg.header.message_type != HVMSG_OPAQUE_INTERCEPT)
		intercept_build_opaque(&ic->note.msg, sender_of(vp), vp_index_val(vp->vcpu.index));
	(void)synic_post_node(root, 0, &ic->note);	/* INVALID_VP_STATE: still queued (above) */
}

void intercept_io(struct vp *vp, const struct vm_exit *e)
{
	const struct intercept_io io = { e->u.io.port, e->u.io.size, e->u.io.in, e->u.io.string,
					 e->u.io.rep };
	struct intercept_vp_view v;

	take_view(vp, e->insn_len, e->u.io.string, &v);
	intercept_build_io(&vp->icpt.last, sender_of(vp), &v, &io);
	post(vp);
}

/*
 * A write to a page the child has read-only is a GPA intercept; any other
 * fault (nothing mapped) an unmapped GPA. The back-ends give no guest
 * linear address (gva_valid 0): the root can translate (0x52) if it needs one.
 */
void intercept_memory(struct vp *vp, const struct vm_exit *e)
{
	struct intercept_mem mem = {
		.gpa = gpa_val(e->u.slp.gpa),
		.access = e->u.slp.fetch ? HV_INTERCEPT_ACCESS_EXECUTE :
			  e->u.slp.write ? HV_INTERCEPT_ACCESS_WRITE : HV_INTERCEPT_ACCESS_READ,
	};
	uint32_t type = e->u.slp.present && e->u.slp.write ? HVMSG_GPA_INTERCEPT : HVMSG_UNMAPPED_GPA;
	struct intercept_vp_view v;

	take_view(vp, 0, true, &v);
	intercept_build_memory(&vp->icpt.last, type, sender_of(vp), &v, &mem);
	post(vp);
}

void intercept_halt(struct vp *vp)
{
	struct intercept_vp_view v;

	take_view(vp, vp->vcpu.exit.insn_len, false, &v);
	intercept_build_header_only(&vp->icpt.last, HVMSG_X64_HALT, sender_of(vp), &v);
	post(vp);
}

void intercept_crash(struct vp *vp)
{
	struct intercept_vp_view v;

	take_view(vp, 0, false, &v);
	intercept_build_header_only(&vp->icpt.last, HVMSG_UNRECOVERABLE_EXCEPTION, sender_of(vp), &v);
	post(vp);
}

/* ---- VP state pages ---- */

/*
 * Under state_page_lock: the root loses the page, at its next entry
 * (flush_tlb; the kick makes a running root VP exit first).
 */
static void unmap_from_root(struct partition *root, paddr_t page)
{
	slpt_unmap(&root->slpt, to_gpa(page), PAGE_SIZE);
	for (unsigned i = 0; i < root->nvps; i++)
		vcpu_ops->flush_tlb(&root->vps[i].vcpu);
	sched_kick_partition(root);
}

static paddr_t *state_page_slot(struct vp *vp, uint16_t type)
{
	return type == HV_VP_STATE_PAGE_INTERCEPT_MESSAGE ? &vp->icpt.page : &vp->icpt.regs_page;
}

/*
 * The hypervisor picks the page (mshv provides no location on a root:
 * 4.9): one of the child's pool (its deposit), mapped into the root at
 * GPA = HPA, read-only for the intercept page (the root only reads it),
 * read-write for the register page. A second Map returns the same page.
 */
/* One of the root's own children (created by its CreatePartition). */
static bool roots_child(const struct partition *caller, const struct partition *child)
{
	return caller == rootpart_get() && child->hosted && child->parent == caller;
}

uint16_t intercept_map_state_page(struct partition *caller, struct partition *child,
				  uint32_t vp_index, uint16_t type, bool location_provided,
				  uint64_t *pfn)
{
	struct partition *root = caller;
	unsigned perms = type == HV_VP_STATE_PAGE_INTERCEPT_MESSAGE ? SLP_R : SLP_R | SLP_W;
	paddr_t *slot, page;
	struct vp *vp;

	if (!roots_child(caller, child))
		return HV_STATUS_INVALID_PARTITION_ID;
	/* after Finalize (or while its VP goes) a page taken now would stay stranded in the root */
	if (!hosted_may(child->hosted_state, HOSTED_OP_VP))
		return HV_STATUS_INVALID_PARTITION_STATE;
	if (vp_index >= child->nvps || child->vps[vp_index].leaving)
		return HV_STATUS_INVALID_VP_INDEX;
	if (type == HV_VP_STATE_PAGE_GHCB || location_provided)
		return HV_STATUS_INVALID_PARAMETER;	/* no SNP; the root gets our page (4.9) */
	vp = &child->vps[vp_index];
	slot = state_page_slot(vp, type);
	spin_lock(&state_page_lock);
	if (!*slot) {
		page = pool_take_page(&child->pool);	/* zeroed */
		if (!page) {
			spin_unlock(&state_page_lock);
			return HV_STATUS_INSUFFICIENT_MEMORY;	/* the root deposits 1 page, retries */
		}
		if (!slpt_map(&root->slpt, to_gpa(page), page, PAGE_SIZE, perms, MEMTYPE_WB, false)) {
			slpt_unmap(&root->slpt, to_gpa(page), PAGE_SIZE);
			pool_give(&child->pool, page, 1);
			spin_unlock(&state_page_lock);
			return HV_STATUS_INSUFFICIENT_MEMORY;
		}
		if (type == HV_VP_STATE_PAGE_INTERCEPT_MESSAGE) {
			memcpy(phys_to_virt(page), &vp->icpt.last, sizeof(vp->icpt.last));
			vp->icpt.page_used = vp->icpt.last.header.payload_size;
		}
		*slot = page;
	}
	*pfn = *slot >> PAGE_SHIFT;
	spin_unlock(&state_page_lock);
	return HV_STATUS_SUCCESS;
}

static void drop_state_page(struct partition *root, struct vp *vp, paddr_t *slot)
{
	paddr_t page = *slot;

	*slot = 0;
	if (!page)
		return;
	if (root)
		unmap_from_root(root, page);
	memset(phys_to_virt(page), 0, PAGE_SIZE);
	if (!pool_give(&vp->vcpu.part->pool, page, 1))
		panic("intercept: a VP state page its pool did not hand out");
}

uint16_t intercept_unmap_state_page(struct partition *caller, struct partition *child,
				    uint32_t vp_index, uint16_t type)
{
	struct partition *root = caller;
	struct vp *vp;

	if (!roots_child(caller, child))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (vp_index >= child->nvps)
		return HV_STATUS_INVALID_VP_INDEX;
	if (type == HV_VP_STATE_PAGE_GHCB)
		return HV_STATUS_INVALID_PARAMETER;
	vp = &child->vps[vp_index];
	spin_lock(&state_page_lock);
	if (!*state_page_slot(vp, type)) {
		spin_unlock(&state_page_lock);
		return HV_STATUS_INVALID_PARAMETER;	/* nothing mapped */
	}
	drop_state_page(root, vp, state_page_slot(vp, type));
	spin_unlock(&state_page_lock);
	return HV_STATUS_SUCCESS;
}

void intercept_vp_drop_pages(struct vp *vp)
{
	struct partition *root = rootpart_get();

	spin_lock(&state_page_lock);
	drop_state_page(root, vp, &vp->icpt.page);
	drop_state_page(root, vp, &vp->icpt.regs_page);
	spin_unlock(&state_page_lock);
}

/* Its pages are dropped on the root's CPU (intercept_vp_drop_pages), before the VP goes. */
void intercept_vp_release(struct vp *vp)
{
	synic_withdraw(&vp->icpt.note);
}
