/*
 * Hypercall dispatch. The table is const and indexed by call code; each
 * entry carries its permission (root only) so that access checks are data,
 * not code. Arguments are decoded and validated before anything changes.
 *
 * Who may call, and how: only CPL 0 outside real mode (TLFS 6.0,
 * "Hypercall Restrictions": anything else gets #UD and the call does not
 * happen); 64-bit code uses the x64 register convention, 16- and 32-bit
 * code the x86 one (TLFS 6.0, 3.7 "Hypercall Inputs"). The handlers see
 * neither: they get a struct hc_call.
 */
#include "core/hypercall.h"
#include "core/abi/hypercall.h"
#include "arch/x86/tsc.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/sched.h"
#include "partitions/partition.h"


/*
 * One call, whatever the convention: the input value (code, flags), the
 * two input registers (for fast calls, the parameters; for the others,
 * the input and output GPAs), and an output value that a call may return
 * in the first input register (this hypervisor's own calls, abi header).
 */
struct hc_call {
	uint64_t control;
	uint64_t in[2];
	uint64_t out;
	bool has_out;
	enum exit_action act;
};

struct hypercall_def {
	uint16_t code;
	bool root_only;
	uint16_t (*fn)(struct vp *vp, struct hc_call *c);
};

static uint16_t hc_null(struct vp *vp, struct hc_call *c)
{
	(void)vp, (void)c;
	return HV_STATUS_SUCCESS;
}

/* Shorter timers are rounded up: a guest must not cut its neighbours' time into slivers. */
#define TIMER_MIN_US	50

static uint16_t hc_set_timer(struct vp *vp, struct hc_call *c)
{
	uint64_t us = c->in[0], vector = c->in[1];

	if (us && (vector < 32 || vector > 255 || us > 3600ull * 1000000))
		return HV_STATUS_INVALID_PARAMETER;
	if (us && us < TIMER_MIN_US)
		us = TIMER_MIN_US;
	vp->timer_vector = (uint8_t)vector;
	vp->timer_deadline = us ? sched_now() + tsc_us_to_ticks(us) : 0;
	return HV_STATUS_SUCCESS;
}

static uint16_t hc_partition_exit(struct vp *vp, struct hc_call *c)
{
	partition_stopped(vp->vcpu.part, c->in[0]);
	c->act = EXIT_ACTION_STOP;
	return HV_STATUS_SUCCESS;
}

static uint16_t hc_tsc_khz(struct vp *vp, struct hc_call *c)
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
static uint16_t hc_log_read(struct vp *vp, struct hc_call *c)
{
	gpa_t gpa = to_gpa(c->in[0]);
	uint64_t size = c->in[1];
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

static const struct hypercall_def own_calls[] = {
	{ HVCALL_X_NULL, false, hc_null },
	{ HVCALL_X_SET_TIMER, false, hc_set_timer },
	{ HVCALL_X_PARTITION_EXIT, false, hc_partition_exit },
	{ HVCALL_X_TSC_KHZ, false, hc_tsc_khz },
	{ HVCALL_X_LOG_READ, true, hc_log_read },
};

static const struct hypercall_def *lookup(uint16_t code)
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
 * TLFS 6.0, 3.7 "Hypercall Inputs": x64: RCX input value, RDX and R8 the input registers,
 * result in RAX. x86: EDX:EAX input value, EBX:ECX and EDI:ESI, result in
 * EDX:EAX. Own calls return their output in the first input register
 * (RDX, or EBX:ECX).
 */
static void read_call(const uint64_t *gpr, bool x64, struct hc_call *c)
{
	if (x64) {
		c->control = gpr[GPR_RCX];
		c->in[0] = gpr[GPR_RDX];
		c->in[1] = gpr[GPR_R8];
	} else {
		c->control = reg_pair(gpr, GPR_RDX, GPR_RAX);
		c->in[0] = reg_pair(gpr, GPR_RBX, GPR_RCX);
		c->in[1] = reg_pair(gpr, GPR_RDI, GPR_RSI);
	}
}

static void write_result(uint64_t *gpr, bool x64, uint64_t result, const struct hc_call *c)
{
	if (x64) {
		gpr[GPR_RAX] = result;
		if (c->has_out)
			gpr[GPR_RDX] = c->out;
	} else {
		set_reg_pair(gpr, GPR_RDX, GPR_RAX, result);
		if (c->has_out)
			set_reg_pair(gpr, GPR_RBX, GPR_RCX, c->out);
	}
}

/* VMCALL/VMMCALL from CPL > 0 or real mode raises #UD ("Hypercall Restrictions"); RIP stays on it. */
static enum exit_action refuse(struct vp *vp)
{
	exit_inject_ud(vp);
	return EXIT_ACTION_RESUME;
}

enum exit_action hypercall_dispatch(struct vp *vp, const struct vm_exit *e)
{
	uint64_t *gpr = vp->vcpu.gpr;
	struct hc_call c;
	const struct hypercall_def *h;
	enum vcpu_mode mode = e->u.hc.mode;	/* the back-end's decoder read them */
	uint16_t status;

	if (mode == VCPU_MODE_REAL || e->u.hc.cpl != 0)
		return refuse(vp);
	exit_skip_insn(vp, e);
	c.act = EXIT_ACTION_RESUME;
	c.has_out = false;
	read_call(gpr, mode == VCPU_MODE_LONG64, &c);
	h = lookup((uint16_t)c.control);
	if (!h)
		status = HV_STATUS_INVALID_HYPERCALL_CODE;
	else if (!own_call_input_ok(c.control))
		status = HV_STATUS_INVALID_HYPERCALL_INPUT;
	else if (h->root_only && !partition_is_root(vp->vcpu.part))
		status = HV_STATUS_ACCESS_DENIED;
	else
		status = h->fn(vp, &c);
	write_result(gpr, mode == VCPU_MODE_LONG64, status, &c);
	return c.act;
}
