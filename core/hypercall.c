/*
 * Hypercall dispatch. The table is const and indexed by call code; each
 * entry carries its permission (root only) so that access checks are data,
 * not code. Arguments are decoded and validated before anything changes.
 */
#include "core/hypercall.h"
#include "core/abi/hypercall.h"
#include "arch/x86/tsc.h"
#include "core/log.h"
#include "core/sched.h"
#include "partitions/partition.h"

struct hypercall_def {
	uint16_t code;
	bool root_only;
	uint16_t (*fn)(struct vp *vp, uint64_t rdx, uint64_t r8, enum exit_action *act);
};

static uint16_t hc_null(struct vp *vp, uint64_t rdx, uint64_t r8, enum exit_action *act)
{
	(void)vp, (void)rdx, (void)r8, (void)act;
	return HV_STATUS_SUCCESS;
}

/* Shorter timers are rounded up: a guest must not cut its neighbours' time into slivers. */
#define TIMER_MIN_US	50

static uint16_t hc_set_timer(struct vp *vp, uint64_t us, uint64_t vector, enum exit_action *act)
{
	(void)act;
	if (us && (vector < 32 || vector > 255 || us > 3600ull * 1000000))
		return HV_STATUS_INVALID_PARAMETER;
	if (us && us < TIMER_MIN_US)
		us = TIMER_MIN_US;
	vp->timer_vector = (uint8_t)vector;
	vp->timer_deadline = us ? sched_now() + tsc_us_to_ticks(us) : 0;
	return HV_STATUS_SUCCESS;
}

static uint16_t hc_partition_exit(struct vp *vp, uint64_t code, uint64_t r8, enum exit_action *act)
{
	struct partition *p = vp->vcpu.part;

	(void)r8;
	partition_stopped(p, code);
	*act = EXIT_ACTION_STOP;
	return HV_STATUS_SUCCESS;
}

static uint16_t hc_tsc_khz(struct vp *vp, uint64_t rdx, uint64_t r8, enum exit_action *act)
{
	(void)rdx, (void)r8, (void)act;
	vp->vcpu.gpr[GPR_RDX] = tsc_khz();
	return HV_STATUS_SUCCESS;
}

static const struct hypercall_def own_calls[] = {
	{ HVCALL_X_NULL, false, hc_null },
	{ HVCALL_X_SET_TIMER, false, hc_set_timer },
	{ HVCALL_X_PARTITION_EXIT, false, hc_partition_exit },
	{ HVCALL_X_TSC_KHZ, false, hc_tsc_khz },
};

static const struct hypercall_def *lookup(uint16_t code)
{
	unsigned i = (unsigned)code - HVCALL_X_NULL;

	if (code < HVCALL_X_NULL || i >= sizeof(own_calls) / sizeof(own_calls[0]))
		return NULL;
	return own_calls[i].code == code ? &own_calls[i] : NULL;
}

enum exit_action hypercall_dispatch(struct vp *vp)
{
	uint64_t input = vp->vcpu.gpr[GPR_RCX];
	const struct hypercall_def *h = lookup((uint16_t)input);
	enum exit_action act = EXIT_ACTION_RESUME;
	uint16_t status;

	if (!h)
		status = HV_STATUS_INVALID_HYPERCALL_CODE;
	else if (h->root_only)
		status = HV_STATUS_ACCESS_DENIED;	/* no root partition yet */
	else
		status = h->fn(vp, vp->vcpu.gpr[GPR_RDX], vp->vcpu.gpr[GPR_R8], &act);
	vp->vcpu.gpr[GPR_RAX] = status;
	return act;
}
