/*
 * #VMEXIT -> struct vm_exit: read EXITCODE and EXITINFO1/2 (APM Vol. 2,
 * 15.7 "Intercept Operation", Appendix C for the codes) and decode what
 * the core needs. Runs on every exit, so no logging and no loops.
 */
#include "arch/x86/svm/svm.h"

#define MAX_INSN_LEN	15

/*
 * Length of the intercepted instruction. With NRIPS the CPU saves the next
 * RIP for instruction intercepts (15.7.1); without it (QEMU TCG) the
 * length of the instruction without prefixes is the best we know.
 */
static uint8_t insn_len(const struct vmcb *vmcb, uint8_t known)
{
	uint64_t n;

	if (!svm_features.nrips)
		return known;
	n = vmcb->ctl.next_rip - vmcb->save.rip;
	return n && n <= MAX_INSN_LEN ? (uint8_t)n : known;
}

/* EXITINFO1 layout: 15.10.2, Figure 15-2; EXITINFO2 is the next RIP. */
static void decode_io(const struct vmcb *vmcb, struct vm_exit *e)
{
	uint64_t info = vmcb->ctl.exitinfo1;
	uint64_t n = vmcb->ctl.exitinfo2 - vmcb->save.rip;

	e->reason = EXIT_IO;
	e->u.io.port = (uint16_t)(info >> IOIO_PORT_SHIFT);
	e->u.io.size = info & IOIO_SZ32 ? 4 : info & IOIO_SZ16 ? 2 : 1;
	e->u.io.in = info & IOIO_IN;
	e->u.io.string = info & IOIO_STR;
	e->u.io.rep = info & IOIO_REP;
	e->insn_len = n && n <= MAX_INSN_LEN ? (uint8_t)n : 0;
}

/* EXITINFO1 is a #PF-style error code, EXITINFO2 the faulting GPA (15.25.6). */
static void decode_npf(const struct vmcb *vmcb, struct vm_exit *e)
{
	uint64_t err = vmcb->ctl.exitinfo1;

	e->reason = EXIT_SLP_FAULT;
	e->u.slp.gpa = vmcb->ctl.exitinfo2;
	e->u.slp.write = err & NPF_WRITE;
	e->u.slp.fetch = err & NPF_FETCH;
	e->u.slp.read = !e->u.slp.write && !e->u.slp.fetch;
	e->u.slp.present = err & NPF_PRESENT;
}

/* Vectors that push an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX. */
#define EXC_WITH_ERROR	0x60227d00u

/* EXITINFO1 holds the error code where the exception has one (15.12). */
static void decode_exception(const struct vmcb *vmcb, struct vm_exit *e, uint32_t code)
{
	uint8_t vector = (uint8_t)(code - VMEXIT_EXCEPTION_FIRST);

	e->reason = EXIT_EXCEPTION;
	e->u.exc.vector = vector;
	e->u.exc.has_error = EXC_WITH_ERROR >> vector & 1;
	e->u.exc.error = e->u.exc.has_error ? (uint32_t)vmcb->ctl.exitinfo1 : 0;
}

void svm_decode_exit(const struct vmcb *vmcb, struct vm_exit *e)
{
	/* QEMU stores VMEXIT_INVALID as a 32-bit -1: only the low half is meaningful */
	uint32_t code = (uint32_t)vmcb->ctl.exitcode;

	e->vendor_code = vmcb->ctl.exitcode;
	e->vendor_info = vmcb->ctl.exitinfo1;
	e->insn_len = 0;
	switch (code) {
	case VMEXIT_CPUID:
		e->reason = EXIT_CPUID;
		e->insn_len = insn_len(vmcb, 2);
		break;
	case VMEXIT_MSR:	/* EXITINFO1: 0 RDMSR, 1 WRMSR (15.11) */
		e->reason = vmcb->ctl.exitinfo1 & 1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		e->insn_len = insn_len(vmcb, 2);
		break;
	case VMEXIT_IOIO:
		decode_io(vmcb, e);
		break;
	case VMEXIT_HLT:
		e->reason = EXIT_HLT;
		e->insn_len = insn_len(vmcb, 1);
		break;
	case VMEXIT_VMMCALL:
		e->reason = EXIT_HYPERCALL;
		e->insn_len = insn_len(vmcb, 3);
		break;
	case VMEXIT_NPF:
		decode_npf(vmcb, e);
		break;
	case VMEXIT_SHUTDOWN:
		e->reason = EXIT_TRIPLE_FAULT;
		break;
	case VMEXIT_INTR:
		e->reason = EXIT_EXTINT;
		break;
	case VMEXIT_NMI:
		e->reason = EXIT_NMI;
		break;
	case VMEXIT_VINTR:
		e->reason = EXIT_IRQ_WINDOW;
		break;
	case VMEXIT_INVD:
	case VMEXIT_WBINVD:
		e->reason = EXIT_CACHE_FLUSH;
		e->insn_len = insn_len(vmcb, 2);
		break;
	case VMEXIT_INVALID:
		e->reason = EXIT_ENTRY_FAILED;
		break;
	default:
		if (code >= VMEXIT_EXCEPTION_FIRST && code <= VMEXIT_EXCEPTION_LAST)
			decode_exception(vmcb, e, code);
		else
			e->reason = EXIT_OTHER;
		break;
	}
}
