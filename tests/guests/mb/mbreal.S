/*
 * Multiboot 0.6.96 test kernel that drops to real mode: entered like
 * mb1.elf (address fields, flag 16), it copies rm_blob below 1 MiB, leaves
 * protected mode, runs RDMSR of an MSR the hypervisor denies there, and
 * comes back. The #GP that the hypervisor injects must arrive through the
 * real-mode IVT, which pushes FLAGS, CS and IP and no error code.
 */
#define MB1_MAGIC	0x1badb002
#define MB1_FLAGS	0x00010003
#define RM_BASE		0x7000		/* where mbreal.c copies rm_blob */
#define RM_SEG		(RM_BASE >> 4)
#define RM_STACK	0x0ff0		/* offset from RM_BASE */
#define SEL_CODE32	0x08
#define SEL_DATA32	0x10
#define SEL_CODE16	0x18		/* base RM_BASE, 64 KiB: the real-mode segment's shape */
#define SEL_DATA16	0x20
#define MSR_FEATURE_CONTROL	0x3a	/* denied to partitions: #GP */
#define OFF(label)	((label) - rm_blob)

	.section .text.entry, "ax"
	.code32
	.globl	mbreal_entry
mbreal_entry:
	mov	$mb_stack_top, %esp	/* the loader leaves ESP undefined */
	pushfl				/* mbreal_main(magic, info, eflags) */
	push	%ebx
	push	%eax
	call	mbreal_main
1:	cli
	hlt
	jmp	1b

	.section .multiboot, "a"
	.balign	4
mbreal_header:
	.long	MB1_MAGIC
	.long	MB1_FLAGS
	.long	-(MB1_MAGIC + MB1_FLAGS)
	.long	mbreal_header		/* header_addr */
	.long	_load_start		/* load_addr */
	.long	_load_end		/* load_end_addr */
	.long	_bss_end		/* bss_end_addr */
	.long	mbreal_entry		/* entry_addr */

	.text
/*
 * void rm_call(void): run rm_blob (already at RM_BASE) in real mode and
 * come back. Protected mode -> 16-bit protected mode (segments shaped
 * like real mode's) -> CR0.PE = 0 -> far jump into real mode (SDM Vol.
 * 3A, 10.9.2), and back by setting CR0.PE and a far jump to 32-bit code.
 */
	.globl	rm_call
rm_call:
	pushal
	mov	%esp, rm_saved_esp
	sidt	rm_saved_idt
	lgdt	rm_gdt_desc
	ljmp	$SEL_CODE16, $OFF(rm_pm16)

rm_back32:
	mov	$SEL_DATA32, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%ax, %fs
	mov	%ax, %gs
	mov	rm_saved_esp, %esp
	lidt	rm_saved_idt
	popal
	ret

	.code16
	.globl	rm_blob, rm_blob_end, rm_rdmsr, rm_gp_count, rm_gp_ip
rm_blob:
rm_pm16:
	mov	$SEL_DATA16, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%cr0, %eax
	and	$0xfffffffe, %eax
	mov	%eax, %cr0
	ljmp	$RM_SEG, $OFF(rm_real)
rm_real:
	mov	$RM_SEG, %ax
	mov	%ax, %ds
	mov	%ax, %ss
	mov	$RM_STACK, %sp
	lidt	OFF(rm_ivt)
	xor	%ax, %ax
	mov	%ax, %es
	movw	$OFF(rm_gp), %es:(13 * 4)	/* IVT entry 13: offset, segment */
	movw	$RM_SEG, %es:(13 * 4 + 2)
	mov	$MSR_FEATURE_CONTROL, %ecx
rm_rdmsr:
	rdmsr				/* the hypervisor injects #GP */
	mov	%cr0, %eax
	or	$1, %eax
	mov	%eax, %cr0
	ljmpl	$SEL_CODE32, $rm_back32

/* #GP through the IVT: the frame is IP, CS, FLAGS; count it, note the IP, skip the RDMSR. */
rm_gp:
	push	%bp
	mov	%sp, %bp
	incw	%cs:OFF(rm_gp_count)
	mov	2(%bp), %ax
	mov	%ax, %cs:OFF(rm_gp_ip)
	addw	$2, 2(%bp)		/* RDMSR is 0f 32 */
	pop	%bp
	iret

rm_ivt:	.word	0x3ff			/* the real-mode IVT at 0 */
	.long	0
rm_gp_count:
	.word	0
rm_gp_ip:
	.word	0xffff
rm_blob_end:

	.data
	.balign	8
rm_gdt:
	.quad	0
	.quad	0x00cf9b000000ffff	/* SEL_CODE32: flat 32-bit code */
	.quad	0x00cf93000000ffff	/* SEL_DATA32: flat data */
	.quad	0x00009b007000ffff	/* SEL_CODE16: base RM_BASE, limit 64 KiB, 16-bit */
	.quad	0x000093007000ffff	/* SEL_DATA16 */
rm_gdt_end:
rm_gdt_desc:
	.word	rm_gdt_end - rm_gdt - 1
	.long	rm_gdt
rm_saved_idt:
	.word	0
	.long	0
rm_saved_esp:
	.long	0
