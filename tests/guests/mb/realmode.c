/*
 * A hypercall from real mode must raise #UD and do nothing (TLFS
 * "Hypercall Restrictions"). The kernel drops to real mode the way SDM
 * Vol. 3A, 10.9.2 "Switching Back to Real-Address Mode" says (through a
 * 16-bit code segment, with 64 KiB data segments), runs VMCALL/VMMCALL
 * there with a real-mode #UD handler in the IVT, and comes back.
 *
 * The real-mode part is a blob copied to RM_BASE (below 1 MiB); it only
 * uses offsets from its own start, with CS = DS = SS = RM_BASE >> 4 (and
 * the 16-bit protected-mode code segment based at RM_BASE too).
 */
#include "tests/guests/mb/mb.h"
#include "core/lib.h"

#define RM_BASE		0x8000u
#define RM_SEG		(RM_BASE >> 4)
#define SEL_CODE32	0x08
#define SEL_DATA32	0x10
#define SEL_CODE16	0x18
#define SEL_DATA16	0x20

/* Flat 32-bit code and data as the loader's, and the 64 KiB 16-bit segments for the switch. */
static const uint64_t gdt[] __attribute__((aligned(8))) = {
	0,
	0x00cf9b000000ffffull,				/* 0x08: code, 4 GiB, 32-bit */
	0x00cf93000000ffffull,				/* 0x10: data, 4 GiB */
	0x00009b000000ffffull | (uint64_t)RM_BASE << 16,	/* 0x18: code, 64 KiB at RM_BASE, 16-bit */
	0x000093000000ffffull,				/* 0x20: data, 64 KiB at 0, 16-bit */
};

void mb_rm_run(void);
extern const char mb_rm_blob[], mb_rm_blob_end[], mb_rm_amd[], mb_rm_ud_count[];
uint32_t mb_rm_saved_esp;

#define STR(x)	#x
#define XSTR(x)	STR(x)
#define OFF(label)	"(" #label " - mb_rm_blob)"

__asm__(".pushsection .text\n"
	".code32\n"
	/* mb_rm_run: from 32-bit protected mode (CS 0x08) into the blob, and back */
	".globl mb_rm_run\n"
	"mb_rm_run:\n"
	"	pushl %ebp\n"
	"	pushl %ebx\n"
	"	pushl %esi\n"
	"	pushl %edi\n"
	"	subl $8, %esp\n"
	"	sidt (%esp)\n"
	"	movl %esp, mb_rm_saved_esp\n"
	"	ljmpl $" XSTR(SEL_CODE16) ", $" OFF(mb_rm_pm16) "\n"
	"mb_rm_back32:\n"
	"	movl $" XSTR(SEL_DATA32) ", %eax\n"
	"	movl %eax, %ds\n"
	"	movl %eax, %es\n"
	"	movl %eax, %fs\n"
	"	movl %eax, %gs\n"
	"	movl %eax, %ss\n"
	"	movl mb_rm_saved_esp, %esp\n"
	"	lidt (%esp)\n"
	"	addl $8, %esp\n"
	"	popl %edi\n"
	"	popl %esi\n"
	"	popl %ebx\n"
	"	popl %ebp\n"
	"	ret\n"

	/* the blob: runs at RM_BASE */
	".balign 16\n"
	".globl mb_rm_blob\n"
	"mb_rm_blob:\n"
	".code16\n"
	"mb_rm_pm16:\n"			/* 16-bit protected mode: 64 KiB segments, then PE off */
	"	movw $" XSTR(SEL_DATA16) ", %ax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %es\n"
	"	movw %ax, %fs\n"
	"	movw %ax, %gs\n"
	"	movw %ax, %ss\n"
	"	movl %cr0, %eax\n"
	"	andl $~1, %eax\n"
	"	movl %eax, %cr0\n"
	"	ljmp $" XSTR(RM_SEG) ", $" OFF(mb_rm_real) "\n"
	"mb_rm_real:\n"			/* real mode */
	"	movw $" XSTR(RM_SEG) ", %ax\n"
	"	movw %ax, %ds\n"
	"	movw %ax, %ss\n"
	"	movw $" OFF(mb_rm_stack_top) ", %sp\n"
	"	xorw %ax, %ax\n"
	"	movw %ax, %es\n"
	"	lidt " OFF(mb_rm_idtr) "\n"
	"	movw $" OFF(mb_rm_ud) ", %es:(6 * 4)\n"	/* IVT[6] = #UD handler */
	"	movw $" XSTR(RM_SEG) ", %es:(6 * 4 + 2)\n"
	/*
	 * PARTITION_EXIT in both conventions (ECX and EAX hold the code, EDX
	 * an exit code of 0x77): if the call ran, the partition would stop.
	 */
	"	movl $0x8002, %eax\n"
	"	movl $0x8002, %ecx\n"
	"	movl $0x77, %edx\n"
	"	xorl %ebx, %ebx\n"
	"	cmpb $0, " OFF(mb_rm_amd) "\n"
	"	je 1f\n"
	"	vmmcall\n"
	"	jmp 2f\n"
	"1:	vmcall\n"
	"2:	movl %cr0, %eax\n"		/* back to protected mode */
	"	orl $1, %eax\n"
	"	movl %eax, %cr0\n"
	"	ljmpl $" XSTR(SEL_CODE32) ", $mb_rm_back32\n"
	"mb_rm_ud:\n"			/* #UD: count it, step over the 3-byte instruction */
	"	pushw %bp\n"
	"	movw %sp, %bp\n"
	"	addw $3, 2(%bp)\n"
	"	incb " OFF(mb_rm_ud_count) "\n"
	"	popw %bp\n"
	"	iret\n"
	"mb_rm_idtr:\n"
	"	.word 0x3ff\n"
	"	.long 0\n"
	".globl mb_rm_amd\n"
	"mb_rm_amd:\n"
	"	.byte 0\n"
	".globl mb_rm_ud_count\n"
	"mb_rm_ud_count:\n"
	"	.byte 0\n"
	"	.balign 16\n"
	"	.skip 256\n"
	"mb_rm_stack_top:\n"
	".globl mb_rm_blob_end\n"
	"mb_rm_blob_end:\n"
	".code32\n"
	".popsection\n");

void mb_check_real_mode_hypercall(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } gdtr = {
		sizeof(gdt) - 1, (uint32_t)gdt
	};
	volatile uint8_t *low = (volatile uint8_t *)RM_BASE;

	memcpy((void *)RM_BASE, mb_rm_blob, (size_t)(mb_rm_blob_end - mb_rm_blob));
	low[mb_rm_amd - mb_rm_blob] = mb_is_amd();
	low[mb_rm_ud_count - mb_rm_blob] = 0;
	/* our GDT, with the same flat 0x08/0x10 as the loader's; reload CS from it */
	__asm__ volatile("lgdt %0\n\t"
			 "ljmpl $" XSTR(SEL_CODE32) ", $1f\n"
			 "1:" : : "m"(gdtr) : "memory");
	mb_rm_run();
	check_val(low[mb_rm_ud_count - mb_rm_blob] == 1,
		  "a hypercall from real mode raises #UD and does not run",
		  low[mb_rm_ud_count - mb_rm_blob]);
}
