/*
 * A tiny 64-bit guest for the `vmcheck` self-test (core/vm_smoke.c): it
 * exercises each basic exit once. It runs at guest-physical 0x10000 with
 * the first 2 GiB identity-mapped by its own page tables. The hypercall
 * instruction is a placeholder: vm_smoke.c writes the back-end's
 * (vcpu_ops->hypercall_insn) over it.
 */
	.section .rodata
	.code64
	.globl	smoke_guest_start, smoke_guest_end, smoke_guest_hypercall, smoke_guest_after_fault
smoke_guest_start:
	mov	$0x40000000, %eax
	cpuid				/* EXIT_CPUID */
	mov	$0xe9, %dx
	mov	$'o', %al
	out	%al, %dx		/* EXIT_IO */
	mov	$'k', %al
	out	%al, %dx
	mov	$'\n', %al
	out	%al, %dx
	mov	$0x1234, %eax
smoke_guest_hypercall:
	vmcall				/* EXIT_HYPERCALL */
	mov	$0x40000001, %ecx
	rdmsr				/* EXIT_MSR_READ */
	hlt				/* EXIT_HLT */
	movq	$1, 0x40000000		/* EXIT_SLP_FAULT: outside the guest's memory */
smoke_guest_after_fault:
	ud2				/* no IDT: triple fault, EXIT_TRIPLE_FAULT */
smoke_guest_end:

/*
 * The `benchfloor` guest (vm_bench_floor in vm_smoke.c): RDI = rounds.
 * One CPUID first, so that the first entry's one-time work is not timed;
 * then, again and again: TSC before, between and after an empty loop and
 * a CPUID loop of RDI turns each, in R8, R9 and R10, and HLT. The host
 * only steps RIP past each CPUID.
 */
	.globl	floor_guest_start, floor_guest_end
floor_guest_start:
	cpuid
1:	mov	%edi, %esi
	rdtsc
	shl	$32, %rdx
	or	%rax, %rdx
	mov	%rdx, %r8
2:	dec	%esi
	jnz	2b
	rdtsc
	shl	$32, %rdx
	or	%rax, %rdx
	mov	%rdx, %r9
	mov	%edi, %esi
3:	cpuid				/* EXIT_CPUID, nothing else */
	dec	%esi
	jnz	3b
	rdtsc
	shl	$32, %rdx
	or	%rax, %rdx
	mov	%rdx, %r10
	hlt
	jmp	1b
floor_guest_end:
