/*
 * IA32_TSC_AUX belongs to the guest that runs. RDTSCP and RDPID read it
 * without an exit (SDM Vol. 2B, RDTSCP and RDPID; APM Vol. 3, RDTSCP), and
 * neither the VMCS nor the VMCB switches it. The hypervisor never reads it
 * itself, so each CPU remembers the value it last loaded and writes the
 * MSR only when the vCPU it enters wants another: one compare per entry.
 * The guest's WRMSR is intercepted, so the MSR cannot change behind it.
 */
#ifndef ARCH_X86_TSC_AUX_H
#define ARCH_X86_TSC_AUX_H

#include "core/percpu.h"
#include "core/vcpu.h"


/* Per CPU, touched by that CPU only; above 32 bits: not known yet. */
extern uint64_t tsc_aux_loaded[MAX_CPUS];

void tsc_aux_switch(const struct vcpu *v, unsigned cpu);

/* The MSR on cpu holds v's value already. */
static inline bool tsc_aux_current(const struct vcpu *v, unsigned cpu)
{
	return v->tsc_aux == tsc_aux_loaded[cpu];
}

/*
 * Forget what cpu's MSR holds: the next tsc_aux_load there writes it
 * again. A back-end whose fast path checks tsc_aux_current uses this to
 * send the next entry down its slow path (svm_set_cr's TLB flush).
 */
static inline void tsc_aux_forget(unsigned cpu)
{
	tsc_aux_loaded[cpu] = ~0ull;
}

/* Before entering v on cpu (interrupts off): the MSR holds v's value. */
static inline void tsc_aux_load(const struct vcpu *v, unsigned cpu)
{
	if (__builtin_expect(!tsc_aux_current(v, cpu), 0))
		tsc_aux_switch(v, cpu);
}

#endif
