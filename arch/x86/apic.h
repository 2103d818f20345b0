/* Local APIC in xAPIC (MMIO) or x2APIC (MSR) mode. */
#ifndef ARCH_X86_APIC_H
#define ARCH_X86_APIC_H

#include "core/types.h"

/* ICR delivery modes and flags (SDM Vol. 3A, 12.6.1, Figure 12-12) */
#define ICR_FIXED		0x00000
#define ICR_NMI			0x00400
#define ICR_INIT		0x00500
#define ICR_STARTUP		0x00600
#define ICR_LEVEL_ASSERT	0x04000
#define ICR_ALL_BUT_SELF	0xc0000

/* Enable the boot CPU's APIC; x2APIC when the CPU has it and `want_x2apic`. */
void lapic_init_bsp(bool want_x2apic);
/* Enable an AP's APIC in the mode the boot CPU chose. */
void lapic_init_ap(void);
bool lapic_x2apic_mode(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
/* Send an IPI: `icr` holds vector, delivery mode and shorthand bits. */
void lapic_send_ipi(uint32_t apic_id, uint32_t icr);

/* Local APIC timer: measured once on the boot CPU, then one-shot on any CPU. */
void lapic_timer_calibrate(void);
uint64_t lapic_timer_khz(void);
void lapic_timer_oneshot(uint64_t us);

#endif
