/*
 * The root's hypercall client, shaped like Linux's (arch/x86/include/asm/
 * mshyperv.h, include/asm-generic/mshyperv.h): memory calls go through a
 * per-VP input page and output page (one VP today), rep calls are
 * re-issued with the rep start at the reps completed while the status is
 * SUCCESS and reps remain (hv_do_rep_hypercall), and the result value
 * carries the status in bits 15:0 and the reps completed in 43:32 (TLFS
 * 6.0, 3.8). Calls go through the hypercall page, which the hypervisor
 * places for the root (hyperv-root-abi.md 1.1): HV_X64_MSR_HYPERCALL reads
 * back its GPA, the root sets the enable bit there and calls into it (the
 * RAM is identity-mapped), so the root needs not know VMCALL from VMMCALL.
 */
#include "partitions/root/root.h"
#include "arch/x86/cpu.h"
#include "core/abi/hypercall.h"
#include "core/abi/hv_msr.h"

#define PAGE	4096

static uint8_t in_page[PAGE] __attribute__((aligned(PAGE)));
static uint8_t out_page[PAGE] __attribute__((aligned(PAGE)));
static uint64_t in_gpa, out_gpa;
static uint64_t last_result;
static uint64_t hypercall_page;		/* its address: GPA = virtual */

/* "Our own OS" in the TLFS's GUEST_OS_ID encoding (TLFS 6.0, 3.13): open source, kind 0x7f. */
#define ROOT_GUEST_OS_ID	(1ull << 63 | 0x7full << 56)

void hv_init(void)
{
	uint64_t msr;

	wrmsr(HV_X64_MSR_GUEST_OS_ID, ROOT_GUEST_OS_ID);
	msr = rdmsr(HV_X64_MSR_HYPERCALL);
	hypercall_page = msr & ~0xfffull;
	wrmsr(HV_X64_MSR_HYPERCALL, msr | 1);
	in_gpa = root_image_gpa(in_page);
	out_gpa = root_image_gpa(out_page);
}

uint64_t hv_hypercall_page(void)
{
	return hypercall_page;
}

/*
 * Through the page (VMCALL or VMMCALL, then RET). A continued rep call
 * comes back into the page with RCX updated and runs again there, so RCX
 * is an output too.
 */
static uint64_t raw_call(uint64_t control, uint64_t *rdx, uint64_t r8)
{
	register uint64_t r8_ __asm__("r8") = r8;
	uint64_t rax;

	__asm__ volatile("call *%[page]"
			 : "=a"(rax), "+d"(*rdx), "+r"(r8_), "+c"(control)
			 : [page] "m"(hypercall_page)
			 : "memory");
	last_result = rax;
	return rax;
}

uint64_t hv_last_result(void)
{
	return last_result;
}

uint16_t hv_fast(uint16_t code, uint64_t in1, uint64_t in2, uint64_t *out)
{
	uint64_t r = raw_call(code | HV_HYPERCALL_FAST, &in1, in2);

	if (out)
		*out = in1;
	return (uint16_t)(r & HV_HYPERCALL_RESULT_MASK);
}

uint16_t hv_call(uint16_t code, const void *in, size_t in_len, void *out, size_t out_len)
{
	uint64_t rdx = in_gpa;
	uint16_t st;

	ASSERT(in_len <= PAGE && out_len <= PAGE);
	memcpy(in_page, in, in_len);
	memset(out_page, 0, out_len);
	st = (uint16_t)(raw_call(code, &rdx, out_len ? out_gpa : 0) & HV_HYPERCALL_RESULT_MASK);
	if (out_len)
		memcpy(out, out_page, out_len);
	return st;
}

uint16_t hv_rep(uint16_t code, const void *hdr, size_t hdr_len, const void *elems,
		size_t elem_len, unsigned count, void *out, size_t out_elem_len, unsigned *done)
{
	unsigned completed = 0;
	uint16_t st;

	ASSERT(count && count <= 0xfff && hdr_len + elem_len * count <= PAGE &&
	       out_elem_len * count <= PAGE);
	memcpy(in_page, hdr, hdr_len);
	memcpy(in_page + hdr_len, elems, elem_len * count);
	memset(out_page, 0, out_elem_len * count);
	do {
		uint64_t control = code | (uint64_t)count << 32 | (uint64_t)completed << 48;
		uint64_t rdx = in_gpa, r = raw_call(control, &rdx, out_elem_len ? out_gpa : 0);

		st = (uint16_t)(r & HV_HYPERCALL_RESULT_MASK);
		completed = (unsigned)(r >> HV_HYPERCALL_REP_COMP_SHIFT) & 0xfff;
	} while (st == HV_STATUS_SUCCESS && completed < count);
	if (out_elem_len)
		memcpy(out, out_page, out_elem_len * completed);
	if (done)
		*done = completed;
	return st;
}

const char *hv_status_name(uint16_t status)
{
	static const struct { uint16_t code; const char *name; } names[] = {
		{ HV_STATUS_SUCCESS, "SUCCESS" },
		{ HV_STATUS_INVALID_HYPERCALL_CODE, "INVALID_HYPERCALL_CODE" },
		{ HV_STATUS_INVALID_HYPERCALL_INPUT, "INVALID_HYPERCALL_INPUT" },
		{ HV_STATUS_INVALID_ALIGNMENT, "INVALID_ALIGNMENT" },
		{ HV_STATUS_INVALID_PARAMETER, "INVALID_PARAMETER" },
		{ HV_STATUS_ACCESS_DENIED, "ACCESS_DENIED" },
		{ HV_STATUS_INVALID_PARTITION_STATE, "INVALID_PARTITION_STATE" },
		{ HV_STATUS_OPERATION_DENIED, "OPERATION_DENIED" },
		{ HV_STATUS_UNKNOWN_PROPERTY, "UNKNOWN_PROPERTY" },
		{ HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE, "PROPERTY_VALUE_OUT_OF_RANGE" },
		{ HV_STATUS_INSUFFICIENT_MEMORY, "INSUFFICIENT_MEMORY" },
		{ HV_STATUS_INVALID_PARTITION_ID, "INVALID_PARTITION_ID" },
		{ HV_STATUS_INVALID_VP_INDEX, "INVALID_VP_INDEX" },
		{ HV_STATUS_NOT_FOUND, "NOT_FOUND" },
		{ HV_STATUS_INVALID_VP_STATE, "INVALID_VP_STATE" },
		{ HV_STATUS_NO_RESOURCES, "NO_RESOURCES" },
		{ HV_STATUS_INVALID_REGISTER_VALUE, "INVALID_REGISTER_VALUE" },
		{ HV_STATUS_OPERATION_FAILED, "OPERATION_FAILED" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].code == status)
			return names[i].name;
	return "?";
}

uint64_t root_tsc_khz(void)
{
	static uint64_t khz;

	if (!khz && (hv_fast(HVCALL_X_TSC_KHZ, 0, 0, &khz) != HV_STATUS_SUCCESS || !khz))
		khz = 1000000;	/* never 0: a divisor; 1 GHz if the hypervisor will not say */
	return khz;
}

uint64_t root_us_since(uint64_t tsc)
{
	return (rdtsc() - tsc) * 1000 / root_tsc_khz();
}
