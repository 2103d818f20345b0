/*
 * VM exits -> struct vm_exit. One const table indexed by the basic exit
 * reason (SDM Vol. 3D, Appendix C) says what each becomes and which VMCS
 * fields it needs, so an exit costs only the VMREADs it uses.
 */
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/cpu.h"

enum {
	X_KNOWN = 1 << 0,	/* the entry is filled in */
	X_INSN = 1 << 1,	/* caused by an instruction: VM-exit instruction length is valid */
	X_QUAL = 1 << 2,	/* the exit qualification means something */
	X_EVENT = 1 << 3,	/* may happen while delivering an event (IDT-vectoring info) */
};

typedef void (*exit_decoder_t)(struct vm_exit *e);

struct exit_kind {
	enum exit_reason reason;
	uint8_t flags;
	exit_decoder_t decode;		/* fills e->u, may change e->reason; NULL: none */
};

/*
 * A fault on IRET that unblocked NMIs is re-executed after the exit, so
 * the (virtual-)NMI blocking it cleared must be put back (SDM Vol. 3C,
 * 28.2.3).
 */
static void restore_nmi_blocking(void)
{
	if (vmread(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID)
		return;		/* not when the exit interrupted event delivery */
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
		vmread(VMCS_GUEST_INTERRUPTIBILITY) | INTERRUPTIBILITY_NMI);
}

/*
 * The external interrupt whose delivery the exit interrupted (IDT-vectoring
 * information, 28.2.4), 0: none. requeue_event has queued it again.
 */
static uint8_t irq_in_delivery(void)
{
	uint32_t idt = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);

	if (!(idt & INTR_INFO_VALID) ||
	    (idt & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT != INTR_TYPE_EXTINT)
		return 0;
	return (uint8_t)(idt & INTR_INFO_VECTOR_MASK);
}

/* Exit reason 0: an NMI (NMI exiting) or an exception in the exception bitmap. */
static void decode_exception_nmi(struct vm_exit *e)
{
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);

	if ((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT == INTR_TYPE_NMI) {
		e->reason = EXIT_NMI;
		/*
		 * The exit consumed the NMI, and NMIs may stay blocked until the
		 * host's next IRET: hand it to the host's handler, as AMD-V does
		 * after STGI; the handler's IRET unblocks NMIs.
		 */
		__asm__ volatile("int $2" ::: "memory");
		return;
	}
	if ((info & INTR_INFO_NMI_UNBLOCKED) && (info & INTR_INFO_VECTOR_MASK) != 8)
		restore_nmi_blocking();
	e->u.exc.vector = (uint8_t)(info & INTR_INFO_VECTOR_MASK);
	e->u.exc.has_error = info & INTR_INFO_ERROR_VALID;
	e->u.exc.error = e->u.exc.has_error ? (uint32_t)vmread(VMCS_EXIT_INTR_ERROR) : 0;
	e->u.exc.irq_in_delivery = irq_in_delivery();
}

/* Exit reason 30 (28.2.1, Table 28-5). */
static void decode_io(struct vm_exit *e)
{
	uint64_t q = e->vendor_info;

	e->u.io.size = (uint8_t)((q & 7) + 1);
	e->u.io.in = q >> 3 & 1;
	e->u.io.string = q >> 4 & 1;
	e->u.io.rep = q >> 5 & 1;
	e->u.io.port = (uint16_t)(q >> 16);
}

/* Exit reason 28 (28.2.1, Table 28-3): the register, the access, the GPR, LMSW's operand. */
static void decode_cr_access(struct vm_exit *e)
{
	uint64_t q = e->vendor_info;

	e->u.cr.cr = q & 15;
	e->u.cr.type = q >> 4 & 3;
	e->u.cr.gpr = q >> 8 & 15;
	e->u.cr.lmsw = (uint16_t)(q >> 16);
}

