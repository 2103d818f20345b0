/*
 * What core/hypercall.c calls, faked for its host unit tests
 * (test_hypercall.c, test_hvcall_engine.c; include in one file of each):
 * the exit layer (the caller's mode and CPL, injected faults), the
 * scheduler and TSC, the partition's guest memory (GUEST_MEM bytes from
 * GPA 0, with counted reads and writes), the per-CPU area and panics.
 */
#ifndef TESTS_UNIT_HVCALL_FAKES_H
#define TESTS_UNIT_HVCALL_FAKES_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/hypercall.h"
#include "core/abi/hypercall.h"
#include "core/hvinfo.h"
#include "core/log.h"
#include "core/percpu.h"
#include "arch/x86/tsc.h"
#include "core/sched.h"
#include "core/exit.h"
#include "partitions/partition.h"

#define GUEST_MEM	(4 * 4096)

static struct {
	enum vcpu_mode mode;
	unsigned cpl;
	unsigned injected;
	uint8_t vector;
	unsigned stops;
	uint64_t stop_code;
	uint8_t mem[GUEST_MEM];
	unsigned reads, writes;		/* partition_read/partition_write calls */
} guest;

static struct vp vp;
static struct partition part;
static struct percpu cpu0;
struct percpu *cpus[MAX_CPUS] = { &cpu0 };

static void injected(uint8_t vector)
{
	guest.injected++;
	guest.vector = vector;
}

void exit_inject_ud(struct vp *p)
{
	(void)p;
	injected(EXC_UD);
}

void exit_inject_gp(struct vp *p)
{
	(void)p;
	injected(EXC_GP);
}

uint64_t sched_now(void)
{
	return 1000000;
}

static unsigned yields;

void sched_yield_cpu(void)
{
	yields++;
}

/* The root calls' handlers (partitions/hvroot_*.c): the engine's tests reach none of them. */
#define HVROOT_FAKE(name) \
	uint16_t hvroot_##name(struct hc_call *c) { (void)c; return HV_STATUS_OPERATION_FAILED; }
HVROOT_FAKE(create_partition)
HVROOT_FAKE(initialize_partition)
HVROOT_FAKE(finalize_partition)
HVROOT_FAKE(delete_partition)
HVROOT_FAKE(get_partition_property)
HVROOT_FAKE(set_partition_property)
HVROOT_FAKE(get_system_property)
HVROOT_FAKE(deposit_memory)
HVROOT_FAKE(withdraw_memory)
HVROOT_FAKE(map_gpa_pages)
HVROOT_FAKE(unmap_gpa_pages)
HVROOT_FAKE(create_vp)
HVROOT_FAKE(delete_vp)
HVROOT_FAKE(get_vp_registers)
HVROOT_FAKE(set_vp_registers)
HVROOT_FAKE(assert_virtual_interrupt)

static unsigned stats_calls;

uint16_t hvroot_partition_stats(struct partition *caller, uint64_t id,
				struct hv_x_partition_stats *out)
{
	(void)caller, (void)id, (void)out;
	stats_calls++;
	return HV_STATUS_SUCCESS;
}

static unsigned name_calls;
static char name_seen[HV_X_NAME_MAX];

uint16_t hvroot_partition_name(struct partition *caller, uint64_t id, const char *name,
			       size_t len)
{
	(void)caller, (void)id;
	name_calls++;
	memcpy(name_seen, name, len < sizeof(name_seen) ? len : sizeof(name_seen));
	return HV_STATUS_SUCCESS;
}

static unsigned power_off_calls;

void hvroot_power_off(void)
{
	power_off_calls++;
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
	guest.stops++;
	guest.stop_code = code;
}

bool partition_contains(struct partition *p, gpa_t gpa, size_t len)
{
	assert_ptr_equal(p, &part);
	return len == 0 || (gpa_val(gpa) <= GUEST_MEM && len <= GUEST_MEM - gpa_val(gpa));
}

bool partition_read(struct partition *p, gpa_t gpa, void *dst, size_t len)
{
	guest.reads++;
	if (!partition_contains(p, gpa, len))
		return false;
	memcpy(dst, guest.mem + gpa_val(gpa), len);
	return true;
}

