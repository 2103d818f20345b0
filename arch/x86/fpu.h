/*
 * x87/SSE register state of guests. The hypervisor itself never touches
 * these registers (it is built with -mno-sse -mno-mmx and uses no floating
 * point), so a guest's state only has to be saved when another guest is
 * about to run on the same CPU.
 */
#ifndef ARCH_X86_FPU_H
#define ARCH_X86_FPU_H

#include "core/types.h"

#define FPU_AREA_SIZE	512	/* FXSAVE format (SDM Vol. 1, 10.5.1) */

struct fpu_area {
	uint8_t bytes[FPU_AREA_SIZE];
} __aligned(16);

/* Allow FXSAVE/FXRSTOR of the SSE state on this CPU (CR4.OSFXSR, OSXMMEXCPT). */
void fpu_cpu_init(void);
/* The state a CPU has after FNINIT with MXCSR at its reset value. */
void fpu_init_area(struct fpu_area *a);

/*
 * Debug address registers DR0-DR3 and DR6: guests use them without an exit
 * (MOV DR is not intercepted) and neither VMCS nor VMCB holds them (DR7
 * is in both), so they change hands with the x87/SSE state.
 */
struct debug_regs {
	uint64_t dr[4];
	uint64_t dr6;
};

void debug_regs_save(struct debug_regs *d);
void debug_regs_restore(const struct debug_regs *d);

/*
 * AMD CPUs without CPUID Fn8000_0008_EBX[2] (XSaveErPtr) save and restore
 * the x87 error pointers FIP, FDP and FOP only while an exception is
 * pending (FSW.ES); otherwise FXRSTOR leaves the registers' previous
 * values in place, and a guest would read the last guest's (Linux's
 * X86_BUG_FXSAVE_LEAK, Xen XSA-172). Set by fpu_cpu_init.
 */
extern bool fpu_error_pointers_leak;
/* Point FIP/FDP/FOP at a constant of the hypervisor's, as Linux does. */
void fpu_clear_error_pointers(void);

static inline void fpu_save(struct fpu_area *a)
{
	__asm__ volatile("fxsave64 %0" : "=m"(*a));
}

static inline void fpu_restore(const struct fpu_area *a)
{
	if (__builtin_expect(fpu_error_pointers_leak, 0))
		fpu_clear_error_pointers();
	__asm__ volatile("fxrstor64 %0" ::"m"(*a));
}

#endif
