/* Time-stamp counter: calibrated frequency and busy-wait delays. */
#ifndef ARCH_X86_TSC_H
#define ARCH_X86_TSC_H

#include "core/types.h"

/* Measure the TSC frequency against the PIT (or CPUID 0x15). Returns kHz. */
uint64_t tsc_calibrate(void);
uint64_t tsc_khz(void);
uint64_t tsc_us_to_ticks(uint64_t us);
uint64_t tsc_ticks_to_us(uint64_t ticks);
void udelay(uint64_t us);

#endif
