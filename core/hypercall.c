/*
 * The hypercall engine. Who may call, and how: only CPL 0 outside real
 * mode (TLFS 6.0, "Hypercall Restrictions": anything else gets #UD and the
 * call does not happen); 64-bit code uses the x64 register convention,
 * 16- and 32-bit code the x86 one (TLFS 6.0, 3.7 "Hypercall Inputs").
 *
 * Our own calls (0x8000-0x80ff, core/abi/hypercall.h) come first, so that
 * the null call's path stays short: a small table of simple fast calls
 * that return a value in the first input register.
 *
 * Every other code is a TLFS call, looked up in the const table of
 * core/hvcall_table.c, and goes through the same steps, none of which
 * changes anything until the handler runs: decode and check the input
 * value and the blocks' placement (core/hvcall_decode.c); check that the
 * blocks lie in the caller's memory; check the caller's privileges against
 * the entry's (HV_STATUS_ACCESS_DENIED); copy the input block once into a
 * private buffer; run the handler, which fills a private output buffer;
 * copy back the output of what was done; and return status | reps
 * completed << 32 (TLFS 3.8). A rep call does at most
 * HVCALL_REPS_PER_ENTRY reps per entry, then continues (core/hypercall.h).
 */
#include "core/hypercall.h"
#include "core/abi/hypercall.h"
#include "core/lib.h"
#include "core/percpu.h"
#include "arch/x86/tsc.h"
#include "core/lib.h"
#include "core/hvinfo.h"
#include "core/log.h"
#include "core/sched.h"
#include "partitions/partition.h"
#include "partitions/hvroot.h"


/*
 * The registers of one call, whatever the convention: the input value
 * (code, flags) and the two input registers (for fast calls, the
 * parameters; for the others, the input and output GPAs).
 */
struct hc_regs {
	uint64_t control;
	uint64_t in[2];
};

/* One of our own calls: its registers, and a value it may return in the first input register. */
struct own_call {
	const struct hc_regs *r;
	uint64_t out;
	bool has_out;
	enum exit_action act;
};

struct own_call_def {
	uint16_t code;
	uint64_t privilege;		/* HV_PRIV_* the caller must have (0: anyone) */
	uint16_t (*fn)(struct vp *vp, struct own_call *c);
};

static uint16_t hc_null(struct vp *vp, struct own_call *c)
{
	(void)vp, (void)c;
	return HV_STATUS_SUCCESS;
}

/* Shorter timers are rounded up: a guest must not cut its neighbours' time into slivers. */
#define TIMER_MIN_US	50

static uint16_t hc_set_timer(struct vp *vp, struct own_call *c)
{
	uint64_t us = c->r->in[0], vector = c->r->in[1];

	if (us && (vector < 32 || vector > 255 || us > 3600ull * 1000000))
		return HV_STATUS_INVALID_PARAMETER;
	if (us && us < TIMER_MIN_US)
		us = TIMER_MIN_US;
	vp->timer_vector = (uint8_t)vector;
	vp->xtimer_deadline = us ? sched_now() + tsc_us_to_ticks(us) : 0;
	vp_timers_changed(vp);
	return HV_STATUS_SUCCESS;
}

static uint16_t hc_partition_exit(struct vp *vp, struct own_call *c)
{
	partition_stopped(vp->vcpu.part, c->r->in[0]);
	c->act = EXIT_ACTION_STOP;
	return HV_STATUS_SUCCESS;
}

static uint16_t hc_tsc_khz(struct vp *vp, struct own_call *c)
{
	(void)vp;
	c->out = tsc_khz();
	c->has_out = true;
	return HV_STATUS_SUCCESS;
}

/*
 * The root drains the hypervisor's log into its buffer [first, first +
 * second), which must lie in its RAM; the first call hands it the serial
 * port (core/log.h). The hypervisor only writes there, never reads.
 */
static uint16_t hc_log_read(struct vp *vp, struct own_call *c)
{
	gpa_t gpa = to_gpa(c->r->in[0]);
	uint64_t size = c->r->in[1];
	void *dst;

	if (!size || size > HV_X_LOG_READ_MAX)
		return HV_STATUS_INVALID_PARAMETER;
	dst = partition_ram_ptr(vp->vcpu.part, gpa, size);
	if (!dst)
		return HV_STATUS_INVALID_PARAMETER;
	c->out = log_root_read(dst, size);
	c->has_out = true;
	return HV_STATUS_SUCCESS;
}

/* The root reads a partition's statistics into its buffer (core/abi/hypercall.h). */
static uint16_t hc_partition_stats(struct vp *vp, struct own_call *c)
{
	struct hv_x_partition_stats s;
	void *dst = partition_ram_ptr(vp->vcpu.part, to_gpa(c->r->in[1]), sizeof(s));
	uint16_t st;

	if (!dst || c->r->in[1] % 8)
		return HV_STATUS_INVALID_PARAMETER;
	st = hvroot_partition_stats(vp->vcpu.part, c->r->in[0], &s);
	if (st == HV_STATUS_SUCCESS)
		memcpy(dst, &s, sizeof(s));
	return st;
}

/* The root reads what the hypervisor is and holds (core/abi/hypercall.h, core/hvinfo.h). */
static uint16_t hc_hv_info(struct vp *vp, struct own_call *c)
{
	struct hv_x_hv_info info;
	void *dst = partition_ram_ptr(vp->vcpu.part, to_gpa(c->r->in[0]), sizeof(info));

	if (!dst || c->r->in[0] % 8)
		return HV_STATUS_INVALID_PARAMETER;
	hv_info_fill(&info);
	memcpy(dst, &info, sizeof(info));
	return HV_STATUS_SUCCESS;
}

/*
 * The root copies the log's history (core/abi/hypercall.h): the block is
 * copied once and checked; only `from` and `lost` are written back, after
 * the lines (the buffer may overlap the block: the caller's own mistake).
 */
static uint16_t hc_log_history(struct vp *vp, struct own_call *c)
{
	struct hv_x_log_history h;
	struct hv_x_log_history *blk = partition_ram_ptr(vp->vcpu.part, to_gpa(c->r->in[0]),
							 sizeof(h));
	size_t copied;
	char *dst;

	if (!blk || c->r->in[0] % 8)
		return HV_STATUS_INVALID_PARAMETER;
	memcpy(&h, blk, sizeof(h));
	if (h.reserved || h.size < HV_X_LOG_HISTORY_MIN || h.size > HV_X_LOG_READ_MAX)
		return HV_STATUS_INVALID_PARAMETER;
	dst = partition_ram_ptr(vp->vcpu.part, to_gpa(h.buf_gpa), h.size);
	if (!dst || !log_history(&h.from, dst, h.size, &copied, &h.lost))
		return HV_STATUS_INVALID_PARAMETER;
	memcpy(&blk->from, &h.from, sizeof(h.from));
	memcpy(&blk->lost, &h.lost, sizeof(h.lost));
	c->out = copied;
	c->has_out = true;
	return HV_STATUS_SUCCESS;
}

static uint16_t hc_power_off(struct vp *vp, struct own_call *c)
{
	(void)vp, (void)c;
	hvroot_power_off();
	return HV_STATUS_OPERATION_FAILED;	/* still here: no ACPI power-off */
}

/* The root names a hosted child (core/abi/hypercall.h); the name is copied once, then checked. */
static uint16_t hc_partition_name(struct vp *vp, struct own_call *c)
{
	char name[HV_X_NAME_MAX];
	uint64_t gpa = c->r->in[1];
	/* the bytes up to the end of its page, at most HV_X_NAME_MAX: one RAM range holds a page */
	size_t room = MIN((size_t)HV_X_NAME_MAX, (size_t)(PAGE_SIZE - (gpa & (PAGE_SIZE - 1))));
	const void *src = partition_ram_ptr(vp->vcpu.part, to_gpa(gpa), room);

	if (!src)
		return HV_STATUS_INVALID_PARAMETER;
	memset(name, 0, sizeof(name));
	memcpy(name, src, room);
	return hvroot_partition_name(vp->vcpu.part, c->r->in[0], name, room);
}

/*
 * Indexed by code - HVCALL_X_NULL. The privilege each needs is in its
 * entry; only the root holds HV_PRIV_ROOT_CALLS (core/abi/hypercall.h).
 */
static const struct own_call_def own_calls[] = {
	{ HVCALL_X_NULL, 0, hc_null },
	{ HVCALL_X_SET_TIMER, 0, hc_set_timer },
	{ HVCALL_X_PARTITION_EXIT, 0, hc_partition_exit },
	{ HVCALL_X_TSC_KHZ, 0, hc_tsc_khz },
	{ HVCALL_X_LOG_READ, HV_PRIV_ROOT_CALLS, hc_log_read },
	{ HVCALL_X_PARTITION_STATS, HV_PRIV_ROOT_CALLS, hc_partition_stats },
	{ HVCALL_X_POWER_OFF, HV_PRIV_ROOT_CALLS, hc_power_off },
	{ HVCALL_X_PARTITION_NAME, HV_PRIV_ROOT_CALLS, hc_partition_name },
	{ HVCALL_X_HV_INFO, HV_PRIV_ROOT_CALLS, hc_hv_info },
	{ HVCALL_X_LOG_HISTORY, HV_PRIV_ROOT_CALLS, hc_log_history },
};

static const struct own_call_def *own_lookup(uint16_t code)
{
	uint16_t i = (uint16_t)(code - HVCALL_X_NULL);	/* a code below wraps past the end */

	if (i >= sizeof(own_calls) / sizeof(own_calls[0]))
		return NULL;
	return own_calls[i].code == code ? &own_calls[i] : NULL;
}

/*
 * The input value of one of our own calls, which are simple fast calls
 * (core/abi/hypercall.h): the fast flag set, and no rep count, rep start
 * index, variable header size, nested flag or reserved bit (TLFS 6.0, 3.7
 * "Hypercall Inputs"; anything else is HV_STATUS_INVALID_HYPERCALL_INPUT).
 */
static bool own_call_input_ok(uint64_t control)
{
	return (control & ~HV_HYPERCALL_CODE_MASK) == HV_HYPERCALL_FAST;
}

/* A register pair of the x86 convention: hi:lo, 32 bits each (the upper halves do not count). */
static uint64_t reg_pair(const uint64_t *gpr, enum gpr hi, enum gpr lo)
{
	return (uint64_t)(uint32_t)gpr[hi] << 32 | (uint32_t)gpr[lo];
}

static void set_reg_pair(uint64_t *gpr, enum gpr hi, enum gpr lo, uint64_t val)
{
	gpr[hi] = val >> 32;
	gpr[lo] = (uint32_t)val;
}

/*
 * TLFS 6.0, 3.7 "Hypercall Inputs": x64: RCX input value, RDX and R8 the
 * input registers, result in RAX. x86: EDX:EAX input value, EBX:ECX and
 * EDI:ESI, result in EDX:EAX.
 */
static void read_call(const uint64_t *gpr, bool x64, struct hc_regs *r)
{
	if (x64) {
		r->control = gpr[GPR_RCX];
		r->in[0] = gpr[GPR_RDX];
		r->in[1] = gpr[GPR_R8];
	} else {
		r->control = reg_pair(gpr, GPR_RDX, GPR_RAX);
		r->in[0] = reg_pair(gpr, GPR_RBX, GPR_RCX);
		r->in[1] = reg_pair(gpr, GPR_RDI, GPR_RSI);
	}
}

static void write_result(uint64_t *gpr, bool x64, uint64_t result)
{
	if (x64)
		gpr[GPR_RAX] = result;
	else
		set_reg_pair(gpr, GPR_RDX, GPR_RAX, result);
}

/* Own calls return their output in the first input register (RDX, or EBX:ECX). */
static void write_own_out(uint64_t *gpr, bool x64, uint64_t out)
{
	if (x64)
		gpr[GPR_RDX] = out;
	else
		set_reg_pair(gpr, GPR_RBX, GPR_RCX, out);
}

/* The input value goes back where it came from: RCX, or EDX:EAX (continuation). */
static void write_control(uint64_t *gpr, bool x64, uint64_t control)
{
	if (x64)
		gpr[GPR_RCX] = control;
	else
		set_reg_pair(gpr, GPR_RDX, GPR_RAX, control);
}

