/*
 * SynIC: the MSRs of each VP and message delivery (see synic.h and
 * docs/synic.md). TLFS 6.0, 11.8 "SynIC MSRs", 11.9 "Message Buffers";
 * the guest's side of the protocol is in ../shared/ref/hyperv-linux-guest.md 4.3.
 *
 * Locking: each VP's struct synic has a lock, taken by whoever posts to it
 * (any CPU) and by its own MSR accesses; the slots in guest memory are
 * only written under it. The lock is a leaf but for sched_raise_irq,
 * which takes none.
 */
#include "partitions/synic.h"
#include "core/abi/hypercall.h"
#include "core/lib.h"
#include "core/sched.h"
#include "partitions/partition.h"

/* A slot found busy, marked pending and found free again: try again at most this often. */
#define SLOT_TRIES	2

void synic_init(struct vp *vp)
{
	struct synic *s = &vp->synic;

	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		s->sint[i] = HV_SINT_RESET;
	for (unsigned i = 0; i < SYNIC_POOL; i++)
		s->pool[i].pooled = true;
}

void synic_preset_pages(struct vp *vp, uint64_t simp_gpa, uint64_t siefp_gpa, uint64_t sirbp_gpa)
{
	struct synic *s = &vp->synic;

	spin_lock(&s->lock);
	s->simp = simp_gpa & HV_SYNIC_PAGE_GPA_MASK;
	s->siefp = siefp_gpa & HV_SYNIC_PAGE_GPA_MASK;
	s->sirbp = sirbp_gpa & HV_SYNIC_PAGE_GPA_MASK;
	spin_unlock(&s->lock);
}

/* ---- the slot in guest memory ---- */

/*
 * The hypervisor's view of an enabled page of the VP's partition, NULL
 * if it is off or not the partition's memory. The TLFS makes these pages
 * overlays the hypervisor supplies; here they are the guest's own RAM (as
 * KVM does), and a page outside it is taken as never ready: messages wait.
 */
static void *page_of(struct vp *vp, uint64_t msr)
{
	if (!(msr & HV_SYNIC_PAGE_ENABLE))
		return NULL;
	return partition_gpa_ptr(vp->vcpu.part, to_gpa(msr & HV_SYNIC_PAGE_GPA_MASK), PAGE_SIZE);
}

static struct hv_message *slot_of(struct vp *vp, unsigned sint)
{
	struct hv_message_page *page = page_of(vp, vp->synic.simp);

	return page ? &page->sint_message[sint] : NULL;
}

/*
 * Put msg into the slot if it is free (its type HVMSG_NONE). The guest
 * takes a non-zero type for "the message is there" and may read it on
 * another CPU at once, so everything else is written first and the type
 * last, with release order. `more`: messages wait behind this one, so
 * the guest must write EOM after it empties the slot.
 */
static bool slot_fill(struct hv_message *slot, const struct hv_message *msg, bool more)
{
	if (__atomic_load_n(&slot->header.message_type, __ATOMIC_ACQUIRE) != HVMSG_NONE)
		return false;
	slot->header.payload_size = msg->header.payload_size;
	slot->header.message_flags = more ? HV_MESSAGE_FLAG_PENDING : 0;
	slot->header.rsvd[0] = slot->header.rsvd[1] = 0;
	slot->header.sender = msg->header.sender;
	memcpy(slot->payload, msg->payload, HV_MESSAGE_PAYLOAD_SIZE);
	__atomic_store_n(&slot->header.message_type, msg->header.message_type, __ATOMIC_RELEASE);
	return true;
}

/*
 * The slot is busy: set its msg_pending so that the guest writes EOM once
 * it has emptied it, then look at its type again. The guest empties the
 * slot and then tests msg_pending (both locked operations): either it sees
 * the flag and writes EOM, or this sees the slot free. True: free now.
 */
static bool slot_mark_pending(struct hv_message *slot)
{
	__atomic_fetch_or(&slot->header.message_flags, HV_MESSAGE_FLAG_PENDING, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&slot->header.message_type, __ATOMIC_SEQ_CST) == HVMSG_NONE;
}

