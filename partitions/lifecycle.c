/*
 * A partition's states after creation: started, paused and resumed by
 * request; stopped by its own exit hypercall or crashed by a fault; and
 * destroyed, by request or by its on_stop / on_crash setting. Running its
 * vCPUs is core/sched.c's business.
 */
#include "partitions/internal.h"
#include "partitions/platform.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/sched.h"
#include "drivers/acpi.h"

static void destroy_started(struct partition *p, bool started);
static void mark_dying_locked(struct partition *p);

static const char *const state_names[] = {
	"created", "running", "paused", "stopped", "crashed",
};

const char *partition_state_name(enum part_state s)
{
	return s <= PART_CRASHED ? state_names[s] : "?";
}

const char *partition_status_text(enum part_status st)
{
	static const char *const text[] = {
		"ok", "invalid argument", "not enough memory", "name already in use",
		"wrong partition state", "image cannot be loaded", "limit reached",
	};

	return st <= PART_ELIMIT ? text[st] : "?";
}

static enum part_status change_state(struct partition *p, enum part_state from,
				     enum part_state to)
{
	enum part_status st = PART_ESTATE;

	spin_lock(&p->lock);
	if (p->state == from) {
		p->state = to;
		st = PART_OK;
	}
	spin_unlock(&p->lock);
	return st;
}

enum part_status partition_start(struct partition *p)
{
	enum part_status st;

	p->start_tsc = sched_now();
	st = change_state(p, PART_CREATED, PART_RUNNING);
	if (st == PART_OK)
		log_debug("part %u '%s': started at TSC %lu", part_id_val(p->id), p->name,
			  p->start_tsc);
	if (st == PART_OK)
		for (unsigned i = 0; i < p->nvps; i++)
			sched_add(&p->vps[i]);
	return st;
}

enum part_status partition_pause(struct partition *p)
{
	enum part_status st = change_state(p, PART_RUNNING, PART_PAUSED);

	if (st == PART_OK)
		sched_kick_partition(p);
	return st;
}

enum part_status partition_resume(struct partition *p)
{
	enum part_status st = change_state(p, PART_PAUSED, PART_RUNNING);

	if (st == PART_OK)
		sched_kick_partition(p);
	return st;
}

void partition_crash(struct partition *p, struct vp *vp, const char *why)
{
	struct vcpu_state s;
	bool destroy;

	spin_lock(&p->lock);
	if (p->state == PART_CRASHED) {
		spin_unlock(&p->lock);
		return;
	}
	p->state = PART_CRASHED;
	destroy = p->on_crash == PART_END_DESTROY && !p->dying;
	if (destroy)		/* with the state, so nobody sees it ended but not dying */
		mark_dying_locked(p);
	spin_unlock(&p->lock);
	platform_debug_flush(p);	/* its last, unfinished words come before the report */
	vcpu_ops->get_state(&vp->vcpu, &s);
	log_err("part %u '%s': crashed on vCPU %u: %s", part_id_val(p->id), p->name,
		vp_index_val(vp->vcpu.index), why);
	log_err("  rip=%016lx rsp=%016lx rflags=%016lx cr0=%lx cr3=%lx cr4=%lx efer=%lx",
		s.rip, s.gpr[GPR_RSP], s.rflags, s.cr0, s.cr3, s.cr4, s.efer);
	log_err("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx",
		s.gpr[GPR_RAX], s.gpr[GPR_RBX], s.gpr[GPR_RCX], s.gpr[GPR_RDX]);
	log_err("  rsi=%016lx rdi=%016lx rbp=%016lx cs=%04x ss=%04x",
		s.gpr[GPR_RSI], s.gpr[GPR_RDI], s.gpr[GPR_RBP], s.cs.sel, s.ss.sel);
	if (partition_is_root(p))	/* the machine's OS is gone: as Hyper-V's bugcheck */
		panic("the root partition crashed: %s", why);
	if (destroy)
		destroy_started(p, true);
	else
		sched_kick_partition(p);
}

void partition_stopped(struct partition *p, uint64_t code)
{
	bool destroy;

	spin_lock(&p->lock);
	if (p->state != PART_RUNNING && p->state != PART_PAUSED) {
		spin_unlock(&p->lock);	/* crashed or ended already: that outcome stands */
		return;
	}
	p->state = PART_STOPPED;
	p->exit_code = code;
	destroy = p->on_stop == PART_END_DESTROY && !p->dying;
	if (destroy)
		mark_dying_locked(p);
	spin_unlock(&p->lock);
	platform_debug_flush(p);
	log_info("part %u '%s': stopped itself, exit code %lu", part_id_val(p->id), p->name,
		 code);
	if (partition_is_root(p)) {	/* the machine's OS shut down: so does the machine */
		log_info("hv: the root partition stopped: powering off");
		acpi_poweroff();
		panic("the root partition stopped and the machine did not power off");
	}
	if (destroy)
		destroy_started(p, true);
	else
		sched_kick_partition(p);
}

/* The last count is gone: nothing runs or touches p any more. */
static void finish_destroy(struct partition *p)
{
	part_id_t id = p->id;
	char name[PART_NAME_MAX];
	int slot;

	memcpy(name, p->name, sizeof(name));
	part_log_stats(p);
	/* the slot stays taken until the memory is back, so "nothing left" means it */
	slot = part_table_retire(p);
	part_memory_free(p);
	if (slot >= 0)
		part_table_release(slot);
	log_info("part %u '%s': destroyed, memory scrubbed and returned (%lu MiB free)",
		 part_id_val(id), name, mm_free_pages() >> (20 - PAGE_SHIFT));
}

/*
 * Start destroying (under p->lock). The home CPUs may release the vCPUs
 * as soon as they see `dying`, so the destroyer holds one extra count on
 * live_vps until it no longer touches p; whoever drops the last count
 * frees the partition.
 */
static void mark_dying_locked(struct partition *p)
{
	p->dying = true;
	__atomic_add_fetch(&p->live_vps, 1, __ATOMIC_ACQ_REL);
}

static void drop_count(struct partition *p)
{
	if (__atomic_sub_fetch(&p->live_vps, 1, __ATOMIC_ACQ_REL) == 0)
		finish_destroy(p);
}

/* The rest of a destroy, once mark_dying_locked() has run. */
static void destroy_started(struct partition *p, bool started)
{
	if (!started)			/* never scheduled: nothing runs it anywhere */
		for (unsigned i = 0; i < p->nvps; i++)
			partition_release_vp(&p->vps[i]);
	else
		sched_kick_partition(p);	/* home CPUs release the vCPUs */
	drop_count(p);			/* the destroyer's own count */
}

enum part_status partition_destroy(struct partition *p)
{
	bool started;

	spin_lock(&p->lock);
	if (p->dying || partition_is_root(p)) {	/* the root's memory is not the hypervisor's */
		spin_unlock(&p->lock);
		return PART_ESTATE;
	}
	mark_dying_locked(p);
	started = p->state != PART_CREATED;
	if (p->state != PART_CRASHED)
		p->state = PART_STOPPED;
	spin_unlock(&p->lock);
	destroy_started(p, started);
	return PART_OK;
}

void partition_release_vp(struct vp *vp)
{
	struct partition *p = vp->vcpu.part;

	part_vp_free(vp);
	if (vp->leaving && !p->dying) {	/* hosted: the partition lives on without it */
		__atomic_store_n(&vp->released, true, __ATOMIC_RELEASE);
		return;
	}
	drop_count(p);
}

void vp_suspend_set(struct vp *vp, unsigned bits, bool on)
{
	if (on)
		__atomic_fetch_or(&vp->suspend, (uint8_t)bits, __ATOMIC_SEQ_CST);
	else if (bits & VP_SUSPEND_INTERCEPT)	/* its I/O completed: it may go first (sched.c) */
		__atomic_store_n(&vp->icpt_resumed, true, __ATOMIC_SEQ_CST);
	if (!on)
		__atomic_fetch_and(&vp->suspend, (uint8_t)~bits, __ATOMIC_SEQ_CST);
	sched_kick_vp(vp);
}
