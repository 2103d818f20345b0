/*
 * vCPU scheduler (see sched.h). Each physical CPU owns a run queue of the
 * vCPUs whose home it is; only that CPU runs them, so VMCS/VMCB state never
 * migrates. Other CPUs only set flags and send a kick IPI.
 */
#include "core/sched.h"
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/fpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"
#include "core/exit.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "drivers/acpi.h"
#include "partitions/partition.h"

struct runq {
	spinlock_t lock;		/* the list; vp fields are the home CPU's */
	struct vp *head;
	struct vp *last;		/* the vCPU that ran last, for round robin */
	struct vp *fpu_owner;		/* whose x87/SSE and debug registers this CPU holds */
	volatile bool need_resched;
};

static struct runq runqs[MAX_CPUS];
static bool poweroff_idle;
static uint64_t boot_free_pages;	/* before any partition existed */

void sched_mark_baseline(void)
{
	boot_free_pages = mm_free_pages();
}

uint64_t sched_now(void)
{
	return rdtsc();
}

static void on_timer(struct trap_frame *tf)
{
	(void)tf;
	runqs[this_cpu_id()].need_resched = true;
}

static void on_kick(struct trap_frame *tf)
{
	(void)tf;
	runqs[this_cpu_id()].need_resched = true;
}

void sched_init(bool poweroff_when_idle)
{
	poweroff_idle = poweroff_when_idle;
	trap_set_handler(VEC_TIMER, on_timer);
	trap_set_handler(VEC_IPI_KICK, on_kick);
	lapic_timer_calibrate();
	log_info("sched: APIC timer %lu kHz, quantum %u us", lapic_timer_khz(), SCHED_QUANTUM_US);
}

void sched_add(struct vp *vp)
{
	struct runq *rq = &runqs[cpu_id_val(vp->vcpu.home_cpu)];

	spin_lock(&rq->lock);
	vp->rq_next = rq->head;
	rq->head = vp;
	spin_unlock(&rq->lock);
	if (!cpu_is_current(vp->vcpu.home_cpu))
		lapic_send_ipi(cpu_percpu(vp->vcpu.home_cpu)->apic_id, ICR_FIXED | VEC_IPI_KICK);
}

void sched_kick_partition(struct partition *p)
{
	for (unsigned i = 0; i < p->nvps; i++) {
		unsigned cpu = cpu_id_val(p->vps[i].vcpu.home_cpu);

		runqs[cpu].need_resched = true;
		if (cpu != this_cpu_id())
			lapic_send_ipi(cpus[cpu]->apic_id, ICR_FIXED | VEC_IPI_KICK);
	}
}

void sched_raise_irq(struct vp *vp, uint8_t vector)
{
	__atomic_store_n(&vp->pending_irq, vector, __ATOMIC_RELEASE);
	if (!cpu_is_current(vp->vcpu.home_cpu))
		lapic_send_ipi(cpu_percpu(vp->vcpu.home_cpu)->apic_id, ICR_FIXED | VEC_IPI_KICK);
}

void sched_take_host_interrupts(void)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
}

static bool timer_due(const struct vp *vp, uint64_t now)
{
	return vp->timer_deadline && (int64_t)(now - vp->timer_deadline) >= 0;
}

/*
 * Blocked in HLT with interrupts off (`cli; hlt`): no interrupt can wake
 * it, so neither its timer nor a pending vector may make it eligible or
 * set this CPU's next deadline. (Called on the vCPU's home CPU, where its
 * VMCS/VMCB may be read.)
 */
static bool asleep_for_good(struct vp *vp)
{
	return vp->state == VP_BLOCKED && !vcpu_ops->can_take_irq(&vp->vcpu);
}

/*
 * Runnable, or blocked in HLT with an interrupt it can take now. A vCPU
 * that halted with interrupts off stays asleep even when its timer fires:
 * otherwise `cli; hlt` with a timer armed would be picked again and again.
 */
static bool eligible(struct vp *vp, uint64_t now)
{
	if (vp->vcpu.part->state != PART_RUNNING || vp->state == VP_STOPPED)
		return false;
	if (vp->state == VP_RUNNABLE)
		return true;
	return (vp->pending_irq || timer_due(vp, now)) && !asleep_for_good(vp);
}

/*
 * A vCPU woken from HLT (its interrupt is due) goes first, so that timer
 * latency does not grow with the number of busy vCPUs; otherwise round
 * robin: the first eligible vCPU after the last one that ran.
 */
static struct vp *pick(struct runq *rq, uint64_t now)
{
	struct vp *start = rq->last && rq->last->rq_next ? rq->last->rq_next : rq->head;
	struct vp *vp = start;

	if (!vp)
		return NULL;
	for (struct vp *w = rq->head; w; w = w->rq_next)
		if (w->state == VP_BLOCKED && eligible(w, now))
			return w;
	do {
		if (eligible(vp, now))
			return vp;
		vp = vp->rq_next ? vp->rq_next : rq->head;
	} while (vp != start);
	return NULL;
}

/*
 * Microseconds until the earliest virtual timer on this queue that can
 * wake its vCPU, or the quantum. A timer whose vCPU sleeps for good never
 * becomes pending (deliver_interrupts does not run for it), so counting it
 * would make the deadline 1 us forever once it is due, and its neighbours
 * would exit at that rate.
 */
