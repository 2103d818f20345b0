/*
 * The virtual local APIC (partitions/vlapic.h, docs/lapic.md): pure logic.
 * Section numbers are SDM Vol. 3A's (chapter 11, x2APIC 11.12).
 */
#include "partitions/vlapic.h"
#include "core/abi/hv_msr.h"
#include "core/lib.h"

#define LVT_RESET		VLAPIC_LVT_MASKED
#define SVR_RESET		0xffu
#define SVR_WRITABLE		0x3ffu		/* vector, enable, focus checking; bit 12 (EOI broadcast suppression) not offered */
#define VERSION_VALUE		(CHILDPLAT_LAPIC_VERSION | (CHILDPLAT_LAPIC_LVTS - 1) << 16)
#define LDR_XAPIC_WRITABLE	0xff000000u
#define DFR_WRITABLE		0xf0000000u
#define DCR_WRITABLE		0xbu
#define ICR_HI_XAPIC_WRITABLE	0xff000000u
#define ICR_LOGICAL		(1u << 11)
#define ICR_ASSERT		(1u << 14)
#define ICR_LEVEL		(1u << 15)
#define ICR_LO_WRITABLE		0x000ccfffu	/* vector, mode, dest mode, level, trigger, shorthand (11.6.1) */
#define ICR_X2APIC_RESERVED	0xfff32000u	/* bits 31:20, 17:16 and 13: #GP, as KVM (bit 12 is ignored) */
#define TIMER_MODE(lvt)		(((lvt) >> 17) & 3u)

static const uint32_t lvt_writable[CHILDPLAT_LAPIC_LVTS] = {
	[VLAPIC_LVT_TIMER]   = 0x700ffu,	/* vector, mask, mode 18:17 */
	[VLAPIC_LVT_THERMAL] = 0x107ffu,	/* vector, delivery mode, mask */
	[VLAPIC_LVT_PERF]    = 0x107ffu,
	[VLAPIC_LVT_LINT0]   = 0x1a7ffu,	/* ... and polarity, trigger mode (remote IRR is read-only) */
	[VLAPIC_LVT_LINT1]   = 0x1a7ffu,
	[VLAPIC_LVT_ERROR]   = 0x100ffu,	/* vector, mask */
	[VLAPIC_LVT_CMCI]    = 0x107ffu,
};

static bool hw_enabled(const struct vlapic *l)
{
	return l->apic_base & VLAPIC_BASE_EN;
}

static bool x2apic(const struct vlapic *l)
{
	return (l->apic_base & (VLAPIC_BASE_EN | VLAPIC_BASE_EXTD)) == (VLAPIC_BASE_EN | VLAPIC_BASE_EXTD);
}

static bool sw_enabled(const struct vlapic *l)
{
	return l->svr & VLAPIC_SVR_ENABLE;
}

/* --- 256-bit vector arrays ------------------------------------------- */

static bool vec_test(const uint32_t *a, unsigned v)
{
	return a[v / 32] >> (v % 32) & 1;
}

static void vec_set(uint32_t *a, unsigned v)
{
	a[v / 32] |= 1u << (v % 32);
}

static void vec_clear(uint32_t *a, unsigned v)
{
	a[v / 32] &= ~(1u << (v % 32));
}

static int vec_highest(const uint32_t *a)
{
	for (int w = 7; w >= 0; w--)
		if (a[w])
			return w * 32 + 31 - __builtin_clz(a[w]);
	return -1;
}

/* --- priorities and errors -------------------------------------------- */

/* 11.8.3.1: PPR = TPR when TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4. */
uint32_t vlapic_ppr(const struct vlapic *l)
{
	int isrv = vec_highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	return (l->tpr & 0xf0) >= isr_class ? l->tpr : isr_class;
}

/*
 * 11.5.3: an error is latched until the next ESR write, and raises the
 * error LVT's vector unless it is masked (straight into IRR: an illegal
 * error vector only loses the interrupt, it cannot recurse).
 */
static void raise_error(struct vlapic *l, uint32_t bit)
{
	uint32_t lvt = l->lvt[VLAPIC_LVT_ERROR];

	l->esr_pending |= bit;
	if (!(lvt & VLAPIC_LVT_MASKED) && (lvt & 0xff) >= 16)
		vec_set(l->irr, lvt & 0xff);
}

