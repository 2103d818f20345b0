/*
 * vCPU scheduler (see sched.h). Each physical CPU owns a run queue of the
 * vCPUs whose home it is; only that CPU runs them, so VMCS/VMCB state never
 * migrates. Other CPUs only set flags and send a kick IPI.
 */
#include "core/sched.h"
#include "partitions/lapic.h"
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

/*
 * Round robin in turns: the vCPU whose turn it is (last) may run until
 * turn_end, a quantum after its turn began, however often a woken vCPU
 * goes first in between (pick). turn counts the turns begun. boosted is
 * the woken vCPU that went first last, since boost_start, until the next
 * pick charges it the time.
 */
struct runq {
	spinlock_t lock;		/* the list; vp fields are the home CPU's */
	struct vp *head;
	struct vp *last;		/* whose round-robin turn it is, or was */
	uint64_t turn;
	uint64_t turn_end;		/* TSC */
	struct vp *boosted;
	uint64_t boost_start;		/* TSC */
	struct vp *fpu_owner;		/* whose x87/SSE and debug registers this CPU holds */
	volatile bool need_resched;
};

/* In each round-robin turn, a vCPU woken from HLT goes first for at most this long (pick). */
#define WOKEN_BUDGET_US	1000
/*
 * ... and the root's, a quantum: it serves every child's intercepts on its
 * CPU (docs/root.md), so its children wait on it; it halts when it has no
 * work, and the vCPUs beside it still get at least half of each turn.
 */
#define ROOT_WOKEN_BUDGET_US	SCHED_QUANTUM_US

static struct runq runqs[MAX_CPUS];
static bool poweroff_idle;
static uint64_t quantum_ticks, woken_budget_ticks, root_woken_budget_ticks;	/* TSC ticks */
static uint64_t boot_free_pages;	/* before any partition existed */

void sched_mark_baseline(void)
{
	boot_free_pages = mm_free_pages();
}

