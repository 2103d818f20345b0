/*
 * libFuzzer target for partitions/vlapic.c, the virtual local APIC: the
 * input is a script of xAPIC MMIO reads and writes (any offset and size),
 * MSR reads and writes (IA32_APIC_BASE transitions, the x2APIC range, the
 * TSC deadline, Hyper-V's EOI/ICR/TPR), accepted and acknowledged
 * interrupts, INIT, time passing (small steps and huge jumps, up to where
 * the TSC saturates) and timer expiries. After every step the model's
 * invariants hold:
 *   - vlapic_pending() is -1 or a vector >= 16 whose IRR bit is set, whose
 *     class is above the PPR's, with the APIC software-enabled;
 *   - no vector below 16 is ever requested or in service; TMR bits only
 *     beside an IRR or ISR bit; a hardware-disabled APIC holds nothing;
 *   - EXTD only with EN; a software-disabled APIC has every LVT masked;
 *   - the timer: no deadline when the count is 0, in the reserved mode,
 *     or disabled; in TSC-deadline mode the deadline is the MSR's; outside
 *     it the MSR is 0; the current count never exceeds the initial count;
 *     after an expiry at `now` the deadline is 0 or after now;
 *   - effects: timer_changed exactly when the deadline changed, an EOI's
 *     vector no longer in service, a fixed IPI's vector >= 16.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "partitions/vlapic.h"
#include "core/abi/hv_msr.h"
#include "tests/fuzz/fuzz_input.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static const uint64_t tsc_hzs[] = { 0, 1, 1000000, 1000000000, 2900000000ull, 1ull << 34, 1ull << 40 };

static uint64_t bytes(struct script *s, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)byte(s) << (8 * i);
	return v;
}

static bool bit(const uint32_t *a, unsigned v)
{
	return a[v / 32] >> (v % 32) & 1;
}

static uint32_t pick_msr(struct script *s)
{
	uint8_t b = byte(s);

	switch (b % 8) {
	case 0: return VLAPIC_MSR_APIC_BASE;
	case 1: return VLAPIC_MSR_TSC_DEADLINE;
	case 2: return HV_X64_MSR_EOI + byte(s) % 4;
	case 3: return (uint32_t)bytes(s, 4);
	default: return VLAPIC_MSR_X2APIC_FIRST + byte(s) % 0x48;
	}
}

/* Values that reach the interesting paths: APIC_BASE modes, small vectors, timer modes, full words. */
static uint64_t pick_value(struct script *s)
{
	uint8_t b = byte(s);
	uint64_t base = CHILDPLAT_LAPIC_GPA | (b & 3ull) << 10;

	switch (b >> 2 & 3) {
	case 0: return base | (byte(s) == 0 ? VLAPIC_BASE_BSP : 0);
	case 1: return bytes(s, 1) | bytes(s, 1) << 16;	/* a vector and LVT mask/mode bits */
	case 2: return bytes(s, 4);
	default: return bytes(s, 8);
	}
}

static void check_effect(const struct vlapic *l, const struct vlapic_effect *fx, uint64_t old_deadline)
{
	CHECK(fx->timer_changed == (l->timer_deadline != old_deadline));
	if (fx->eoi)
		CHECK(!bit(l->isr, fx->eoi_vector) && !bit(l->tmr, fx->eoi_vector));
	if (fx->ipi && (fx->msg.mode == VLAPIC_IPI_FIXED || fx->msg.mode == VLAPIC_IPI_LOWEST))
		CHECK(fx->msg.vector >= 16);
}

