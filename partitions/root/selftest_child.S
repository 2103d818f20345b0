/*
 * The self-test's child programs (partitions/root/selftest.c, root_test=calls):
 * 32-bit protected-mode code, flat segments, no paging, copied by the root
 * to GPA 0x1000 of a child. Data addresses are the child's GPAs
 * (selftest.c's CHILD_* constants). A hypercall goes through the stub the
 * root writes at 0x1f00: VMCALL or VMMCALL, then RET. The x86 convention
 * (TLFS 6.0, 3.7): EDX:EAX input value, EBX:ECX first input, EDI:ESI second.
 */
	.section .rodata, "a"
	.code32

/* Store CPUID leaf 0's EBX at 0x2000 and 1+2+...+100 at 0x2004, then stop with exit code 0x77. */
	.globl child_calc, child_calc_end
child_calc:
	xor	%eax, %eax
	xor	%ecx, %ecx
	cpuid
	mov	%ebx, 0x2000
	xor	%eax, %eax
	mov	$100, %ecx
1:	add	%ecx, %eax
	loop	1b
	mov	%eax, 0x2004
	mov	$0x18002, %eax		/* HVCALL_X_PARTITION_EXIT | FAST */
	xor	%edx, %edx
	xor	%ebx, %ebx
	mov	$0x77, %ecx
	mov	$0x1f00, %ebp
	call	*%ebp
2:	hlt
	jmp	2b
child_calc_end:

/*
 * Issue each input value of the table at 0x3000 (u32 low, u32 high; count
 * at 0x2ff8), first input 0x4000, second 0x6000, and store each status
 * (EAX) at 0x5000 + 4 * i; then stop with exit code 0x55.
 */
	.globl child_deny, child_deny_end
child_deny:
	movl	$0, 0x2ff0
1:	mov	0x2ff0, %eax
	cmp	0x2ff8, %eax
	jae	2f
	mov	0x3004(,%eax,8), %edx
	mov	0x3000(,%eax,8), %eax
	xor	%ebx, %ebx
	mov	$0x4000, %ecx
	xor	%edi, %edi
	mov	$0x6000, %esi
	mov	$0x1f00, %ebp
	call	*%ebp
	mov	0x2ff0, %ecx
	mov	%eax, 0x5000(,%ecx,4)
	incl	0x2ff0
	jmp	1b
2:	mov	$0x18002, %eax
	xor	%edx, %edx
	xor	%ebx, %ebx
	mov	$0x55, %ecx
	mov	$0x1f00, %ebp
	call	*%ebp
3:	hlt
	jmp	3b
child_deny_end:

/*
 * make bench (bench.c): the TSC at the child's first instruction stored at
 * 0x2000 (EDX:EAX), then halt with interrupts off: the root gets
 * HVMSG_X64_HALT and the VP stays suspended (core/exit.c).
 */
	.globl child_bench, child_bench_end
child_bench:
	rdtsc
	mov	%eax, 0x2000
	mov	%edx, 0x2004
	cli
1:	hlt
	jmp	1b
child_bench_end:

	.code64