/* --- state ------------------------------------------------------------ */

static void timer_stop(struct vlapic *l)
{
	l->timer_start = 0;
	l->timer_deadline = 0;
	l->timer_period = 0;
}

/* The registers' power-up values (11.4.7.1); id, apic_base and the statistics stay. */
static void reset_registers(struct vlapic *l)
{
	l->tpr = 0;
	l->svr = SVR_RESET;
	l->ldr = 0;
	l->dfr = 0xffffffffu;
	l->esr = l->esr_pending = 0;
	l->icr_lo = l->icr_hi = 0;
	for (unsigned i = 0; i < CHILDPLAT_LAPIC_LVTS; i++)
		l->lvt[i] = LVT_RESET;
	l->timer_icr = l->timer_dcr = 0;
	l->tsc_deadline = 0;
	l->timer_div = 2;
	timer_stop(l);
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
}

void vlapic_reset(struct vlapic *l, uint32_t apic_id, bool bsp, uint64_t tsc_hz)
{
	memset(l, 0, sizeof(*l));
	l->id = apic_id;
	l->tsc_hz = tsc_hz < 1 ? 1 : tsc_hz > VLAPIC_TSC_HZ_MAX ? VLAPIC_TSC_HZ_MAX : tsc_hz;
	l->apic_base = CHILDPLAT_LAPIC_GPA | VLAPIC_BASE_EN | (bsp ? VLAPIC_BASE_BSP : 0);
	reset_registers(l);
}

/* 11.4.7.3: INIT leaves the APIC ID (and, 11.12.5.1, the x2APIC mode) alone. */
void vlapic_init_signal(struct vlapic *l)
{
	reset_registers(l);
}

bool vlapic_xapic_page(const struct vlapic *l, uint64_t *gpa)
{
	*gpa = l->apic_base & VLAPIC_BASE_ADDR;
	return hw_enabled(l) && !x2apic(l);
}

/* --- timer (11.5.4) ----------------------------------------------------- */

/*
 * APIC ticks to TSC ticks and back without 128-bit division: ticks is at
 * most 2^39 (count x 128), tsc_hz at most 2^34, so each product fits.
 */
static uint64_t apic_to_tsc(const struct vlapic *l, uint64_t ticks)
{
	return ticks / VLAPIC_TIMER_HZ * l->tsc_hz + ticks % VLAPIC_TIMER_HZ * l->tsc_hz / VLAPIC_TIMER_HZ;
}

static uint64_t tsc_to_apic(const struct vlapic *l, uint64_t tsc)
{
	return tsc / l->tsc_hz * VLAPIC_TIMER_HZ + tsc % l->tsc_hz * VLAPIC_TIMER_HZ / l->tsc_hz;
}

/* now + d, never wrapping (a deadline of 0 would mean none). */
static uint64_t deadline_after(uint64_t now, uint64_t d)
{
	return now > UINT64_MAX - d ? UINT64_MAX : now + d;
}

/* Divide configuration bits 3, 1:0 (Figure 11-10): 000 -> 2 ... 110 -> 128, 111 -> 1. */
static uint32_t dcr_divisor(uint32_t dcr)
{
	uint32_t v = (dcr & 3) | (dcr >> 1 & 4);

	return v == 7 ? 1 : 2u << v;
}

static uint32_t timer_mode(const struct vlapic *l)
{
	return TIMER_MODE(l->lvt[VLAPIC_LVT_TIMER]);
}

/* A write to the initial count (re)loads the counter; 0 stops it. Mode 3 is reserved: it never counts. */
static void timer_load(struct vlapic *l, uint32_t count, uint64_t now)
{
	uint32_t mode = timer_mode(l);
	uint64_t min_period = l->tsc_hz / (1000000 / VLAPIC_MIN_PERIOD_US);

	l->timer_icr = count;
	timer_stop(l);
	if (!count || (mode != VLAPIC_TIMER_ONESHOT && mode != VLAPIC_TIMER_PERIODIC))
		return;
	l->timer_div = dcr_divisor(l->timer_dcr);
	l->timer_period = apic_to_tsc(l, (uint64_t)count * l->timer_div);
	if (mode == VLAPIC_TIMER_PERIODIC && l->timer_period < min_period)
		l->timer_period = min_period;
	if (!l->timer_period)
		l->timer_period = 1;
	l->timer_start = now;
	l->timer_deadline = deadline_after(now, l->timer_period);
}

