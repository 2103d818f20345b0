/*
 * svm_vmrun: one guest entry and exit (APM Vol. 2, 15.5 "VMRUN
 * Instruction", 15.6 "#VMEXIT", 15.17 "Global Interrupt Flag, STGI and
 * CLGI"). Called only through svm_enter() (svm.h), with its own register
 * convention: RDI = struct vcpu, RAX = VMCB physical address, RDX = host
 * save page, CL = the VMCB's interrupt shadow. It returns RDI unchanged
 * and keeps the SysV callee-saved registers; every other general register
 * is clobbered. Keeping RDI lets svm_run() hold the vCPU there across the
 * entry instead of in a callee-saved register it would have to save too.
 *
 * VMRUN saves and #VMEXIT restores only part of the host state: RIP, RSP,
 * RAX, RFLAGS, CR0/3/4, EFER, GDTR, IDTR and ES/CS/SS/DS (15.5.1). The rest
 * of what VMLOAD loads for the guest (FS, GS, TR, LDTR with their hidden
 * parts, KernelGsBase, STAR/LSTAR/CSTAR/SFMASK, SYSENTER_*) would be left
 * as the guest had it, so it is VMLOADed back from the per-CPU host save
 * page after the exit: above all the GS base, which points at this CPU's
 * struct percpu. svm.c VMSAVEs that page the first time a vCPU enters on
 * the CPU.
 *
 * Interrupts. The caller has IF clear. CLGI holds off interrupts and NMIs
 * for the whole switch. With V_INTR_MASKING=1 the host's RFLAGS.IF as saved
 * by VMRUN decides whether physical interrupts reach the guest (15.21.1),
 * and they must, to make the INTR intercept fire; so IF is set right before
 * VMRUN. GIF is still 0 there, so no interrupt is taken in the host; VMRUN
 * sets GIF=1 and a pending interrupt then exits at once with INTR. #VMEXIT
 * clears GIF and restores RFLAGS with IF=1, so IF is cleared before STGI
 * and the interrupt stays pending for the caller: nothing is ever taken
 * between CLGI and STGI, and the function returns with IF clear. A pending
 * NMI, which IF does not mask, is taken by the host right after STGI.
 *
 * The STI's own one-instruction shadow. On hardware it does not matter
 * (GIF=0 covers the host, and VMRUN loads the guest's shadow from the
 * VMCB's INTERRUPT_SHADOW, 15.21.5). QEMU 7.2's TCG instead carries the
 * host's shadow into the guest, ignores the VMCB's, and lets a guest STI
 * executed in a carried shadow end it rather than start its own: a guest
 * re-entered at "sti; hlt" with an interrupt window open then takes the
 * interrupt in front of the HLT, which sleeps for good (see
 * ../shared/ref/emulators.md and tests/guests/wakeup.c). So VMRUN sits in
 * a host STI shadow exactly when the VMCB says the guest is in one
 * (`shadow`, in CL), and otherwise one instruction after the STI; both
 * are right on hardware.
 *
 * Every general register but RAX and RSP is the guest's during the run and
 * is moved to/from v->gpr[] (at the offsets of arch/x86/vcpu_offsets.h, which
 * svm.c checks against struct vcpu); RAX and RSP live in the VMCB. Host RSP and
 * RAX (= vmcb_pa) come back from VMRUN's host save area.
 */
#include "arch/x86/vcpu_offsets.h"

	.text
	.code64

	.globl	svm_vmrun
	.type	svm_vmrun, @function
svm_vmrun:
	push	%rbx			/* the SysV callee-saved registers */
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdx			/* 8(%rsp): host save page */
	push	%rdi			/* 0(%rsp): struct vcpu */

	clgi
	vmload	%rax			/* the guest's FS/GS/TR/LDTR, syscall MSRs */
	test	%cl, %cl		/* ZF=0: guest in a shadow; the MOVs keep ZF */

	mov	VCPU_RCX(%rdi), %rcx
	mov	VCPU_RDX(%rdi), %rdx
	mov	VCPU_RBX(%rdi), %rbx
	mov	VCPU_RBP(%rdi), %rbp
	mov	VCPU_RSI(%rdi), %rsi
	mov	VCPU_R8(%rdi), %r8
	mov	VCPU_R9(%rdi), %r9
	mov	VCPU_R10(%rdi), %r10
	mov	VCPU_R11(%rdi), %r11
	mov	VCPU_R12(%rdi), %r12
	mov	VCPU_R13(%rdi), %r13
	mov	VCPU_R14(%rdi), %r14
	mov	VCPU_R15(%rdi), %r15
	jnz	.Lin_shadow
	sti				/* GIF=0: taken by nobody here, see above */
	mov	VCPU_RDI(%rdi), %rdi	/* the STI's shadow ends on this one */
	vmrun	%rax
	.globl	svm_vmrun_exited	/* svm_exit.c: where the host resumes after VMRUN */
svm_vmrun_exited:
.Lexited:
	cli				/* IF=1 came back from the host save area */

	push	%rdi			/* guest RDI; the vcpu is now at 8(%rsp) */
	mov	8(%rsp), %rdi
	mov	%rcx, VCPU_RCX(%rdi)
	mov	%rdx, VCPU_RDX(%rdi)
	mov	%rbx, VCPU_RBX(%rdi)
	mov	%rbp, VCPU_RBP(%rdi)
	mov	%rsi, VCPU_RSI(%rdi)
	mov	%r8, VCPU_R8(%rdi)
	mov	%r9, VCPU_R9(%rdi)
	mov	%r10, VCPU_R10(%rdi)
	mov	%r11, VCPU_R11(%rdi)
	mov	%r12, VCPU_R12(%rdi)
	mov	%r13, VCPU_R13(%rdi)
	mov	%r14, VCPU_R14(%rdi)
	mov	%r15, VCPU_R15(%rdi)
	popq	VCPU_RDI(%rdi)

	vmsave	%rax			/* RAX = vmcb_pa again: the guest's hidden state */
	pop	%rdi			/* struct vcpu, returned */
	pop	%rax
	vmload	%rax			/* the host's, GS base first of all */
	stgi

	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret

.Lin_shadow:				/* the guest is in an interrupt shadow */
	mov	VCPU_RDI(%rdi), %rdi
	sti
	vmrun	%rax			/* in the STI's shadow, like the guest */
	jmp	.Lexited
	.size	svm_vmrun, . - svm_vmrun
	.section .note.GNU-stack, "", @progbits
