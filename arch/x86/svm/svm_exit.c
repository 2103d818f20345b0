/*
 * #VMEXIT -> struct vm_exit. One const table indexed by EXITCODE (APM Vol.
 * 2, Appendix C "SVM Intercept Exit Codes") says what each exit becomes,
 * how long its instruction is where the CPU saves no next RIP, and which
 * decoder reads EXITINFO1/2 (15.7 "Intercept Operation"). Reads the VMCB,
 * writes only its EVENTINJ (an interrupted event goes in again) and the
 * vCPU's registers and exit; runs on every exit, so no logging and no
 * loops.
 */
#include "arch/x86/svm/svm.h"
#include "core/log.h"
#include "arch/x86/tsc_aux.h"
#include "arch/x86/guest_insn.h"

#define MAX_INSN_LEN	15

typedef void (*svm_decoder_t)(const struct vmcb *vmcb, struct vm_exit *e);

struct svm_exit_kind {
	uint8_t reason;		/* enum exit_reason */
	uint8_t known;		/* the entry is filled in */
	/*
	 * An instruction the core completes by skipping it: its length
	 * without prefixes, used where the CPU has no NRIPS. 0: not such an
	 * instruction (or the decoder sets the length).
	 */
	uint8_t insn_len;
	svm_decoder_t decode;	/* fills e->u, may change the reason; NULL: none */
};

/*
 * Length of an intercepted instruction: with NRIPS the CPU saves the next
 * RIP for instruction intercepts (15.7.1); without it (QEMU TCG) the
 * length of the instruction without prefixes is what we know.
 */
static uint8_t insn_len(const struct vmcb *vmcb, uint8_t known)
{
	uint64_t n;

	if (!svm_features.nrips)
		return known;
	n = vmcb->ctl.next_rip - vmcb->save.rip;
	return n && n <= MAX_INSN_LEN ? (uint8_t)n : known;
}

/* EXITINFO1: 0 RDMSR, 1 WRMSR (15.11). */
static void decode_msr(const struct vmcb *vmcb, struct vm_exit *e)
{
	e->reason = vmcb->ctl.exitinfo1 & 1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
}

/* EXITINFO1 layout: 15.10.2, Figure 15-2; EXITINFO2 is the next RIP, NRIPS or not. */
static void decode_io(const struct vmcb *vmcb, struct vm_exit *e)
{
	uint64_t info = vmcb->ctl.exitinfo1;

	e->u.io.port = (uint16_t)(info >> IOIO_PORT_SHIFT);
	e->u.io.size = info & IOIO_SZ32 ? 4 : info & IOIO_SZ16 ? 2 : 1;
	e->u.io.in = info & IOIO_IN;
	e->u.io.string = info & IOIO_STR;
	e->u.io.rep = info & IOIO_REP;
	e->insn_len = (uint8_t)(vmcb->ctl.exitinfo2 - vmcb->save.rip);
}

/*
 * The caller's mode and CPL, for the hypercall ABI: the CPL is the VMCB's
 * CPL field, which #VMEXIT saves (15.5.1); 64-bit mode is EFER.LMA with
 * CS.L set, compatibility mode LMA with CS.L clear (APM Vol. 2, 1.2.1 and
 * 4.8.1). Virtual-8086 mode is protected mode, and its CPL is 3. 64-bit
 * mode first, the common case (long mode has paging, so protection).
 */
static void decode_vmmcall(const struct vmcb *vmcb, struct vm_exit *e)
{
	e->u.hc.cpl = vmcb->save.cpl;
	if (svm_mode64(vmcb))
		e->u.hc.mode = VCPU_MODE_LONG64;
	else if (!(vmcb->save.cr0 & CR0_PE))
		e->u.hc.mode = VCPU_MODE_REAL;
	else
		e->u.hc.mode = VCPU_MODE_PROTECTED;
}

