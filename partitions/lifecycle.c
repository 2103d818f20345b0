/*
 * A partition's states after creation: started, paused and resumed by
 * request; stopped by its own exit hypercall or crashed by a fault. What
 * happens next is the root's to decide (it finalizes and deletes a child
 * with its hypercalls, partitions/hvroot_part.c); the hypervisor destroys
 * nothing by itself. Running its vCPUs is core/sched.c's business.
 */
#include "partitions/internal.h"
#include "partitions/platform.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/sched.h"
#include "drivers/acpi.h"

static const char *const state_names[] = {
	"created", "running", "paused", "stopped", "crashed",
};

const char *partition_state_name(enum part_state s)
{
	return s <= PART_CRASHED ? state_names[s] : "?";
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

	spin_lock(&p->lock);
	if (p->state == PART_CRASHED) {
		spin_unlock(&p->lock);
		return;
	}
	p->state = PART_CRASHED;
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
	sched_kick_partition(p);
}

void partition_stopped(struct partition *p, uint64_t code)
{
	spin_lock(&p->lock);
	if (p->state != PART_RUNNING && p->state != PART_PAUSED) {
		spin_unlock(&p->lock);	/* crashed or ended already: that outcome stands */
		return;
	}
	p->state = PART_STOPPED;
	p->exit_code = code;
	spin_unlock(&p->lock);
	platform_debug_flush(p);
	log_info("part %u '%s': stopped itself, exit code %lu", part_id_val(p->id), p->name,
		 code);
	if (partition_is_root(p)) {	/* the machine's OS shut down: so does the machine */
		log_info("hv: the root partition stopped: powering off");
		acpi_poweroff();
		panic("the root partition stopped and the machine did not power off");
	}
	sched_kick_partition(p);
}

void partition_release_vp(struct vp *vp)
{
	part_vp_free(vp);
	__atomic_store_n(&vp->released, true, __ATOMIC_RELEASE);	/* Finalize, DeleteVp wait for it */
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
