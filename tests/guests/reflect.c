/*
 * Exceptions that the hypervisor intercepts so that no guest can hold a CPU
 * inside their delivery (#AC always, #DB on AMD-V) must still reach the
 * guest as the architecture delivers them: through its own IDT, with the
 * error code, saved RIP and DR6 it would see without a hypervisor. And
 * DR7 is the guest's: it survives an exit.
 *
 * #AC needs CPL 3, so this guest sets up what ring 3 needs itself: a GDT
 * with user segments and a TSS (RSP0), user-accessible page tables, and a
 * way back: its #AC handler returns to the kernel side instead of to the
 * faulting code.
 */
#include "tests/guests/guest.h"
#include "arch/x86/desc.h"

#define KERNEL_DS	0x10
#define USER_CS		(0x18 | 3)
#define USER_DS		(0x20 | 3)
#define TSS_SEL		0x28
#define RFLAGS_TF	(1ull << 8)
#define RFLAGS_AC	(1ull << 18)
#define CR0_AM		(1ull << 18)
#define DR6_B0		(1ull << 0)
#define DR6_BS		(1ull << 14)
#define DR7_L0		(1ull << 0)
#define DR7_RESET	0x400ull

/* What a handler saw; filled in by the stubs below. */
struct seen {
	uint64_t count, rip, cs, error, dr6;
};
volatile struct seen db_seen, ac_seen;
uint64_t kernel_rsp;

static struct tss64 tss __attribute__((aligned(16)));
static uint64_t gdt[7] __attribute__((aligned(16)));
static uint8_t kernel_stack[4096] __attribute__((aligned(16)));
static uint8_t user_stack[4096] __attribute__((aligned(16)));
static volatile uint32_t user_data[4] __attribute__((aligned(16)));

volatile uint64_t no_ac_count;

void db_stub(void);
void ac_stub(void);
void no_ac_stub(void);
void enter_user_ac(void (*fn)(void), uint64_t rsp);
void user_misaligned_load(void);
void single_step(void);
void breakpoint_dr0(void);
extern const char user_ac_insn[], single_step_after[], breakpoint_target[];

/*
 * #DB: record the frame and DR6, then clear DR6 (the CPU never clears
 * it, SDM Vol. 3B 17.2.3), turn breakpoints off and stop single-stepping.
 * #AC: record the frame and error code, then go back to enter_user_ac's caller
 * (the faulting ring-3 code is not resumed).
 */
__asm__(".text\n"
	"db_stub:\n"
	"	push %rax\n"
	"	incq db_seen(%rip)\n"
	"	mov 8(%rsp), %rax\n"
	"	mov %rax, db_seen+8(%rip)\n"
	"	mov 16(%rsp), %rax\n"
	"	mov %rax, db_seen+16(%rip)\n"
	"	mov %db6, %rax\n"
	"	mov %rax, db_seen+32(%rip)\n"
	"	mov $0xffff0ff0, %eax\n"
	"	mov %rax, %db6\n"
	"	mov $0x400, %eax\n"
	"	mov %rax, %db7\n"
	"	andq $~0x100, 24(%rsp)\n"
	"	pop %rax\n"
	"	iretq\n"
	"ac_stub:\n"
	"	incq ac_seen(%rip)\n"
	"	mov (%rsp), %rax\n"
	"	mov %rax, ac_seen+24(%rip)\n"
	"	mov 8(%rsp), %rax\n"
	"	mov %rax, ac_seen+8(%rip)\n"
	"	mov 16(%rsp), %rax\n"
	"	mov %rax, ac_seen+16(%rip)\n"
	"	jmp user_done\n"
	/* enter_user_ac(fn, rsp): enter fn at CPL 3 with RFLAGS.AC set */
	"enter_user_ac:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	mov %rsp, kernel_rsp(%rip)\n"
	"	pushq $0x23\n"
	"	push %rsi\n"
	"	pushq $0x40002\n"
	"	pushq $0x1b\n"
	"	push %rdi\n"
	"	iretq\n"
	"user_done:\n"
	"	mov kernel_rsp(%rip), %rsp\n"
	"	mov $0x10, %eax\n"
	"	mov %eax, %ss\n"
	"	mov %eax, %ds\n"
	"	mov %eax, %es\n"
	"	pushfq\n"
	"	andq $~0x40000, (%rsp)\n"
	"	popfq\n"
	"	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n"
	/* ring 3: a 4-byte load from an odd address; if it completes, say so */
	"user_misaligned_load:\n"
	"	lea user_data+1(%rip), %rax\n"
	"user_ac_insn:\n"
	"	mov (%rax), %eax\n"
	"	int $0x80\n"
	/* the DPL-3 gate of vector 0x80: the load ran without #AC */
	"no_ac_stub:\n"
	"	incq no_ac_count(%rip)\n"
	"	jmp user_done\n"
	/* TF set by POPF traps after the next instruction (SDM Vol. 3B 17.3.1.4) */
	"single_step:\n"
	"	pushfq\n"
	"	orq $0x100, (%rsp)\n"
	"	popfq\n"
	"	nop\n"
	"single_step_after:\n"
	"	ret\n"
	/* an instruction breakpoint (a fault: RIP stays on the instruction) */
	"breakpoint_dr0:\n"
	"	lea breakpoint_target(%rip), %rax\n"
	"	mov %rax, %db0\n"
	"	mov $0x401, %eax\n"
	"	mov %rax, %db7\n"
	"	nop\n"
	"breakpoint_target:\n"
	"	nop\n"
	"	ret\n");