static void check(struct vlapic *l, uint64_t now)
{
	int p = vlapic_pending(l);
	uint32_t mode = l->lvt[VLAPIC_LVT_TIMER] >> 17 & 3;
	uint64_t v;

	if (p >= 0) {
		CHECK(p >= 16 && p < 256 && bit(l->irr, (unsigned)p));
		CHECK(((unsigned)p & 0xf0) > (vlapic_ppr(l) & 0xf0));
		CHECK(l->svr & VLAPIC_SVR_ENABLE);
	}
	CHECK(!(l->irr[0] & 0xffff) && !(l->isr[0] & 0xffff));
	for (unsigned w = 0; w < 8; w++)
		CHECK(!(l->tmr[w] & ~(l->irr[w] | l->isr[w])));
	CHECK(!(l->apic_base & VLAPIC_BASE_EXTD) || (l->apic_base & VLAPIC_BASE_EN));
	if (!(l->apic_base & VLAPIC_BASE_EN)) {
		for (unsigned w = 0; w < 8; w++)
			CHECK(!l->irr[w] && !l->isr[w]);
		CHECK(!l->timer_deadline);
	}
	if (!(l->svr & VLAPIC_SVR_ENABLE))
		for (unsigned i = 0; i < CHILDPLAT_LAPIC_LVTS; i++)
			CHECK(l->lvt[i] & VLAPIC_LVT_MASKED);
	if (mode == VLAPIC_TIMER_TSC_DEADLINE) {
		CHECK(l->timer_deadline == l->tsc_deadline);
	} else {
		CHECK(!l->tsc_deadline);
		CHECK(vlapic_msr_read(l, VLAPIC_MSR_TSC_DEADLINE, now, &v) && v == 0);
		if (!l->timer_icr || mode == 3)
			CHECK(!l->timer_deadline);
	}
	if (vlapic_xapic_page(l, &v)) {
		vlapic_mmio_read(l, VLAPIC_REG_TIMER_CCR, 4, now, &v);
		CHECK(v <= l->timer_icr);
		vlapic_mmio_read(l, VLAPIC_REG_PPR, 4, now, &v);
		CHECK(v == vlapic_ppr(l));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s = { data, size };
	struct vlapic l;
	struct vlapic_effect fx;
	uint64_t now, v, old;
	uint8_t b = byte(&s);

	vlapic_reset(&l, (uint32_t)bytes(&s, 1) << (b & 16 ? 8 : 0), b & 1,
		     tsc_hzs[b % ARRAY_SIZE(tsc_hzs)]);
	l.x2apic_hidden = b & 0x80;
	now = bytes(&s, 1) << (byte(&s) % 64);
	while (s.left) {
		b = byte(&s);
		old = l.timer_deadline;
		switch (b % 11) {
		case 0: {
			uint32_t off = (uint32_t)(byte(&s) << 4 | (byte(&s) % 8 == 0 ? byte(&s) & 15 : 0));

			vlapic_mmio_read(&l, off & 0xfff, byte(&s) % 8 + 1, now, &v);
			CHECK(v <= UINT32_MAX);
			break;
		}
		case 1: {
			uint32_t off = (uint32_t)(byte(&s) % 0x40 << 4 | (byte(&s) % 8 == 0 ? byte(&s) & 15 : 0));
			unsigned sz = byte(&s) % 8 == 0 ? byte(&s) % 8 + 1 : 4;

			vlapic_mmio_write(&l, off, sz, pick_value(&s), now, &fx);
			check_effect(&l, &fx, old);
			break;
		}
		case 2:
			(void)vlapic_msr_read(&l, pick_msr(&s), now, &v);
			break;
		case 3:
		case 4: {
			uint32_t msr = pick_msr(&s);
			bool ok = vlapic_msr_write(&l, msr, pick_value(&s), now, &fx);

			CHECK(ok || !fx.ipi);
			CHECK(!ok || vlapic_msr_is_ours(msr));
			check_effect(&l, &fx, old);
			break;
		}
		case 5:
			vlapic_accept(&l, byte(&s), byte(&s) & 1);
			break;
		case 6: {
			int p = vlapic_pending(&l);

			vlapic_ack(&l, p >= 0 && byte(&s) ? (uint8_t)p : byte(&s));
			break;
		}
		case 7:
			vlapic_timer_expire(&l, now);
			CHECK(!l.timer_deadline || l.timer_deadline > now || now == UINT64_MAX);
			break;
		case 8: {
			uint64_t step = bytes(&s, 1) << (byte(&s) % 48);

			now = now > UINT64_MAX - step ? UINT64_MAX : now + step;
			if (l.timer_deadline && now >= l.timer_deadline && byte(&s) & 1) {
				vlapic_timer_expire(&l, now);
				CHECK(!l.timer_deadline || l.timer_deadline > now || now == UINT64_MAX);
			}
			break;
		}
		case 9:
			if (byte(&s) == 0x5a)
				vlapic_init_signal(&l);
			break;
		default:
			(void)vlapic_match_dest(&l, (uint32_t)bytes(&s, byte(&s) & 1 ? 4 : 1), byte(&s) & 1);
			break;
		}
		check(&l, now);
	}
	return 0;
}