/* Exit reason 48 (28.2.1, Table 28-7): bits 3-5 are the rights the translation gave. */
static void decode_ept_violation(struct vm_exit *e)
{
	uint64_t q = e->vendor_info;

	e->u.slp.gpa = to_gpa(vmread(VMCS_GUEST_PHYSICAL_ADDRESS));
	e->u.slp.read = q & 1;
	e->u.slp.write = q >> 1 & 1;
	e->u.slp.fetch = q >> 2 & 1;
	e->u.slp.present = (q >> 3 & 7) != 0;
	if (q & INTR_INFO_NMI_UNBLOCKED)	/* bit 12 here too */
		restore_nmi_blocking();
}

/*
 * Exit reason 18, VMCALL: the caller's mode and CPL, for the hypercall ABI.
 * The CPL is SS.DPL (SDM Vol. 3C, 25.4.1: VM entry takes the CPL from it),
 * or 3 in virtual-8086 mode; 64-bit mode is IA32_EFER.LMA with CS.L, and
 * real mode CR0.PE clear (possible with unrestricted guest). IA-32e mode
 * first, the common case: it has paging, so protection, and no
 * virtual-8086 mode (VM entry requires RFLAGS.VM clear there, 27.3.1.4).
 */
static void decode_vmcall(struct vm_exit *e)
{
	if (vmread(VMCS_GUEST_EFER) & EFER_LMA) {
		e->u.hc.cpl = (uint8_t)(vmread(VMCS_GUEST_SS_AR) >> SEG_AR_DPL_SHIFT & 3);
		e->u.hc.mode = vmread(VMCS_GUEST_CS_AR) & SEG_AR_L ? VCPU_MODE_LONG64 :
								       VCPU_MODE_PROTECTED;
	} else if (!(vmread(VMCS_GUEST_CR0) & CR0_PE)) {
		e->u.hc.mode = VCPU_MODE_REAL;
		e->u.hc.cpl = 0;
	} else if (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_VM) {
		e->u.hc.mode = VCPU_MODE_PROTECTED;
		e->u.hc.cpl = 3;
	} else {
		e->u.hc.mode = VCPU_MODE_PROTECTED;
		e->u.hc.cpl = (uint8_t)(vmread(VMCS_GUEST_SS_AR) >> SEG_AR_DPL_SHIFT & 3);
	}
}

/* Exit reason 49: no qualification; keep the guest-physical address for the log. */
static void decode_ept_misconfig(struct vm_exit *e)
{
	e->vendor_info = vmread(VMCS_GUEST_PHYSICAL_ADDRESS);
}

#define KIND(r, f, d)	{ (r), (uint8_t)((f) | X_KNOWN), (d) }

static const struct exit_kind exit_kinds[VMX_EXIT_COUNT] = {
	[VMX_EXIT_EXCEPTION_NMI] = KIND(EXIT_EXCEPTION, X_QUAL | X_EVENT, decode_exception_nmi),
	[VMX_EXIT_EXTINT] = KIND(EXIT_EXTINT, 0, NULL),
	[VMX_EXIT_TRIPLE_FAULT] = KIND(EXIT_TRIPLE_FAULT, 0, NULL),
	[VMX_EXIT_IRQ_WINDOW] = KIND(EXIT_IRQ_WINDOW, 0, NULL),
	[VMX_EXIT_CPUID] = KIND(EXIT_CPUID, X_INSN, NULL),
	[VMX_EXIT_HLT] = KIND(EXIT_HLT, X_INSN, NULL),
	[VMX_EXIT_VMCALL] = KIND(EXIT_HYPERCALL, X_INSN, decode_vmcall),
	[VMX_EXIT_IO] = KIND(EXIT_IO, X_INSN | X_QUAL, decode_io),
	[VMX_EXIT_RDMSR] = KIND(EXIT_MSR_READ, X_INSN, NULL),
	[VMX_EXIT_WRMSR] = KIND(EXIT_MSR_WRITE, X_INSN, NULL),
	[VMX_EXIT_EPT_VIOLATION] = KIND(EXIT_SLP_FAULT, X_QUAL | X_EVENT, decode_ept_violation),
	[VMX_EXIT_EPT_MISCONFIG] = KIND(EXIT_OTHER, 0, decode_ept_misconfig),
	/* the periodic poll of vmx_setup.c's POLL_US: let the host look at its interrupts */
	[VMX_EXIT_PREEMPTION_TIMER] = KIND(EXIT_EXTINT, 0, NULL),
	[VMX_EXIT_INVD] = KIND(EXIT_CACHE_FLUSH, X_INSN, NULL),	/* INVD always exits */
	[VMX_EXIT_WBINVD] = KIND(EXIT_CACHE_FLUSH, X_INSN, NULL),
	/* MOV CR0/CR4 touching a host-owned bit, MOV CR8 (no TPR shadow) */
	[VMX_EXIT_CR_ACCESS] = KIND(EXIT_CR_ACCESS, X_INSN | X_QUAL, decode_cr_access),
	/*
	 * VMX, SMX, XSAVE and MONITOR/MWAIT are hidden from the partition's
	 * CPUID and CR4.VMXE/SMXE/OSXSAVE read 0: these raise #UD, as on a CPU
	 * without them (SDM Vol. 3C, 26.1.2 for the ones that always exit).
	 */
	[VMX_EXIT_GETSEC] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMX_EXIT_VMCLEAR] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMX_EXIT_VMLAUNCH] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMX_EXIT_VMPTRLD] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMX_EXIT_VMPTRST] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMX_EXIT_VMREAD] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMX_EXIT_VMRESUME] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMX_EXIT_VMWRITE] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMX_EXIT_VMXOFF] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMX_EXIT_VMXON] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMX_EXIT_INVEPT] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMX_EXIT_INVVPID] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMX_EXIT_MWAIT] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMX_EXIT_MONITOR] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMX_EXIT_XSETBV] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
};

static const struct exit_kind exit_unknown = { EXIT_OTHER, X_QUAL, NULL };

/*
 * An exit during event delivery (IDT-vectoring information valid) loses
 * the event unless the next entry injects it again (28.2.4, 27.5).
 */
static void requeue_event(struct vmx_vcpu *vx)
{
	uint32_t idt = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
	uint32_t type = (idt & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	uint32_t info;

	if (!(idt & INTR_INFO_VALID))
		return;
	info = idt & (INTR_INFO_VALID | INTR_INFO_ERROR_VALID | INTR_INFO_TYPE_MASK |
		      INTR_INFO_VECTOR_MASK);	/* bit 12 is reserved on entry */
	if (info & INTR_INFO_ERROR_VALID)
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, vmread(VMCS_IDT_VECTORING_ERROR));
	if (type == INTR_TYPE_SW_INT || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SW_EXCEPTION)
		vmwrite(VMCS_ENTRY_INSN_LEN, vmread(VMCS_EXIT_INSN_LEN));
	if (type == INTR_TYPE_NMI)	/* injecting an NMI needs NMIs unblocked (27.3.1.5) */
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			vmread(VMCS_GUEST_INTERRUPTIBILITY) & ~(uint64_t)INTERRUPTIBILITY_NMI);
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
	vx->entry_intr = info;
}

/*
 * Exit reason 41: a machine check struck during VM entry, which failed
 * (27.8). It is the host's, like one that strikes while the guest runs
 * (vector 18 is in the exception bitmap), so it is reported as that one.
 */
static void machine_check_during_entry(struct vm_exit *e)
{
	e->reason = EXIT_EXCEPTION;
	e->u.exc.vector = EXC_MC;
	e->u.exc.has_error = false;
	e->u.exc.error = 0;
}

/* Fill e as entry k says. */
static inline __attribute__((always_inline)) void
decode_kind(struct vmx_vcpu *vx, const struct exit_kind *k, struct vm_exit *e)
{
	e->reason = k->reason;
	e->vendor_info = k->flags & X_QUAL ? vmread(VMCS_EXIT_QUALIFICATION) : 0;
	e->insn_len = k->flags & X_INSN ? (uint8_t)vmread(VMCS_EXIT_INSN_LEN) : 0;
	if (k->flags & X_EVENT)
		requeue_event(vx);
	if (k->decode)
		k->decode(e);
}

/* The VM entry failed: the guest state was checked and refused (27.7), nothing of it changed. */
static void entry_failed(struct vmx_vcpu *vx, uint32_t raw, struct vm_exit *e)
{
	e->reason = EXIT_ENTRY_FAILED;
	e->vendor_info = vmread(VMCS_EXIT_QUALIFICATION);
	e->insn_len = 0;
	vx->entry_intr = (uint32_t)vmread(VMCS_ENTRY_INTR_INFO);
	if ((raw & VMX_EXIT_BASIC_MASK) == VMX_EXIT_MCE_DURING_ENTRY)
		machine_check_during_entry(e);
}

/*
 * Every exit but the run-time ones of decode(). RSP goes to the core
 * where the exit names a register (core/vcpu.h); after a MOV from a
 * control register into RSP, vmx_ready takes gpr[GPR_RSP] back.
 */
static __attribute__((noinline)) void decode_other(struct vcpu *v, struct vmx_vcpu *vx,
						   uint32_t raw, struct vm_exit *e)
{
	uint32_t basic = raw & VMX_EXIT_BASIC_MASK;
	const struct exit_kind *k = &exit_unknown;

	if (basic < VMX_EXIT_COUNT && (exit_kinds[basic].flags & X_KNOWN))
		k = &exit_kinds[basic];
	decode_kind(vx, k, e);
	if (e->reason != EXIT_CR_ACCESS)
		return;
	v->gpr[GPR_RSP] = vmread(VMCS_GUEST_RSP);
	if (e->u.cr.type == CR_MOV_FROM && e->u.cr.gpr == GPR_RSP)
		__atomic_fetch_or(&vx->pending, VMX_PENDING_RSP, __ATOMIC_RELAXED);
}

static inline __attribute__((always_inline)) void
decode(struct vcpu *v, struct vmx_vcpu *vx, struct vm_exit *e)
{
	uint32_t raw = (uint32_t)vmread(VMCS_EXIT_REASON);

	e->vendor_code = raw;
	if (raw & VMX_EXIT_ENTRY_FAILED) {
		entry_failed(vx, raw, e);
		return;
	}
	vx->launched = true;
	vx->entry_intr = 0;		/* every exit clears its valid bit (25.8.3) */
	v->rip = vmread(VMCS_GUEST_RIP);
	/* the exits guests make at run time first, their table entries read at compile time */
	if (raw == VMX_EXIT_CPUID)
		decode_kind(vx, &exit_kinds[VMX_EXIT_CPUID], e);
	else if (raw == VMX_EXIT_VMCALL)
		decode_kind(vx, &exit_kinds[VMX_EXIT_VMCALL], e);
	else if (raw == VMX_EXIT_IO)
		decode_kind(vx, &exit_kinds[VMX_EXIT_IO], e);
	else
		decode_other(v, vx, raw, e);
}

void vmx_decode_exit(struct vcpu *v, struct vmx_vcpu *vx, struct vm_exit *e)
{
	decode(v, vx, e);
}

void vmx_take_exit(struct vcpu *v)
{
	decode(v, to_vmx(v), &v->exit);
}

void vmx_decode_vmfail(int result, struct vm_exit *e)
{
	e->reason = EXIT_ENTRY_FAILED;
	e->vendor_code = VMX_VENDOR_VMFAIL;
	/* VM-instruction error numbers: SDM Vol. 3C, 31.4 */
	e->vendor_info = result == VMX_ENTER_FAIL_VALID ? vmread(VMCS_VM_INSN_ERROR) : ~0ull;
	e->insn_len = 0;
}