/* 11.5.4: counts down from the initial count to 0 (one-shot: stays 0; periodic: reloads). */
static uint32_t timer_current(const struct vlapic *l, uint64_t now)
{
	uint64_t left, count;

	if (!l->timer_period || !l->timer_deadline)
		return 0;
	if (now < l->timer_deadline)
		left = l->timer_deadline - now;
	else if (timer_mode(l) == VLAPIC_TIMER_PERIODIC)
		left = l->timer_period - (now - l->timer_deadline) % l->timer_period;
	else
		return 0;
	if (left > l->timer_period)
		left = l->timer_period;
	count = tsc_to_apic(l, left) / l->timer_div;
	return count > l->timer_icr ? l->timer_icr : (uint32_t)count;
}

void vlapic_timer_expire(struct vlapic *l, uint64_t now)
{
	uint32_t lvt = l->lvt[VLAPIC_LVT_TIMER];

	if (!l->timer_deadline || now < l->timer_deadline)
		return;
	l->timer_fires++;
	if (!(lvt & VLAPIC_LVT_MASKED))
		vlapic_accept(l, (uint8_t)lvt, false);
	if (TIMER_MODE(lvt) == VLAPIC_TIMER_PERIODIC && l->timer_period) {
		/* from the old deadline, so the period does not drift; past `now`, so it never lags for ever */
		uint64_t periods = (now - l->timer_deadline) / l->timer_period + 1;
		uint64_t step = periods > UINT64_MAX / l->timer_period ? UINT64_MAX : periods * l->timer_period;

		l->timer_start = deadline_after(l->timer_deadline, step - l->timer_period);
		l->timer_deadline = deadline_after(l->timer_deadline, step);
		return;
	}
	timer_stop(l);
	l->tsc_deadline = 0;	/* 11.5.4.1: the TSC-deadline timer disarms itself and clears the MSR */
}

/* --- IPIs (11.6.1) ---------------------------------------------------- */

static void send_ipi(struct vlapic *l, uint32_t lo, uint32_t dest, struct vlapic_effect *fx)
{
	struct vlapic_ipi m = {
		.vector = (uint8_t)lo,
		.mode = (uint8_t)(lo >> 8 & 7),
		.shorthand = (uint8_t)(lo >> 18 & 3),
		.logical = lo & ICR_LOGICAL,
		.level = lo & ICR_LEVEL,
		.dest = dest,
	};

	m.assert = !(m.mode == VLAPIC_IPI_INIT && m.level && !(lo & ICR_ASSERT));
	if ((m.mode == VLAPIC_IPI_FIXED || m.mode == VLAPIC_IPI_LOWEST) && m.vector < 16) {
		raise_error(l, VLAPIC_ESR_SEND_ILLEGAL);	/* 11.5.3: not sent */
		return;
	}
	fx->ipi = true;
	fx->msg = m;
}

/* --- the register map (Table 11-1, x2APIC Table 11-6) ----------------- */

/* Reads see the register's index (offset / 16); writes return false for #GP (x2APIC only). */
typedef uint32_t (*reg_read_fn)(const struct vlapic *l, unsigned idx, uint64_t now);
typedef bool (*reg_write_fn)(struct vlapic *l, unsigned idx, uint32_t val, uint64_t now,
			     struct vlapic_effect *fx);

#define XAPIC_ONLY	1u	/* no x2APIC MSR (#GP) */
#define X2APIC_ONLY	2u	/* reserved in the xAPIC page */
#define X2APIC_RO	4u	/* read-only in x2APIC mode */

#define FIELD		8u	/* reads the struct vlapic member at `field` */

struct reg {
	const char *name;
	unsigned flags;
	uint16_t field;
	reg_read_fn read;	/* NULL (and not FIELD): write-only */
	reg_write_fn write;	/* NULL: read-only */
};
/* A register that reads a struct vlapic member as it is: flags FIELD (| F's left operand), field, read. */
#define F(member)	FIELD, offsetof(struct vlapic, member), NULL

