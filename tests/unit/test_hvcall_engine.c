/*
 * Host unit tests for the TLFS hypercall engine (core/hypercall.c) over a
 * table of test calls, defined here in place of core/hvcall_table.c:
 * the input block is copied once, before the handler runs, and the guest
 * cannot change the copy; only the output of completed reps reaches the
 * guest (and nothing of a failed simple call); a missing privilege
 * changes nothing; rep calls do at most HVCALL_REPS_PER_ENTRY reps per
 * entry and continue by moving the rep start index in RCX (or EDX:EAX)
 * with RIP left alone; an error gives the failing rep's status and index;
 * fast calls take their input from RDX and R8.
 */
#include "tests/unit/hvcall_fakes.h"

#define IN_PAGE		0x1000ull
#define OUT_PAGE	0x2000ull
#define SENTINEL	0x5a5a5a5a5a5a5a5aull
#define BAD		0xbadull	/* a rep element that fails */

#define CALL_DOUBLE	0x0001	/* rep: out[i] = 2 * in[i]; header: reps per entry (0: all) */
#define CALL_COPY	0x0002	/* simple: out = in (16 bytes), changing the guest's input on the way */
#define CALL_PRIV	0x0003	/* simple, needs HV_PRIV_CREATE_PARTITIONS */
#define CALL_FAIL	0x0004	/* simple: fills the output, then fails */
#define CALL_FAST	0x0005	/* fast: remembers its 16 input bytes */
#define CALL_FAST_REP	0x0006	/* fast rep: two 8-byte elements */
#define CALL_RETRY	0x0007	/* simple: HVCALL_STATUS_RETRY the first time, then success */

static struct {
	unsigned calls;			/* handler runs */
	uint16_t first, end;		/* the last run's rep_done and rep_end on entry */
	uint8_t fast_in[16];
} seen;

static void saw(const struct hc_call *c)
{
	seen.calls++;
	seen.first = c->rep_done;
	seen.end = c->rep_end;
}

static uint64_t in64(const struct hc_call *c, uint32_t off)
{
	uint64_t v;

	memcpy(&v, c->in + off, 8);
	return v;
}

static uint16_t double_reps(struct hc_call *c)
{
	uint64_t per_entry = in64(c, 0), v;
	uint16_t stop = c->rep_end;

	saw(c);
	if (per_entry && c->rep_done + per_entry < stop)
		stop = (uint16_t)(c->rep_done + per_entry);	/* the handler stops early */
	for (; c->rep_done < stop; c->rep_done++) {
		v = in64(c, 8 + 8u * c->rep_done);
		if (v == BAD)
			return HV_STATUS_INVALID_PARAMETER;
		v *= 2;
		memcpy(c->out + 8 + 8u * c->rep_done, &v, 8);
	}
	memcpy(c->out, &(uint64_t){ seen.calls }, 8);		/* the fixed part */
	return HV_STATUS_SUCCESS;
}

/* Another VP changes the input while the handler runs: the handler's copy does not change. */
static uint16_t copy_call(struct hc_call *c)
{
	saw(c);
	set_mem64(c->d.in_gpa, 0xffff);
	memcpy(c->out, c->in, 16);
	return HV_STATUS_SUCCESS;
}

static uint16_t fill_then_fail(struct hc_call *c)
{
	saw(c);
	memset(c->out, 0xee, 8);
	return HV_STATUS_INVALID_PARAMETER;
}

static uint16_t fast_call(struct hc_call *c)
{
	saw(c);
	memcpy(seen.fast_in, c->in, 16);
	return HV_STATUS_SUCCESS;
}

static uint16_t fast_rep(struct hc_call *c)
{
	saw(c);
	memcpy(seen.fast_in, c->in, 16);
	c->rep_done = c->rep_end;
	return HV_STATUS_SUCCESS;
}

static uint16_t retry_once(struct hc_call *c)
{
	saw(c);
	memset(c->out, 0xab, 8);
	return seen.calls == 1 ? HVCALL_STATUS_RETRY : HV_STATUS_SUCCESS;
}

static const struct hvcall_def calls[] = {
	{ CALL_DOUBLE, 0, { HVCALL_FORM_REP | HVCALL_FORM_MEMORY, 8, 8, 8, 8 }, double_reps },
	{ CALL_COPY, 0, { HVCALL_FORM_MEMORY, 16, 0, 16, 0 }, copy_call },
	{ CALL_PRIV, HV_PRIV_CREATE_PARTITIONS, { HVCALL_FORM_MEMORY, 8, 0, 8, 0 }, copy_call },
	{ CALL_FAIL, 0, { HVCALL_FORM_MEMORY, 0, 0, 8, 0 }, fill_then_fail },
	{ CALL_FAST, 0, { HVCALL_FORM_FAST, 16, 0, 0, 0 }, fast_call },
	{ CALL_FAST_REP, 0, { HVCALL_FORM_FAST | HVCALL_FORM_REP, 0, 8, 0, 0 }, fast_rep },
	{ CALL_RETRY, 0, { HVCALL_FORM_MEMORY, 0, 0, 8, 0 }, retry_once },
};

