/*
 * Multiboot 0.6.96 test kernel: header with the address fields (flag 16,
 * the "a.out kludge"), page-aligned modules (0) and memory information (1).
 * The loader must use these fields, not the ELF headers around them: the
 * file's ELF entry point is mb_wrong_entry (see mb.ld).
 */
#define MB1_MAGIC	0x1badb002
#define MB1_FLAGS	0x00010003

	.section .text.entry, "ax"
	.code32
	.globl	mb1_entry
mb1_entry:
	mov	$mb_stack_top, %esp	/* the loader leaves ESP undefined */
	pushfl				/* mb1_main(magic, info, eflags) */
	push	%ebx
	push	%eax
	call	mb1_main
1:	cli
	hlt
	jmp	1b

	.section .multiboot, "a"
	.balign	4
	.globl	mb1_header
mb1_header:
	.long	MB1_MAGIC
	.long	MB1_FLAGS
	.long	-(MB1_MAGIC + MB1_FLAGS)
	.long	mb1_header		/* header_addr */
	.long	_load_start		/* load_addr: the entry stub lies before the header */
	.long	_load_end		/* load_end_addr: text, rodata, data */
	.long	_bss_end		/* bss_end_addr */
	.long	mb1_entry		/* entry_addr */