/* ---- delivery ---- */

/* SCONTROL on and the SINT unmasked (messages to a masked SINT wait: docs/synic.md). */
static bool sint_open(const struct synic *s, unsigned sint)
{
	return (s->scontrol & HV_SCONTROL_ENABLE) && !(s->sint[sint] & HV_SINT_MASKED);
}

static void raise_sint(struct vp *vp, unsigned sint)
{
	uint64_t v = vp->synic.sint[sint];

	if (!(v & HV_SINT_POLLING))
		sched_raise_irq(vp, (uint8_t)(v & HV_SINT_VECTOR_MASK));
}

/* Under the lock: msg goes into the SINT's slot now, with its interrupt; false if it cannot. */
static bool deliver(struct vp *vp, unsigned sint, const struct hv_message *msg, bool more)
{
	struct hv_message *slot;

	if (!sint_open(&vp->synic, sint) || !(slot = slot_of(vp, sint)))
		return false;
	for (unsigned i = 0; i < SLOT_TRIES; i++) {
		if (slot_fill(slot, msg, more)) {
			raise_sint(vp, sint);
			return true;
		}
		if (!slot_mark_pending(slot))
			break;		/* busy: the guest's EOM brings us back */
	}
	return false;
}

static void enqueue(struct vp *vp, unsigned sint, struct synic_node *n)
{
	struct synic *s = &vp->synic;

	n->next = NULL;
	n->target = vp;
	n->sint = (uint8_t)sint;
	if (s->tail[sint])
		s->tail[sint]->next = n;
	else
		s->head[sint] = n;
	s->tail[sint] = n;
}

/* Unlink n, whose predecessor in the SINT's queue is prev (NULL: n is the head). */
static void unlink_node(struct synic *s, unsigned sint, struct synic_node *prev,
			struct synic_node *n)
{
	if (prev)
		prev->next = n->next;
	else
		s->head[sint] = n->next;
	if (s->tail[sint] == n)
		s->tail[sint] = prev;
	n->next = NULL;
	if (n->pooled)
		s->pool_used &= ~(1u << (n - s->pool));
	__atomic_store_n(&n->target, NULL, __ATOMIC_RELEASE);	/* its owner may reuse it */
}

/* Under the lock: the SINT's oldest waiting message into its slot, if it can go now. */
static void pump(struct vp *vp, unsigned sint)
{
	struct synic *s = &vp->synic;
	struct synic_node *n = s->head[sint];

	if (n && deliver(vp, sint, &n->msg, n->next != NULL))
		unlink_node(s, sint, NULL, n);
}