const struct hvcall_def *hvcall_lookup(uint16_t code)
{
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (calls[i].code == code)
			return &calls[i];
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	fakes_reset();
	memset(&seen, 0, sizeof(seen));
	for (uint64_t a = 0; a < GUEST_MEM; a += 8)
		set_mem64(a, SENTINEL);
	vp.vcpu.rip = 0x1000;
	return 0;
}

static uint64_t reps(uint64_t count, uint64_t start)
{
	return count << 32 | start << 48;
}

/* Input of CALL_DOUBLE: header `per_entry`, element i = i + 1 (or BAD at bad_at). */
static void double_input(uint64_t per_entry, unsigned n, unsigned bad_at)
{
	set_mem64(IN_PAGE, per_entry);
	for (unsigned i = 0; i < n; i++)
		set_mem64(IN_PAGE + 8 + 8 * i, i == bad_at ? BAD : i + 1);
}

/* Issue the call as the guest would, again and again while RIP stays (continuation). */
static unsigned entries_until_done(void)
{
	unsigned n = 0;

	do {
		vp.vcpu.rip = 0x1000;
		dispatch();
		n++;
	} while (vp.vcpu.rip == 0x1000 && n < 1000);
	return n;
}

static void rep_call_completes(void **state)
{
	(void)state;
	double_input(0, 5, ~0u);
	assert_int_equal(call_control(CALL_DOUBLE | reps(5, 0), IN_PAGE, OUT_PAGE),
			 EXIT_ACTION_RESUME);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS | 5ull << 32);
	assert_int_equal(vp.vcpu.rip, 0x1003);
	assert_int_equal(vp.vcpu.gpr[GPR_RCX], CALL_DOUBLE | reps(5, 0));	/* left alone */
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(mem64(OUT_PAGE + 8 + 8 * i), 2 * (i + 1));
	assert_int_equal(mem64(OUT_PAGE), 1);				/* fixed part */
	assert_int_equal(mem64(OUT_PAGE + 8 + 8 * 5), SENTINEL);	/* past the list */
}

/* The guest's rep start index: the reps before it are neither done nor written. */
static void rep_start_is_honoured(void **state)
{
	(void)state;
	double_input(0, 5, 1);		/* element 1 is bad, but before the start */
	call_control(CALL_DOUBLE | reps(5, 3), IN_PAGE, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS | 5ull << 32);
	assert_int_equal(seen.first, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(mem64(OUT_PAGE + 8 + 8 * i), SENTINEL);
	assert_int_equal(mem64(OUT_PAGE + 8 + 8 * 3), 8);
	assert_int_equal(mem64(OUT_PAGE + 8 + 8 * 4), 10);
}

/*
 * 200 reps: the first entry does HVCALL_REPS_PER_ENTRY, moves the rep
 * start in RCX and leaves RIP and RAX alone; only the reps done so far
 * are written. The guest re-issues until it is done.
 */
static void continuation(void **state)
{
	const uint64_t ctl = CALL_DOUBLE | reps(200, 0);

	(void)state;
	double_input(0, 200, ~0u);
	vp.vcpu.gpr[GPR_RAX] = 0x77;
	assert_int_equal(call_control(ctl, IN_PAGE, OUT_PAGE), EXIT_ACTION_RESUME);
	assert_int_equal(seen.end, HVCALL_REPS_PER_ENTRY);
	assert_int_equal(vp.vcpu.rip, 0x1000);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], 0x77);
	assert_int_equal(vp.vcpu.gpr[GPR_RCX], ctl | (uint64_t)HVCALL_REPS_PER_ENTRY << 48);
	assert_int_equal(mem64(OUT_PAGE + 8 * HVCALL_REPS_PER_ENTRY), 2 * HVCALL_REPS_PER_ENTRY);
	assert_int_equal(mem64(OUT_PAGE + 8 + 8 * HVCALL_REPS_PER_ENTRY), SENTINEL);
	assert_int_equal(entries_until_done(), (200 + HVCALL_REPS_PER_ENTRY - 1) / HVCALL_REPS_PER_ENTRY - 1);
	assert_int_equal(vp.vcpu.rip, 0x1003);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], 200ull << 32);
	for (unsigned i = 0; i < 200; i++)
		assert_int_equal(mem64(OUT_PAGE + 8 + 8 * i), 2 * (i + 1));
	assert_int_equal(seen.first, 200 / HVCALL_REPS_PER_ENTRY * HVCALL_REPS_PER_ENTRY);
}

