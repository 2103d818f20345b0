/*
 * CVE-2015-5307 as a guest: a vCPU that holds its CPU in the hypervisor's
 * #AC reflection. In 32-bit protected mode at CPL 3 with CR0.AM and
 * EFLAGS.AC set and an odd ESP, a misaligned load raises #AC; its IDT
 * gate leads to CPL-3 code, so the frame goes onto the same odd stack and
 * its first push raises #AC again, during the delivery, where no
 * interrupt is recognised. (64-bit mode aligns RSP before pushing a frame,
 * SDM Vol. 3A 7.14.2, so VP 0 first leaves IA-32e mode: to compatibility
 * mode, then paging off.)
 *
 * VP 0 (home CPU 0 in the system test) does that for good; VP 1 (CPU 1)
 * stops the partition after a second. A neighbour on CPU 0 (nap.c) must
 * finish meanwhile.
 */
#include "tests/guests/guest.h"

#define STOP_AFTER_MS	1000

static uint64_t gdt[6] __attribute__((aligned(16)));
static uint64_t idt32[32] __attribute__((aligned(16)));
static uint8_t user_stack[256] __attribute__((aligned(16)));
static volatile uint32_t user_data[4] __attribute__((aligned(16)));
struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idt32_desc;

void enter_ac_loop(uint32_t odd_esp, uint32_t odd_addr);
void user_ac_handler(void);

/*
 * enter_ac_loop(EDI = odd ESP, ESI = odd address): 32-bit code segment
 * (compatibility mode), CR0.PG off (IA-32e mode ends, SDM Vol. 3A 10.8.5.4),
 * the 32-bit IDT, CR0.AM, and IRET to CPL 3 with AC set and IF clear.
 */
__asm__(".text\n"
	".code64\n"
	"enter_ac_loop:\n"
	"	pushq $0x18\n"
	"	lea 1f(%rip), %rax\n"
	"	pushq %rax\n"
	"	lretq\n"
	".code32\n"
	"1:	mov %cr0, %eax\n"
	"	and $0x7fffffff, %eax\n"
	"	mov %eax, %cr0\n"
	"	jmp 2f\n"
	"2:	lidt idt32_desc\n"
	"	mov %cr0, %eax\n"
	"	or $0x40000, %eax\n"
	"	mov %eax, %cr0\n"
	"	mov $0x2b, %eax\n"		/* user data: a DPL-0 DS would be nulled by the IRET */
	"	mov %eax, %ds\n"
	"	mov %eax, %es\n"
	"	push $0x2b\n"			/* SS */
	"	push %edi\n"			/* ESP: odd */
	"	push $0x40002\n"		/* EFLAGS: AC */
	"	push $0x23\n"			/* CS: 32-bit user code */
	"	push $user_ac_load\n"
	"	iret\n"
	"user_ac_load:\n"
	"	mov (%esi), %eax\n"
	"	jmp user_ac_load\n"
	"user_ac_handler:\n"		/* reached only where #AC's delivery succeeds */
	"	jmp user_ac_handler\n"
	".code64\n");

static void load_gdt(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr = {
		sizeof(gdt) - 1, (uint64_t)gdt };

	gdt[1] = 0x00af9b000000ffffull;		/* 64-bit kernel code */
	gdt[2] = 0x00cf93000000ffffull;		/* kernel data */
	gdt[3] = 0x00cf9b000000ffffull;		/* 32-bit kernel code */
	gdt[4] = 0x00cffb000000ffffull;		/* 32-bit user code, DPL 3 */
	gdt[5] = 0x00cff3000000ffffull;		/* user data, DPL 3 */
	__asm__ volatile("lgdt %0\n"
			 "pushq $0x08\n"
			 "lea 1f(%%rip), %%rax\n"
			 "pushq %%rax\n"
			 "lretq\n"
			 "1: mov $0x10, %%eax\n"
			 "mov %%eax, %%ds\n"
			 "mov %%eax, %%es\n"
			 "mov %%eax, %%ss\n" : : "m"(gdtr) : "rax", "memory");
}

static void stop_later(void)
{
	uint64_t khz = guest_tsc_khz(), t0 = rdtsc();

	while (rdtsc() - t0 < khz * STOP_AFTER_MS)
		__asm__ volatile("pause");
	gprintf("VP 1 stops the partition\n");
	guest_exit();
}

void guest_main(const struct guest_boot *b)
{
	uint32_t h = (uint32_t)(uint64_t)user_ac_handler;

	if (b->vp_index == 1)
		stop_later();
	if (b->vp_index != 0)
		return;
	load_gdt();
	/* #AC: a 32-bit interrupt gate to the CPL-3 code segment (SDM Vol. 3A, 7.11) */
	idt32[17] = (h & 0xffff) | 0x23ull << 16 | 0x8eull << 40 | (uint64_t)(h >> 16) << 48;
	idt32_desc.limit = sizeof(idt32) - 1;
	idt32_desc.base = (uint32_t)(uint64_t)idt32;
	gprintf("VP 0 enters the #AC loop\n");
	enter_ac_loop((uint32_t)(uint64_t)(user_stack + 129), (uint32_t)(uint64_t)&user_data[0] + 1);
}
