/*
 * Test-guest entry (the ELF64 contract of docs/partitions.md): RDI = memory
 * size, RSI = VP index, RDX = number of VPs, RCX = partition id, RSP set.
 */
	.section .text.entry, "ax"
	.globl	guest_entry
guest_entry:
	mov	%rdx, %r8		/* rdtsc clobbers RDX, the VP count */
	rdtsc				/* the very first instruction's time, for benchmarks */
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, guest_entry_tsc(%rip)
	mov	%r8, %rdx
	and	$-16, %rsp
	call	guest_start
1:	cli
	hlt
	jmp	1b

	.bss
	.balign	8
	.globl	guest_entry_tsc
guest_entry_tsc:
	.quad	0
