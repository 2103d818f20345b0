/*
 * Interrupt and exception entry stubs. Every vector gets a stub that makes
 * the stack look the same (an error code slot, then the vector number) and
 * jumps to one common path that saves the general registers into a
 * struct trap_frame and calls trap_dispatch(frame). The CPU pushes an error
 * code for vectors 8, 10-14, 17, 21, 29 and 30 (SDM Vol. 3A, 7.3, Table 7-1).
 */
	.text
	.code64

	.altmacro
	.macro	isr_stub n
	.balign	16
isr_stub_\n:
	.if (\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq	$0
	.endif
	pushq	$\n
	jmp	isr_common
	.endm

	.set	i, 0
	.rept	256
	isr_stub %i
	.set	i, i + 1
	.endr

isr_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	cld
	mov	%rsp, %rdi
	call	trap_dispatch
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp		/* vector and error code */
	iretq

	.macro	stub_addr n
	.quad	isr_stub_\n
	.endm

	/* table of stub addresses, for desc_init_cpu */
	.section .rodata
	.balign	8
	.globl	isr_stub_table
isr_stub_table:
	.set	i, 0
	.rept	256
	stub_addr %i
	.set	i, i + 1
	.endr
