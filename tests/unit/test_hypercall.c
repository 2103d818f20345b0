/*
 * Host unit tests for the hypercall tables (core/hypercall.c and
 * core/hvcall_table.c, linked as they are): each code reaches its handler through the TLFS register convention
 * (RCX = code, RDX/R8 = input, RAX = status), unknown codes are refused,
 * input values that are not simple fast calls are refused, and arguments
 * are checked before anything changes; calls from CPL > 0
 * or real mode raise #UD and do nothing; outside 64-bit mode the x86
 * convention applies (EDX:EAX, EBX:ECX, EDI:ESI). The TLFS calls of
 * the table: GetPartitionId only for a partition with the privilege, after
 * the common checks; PostMessage's arguments. The back-end, the
 * scheduler, TSC, guest memory and partition calls are fakes
 * (hvcall_fakes.h); the engine's rep and copy rules are
 * test_hvcall_engine.c's. The root-only log read is refused to a child
 * and checks its buffer.
 */
#include "tests/unit/hvcall_fakes.h"
#include "core/abi/hvroot.h"

static int setup(void **state)
{
	(void)state;
	fakes_reset();
	return 0;
}

/* A fast call of `code`, as our own calls are made (core/abi/hypercall.h). */
static enum exit_action call(uint64_t code, uint64_t rdx, uint64_t r8)
{
	return call_control(code | HV_HYPERCALL_FAST, rdx, r8);
}

static void null_call(void **state)
{
	(void)state;
	assert_int_equal(call(HVCALL_X_NULL, 0, 0), EXIT_ACTION_RESUME);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
}

static void unknown_codes_are_refused(void **state)
{
	static const uint64_t codes[] = { 0, 1, 0x7fff, 0x800a, 0x80ff, 0xffff };

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
	assert_int_equal(guest.stops, 1);
	assert_int_equal(guest.stop_code, 42);
}

/* LOG_READ: the root's only; a child gets ACCESS_DENIED and reads nothing. */
static void log_read_is_root_only(void **state)
{
	(void)state;
	vp.vcpu.gpr[GPR_RDX] = FAKE_RAM_GPA;
	call(HVCALL_X_LOG_READ, FAKE_RAM_GPA, 64);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_ACCESS_DENIED);
	assert_int_equal(log_reads, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RDX], FAKE_RAM_GPA);	/* no output */
	part.privileges = HV_PRIV_ROOT;
	call(HVCALL_X_LOG_READ, FAKE_RAM_GPA + 16, 64);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(vp.vcpu.gpr[GPR_RDX], 18);		/* bytes written, in RDX */
	assert_memory_equal(fake_ram + 16, "(cpu0) I: a line\r\n", 18);
	assert_int_equal(log_reads, 1);
}

/* The statistics and power-off calls: root only; the statistics buffer 8-aligned in its RAM. */
static void stats_and_power_off_are_root_only(void **state)
{
	(void)state;
	call(HVCALL_X_PARTITION_STATS, 2, FAKE_RAM_GPA);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_ACCESS_DENIED);
	call(HVCALL_X_POWER_OFF, 0, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_ACCESS_DENIED);
	assert_int_equal(stats_calls + power_off_calls, 0);
	part.privileges = HV_PRIV_ROOT;
	call(HVCALL_X_PARTITION_STATS, 2, FAKE_RAM_GPA + 4);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	call(HVCALL_X_PARTITION_STATS, 2, FAKE_RAM_GPA + FAKE_RAM_SIZE - 8);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(stats_calls, 0);
	call(HVCALL_X_PARTITION_STATS, 2, FAKE_RAM_GPA);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(stats_calls, 1);
	call(HVCALL_X_POWER_OFF, 0, 0);
	assert_int_equal(power_off_calls, 1);
}

