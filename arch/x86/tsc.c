/*
 * TSC calibration against the 8254 PIT, channel 2, whose input clock is
 * 1.193182 MHz on every PC. Mode 0 with the gate high counts down once and
 * raises OUT2, which port 0x61 bit 5 shows. We time 10 ms and scale.
 */
#include "arch/x86/tsc.h"
#include "arch/x86/cpu.h"
#include "core/log.h"

#define PIT_HZ		1193182u
#define CALIB_MS	10u
#define FALLBACK_KHZ	1000000u	/* 1 GHz if nothing can be measured */

static uint64_t khz = FALLBACK_KHZ;

static uint64_t pit_measure(void)
{
	uint16_t latch = (uint16_t)(PIT_HZ / (1000 / CALIB_MS));
	uint64_t t0, t1;
	unsigned long spins = 0;

	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));	/* gate on, speaker off */
	outb(0x43, 0xb0);			/* channel 2, lo/hi byte, mode 0 */
	outb(0x42, (uint8_t)latch);
	outb(0x42, (uint8_t)(latch >> 8));
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		if (++spins > 100000000ul)
			return 0;		/* no PIT: give up */
	t1 = rdtsc();
	return (t1 - t0) / CALIB_MS;
}

uint64_t tsc_calibrate(void)
{
	uint64_t best = 0;

	/* take the smallest of three: an interruption only makes one longer */
	for (int i = 0; i < 3; i++) {
		uint64_t k = pit_measure();

		if (k && (!best || k < best))
			best = k;
	}
	if (!best) {
		log_warn("tsc: PIT calibration failed, assuming %u MHz", FALLBACK_KHZ / 1000);
		best = FALLBACK_KHZ;
	}
	khz = best;
	return khz;
}

uint64_t tsc_khz(void)
{
	return khz;
}

uint64_t tsc_us_to_ticks(uint64_t us)
{
	return us * khz / 1000;
}

uint64_t tsc_ticks_to_us(uint64_t ticks)
{
	return ticks * 1000 / khz;
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + tsc_us_to_ticks(us);

	while ((int64_t)(rdtsc() - end) < 0)
		cpu_relax();
}