static uint64_t next_timer_us(struct runq *rq, uint64_t now)
{
	uint64_t best = SCHED_QUANTUM_US;

	for (struct vp *vp = rq->head; vp; vp = vp->rq_next) {
		if (!vp->timer_deadline || vp->vcpu.part->state != PART_RUNNING ||
		    vp->state == VP_STOPPED || asleep_for_good(vp))
			continue;
		if (timer_due(vp, now))
			return 1;
		best = MIN(best, tsc_ticks_to_us(vp->timer_deadline - now) + 1);
	}
	return best;
}

/* Move due timer interrupts to pending and inject what the guest can take. */
static void deliver_interrupts(struct vp *vp)
{
	uint32_t vec;

	if (timer_due(vp, sched_now())) {
		vp->timer_deadline = 0;
		__atomic_store_n(&vp->pending_irq, vp->timer_vector, __ATOMIC_RELEASE);
	}
	vec = __atomic_load_n(&vp->pending_irq, __ATOMIC_ACQUIRE);
	if (!vec)
		return;
	if (vcpu_ops->can_take_irq(&vp->vcpu)) {
		const struct vcpu_event ev = { EVENT_EXTINT, (uint8_t)vec, false, 0 };
		uint32_t expected = vec;

		vcpu_ops->inject(&vp->vcpu, &ev);
		/* clear only what was injected: a vector raised meanwhile stays pending */
		__atomic_compare_exchange_n(&vp->pending_irq, &expected, 0, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
		vcpu_ops->want_irq_window(&vp->vcpu, false);
	} else {
		vcpu_ops->want_irq_window(&vp->vcpu, true);
	}
}

static void run_vp(struct runq *rq, struct vp *vp)
{
	struct partition *p = vp->vcpu.part;
	enum exit_action act = EXIT_ACTION_RESUME;
	struct vm_exit e;
	uint64_t t_exit, guest = 0, hv = 0;

	vp->running = true;
	vp->state = VP_RUNNABLE;
	rq->need_resched = false;
	lapic_timer_oneshot(next_timer_us(rq, sched_now()));
	if (p->state != PART_RUNNING) {
		vp->running = false;
		return;
	}
	if (rq->fpu_owner != vp) {	/* no guest may see another's registers */
		if (rq->fpu_owner) {
			fpu_save(&rq->fpu_owner->fpu);
			debug_regs_save(&rq->fpu_owner->dbg);
		}
		fpu_restore(&vp->fpu);
		debug_regs_restore(&vp->dbg);
		rq->fpu_owner = vp;
	}
	if (!p->first_entry_tsc) {
		p->first_entry_tsc = sched_now();
		log_info("part %u '%s': first guest entry %lu TSC ticks after start",
			 part_id_val(p->id), p->name, p->first_entry_tsc - p->start_tsc);
	}
	/*
	 * The hot loop: one TSC read on each side of an entry, times summed in
	 * registers, no locks. A change of the partition's state always comes
	 * with a kick (need_resched), so the state is checked once per turn.
	 */
	t_exit = rdtsc();
	while (act == EXIT_ACTION_RESUME && !rq->need_resched) {
		uint64_t t_entry;

		if (vp->timer_deadline | vp->pending_irq)
			deliver_interrupts(vp);
		t_entry = rdtsc();
		hv += t_entry - t_exit;
		vcpu_ops->run(&vp->vcpu, &e);
		t_exit = rdtsc();
		guest += t_exit - t_entry;
		act = exit_dispatch(vp, &e);
	}
	vp->stats.guest_ticks += guest;
	vp->stats.hv_ticks += hv + (rdtsc() - t_exit);
	if (act == EXIT_ACTION_BLOCK)
		vp->state = VP_BLOCKED;
	vp->running = false;
}

static void idle(struct runq *rq, uint64_t now)
{
	if (poweroff_idle && this_cpu_id() == 0 && !partitions_any_alive()) {
		log_info("hv: free memory %lu pages, at boot %lu pages", mm_free_pages(),
			 boot_free_pages);
		log_info("hv: no partition left running: powering off");
		acpi_poweroff();
		poweroff_idle = false;
	}
	if (rq->head || poweroff_idle)	/* the boot CPU polls for "all done" */
		lapic_timer_oneshot(next_timer_us(rq, now));
	rq->need_resched = false;
	if (!log_idle_drain(&rq->need_resched))	/* idle: send the buffered log meanwhile */
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* Take the vCPUs of dying partitions off this queue and release them here, on their home CPU. */
static void reap(struct runq *rq)
{
	struct vp *dead = NULL;

	spin_lock(&rq->lock);
	for (struct vp **pp = &rq->head; *pp;) {
		struct vp *vp = *pp;

		if (!vp->vcpu.part->dying) {
			pp = &vp->rq_next;
			continue;
		}
		*pp = vp->rq_next;
		if (rq->last == vp)
			rq->last = NULL;
		if (rq->fpu_owner == vp)
			rq->fpu_owner = NULL;	/* its registers die with it */
		vp->rq_next = dead;
		dead = vp;
	}
	spin_unlock(&rq->lock);
	while (dead) {
		struct vp *next = dead->rq_next;

		partition_release_vp(dead);	/* may free the partition: read next first */
		dead = next;
	}
}

void sched_loop(void)
{
	struct runq *rq = &runqs[this_cpu_id()];

	for (;;) {
		uint64_t now;
		struct vp *vp;

		irq_disable();
		reap(rq);
		now = sched_now();
		spin_lock(&rq->lock);
		vp = pick(rq, now);
		spin_unlock(&rq->lock);
		if (!vp) {
			idle(rq, now);
			continue;
		}
		rq->last = vp;
		run_vp(rq, vp);
	}
}