/* Under the lock: every SINT's queue again (EOM, or the SynIC's setup changed). */
static void pump_all(struct vp *vp)
{
	for (unsigned i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		pump(vp, i);
}

static bool post_ok(unsigned sint, const struct hv_message *msg)
{
	return sint < HV_SYNIC_SINT_COUNT && msg->header.message_type != HVMSG_NONE &&
	       msg->header.payload_size <= HV_MESSAGE_PAYLOAD_SIZE;
}

uint16_t synic_post(struct vp *target, unsigned sint, const struct hv_message *msg)
{
	struct synic *s = &target->synic;
	uint32_t free_nodes;
	struct synic_node *n;

	if (!post_ok(sint, msg))
		return HV_STATUS_INVALID_PARAMETER;
	spin_lock(&s->lock);
	if (s->gone) {
		spin_unlock(&s->lock);
		return HV_STATUS_INVALID_VP_STATE;
	}
	/* behind nothing: straight into the slot, no buffer needed */
	if (!s->head[sint] && deliver(target, sint, msg, false)) {
		spin_unlock(&s->lock);
		return HV_STATUS_SUCCESS;
	}
	free_nodes = ~s->pool_used & ((1u << SYNIC_POOL) - 1);
	if (!free_nodes) {
		spin_unlock(&s->lock);
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	}
	n = &s->pool[__builtin_ctz(free_nodes)];
	s->pool_used |= 1u << (n - s->pool);
	n->msg = *msg;
	enqueue(target, sint, n);
	pump(target, sint);	/* marks the busy slot pending, or finds it free after all */
	spin_unlock(&s->lock);
	return HV_STATUS_SUCCESS;
}

uint16_t synic_post_node(struct vp *target, unsigned sint, struct synic_node *node)
{
	struct synic *s = &target->synic;

	if (!post_ok(sint, &node->msg))
		return HV_STATUS_INVALID_PARAMETER;
	if (__atomic_load_n(&node->target, __ATOMIC_ACQUIRE))
		return HV_STATUS_INVALID_VP_STATE;	/* one in flight: only its owner queues it */
	spin_lock(&s->lock);
	if (s->gone) {
		spin_unlock(&s->lock);
		return HV_STATUS_INVALID_VP_STATE;
	}
	if (s->head[sint] || !deliver(target, sint, &node->msg, false)) {
		enqueue(target, sint, node);
		pump(target, sint);
	}
	spin_unlock(&s->lock);
	return HV_STATUS_SUCCESS;
}

void synic_withdraw(struct synic_node *node)
{
	struct vp *t = __atomic_load_n(&node->target, __ATOMIC_ACQUIRE);
	struct synic *s;

	if (!t)
		return;
	s = &t->synic;
	spin_lock(&s->lock);
	/* only its delivery can have taken it off meanwhile; it never moves to another VP */
	if (node->target == t) {
		struct synic_node *prev = NULL;

		for (struct synic_node *n = s->head[node->sint]; n != node; n = n->next)
			prev = n;
		unlink_node(s, node->sint, prev, node);
	}
	spin_unlock(&s->lock);
}

void synic_release(struct vp *vp)
{
	struct synic *s = &vp->synic;

	spin_lock(&s->lock);
	s->gone = true;
	for (unsigned i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		while (s->head[i])
			unlink_node(s, i, NULL, s->head[i]);
	spin_unlock(&s->lock);
}

/* ---- MSRs (TLFS 6.0, 11.8) ---- */

static bool has_priv(const struct vp *vp, uint64_t priv)
{
	return (vp->vcpu.part->privileges & priv) != 0;
}

static bool is_sint(uint32_t msr)
{
	return msr >= HV_MSR_SINT0 && msr <= HV_MSR_SINT15;
}

static bool is_stimer(uint32_t msr)
{
	return msr >= HV_MSR_STIMER0_CONFIG && msr <= HV_MSR_STIMER3_COUNT;
}

static bool is_synic(uint32_t msr)
{
	return (msr >= HV_MSR_SCONTROL && msr <= HV_MSR_SIRBP) || is_sint(msr);
}

bool synic_msr_read(struct vp *vp, uint32_t msr, uint64_t *val)
{
	struct synic *s = &vp->synic;

	if (is_stimer(msr))
		return has_priv(vp, HV_PRIV_ACCESS_SYNTHETIC_TIMER_REGS) &&
		       synic_stimer_msr_read(vp, msr, val);
	if (!is_synic(msr) || msr == HV_MSR_EOM || !has_priv(vp, HV_PRIV_ACCESS_SYNIC_REGS))
		return false;		/* EOM is write-only */
	spin_lock(&s->lock);
	switch (msr) {
	case HV_MSR_SCONTROL:	*val = s->scontrol; break;
	case HV_MSR_SVERSION:	*val = HV_SYNIC_VERSION; break;
	case HV_MSR_SIEFP:	*val = s->siefp; break;
	case HV_MSR_SIMP:	*val = s->simp; break;
	case HV_MSR_SIRBP:	*val = s->sirbp; break;
	default:		*val = s->sint[msr - HV_MSR_SINT0]; break;
	}
	spin_unlock(&s->lock);
	return true;
}

/*
 * The SINT bits a partition may set: as_intercept and proxy are the
 * root's (hyperv-root-abi.md 2.3), reserved to a child. An unmasked SINT
 * needs a vector of 16 or more, 0-15 being exceptions (TLFS 6.0, 11.8.4;
 * KVM likewise lets a masked SINT keep vector 0, its reset value).
 */
static bool sint_value_ok(const struct vp *vp, uint64_t v)
{
	uint64_t valid = HV_SINT_VECTOR_MASK | HV_SINT_MASKED | HV_SINT_AUTO_EOI | HV_SINT_POLLING;

	if (has_priv(vp, HV_PRIV_CREATE_PARTITIONS))
		valid |= HV_SINT_AS_INTERCEPT | HV_SINT_PROXY;
	if (v & ~valid)
		return false;
	return (v & HV_SINT_MASKED) || (v & HV_SINT_VECTOR_MASK) >= HV_SINT_FIRST_VECTOR;
}

/*
 * A page MSR (SIMP, SIEFP, SIRBP): bits 11:1 are reserved. A page that
 * is turned on starts empty (as a fresh overlay would, and as KVM does):
 * no stale message or flag from before.
 */
static bool page_msr_write(struct vp *vp, uint64_t *msr, uint64_t v)
{
	bool was_on = *msr & HV_SYNIC_PAGE_ENABLE;
	void *page;

	if (v & HV_SYNIC_PAGE_RSVD)
		return false;
	*msr = v;
	if (!was_on && (page = page_of(vp, v)))
		memset(page, 0, PAGE_SIZE);
	return true;
}

/* Under the lock: the write, checked; false: #GP and nothing changed. */
static bool synic_reg_write(struct vp *vp, uint32_t msr, uint64_t v)
{
	struct synic *s = &vp->synic;

	switch (msr) {
	case HV_MSR_SCONTROL:
		if (v & ~HV_SCONTROL_ENABLE)
			return false;
		s->scontrol = v;
		return true;
	case HV_MSR_SVERSION:
		return false;			/* read-only */
	case HV_MSR_EOM:
		return true;			/* any value: the write is the signal */
	case HV_MSR_SIEFP:
		return page_msr_write(vp, &s->siefp, v);
	case HV_MSR_SIMP:
		return page_msr_write(vp, &s->simp, v);
	case HV_MSR_SIRBP:
		return page_msr_write(vp, &s->sirbp, v);
	default:
		if (!sint_value_ok(vp, v))
			return false;
		s->sint[msr - HV_MSR_SINT0] = v;
		return true;
	}
}

/*
 * Any accepted write re-scans the queues: EOM asks for it (TLFS 6.0,
 * 11.9.3), and turning the SynIC or its page on, or unmasking a SINT,
 * lets waiting messages go.
 */
bool synic_msr_write(struct vp *vp, uint32_t msr, uint64_t val)
{
	struct synic *s = &vp->synic;
	bool ok;

	if (is_stimer(msr))
		return has_priv(vp, HV_PRIV_ACCESS_SYNTHETIC_TIMER_REGS) &&
		       synic_stimer_msr_write(vp, msr, val);
	if (!is_synic(msr) || !has_priv(vp, HV_PRIV_ACCESS_SYNIC_REGS))
		return false;
	spin_lock(&s->lock);
	ok = synic_reg_write(vp, msr, val);
	if (ok)
		pump_all(vp);
	spin_unlock(&s->lock);
	return ok;
}

static bool page_is(uint64_t msr, uint64_t gpa)
{
	return (msr & HV_SYNIC_PAGE_ENABLE) && (msr & HV_SYNIC_PAGE_GPA_MASK) == gpa;
}

bool synic_uses_page(struct vp *vp, uint64_t gpa)
{
	struct synic *s = &vp->synic;
	bool used;

	spin_lock(&s->lock);
	used = page_is(s->simp, gpa) || page_is(s->siefp, gpa) || page_is(s->sirbp, gpa);
	spin_unlock(&s->lock);
	return used;
}
