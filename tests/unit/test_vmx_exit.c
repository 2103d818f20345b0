/*
 * Host unit tests for arch/x86/vmx/vmx_exit.c. The decoder is built with
 * VMCS_FAKE (tests/unit/unit.mk), so its vmread/vmwrite are this file's:
 * a table of VMCS fields that each test fills with an exit reason, a
 * qualification and whatever else the exit kind reads, then checks the
 * normalised exit (and what the decoder wrote back).
 */
#define VMCS_FAKE	/* as vmx_exit.c is built here: vmread/vmwrite are ours */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/vmx/vmx.h"
#include "arch/x86/cpu.h"

/* ---- the fake VMCS --------------------------------------------------------- */

#define FIELDS	32

static struct { uint32_t field; uint64_t val; bool set; } vmcs[FIELDS];
static unsigned writes;

static unsigned slot(uint32_t field)
{
	for (unsigned i = 0; i < FIELDS; i++)
		if (vmcs[i].set && vmcs[i].field == field)
			return i;
	return FIELDS;
}

static void field_set(uint32_t field, uint64_t val)
{
	unsigned i = slot(field);

	if (i == FIELDS)
		for (i = 0; i < FIELDS && vmcs[i].set; i++)
			;
	assert_true(i < FIELDS);
	vmcs[i].field = field;
	vmcs[i].val = val;
	vmcs[i].set = true;
}

uint64_t vmread(uint32_t field)
{
	unsigned i = slot(field);

	/* the decoder reads only fields that the exit kind defines */
	if (i == FIELDS)
		fail_msg("vmread of field 0x%x that this exit does not have", field);
	return vmcs[i].val;
}

void vmwrite(uint32_t field, uint64_t v)
{
	writes++;
	field_set(field, v);
}

static struct vcpu vcpu;
static struct vmx_vcpu vx;

static int setup(void **state)
{
	(void)state;
	memset(vmcs, 0, sizeof(vmcs));
	memset(&vcpu, 0, sizeof(vcpu));
	memset(&vx, 0, sizeof(vx));
	writes = 0;
	field_set(VMCS_GUEST_RIP, 0x401000);
	field_set(VMCS_GUEST_RSP, 0x8000);
	field_set(VMCS_GUEST_CR0, CR0_PE);	/* VMCALL: protected mode, CPL 0 */
	field_set(VMCS_GUEST_RFLAGS, 0x2);
	field_set(VMCS_GUEST_SS_AR, 0);
	field_set(VMCS_GUEST_EFER, 0);
	field_set(VMCS_IDT_VECTORING_INFO, 0);
	return 0;
}

static struct vm_exit decode(uint32_t reason, uint64_t qual, uint32_t len)
{
	struct vm_exit e;

	memset(&e, 0xa5, sizeof(e));
	field_set(VMCS_EXIT_REASON, reason);
	field_set(VMCS_EXIT_QUALIFICATION, qual);
	field_set(VMCS_EXIT_INSN_LEN, len);
	vmx_decode_exit(&vcpu, &vx, &e);
	assert_int_equal(e.vendor_code, reason);
	return e;
}

/* ---- rows: basic reason -> normalised reason, length ------------------------ */

static void simple_exits(void **state)
{
	static const struct { uint32_t vmx; enum exit_reason reason; bool insn; } rows[] = {
		{ VMX_EXIT_EXTINT, EXIT_EXTINT, false },
		{ VMX_EXIT_TRIPLE_FAULT, EXIT_TRIPLE_FAULT, false },
		{ VMX_EXIT_IRQ_WINDOW, EXIT_IRQ_WINDOW, false },
		{ VMX_EXIT_PREEMPTION_TIMER, EXIT_EXTINT, false },
		{ VMX_EXIT_CPUID, EXIT_CPUID, true },
		{ VMX_EXIT_HLT, EXIT_HLT, true },
		{ VMX_EXIT_VMCALL, EXIT_HYPERCALL, true },
		{ VMX_EXIT_RDMSR, EXIT_MSR_READ, true },
		{ VMX_EXIT_WRMSR, EXIT_MSR_WRITE, true },
		{ VMX_EXIT_INVD, EXIT_CACHE_FLUSH, true },
		{ VMX_EXIT_WBINVD, EXIT_CACHE_FLUSH, true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct vm_exit e = decode(rows[i].vmx, 0, 3);

		assert_int_equal(e.reason, rows[i].reason);
		assert_int_equal(e.insn_len, rows[i].insn ? 3 : 0);
		assert_int_equal(vcpu.rip, 0x401000);
		assert_int_equal(vcpu.gpr[GPR_RSP], 0);	/* the VMCS's (core/vcpu.h) */
		assert_true(vx.launched);
	}
}

/* VMCALL: the caller's mode and CPL for the hypercall ABI, from CR0, RFLAGS.VM, SS, EFER and CS. */
static void hypercall_caller(void **state)
{
	static const struct {
		uint64_t cr0, rflags, efer;
		uint32_t ss_ar, cs_ar;
		enum vcpu_mode mode;
		unsigned cpl;
	} rows[] = {
		{ 0, 0x2, 0, 0x93, 0x9b, VCPU_MODE_REAL, 0 },
		{ CR0_PE, 0x2, 0, 0x93, 0x9b, VCPU_MODE_PROTECTED, 0 },
		{ CR0_PE, 0x2, 0, 0xf3, 0xfb, VCPU_MODE_PROTECTED, 3 },
		{ CR0_PE, 0x2 | RFLAGS_VM, 0, 0x93, 0x9b, VCPU_MODE_PROTECTED, 3 },
		{ CR0_PE | CR0_PG, 0x2, EFER_LME | EFER_LMA, 0x93, 0xa09b, VCPU_MODE_LONG64, 0 },
		{ CR0_PE | CR0_PG, 0x2, EFER_LME | EFER_LMA, 0xf3, 0xa0fb, VCPU_MODE_LONG64, 3 },
		/* compatibility mode: CS.L clear */
		{ CR0_PE | CR0_PG, 0x2, EFER_LME | EFER_LMA, 0x93, 0xc09b, VCPU_MODE_PROTECTED, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct vm_exit e;

		field_set(VMCS_GUEST_CR0, rows[i].cr0);
		field_set(VMCS_GUEST_RFLAGS, rows[i].rflags);
		field_set(VMCS_GUEST_EFER, rows[i].efer);
		field_set(VMCS_GUEST_SS_AR, rows[i].ss_ar);
		field_set(VMCS_GUEST_CS_AR, rows[i].cs_ar);
		e = decode(VMX_EXIT_VMCALL, 0, 3);
		assert_int_equal(e.reason, EXIT_HYPERCALL);
		assert_int_equal(e.u.hc.mode, rows[i].mode);
		assert_int_equal(e.u.hc.cpl, rows[i].cpl);
	}
}

/* VMX instructions, GETSEC, MONITOR/MWAIT, XSETBV: #UD for the partition. */
static void unsupported_instructions(void **state)
{
	static const uint32_t reasons[] = {
		VMX_EXIT_GETSEC, VMX_EXIT_VMCLEAR, VMX_EXIT_VMLAUNCH, VMX_EXIT_VMPTRLD,
		VMX_EXIT_VMPTRST, VMX_EXIT_VMREAD, VMX_EXIT_VMRESUME, VMX_EXIT_VMWRITE,
		VMX_EXIT_VMXOFF, VMX_EXIT_VMXON, VMX_EXIT_INVEPT, VMX_EXIT_INVVPID,
		VMX_EXIT_MWAIT, VMX_EXIT_MONITOR, VMX_EXIT_XSETBV,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		assert_int_equal(decode(reasons[i], 0, 3).reason, EXIT_UNSUPPORTED_INSN);
}

/* I/O qualification (Table 28-5): size-1, direction, string, REP, port. */
static void io(void **state)
{
	struct vm_exit e;

	(void)state;
	e = decode(VMX_EXIT_IO, 0xcf8ull << 16 | 1 << 3 | 3, 1);	/* inl (%dx) */
	assert_int_equal(e.reason, EXIT_IO);
	assert_true(e.u.io.port == 0xcf8 && e.u.io.size == 4 && e.u.io.in);
	assert_true(!e.u.io.string && !e.u.io.rep && e.insn_len == 1);
	e = decode(VMX_EXIT_IO, 0x1f0ull << 16 | 1 << 5 | 1 << 4 | 1, 3);	/* rep outsw */
	assert_true(e.u.io.size == 2 && !e.u.io.in && e.u.io.string && e.u.io.rep);
	assert_int_equal(e.vendor_info, 0x1f0ull << 16 | 1 << 5 | 1 << 4 | 1);
}

/* CR access qualification (Table 28-3): CR number, access type, GPR, LMSW data. */
static void cr_access(void **state)
{
	struct vm_exit e;

	(void)state;
	e = decode(VMX_EXIT_CR_ACCESS, 0x000, 3);			/* mov %rax, %cr0 */
	assert_int_equal(e.reason, EXIT_CR_ACCESS);
	assert_true(e.u.cr.cr == 0 && e.u.cr.type == CR_MOV_TO && e.u.cr.gpr == GPR_RAX);
	assert_int_equal(e.insn_len, 3);
	e = decode(VMX_EXIT_CR_ACCESS, 0x904, 4);			/* mov %r9, %cr4 */
	assert_true(e.u.cr.cr == 4 && e.u.cr.type == CR_MOV_TO && e.u.cr.gpr == GPR_R9);
	e = decode(VMX_EXIT_CR_ACCESS, 0xf18, 4);			/* mov %cr8, %r15 */
	assert_true(e.u.cr.cr == 8 && e.u.cr.type == CR_MOV_FROM && e.u.cr.gpr == GPR_R15);
	assert_int_equal(vcpu.gpr[GPR_RSP], 0x8000);	/* a register operand: RSP comes too */
	assert_int_equal(vx.pending, 0);
	e = decode(VMX_EXIT_CR_ACCESS, 0x418, 4);			/* mov %cr8, %rsp */
	assert_true(e.u.cr.gpr == GPR_RSP && vx.pending == VMX_PENDING_RSP);
	e = decode(VMX_EXIT_CR_ACCESS, 0x020, 2);			/* clts */
	assert_true(e.u.cr.cr == 0 && e.u.cr.type == CR_CLTS && e.insn_len == 2);
	e = decode(VMX_EXIT_CR_ACCESS, 0x000b0030ull, 3);		/* lmsw with 0xb */
	assert_true(e.u.cr.cr == 0 && e.u.cr.type == CR_LMSW && e.u.cr.lmsw == 0xb);
}

/* EPT violation (Table 28-7): access bits, rights the translation gave, the GPA. */
static void ept_violation(void **state)
{
	struct vm_exit e;

	(void)state;
	field_set(VMCS_GUEST_PHYSICAL_ADDRESS, 0x600000);
	e = decode(VMX_EXIT_EPT_VIOLATION, 0x2, 0);
	assert_int_equal(e.reason, EXIT_SLP_FAULT);
	assert_int_equal(gpa_val(e.u.slp.gpa), 0x600000);
	assert_true(e.u.slp.write && !e.u.slp.read && !e.u.slp.fetch && !e.u.slp.present);
	e = decode(VMX_EXIT_EPT_VIOLATION, 0x4 | 0x8, 0);
	assert_true(e.u.slp.fetch && e.u.slp.present);
	assert_int_equal(e.insn_len, 0);
}

/* An intercepted exception: vector and error code from the exit interruption info. */
static void exception(void **state)
{
	struct vm_exit e;

	(void)state;
	field_set(VMCS_EXIT_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION << 8 |
				       INTR_INFO_ERROR_VALID | 13);
	field_set(VMCS_EXIT_INTR_ERROR, 0x18);
	e = decode(VMX_EXIT_EXCEPTION_NMI, 0, 0);
	assert_int_equal(e.reason, EXIT_EXCEPTION);
	assert_true(e.u.exc.vector == 13 && e.u.exc.has_error && e.u.exc.error == 0x18);
	field_set(VMCS_EXIT_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION << 8 | 6);
	e = decode(VMX_EXIT_EXCEPTION_NMI, 0, 0);
	assert_true(e.u.exc.vector == 6 && !e.u.exc.has_error && e.u.exc.error == 0);
}

/* An exit during event delivery re-queues the event for the next entry (28.2.4). */
static void event_requeued(void **state)
{
	uint32_t idt = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION << 8 | INTR_INFO_ERROR_VALID | 14;

	(void)state;
	field_set(VMCS_GUEST_PHYSICAL_ADDRESS, 0x1000);
	field_set(VMCS_IDT_VECTORING_INFO, idt);
	field_set(VMCS_IDT_VECTORING_ERROR, 2);
	decode(VMX_EXIT_EPT_VIOLATION, 0x2, 0);
	assert_int_equal(vx.entry_intr, idt);
	assert_int_equal(vmread(VMCS_ENTRY_INTR_INFO), idt);
	assert_int_equal(vmread(VMCS_ENTRY_EXCEPTION_ERROR), 2);
}

/* IDT-vectoring information: the external interrupt an intercepted exception interrupted. */
static void interrupt_in_delivery(void **state)
{
	uint32_t ac = INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION << 8 | INTR_INFO_ERROR_VALID | 17;
	uint32_t irq = INTR_INFO_VALID | INTR_TYPE_EXTINT << 8 | 0x40;
	struct vm_exit e;

	(void)state;
	field_set(VMCS_EXIT_INTR_INFO, ac);
	field_set(VMCS_EXIT_INTR_ERROR, 1);
	field_set(VMCS_IDT_VECTORING_INFO, irq);
	e = decode(VMX_EXIT_EXCEPTION_NMI, 0, 0);
	assert_true(e.u.exc.vector == 17 && e.u.exc.irq_in_delivery == 0x40);
	assert_int_equal(vx.entry_intr, irq);		/* queued again, until an injection replaces it */
	field_set(VMCS_IDT_VECTORING_INFO, INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION << 8 | 6);
	assert_int_equal(decode(VMX_EXIT_EXCEPTION_NMI, 0, 0).u.exc.irq_in_delivery, 0);
	field_set(VMCS_IDT_VECTORING_INFO, 0);
	assert_int_equal(decode(VMX_EXIT_EXCEPTION_NMI, 0, 0).u.exc.irq_in_delivery, 0);
}

/* Reasons with no entry, and reasons past the table, are EXIT_OTHER. */
static void unknown_reasons(void **state)
{
	static const uint32_t reasons[] = { 3, 9, 29, 40, 62, VMX_EXIT_COUNT - 1, VMX_EXIT_COUNT,
					    0xffff };

	(void)state;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		struct vm_exit e = decode(reasons[i], 0x55, 2);

		assert_int_equal(e.reason, EXIT_OTHER);
		assert_int_equal(e.vendor_info, 0x55);	/* the qualification, for the log */
		assert_int_equal(e.insn_len, 0);
	}
}

/* Bit 31: the VM entry itself failed (27.7): the guest state was not touched. */
static void entry_failure(void **state)
{
	struct vm_exit e;

	(void)state;
	field_set(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | 32);
	vcpu.rip = 0x1234;
	e = decode(VMX_EXIT_ENTRY_FAILED | 33, 3, 0);
	assert_int_equal(e.reason, EXIT_ENTRY_FAILED);
	assert_int_equal(e.vendor_info, 3);
	assert_int_equal(vcpu.rip, 0x1234);
	assert_false(vx.launched);
	assert_int_equal(vx.entry_intr, INTR_INFO_VALID | 32);
	assert_int_equal(writes, 0);
}

static void vmfail(void **state)
{
	struct vm_exit e;

	(void)state;
	field_set(VMCS_VM_INSN_ERROR, 7);
	vmx_decode_vmfail(VMX_ENTER_FAIL_VALID, &e);
	assert_true(e.reason == EXIT_ENTRY_FAILED && e.vendor_code == VMX_VENDOR_VMFAIL);
	assert_int_equal(e.vendor_info, 7);
	vmx_decode_vmfail(VMX_ENTER_FAIL_INVALID, &e);
	assert_int_equal(e.vendor_info, ~0ull);
}

/* Every reason the core completes by skipping an instruction takes the VMCS length. */
static void every_skipped_instruction_has_a_length(void **state)
{
	(void)state;
	field_set(VMCS_GUEST_PHYSICAL_ADDRESS, 0);
	field_set(VMCS_EXIT_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION << 8 | 6);
	for (uint32_t r = 0; r < VMX_EXIT_COUNT; r++) {
		struct vm_exit e = decode(r, 0, 5);

		switch (e.reason) {
		case EXIT_CPUID: case EXIT_MSR_READ: case EXIT_MSR_WRITE: case EXIT_IO:
		case EXIT_HLT: case EXIT_HYPERCALL: case EXIT_CACHE_FLUSH: case EXIT_CR_ACCESS:
			if (e.insn_len != 5)
				fail_msg("reason %u: length %u", r, e.insn_len);
			break;
		default:
			break;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(simple_exits, setup),
		cmocka_unit_test_setup(hypercall_caller, setup),
		cmocka_unit_test_setup(unsupported_instructions, setup),
		cmocka_unit_test_setup(io, setup),
		cmocka_unit_test_setup(cr_access, setup),
		cmocka_unit_test_setup(ept_violation, setup),
		cmocka_unit_test_setup(exception, setup),
		cmocka_unit_test_setup(event_requeued, setup),
		cmocka_unit_test_setup(interrupt_in_delivery, setup),
		cmocka_unit_test_setup(unknown_reasons, setup),
		cmocka_unit_test_setup(entry_failure, setup),
		cmocka_unit_test_setup(vmfail, setup),
		cmocka_unit_test_setup(every_skipped_instruction_has_a_length, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
