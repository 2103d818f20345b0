/*
 * x87/SSE and debug registers belong to their vCPU: a fresh vCPU sees a clean XMM0,
 * and a value left in XMM0 survives while another partition runs on the
 * same CPU and writes its own (run two of these on one CPU). The x87 error
 * pointers too: FIP and FDP, as FXSAVE shows them, are never the other
 * partition's (its last x87 instruction and operand are at addresses that
 * depend on its partition id).
 */
#include "tests/guests/guest.h"

#define TIMER_VECTOR	0x41
#define FXSAVE_FIP	8		/* 64-bit FXSAVE layout (SDM Vol. 1, 10.5.1) */
#define FXSAVE_FDP	16
#define SITES		4
#define SLOTS		16

/* x87 loads and stores at four code addresses; FIP names the FSTP (the last x87 instruction). */
__asm__(".text\n"
	"x87_site0: fldl (%rdi)\n x87_fstp0: fstpl (%rdi)\n ret\n"
	"x87_site1: fldl (%rdi)\n x87_fstp1: fstpl (%rdi)\n ret\n"
	"x87_site2: fldl (%rdi)\n x87_fstp2: fstpl (%rdi)\n ret\n"
	"x87_site3: fldl (%rdi)\n x87_fstp3: fstpl (%rdi)\n ret\n");
void x87_site0(volatile uint64_t *), x87_site1(volatile uint64_t *);
void x87_site2(volatile uint64_t *), x87_site3(volatile uint64_t *);
extern const char x87_fstp0[], x87_fstp1[], x87_fstp2[], x87_fstp3[];

static void (*const sites[SITES])(volatile uint64_t *) = { x87_site0, x87_site1, x87_site2,
							   x87_site3 };
static const char *const fstps[SITES] = { x87_fstp0, x87_fstp1, x87_fstp2, x87_fstp3 };
static volatile uint64_t slots[SLOTS];

static void read_error_pointers(uint64_t *fip, uint64_t *fdp)
{
	static uint8_t area[512] __attribute__((aligned(16)));

	__asm__ volatile("fxsave64 %0" : "=m"(area));
	__builtin_memcpy(fip, area + FXSAVE_FIP, 8);
	__builtin_memcpy(fdp, area + FXSAVE_FDP, 8);
}

/* FIP/FDP are mine, or point at nothing of the fpu guests' (cleared), but never at another's. */
static bool error_pointers_not_anothers(unsigned me)
{
	uint64_t fip, fdp;
	bool ok = true;

	read_error_pointers(&fip, &fdp);
	gprintf("x87 FIP %lx FDP %lx (mine: %lx %lx)\n", fip, fdp, (uint64_t)fstps[me % SITES],
		(uint64_t)&slots[me % SLOTS]);
	for (unsigned i = 0; i < SITES; i++)
		ok &= i == me % SITES || fip != (uint64_t)fstps[i];
	for (unsigned i = 0; i < SLOTS; i++)
		ok &= i == me % SLOTS || fdp != (uint64_t)&slots[i];
	return ok;
}

static void on_timer(void) {}

static uint64_t read_dr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%db0, %0" : "=r"(v));
	return v;
}

static uint64_t read_xmm0(void)
{
	uint64_t v;

	__asm__ volatile("movq %%xmm0, %0" : "=r"(v));
	return v;
}

void guest_main(const struct guest_boot *b)
{
	uint64_t cr4, mine = 0x5a5a000000000000ull | b->partition_id << 8 | 0x42;
	uint64_t my_dr0 = 0x10000000ull | b->partition_id << 12;	/* a linear address */

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | 1u << 9 | 1u << 10));	/* OSFXSR, OSXMMEXCPT */
	check(read_xmm0() == 0, "XMM0 starts clean (nothing left by another guest)");
	check(read_dr0() == 0, "DR0 starts clean");
	__asm__ volatile("movq %0, %%xmm0" ::"r"(mine));
	__asm__ volatile("mov %0, %%db0" ::"r"(my_dr0));
	sites[b->partition_id % SITES](&slots[b->partition_id % SLOTS]);
	set_irq_handler(TIMER_VECTOR, on_timer);
	for (int i = 0; i < 5; i++) {		/* give the CPU away a few times */
		hypercall(HVCALL_X_SET_TIMER, 20000, TIMER_VECTOR);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	check(read_xmm0() == mine, "XMM0 kept its value while others ran");
	check(read_dr0() == my_dr0, "DR0 kept its value while others ran");
	check(error_pointers_not_anothers((unsigned)b->partition_id),
	      "x87 FIP/FDP are not another partition's after others ran");
}