static uint32_t rd_zero(const struct vlapic *l, unsigned idx, uint64_t now)
{
	(void)l, (void)idx, (void)now;
	return 0;
}

static uint32_t rd_id(const struct vlapic *l, unsigned idx, uint64_t now)
{
	(void)idx, (void)now;
	return x2apic(l) ? l->id : l->id << 24;
}

static uint32_t rd_version(const struct vlapic *l, unsigned idx, uint64_t now)
{
	(void)l, (void)idx, (void)now;
	return VERSION_VALUE;
}

static uint32_t rd_ppr(const struct vlapic *l, unsigned idx, uint64_t now)
{
	(void)idx, (void)now;
	return vlapic_ppr(l);
}

/* 11.12.10.2: the x2APIC LDR is derived from the ID: cluster ID[19:4], bit ID[3:0]. */
static uint32_t rd_ldr(const struct vlapic *l, unsigned idx, uint64_t now)
{
	(void)idx, (void)now;
	return x2apic(l) ? (l->id >> 4) << 16 | 1u << (l->id & 15) : l->ldr;
}

static uint32_t rd_isr(const struct vlapic *l, unsigned idx, uint64_t now)
{
	(void)now;
	return l->isr[idx & 7];
}

static uint32_t rd_tmr(const struct vlapic *l, unsigned idx, uint64_t now)
{
	(void)now;
	return l->tmr[idx & 7];
}

static uint32_t rd_irr(const struct vlapic *l, unsigned idx, uint64_t now)
{
	(void)now;
	return l->irr[idx & 7];
}

/* LVT index of register index 0x2f (CMCI) or 0x32..0x37. */
static unsigned lvt_index(unsigned idx)
{
	return idx == 0x2f ? VLAPIC_LVT_CMCI : idx - 0x32;
}

static uint32_t rd_lvt(const struct vlapic *l, unsigned idx, uint64_t now)
{
	(void)now;
	return l->lvt[lvt_index(idx)];
}

static uint32_t rd_timer_ccr(const struct vlapic *l, unsigned idx, uint64_t now)
{
	(void)idx;
	return timer_current(l, now);
}

static bool wr_tpr(struct vlapic *l, unsigned idx, uint32_t val, uint64_t now, struct vlapic_effect *fx)
{
	(void)idx, (void)now, (void)fx;
	l->tpr = val & 0xff;
	return true;
}

/* 11.8.5: EOI retires the highest ISR bit; x2APIC: a non-zero value is #GP (11.12.1.2). */
static bool wr_eoi(struct vlapic *l, unsigned idx, uint32_t val, uint64_t now, struct vlapic_effect *fx)
{
	int v = vec_highest(l->isr);

	(void)idx, (void)now;
	if (x2apic(l) && val)
		return false;
	if (v < 0)
		return true;
	vec_clear(l->isr, (unsigned)v);
	fx->eoi = true;
	fx->eoi_vector = (uint8_t)v;
	fx->eoi_level = vec_test(l->tmr, (unsigned)v);
	vec_clear(l->tmr, (unsigned)v);
	return true;
}

static bool wr_ldr(struct vlapic *l, unsigned idx, uint32_t val, uint64_t now, struct vlapic_effect *fx)
{
	(void)idx, (void)now, (void)fx;
	l->ldr = val & LDR_XAPIC_WRITABLE;
	return true;
}

static bool wr_dfr(struct vlapic *l, unsigned idx, uint32_t val, uint64_t now, struct vlapic_effect *fx)
{
	(void)idx, (void)now, (void)fx;
	l->dfr = (val & DFR_WRITABLE) | ~DFR_WRITABLE;
	return true;
}

/* 11.4.7.2: software-disabling the APIC masks every LVT (and they stay masked while it is). */
static bool wr_svr(struct vlapic *l, unsigned idx, uint32_t val, uint64_t now, struct vlapic_effect *fx)
{
	(void)idx, (void)now, (void)fx;
	l->svr = val & SVR_WRITABLE;
	if (!sw_enabled(l))
		for (unsigned i = 0; i < CHILDPLAT_LAPIC_LVTS; i++)
			l->lvt[i] |= VLAPIC_LVT_MASKED;
	return true;
}