/* HVCALL_X_PARTITION_NAME: root only; the name copied from its RAM, then handed on. */
static void partition_name_is_root_only(void **state)
{
	(void)state;
	memcpy(fake_ram, "web", 4);
	call(HVCALL_X_PARTITION_NAME, 2, FAKE_RAM_GPA);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_ACCESS_DENIED);
	assert_int_equal(name_calls, 0);
	part.privileges = HV_PRIV_ROOT;
	call(HVCALL_X_PARTITION_NAME, 2, FAKE_RAM_GPA - 8);	/* not in its RAM */
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(name_calls, 0);
	call(HVCALL_X_PARTITION_NAME, 2, FAKE_RAM_GPA);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(name_calls, 1);
	assert_string_equal(name_seen, "web");
}

/* The buffer must lie in the root's RAM, 1 to HV_X_LOG_READ_MAX bytes; else nothing is read. */
static void log_read_checks_the_buffer(void **state)
{
	static const struct { uint64_t gpa, size; } bad[] = {
		{ FAKE_RAM_GPA, 0 },					/* empty */
		{ FAKE_RAM_GPA - 1, 16 },				/* starts outside */
		{ FAKE_RAM_GPA + FAKE_RAM_SIZE - 8, 16 },		/* runs past the end */
		{ FAKE_RAM_GPA + FAKE_RAM_SIZE, 1 },			/* just after */
		{ FAKE_RAM_GPA, HV_X_LOG_READ_MAX + 1 },		/* too big */
		{ ~0ull - 4, 16 },					/* wraps */
	};

	(void)state;
	part.privileges = HV_PRIV_ROOT;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		call(HVCALL_X_LOG_READ, bad[i].gpa, bad[i].size);
		assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	}
	assert_int_equal(log_reads, 0);
	call(HVCALL_X_LOG_READ, FAKE_RAM_GPA + FAKE_RAM_SIZE - 4, 4);	/* the last 4 bytes */
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(vp.vcpu.gpr[GPR_RDX], 4);
	assert_memory_equal(fake_ram + FAKE_RAM_SIZE - 4, "(cpu", 4);
}

/* HVCALL_X_HV_INFO: root only; the buffer 8-aligned inside its RAM, else nothing is written. */
static void hv_info_is_root_only_and_checks_the_buffer(void **state)
{
	static const uint64_t bad[] = {
		FAKE_RAM_GPA + 4,					/* unaligned */
		FAKE_RAM_GPA - 8,					/* outside */
		FAKE_RAM_GPA + FAKE_RAM_SIZE - 8,			/* runs past the end */
		~0ull - 7,						/* wraps */
	};
	const struct hv_x_hv_info *info = (const void *)fake_ram;

	(void)state;
	call(HVCALL_X_HV_INFO, FAKE_RAM_GPA, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_ACCESS_DENIED);
	part.privileges = HV_PRIV_ROOT;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		call(HVCALL_X_HV_INFO, bad[i], 0);
		assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	}
	assert_int_equal(info_calls, 0);
	call(HVCALL_X_HV_INFO, FAKE_RAM_GPA, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(info_calls, 1);
	assert_string_equal(info->version, "0.11-test");
	assert_string_equal(info->backend, "svm");
	assert_int_equal(info->cpus, 2);
}

/* Put a HVCALL_X_LOG_HISTORY block at offset `at` of the fake RAM. */
static struct hv_x_log_history *history_block(size_t at, uint64_t from, uint64_t buf_gpa,
					      uint32_t size)
{
	struct hv_x_log_history *h = (void *)(fake_ram + at);

	*h = (struct hv_x_log_history){ .from = from, .buf_gpa = buf_gpa, .size = size,
					.lost = 77 };
	return h;
}

