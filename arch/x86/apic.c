/*
 * Local APIC (SDM Vol. 3A, chapter 12). In xAPIC mode registers are 4 KiB
 * of MMIO at the APIC base; in x2APIC mode MSR 0x800 + (offset >> 4)
 * (12.12.1). The ICR is one 64-bit MSR in x2APIC mode and two 32-bit
 * registers in xAPIC mode, where writing the low half sends the IPI.
 */
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"

#define APIC_ID		0x020
#define APIC_EOI	0x0b0
#define APIC_SVR	0x0f0
#define APIC_ICR_LO	0x300
#define APIC_ICR_HI	0x310
#define APIC_LVT_TIMER	0x320
#define APIC_TIMER_INIT	0x380
#define APIC_TIMER_CUR	0x390
#define APIC_TIMER_DIV	0x3e0
#define APIC_LVT_MASKED	(1u << 16)
#define APIC_LVT_LINT0	0x350
#define APIC_LVT_LINT1	0x360

#define APIC_BASE_ENABLE	(1ul << 11)
#define APIC_BASE_X2APIC	(1ul << 10)
#define APIC_BASE_ADDR_MASK	0x000ffffffffff000ul
#define ICR_BUSY		(1u << 12)

static bool x2apic;
static uint64_t timer_ticks_per_ms;
static volatile uint32_t *xapic_regs;

static uint32_t apic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return xapic_regs[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		xapic_regs[reg / 4] = v;
}

static void lapic_enable(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

	/* SDM 12.12.5: xAPIC enable first, then the x2APIC bit */
	wrmsr(MSR_APIC_BASE, base);
	if (x2apic)
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_X2APIC);
	apic_write(APIC_SVR, 0x100 | VEC_SPURIOUS);
	/* no ExtINT from the 8259s, whoever programs them (the PICs stay masked: pic_disable) */
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
}

void lapic_init_bsp(bool want_x2apic)
{
	x2apic = want_x2apic && (cpuid(1, 0).ecx & (1u << 21));
	xapic_regs = (volatile uint32_t *)(uintptr_t)(rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR_MASK);
	lapic_enable();
}

void lapic_init_ap(void)
{
	lapic_enable();
}

bool lapic_x2apic_mode(void)
{
	return x2apic;
}

uint32_t lapic_id(void)
{
	uint32_t id = apic_read(APIC_ID);

	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

void lapic_send_ipi(uint32_t apic_id, uint32_t icr)
{
	if (x2apic) {
		wrmsr(0x830, (uint64_t)apic_id << 32 | icr);
		return;
	}
	for (unsigned spin = 0; spin < 1000000 && (apic_read(APIC_ICR_LO) & ICR_BUSY); spin++)
		cpu_relax();
	apic_write(APIC_ICR_HI, apic_id << 24);
	apic_write(APIC_ICR_LO, icr);
}

/*
 * Local APIC timer (SDM Vol. 3A, 12.5.4): one-shot mode, divide by 16. Its
 * frequency is not architectural, so it is measured against the TSC once.
 */
void lapic_timer_calibrate(void)
{
	uint32_t left;

	apic_write(APIC_TIMER_DIV, 0x3);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC_TIMER);
	apic_write(APIC_TIMER_INIT, 0xffffffffu);
	udelay(10000);
	left = apic_read(APIC_TIMER_CUR);
	apic_write(APIC_TIMER_INIT, 0);
	timer_ticks_per_ms = (0xffffffffu - left) / 10;
	if (!timer_ticks_per_ms)
		timer_ticks_per_ms = 1;
}

uint64_t lapic_timer_khz(void)
{
	return timer_ticks_per_ms;
}

void lapic_timer_oneshot(uint64_t us)
{
	uint64_t ticks = us * timer_ticks_per_ms / 1000;

	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu;
	apic_write(APIC_TIMER_DIV, 0x3);
	apic_write(APIC_LVT_TIMER, VEC_TIMER);
	apic_write(APIC_TIMER_INIT, (uint32_t)ticks);
}

