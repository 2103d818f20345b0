/* The slow half of tsc_aux_load (see tsc_aux.h). */
#include "arch/x86/tsc_aux.h"
#include "arch/x86/cpu.h"

uint64_t tsc_aux_loaded[MAX_CPUS] = { [0 ... MAX_CPUS - 1] = ~0ull };

void tsc_aux_switch(const struct vcpu *v, unsigned cpu)
{
	/* without RDTSCP the MSR does not exist (#GP), and no guest can read it */
	if (vcpu_ops->caps->rdtscp)
		wrmsr(MSR_TSC_AUX, v->tsc_aux);
	tsc_aux_loaded[cpu] = v->tsc_aux;
}