/* A handler that stops early (after 10 reps each time) is continued just the same. */
static void handler_stops_early(void **state)
{
	(void)state;
	double_input(10, 25, ~0u);
	call_control(CALL_DOUBLE | reps(25, 0), IN_PAGE, OUT_PAGE);
	assert_int_equal(vp.vcpu.rip, 0x1000);
	assert_int_equal(vp.vcpu.gpr[GPR_RCX] >> 48, 10);
	assert_int_equal(entries_until_done(), 2);
	assert_int_equal(seen.calls, 3);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], 25ull << 32);
	assert_int_equal(mem64(OUT_PAGE + 8 + 8 * 24), 50);
}

/* An error: the failing rep's status and index; the reps before it written, none after. */
static void rep_error(void **state)
{
	const unsigned bad = HVCALL_REPS_PER_ENTRY + 6;

	(void)state;
	double_input(0, 100, bad);
	call_control(CALL_DOUBLE | reps(100, 0), IN_PAGE, OUT_PAGE);
	assert_int_equal(entries_until_done(), 1);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER | (uint64_t)bad << 32);
	assert_int_equal(mem64(OUT_PAGE + 8 + 8 * (bad - 1)), 2 * bad);
	assert_int_equal(mem64(OUT_PAGE + 8 + 8 * bad), SENTINEL);
	assert_int_equal(mem64(OUT_PAGE + 8 + 8 * (bad + 1)), SENTINEL);
	/* failing at the first rep of an entry: nothing done, reps completed = start */
	double_input(0, 5, 0);
	call_control(CALL_DOUBLE | reps(5, 0), IN_PAGE, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
}

