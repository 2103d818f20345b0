/* x87/SSE state switching support (see fpu.h). */
#include "arch/x86/fpu.h"
#include "arch/x86/cpu.h"
#include "core/lib.h"
#include "core/log.h"

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

#define XSAVE_ERPTR	(1u << 2)	/* CPUID Fn8000_0008_EBX: error pointers always saved */

bool fpu_error_pointers_leak;

/* Linux (arch/x86/kernel/cpu/amd.c, hygon.c): X86_BUG_FXSAVE_LEAK unless XSaveErPtr. */
static bool error_pointers_leak(void)
{
	struct cpuid_regs v = cpuid(0, 0);
	bool amd = v.ebx == 0x68747541 && v.edx == 0x69746e65 && v.ecx == 0x444d4163;
	bool hygon = v.ebx == 0x6f677948 && v.edx == 0x6e65476e && v.ecx == 0x656e6975;

	if (!amd && !hygon)
		return false;	/* Intel's FXSAVE/FXRSTOR always handle them (SDM Vol. 1, 10.5.1) */
	return cpuid(0x80000000, 0).eax < 0x80000008 || !(cpuid(0x80000008, 0).ebx & XSAVE_ERPTR);
}

void fpu_cpu_init(void)
{
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	xcr0_restrict();
	if (error_pointers_leak() &&
	    !__atomic_exchange_n(&fpu_error_pointers_leak, true, __ATOMIC_RELAXED))
		log_info("fpu: FXSAVE keeps x87 error pointers only on a pending exception "
			 "(no XSaveErPtr): cleared before each guest's FXRSTOR");
}

/*
 * FNCLEX leaves no exception pending, so the FILD cannot fault; EMMS
 * empties the register stack, so it cannot overflow; the FILD then sets
 * FIP, FDP and FOP. The guest's FXRSTOR that follows loads everything but
 * them (unless its own FSW.ES is set, when it loads them too): the guest
 * sees this function's address and `zero`'s, the same for every guest,
 * never another guest's.
 */
void fpu_clear_error_pointers(void)
{
	static const uint32_t zero;

	__asm__ volatile("fnclex; emms; fildl %0" ::"m"(zero));
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
