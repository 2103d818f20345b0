/*
 * The Hyper-V guest identity's MSRs (TLFS 6.0: "Reporting the Guest OS
 * Identity", 3.13 "Establishing the Hypercall Interface", "Virtual
 * Processor Index", "Virtual Processor Run Time Register", "Partition
 * Reference Counter"; numbers and fields in core/abi/hv_msr.h; the
 * whole story in docs/tlfs.md). One const table: each MSR with the privilege that
 * opens it (TLFS "Partition Privilege Flags": without it the MSR is not
 * there, #GP) and its read and write; no write means read-only (#GP).
 *
 * The hypercall page. The TLFS makes it an overlay that covers whatever
 * is at its GPA; this hypervisor maps nothing but the partition's own
 * memory (docs/architecture.md, "Memory"), so it writes the page into
 * that memory instead, as KVM does: VMCALL or VMMCALL, RET, and INT3 for
 * the rest of the page. A GPA outside the partition's memory is "beyond
 * the bounds of the GPA space", and the write raises #GP (TLFS). The
 * guest can write the page afterwards (the TLFS would raise #GP); that
 * only harms itself.
 */
#include "partitions/tlfs.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "core/abi/hv_msr.h"
#include "core/abi/hypercall.h"
#include "core/lib.h"

#define INT3	0xcc
#define RET	0xc3

struct tlfs_msr {
	uint32_t msr;
	uint64_t privilege;				/* HV_PRIV_* that opens it (0: always open) */
	uint64_t (*read)(struct vp *vp);
	bool (*write)(struct vp *vp, uint64_t val);	/* NULL: read-only */
};

/*
 * Fill the hypercall page: the hypercall instruction and RET at offset 0
 * (Linux calls the start of the page, hyperv-linux-guest.md 3.1), INT3
 * everywhere else. Each byte is written once, with its final value, so a
 * page enabled again (every VP of a partition may enable it) never holds
 * anything else, even for a moment, while another VP calls it. The page
 * is 4 KiB aligned, so it lies in one 2 MiB chunk and each write below is
 * whole or nothing.
 */
static bool write_hypercall_page(struct partition *p, uint64_t gpa)
{
	uint8_t code[sizeof(vcpu_ops->hypercall_insn) + 1], fill[256];
	uint64_t off = sizeof(code);

	memcpy(code, vcpu_ops->hypercall_insn, sizeof(vcpu_ops->hypercall_insn));
	code[sizeof(vcpu_ops->hypercall_insn)] = RET;
	if (!partition_write(p, to_gpa(gpa), code, sizeof(code)))
		return false;
	memset(fill, INT3, sizeof(fill));
	for (; off < PAGE_SIZE; off += sizeof(fill))
		if (!partition_write(p, to_gpa(gpa + off), fill, MIN(sizeof(fill), PAGE_SIZE - off)))
			return false;
	return true;
}

static uint64_t read_guest_os_id(struct vp *vp)
{
	return __atomic_load_n(&vp->vcpu.part->guest_os_id, __ATOMIC_RELAXED);
}

/*
 * Any value. Zero disables the hypercall page ("if the guest OS identity
 * is cleared to zero after the hypercall page has been enabled, it will
 * become disabled"), unless the hypercall MSR is locked: then nothing
 * changes it.
 */
static bool write_guest_os_id(struct vp *vp, uint64_t val)
{
	struct partition *p = vp->vcpu.part;

	spin_lock(&p->lock);
	__atomic_store_n(&p->guest_os_id, val, __ATOMIC_RELAXED);
	if (!val && !(p->hypercall_msr & HV_HYPERCALL_MSR_LOCKED))
		__atomic_store_n(&p->hypercall_msr, p->hypercall_msr & ~HV_HYPERCALL_MSR_ENABLE,
				 __ATOMIC_RELAXED);
	spin_unlock(&p->lock);
	return true;
}

static uint64_t read_hypercall(struct vp *vp)
{
	return __atomic_load_n(&vp->vcpu.part->hypercall_msr, __ATOMIC_RELAXED);
}

/*
 * TLFS 3.13: the enable bit stays 0 while the guest OS id is 0 (the
 * write itself succeeds); an enable at a GPA outside the partition's
 * memory raises #GP and changes nothing; a locked MSR stays as it is, and
 * a write to it raises #GP (our choice: the TLFS only says it is
 * immutable). RsvdP bits 11:2 are kept as written. Enabling (again)
 * writes the page, so a guest that overwrote it gets it back.
 */
static bool write_hypercall(struct vp *vp, uint64_t val)
{
	struct partition *p = vp->vcpu.part;
	uint64_t gpa = val & HV_HYPERCALL_MSR_GPA_MASK;
	bool ok = true;

	if ((val & HV_HYPERCALL_MSR_ENABLE) && !partition_owns_page(p, to_gpa(gpa)))
		return false;
	spin_lock(&p->lock);
	if (p->hypercall_msr & HV_HYPERCALL_MSR_LOCKED)
		ok = false;
	else if (!p->guest_os_id)
		val &= ~HV_HYPERCALL_MSR_ENABLE;
	if (ok && (val & HV_HYPERCALL_MSR_ENABLE))
		ok = write_hypercall_page(p, gpa);
	if (ok)
		__atomic_store_n(&p->hypercall_msr, val, __ATOMIC_RELAXED);
	spin_unlock(&p->lock);
	return ok;
}

static uint64_t read_vp_index(struct vp *vp)
{
	return vp_index_val(vp->vcpu.index);
}

/* TSC ticks in 100 ns units, exact in 64 bits: whole milliseconds and the rest apart. */
static uint64_t ticks_to_100ns(uint64_t ticks)
{
	uint64_t khz = tsc_khz(), per_ms = HV_REF_COUNT_HZ / 1000;

	return ticks / khz * per_ms + ticks % khz * per_ms / khz;
}

/*
 * 100 ns units since the partition was created, from the TSC, which runs
 * at one rate on every CPU and with which the scheduler already compares
 * times across CPUs: so every VP reads the same, rising count.
 */
static uint64_t read_time_ref_count(struct vp *vp)
{
	return ticks_to_100ns(rdtsc() - vp->vcpu.part->created_tsc);
}

/*
 * The time this VP has run in guest mode, in 100 ns units: the
 * scheduler's sum, which it adds to at the end of each of the VP's turns
 * on its CPU (a HLT, a preemption), so it lags by the turn in progress.
 */
static uint64_t read_vp_runtime(struct vp *vp)
{
	return ticks_to_100ns(vp->stats.guest_ticks);
}

/*
 * HV_X64_MSR_VP_ASSIST_PAGE: Linux writes it on every CPU as it comes
 * online whatever CPUID offers (hyperv-linux-guest.md 2.1), so it is
 * accepted and kept for every partition: enable (bit 0) and a GPA (63:12);
 * bits 11:1 are reserved (#GP). Nothing is put in the page: no lazy EOI
 * is offered (CPUID 0x40000004 says so), so its apic_assist bit stays 0.
 */
static uint64_t read_vp_assist_page(struct vp *vp)
{
	return vp->vp_assist_msr;
}

static bool write_vp_assist_page(struct vp *vp, uint64_t val)
{
	if (val & HV_VP_ASSIST_PAGE_RSVD)
		return false;
	vp->vp_assist_msr = val;
	return true;
}

/* floor(2^64 * 10^7 / tsc_hz), by long division: 10^7 < tsc_hz, so it fits in 64 bits. */
static uint64_t reference_tsc_scale(uint64_t tsc_hz)
{
	uint64_t q = 0, r = HV_REF_COUNT_HZ;

	for (int i = 0; i < 64; i++) {
		r <<= 1;
		q <<= 1;
		if (r >= tsc_hz) {
			r -= tsc_hz;
			q |= 1;
		}
	}
	return q;
}

/*
 * The page as TLFS 12.7.3 has it, written into the partition's memory (as
 * the hypercall page is). The scale and offset never change (the TSC runs
 * at one rate, partition-wide), so one fill serves for the partition's
 * life: the sequence (1) goes last, after the values it vouches for.
 * offset = -(created_tsc * scale >> 64), so the page gives the count of
 * HV_X64_MSR_TIME_REF_COUNT, within one unit of rounding.
 */
static bool write_reference_tsc_page(struct partition *p, uint64_t gpa)
{
	uint64_t scale = reference_tsc_scale(tsc_khz() * 1000);
	struct hv_reference_tsc_page pg = {
		.tsc_sequence = 0,
		.tsc_scale = scale,
		.tsc_offset = -(int64_t)(uint64_t)(((unsigned __int128)p->created_tsc * scale) >> 64),
	};
	uint32_t seq = 1;

	return partition_write(p, to_gpa(gpa), &pg, sizeof(pg)) &&
	       partition_write(p, to_gpa(gpa), &seq, sizeof(seq));
}

static uint64_t read_reference_tsc(struct vp *vp)
{
	return __atomic_load_n(&vp->vcpu.part->reference_tsc_msr, __ATOMIC_RELAXED);
}

/* A GPA outside the partition's memory is refused (#GP), as for the hypercall page. */
static bool write_reference_tsc(struct vp *vp, uint64_t val)
{
	struct partition *p = vp->vcpu.part;
	uint64_t gpa = val & HV_REFERENCE_TSC_GPA_MASK;
	bool ok = true;

	if ((val & HV_REFERENCE_TSC_ENABLE) && !partition_owns_page(p, to_gpa(gpa)))
		return false;
	spin_lock(&p->lock);
	if (val & HV_REFERENCE_TSC_ENABLE)
		ok = write_reference_tsc_page(p, gpa);
	if (ok)
		__atomic_store_n(&p->reference_tsc_msr, val, __ATOMIC_RELAXED);
	spin_unlock(&p->lock);
	return ok;
}

/* P0-P4: kept per partition (what the guest says about its crash). */
static uint64_t *crash_param(struct vp *vp, uint32_t msr)
{
	return &vp->vcpu.part->crash_params[msr - HV_X64_MSR_CRASH_P0];
}

static uint64_t read_crash_ctl(struct vp *vp)
{
	(void)vp;
	return HV_CRASH_CTL_CRASH_NOTIFY;	/* the notifications that exist */
}

/*
 * CRASH_NOTIFY: the guest has crashed and says so (Linux: at a panic, with
 * the panic's code in P0 and its arguments in P1-P4). The partition ends
 * crashed, as for a triple fault, and the log has what it said.
 */
static bool write_crash_ctl(struct vp *vp, uint64_t val)
{
	struct partition *p = vp->vcpu.part;
	char why[128];

	if (val & HV_CRASH_CTL_CRASH_NOTIFY) {
		fmt_snprintf(why, sizeof(why), "the guest reported a crash: P0-P4 %lx %lx %lx %lx %lx",
			     p->crash_params[0], p->crash_params[1], p->crash_params[2],
			     p->crash_params[3], p->crash_params[4]);
		partition_crash(p, vp, why);
	}
	return true;
}

static uint64_t read_tsc_frequency(struct vp *vp)
{
	(void)vp;
	return tsc_khz() * 1000;
}

static uint64_t read_apic_frequency(struct vp *vp)
{
	(void)vp;
	return PLATFORM_APIC_TIMER_HZ;
}

#define CRASH_PARAM_FNS(n)							\
	static uint64_t read_crash_p##n(struct vp *vp)				\
	{									\
		return *crash_param(vp, HV_X64_MSR_CRASH_P0 + n);		\
	}									\
	static bool write_crash_p##n(struct vp *vp, uint64_t val)		\
	{									\
		*crash_param(vp, HV_X64_MSR_CRASH_P0 + n) = val;		\
		return true;							\
	}
CRASH_PARAM_FNS(0)
CRASH_PARAM_FNS(1)
CRASH_PARAM_FNS(2)
CRASH_PARAM_FNS(3)
CRASH_PARAM_FNS(4)
#define CRASH_PARAM(n)	{ HV_X64_MSR_CRASH_P0 + n, 0, read_crash_p##n, write_crash_p##n }

static const struct tlfs_msr tlfs_msrs[] = {
	{ HV_X64_MSR_GUEST_OS_ID, HV_PRIV_ACCESS_HYPERCALL_MSRS, read_guest_os_id, write_guest_os_id },
	{ HV_X64_MSR_HYPERCALL, HV_PRIV_ACCESS_HYPERCALL_MSRS, read_hypercall, write_hypercall },
	{ HV_X64_MSR_VP_INDEX, HV_PRIV_ACCESS_VP_INDEX, read_vp_index, NULL },
	{ HV_X64_MSR_VP_RUNTIME, HV_PRIV_ACCESS_VP_RUNTIME, read_vp_runtime, NULL },
	{ HV_X64_MSR_TIME_REF_COUNT, HV_PRIV_ACCESS_PARTITION_REF_COUNTER, read_time_ref_count, NULL },
	{ HV_X64_MSR_REFERENCE_TSC, HV_PRIV_ACCESS_PARTITION_REF_TSC, read_reference_tsc,
	  write_reference_tsc },
	{ HV_X64_MSR_TSC_FREQUENCY, HV_PRIV_ACCESS_FREQUENCY_REGS, read_tsc_frequency, NULL },
	{ HV_X64_MSR_APIC_FREQUENCY, HV_PRIV_ACCESS_FREQUENCY_REGS, read_apic_frequency, NULL },
	{ HV_X64_MSR_VP_ASSIST_PAGE, 0, read_vp_assist_page, write_vp_assist_page },
	CRASH_PARAM(0), CRASH_PARAM(1), CRASH_PARAM(2), CRASH_PARAM(3), CRASH_PARAM(4),
	{ HV_X64_MSR_CRASH_CTL, 0, read_crash_ctl, write_crash_ctl },
};

/* The MSR's entry if the partition may use it at all; NULL otherwise. */
static const struct tlfs_msr *lookup(const struct vp *vp, uint32_t msr)
{
	for (size_t i = 0; i < sizeof(tlfs_msrs) / sizeof(tlfs_msrs[0]); i++) {
		const struct tlfs_msr *m = &tlfs_msrs[i];

		if (m->msr == msr)
			return (vp->vcpu.part->privileges & m->privilege) == m->privilege ? m : NULL;
	}
	return NULL;
}

bool tlfs_msr_read(struct vp *vp, uint32_t msr, uint64_t *val)
{
	const struct tlfs_msr *m = lookup(vp, msr);

	if (!m)
		return false;
	*val = m->read(vp);
	return true;
}

bool tlfs_msr_write(struct vp *vp, uint32_t msr, uint64_t val)
{
	const struct tlfs_msr *m = lookup(vp, msr);

	return m && m->write && m->write(vp, val);
}

bool partition_preset_hypercall_page(struct partition *p, gpa_t gpa)
{
	if (!partition_owns_page(p, gpa))
		return false;
	spin_lock(&p->lock);
	__atomic_store_n(&p->hypercall_msr, gpa_val(gpa), __ATOMIC_RELAXED);
	spin_unlock(&p->lock);
	return true;
}