/* 32-bit callers: the continuation moves the rep start in EDX (EDX:EAX is the input value). */
static void continuation_x86(void **state)
{
	uint64_t *r = vp.vcpu.gpr;

	(void)state;
	guest.mode = VCPU_MODE_PROTECTED;
	double_input(0, 100, ~0u);
	r[GPR_RDX] = 100;			/* rep count in bits 43:32 */
	r[GPR_RAX] = CALL_DOUBLE;
	r[GPR_RBX] = 0;
	r[GPR_RCX] = IN_PAGE;
	r[GPR_RDI] = 0;
	r[GPR_RSI] = OUT_PAGE;
	dispatch();
	assert_int_equal(vp.vcpu.rip, 0x1000);
	assert_int_equal(r[GPR_RDX], 100 | HVCALL_REPS_PER_ENTRY << 16);
	assert_int_equal(r[GPR_RAX], CALL_DOUBLE);
	dispatch();
	assert_int_equal(vp.vcpu.rip, 0x1003);
	assert_int_equal(r[GPR_RDX], 100);	/* reps completed */
	assert_int_equal(r[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(mem64(OUT_PAGE + 8 + 8 * 99), 200);
}

/* The input is read from the guest once, before the handler, which sees the copy only. */
static void input_copied_once(void **state)
{
	(void)state;
	set_mem64(IN_PAGE, 1234);
	set_mem64(IN_PAGE + 8, 5678);
	call_control(CALL_COPY, IN_PAGE, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(guest.reads, 1);
	assert_int_equal(mem64(IN_PAGE), 0xffff);	/* changed under the handler */
	assert_int_equal(mem64(OUT_PAGE), 1234);	/* the copy was not */
	assert_int_equal(mem64(OUT_PAGE + 8), 5678);
}

/* A missing privilege: ACCESS_DENIED, the handler does not run, guest memory is not touched. */
static void access_denied_changes_nothing(void **state)
{
	(void)state;
	call_control(CALL_PRIV, IN_PAGE, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_ACCESS_DENIED);
	assert_int_equal(seen.calls, 0);
	assert_int_equal(guest.writes, 0);
	assert_int_equal(mem64(IN_PAGE), SENTINEL);
	assert_int_equal(mem64(OUT_PAGE), SENTINEL);
	assert_int_equal(vp.vcpu.rip, 0x1003);
	part.privileges |= HV_PRIV_CREATE_PARTITIONS;
	call_control(CALL_PRIV, IN_PAGE, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(seen.calls, 1);
}

/* A failed simple call writes no output. */
static void failed_call_writes_nothing(void **state)
{
	(void)state;
	call_control(CALL_FAIL, 0, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(mem64(OUT_PAGE), SENTINEL);
}

/*
 * HVCALL_STATUS_RETRY (a handler waiting for other CPUs): nothing is
 * written, RIP stays on the instruction, the CPU yields; the call made
 * again completes.
 */
static void retry_leaves_the_call_to_be_made_again(void **state)
{
	(void)state;
	vp.vcpu.gpr[GPR_RAX] = 0x5555;
	call_control(CALL_RETRY, 0, OUT_PAGE);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(vp.vcpu.rip, 0x1000);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], 0x5555);
	assert_int_equal(vp.vcpu.gpr[GPR_RCX], CALL_RETRY);
	assert_int_equal(mem64(OUT_PAGE), SENTINEL);
	assert_int_equal(yields, 1);
	call_control(CALL_RETRY, 0, OUT_PAGE);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_not_equal(vp.vcpu.rip, 0x1000);
	assert_int_equal(mem64(OUT_PAGE), 0xababababababababull);
}

/* Blocks outside the caller's memory: INVALID_ALIGNMENT, and the handler does not run. */
static void blocks_outside_memory(void **state)
{
	(void)state;
	call_control(CALL_COPY, GUEST_MEM, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_ALIGNMENT);
	call_control(CALL_COPY, IN_PAGE, GUEST_MEM - 8);	/* the 16 bytes end 8 past */
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_ALIGNMENT);
	call_control(CALL_DOUBLE | reps(2, 0), IN_PAGE, 0x100000);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_ALIGNMENT);
	assert_int_equal(seen.calls, 0);
	assert_int_equal(guest.writes, 0);
}

/* Fast calls: the input block is RDX then R8 (or EBX:ECX then EDI:ESI), nothing read from memory. */
static void fast_input_from_registers(void **state)
{
	static const uint8_t want[16] = { 8, 7, 6, 5, 4, 3, 2, 1, 0x10, 0x20, 0x30, 0x40,
					  0x50, 0x60, 0x70, 0x80 };
	uint64_t *r = vp.vcpu.gpr;

	(void)state;
	call_control(CALL_FAST | HV_HYPERCALL_FAST, 0x0102030405060708ull, 0x8070605040302010ull);
	assert_int_equal(r[GPR_RAX], HV_STATUS_SUCCESS);
	assert_memory_equal(seen.fast_in, want, 16);
	assert_int_equal(guest.reads, 0);
	call_control(CALL_FAST, IN_PAGE, OUT_PAGE);		/* not in memory form */
	assert_int_equal(r[GPR_RAX], HV_STATUS_INVALID_HYPERCALL_INPUT);
	call_control(CALL_FAST_REP | HV_HYPERCALL_FAST | reps(2, 0), 1, 2);
	assert_int_equal(r[GPR_RAX], 2ull << 32);
	call_control(CALL_FAST_REP | HV_HYPERCALL_FAST | reps(3, 0), 1, 2);	/* 24 bytes */
	assert_int_equal(r[GPR_RAX], HV_STATUS_INVALID_HYPERCALL_INPUT);

	memset(&seen, 0, sizeof(seen));
	guest.mode = VCPU_MODE_PROTECTED;
	r[GPR_RDX] = 0;
	r[GPR_RAX] = CALL_FAST | HV_HYPERCALL_FAST;
	r[GPR_RBX] = 0x01020304;
	r[GPR_RCX] = 0x05060708;
	r[GPR_RDI] = 0x80706050;
	r[GPR_RSI] = 0x40302010;
	dispatch();
	assert_int_equal(r[GPR_RAX], HV_STATUS_SUCCESS);
	assert_memory_equal(seen.fast_in, want, 16);
}

/* Our own calls still take their own path: the null call never reaches the TLFS table. */
static void own_calls_unchanged(void **state)
{
	(void)state;
	call_control(HVCALL_X_NULL | HV_HYPERCALL_FAST, 0, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(seen.calls, 0);
	call_control(HVCALL_X_NULL, IN_PAGE, OUT_PAGE);		/* own calls are fast only */
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(guest.reads, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(rep_call_completes, setup),
		cmocka_unit_test_setup(rep_start_is_honoured, setup),
		cmocka_unit_test_setup(continuation, setup),
		cmocka_unit_test_setup(handler_stops_early, setup),
		cmocka_unit_test_setup(rep_error, setup),
		cmocka_unit_test_setup(continuation_x86, setup),
		cmocka_unit_test_setup(input_copied_once, setup),
		cmocka_unit_test_setup(access_denied_changes_nothing, setup),
		cmocka_unit_test_setup(failed_call_writes_nothing, setup),
		cmocka_unit_test_setup(blocks_outside_memory, setup),
		cmocka_unit_test_setup(fast_input_from_registers, setup),
		cmocka_unit_test_setup(own_calls_unchanged, setup),
		cmocka_unit_test_setup(retry_leaves_the_call_to_be_made_again, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
