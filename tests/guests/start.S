/*
 * Test-guest entry (the ELF64 contract of docs/partitions.md): RDI = memory
 * size, RSI = VP index, RDX = number of VPs, RCX = partition id, RSP set.
 */
	.section .text.entry, "ax"
	.globl	guest_entry
guest_entry:
	and	$-16, %rsp
	call	guest_start
1:	cli
	hlt
	jmp	1b
