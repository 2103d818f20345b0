/*
 * Application processor start-up code. The boot CPU copies this blob to a
 * page below 1 MiB and sends INIT-SIPI-SIPI with that page's number as the
 * vector; the AP starts in real mode at CS:IP = (page << 8):0 (SDM Vol. 3A,
 * 9.4.4.1). The blob is position-independent: EBX holds its physical base
 * from the first instructions on, and absolute addresses are built from it.
 * Path: real mode -> 32-bit protected mode -> long mode (SDM Vol. 3A,
 * 10.8.5), then a jump to the C entry with the parameters the boot CPU left
 * in ap_tramp_params.
 */
#include "arch/x86/boot/defs.h"

#define OFF(sym)	((sym) - ap_tramp_start)

	.section .rodata
	.balign	16
	.globl	ap_tramp_start, ap_tramp_end, ap_tramp_params
ap_tramp_start:
	.code16
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	movzwl	%ax, %ebx
	shl	$4, %ebx			/* EBX = physical base of the blob */

	/* patch the absolute addresses before using them */
	lea	OFF(tramp_gdt)(%ebx), %eax
	mov	%eax, OFF(tramp_gdtr) + 2
	lea	OFF(pm32)(%ebx), %eax
	mov	%eax, OFF(tramp_jmp32)
	lea	OFF(lm64)(%ebx), %eax
	mov	%eax, OFF(tramp_jmp64)

	lgdtl	OFF(tramp_gdtr)
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	*OFF(tramp_jmp32)

	.code32
pm32:
	/* reload DS: it still carries the real-mode base */
	mov	$BOOT_DS, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%cr4, %eax
	or	$(CR4_PAE | CR4_PGE), %eax
	mov	%eax, %cr4
	mov	OFF(ap_tramp_params)(%ebx), %eax	/* cr3 */
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$(CR0_PG | CR0_NE | CR0_WP), %eax
	mov	%eax, %cr0
	ljmp	*OFF(tramp_jmp64)(%ebx)

	.code64
lm64:
	mov	$BOOT_DS, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	OFF(ap_tramp_params) + 8(%rbx), %rsp	/* stack */
	mov	OFF(ap_tramp_params) + 24(%rbx), %rdi	/* argument */
	mov	OFF(ap_tramp_params) + 16(%rbx), %rax	/* entry */
	xor	%ebp, %ebp
	call	*%rax
1:	cli
	hlt
	jmp	1b

	.balign	8
tramp_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x08: 32-bit code */
	.quad	0x00cf92000000ffff		/* 0x10: data */
	.quad	0x00af9a000000ffff		/* 0x18: 64-bit code */
tramp_gdt_end:
	.balign	8
tramp_gdtr:
	.short	tramp_gdt_end - tramp_gdt - 1
	.long	0				/* patched */
	.balign	8
tramp_jmp32:
	.long	0				/* patched */
	.short	BOOT_CS32
	.balign	8
tramp_jmp64:
	.long	0				/* patched */
	.short	BOOT_CS64
	.balign	8
ap_tramp_params:				/* struct ap_params, filled by the boot CPU */
	.quad	0				/* cr3 */
	.quad	0				/* stack top */
	.quad	0				/* entry */
	.quad	0				/* argument */
ap_tramp_end:
