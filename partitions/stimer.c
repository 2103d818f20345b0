/*
 * Synthetic timers (TLFS 6.0, 12.4 "Synthetic Timers"): four per VP, each
 * a CONFIG and a COUNT MSR, in the partition's reference time (100 ns
 * since it was created, from the TSC). Message mode posts
 * HVMSG_TIMER_EXPIRED to the configured SINT through the timer's own node,
 * so an expiry never needs a buffer; direct mode raises the configured
 * vector. Everything here runs on the VP's home CPU: its MSR accesses and
 * the scheduler's expiry (core/sched.c, through vp->stimer_deadline).
 */
#include "partitions/synic.h"
#include "arch/x86/tsc.h"
#include "core/abi/hypercall.h"
#include "core/lib.h"
#include "core/sched.h"
#include "partitions/partition.h"

/* Reference time runs at 10 MHz: ref = ticks * 10^7 / (kHz * 1000). */
#define REF_PER_KHZ_TICK	10000u
/*
 * The shortest period, in reference units (50 us, as HVCALL_X_SET_TIMER's
 * minimum): a periodic timer whose message cannot be delivered (SynIC off,
 * SINT masked, slot busy) wakes nobody, yet each expiry ends the slice of
 * whatever runs on its CPU; a 100 ns period cut a neighbour's time into
 * slivers (an interrupt every microsecond). Direct and message mode alike.
 */
#define STIMER_MIN_PERIOD	500u

/*
 * a * b / d with a 128-bit product (MUL, DIV: there is no libgcc for
 * __udivti3); a quotient beyond 64 bits, which DIV would fault on,
 * saturates. `up`: rounded up.
 */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t d, bool up)
{
	uint64_t lo, hi, q, r;

	__asm__("mulq %3" : "=a"(lo), "=d"(hi) : "a"(a), "rm"(b) : "cc");
	if (hi >= d)
		return ~0ull;
	__asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
	return q + (up && r && q != ~0ull);
}

uint64_t synic_ref_time(const struct partition *p)
{
	return mul_div(sched_now() - p->created_tsc, REF_PER_KHZ_TICK, tsc_khz(), false);
}

/*
 * The first TSC value at which the reference time has reached ref; at
 * most 2^62 ticks on (decades), so that the scheduler's signed compares
 * never see a far deadline wrap into the past.
 */
static uint64_t ref_to_tsc(const struct partition *p, uint64_t ref)
{
	return p->created_tsc + MIN(mul_div(ref, tsc_khz(), REF_PER_KHZ_TICK, true), 1ull << 62);
}

/* Reference times saturate: a huge COUNT means "never", not a wrap into the past. */
static uint64_t ref_add(uint64_t a, uint64_t b)
{
	return a + b < a ? ~0ull : a + b;
}

static unsigned stimer_sint(uint64_t config)
{
	return (unsigned)((config & HV_STIMER_SINT_MASK) >> HV_STIMER_SINT_SHIFT);
}

static uint8_t stimer_vector(uint64_t config)
{
	return (uint8_t)((config & HV_STIMER_VECTOR_MASK) >> HV_STIMER_VECTOR_SHIFT);
}

/* The scheduler's deadline: the earliest armed timer. */
static void stimers_changed(struct vp *vp)
{
	uint64_t best = 0;

	for (unsigned i = 0; i < HV_SYNIC_STIMER_COUNT; i++) {
		uint64_t due = vp->synic.stimer[i].due_ref;

		if (due && (!best || due < best))
			best = due;
	}
	vp->stimer_deadline = best ? ref_to_tsc(vp->vcpu.part, best) : 0;
	vp_timers_changed(vp);
}

static uint64_t stimer_period(const struct synic_stimer *t)
{
	return MAX(t->count, (uint64_t)STIMER_MIN_PERIOD);
}

/*
 * Enabled with a non-zero count: a one-shot timer expires when the
 * reference time reaches COUNT (at once if that is past), a periodic one
 * COUNT after now and every COUNT after that (TLFS 6.0, 12.4.1).
 */
static void stimer_arm(struct vp *vp, struct synic_stimer *t)
{
	t->due_ref = 0;
	if (!(t->config & HV_STIMER_ENABLE) || !t->count)
		return;
	if (t->config & HV_STIMER_PERIODIC)
		t->due_ref = ref_add(synic_ref_time(vp->vcpu.part), stimer_period(t));
	else
		t->due_ref = t->count;
}

/*
 * A message-mode timer on SINT 0 stays off (as KVM has it: SINT 0 is the
 * root's intercept SINT). A timer enabled with COUNT 0 waits for a count.
 */
static void stimer_fix_enable(struct synic_stimer *t)
{
	if (!(t->config & HV_STIMER_DIRECT) && !stimer_sint(t->config))
		t->config &= ~HV_STIMER_ENABLE;
}

/*
 * A direct-mode timer's vector is checked whether or not ENABLE is set:
 * AUTO_ENABLE and a COUNT write enable it later without another look, and
 * vectors 0-15 are exceptions (TLFS 6.0, 12.4: #GP).
 */
static bool config_ok(uint64_t v)
{
	if (v & ~HV_STIMER_CONFIG_VALID)
		return false;
	return !(v & HV_STIMER_DIRECT) || stimer_vector(v) >= HV_SINT_FIRST_VECTOR;
}

bool synic_stimer_msr_read(struct vp *vp, uint32_t msr, uint64_t *val)
{
	const struct synic_stimer *t = &vp->synic.stimer[(msr - HV_MSR_STIMER0_CONFIG) / 2];

	*val = (msr - HV_MSR_STIMER0_CONFIG) % 2 ? t->count : t->config;
	return true;
}

bool synic_stimer_msr_write(struct vp *vp, uint32_t msr, uint64_t val)
{
	struct synic_stimer *t = &vp->synic.stimer[(msr - HV_MSR_STIMER0_CONFIG) / 2];

	if ((msr - HV_MSR_STIMER0_CONFIG) % 2) {
		/* TLFS 6.0, 12.4.2: COUNT 0 disables, else auto-enable enables */
		t->count = val;
		if (!val)
			t->config &= ~HV_STIMER_ENABLE;
		else if (t->config & HV_STIMER_AUTO_ENABLE)
			t->config |= HV_STIMER_ENABLE;
	} else {
		if (!config_ok(val))
			return false;
		t->config = val;
	}
	stimer_fix_enable(t);
	stimer_arm(vp, t);
	stimers_changed(vp);
	return true;
}

/*
 * Timer `i` expired at t->due_ref. Its message waits in its node; while
 * that is still queued (the slot busy, the SINT masked), a further expiry
 * adds nothing but a count: the expiries are merged into the message
 * that waits, whose expiration time is the first of them.
 */
static void stimer_fire(struct vp *vp, unsigned i, struct synic_stimer *t, uint64_t now)
{
	struct hv_timer_message_payload pl = { i, 0, t->due_ref, now };
	struct hv_message *m = &t->node.msg;

	if (t->config & HV_STIMER_DIRECT) {
		sched_raise_irq(vp, stimer_vector(t->config));
		return;
	}
	if (__atomic_load_n(&t->node.target, __ATOMIC_ACQUIRE)) {
		t->missed++;
		return;
	}
	memset(m, 0, sizeof(*m));
	m->header.message_type = HVMSG_TIMER_EXPIRED;
	m->header.payload_size = sizeof(pl);
	memcpy(m->payload, &pl, sizeof(pl));
	synic_post_node(vp, stimer_sint(t->config), &t->node);
}

void synic_stimers_expire(struct vp *vp)
{
	uint64_t now = synic_ref_time(vp->vcpu.part);

	for (unsigned i = 0; i < HV_SYNIC_STIMER_COUNT; i++) {
		struct synic_stimer *t = &vp->synic.stimer[i];

		if (!t->due_ref || t->due_ref > now)
			continue;
		stimer_fire(vp, i, t, now);
		if (t->config & HV_STIMER_PERIODIC) {
			t->due_ref = ref_add(t->due_ref, stimer_period(t));
			if (t->due_ref <= now)		/* periods missed: the next from now */
				t->due_ref = ref_add(now, stimer_period(t));
		} else {
			t->due_ref = 0;
			t->config &= ~HV_STIMER_ENABLE;	/* a one-shot timer is done */
		}
	}
	stimers_changed(vp);
}
