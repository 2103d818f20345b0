/*
 * Multiboot2 test kernel, loaded from its ELF32 program headers: header
 * with an information request (cmdline, loader name, basic meminfo, mmap),
 * an entry address tag that overrides the ELF entry point (mb_wrong_entry,
 * see mb.ld) and an optional framebuffer tag that must not stop the load.
 */
#define MB2_MAGIC	0xe85250d6
#define MB2_ARCH_I386	0

	.section .text.entry, "ax"
	.code32
	.globl	mb2_entry
mb2_entry:
	mov	$mb_stack_top, %esp	/* the loader leaves ESP undefined */
	pushfl				/* mb2_main(magic, info, eflags) */
	push	%ebx
	push	%eax
	call	mb2_main
1:	cli
	hlt
	jmp	1b

	.section .multiboot, "a"
	.balign	8
	.globl	mb2_header
mb2_header:
	.long	MB2_MAGIC
	.long	MB2_ARCH_I386
	.long	mb2_header_end - mb2_header
	.long	-(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	.balign	8			/* information request, not optional */
1:	.short	1, 0
	.long	2f - 1b
	.long	1, 2, 4, 6		/* cmdline, loader name, basic meminfo, mmap */
2:
	.balign	8			/* entry address */
1:	.short	3, 0
	.long	2f - 1b
	.long	mb2_entry
2:
	.balign	8			/* framebuffer, optional (flags bit 0): text is fine */
1:	.short	5, 1
	.long	2f - 1b
	.long	0, 0, 0			/* width, height, depth: no preference */
2:
	.balign	8			/* end */
	.short	0, 0
	.long	8
mb2_header_end:
