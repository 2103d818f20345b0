/*
 * VM entry and exit (see vmx.h). The guest's GPRs, except RSP which the
 * VMCS holds, move straight between the registers and struct vcpu's gpr[]
 * (at the offsets of arch/x86/vcpu_offsets.h, checked in vmx.c). HOST_RSP points
 * at the saved struct vcpu pointer, so the exit stub finds it at (%rsp).
 * After an exit RFLAGS is 2 (SDM Vol. 3C, 28.5.3): interrupts stay off
 * and DF is clear, as C expects.
 */
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/vcpu_offsets.h"


	.text
	.code64

/*
 * vmx_enter_stub: called through vmx_enter() (vmx.h) with RDI = struct
 * vcpu, RSI = &host_rsp, DL = resume; returns the result in EAX, RDI
 * unchanged, and the SysV callee-saved registers kept. Every other
 * general register is clobbered.
 */
	.globl	vmx_enter_stub
	.type	vmx_enter_stub, @function
vmx_enter_stub:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi			/* v, for vmx_exit_stub */
	cmp	%rsp, (%rsi)
	je	1f
	mov	%rsp, (%rsi)
	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
1:	test	%dl, %dl		/* ZF for the launch/resume choice; movs keep it */
	mov	VCPU_RAX(%rdi), %rax
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
	mov	VCPU_RDI(%rdi), %rdi
	jnz	2f
	vmlaunch
	jmp	3f
2:	vmresume
	/* still here: VMfailInvalid (CF) or VMfailValid (ZF), SDM Vol. 3C, 31.2 */
3:	mov	$VMX_ENTER_FAIL_VALID, %eax
	jnc	4f
	mov	$VMX_ENTER_FAIL_INVALID, %eax
4:	pop	%rdi			/* v */
	jmp	vmx_return
	.size	vmx_enter_stub, . - vmx_enter_stub

/* HOST_RIP: the guest's registers are live, RSP = HOST_RSP. */
	.globl	vmx_exit_stub
	.type	vmx_exit_stub, @function
vmx_exit_stub:
	push	%rdi
	mov	8(%rsp), %rdi		/* v */
	mov	%rax, VCPU_RAX(%rdi)
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
	pop	%rdi			/* v, returned */
	xor	%eax, %eax
vmx_return:
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.size	vmx_exit_stub, . - vmx_exit_stub