void sched_log_free_memory(void)
{
	log_info("hv: free memory %lu pages, at boot %lu pages", mm_free_pages(), boot_free_pages);
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

void sched_poweroff_when_idle(bool on)
{
	poweroff_idle = on;
}

void sched_init(bool poweroff_when_idle)
{
	poweroff_idle = poweroff_when_idle;
	trap_set_handler(VEC_TIMER, on_timer);
	trap_set_handler(VEC_IPI_KICK, on_kick);
	lapic_timer_calibrate();
	quantum_ticks = tsc_us_to_ticks(SCHED_QUANTUM_US);
	woken_budget_ticks = tsc_us_to_ticks(WOKEN_BUDGET_US);
	root_woken_budget_ticks = tsc_us_to_ticks(ROOT_WOKEN_BUDGET_US);
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

void sched_kick_vp(struct vp *vp)
{
	unsigned cpu = cpu_id_val(vp->vcpu.home_cpu);

	runqs[cpu].need_resched = true;
	if (cpu != this_cpu_id())
		lapic_send_ipi(cpus[cpu]->apic_id, ICR_FIXED | VEC_IPI_KICK);
}

void sched_kick_vp_elsewhere(struct vp *vp)
{
	if (cpu_id_val(vp->vcpu.home_cpu) != this_cpu_id())
		sched_kick_vp(vp);
}

void sched_yield_cpu(void)
{
	runqs[this_cpu_id()].need_resched = true;
}

/*
 * Pending vectors: a 256-bit bitmap and a summary word that is non-zero
 * whenever a bit may be set, so that the exit path tests one word. The
 * bit is set before the summary; the home CPU clears a bit, then the
 * summary if the bitmap looks empty, then looks again (irq_take_highest):
 * whichever order a raise and that clearing meet in, a set bit leaves the
 * summary set.
 */
void sched_raise_irq(struct vp *vp, uint8_t vector)
{
	__atomic_fetch_or(&vp->irq_pending[vector / 64], 1ull << (vector % 64), __ATOMIC_SEQ_CST);
	__atomic_store_n(&vp->irq_summary, 1, __ATOMIC_SEQ_CST);
	if (!cpu_is_current(vp->vcpu.home_cpu))
		lapic_send_ipi(cpu_percpu(vp->vcpu.home_cpu)->apic_id, ICR_FIXED | VEC_IPI_KICK);
}

/* The highest pending vector, or -1. */
static int irq_highest(const struct vp *vp)
{
	for (int i = 3; i >= 0; i--) {
		uint64_t w = __atomic_load_n(&vp->irq_pending[i], __ATOMIC_SEQ_CST);

		if (w)
			return i * 64 + 63 - __builtin_clzll(w);
	}
	return -1;
}

/* Home CPU: take the highest pending vector off the bitmap (-1: none), keeping the summary true. */
static int irq_take_highest(struct vp *vp)
{
	int vec = irq_highest(vp);

	if (vec >= 0)
		__atomic_fetch_and(&vp->irq_pending[vec / 64], ~(1ull << (vec % 64)),
				   __ATOMIC_SEQ_CST);
	if (irq_highest(vp) < 0) {
		__atomic_store_n(&vp->irq_summary, 0, __ATOMIC_SEQ_CST);
		if (irq_highest(vp) >= 0)	/* raised between the look and the store */
			__atomic_store_n(&vp->irq_summary, 1, __ATOMIC_SEQ_CST);
	}
	return vec;
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
 * Blocked in HLT with interrupts off (`cli; hlt`), or parked so
 * (partitions/lapic.c): no interrupt can wake it, so neither its timer
 * nor a pending vector may make it eligible or set this CPU's next
 * deadline. (Called on the vCPU's home CPU, where its
 * VMCS/VMCB may be read.)
 */
static bool asleep_for_good(struct vp *vp)
{
	return (vp->state == VP_BLOCKED && !vcpu_ops->can_take_irq(&vp->vcpu)) ||
	       (vp->suspend & VP_SUSPEND_PARKED);
}

/* An interrupt waits that the vCPU may take: any vector, or through its local APIC's priorities. */
static bool irq_ready(struct vp *vp)
{
	if (!vp->irq_summary)
		return false;
	return !vp->vcpu.part->lapic || lapic_irq_ready(vp);
}

/*
 * Runnable, or blocked in HLT with an interrupt it can take now. A vCPU
 * that halted with interrupts off stays asleep even when its timer fires:
 * otherwise `cli; hlt` with a timer armed would be picked again and again.
 */
static bool eligible(struct vp *vp, uint64_t now)
{
	if (vp->vcpu.part->state != PART_RUNNING || vp->state == VP_STOPPED || vp->suspend ||
	    vp->leaving)
		return false;
	if (vp->state == VP_RUNNABLE)
		return true;
	return (irq_ready(vp) || timer_due(vp, now)) && !asleep_for_good(vp);
}

/* Time a woken vCPU may still go first in this turn (TSC ticks). */
static uint64_t woken_budget_left(const struct runq *rq, const struct vp *vp)
{
	uint64_t budget = partition_is_root(vp->vcpu.part) ? root_woken_budget_ticks
							 : woken_budget_ticks;

	if (vp->woken_turn != rq->turn)
		return budget;
	return vp->woken_ticks < budget ? budget - vp->woken_ticks : 0;
}

static bool may_go_first(const struct runq *rq, const struct vp *vp)
{
	return woken_budget_left(rq, vp) != 0;
}

/*
 * The vCPU that went first last ran until now: charge it to its budget for
 * the turn. If it neither halted nor waits for the root, something cut its
 * go in short (another vCPU's wake-up, a kick: the root's own SetVpRegisters
 * that resumes a child kicks the root's CPU), and it goes first again, in
 * what is left of its budget: otherwise it would wait for its round-robin
 * turn, a quantum for every busy vCPU beside it, the middle of its work
 * done (the root: with every child's intercept waiting behind it). One
 * whose budget ran out is an ordinary vCPU of the round robin again.
 */
static void charge_woken(struct runq *rq, uint64_t now)
{
	struct vp *vp = rq->boosted;

	if (!vp)
		return;
	if (vp->woken_turn != rq->turn) {
		vp->woken_turn = rq->turn;
		vp->woken_ticks = 0;
	}
	vp->woken_ticks += now - rq->boost_start;
	rq->boosted = NULL;
	vp->first_cut_short = vp->state == VP_RUNNABLE && !vp->suspend && may_go_first(rq, vp);
}

/* Woken from HLT, resumed by the root after an intercept, or cut short while it went first. */
static bool was_woken(const struct vp *vp)
{
	return vp->state == VP_BLOCKED || vp->icpt_resumed || vp->first_cut_short;
}

/* The vCPU whose round-robin turn it is may go on: it can run, and its quantum is not over. */
static bool turn_goes_on(struct runq *rq, uint64_t now)
{
	return rq->last && (int64_t)(now - rq->turn_end) < 0 && eligible(rq->last, now);
}

/* The next turn: the first eligible vCPU after the last one's (rq->last NULL: none). */
static void begin_next_turn(struct runq *rq, uint64_t now)
{
	struct vp *start = rq->last && rq->last->rq_next ? rq->last->rq_next : rq->head;
	struct vp *vp = start;

	rq->last = NULL;
	if (!vp)
		return;
	do {
		if (eligible(vp, now)) {
			rq->last = vp;
			rq->turn++;
			rq->turn_end = now + quantum_ticks;
			return;
		}
		vp = vp->rq_next ? vp->rq_next : rq->head;
	} while (vp != start);
}

/*
 * Round robin in turns of a quantum. A vCPU woken from HLT (its interrupt
 * is due) goes first, so that timer latency does not grow with the number
 * of busy vCPUs; but for at most WOKEN_BUDGET_US in each turn, and the
 * vCPU whose turn it interrupted keeps its turn. Otherwise a guest could
 * compute for most of a quantum, halt so as to be woken at once, and be
 * picked first with a new quantum again and again, leaving the vCPUs
 * beside it nothing. *slice_end: when the picked vCPU's slice ends (TSC).
 */
static struct vp *pick(struct runq *rq, uint64_t now, uint64_t *slice_end)
{
	charge_woken(rq, now);
	if (!turn_goes_on(rq, now))
		begin_next_turn(rq, now);
	for (struct vp *w = rq->head; w; w = w->rq_next)
		if (was_woken(w) && may_go_first(rq, w) && eligible(w, now)) {
			__atomic_store_n(&w->icpt_resumed, false, __ATOMIC_SEQ_CST);
			w->first_cut_short = false;
			*slice_end = now + woken_budget_left(rq, w);
			rq->boosted = w;
			rq->boost_start = now;
			return w;
		}
	*slice_end = rq->turn_end;
	if (rq->last) {	/* its own turn: no boost left over for later */
		if (rq->last->icpt_resumed)
			__atomic_store_n(&rq->last->icpt_resumed, false, __ATOMIC_SEQ_CST);
		rq->last->first_cut_short = false;
	}
	return rq->last;
}

/*
 * Whether vp's virtual timer must end the slice of `running` (NULL: the
 * CPU is idle) when it fires: its own, unless it is due already (the
 * slice's first entry delivers it), or one that lets a halted vCPU go
 * first. Any other vCPU's turn comes by the slice's end anyway. A timer
 * whose vCPU sleeps for good cannot wake it: counting it would only make
 * the CPU look at it when it fires (expire_queue_timers then turns it
 * into a pending vector nobody takes), so it is left out.
 */
static bool timer_ends_slice(const struct runq *rq, struct vp *vp, const struct vp *running,
			     uint64_t now)
{
	if (!vp->timer_deadline || vp->vcpu.part->state != PART_RUNNING ||
	    vp->state == VP_STOPPED || asleep_for_good(vp))
		return false;
	if (vp == running)
		return !timer_due(vp, now);
	return !running || (vp->state == VP_BLOCKED && may_go_first(rq, vp));
}

/*
 * Microseconds until the earliest virtual timer on this queue that ends
 * the slice of `running`, or until the slice's end (TSC).
 */
static uint64_t next_timer_us(struct runq *rq, uint64_t now, const struct vp *running,
			      uint64_t slice_end)
{
	uint64_t best = (int64_t)(slice_end - now) > 0 ? slice_end - now : 0;

	for (struct vp *vp = rq->head; vp; vp = vp->rq_next) {
		if (!timer_ends_slice(rq, vp, running, now))
			continue;
		if (timer_due(vp, now))
			return 1;
		best = MIN(best, vp->timer_deadline - now);
	}
	return tsc_ticks_to_us(best) + 1;
}

/*
 * The vCPU's timers that are due become what they raise: the own-call
 * timer its vector, a synthetic timer its SynIC message or direct
 * vector (partitions/synic.h). Home CPU.
 */
static void expire_timers(struct vp *vp, uint64_t now)
{
	if (vp->xtimer_deadline && (int64_t)(now - vp->xtimer_deadline) >= 0) {
		vp->xtimer_deadline = 0;
		sched_raise_irq(vp, vp->timer_vector);
	}
	if (vp->stimer_deadline && (int64_t)(now - vp->stimer_deadline) >= 0)
		synic_stimers_expire(vp);
	if (vlapic_timer_deadline(&vp->lapic) &&
	    (int64_t)(now - vlapic_timer_deadline(&vp->lapic)) >= 0)
		lapic_timer_expire(vp, now);
	vp_timers_changed(vp);
}

/*
 * Before a pick: the due timers of this queue's vCPUs that are not
 * running become pending, so that only an interrupt makes a halted vCPU
 * eligible (a synthetic timer whose SINT is masked wakes nobody) and a
 * due timer never stays due (which would set every deadline to 1 us).
 */
static void expire_queue_timers(struct runq *rq, uint64_t now)
{
	for (struct vp *vp = rq->head; vp; vp = vp->rq_next) {
		if (vp->lapic_signals)	/* INIT, SIPI, NMI another CPU sent */
			lapic_take_signals(vp);
		if (timer_due(vp, now) && vp->vcpu.part->state == PART_RUNNING &&
		    vp->state != VP_STOPPED) {
			__atomic_store_n(&vp->expiring, true, __ATOMIC_SEQ_CST);
			expire_timers(vp, now);
			__atomic_store_n(&vp->expiring, false, __ATOMIC_RELEASE);
		}
	}
}

/*
 * Move due timers to pending and inject what the guest can take, the
 * highest vector first. There is no virtual APIC yet: an injected vector
 * is done with (every SINT behaves as auto-EOI, docs/synic.md). With more
 * pending, the interrupt window brings the next as soon as the guest can
 * take it.
 */
static void deliver_interrupts(struct vp *vp)
{
	uint64_t now = sched_now();
	int vec;

	if (timer_due(vp, now))
		expire_timers(vp, now);
	if (vp->vcpu.part->lapic) {
		lapic_deliver(vp);
		return;
	}
	if (!__atomic_load_n(&vp->irq_summary, __ATOMIC_ACQUIRE))
		return;
	if (!vcpu_ops->can_take_irq(&vp->vcpu)) {
		vcpu_ops->want_irq_window(&vp->vcpu, true);
		return;
	}
	vec = irq_take_highest(vp);
	if (vec >= 0) {
		const struct vcpu_event ev = { EVENT_EXTINT, (uint8_t)vec, false, 0 };

		vcpu_ops->inject(&vp->vcpu, &ev);
	}
	vcpu_ops->want_irq_window(&vp->vcpu, __atomic_load_n(&vp->irq_summary, __ATOMIC_ACQUIRE));
}

/*
 * Out of guest mode until the next pick: what a CPU that changed the VP's
 * translations waits for (hvroot_mem.c) sees `running` false or `slices`
 * move on.
 */
static void slice_over(struct vp *vp)
{
	__atomic_store_n(&vp->running, false, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&vp->slices, 1, __ATOMIC_SEQ_CST);
}

static void run_vp(struct runq *rq, struct vp *vp, uint64_t slice_end)
{
	struct partition *p = vp->vcpu.part;
	void (*run)(struct vcpu *v) = vcpu_ops->run;	/* bound at boot: fixed */
	enum exit_action act = EXIT_ACTION_RESUME;
	uint64_t start, guest = 0;

	/* a full barrier: hvroot_flush_child sees it, or this entry sees its flush (drop of the tag) */
	__atomic_store_n(&vp->running, true, __ATOMIC_SEQ_CST);
	vp->state = VP_RUNNABLE;
	rq->need_resched = false;
	lapic_timer_oneshot(next_timer_us(rq, sched_now(), vp, slice_end));
	if (p->state != PART_RUNNING) {
		slice_over(vp);
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
	 * The hot loop: one TSC read on each side of an entry, the guest's
	 * time summed in a register (the hypervisor's is the rest of the
	 * loop's), no locks. A change of the partition's state always comes
	 * with a kick (need_resched), so the state is checked once per turn.
	 * The slice ends with the APIC timer's interrupt: every exit that can
	 * repeat without one (an injected event whose delivery exits again,
	 * which can only be an intercepted #AC or #DB) lets the host take its
	 * interrupts first (reflect_exception, core/exit.c), so the timer and
	 * kicks always get through.
	 */
	start = rdtsc();
	while (act == EXIT_ACTION_RESUME && !rq->need_resched && !vp->suspend) {
		if (vp->timer_deadline | vp->irq_summary)
			deliver_interrupts(vp);
		guest -= rdtsc();
		run(&vp->vcpu);
		guest += rdtsc();
		act = exit_dispatch(vp, &vp->vcpu.exit);
	}
	vp->stats.guest_ticks += guest;
	vp->stats.hv_ticks += rdtsc() - start - guest;
	if (act == EXIT_ACTION_BLOCK)
		vp->state = VP_BLOCKED;
	slice_over(vp);
}

static void idle(struct runq *rq, uint64_t now)
{
	if (poweroff_idle && this_cpu_id() == 0 && !partitions_any_alive()) {
		sched_log_free_memory();
		log_info("hv: no partition left running: powering off");
		acpi_poweroff();
		poweroff_idle = false;
	}
	if (rq->head || poweroff_idle)	/* the boot CPU polls for "all done" */
		lapic_timer_oneshot(next_timer_us(rq, now, NULL, now + quantum_ticks));
	rq->need_resched = false;
	if (!log_idle_drain(&rq->need_resched))	/* idle: send the buffered log meanwhile */
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* Take the vCPUs the root released (Finalize, DeleteVp) off this queue and release them here, on their home CPU. */
static void reap(struct runq *rq)
{
	struct vp *dead = NULL;

	spin_lock(&rq->lock);
	for (struct vp **pp = &rq->head; *pp;) {
		struct vp *vp = *pp;

		if (!vp->leaving) {
			pp = &vp->rq_next;
			continue;
		}
		*pp = vp->rq_next;
		if (rq->last == vp)
			rq->last = NULL;
		if (rq->boosted == vp)
			rq->boosted = NULL;
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
		uint64_t now, slice_end;
		struct vp *vp;

		log_drain();	/* each quantum: a busy CPU sends some of the log too */
		irq_disable();
		reap(rq);
		now = sched_now();
		spin_lock(&rq->lock);
		expire_queue_timers(rq, now);
		vp = pick(rq, now, &slice_end);
		spin_unlock(&rq->lock);
		if (!vp) {
			idle(rq, now);
			continue;
		}
		run_vp(rq, vp, slice_end);
	}
}