static enum exit_action own_call(struct vp *vp, const struct vm_exit *e, const struct hc_regs *r,
				 bool x64)
{
	struct own_call c = { .r = r, .act = EXIT_ACTION_RESUME };
	const struct own_call_def *h = own_lookup((uint16_t)r->control);
	uint16_t status;

	exit_skip_insn(vp, e);
	if (!h)
		status = HV_STATUS_INVALID_HYPERCALL_CODE;
	else if (!own_call_input_ok(r->control))
		status = HV_STATUS_INVALID_HYPERCALL_INPUT;
	else if ((vp->vcpu.part->privileges & h->privilege) != h->privilege)
		status = HV_STATUS_ACCESS_DENIED;
	else
		status = h->fn(vp, &c);
	write_result(vp->vcpu.gpr, x64, status);
	if (c.has_out)
		write_own_out(vp->vcpu.gpr, x64, c.out);
	return c.act;
}

_Static_assert(sizeof(((struct percpu *)0)->hvcall_in) == HVCALL_PAGE_SIZE &&
	       sizeof(((struct percpu *)0)->hvcall_out) == HVCALL_PAGE_SIZE,
	       "a block is at most a page (core/hvcall_decode.h)");

/*
 * The input block into the private copy, once: from the registers for a
 * fast call (RDX then R8, little-endian, as the TLFS lays them out), else
 * from guest memory. The output block starts zeroed (TLFS 3.7: padding the
 * hypervisor writes is zero).
 */
static uint16_t copy_input(struct vp *vp, struct hc_call *c, uint8_t *in)
{
	const struct hvcall_decoded *d = &c->d;

	memset(c->out, 0, d->out_len);
	if (d->fast) {
		uint64_t regs[2] = { d->in_gpa, d->out_gpa };

		memcpy(in, regs, d->in_len);	/* in_len <= 16: the decoder checked */
		return HV_STATUS_SUCCESS;
	}
	return partition_read(vp->vcpu.part, to_gpa(d->in_gpa), in, d->in_len)
		       ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_ALIGNMENT;
}

/*
 * Everything a TLFS call is checked against before its handler runs, in
 * this order (core/hvcall_decode.h has the first ones): the input value
 * and the blocks' placement; the blocks in the caller's memory (TLFS
 * "Hypercall Status Codes": a GPA "not within the bounds of the GPA space"
 * is HV_STATUS_INVALID_ALIGNMENT); the caller's privileges. The privilege
 * comes after the common checks, which the TLFS gives every call.
 */
static uint16_t check_call(struct vp *vp, const struct hvcall_def *def, const struct hc_regs *r,
			   struct hc_call *c)
{
	struct partition *p = vp->vcpu.part;
	uint16_t status = hvcall_decode(r->control, r->in[0], r->in[1],
					def ? &def->shape : NULL, &c->d);

	if (status != HV_STATUS_SUCCESS)
		return status;
	c->rep_done = c->d.rep_start;
	if (!c->d.fast && (!partition_contains(p, to_gpa(c->d.in_gpa), c->d.in_len) ||
			   !partition_contains(p, to_gpa(c->d.out_gpa), c->d.out_len)))
		return HV_STATUS_INVALID_ALIGNMENT;
	if ((def->privilege & p->privileges) != def->privilege)
		return HV_STATUS_ACCESS_DENIED;
	return HV_STATUS_SUCCESS;
}

/*
 * The output of what was done: for a simple call, the whole block, on
 * success only (TLFS 3.8: outputs are undefined after a failure, so none
 * are written); for a rep call, the fixed part and the elements of the
 * reps completed in this entry, whatever the status.
 */
static uint16_t copy_output(struct vp *vp, const struct hvcall_def *def, const struct hc_call *c,
			    uint16_t status)
{
	const struct hvcall_shape *s = &def->shape;
	struct partition *p = vp->vcpu.part;
	uint32_t first = s->out_fixed + (uint32_t)c->d.rep_start * s->out_rep;
	uint32_t done = (uint32_t)(c->rep_done - c->d.rep_start) * s->out_rep;
	bool ok;

	if (!c->d.out_len || (!(s->form & HVCALL_FORM_REP) && status != HV_STATUS_SUCCESS))
		return status;
	ok = partition_write(p, to_gpa(c->d.out_gpa), c->out, s->out_fixed) &&
	     partition_write(p, to_gpa(c->d.out_gpa + first), c->out + first, done);
	/* checked before the handler ran; gone since only if the memory map changed under it */
	return ok ? status : HV_STATUS_INVALID_ALIGNMENT;
}

