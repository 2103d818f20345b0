/*
 * Host unit tests for the hypercall table (core/hypercall.c, linked as it
 * is): each code reaches its handler through the TLFS register convention
 * (RCX = code, RDX/R8 = input, RAX = status), unknown codes are refused,
 * and arguments are checked before anything changes. The scheduler, TSC
 * and partition calls are fakes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/hypercall.h"
#include "core/abi/hypercall.h"
#include "arch/x86/tsc.h"
#include "core/sched.h"
#include "partitions/partition.h"

static unsigned stops;
static uint64_t stop_code;

uint64_t sched_now(void)
{
	return 1000000;
}

uint64_t tsc_us_to_ticks(uint64_t us)
{
	return us * 3;
}

uint64_t tsc_khz(void)
{
	return 3000;
}

void partition_stopped(struct partition *p, uint64_t code)
{
	(void)p;
	stops++;
	stop_code = code;
}

static struct vp vp;

static int setup(void **state)
{
	(void)state;
	memset(&vp, 0, sizeof(vp));
	stops = 0;
	return 0;
}

static enum exit_action call(uint64_t code, uint64_t rdx, uint64_t r8)
{
	vp.vcpu.gpr[GPR_RCX] = code;
	vp.vcpu.gpr[GPR_RDX] = rdx;
	vp.vcpu.gpr[GPR_R8] = r8;
	return hypercall_dispatch(&vp);
}

static void null_call(void **state)
{
	(void)state;
	assert_int_equal(call(HVCALL_X_NULL, 0, 0), EXIT_ACTION_RESUME);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
}

static void unknown_codes_are_refused(void **state)
{
	static const uint64_t codes[] = { 0, 1, 0x7fff, 0x8004, 0x80ff, 0xffff };

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_int_equal(call(codes[i], 0, 0), EXIT_ACTION_RESUME);
		assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_HYPERCALL_CODE);
	}
}

static void tsc_khz_in_rdx(void **state)
{
	(void)state;
	call(HVCALL_X_TSC_KHZ, 0, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(vp.vcpu.gpr[GPR_RDX], 3000);
}

/* Vector 32-255, at most an hour; short timers are rounded up to 50 us; 0 cancels. */
static void timer_arguments(void **state)
{
	(void)state;
	call(HVCALL_X_SET_TIMER, 100, 31);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	call(HVCALL_X_SET_TIMER, 100, 256);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	call(HVCALL_X_SET_TIMER, 3600ull * 1000000 + 1, 40);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(vp.timer_deadline, 0);			/* nothing changed */
	call(HVCALL_X_SET_TIMER, 10, 40);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(vp.timer_deadline, 1000000 + 50 * 3);
	assert_int_equal(vp.timer_vector, 40);
	call(HVCALL_X_SET_TIMER, 0, 0);
	assert_int_equal(vp.timer_deadline, 0);
}

static void partition_exit_stops(void **state)
{
	(void)state;
	assert_int_equal(call(HVCALL_X_PARTITION_EXIT, 42, 0), EXIT_ACTION_STOP);
	assert_int_equal(stops, 1);
	assert_int_equal(stop_code, 42);
}

/* Only the code bits (15:0) choose the call. */
static void code_is_the_low_16_bits(void **state)
{
	(void)state;
	call(HV_HYPERCALL_FAST | HVCALL_X_TSC_KHZ, 0, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RDX], 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(null_call, setup),
		cmocka_unit_test_setup(unknown_codes_are_refused, setup),
		cmocka_unit_test_setup(tsc_khz_in_rdx, setup),
		cmocka_unit_test_setup(timer_arguments, setup),
		cmocka_unit_test_setup(partition_exit_stops, setup),
		cmocka_unit_test_setup(code_is_the_low_16_bits, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
