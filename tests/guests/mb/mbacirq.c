/*
 * An exception that strikes while the hypervisor delivers a virtual
 * interrupt (here #AC, which the hypervisor always intercepts and hands
 * back) must not cost the interrupt: after the #AC handler returns, the
 * interrupt is still delivered (mbacirq.S).
 */
#include "tests/guests/mb/mb.h"
#include "core/abi/hypercall.h"

#define TIMER_VECTOR	0x40
#define BACK_VECTOR	0x30
#define SEL_KCODE	0x08
#define SEL_KDATA	0x10
#define SEL_UCODE	(0x18 | 3)
#define SEL_TSS		0x28
#define CR0_AM		(1u << 18)

struct __attribute__((packed)) tss32 {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap_base;
};

static uint64_t gdt[6] __attribute__((aligned(8)));
static struct tss32 tss __attribute__((aligned(16)));
static uint8_t kernel_stack[4096] __attribute__((aligned(16)));
static uint8_t user_stack[256] __attribute__((aligned(16)));
volatile uint32_t ac_count, ac_error, ac_eip, ac_esp, timer_count;

void mbacirq_main(uint32_t magic, uint32_t info, uint32_t eflags);
void user_wait(uint32_t esp, uint64_t deadline);
extern const char user_spin[], user_timer[], user_back[], kernel_ac[];

static uint64_t rdtsc(void)
{
	uint64_t t;

	__asm__ volatile("rdtsc" : "=A"(t));
	return t;
}

/* Flat segments for CPL 0 and 3, and a TSS whose ESP0 is kernel_stack. */
static void load_gdt_and_tss(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } gdtr = {
		sizeof(gdt) - 1, (uint32_t)gdt };
	uint64_t base = (uint32_t)&tss, limit = sizeof(tss) - 1;

	tss.esp0 = (uint32_t)(kernel_stack + sizeof(kernel_stack));
	tss.ss0 = SEL_KDATA;
	tss.iomap_base = sizeof(tss);
	gdt[1] = 0x00cf9b000000ffffull;		/* kernel code */
	gdt[2] = 0x00cf93000000ffffull;		/* kernel data */
	gdt[3] = 0x00cffb000000ffffull;		/* user code, DPL 3 */
	gdt[4] = 0x00cff3000000ffffull;		/* user data, DPL 3 */
	gdt[5] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
		 (base >> 24 & 0xff) << 56;	/* available 32-bit TSS */
	__asm__ volatile("lgdt %0\n"
			 "ljmp $0x08, $1f\n"
			 "1: mov $0x10, %%eax\n"
			 "mov %%eax, %%ds\n"
			 "mov %%eax, %%es\n"
			 "mov %%eax, %%ss\n"
			 "mov $0x28, %%eax\n"
			 "ltr %%ax" : : "m"(gdtr) : "eax", "memory");
}

/* A 32-bit interrupt gate (SDM Vol. 3A, 7.11) in the IDT mb_idt_install loaded. */
static void set_gate(unsigned vector, uint16_t sel, const void *handler, unsigned dpl)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr;
	uint32_t h = (uint32_t)handler;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	((volatile uint64_t *)idtr.base)[vector] = (uint64_t)(h & 0xffff) | (uint64_t)sel << 16 |
		(uint64_t)(0x8e | dpl << 5) << 40 | (uint64_t)(h >> 16) << 48;
}

void mbacirq_main(uint32_t magic, uint32_t info, uint32_t eflags)
{
	struct mb_hc_regs r = mb_hypercall(HVCALL_X_TSC_KHZ, 0, 0);
	uint32_t khz = r.ecx, cr0, odd_esp = (uint32_t)(user_stack + 129);

	(void)magic, (void)info, (void)eflags;
	mb_idt_install();
	load_gdt_and_tss();
	set_gate(17, SEL_KCODE, kernel_ac, 0);
	set_gate(TIMER_VECTOR, SEL_UCODE, user_timer, 0);	/* to CPL 3 code: no stack switch */
	set_gate(BACK_VECTOR, SEL_KCODE, user_back, 3);
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0 | CR0_AM));
	r = mb_hypercall(HVCALL_X_SET_TIMER, 1000, TIMER_VECTOR);
	check_val(r.eax == HV_STATUS_SUCCESS, "a 1 ms timer is armed", r.eax);
	user_wait(odd_esp, rdtsc() + (uint64_t)khz * 200);
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
	mb_printf("#AC %u times (error 0x%x, eip 0x%x, esp 0x%x), timer interrupt %u times\n",
		  ac_count, ac_error, ac_eip, ac_esp, timer_count);
	if (!ac_count && timer_count) {
		mb_printf("SKIP no #AC: this CPU does not check alignment\n");
		mb_exit();
	}
	check(ac_count == 1 && (ac_error & ~1u) == 0 && ac_esp == odd_esp &&
	      ac_eip >= (uint32_t)user_spin && ac_eip < (uint32_t)user_timer,
	      "#AC while my timer interrupt was delivered at CPL 3 reaches my handler");
	check_val(timer_count == 1,
		  "the timer interrupt whose delivery #AC interrupted arrives after it", timer_count);
	mb_exit();
}
