/*
 * Multiboot 0.6.96 test kernel (entered like mb1.elf) for an alignment
 * check that strikes while the hypervisor delivers a virtual interrupt:
 * the partition's timer interrupt arrives at CPL 3 with EFLAGS.AC set,
 * CR0.AM set and an odd ESP, so pushing its frame raises #AC before the
 * handler runs. The #AC goes to the kernel (through the TSS's aligned
 * stack), which straightens the user stack and returns; the timer
 * interrupt must then still arrive (see mbacirq.c).
 */
#define MB1_MAGIC	0x1badb002
#define MB1_FLAGS	0x00010003
#define SEL_KDATA	0x10
#define SEL_UCODE	(0x18 | 3)
#define SEL_UDATA	(0x20 | 3)
#define EFLAGS_IF	0x200
#define EFLAGS_AC	0x40000

	.section .text.entry, "ax"
	.code32
	.globl	mbacirq_entry
mbacirq_entry:
	mov	$mb_stack_top, %esp	/* the loader leaves ESP undefined */
	pushfl				/* mbacirq_main(magic, info, eflags) */
	push	%ebx
	push	%eax
	call	mbacirq_main
1:	cli
	hlt
	jmp	1b

	.section .multiboot, "a"
	.balign	4
mbacirq_header:
	.long	MB1_MAGIC
	.long	MB1_FLAGS
	.long	-(MB1_MAGIC + MB1_FLAGS)
	.long	mbacirq_header		/* header_addr */
	.long	_load_start		/* load_addr */
	.long	_load_end		/* load_end_addr */
	.long	_bss_end		/* bss_end_addr */
	.long	mbacirq_entry		/* entry_addr */

	.text
/*
 * void user_wait(uint32_t esp, uint64_t deadline): run user_spin at CPL 3
 * with IF and AC set on the stack `esp` until INT 0x30 brings it back
 * (from the timer handler, or at the TSC deadline).
 */
	.globl	user_wait
user_wait:
	pushal
	mov	%esp, saved_esp
	mov	36(%esp), %eax		/* esp */
	mov	40(%esp), %esi		/* deadline, low */
	mov	44(%esp), %edi		/* deadline, high */
	mov	$SEL_UDATA, %ecx
	mov	%ecx, %ds
	mov	%ecx, %es
	push	$SEL_UDATA
	push	%eax
	push	$(EFLAGS_AC | EFLAGS_IF | 2)
	push	$SEL_UCODE
	push	$user_spin
	iret

/* CPL 3: nothing may touch the stack here (it is misaligned on purpose). */
	.globl	user_spin
user_spin:
	rdtsc
	cmp	%edi, %edx
	ja	1f
	jb	user_spin
	cmp	%esi, %eax
	jb	user_spin
1:	int	$0x30

/* The timer's gate leads here, still at CPL 3. */
	.globl	user_timer
user_timer:
	lock incl timer_count
	int	$0x30

/* INT 0x30 (a DPL-3 gate to kernel code): back to user_wait's caller. */
	.globl	user_back
user_back:
	mov	$SEL_KDATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	saved_esp, %esp
	popal
	ret

/*
 * #AC, at CPL 0 on the TSS's stack: error code, EIP, CS, EFLAGS, ESP, SS.
 * Record it, align the user's ESP so that the interrupted delivery can
 * succeed, and return to the user code.
 */
	.globl	kernel_ac
kernel_ac:
	push	%eax
	lock incl %ss:ac_count
	mov	4(%esp), %eax
	mov	%eax, %ss:ac_error
	mov	8(%esp), %eax
	mov	%eax, %ss:ac_eip
	mov	20(%esp), %eax
	mov	%eax, %ss:ac_esp
	andl	$~15, 20(%esp)
	pop	%eax
	add	$4, %esp
	iret

	.bss
	.balign	4
saved_esp:
	.long	0