/* 11.5.3: a write latches the errors since the last one; x2APIC: only 0 may be written. */
static bool wr_esr(struct vlapic *l, unsigned idx, uint32_t val, uint64_t now, struct vlapic_effect *fx)
{
	(void)idx, (void)now, (void)fx;
	if (x2apic(l) && val)
		return false;
	l->esr = l->esr_pending;
	l->esr_pending = 0;
	return true;
}

/* 11.5.4.1: a write that changes the timer mode disarms the timer. */
static bool wr_lvt(struct vlapic *l, unsigned idx, uint32_t val, uint64_t now, struct vlapic_effect *fx)
{
	unsigned i = lvt_index(idx);
	uint32_t old = l->lvt[i];

	(void)now, (void)fx;
	l->lvt[i] = val & lvt_writable[i];
	if (!sw_enabled(l))
		l->lvt[i] |= VLAPIC_LVT_MASKED;
	if (i == VLAPIC_LVT_TIMER && TIMER_MODE(old) != TIMER_MODE(l->lvt[i])) {
		l->timer_icr = 0;
		l->tsc_deadline = 0;
		timer_stop(l);
	}
	return true;
}

/* xAPIC: a write to the low half sends (11.6.1); the x2APIC ICR is one MSR (msr_write_x2apic). */
static bool wr_icr_lo(struct vlapic *l, unsigned idx, uint32_t val, uint64_t now, struct vlapic_effect *fx)
{
	(void)idx, (void)now;
	l->icr_lo = val & ICR_LO_WRITABLE;
	send_ipi(l, l->icr_lo, l->icr_hi >> 24, fx);
	return true;
}

static bool wr_icr_hi(struct vlapic *l, unsigned idx, uint32_t val, uint64_t now, struct vlapic_effect *fx)
{
	(void)idx, (void)now, (void)fx;
	l->icr_hi = val & ICR_HI_XAPIC_WRITABLE;
	return true;
}

/* Ignored in TSC-deadline mode (11.5.4.1). */
static bool wr_timer_icr(struct vlapic *l, unsigned idx, uint32_t val, uint64_t now,
			 struct vlapic_effect *fx)
{
	(void)idx, (void)fx;
	if (timer_mode(l) != VLAPIC_TIMER_TSC_DEADLINE)
		timer_load(l, val, now);
	return true;
}

/* A new divisor applies from the next load of the count. */
static bool wr_timer_dcr(struct vlapic *l, unsigned idx, uint32_t val, uint64_t now,
			 struct vlapic_effect *fx)
{
	(void)idx, (void)now, (void)fx;
	l->timer_dcr = val & DCR_WRITABLE;
	return true;
}

/* 11.12.11: a fixed, edge-triggered IPI to self. */
static bool wr_self_ipi(struct vlapic *l, unsigned idx, uint32_t val, uint64_t now,
			struct vlapic_effect *fx)
{
	(void)idx, (void)now;
	send_ipi(l, (val & 0xff) | VLAPIC_SH_SELF << 18, l->id, fx);
	return true;
}

#define ARRAY8(first, nm, fn) \
	[first] = { nm, 0, 0, fn, NULL }, [first + 1] = { nm, 0, 0, fn, NULL }, \
	[first + 2] = { nm, 0, 0, fn, NULL }, [first + 3] = { nm, 0, 0, fn, NULL }, \
	[first + 4] = { nm, 0, 0, fn, NULL }, [first + 5] = { nm, 0, 0, fn, NULL }, \
	[first + 6] = { nm, 0, 0, fn, NULL }, [first + 7] = { nm, 0, 0, fn, NULL }