/* HVCALL_X_LOG_HISTORY: root only; block and buffer checked; `from` and `lost` written back. */
static void log_history_is_root_only_and_checks_its_block(void **state)
{
	const uint64_t buf = FAKE_RAM_GPA + 4096;
	struct hv_x_log_history *h = history_block(0, 100, buf, 2048);

	(void)state;
	call(HVCALL_X_LOG_HISTORY, FAKE_RAM_GPA, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_ACCESS_DENIED);
	part.privileges = HV_PRIV_ROOT;
	call(HVCALL_X_LOG_HISTORY, FAKE_RAM_GPA + 4, 0);			/* unaligned */
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	call(HVCALL_X_LOG_HISTORY, FAKE_RAM_GPA + FAKE_RAM_SIZE - 16, 0);	/* runs past */
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	h->size = HV_X_LOG_HISTORY_MIN - 1;					/* too small */
	call(HVCALL_X_LOG_HISTORY, FAKE_RAM_GPA, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	h->size = HV_X_LOG_READ_MAX + 1;					/* too big */
	call(HVCALL_X_LOG_HISTORY, FAKE_RAM_GPA, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	h->size = 2048;
	h->reserved = 1;
	call(HVCALL_X_LOG_HISTORY, FAKE_RAM_GPA, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	h->reserved = 0;
	h->buf_gpa = FAKE_RAM_GPA + FAKE_RAM_SIZE - 1024;			/* buffer runs past */
	call(HVCALL_X_LOG_HISTORY, FAKE_RAM_GPA, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(history_calls, 0);
	h->buf_gpa = buf;
	h->from = 1;								/* no line's start */
	call(HVCALL_X_LOG_HISTORY, FAKE_RAM_GPA, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(h->from, 1);						/* nothing changed */
	assert_int_equal(h->lost, 77);
	h->from = 100;
	call(HVCALL_X_LOG_HISTORY, FAKE_RAM_GPA, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(vp.vcpu.gpr[GPR_RDX], 17);				/* bytes copied */
	assert_memory_equal(fake_ram + 4096, "(cpu0) I: a line\n", 17);
	assert_int_equal(h->from, 120);
	assert_int_equal(h->lost, 3);
	assert_int_equal(h->buf_gpa, buf);					/* inputs kept */
	assert_int_equal(h->size, 2048);
}

/* Only the code bits (15:0) choose the call. */
static void code_is_the_low_16_bits(void **state)
{
	(void)state;
	call_control(HV_HYPERCALL_FAST | HVCALL_X_TSC_KHZ, 0, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RDX], 3000);
}

/*
 * TLFS 6.0, 3.7: our calls are simple fast calls, so an input value with
 * the fast flag clear, a rep count, a rep start index, a variable header
 * size, the nested flag or a reserved bit gets
 * HV_STATUS_INVALID_HYPERCALL_INPUT, and the call does not happen.
 */
static void bad_input_values_are_refused(void **state)
{
	static const uint64_t bad[] = {
		0,				/* not a fast call */
		HV_HYPERCALL_FAST | 1ull << 32,	/* rep count 1 */
		HV_HYPERCALL_FAST | 0xfffull << 32,
		HV_HYPERCALL_FAST | 1ull << 48,	/* rep start index 1 */
		HV_HYPERCALL_FAST | 1ull << 17,	/* variable header size 1 */
		HV_HYPERCALL_FAST | 1ull << 26,
		HV_HYPERCALL_FAST | 1ull << 31,	/* nested */
		HV_HYPERCALL_FAST | 1ull << 27,	/* reserved bits 30:27, 47:44, 63:60 */
		HV_HYPERCALL_FAST | 1ull << 30,
		HV_HYPERCALL_FAST | 1ull << 44,
		HV_HYPERCALL_FAST | 1ull << 47,
		HV_HYPERCALL_FAST | 1ull << 60,
		HV_HYPERCALL_FAST | 1ull << 63,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vp.vcpu.rip = 0x1000;
		assert_int_equal(call_control(bad[i] | HVCALL_X_PARTITION_EXIT, 9, 0),
				 EXIT_ACTION_RESUME);
		assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_HYPERCALL_INPUT);
		assert_int_equal(guest.stops, 0);
		assert_int_equal(vp.vcpu.rip, 0x1003);		/* completed, with an error */
		call_control(bad[i] | HVCALL_X_SET_TIMER, 100, 40);
		assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_HYPERCALL_INPUT);
		assert_int_equal(vp.timer_deadline, 0);
		vp.vcpu.gpr[GPR_RDX] = 0x77;
		call_control(bad[i] | HVCALL_X_TSC_KHZ, 0x77, 0);
		assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_HYPERCALL_INPUT);
		assert_int_equal(vp.vcpu.gpr[GPR_RDX], 0x77);	/* no output */
	}
	/* an unknown code stays unknown, whatever the other bits */
	call_control(HV_HYPERCALL_FAST | 1ull << 32 | 0x7fff, 0, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_HYPERCALL_CODE);
}

/* TLFS: from CPL > 0 or real mode, #UD at the instruction; the call does not run. */
static void refused_outside_ring0(void **state)
{
	static const struct { enum vcpu_mode mode; unsigned cpl; } callers[] = {
		{ VCPU_MODE_LONG64, 3 }, { VCPU_MODE_LONG64, 1 }, { VCPU_MODE_PROTECTED, 3 },
		{ VCPU_MODE_REAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(callers) / sizeof(callers[0]); i++) {
		guest.mode = callers[i].mode;
		guest.cpl = callers[i].cpl;
		guest.injected = 0;
		vp.vcpu.rip = 0x1000;
		vp.vcpu.gpr[GPR_RAX] = 0x5555;
		assert_int_equal(call(HVCALL_X_PARTITION_EXIT, 7, 0), EXIT_ACTION_RESUME);
		assert_int_equal(guest.injected, 1);
		assert_int_equal(guest.vector, 6);		/* #UD */
		assert_int_equal(vp.vcpu.rip, 0x1000);		/* a fault: RIP stays */
		assert_int_equal(vp.vcpu.gpr[GPR_RAX], 0x5555);	/* no status written */
		assert_int_equal(guest.stops, 0);
	}
}

/* A call from ring 0 moves RIP past the instruction. */
static void ring0_call_steps_over(void **state)
{
	(void)state;
	vp.vcpu.rip = 0x1000;
	call(HVCALL_X_NULL, 0, 0);
	assert_int_equal(vp.vcpu.rip, 0x1003);
	assert_int_equal(guest.injected, 0);
}

/* Outside 64-bit mode: control in EDX:EAX, input EBX:ECX / EDI:ESI, status in EDX:EAX. */
static void x86_convention(void **state)
{
	uint64_t *r = vp.vcpu.gpr;

	(void)state;
	guest.mode = VCPU_MODE_PROTECTED;
	r[GPR_RDX] = 0;
	r[GPR_RAX] = HVCALL_X_TSC_KHZ | HV_HYPERCALL_FAST;
	r[GPR_RCX] = 0xdead;			/* the x64 control register is ignored */
	dispatch();
	assert_int_equal(r[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(r[GPR_RDX], 0);
	assert_int_equal(r[GPR_RBX], 0);	/* output EBX:ECX */
	assert_int_equal(r[GPR_RCX], 3000);

	r[GPR_RDX] = 0;
	r[GPR_RAX] = HVCALL_X_SET_TIMER | HV_HYPERCALL_FAST;
	r[GPR_RBX] = 0;
	r[GPR_RCX] = 1000;			/* microseconds */
	r[GPR_RDI] = 0;
	r[GPR_RSI] = 0x40;			/* vector */
	r[GPR_R8] = 0;				/* what the x64 convention would read */
	dispatch();
	assert_int_equal(r[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(vp.timer_vector, 0x40);
	assert_int_equal(vp.timer_deadline, 1000000 + 1000 * 3);

	r[GPR_RDX] = 0;
	r[GPR_RAX] = 0x7fff;
	dispatch();
	assert_int_equal(r[GPR_RAX], HV_STATUS_INVALID_HYPERCALL_CODE);
	assert_int_equal(r[GPR_RDX], 0);

	/* the input value is 64 bits here too: a rep count in EDX is refused */
	r[GPR_RDX] = 1;				/* bit 32: rep count 1 */
	r[GPR_RAX] = HVCALL_X_TSC_KHZ | HV_HYPERCALL_FAST;
	r[GPR_RCX] = 0x55;
	dispatch();
	assert_int_equal(r[GPR_RAX], HV_STATUS_INVALID_HYPERCALL_INPUT);
	assert_int_equal(r[GPR_RDX], 0);
	assert_int_equal(r[GPR_RCX], 0x55);	/* no output */
}

#define IN_PAGE		0x1000ull
#define OUT_PAGE	0x2000ull
#define SENTINEL	0x5a5a5a5a5a5a5a5aull

/* GetPartitionId needs HV_PRIV_ACCESS_PARTITION_ID, which a child lacks: nothing is written. */
static void get_partition_id_denied_to_a_child(void **state)
{
	(void)state;
	set_mem64(OUT_PAGE, SENTINEL);
	vp.vcpu.rip = 0x1000;
	assert_int_equal(call_control(HVCALL_GET_PARTITION_ID, 0, OUT_PAGE), EXIT_ACTION_RESUME);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_ACCESS_DENIED);
	assert_int_equal(mem64(OUT_PAGE), SENTINEL);
	assert_int_equal(guest.writes, 0);
	assert_int_equal(vp.vcpu.rip, 0x1003);		/* completed, with an error */
}

static void get_partition_id_for_the_root(void **state)
{
	(void)state;
	part.privileges = HV_PRIV_ROOT;
	set_mem64(OUT_PAGE + 8, SENTINEL);
	call_control(HVCALL_GET_PARTITION_ID, 0, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(mem64(OUT_PAGE), 7);
	assert_int_equal(mem64(OUT_PAGE + 8), SENTINEL);	/* 8 bytes only */
	/* it has no input: the input GPA is not looked at */
	call_control(HVCALL_GET_PARTITION_ID, 0xdead0003, OUT_PAGE + 16);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(mem64(OUT_PAGE + 16), 7);
}

/* The common checks come first: a child sees them too, before the access check. */
static void get_partition_id_common_checks(void **state)
{
	(void)state;
	call_control(HVCALL_GET_PARTITION_ID, 0, OUT_PAGE + 4);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_ALIGNMENT);
	call_control(HVCALL_GET_PARTITION_ID, 0, GUEST_MEM);	/* outside its memory */
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_ALIGNMENT);
	call_control(HVCALL_GET_PARTITION_ID, 0, 0xfffffffffffff000ull);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_ALIGNMENT);
	call_control(HVCALL_GET_PARTITION_ID | HV_HYPERCALL_FAST, 0, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_HYPERCALL_INPUT);
	call_control(HVCALL_GET_PARTITION_ID | 1ull << 32, 0, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_HYPERCALL_INPUT);
	call_control(HVCALL_GET_PARTITION_ID | 1ull << 63, 0, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_HYPERCALL_INPUT);
	part.privileges = HV_PRIV_ROOT;
	call_control(HVCALL_GET_PARTITION_ID, 0, GUEST_MEM - 8);	/* the last 8 bytes */
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(mem64(GUEST_MEM - 8), 7);
	call_control(HVCALL_GET_PARTITION_ID, 0, GUEST_MEM - 4);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_ALIGNMENT);
}

/* 32-bit callers: the output GPA in EDI:ESI, the result in EDX:EAX. */
static void get_partition_id_x86(void **state)
{
	uint64_t *r = vp.vcpu.gpr;

	(void)state;
	part.privileges = HV_PRIV_ROOT;
	guest.mode = VCPU_MODE_PROTECTED;
	r[GPR_RDX] = 0;
	r[GPR_RAX] = HVCALL_GET_PARTITION_ID;
	r[GPR_RBX] = 0;
	r[GPR_RCX] = 0;
	r[GPR_RDI] = 0;
	r[GPR_RSI] = OUT_PAGE + 0x40;
	r[GPR_R8] = OUT_PAGE;			/* what the x64 convention would read */
	dispatch();
	assert_int_equal(r[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(r[GPR_RDX], 0);
	assert_int_equal(mem64(OUT_PAGE + 0x40), 7);
	assert_int_equal(mem64(OUT_PAGE), 0);
	r[GPR_RDX] = 0;
	r[GPR_RAX] = HVCALL_GET_PARTITION_ID;
	r[GPR_RDI] = 1;				/* GPA 1_0000_2000: outside */
	r[GPR_RSI] = OUT_PAGE;
	dispatch();
	assert_int_equal(r[GPR_RAX], HV_STATUS_INVALID_ALIGNMENT);
}

static void post_message(uint32_t type, uint32_t size, uint64_t gpa)
{
	struct hv_input_post_message m = { .connection_id = 1, .message_type = type,
					   .payload_size = size };

	memcpy(guest.mem + gpa, &m, sizeof(m) <= GUEST_MEM - gpa ? sizeof(m) : GUEST_MEM - gpa);
	call_control(HVCALL_POST_MESSAGE, gpa, 0);
}

/* A child may post; there are no ports yet, so any connection is unknown; arguments first. */
static void post_message_arguments(void **state)
{
	(void)state;
	post_message(1, 240, IN_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_CONNECTION_ID);
	post_message(1, 241, IN_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	post_message(0x80000001, 8, IN_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	post_message(1, 8, IN_PAGE + 0x1000 - 256);		/* ends at the page end */
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_CONNECTION_ID);
	post_message(1, 8, IN_PAGE + 0x1000 - 248);		/* crosses it */
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_ALIGNMENT);
	post_message(1, 8, IN_PAGE + 4);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_ALIGNMENT);
	part.privileges = HV_PRIV_CHILD & ~HV_PRIV_POST_MESSAGES;
	post_message(1, 8, IN_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_ACCESS_DENIED);
}

/* The table's unknown codes, below ours, whatever the other bits. */
/* ---- MapVpStatePage / UnmapVpStatePage: decoding and routing (the pages: intercept_post.c) ---- */

#define CHILD_ID	9ull

static struct partition child;
static struct {
	unsigned maps, unmaps;
	uint32_t vp_index;
	uint16_t type;
	bool location_provided;
} vpstate;

struct partition *partition_find_id(part_id_t id)
{
	return part_id_val(id) == CHILD_ID ? &child : NULL;
}

uint16_t intercept_map_state_page(struct partition *caller, struct partition *p,
				  uint32_t vp_index, uint16_t type, bool location_provided,
				  uint64_t *pfn)
{
	assert_ptr_equal(caller, &part);
	assert_ptr_equal(p, &child);
	vpstate.maps++;
	vpstate.vp_index = vp_index;
	vpstate.type = type;
	vpstate.location_provided = location_provided;
	*pfn = 0x12345;
	return HV_STATUS_SUCCESS;
}

uint16_t intercept_unmap_state_page(struct partition *caller, struct partition *p,
				    uint32_t vp_index, uint16_t type)
{
	assert_ptr_equal(caller, &part);
	assert_ptr_equal(p, &child);
	vpstate.unmaps++;
	vpstate.vp_index = vp_index;
	vpstate.type = type;
	return HV_STATUS_SUCCESS;
}

/* {partition, vp_index, type, vtl 0, flags 0} at IN_PAGE: 6.15's 16 bytes; 16-23 left as they are. */
static void put_state_page_input(uint64_t pid, uint32_t vp_index, uint16_t type)
{
	set_mem64(IN_PAGE, pid);
	set_mem64(IN_PAGE + 8, vp_index | (uint64_t)type << 32);
}

static void map_vp_state_page(void **state)
{
	(void)state;
	memset(&vpstate, 0, sizeof(vpstate));
	put_state_page_input(CHILD_ID, 1, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE);
	set_mem64(IN_PAGE + 16, SENTINEL);		/* unwritten by 6.15: ignored */
	set_mem64(OUT_PAGE, SENTINEL);
	call_control(HVCALL_MAP_VP_STATE_PAGE, IN_PAGE, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_ACCESS_DENIED);	/* a child */
	assert_int_equal(vpstate.maps, 0);
	part.privileges = HV_PRIV_ROOT;
	call_control(HVCALL_MAP_VP_STATE_PAGE, IN_PAGE, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_int_equal(mem64(OUT_PAGE), 0x12345);
	assert_true(vpstate.maps == 1 && vpstate.vp_index == 1 &&
		    vpstate.type == HV_VP_STATE_PAGE_INTERCEPT_MESSAGE && !vpstate.location_provided);
	put_state_page_input(CHILD_ID + 1, 0, HV_VP_STATE_PAGE_REGISTERS);
	call_control(HVCALL_MAP_VP_STATE_PAGE, IN_PAGE, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARTITION_ID);
	put_state_page_input(1ull << 32 | CHILD_ID, 0, HV_VP_STATE_PAGE_REGISTERS);
	call_control(HVCALL_MAP_VP_STATE_PAGE, IN_PAGE, OUT_PAGE);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARTITION_ID);
	assert_int_equal(vpstate.maps, 1);
}

static void unmap_vp_state_page(void **state)
{
	(void)state;
	memset(&vpstate, 0, sizeof(vpstate));
	part.privileges = HV_PRIV_ROOT;
	put_state_page_input(CHILD_ID, 2, HV_VP_STATE_PAGE_REGISTERS);
	call_control(HVCALL_UNMAP_VP_STATE_PAGE, IN_PAGE, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_SUCCESS);
	assert_true(vpstate.unmaps == 1 && vpstate.vp_index == 2 &&
		    vpstate.type == HV_VP_STATE_PAGE_REGISTERS);
	set_mem64(IN_PAGE + 8, 2 | 1ull << 56);		/* rsvd byte set */
	call_control(HVCALL_UNMAP_VP_STATE_PAGE, IN_PAGE, 0);
	assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(vpstate.unmaps, 1);
}

static void unknown_tlfs_codes(void **state)
{
	static const uint64_t codes[] = { 0, 0x4a, 0x47, 0x5e, 0xff, 0x7fff };

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		call_control(codes[i] | 1ull << 27 | 3ull << 32, 0, 0);
		assert_int_equal(vp.vcpu.gpr[GPR_RAX], HV_STATUS_INVALID_HYPERCALL_CODE);
	}
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
		cmocka_unit_test_setup(log_read_is_root_only, setup),
		cmocka_unit_test_setup(log_read_checks_the_buffer, setup),
		cmocka_unit_test_setup(partition_name_is_root_only, setup),
		cmocka_unit_test_setup(stats_and_power_off_are_root_only, setup),
		cmocka_unit_test_setup(hv_info_is_root_only_and_checks_the_buffer, setup),
		cmocka_unit_test_setup(log_history_is_root_only_and_checks_its_block, setup),
		cmocka_unit_test_setup(bad_input_values_are_refused, setup),
		cmocka_unit_test_setup(refused_outside_ring0, setup),
		cmocka_unit_test_setup(ring0_call_steps_over, setup),
		cmocka_unit_test_setup(x86_convention, setup),
		cmocka_unit_test_setup(get_partition_id_denied_to_a_child, setup),
		cmocka_unit_test_setup(get_partition_id_for_the_root, setup),
		cmocka_unit_test_setup(get_partition_id_common_checks, setup),
		cmocka_unit_test_setup(get_partition_id_x86, setup),
		cmocka_unit_test_setup(post_message_arguments, setup),
		cmocka_unit_test_setup(unknown_tlfs_codes, setup),
		cmocka_unit_test_setup(map_vp_state_page, setup),
		cmocka_unit_test_setup(unmap_vp_state_page, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