/* Run the handler; a rep call gets at most HVCALL_REPS_PER_ENTRY reps. */
static uint16_t run_handler(const struct hvcall_def *def, struct hc_call *c)
{
	uint16_t status;

	if (!(def->shape.form & HVCALL_FORM_REP))
		return def->fn(c);
	c->rep_end = (uint16_t)MIN((uint32_t)c->d.rep_count,
				   (uint32_t)c->d.rep_start + HVCALL_REPS_PER_ENTRY);
	status = def->fn(c);
	/* Invariant: a rep handler stays inside its budget, and success means progress. */
	ASSERT(c->rep_done >= c->d.rep_start && c->rep_done <= c->rep_end);
	ASSERT(status != HV_STATUS_SUCCESS || c->rep_done > c->d.rep_start);
	return status;
}

/*
 * TLFS 3.8 "Hypercall Continuation": reps are left after a successful
 * entry, so the rep start index in the input value moves to the first one
 * left and RIP stays on the instruction; the guest issues the call again,
 * and no result is written.
 */
static bool continue_later(const struct hvcall_def *def, const struct hc_call *c, uint16_t status)
{
	return (def->shape.form & HVCALL_FORM_REP) && status == HV_STATUS_SUCCESS &&
	       c->rep_done < c->d.rep_count;
}

/* Not inlined: its frame and saved registers would slow every call of ours down. */
static __attribute__((noinline)) enum exit_action
tlfs_call(struct vp *vp, const struct vm_exit *e, const struct hc_regs *r, bool x64)
{
	const struct hvcall_def *def = hvcall_lookup((uint16_t)r->control);
	/* the home CPU's buffers: only the home CPU handles this vCPU's exits */
	struct percpu *pc = cpu_percpu(vp->vcpu.home_cpu);
	struct hc_call c = { .vp = vp, .in = pc->hvcall_in, .out = pc->hvcall_out };
	uint16_t status = check_call(vp, def, r, &c);

	if (status == HV_STATUS_SUCCESS)
		status = copy_input(vp, &c, pc->hvcall_in);
	if (status == HV_STATUS_SUCCESS) {
		status = run_handler(def, &c);
		if (status == HVCALL_STATUS_RETRY) {
			ASSERT(!(def->shape.form & HVCALL_FORM_REP));
			sched_yield_cpu();
			return EXIT_ACTION_RESUME;
		}
		status = copy_output(vp, def, &c, status);
		if (continue_later(def, &c, status)) {
			write_control(vp->vcpu.gpr, x64, hvcall_with_rep_start(r->control, c.rep_done));
			return EXIT_ACTION_RESUME;
		}
	}
	exit_skip_insn(vp, e);
	write_result(vp->vcpu.gpr, x64, status | (uint64_t)c.rep_done << HV_HYPERCALL_REP_COMP_SHIFT);
	return EXIT_ACTION_RESUME;
}

/* VMCALL/VMMCALL from CPL > 0 or real mode raises #UD ("Hypercall Restrictions"); RIP stays on it. */
static enum exit_action refuse(struct vp *vp)
{
	exit_inject_ud(vp);
	return EXIT_ACTION_RESUME;
}

enum exit_action hypercall_dispatch(struct vp *vp, const struct vm_exit *e)
{
	enum vcpu_mode mode = e->u.hc.mode;	/* the back-end's decoder read them */
	bool x64 = mode == VCPU_MODE_LONG64;
	struct hc_regs r;

	if (mode == VCPU_MODE_REAL || e->u.hc.cpl != 0)
		return refuse(vp);
	read_call(vp->vcpu.gpr, x64, &r);
	if ((uint16_t)r.control >= HVCALL_X_NULL)	/* ours: first, the null call's path is short */
		return own_call(vp, e, &r, x64);
	return tlfs_call(vp, e, &r, x64);
}
