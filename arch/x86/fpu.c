/* x87/SSE state switching support (see fpu.h). */
#include "arch/x86/fpu.h"
#include "arch/x86/cpu.h"
#include "core/lib.h"

#define CR4_OSXMMEXCPT	(1ul << 10)

void fpu_cpu_init(void)
{
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

void fpu_init_area(struct fpu_area *a)
{
	uint16_t fcw = 0x037f;		/* FNINIT: all exceptions masked */
	uint32_t mxcsr = 0x1f80;	/* reset value */

	memset(a, 0, sizeof(*a));
	memcpy(a->bytes + 0, &fcw, sizeof(fcw));
	memcpy(a->bytes + 24, &mxcsr, sizeof(mxcsr));
}