/* Indexed by offset / 16 (= x2APIC MSR - 0x800); a hole (no read, no write) is reserved. */
static const struct reg regs[0x40] = {
	[0x02] = { "ID",          X2APIC_RO,   0, rd_id,        NULL },
	[0x03] = { "VERSION",     0,           0, rd_version,   NULL },
	[0x08] = { "TPR",         F(tpr),                       wr_tpr },
	[0x09] = { "APR",         XAPIC_ONLY,  0, rd_zero,      NULL },
	[0x0a] = { "PPR",         0,           0, rd_ppr,       NULL },
	[0x0b] = { "EOI",         0,           0, NULL,         wr_eoi },
	[0x0c] = { "RRD",         XAPIC_ONLY,  0, rd_zero,      NULL },
	[0x0d] = { "LDR",         X2APIC_RO,   0, rd_ldr,       wr_ldr },
	[0x0e] = { "DFR",         XAPIC_ONLY | F(dfr),          wr_dfr },
	[0x0f] = { "SVR",         F(svr),                       wr_svr },
	ARRAY8(0x10, "ISR", rd_isr),
	ARRAY8(0x18, "TMR", rd_tmr),
	ARRAY8(0x20, "IRR", rd_irr),
	[0x28] = { "ESR",         F(esr),                       wr_esr },
	[0x2f] = { "LVT_CMCI",    0,           0, rd_lvt,       wr_lvt },
	[0x30] = { "ICR",         F(icr_lo),                    wr_icr_lo },	/* delivery status reads 0: IPIs leave at once */
	[0x31] = { "ICR_HI",      XAPIC_ONLY | F(icr_hi),       wr_icr_hi },
	[0x32] = { "LVT_TIMER",   0,           0, rd_lvt,       wr_lvt },
	[0x33] = { "LVT_THERMAL", 0,           0, rd_lvt,       wr_lvt },
	[0x34] = { "LVT_PERF",    0,           0, rd_lvt,       wr_lvt },
	[0x35] = { "LVT_LINT0",   0,           0, rd_lvt,       wr_lvt },
	[0x36] = { "LVT_LINT1",   0,           0, rd_lvt,       wr_lvt },
	[0x37] = { "LVT_ERROR",   0,           0, rd_lvt,       wr_lvt },
	[0x38] = { "TIMER_ICR",   F(timer_icr),                 wr_timer_icr },
	[0x39] = { "TIMER_CCR",   0,           0, rd_timer_ccr, NULL },
	[0x3e] = { "TIMER_DCR",   F(timer_dcr),                 wr_timer_dcr },
	[0x3f] = { "SELF_IPI",    X2APIC_ONLY, 0, NULL,         wr_self_ipi },
};
#define X2APIC_ICR_IDX	0x30u

static bool reg_readable(const struct reg *r)
{
	return r->read || (r->flags & FIELD);
}

static uint32_t reg_read(const struct vlapic *l, const struct reg *r, unsigned idx, uint64_t now)
{
	uint32_t v;

	if (r->read)
		return r->read(l, idx, now);
	memcpy(&v, (const char *)l + r->field, sizeof(v));
	return v;
}

/* --- xAPIC MMIO ------------------------------------------------------- */

/* The register an MMIO access reaches, or NULL: only aligned 32-bit accesses are architectural (11.4.1). */
static const struct reg *mmio_reg(const struct vlapic *l, uint32_t offset, unsigned size)
{
	if (!hw_enabled(l) || x2apic(l) || size != 4 || offset % 16 || offset >= 16 * ARRAY_SIZE(regs))
		return NULL;
	return regs[offset / 16].flags & X2APIC_ONLY ? NULL : &regs[offset / 16];
}

void vlapic_mmio_read(struct vlapic *l, uint32_t offset, unsigned size, uint64_t now, uint64_t *val)
{
	const struct reg *r = mmio_reg(l, offset, size);

	*val = 0;
	if (r && reg_readable(r))
		*val = reg_read(l, r, offset / 16, now);
	else
		l->bad_access++;
}

void vlapic_mmio_write(struct vlapic *l, uint32_t offset, unsigned size, uint64_t val, uint64_t now,
		       struct vlapic_effect *fx)
{
	const struct reg *r = mmio_reg(l, offset, size);
	uint64_t deadline = l->timer_deadline;

	memset(fx, 0, sizeof(*fx));
	if (r && r->write)
		(void)r->write(l, offset / 16, (uint32_t)val, now, fx);	/* MMIO cannot fault */
	else
		l->bad_access++;
	fx->timer_changed = l->timer_deadline != deadline;
}

/* --- MSRs ------------------------------------------------------------- */

bool vlapic_msr_is_ours(uint32_t msr)
{
	return msr == VLAPIC_MSR_APIC_BASE || msr == VLAPIC_MSR_TSC_DEADLINE ||
	       (msr >= VLAPIC_MSR_X2APIC_FIRST && msr <= VLAPIC_MSR_X2APIC_LAST) ||
	       msr == HV_X64_MSR_EOI || msr == HV_X64_MSR_ICR || msr == HV_X64_MSR_TPR;
}

/* The x2APIC register an MSR reaches (11.12.1.2), or NULL: #GP outside x2APIC mode and for holes. */
static const struct reg *x2apic_reg(const struct vlapic *l, uint32_t msr)
{
	const struct reg *r;

	if (!x2apic(l) || msr < VLAPIC_MSR_X2APIC_FIRST || msr - VLAPIC_MSR_X2APIC_FIRST >= ARRAY_SIZE(regs))
		return NULL;
	r = &regs[msr - VLAPIC_MSR_X2APIC_FIRST];
	return r->flags & XAPIC_ONLY ? NULL : r;
}

static bool msr_read_x2apic(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val)
{
	const struct reg *r = x2apic_reg(l, msr);
	unsigned idx = msr - VLAPIC_MSR_X2APIC_FIRST;

	if (!r || !reg_readable(r))
		return false;		/* reserved or write-only (EOI, SELF_IPI) */
	*val = idx == X2APIC_ICR_IDX ? (uint64_t)l->icr_hi << 32 | l->icr_lo : reg_read(l, r, idx, now);
	return true;
}

static bool write_icr64(struct vlapic *l, uint64_t val, struct vlapic_effect *fx)
{
	l->icr_hi = x2apic(l) ? (uint32_t)(val >> 32) : (uint32_t)(val >> 32) & ICR_HI_XAPIC_WRITABLE;
	l->icr_lo = (uint32_t)val & ICR_LO_WRITABLE;
	send_ipi(l, l->icr_lo, x2apic(l) ? l->icr_hi : l->icr_hi >> 24, fx);
	return true;
}

/* 11.12.1.2: bits 63:32 of every x2APIC MSR but the ICR are reserved (#GP, as KVM). */
static bool msr_write_x2apic(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now,
			     struct vlapic_effect *fx)
{
	const struct reg *r = x2apic_reg(l, msr);
	unsigned idx = msr - VLAPIC_MSR_X2APIC_FIRST;

	if (!r || !r->write || (r->flags & X2APIC_RO))
		return false;
	if (idx == X2APIC_ICR_IDX)
		return !(val & ICR_X2APIC_RESERVED) && write_icr64(l, val, fx);
	if (val >> 32)
		return false;
	return r->write(l, idx, (uint32_t)val, now, fx);
}

/*
 * 11.12.5, Figure 11-27: disabled <-> xAPIC -> x2APIC -> disabled; EXTD
 * without EN is invalid, and so are x2APIC -> xAPIC and disabled -> x2APIC.
 * Disabling resets the registers (11.4.3). BSP is not the guest's to change.
 */
static bool write_apic_base(struct vlapic *l, uint64_t val, struct vlapic_effect *fx)
{
	uint64_t reserved = ~(VLAPIC_BASE_ADDR | VLAPIC_BASE_EN | VLAPIC_BASE_EXTD | VLAPIC_BASE_BSP);
	bool was_x2 = x2apic(l), was_on = hw_enabled(l);
	bool en = val & VLAPIC_BASE_EN, extd = val & VLAPIC_BASE_EXTD;

	if (l->x2apic_hidden)
		reserved |= VLAPIC_BASE_EXTD;
	if ((val & reserved) || (extd && !en) || (was_x2 && en && !extd) || (!was_on && extd))
		return false;
	val = (val & ~VLAPIC_BASE_BSP) | (l->apic_base & VLAPIC_BASE_BSP);
	fx->mode_changed = val != l->apic_base;
	l->apic_base = val;
	if (!en)
		reset_registers(l);
	return true;
}

/* 11.5.4.1: the MSR reads 0 and ignores writes outside TSC-deadline mode; 0 disarms. */
static void write_tsc_deadline(struct vlapic *l, uint64_t val)
{
	if (!hw_enabled(l) || timer_mode(l) != VLAPIC_TIMER_TSC_DEADLINE)
		return;
	l->tsc_deadline = val;
	l->timer_start = 0;
	l->timer_deadline = val;
}

bool vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val)
{
	switch (msr) {
	case VLAPIC_MSR_APIC_BASE:
		*val = l->apic_base;
		return true;
	case VLAPIC_MSR_TSC_DEADLINE:
		*val = timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE ? l->tsc_deadline : 0;
		return true;
	case HV_X64_MSR_ICR:
		*val = (uint64_t)l->icr_hi << 32 | l->icr_lo;
		return hw_enabled(l);
	case HV_X64_MSR_TPR:
		*val = l->tpr;
		return hw_enabled(l);
	default:		/* HV_X64_MSR_EOI is write-only */
		return msr_read_x2apic(l, msr, now, val);
	}
}

bool vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now, struct vlapic_effect *fx)
{
	uint64_t deadline = l->timer_deadline;
	bool ok;

	memset(fx, 0, sizeof(*fx));
	switch (msr) {
	case VLAPIC_MSR_APIC_BASE:
		ok = write_apic_base(l, val, fx);
		break;
	case VLAPIC_MSR_TSC_DEADLINE:
		write_tsc_deadline(l, val);
		ok = true;
		break;
	case HV_X64_MSR_EOI:	/* TLFS 6.0, APIC access MSRs (hyperv-linux-guest.md 2.1): an EOI, whatever the value */
		ok = hw_enabled(l) && wr_eoi(l, 0, 0, now, fx);
		break;
	case HV_X64_MSR_ICR:
		ok = hw_enabled(l) && write_icr64(l, val, fx);
		break;
	case HV_X64_MSR_TPR:
		ok = hw_enabled(l) && wr_tpr(l, 0, (uint32_t)val, now, fx);
		break;
	default:
		ok = msr_write_x2apic(l, msr, val, now, fx);
		break;
	}
	fx->timer_changed = l->timer_deadline != deadline;
	return ok;
}

/* --- delivery --------------------------------------------------------- */

/* 11.6.2.2 (xAPIC flat and cluster models) and 11.12.10.2 (x2APIC cluster). */
static bool match_logical(const struct vlapic *l, uint32_t dest)
{
	uint32_t ldr = rd_ldr(l, 0, 0);

	if (x2apic(l))
		return dest == 0xffffffffu || (dest >> 16 == ldr >> 16 && (dest & ldr & 0xffff));
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if (l->dfr >> 28 == 0xf)
		return dest & ldr >> 24;
	return dest >> 4 == ldr >> 28 && (dest & ldr >> 24 & 0xf);
}

bool vlapic_match_dest(const struct vlapic *l, uint32_t dest, bool logical)
{
	if (!hw_enabled(l))
		return false;
	if (logical)
		return match_logical(l, dest);
	if (x2apic(l))
		return dest == 0xffffffffu || dest == l->id;
	return (dest & 0xff) == 0xff || (dest & 0xff) == (l->id & 0xff);
}

/* 11.8.4: the TMR bit says the trigger mode of the vector last accepted. */
void vlapic_accept(struct vlapic *l, uint8_t vector, bool level)
{
	if (!hw_enabled(l))
		return;
	if (vector < 16) {
		raise_error(l, VLAPIC_ESR_RECV_ILLEGAL);
		return;
	}
	vec_set(l->irr, vector);
	if (level)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
}

/* 11.8.3: only a class above the PPR's is dispatched; a software-disabled APIC holds IRR (11.4.7.2). */
int vlapic_pending(const struct vlapic *l)
{
	int v = vec_highest(l->irr);

	if (v < 0 || !hw_enabled(l) || !sw_enabled(l) || ((unsigned)v & 0xf0) <= (vlapic_ppr(l) & 0xf0))
		return -1;
	return v;
}

void vlapic_ack(struct vlapic *l, uint8_t vector)
{
	if (!vec_test(l->irr, vector))
		return;
	vec_clear(l->irr, vector);
	vec_set(l->isr, vector);
}

const char *vlapic_reg_name(uint32_t offset)
{
	if (offset % 16 || offset >= 16 * ARRAY_SIZE(regs) || !regs[offset / 16].name)
		return "reserved";
	return regs[offset / 16].name;
}