/* Kernel and user segments and a TSS whose RSP0 is kernel_stack. */
static void load_gdt_and_tss(void)
{
	tss.rsp[0] = (uint64_t)(kernel_stack + sizeof(kernel_stack));
	tss.iomap_base = sizeof(tss);
	gdt[3] = 0x00affb000000ffffull;		/* user code, 64-bit, DPL 3 */
	gdt[4] = 0x00cff3000000ffffull;		/* user data, DPL 3 */
	load_gdt_with_tss(gdt, sizeof(gdt) / sizeof(gdt[0]), &tss, 5);
}

/* Let ring 3 reach the first 4 MiB: set U/S at every level of the loader's identity map. */
static void allow_user_access(void)
{
	uint64_t cr3, *pml4, *pdpt, *pd;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = (uint64_t *)(cr3 & ~0xfffull);
	pdpt = (uint64_t *)(pml4[0] & 0x000ffffffffff000ull);
	pd = (uint64_t *)(pdpt[0] & 0x000ffffffffff000ull);
	pml4[0] |= 4;
	pdpt[0] |= 4;
	pd[0] |= 4;
	pd[1] |= 4;
	__asm__ volatile("mov %0, %%cr3" ::"r"(cr3) : "memory");
}

static void test_alignment_check(void)
{
	uint64_t cr0;

	load_gdt_and_tss();
	allow_user_access();
	set_idt_gate(17, ac_stub, 0, 0);
	set_idt_gate(0x80, no_ac_stub, 3, 0);
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0 | CR0_AM));
	enter_user_ac(user_misaligned_load, (uint64_t)(user_stack + sizeof(user_stack)));
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
	if (no_ac_count && !ac_seen.count) {
		/* QEMU's TCG does not implement alignment checking: nothing to see */
		gprintf("SKIP #AC: the misaligned load at CPL 3 ran without one (no alignment checks here)\n");
		return;
	}
	gprintf("#AC: %lu taken, rip %lx (expected %lx), cs %lx, error code %lx\n",
		ac_seen.count, ac_seen.rip, (uint64_t)user_ac_insn, ac_seen.cs, ac_seen.error);
	check(ac_seen.count == 1 && ac_seen.rip == (uint64_t)user_ac_insn &&
	      ac_seen.cs == USER_CS && ac_seen.error == 0,
	      "#AC at CPL 3 arrives through my IDT at the faulting load, error code 0");
}

static void test_debug_exceptions(void)
{
	set_idt_gate(1, db_stub, 0, 0);
	single_step();
	gprintf("#DB single step: %lu taken, rip %lx (expected %lx), dr6 %lx\n", db_seen.count,
		db_seen.rip, (uint64_t)single_step_after, db_seen.dr6);
	check(db_seen.count == 1 && db_seen.rip == (uint64_t)single_step_after,
	      "#DB single step arrives after the instruction");
	check(db_seen.dr6 & DR6_BS, "#DB single step: DR6.BS is set");
	breakpoint_dr0();
	gprintf("#DB DR0 breakpoint: %lu taken, rip %lx (expected %lx), dr6 %lx\n",
		db_seen.count, db_seen.rip, (uint64_t)breakpoint_target, db_seen.dr6);
	check(db_seen.count == 2 && db_seen.rip == (uint64_t)breakpoint_target,
	      "#DB from a DR0 instruction breakpoint arrives at the instruction");
	check((db_seen.dr6 & DR6_B0) && !(db_seen.dr6 & DR6_BS),
	      "#DB from a DR0 instruction breakpoint: DR6.B0 is set, BS clear");
}

/* DR7 = 0x401 (L0, an execute breakpoint at DR0, which points at data) across a CPUID exit. */
static void test_dr7_survives_exit(void)
{
	uint64_t dr7;

	__asm__ volatile("mov %0, %%db0" ::"r"((uint64_t)&user_data[0]));
	__asm__ volatile("mov %0, %%db7" ::"r"(DR7_RESET | DR7_L0));
	guest_cpuid(0x40000000, 0);
	__asm__ volatile("mov %%db7, %0" : "=r"(dr7));
	__asm__ volatile("mov %0, %%db7" ::"r"(DR7_RESET));
	gprintf("DR7 after a CPUID exit: %lx\n", dr7);
	check(dr7 == (DR7_RESET | DR7_L0), "DR7 keeps 0x401 across an exit");
}

void guest_main(const struct guest_boot *b)
{
	(void)b;
	test_debug_exceptions();
	test_dr7_survives_exit();
	test_alignment_check();
}