/* EXITINFO1 is a #PF-style error code, EXITINFO2 the faulting GPA (15.25.6). */
static void decode_npf(const struct vmcb *vmcb, struct vm_exit *e)
{
	uint64_t err = vmcb->ctl.exitinfo1;

	e->u.slp.gpa = to_gpa(vmcb->ctl.exitinfo2);
	e->u.slp.write = err & NPF_WRITE;
	e->u.slp.fetch = err & NPF_FETCH;
	e->u.slp.read = !e->u.slp.write && !e->u.slp.fetch;
	e->u.slp.present = err & NPF_PRESENT;
}

/*
 * MOV to or from CRn (the CR write and read intercepts, 15.9). With decode
 * assists EXITINFO1 names the general register; without them (QEMU,
 * Bochs) the instruction is read from the guest and decoded, which also
 * gives its length. Bytes that are not that MOV (the guest rewrote them
 * since) make the exit one we do not understand.
 */
static void decode_cr_access(const struct vmcb *vmcb, struct vm_exit *e)
{
	uint64_t info = vmcb->ctl.exitinfo1;
	uint32_t code = (uint32_t)vmcb->ctl.exitcode;
	bool to_cr = code >= VMEXIT_CR0_WRITE;
	uint8_t bytes[MAX_INSN_LEN];
	struct mov_cr m;
	size_t n;

	e->u.cr.cr = (uint8_t)(code - (to_cr ? VMEXIT_CR0_WRITE : VMEXIT_CR0_READ));
	e->u.cr.type = to_cr ? CR_MOV_TO : CR_MOV_FROM;
	if ((info & CR_INFO_MOV) && svm_features.nrips) {
		e->u.cr.gpr = (uint8_t)(info & CR_INFO_GPR_MASK);
		e->insn_len = insn_len(vmcb, 0);
		if (e->insn_len)
			return;
	}
	n = svm_fetch_insn(vmcb, bytes, sizeof(bytes));
	if (!x86_decode_mov_cr(bytes, n, svm_mode64(vmcb), &m) || m.to_cr != to_cr ||
	    m.cr != e->u.cr.cr) {
		e->reason = EXIT_OTHER;
		return;
	}
	e->u.cr.gpr = m.gpr;
	e->insn_len = m.len;
}

/* Vectors that push an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX. */
#define EXC_WITH_ERROR	0x60227d00u

/* EXITINTINFO (15.7.2): the external interrupt whose delivery the exit interrupted, 0: none. */
static uint8_t irq_in_delivery(const struct vmcb *vmcb)
{
	uint64_t info = vmcb->ctl.exitintinfo;

	if (!(info & EVENT_VALID) || (info & EVENT_TYPE_MASK) != EVENT_TYPE_INTR)
		return 0;
	return (uint8_t)(info & EVENT_VECTOR_MASK);
}

/* EXITINFO1 holds the error code where the exception has one (15.12). */
static void decode_exception(const struct vmcb *vmcb, struct vm_exit *e)
{
	uint8_t vector = (uint8_t)(vmcb->ctl.exitcode - VMEXIT_EXCEPTION_FIRST);

	e->u.exc.vector = vector;
	e->u.exc.has_error = EXC_WITH_ERROR >> vector & 1;
	e->u.exc.error = e->u.exc.has_error ? (uint32_t)vmcb->ctl.exitinfo1 : 0;
	e->u.exc.irq_in_delivery = irq_in_delivery(vmcb);
}

/*
 * The codes are dense from 0 to 0x9f (CR, DR, exception, event and
 * instruction intercepts) and again from 0x400 (#NPF, then AVIC and
 * VMGEXIT): the table holds the first range, then the second.
 */
#define LOW_CODES	0xa0
#define HIGH_FIRST	VMEXIT_NPF
#define HIGH_CODES	4
#define HIGH(code)	(LOW_CODES + (code) - HIGH_FIRST)

#define KIND(r, len, d)	{ (uint8_t)(r), 1, (len), (d) }

static const struct svm_exit_kind exit_kinds[LOW_CODES + HIGH_CODES] = {
	[VMEXIT_CR4_READ] = KIND(EXIT_CR_ACCESS, 0, decode_cr_access),
	[VMEXIT_CR4_WRITE] = KIND(EXIT_CR_ACCESS, 0, decode_cr_access),
	[VMEXIT_EXCEPTION_FIRST ... VMEXIT_EXCEPTION_LAST] =
		KIND(EXIT_EXCEPTION, 0, decode_exception),
	[VMEXIT_INTR] = KIND(EXIT_EXTINT, 0, NULL),
	[VMEXIT_NMI] = KIND(EXIT_NMI, 0, NULL),
	[VMEXIT_VINTR] = KIND(EXIT_IRQ_WINDOW, 0, NULL),
	[VMEXIT_CPUID] = KIND(EXIT_CPUID, 2, NULL),
	[VMEXIT_INVD] = KIND(EXIT_CACHE_FLUSH, 2, NULL),
	[VMEXIT_HLT] = KIND(EXIT_HLT, 1, NULL),
	[VMEXIT_IOIO] = KIND(EXIT_IO, 0, decode_io),
	[VMEXIT_MSR] = KIND(EXIT_MSR_READ, 2, decode_msr),
	[VMEXIT_SHUTDOWN] = KIND(EXIT_TRIPLE_FAULT, 0, NULL),
	[VMEXIT_VMMCALL] = KIND(EXIT_HYPERCALL, 3, decode_vmmcall),
	[VMEXIT_WBINVD] = KIND(EXIT_CACHE_FLUSH, 2, NULL),
	/*
	 * SVM, XSAVE and MONITOR/MWAIT are hidden from the partition's CPUID,
	 * and its EFER.SVME and CR4.OSXSAVE read 0: these raise #UD, as on a
	 * CPU without them (APM Vol. 3, each instruction's exceptions).
	 */
	[VMEXIT_INVLPGA] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMEXIT_VMRUN] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMEXIT_VMLOAD] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMEXIT_VMSAVE] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMEXIT_STGI] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMEXIT_CLGI] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMEXIT_SKINIT] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMEXIT_MONITOR] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMEXIT_MWAIT] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMEXIT_MWAIT_CONDITIONAL] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[VMEXIT_XSETBV] = KIND(EXIT_UNSUPPORTED_INSN, 0, NULL),
	[HIGH(VMEXIT_NPF)] = KIND(EXIT_SLP_FAULT, 0, decode_npf),
};

static const struct svm_exit_kind exit_unknown = KIND(EXIT_OTHER, 0, NULL);
static const struct svm_exit_kind exit_invalid = KIND(EXIT_ENTRY_FAILED, 0, NULL);

static const struct svm_exit_kind *exit_kind(uint32_t code)
{
	const struct svm_exit_kind *k = &exit_unknown;

	if (code < LOW_CODES)
		k = &exit_kinds[code];
	else if (code - HIGH_FIRST < HIGH_CODES)
		k = &exit_kinds[HIGH(code)];
	else if (code == VMEXIT_INVALID)
		k = &exit_invalid;
	return k->known ? k : &exit_unknown;
}

/* Fill e as entry k says. */
static inline __attribute__((always_inline)) void
decode_kind(const struct vmcb *vmcb, const struct svm_exit_kind *k, struct vm_exit *e)
{
	e->reason = k->reason;
	e->vendor_code = vmcb->ctl.exitcode;
	e->vendor_info = vmcb->ctl.exitinfo1;
	e->insn_len = k->insn_len ? insn_len(vmcb, k->insn_len) : 0;
	if (k->decode)
		k->decode(vmcb, e);
}

/*
 * Every exit but the run-time ones of svm_take_exit. A CR4 access (the
 * only CR access intercepted here, svm.c set_intercepts) may name RSP:
 * the core reads it as a MOV to CR4's operand, and writes it for a MOV
 * from CR4, which the next entry's slow path moves back into the VMCB
 * (tsc_aux_forget sends it there; the fast path never copies RSP).
 */
static __attribute__((noinline)) void take_other(struct vcpu *v, struct vmcb *vmcb)
{
	struct vm_exit *e = &v->exit;

	/* an event whose delivery the exit interrupted goes in again at the next VMRUN */
	if (vmcb->ctl.exitintinfo & EVENT_VALID)
		vmcb->ctl.eventinj = vmcb->ctl.exitintinfo;
	decode_kind(vmcb, exit_kind((uint32_t)vmcb->ctl.exitcode), e);
	if (e->reason != EXIT_CR_ACCESS)
		return;
	v->gpr[GPR_RSP] = vmcb->save.rsp;
	if (e->u.cr.type == CR_MOV_FROM && e->u.cr.gpr == GPR_RSP) {
		to_svm(v)->rsp_from_core = true;
		tsc_aux_forget(cpu_id_val(v->home_cpu));
	}
}

/*
 * A guard, not a decoder: the VMCB's guest state is the host's own as VMRUN
 * saved it (RIP the instruction after the VMRUN, RAX this VMCB, CR3 the
 * hypervisor's), which no guest can produce. The host state a VMRUN saves
 * went into this VMCB (it was in use as another CPU's VM_HSAVE_PA page, or
 * two entries overlapped on it): entering it again would run the
 * hypervisor's code as the guest (seen once under QEMU as the root's
 * crash "write of guest-physical <the hypervisor's PML4>"). The exit
 * becomes a failed entry that says so, with the exit code it had and this
 * CPU's VM_HSAVE_PA, instead of being taken for the guest's.
 */
#define MSR_VM_HSAVE_PA	0xc0010117

static __attribute__((noinline)) bool holds_host_state(struct vcpu *v, const struct vmcb *vmcb)
{
	if (vmcb->save.rax != to_svm(v)->vmcb_pa || vmcb->save.cr3 != read_cr3())
		return false;
	v->exit.reason = EXIT_ENTRY_FAILED;
	v->exit.vendor_code = vmcb->ctl.exitcode;
	v->exit.vendor_info = rdmsr(MSR_VM_HSAVE_PA);
	v->exit.insn_len = 0;
	/* what the exit said: for the one seen (an NPF), its address and the event in flight */
	log_err("svm: exit %lx holding the host's state: exitinfo1 %lx exitinfo2 %lx exitintinfo %lx "
		"eventinj %lx", vmcb->ctl.exitcode, vmcb->ctl.exitinfo1, vmcb->ctl.exitinfo2,
		vmcb->ctl.exitintinfo, vmcb->ctl.eventinj);
	return true;
}

void svm_take_exit(struct vcpu *v)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;
	/* QEMU stores VMEXIT_INVALID as a 32-bit -1: only the low half is meaningful */
	uint32_t code = (uint32_t)vmcb->ctl.exitcode;

	v->gpr[GPR_RAX] = vmcb->save.rax;
	v->rip = vmcb->save.rip;
	if (__builtin_expect(v->rip == (uintptr_t)svm_vmrun_exited, 0) && holds_host_state(v, vmcb))
		return;
	/*
	 * The exits guests make at run time come first, each with its table
	 * entry read at compile time. They are instruction intercepts, which
	 * never happen while an event is being delivered (15.7.2), so they
	 * have no EXITINTINFO to look at.
	 */
	if (code == VMEXIT_CPUID)
		decode_kind(vmcb, &exit_kinds[VMEXIT_CPUID], &v->exit);
	else if (code == VMEXIT_VMMCALL)
		decode_kind(vmcb, &exit_kinds[VMEXIT_VMMCALL], &v->exit);
	else if (code == VMEXIT_IOIO)
		decode_kind(vmcb, &exit_kinds[VMEXIT_IOIO], &v->exit);
	else
		take_other(v, vmcb);
}
