/* AMD-V back-end internals, shared by the files of arch/x86/svm only. */
#ifndef ARCH_X86_SVM_SVM_H
#define ARCH_X86_SVM_SVM_H

#include "arch/x86/svm/vmcb.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tlb_tag.h"
#include "core/vcpu.h"

/*
 * Per-vCPU state behind vcpu->arch, a page of the partition's pool like
 * the VMCB (the permission maps are shared, svm.c). Set by svm_vcpu_init and fixed until
 * svm_vcpu_free, except the VMCB's contents, which only the CPU running
 * the vCPU touches.
 */
struct svm_vcpu {
	struct vmcb *vmcb;
	paddr_t vmcb_pa;
	struct tlb_tag asid;		/* the VMCB's ASID, from the home CPU's pool */
	paddr_t host_save_pa;		/* the home CPU's host VMSAVE page, once it ran */
	/*
	 * CR4 as the guest wrote it and reads it (every access exits); the
	 * VMCB's, which the CPU runs the guest with, also has SVM_CR4_FORCED.
	 */
	uint64_t guest_cr4;
	/*
	 * The core wrote gpr[GPR_RSP] (a MOV from CR4 into RSP): svm_run's
	 * slow path moves it into the VMCB, where RSP lives (core/vcpu.h).
	 */
	bool rsp_from_core;
};

/*
 * CR4 bits every guest runs with, whatever it wrote: MCE, so that a
 * machine check while a guest runs reaches the host's #MC handler (the
 * intercept) instead of shutting the processor down (APM Vol. 2, 9.3:
 * with CR4.MCE clear a machine check is a shutdown).
 */
#define SVM_CR4_FORCED	CR4_MCE

/* CPU features, read once by svm_cpu_enable (the same on every CPU). */
struct svm_features {
	bool nrips;		/* CPUID 8000_000A EDX[3]: nRIP saved on #VMEXIT */
	bool nx;		/* CPUID 8000_0001 EDX[20]: NX allowed in NPT leaves */
	bool flush_by_asid;	/* CPUID 8000_000A EDX[6]: TLB_CONTROL may flush one ASID */
	uint32_t asids;		/* CPUID 8000_000A EBX: ASIDs 1 .. asids-1 are the guests' */
};
extern struct svm_features svm_features;

/*
 * Enter the guest: VMLOAD and VMRUN the guest VMCB, VMSAVE it again, and
 * VMLOAD the host's state from host_save_pa (saved there by svm.c).
 * Loads and stores every v->gpr[] but RAX and RSP, which live in the VMCB.
 * `shadow` must be the VMCB's interrupt shadow: VMRUN then runs in a host
 * STI shadow exactly when the guest is in one (svm_entry.S says why).
 * Called with interrupts disabled; returns with interrupts disabled and
 * GIF set.
 *
 * The stub (arch/x86/svm/svm_entry.S) keeps RDI, the vCPU, besides the
 * callee-saved registers, so its caller needs no callee-saved register of
 * its own for the vCPU; a plain C call cannot say that, hence the asm
 * (the hypervisor is built without a red zone, so the CALL's push
 * overwrites nothing).
 */
void svm_vmrun(void);
/* The instruction after svm_vmrun's VMRUN: where the host resumes (svm_exit.c's guard). */
extern const char svm_vmrun_exited[];

static inline struct vcpu *svm_enter(struct vcpu *v, paddr_t vmcb_pa, paddr_t host_save_pa,
				     uint64_t shadow)
{
	__asm__ volatile("call svm_vmrun"
			 : "+D"(v), "+a"(vmcb_pa), "+d"(host_save_pa), "+c"(shadow)
			 :
			 : "rsi", "r8", "r9", "r10", "r11", "cc", "memory");
	return v;	/* the same vCPU, from RDI: use it rather than a saved copy */
}

/*
 * After an exit (arch/x86/svm/svm_exit.c): RAX and RIP from the VMCB into
 * v (and RSP where the exit names a register, core/vcpu.h), the VMCB's
 * exit information decoded into v->exit, and an event whose delivery the
 * exit interrupted (EXITINTINFO) put back into EVENTINJ.
 */
void svm_take_exit(struct vcpu *v);

/* The VMCB <-> struct vcpu_state conversion and CR access (arch/x86/svm/svm_state.c). */
void svm_set_state(struct vcpu *v, const struct vcpu_state *s);
void svm_get_state(struct vcpu *v, struct vcpu_state *s);
/* vcpu_ops msr_get/msr_set: the VMCB's save area (VMLOAD and VMSAVE switch them). */
uint64_t svm_msr_get(struct vcpu *v, uint32_t msr);
void svm_msr_set(struct vcpu *v, uint32_t msr, uint64_t val);
uint64_t svm_get_cr(struct vcpu *v, unsigned cr);
void svm_set_cr(struct vcpu *v, unsigned cr, uint64_t val);

/*
 * Copy up to len bytes of the instruction at the guest's CS:RIP, through
 * its page tables and the NPT; returns how many bytes could be read
 * (arch/x86/svm/svm_insn.c).
 */
size_t svm_fetch_insn(const struct vmcb *vmcb, uint8_t *buf, size_t len);

#define SEG_ATTR_L	(1u << 9)	/* VMCB segment attribute: 64-bit code */

/* The guest runs 64-bit code: long mode active and CS.L set. */
static inline bool svm_mode64(const struct vmcb *vmcb)
{
	return (vmcb->save.efer & EFER_LMA) && (vmcb->save.cs.attr & SEG_ATTR_L);
}

extern const struct slpt_format npt_format;

static inline struct svm_vcpu *to_svm(struct vcpu *v)
{
	return v->arch;
}

#endif
