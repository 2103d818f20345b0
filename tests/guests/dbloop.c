/*
 * A vCPU that holds its CPU in the hypervisor's #DB reflection (AMD-V,
 * where #DB always exits): a data breakpoint on the slot of its own #DB
 * stack that delivering #DB writes first. Each #DB the hypervisor hands
 * back is delivered, writes the slot, and raises the next #DB before the
 * handler's first instruction, where no interrupt is recognised (SDM Vol.
 * 3A, 7.9: traps on the previous instruction come before interrupts). The
 * IDT gate uses IST 1, so every delivery writes the same slot.
 *
 * VP 0 (home CPU 0 in the system test) does that for good; VP 1 (CPU 1)
 * stops the partition after a second. A neighbour on CPU 0 (nap.c) must
 * finish meanwhile.
 */
#include "tests/guests/guest.h"
#include "arch/x86/desc.h"

#define DR7_L0_WRITE_8	(0x400ull | 1ull << 0 | 1ull << 16 | 3ull << 18)	/* L0, RW0=01, LEN0=11 */
#define STOP_AFTER_MS	1000
#define NAP_VECTOR	0x47

static struct tss64 tss __attribute__((aligned(16)));
static uint64_t gdt[5] __attribute__((aligned(16)));
static uint8_t ist_stack[4096] __attribute__((aligned(16)));
volatile uint64_t db_count;
static volatile bool vp1_started;

void db_ist_stub(void);

/* Only reached where the loop does not happen: count, breakpoints off, return. */
__asm__(".text\n"
	"db_ist_stub:\n"
	"	incq db_count(%rip)\n"
	"	push %rax\n"
	"	mov $0x400, %eax\n"
	"	mov %rax, %db7\n"
	"	pop %rax\n"
	"	iretq\n");

/* The loader's code and data segments again, and a TSS with IST 1. */
static void load_gdt_and_tss(void)
{
	tss.ist[0] = (uint64_t)(ist_stack + sizeof(ist_stack));
	tss.iomap_base = sizeof(tss);
	load_gdt_with_tss(gdt, sizeof(gdt) / sizeof(gdt[0]), &tss, 3);
}

static void stop_later(void)
{
	uint64_t khz = guest_tsc_khz(), t0 = rdtsc();

	while (rdtsc() - t0 < khz * STOP_AFTER_MS)
		__asm__ volatile("pause");
	gprintf("VP 1 stops the partition\n");
	guest_exit();
}

/*
 * The IDT is the partition's one table, and each VP's start (the runtime's
 * idt_install) writes all of it: VP 1 must have started before VP 0 sets
 * its #DB gate, or VP 1's start puts the default one back. Under root=on
 * the root starts the VPs one after the other, so VP 1 may start well
 * after VP 0. VP 0 naps meanwhile rather than spin: the root it waits
 * for shares its CPU (and on Bochs AMD-V, a VP spinning with IF clear was
 * seen never to leave CPU 0 again: its APIC timer was not re-armed, the
 * root never ran; the same spin with IF set ended in 64 ms).
 */
static void on_nap_timer(void) {}

static void wait_for_vp1(void)
{
	unsigned naps = 0;

	set_irq_handler(NAP_VECTOR, on_nap_timer);
	while (!__atomic_load_n(&vp1_started, __ATOMIC_ACQUIRE)) {	/* napping: the CPU is the root's */
		hypercall(HVCALL_X_SET_TIMER, 1000, NAP_VECTOR);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		naps++;
	}
	gprintf("VP 1 started after %u naps of VP 0\n", naps);
}

void guest_main(const struct guest_boot *b)
{
	uint64_t *slot = (uint64_t *)(ist_stack + sizeof(ist_stack) - 8);	/* SS, pushed first */

	if (b->vp_index == 1) {
		__atomic_store_n(&vp1_started, true, __ATOMIC_RELEASE);
		stop_later();
	}
	if (b->vp_index != 0)
		return;
	wait_for_vp1();
	load_gdt_and_tss();
	set_idt_gate(1, db_ist_stub, 0, 1);
	gprintf("VP 0 enters the #DB loop\n");
	__asm__ volatile("mov %0, %%db0\n"
			 "mov %1, %%db7\n"
			 "movq $1, (%0)\n"	/* the first #DB */
			 "nop" : : "r"(slot), "r"(DR7_L0_WRITE_8) : "memory");
	gprintf("FAIL the #DB handler ran (%lu times): no delivery loop here\n", db_count);
	for (;;)
		__asm__ volatile("cli; hlt");
}
