/*
 * Multiboot2 entry: GRUB enters here in 32-bit protected mode with paging
 * off, EAX = magic, EBX = physical address of the boot information
 * (Multiboot2 spec, 3.3 "I386 machine state"). GRUB's GDT is undefined, so
 * we load our own before touching a segment register. We build an identity
 * map of the first 4 GiB with 2 MiB pages, enter long mode (SDM Vol. 3A,
 * 10.8.5 "Initializing IA-32e Mode") and call hv_main(magic, mbi).
 */
#include "arch/x86/boot/defs.h"

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long	MB2_HEADER_MAGIC
	.long	0				/* architecture: i386 */
	.long	mb2_header_end - mb2_header
	.long	-(MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
	.balign 8				/* end tag */
	.short	0
	.short	0
	.long	8
mb2_header_end:

/*
 * A Multiboot (version 1) header with the address fields (flag 16), so that
 * version-1 loaders such as QEMU's -kernel start the image too, and the
 * entry code can tell them that this hypervisor needs Multiboot2.
 */
	.balign 4
mb1_header:
	.long	MB1_HEADER_MAGIC
	.long	MB1_FLAGS
	.long	-(MB1_HEADER_MAGIC + MB1_FLAGS)
	.long	mb1_header			/* header_addr */
	.long	__image_start			/* load_addr */
	.long	__bss_start			/* load_end_addr */
	.long	__bss_end			/* bss_end_addr */
	.long	_start				/* entry_addr */

	.section .text.boot, "ax"
	.code32
	.globl	_start
_start:
	mov	%eax, %edi			/* keep magic and MBI for hv_main */
	/*
	 * make bench: the TSC at our first instructions, for the root's figure
	 * "hypervisor entry -> first script command" (rootboot_info.hv_entry_tsc).
	 * The loader's DS is flat (Multiboot2 spec, 3.3).
	 */
	rdtsc
	mov	%eax, hv_entry_tsc
	mov	%edx, hv_entry_tsc + 4
	cli
	cld
	mov	%ebx, %esi
	cmp	$MB2_BOOT_MAGIC, %edi
	jne	bad_loader

	lgdt	boot_gdt_ptr
	mov	$BOOT_DS, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%ax, %fs
	mov	%ax, %gs
	ljmp	$BOOT_CS32, $1f
1:
	/* zero .bss: the page tables and stacks live there */
	push	%edi
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb
	pop	%edi
	mov	$boot_stack_top, %esp

	/* identity map 0..4 GiB: PML4[0] -> PDPT, PDPT[0..3] -> PD[0..3] */
	mov	$boot_pdpt, %eax
	or	$(PTE_P | PTE_W), %eax
	mov	%eax, boot_pml4
	mov	$boot_pd, %eax
	or	$(PTE_P | PTE_W), %eax
	xor	%ecx, %ecx
2:	mov	%eax, boot_pdpt(,%ecx,8)
	add	$4096, %eax
	inc	%ecx
	cmp	$4, %ecx
	jne	2b
	mov	$(PTE_P | PTE_W | PTE_PS), %eax	/* 2048 PDEs of 2 MiB */
	xor	%ecx, %ecx
3:	mov	%eax, boot_pd(,%ecx,8)		/* high dwords stay 0 (.bss) */
	add	$0x200000, %eax
	inc	%ecx
	cmp	$2048, %ecx
	jne	3b

	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$(CR4_PAE | CR4_PGE), %eax
	mov	%eax, %cr4
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$(CR0_PG | CR0_PE | CR0_NE | CR0_WP), %eax
	mov	%eax, %cr0
	ljmp	$BOOT_CS64, $long_mode

/* Not loaded by a Multiboot2 loader: say so on COM1 and stop. */
bad_loader:
	mov	$bad_loader_msg, %esi
4:	lodsb
	test	%al, %al
	jz	6f
	mov	%al, %bl
	mov	$0x3fd, %dx			/* wait for THR empty */
5:	inb	%dx, %al
	test	$0x20, %al
	jz	5b
	mov	$0x3f8, %dx
	mov	%bl, %al
	outb	%al, %dx
	jmp	4b
6:	cli
	hlt
	jmp	6b

	.code64
long_mode:
	mov	$BOOT_DS, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%eax, %eax
	mov	%ax, %fs
	mov	%ax, %gs
	mov	$boot_stack_top, %rsp
	xor	%ebp, %ebp
	/* edi = magic, esi = MBI: already the SysV argument registers */
	mov	%edi, %edi
	mov	%esi, %esi
	call	hv_main
7:	cli
	hlt
	jmp	7b

	.section .rodata
bad_loader_msg:
	.asciz	"hv: not started by a Multiboot2 loader (bad magic in EAX); halting.\r\n"

	.balign 8
boot_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x08: 32-bit code */
	.quad	0x00cf92000000ffff		/* 0x10: data */
	.quad	0x00af9a000000ffff		/* 0x18: 64-bit code (L=1, D=0) */
boot_gdt_end:
	.globl	boot_gdt_ptr
boot_gdt_ptr:
	.short	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt

	.section .data
	.balign 8
	.globl	hv_entry_tsc
hv_entry_tsc:	.quad 0				/* not .bss: that is zeroed after the read */

	.section .bss
	.balign 4096
	.globl	boot_pml4
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4096 * 4
	.globl	boot_stack_top
boot_stack:	.skip BOOT_STACK_SIZE
boot_stack_top:
