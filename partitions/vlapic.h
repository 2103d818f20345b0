/*
 * A virtual local APIC per vCPU (issue 12; docs/lapic.md): the xAPIC page,
 * the x2APIC MSRs, Hyper-V's APIC MSRs, priorities, EOI and the timer, as
 * SDM Vol. 3A chapter 11 has them (x2APIC: 11.12).
 *
 * Pure logic (tests/unit/test_vlapic.c, tests/fuzz/fuzz_vlapic.c): no
 * locks, no hypervisor calls. The caller owns the struct (it holds the VP's
 * lock or runs on its home CPU), passes the time in, and acts on what an
 * access reports in struct vlapic_effect: IPIs, EOIs (level-triggered or a
 * SINT to re-scan), a new timer deadline, the xAPIC page appearing or
 * going away. Delivery to other APICs is the caller's too: it asks each
 * vlapic_match_dest() and calls vlapic_accept() on those that match.
 */
#ifndef PARTITIONS_VLAPIC_H
#define PARTITIONS_VLAPIC_H

#include "core/types.h"
#include "core/abi/childplat.h"

/*
 * Time: `now` is the host TSC (guests read it unchanged); l->tsc_hz converts.
 * The APIC timer counts at VLAPIC_TIMER_HZ (what HV_X64_MSR_APIC_FREQUENCY
 * reports) divided by the DCR divisor.
 */
#define VLAPIC_TIMER_HZ		200000000ull
/* tsc_hz is clamped to [1, VLAPIC_TSC_HZ_MAX] so that the tick conversions cannot overflow. */
#define VLAPIC_TSC_HZ_MAX	(1ull << 34)
/* A periodic timer's shortest period, in microseconds (a guest cannot flood its CPU; KVM's is 200). */
#define VLAPIC_MIN_PERIOD_US	100u

/* The MSRs (SDM Vol. 3A, 11.4.4, 11.5.4.1, 11.12.1.2; TLFS 6.0 for the Hyper-V ones in core/abi/hv_msr.h). */
#define VLAPIC_MSR_APIC_BASE	0x1bu
#define VLAPIC_MSR_TSC_DEADLINE	0x6e0u
#define VLAPIC_MSR_X2APIC_FIRST	0x800u
#define VLAPIC_MSR_X2APIC_LAST	0x8ffu

/* IA32_APIC_BASE (SDM Vol. 3A, Figure 11-5 and 11.12.1). */
#define VLAPIC_BASE_BSP		(1ull << 8)
#define VLAPIC_BASE_EXTD	(1ull << 10)
#define VLAPIC_BASE_EN		(1ull << 11)
#define VLAPIC_BASE_ADDR	0x000ffffffffff000ull

/* Register offsets in the xAPIC page (SDM Vol. 3A, Table 11-1); the x2APIC MSR is 0x800 + offset / 16. */
#define VLAPIC_REG_ID		0x020u
#define VLAPIC_REG_VERSION	0x030u
#define VLAPIC_REG_TPR		0x080u
#define VLAPIC_REG_APR		0x090u
#define VLAPIC_REG_PPR		0x0a0u
#define VLAPIC_REG_EOI		0x0b0u
#define VLAPIC_REG_RRD		0x0c0u
#define VLAPIC_REG_LDR		0x0d0u
#define VLAPIC_REG_DFR		0x0e0u
#define VLAPIC_REG_SVR		0x0f0u
#define VLAPIC_REG_ISR		0x100u	/* 8 registers, 0x10 apart */
#define VLAPIC_REG_TMR		0x180u
#define VLAPIC_REG_IRR		0x200u
#define VLAPIC_REG_ESR		0x280u
#define VLAPIC_REG_LVT_CMCI	0x2f0u
#define VLAPIC_REG_ICR_LO	0x300u
#define VLAPIC_REG_ICR_HI	0x310u
#define VLAPIC_REG_LVT_TIMER	0x320u
#define VLAPIC_REG_LVT_THERMAL	0x330u
#define VLAPIC_REG_LVT_PERF	0x340u
#define VLAPIC_REG_LVT_LINT0	0x350u
#define VLAPIC_REG_LVT_LINT1	0x360u
#define VLAPIC_REG_LVT_ERROR	0x370u
#define VLAPIC_REG_TIMER_ICR	0x380u
#define VLAPIC_REG_TIMER_CCR	0x390u
#define VLAPIC_REG_TIMER_DCR	0x3e0u
#define VLAPIC_REG_SELF_IPI	0x3f0u	/* x2APIC only */
#define VLAPIC_MSR(reg)		(VLAPIC_MSR_X2APIC_FIRST + ((reg) >> 4))

#define VLAPIC_SVR_ENABLE	(1u << 8)
#define VLAPIC_LVT_MASKED	(1u << 16)
#define VLAPIC_TIMER_ONESHOT	0u	/* LVT timer bits 18:17 (SDM Vol. 3A, Table 11-2) */
#define VLAPIC_TIMER_PERIODIC	1u
#define VLAPIC_TIMER_TSC_DEADLINE 2u
/* ESR bits (SDM Vol. 3A, 11.5.3) */
#define VLAPIC_ESR_SEND_ILLEGAL	(1u << 5)
#define VLAPIC_ESR_RECV_ILLEGAL	(1u << 6)

enum { VLAPIC_LVT_TIMER = 0, VLAPIC_LVT_THERMAL, VLAPIC_LVT_PERF, VLAPIC_LVT_LINT0,
       VLAPIC_LVT_LINT1, VLAPIC_LVT_ERROR, VLAPIC_LVT_CMCI };

/*
 * One vCPU's APIC. Register fields hold what the guest reads in xAPIC
 * layout; ID, LDR in x2APIC mode, PPR and the current count are computed
 * when read.
 */
struct vlapic {
	uint32_t id;            /* APIC ID = VP index */
	uint64_t apic_base;     /* IA32_APIC_BASE: base | EN | EXTD (x2APIC) | BSP */
	uint64_t tsc_hz;
	uint32_t tpr, svr, ldr, dfr, esr, esr_pending, icr_lo, icr_hi;
	uint32_t lvt[CHILDPLAT_LAPIC_LVTS];	/* index: VLAPIC_LVT_* */
	uint32_t timer_icr, timer_dcr;
	uint64_t timer_start;    /* TSC when the current count was loaded (one-shot/periodic), 0: not counting */
	uint64_t timer_deadline; /* TSC when it fires next, 0: none (one-shot/periodic/TSC-deadline alike) */
	uint64_t tsc_deadline;   /* IA32_TSC_DEADLINE as written */
	uint32_t irr[8], isr[8], tmr[8];	/* 256-bit each, 32 bits per word as in the xAPIC page */
	uint64_t timer_period;   /* TSC ticks of one period of the count being counted */
	uint32_t timer_div;      /* the divisor it was loaded with */
	/* Set by the caller when CPUID does not offer x2APIC: EXTD is then a reserved bit (#GP). */
	bool x2apic_hidden;
	/* Statistics, kept across INIT: non-architectural MMIO accesses, timer expiries (masked too). */
	uint64_t bad_access;
	uint64_t timer_fires;
};

enum { VLAPIC_IPI_FIXED = 0, VLAPIC_IPI_LOWEST = 1, VLAPIC_IPI_SMI = 2, VLAPIC_IPI_NMI = 4,
       VLAPIC_IPI_INIT = 5, VLAPIC_IPI_SIPI = 6 };
enum { VLAPIC_SH_NONE = 0, VLAPIC_SH_SELF = 1, VLAPIC_SH_ALL = 2, VLAPIC_SH_OTHERS = 3 };

/*
 * An IPI as the ICR says it (SDM Vol. 3A, 11.6.1): mode is ICR bits 10:8
 * as written (3 and 7 are reserved: the caller drops them), level the
 * trigger mode (bit 15: level), assert false only for an INIT level
 * de-assert (mode INIT, bit 14 clear, level-triggered), which the caller
 * ignores (SDM: not supported since the Pentium 4).
 */
struct vlapic_ipi {
	uint8_t vector, mode, shorthand;
	bool logical, level, assert;
	uint32_t dest;		/* x2APIC: 32-bit; xAPIC: ICR[63:56] */
};

/* What an access asks the caller to do beyond the register itself; cleared by each access. */
struct vlapic_effect {
	bool ipi;  struct vlapic_ipi msg;	/* an ICR write (or SELF_IPI, or HV ICR MSR) sent this */
	bool eoi;  uint8_t eoi_vector; bool eoi_level;	/* an EOI retired this ISR vector (level: its TMR bit was set) */
	bool timer_changed;			/* timer_deadline changed: re-read vlapic_timer_deadline() */
	bool mode_changed;			/* apic_base EN/EXTD or the base changed (the xAPIC page moves) */
};

/* Power-on state (SDM Vol. 3A, 11.4.7.1): base 0xFEE00000 | EN (| BSP), SVR 0xFF, LVTs masked, DFR all ones. */
void vlapic_reset(struct vlapic *l, uint32_t apic_id, bool bsp, uint64_t tsc_hz);
/* INIT received: as reset but keeps apic_base and id (11.4.7.3); re-read the timer deadline (now 0). */
void vlapic_init_signal(struct vlapic *l);
/* True when the MMIO page is decoded (EN set, EXTD clear); *gpa = its base. */
bool vlapic_xapic_page(const struct vlapic *l, uint64_t *gpa);

/*
 * xAPIC MMIO, offset within the page, size 1..8. Only aligned 4-byte
 * accesses to a register are architectural: others read 0 or are ignored
 * (and counted in bad_access). MMIO never faults.
 */
void vlapic_mmio_read(struct vlapic *l, uint32_t offset, unsigned size, uint64_t now, uint64_t *val);
void vlapic_mmio_write(struct vlapic *l, uint32_t offset, unsigned size, uint64_t val, uint64_t now,
		       struct vlapic_effect *fx);

/*
 * MSRs: IA32_APIC_BASE, IA32_TSC_DEADLINE, the x2APIC range (x2APIC mode
 * only) and HV_X64_MSR_EOI/ICR/TPR (APIC enabled only). false: #GP
 * (reserved, read-only or write-only register, reserved bits, an illegal
 * IA32_APIC_BASE transition, an MSR not ours).
 */
bool vlapic_msr_is_ours(uint32_t msr);
bool vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *val);
bool vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now, struct vlapic_effect *fx);

/*
 * Does this APIC take a message sent to dest (SDM Vol. 3A, 11.6.2), read
 * in this APIC's mode: physical (x2APIC: 32-bit ID, 0xFFFFFFFF broadcast;
 * xAPIC: 8-bit, 0xFF broadcast) or logical (x2APIC cluster, xAPIC flat or
 * cluster as DFR says). A hardware-disabled APIC takes nothing. The
 * shorthands are the caller's (it knows the sender).
 */
bool vlapic_match_dest(const struct vlapic *l, uint32_t dest, bool logical);
/* A fixed (or lowest-priority) interrupt accepted: IRR (and TMR when level). Vector < 16: ESR instead. */
void vlapic_accept(struct vlapic *l, uint8_t vector, bool level);
/* The vector to inject now, or -1 (nothing above the PPR's class, or software-disabled). */
int vlapic_pending(const struct vlapic *l);
/* The caller injected it: IRR -> ISR. */
void vlapic_ack(struct vlapic *l, uint8_t vector);
/* The register at an xAPIC offset (multiple of 16), for logs: "reserved" for a hole. */
const char *vlapic_reg_name(uint32_t offset);
/* The processor priority (SDM Vol. 3A, 11.8.3.1). */
uint32_t vlapic_ppr(const struct vlapic *l);

/* The TSC deadline of the next timer expiry, 0 for none. */
static inline uint64_t vlapic_timer_deadline(const struct vlapic *l)
{
	return l->timer_deadline;	/* inline: every change of a VP's timers reads it */
}
/*
 * now >= the deadline: the LVT timer's vector into IRR unless masked
 * (counted in timer_fires either way), a periodic timer re-armed from its
 * old deadline (missed periods skipped), one-shot stopped, TSC-deadline
 * cleared. Nothing when not yet due.
 */
void vlapic_timer_expire(struct vlapic *l, uint64_t now);

#endif