bool partition_write(struct partition *p, gpa_t gpa, const void *src, size_t len)
{
	guest.writes++;
	if (!partition_contains(p, gpa, len))
		return false;
	memcpy(guest.mem + gpa_val(gpa), src, len);
	return true;
}

/* The fake root's RAM for the log read: one range, at FAKE_RAM_GPA. */
#define FAKE_RAM_GPA	0x10000ull
#define FAKE_RAM_SIZE	0x10000ull
static uint8_t fake_ram[FAKE_RAM_SIZE];
static unsigned log_reads;

void *partition_ram_ptr(struct partition *p, gpa_t gpa, uint64_t len)
{
	uint64_t a = gpa_val(gpa);

	(void)p;
	if (a < FAKE_RAM_GPA || a - FAKE_RAM_GPA >= FAKE_RAM_SIZE ||
	    len > FAKE_RAM_SIZE - (a - FAKE_RAM_GPA))
		return NULL;
	return fake_ram + (a - FAKE_RAM_GPA);
}

size_t log_root_read(char *dst, size_t size)
{
	static const char text[] = "(cpu0) I: a line\r\n";
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;

	log_reads++;
	memcpy(dst, text, n);
	return n;
}

/* HVCALL_X_LOG_HISTORY's log side: position 1 is no line's start; else one line, 3 bytes lost. */
static unsigned history_calls;

bool log_history(uint64_t *from, char *dst, size_t size, size_t *copied, uint64_t *lost)
{
	static const char text[] = "(cpu0) I: a line\n";

	history_calls++;
	if (*from == 1)
		return false;
	assert_true(size >= sizeof(text) - 1);
	memcpy(dst, text, sizeof(text) - 1);
	*copied = sizeof(text) - 1;
	*from += 3 + *copied;
	*lost = 3;
	return true;
}

static unsigned info_calls;

void hv_info_fill(struct hv_x_hv_info *info)
{
	info_calls++;
	memset(info, 0, sizeof(*info));
	strcpy(info->version, "0.11-test");
	strcpy(info->backend, "svm");
	info->cpus = 2;
}

bool panic_in_progress(void)
{
	return false;
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	fail_msg("panic at %s:%d (%s)", file, line, fmt);
	abort();
}

/* A child partition (id 7) with one VP in 64-bit mode at CPL 0. */
static void fakes_reset(void)
{
	memset(&vp, 0, sizeof(vp));
	memset(&guest, 0, sizeof(guest));
	memset(&part, 0, sizeof(part));
	part.id = to_part_id(7);
	part.privileges = HV_PRIV_CHILD;
	vp.vcpu.part = &part;
	vp.vcpu.home_cpu = to_cpu_id(0);
	guest.mode = VCPU_MODE_LONG64;
	memset(fake_ram, 0, sizeof(fake_ram));
	log_reads = 0;
	history_calls = 0;
	info_calls = 0;
	stats_calls = 0;
	name_calls = 0;
	memset(name_seen, 0, sizeof(name_seen));
	yields = 0;
	power_off_calls = 0;
}

/* The hypercall exit as the back-end decodes it, the caller's mode and CPL included. */
static enum exit_action dispatch(void)
{
	struct vm_exit e = { .reason = EXIT_HYPERCALL, .insn_len = 3 };

	e.u.hc.mode = (uint8_t)guest.mode;
	e.u.hc.cpl = (uint8_t)guest.cpl;
	return hypercall_dispatch(&vp, &e);
}

/* A call with the whole input value in RCX as given. */
static enum exit_action call_control(uint64_t control, uint64_t rdx, uint64_t r8)
{
	vp.vcpu.gpr[GPR_RCX] = control;
	vp.vcpu.gpr[GPR_RDX] = rdx;
	vp.vcpu.gpr[GPR_R8] = r8;
	return dispatch();
}

static uint64_t mem64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, guest.mem + gpa, 8);
	return v;
}

static void set_mem64(uint64_t gpa, uint64_t v)
{
	memcpy(guest.mem + gpa, &v, 8);
}

#endif
