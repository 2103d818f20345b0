/*
 * The wake-up after "sti; hlt": an interrupt that is already pending when
 * the guest executes "sti; hlt" must be taken after the HLT (STI blocks
 * interrupts for one more instruction, SDM Vol. 3A 6.8.3, APM Vol. 2
 * 16.3), never in front of it: taken in front, the HLT then sleeps with
 * nothing left to wake it.
 *
 * Each round arms a short timer, spins with IF=0 until it is due, and
 * then makes an exit (CPUID, or a null hypercall) right before "sti; hlt",
 * so the hypervisor re-enters exactly at the STI with the interrupt
 * pending and an interrupt window requested. The handler records where
 * the interrupt was taken; if that was in front of the HLT it arms a
 * rescue timer so that the HLT wakes and the failure is reported instead
 * of hanging.
 */
#include "tests/guests/guest.h"

#define TIMER_VECTOR	0x42
#define ROUNDS		10

/* Each: an exit, then "sti; hlt" at the resume point, then "cli". */
__asm__(".text\n"
	"cpuid_sti_hlt:\n"
	"	push %rbx\n"
	"	xor %eax, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cpuid\n"
	"	sti\n"
	"	hlt\n"
	"cpuid_sti_hlt_after:\n"
	"	cli\n"
	"	pop %rbx\n"
	"	ret\n"
	"vmcall_sti_hlt:\n"
	"	mov $0x18000, %ecx\n"	/* HVCALL_X_NULL | HV_HYPERCALL_FAST */
	"	xor %edx, %edx\n"
	"	xor %r8d, %r8d\n"
	"	vmcall\n"
	"	sti\n"
	"	hlt\n"
	"vmcall_sti_hlt_after:\n"
	"	cli\n"
	"	ret\n"
	"vmmcall_sti_hlt:\n"
	"	mov $0x18000, %ecx\n"
	"	xor %edx, %edx\n"
	"	xor %r8d, %r8d\n"
	"	vmmcall\n"
	"	sti\n"
	"	hlt\n"
	"vmmcall_sti_hlt_after:\n"
	"	cli\n"
	"	ret\n");
void cpuid_sti_hlt(void), vmcall_sti_hlt(void), vmmcall_sti_hlt(void);
extern const char cpuid_sti_hlt_after[], vmcall_sti_hlt_after[], vmmcall_sti_hlt_after[];

static volatile unsigned ticks;
static volatile uint64_t first_rip, resume_rip;

static void on_timer(void)
{
	if (ticks++ == 0)
		first_rip = last_irq_rip();
	if (last_irq_rip() != resume_rip)	/* in front of the HLT: wake it again */
		hypercall(HVCALL_X_SET_TIMER, 1000, TIMER_VECTOR);
}

/* ROUNDS times: timer due while IF=0, then `exit; sti; hlt`. Returns the rounds that went right. */
static unsigned rounds(uint64_t khz, void (*exit_sti_hlt)(void), const char *after)
{
	unsigned good = 0;

	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0;

		ticks = 0;
		first_rip = 0;
		resume_rip = (uint64_t)after;
		hypercall(HVCALL_X_SET_TIMER, 100, TIMER_VECTOR);
		t0 = rdtsc();
		while (rdtsc() - t0 < khz)	/* 1 ms with IF=0: the timer is due */
			__asm__ volatile("pause");
		exit_sti_hlt();
		if (ticks == 1 && first_rip == (uint64_t)after)
			good++;
		else
			gprintf("round %d: %u interrupts, the first taken at %lx (HLT at %lx)\n",
				i, ticks, first_rip, (uint64_t)after - 1);
	}
	return good;
}

void guest_main(const struct guest_boot *b)
{
	uint64_t khz = guest_tsc_khz();
	bool amd = guest_cpuid(0, 0).ebx == 0x68747541;	/* "Auth"enticAMD */
	unsigned good;

	(void)b;
	set_irq_handler(TIMER_VECTOR, on_timer);
	check(khz > 0, "the TSC frequency is known");
	good = rounds(khz, cpuid_sti_hlt, cpuid_sti_hlt_after);
	gprintf("CPUID exit before sti; hlt: %u of %u rounds right\n", good, ROUNDS);
	check(good == ROUNDS, "after a CPUID exit, a pending interrupt is taken after sti; hlt");
	good = amd ? rounds(khz, vmmcall_sti_hlt, vmmcall_sti_hlt_after)
		   : rounds(khz, vmcall_sti_hlt, vmcall_sti_hlt_after);
	gprintf("hypercall exit before sti; hlt: %u of %u rounds right\n", good, ROUNDS);
	check(good == ROUNDS, "after a hypercall exit, a pending interrupt is taken after sti; hlt");
}
