/*
 * The root kernel's first bytes: the image header (core/abi/rootimg.h, at
 * the offsets asserted there), then the entry point. The hypervisor enters
 * in 64-bit mode with RDI = the boot information (core/abi/rootboot.h) and
 * RSP on a stack of its own in the root's RAM (docs/root.md).
 */
	.section .text.head, "ax"
	.globl	root_header
root_header:
	.quad	0x474d49544f4f5248		/* magic: ROOTIMG_MAGIC */
	.long	1				/* version: ROOTIMG_VERSION */
	.long	48				/* header_size */
	.quad	__root_start			/* link_base */
	.quad	__root_entry_offset		/* entry_offset (root.ld computes the sizes) */
	.quad	__root_file_size		/* file_size */
	.quad	__root_mem_size			/* mem_size */

	.globl	root_entry
root_entry:
	and	$-16, %rsp
	call	root_main			/* RDI: the boot information */
1:	cli
	hlt
	jmp	1b

/* The timer's interrupt only ends HLT: nothing to do but return (no APIC, no EOI). */
	.text
	.globl	root_timer_isr
	.globl	root_wake_isr
root_timer_isr:
root_wake_isr:
	iretq
