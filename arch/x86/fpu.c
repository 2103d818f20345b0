/* x87/SSE state switching support (see fpu.h). */
#include "arch/x86/fpu.h"
#include "arch/x86/cpu.h"
#include "core/lib.h"

#define CR4_OSXMMEXCPT	(1ul << 10)
#define CR4_OSXSAVE	(1ul << 18)
#define XCR0_X87_SSE	3

/*
 * XCR0 is shared by every guest on the CPU and not switched, and only the
 * FXSAVE area is: so fix it at x87|SSE, whatever firmware left there. AVX
 * and later instructions then fault in guests (CPUID hides them, and
 * XSETBV is intercepted).
 */
static void xcr0_restrict(void)
{
	if (!(cpuid(1, 0).ecx & (1u << 26)))	/* no XSAVE */
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	__asm__ volatile("xsetbv" ::"c"(0), "a"(XCR0_X87_SSE), "d"(0));
}

void fpu_cpu_init(void)
{
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	xcr0_restrict();
}

void fpu_init_area(struct fpu_area *a)
{
	uint16_t fcw = 0x037f;		/* FNINIT: all exceptions masked */
	uint32_t mxcsr = 0x1f80;	/* reset value */

	memset(a, 0, sizeof(*a));
	memcpy(a->bytes + 0, &fcw, sizeof(fcw));
	memcpy(a->bytes + 24, &mxcsr, sizeof(mxcsr));
}

void debug_regs_save(struct debug_regs *d)
{
	__asm__ volatile("mov %%db0, %0" : "=r"(d->dr[0]));
	__asm__ volatile("mov %%db1, %0" : "=r"(d->dr[1]));
	__asm__ volatile("mov %%db2, %0" : "=r"(d->dr[2]));
	__asm__ volatile("mov %%db3, %0" : "=r"(d->dr[3]));
	__asm__ volatile("mov %%db6, %0" : "=r"(d->dr6));
}

void debug_regs_restore(const struct debug_regs *d)
{
	__asm__ volatile("mov %0, %%db0" ::"r"(d->dr[0]));
	__asm__ volatile("mov %0, %%db1" ::"r"(d->dr[1]));
	__asm__ volatile("mov %0, %%db2" ::"r"(d->dr[2]));
	__asm__ volatile("mov %0, %%db3" ::"r"(d->dr[3]));
	__asm__ volatile("mov %0, %%db6" ::"r"(d->dr6));
}
