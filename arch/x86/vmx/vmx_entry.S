/*
 * VM entry and exit (see vmx.h). The guest's GPRs, except RSP which the
 * VMCS holds, move straight between the registers and struct vcpu's gpr[]
 * (its first member, indexed in the x86 encoding order). HOST_RSP points
 * at the saved struct vcpu pointer, so the exit stub finds it at (%rsp).
 * After an exit RFLAGS is 2 (SDM Vol. 3C, 28.5.3): interrupts stay off
 * and DF is clear, as C expects.
 */
#include "arch/x86/vmx/vmx.h"

#define RAX	(0 * 8)
#define RCX	(1 * 8)
#define RDX	(2 * 8)
#define RBX	(3 * 8)
#define RBP	(5 * 8)
#define RSI	(6 * 8)
#define RDI	(7 * 8)
#define R8	(8 * 8)
#define R9	(9 * 8)
#define R10	(10 * 8)
#define R11	(11 * 8)
#define R12	(12 * 8)
#define R13	(13 * 8)
#define R14	(14 * 8)
#define R15	(15 * 8)

	.text
	.code64

/* int vmx_enter(struct vcpu *v [rdi], uint64_t *host_rsp [rsi], bool resume [dl]) */
	.globl	vmx_enter
	.type	vmx_enter, @function
vmx_enter:
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
	mov	RAX(%rdi), %rax
	mov	RCX(%rdi), %rcx
	mov	RDX(%rdi), %rdx
	mov	RBX(%rdi), %rbx
	mov	RBP(%rdi), %rbp
	mov	RSI(%rdi), %rsi
	mov	R8(%rdi), %r8
	mov	R9(%rdi), %r9
	mov	R10(%rdi), %r10
	mov	R11(%rdi), %r11
	mov	R12(%rdi), %r12
	mov	R13(%rdi), %r13
	mov	R14(%rdi), %r14
	mov	R15(%rdi), %r15
	mov	RDI(%rdi), %rdi
	jnz	2f
	vmlaunch
	jmp	3f
2:	vmresume
	/* still here: VMfailInvalid (CF) or VMfailValid (ZF), SDM Vol. 3C, 31.2 */
3:	mov	$VMX_ENTER_FAIL_VALID, %eax
	jnc	4f
	mov	$VMX_ENTER_FAIL_INVALID, %eax
4:	add	$8, %rsp
	jmp	vmx_return
	.size	vmx_enter, . - vmx_enter

/* HOST_RIP: the guest's registers are live, RSP = HOST_RSP. */
	.globl	vmx_exit_stub
	.type	vmx_exit_stub, @function
vmx_exit_stub:
	push	%rdi
	mov	8(%rsp), %rdi		/* v */
	mov	%rax, RAX(%rdi)
	mov	%rcx, RCX(%rdi)
	mov	%rdx, RDX(%rdi)
	mov	%rbx, RBX(%rdi)
	mov	%rbp, RBP(%rdi)
	mov	%rsi, RSI(%rdi)
	mov	%r8, R8(%rdi)
	mov	%r9, R9(%rdi)
	mov	%r10, R10(%rdi)
	mov	%r11, R11(%rdi)
	mov	%r12, R12(%rdi)
	mov	%r13, R13(%rdi)
	mov	%r14, R14(%rdi)
	mov	%r15, R15(%rdi)
	popq	RDI(%rdi)
	add	$8, %rsp
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
