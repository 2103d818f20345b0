/*
 * Guest-visible platform policy. CPUID: partitions/cpuid.c decides, from
 * the host's answer, the partition's shape and what the back-end lets
 * guests run. MSRs: a short allow list, then the Hyper-V synthetic MSRs
 * (partitions/tlfs.c); everything else is refused (#GP).
 * I/O ports: the per-partition bitmap; the debug port is the only device a
 * child has today, and the root owns the machine's ports (passed through).
 */
#include "partitions/platform.h"
#include "partitions/lapic.h"
#include "partitions/tlfs.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "core/lib.h"
#include "core/log.h"

/* MSRs (SDM Vol. 4, Table 2-2 "IA-32 Architectural MSRs") */
#define MSR_TIME_STAMP_COUNTER	0x10
#define MSR_BIOS_SIGN_ID	0x8b		/* microcode revision; a write asks for an update */
#define MSR_MTRRCAP		0xfe
#define MSR_MTRR_DEF_TYPE	0x2ff

/* IA32_APIC_BASE (SDM Vol. 3A, "Local APIC Status and Location") */
#define APIC_BASE_DEFAULT	0xfee00000ull
#define APIC_BASE_BSP		(1ull << 8)
#define APIC_BASE_ENABLE	(1ull << 11)

/* IA32_MTRR_DEF_TYPE (SDM Vol. 3A, "IA32_MTRR_DEF_TYPE MSR"): MTRRs on, fixed ranges on, WB */
#define MTRR_DEF_ENABLE		(1ull << 11)
#define MTRR_DEF_FIXED_ENABLE	(1ull << 10)
#define MTRR_TYPE_WB		6ull

static void set_result(uint64_t *r, const struct cpuid_regs *c)
{
	r[GPR_RAX] = c->eax;
	r[GPR_RBX] = c->ebx;
	r[GPR_RCX] = c->ecx;
	r[GPR_RDX] = c->edx;
}

/* The host's highest basic and extended leaves: the same on every CPU, so read once. */
static void host_max_leaves(uint32_t *basic, uint32_t *ext)
{
	static uint32_t max_basic, max_ext;	/* max_basic 0: not read yet */
	uint32_t b = __atomic_load_n(&max_basic, __ATOMIC_ACQUIRE);

	if (!b) {		/* racing CPUs store the same values */
		__atomic_store_n(&max_ext, cpuid(0x80000000, 0).eax, __ATOMIC_RELAXED);
		b = cpuid(0, 0).eax;
		__atomic_store_n(&max_basic, b, __ATOMIC_RELEASE);
	}
	*basic = b;
	*ext = __atomic_load_n(&max_ext, __ATOMIC_RELAXED);
}

void platform_cpuid_host(struct vp *vp)
{
	uint64_t *r = vp->vcpu.gpr;
	uint32_t leaf = (uint32_t)r[GPR_RAX], subleaf = (uint32_t)r[GPR_RCX];
	struct cpuid_view view;
	struct cpuid_regs c;

	view = (struct cpuid_view){
		.vp_index = vp_index_val(vp->vcpu.index),
		.vp_count = vp->vcpu.part->nvps,
		.rdtscp = vcpu_ops->caps->rdtscp,
		.invpcid = vcpu_ops->caps->invpcid,
		.cr4 = vcpu_ops->caps->cr4,
		.lapic = vp->vcpu.part->lapic,
	};
	host_max_leaves(&view.max_basic, &view.max_ext);
	c = cpuid(leaf, subleaf);
	cpuid_adjust(&view, leaf, subleaf, &c);
	set_result(r, &c);
}

/* ---- the CPU's own MSRs that every 64-bit OS writes (SDM Vol. 4, Table 2-2) ---- */

#define EFER_GUEST_BITS	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

static bool canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* Memory types 0, 1, 4, 5, 6, 7 in each byte (SDM Vol. 3A, 12.12.2): 2, 3 and 8 up #GP. */
static bool pat_valid(uint64_t pat)
{
	for (unsigned i = 0; i < 8; i++) {
		uint8_t t = (uint8_t)(pat >> (i * 8));

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

static bool is_backend_msr(uint32_t msr)
{
	switch (msr) {
	case MSR_KERNEL_GS_BASE:
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SFMASK:
	case MSR_SYSENTER_CS:
	case MSR_SYSENTER_ESP:
	case MSR_SYSENTER_EIP:
		return true;
	default:
		return false;
	}
}

/* EFER, the FS and GS bases, PAT: in the guest's state. false: not one of them. */
static bool state_msr_read(struct vp *vp, uint32_t msr, uint64_t *val)
{
	struct vcpu_state s;

	if (msr != MSR_EFER && msr != MSR_FS_BASE && msr != MSR_GS_BASE && msr != MSR_PAT)
		return false;
	vcpu_ops->get_state(&vp->vcpu, &s);
	*val = msr == MSR_EFER ? s.efer : msr == MSR_FS_BASE ? s.fs.base :
	       msr == MSR_GS_BASE ? s.gs.base : s.pat;
	return true;
}

/*
 * *ok false: #GP. EFER: a reserved bit, or LME changed while paging is on
 * (SDM Vol. 3A, 10.8.5); LMA is the CPU's and keeps its value. A base must
 * be canonical.
 */
static bool state_msr_write(struct vp *vp, uint32_t msr, uint64_t val, bool *ok)
{
	struct vcpu_state s;

	if (msr != MSR_EFER && msr != MSR_FS_BASE && msr != MSR_GS_BASE && msr != MSR_PAT)
		return false;
	vcpu_ops->get_state(&vp->vcpu, &s);
	*ok = false;
	if (msr == MSR_EFER) {
		if ((val & ~EFER_GUEST_BITS) ||
		    ((s.cr0 & CR0_PG) && ((val ^ s.efer) & EFER_LME)))
			return true;
		s.efer = (val & ~EFER_LMA) | (s.efer & EFER_LMA);
	} else if (msr == MSR_PAT) {
		if (!pat_valid(val))
			return true;
		s.pat = val;
	} else {
		if (!canonical(val))
			return true;
		if (msr == MSR_FS_BASE)
			s.fs.base = val;
		else
			s.gs.base = val;
	}
	vcpu_ops->set_state(&vp->vcpu, &s);
	*ok = true;
	return true;
}

static bool backend_msr_write(struct vp *vp, uint32_t msr, uint64_t val)
{
	bool address = msr == MSR_KERNEL_GS_BASE || msr == MSR_LSTAR || msr == MSR_CSTAR ||
		       msr == MSR_SYSENTER_ESP || msr == MSR_SYSENTER_EIP;

	if (address && !canonical(val))
		return false;
	/*
	 * SFMASK's bits 63:32 are reserved (SDM Vol. 4; APM Vol. 2, 6.1.1): VT-x
	 * loads the value into the CPU's own MSR, where they would fault.
	 */
	if (msr == MSR_SFMASK && val >> 32)
		return false;
	vcpu_ops->msr_set(&vp->vcpu, msr, val);
	return true;
}

/*
 * MSRs whose writes change nothing: AMD's northbridge configuration
 * (0xC001001F, reads 0), which Linux reads and writes without a fault
 * handler to turn on extended PCI configuration through 0xCF8 (there is
 * no PCI), and IA32_MISC_ENABLE (below).
 */
static bool is_inert_msr(uint32_t msr)
{
	return msr == 0xc001001fu || msr == MSR_MISC_ENABLE;
}

/*
 * IA32_MISC_ENABLE (SDM Vol. 4, Table 2-2), which Intel's CPU code (the
 * decompressor's verify_cpu first) reads without a fault handler: fast
 * strings on, branch trace and PEBS unavailable, XD not disabled, CPUID
 * not limited. Writes change nothing.
 */
#define MISC_ENABLE_VALUE	((1ull << 0) | (1ull << 11) | (1ull << 12))

bool platform_msr_read(struct vp *vp, uint32_t msr, uint64_t *val)
{
	if (is_inert_msr(msr)) {
		*val = msr == MSR_MISC_ENABLE ? MISC_ENABLE_VALUE : 0;
		return true;
	}
	if (is_backend_msr(msr)) {
		*val = vcpu_ops->msr_get(&vp->vcpu, msr);
		return true;
	}
	if (state_msr_read(vp, msr, val))
		return true;
	if (vp->vcpu.part->lapic && lapic_msr_is_ours(vp, msr))	/* no call for the others */
		return lapic_msr_read(vp, msr, val);
	switch (msr) {
	case MSR_TIME_STAMP_COUNTER:
		*val = rdtsc();
		return true;
	case MSR_APIC_BASE:		/* xAPIC at the default address */
		*val = APIC_BASE_DEFAULT | APIC_BASE_ENABLE |
		       (vp_index_val(vp->vcpu.index) == 0 ? APIC_BASE_BSP : 0);
		return true;
	case MSR_BIOS_SIGN_ID:
	case MSR_MTRRCAP:			/* no variable or fixed MTRRs */
		*val = 0;
		return true;
	case MSR_MTRR_DEF_TYPE:
		*val = MTRR_DEF_ENABLE | MTRR_DEF_FIXED_ENABLE | MTRR_TYPE_WB;
		return true;
	case MSR_TSC_AUX:			/* exists where RDTSCP does */
		*val = vp->vcpu.tsc_aux;
		return vcpu_ops->caps->rdtscp;
	default:
		if (msr >= HV_MSR_SCONTROL && msr <= HV_MSR_STIMER3_COUNT)
			return synic_msr_read(vp, msr, val);
		return tlfs_msr_read(vp, msr, val);
	}
}

bool platform_msr_write(struct vp *vp, uint32_t msr, uint64_t val)
{
	bool ok;

	if (is_inert_msr(msr))
		return true;
	if (is_backend_msr(msr))
		return backend_msr_write(vp, msr, val);
	if (state_msr_write(vp, msr, val, &ok))
		return ok;
	if (vp->vcpu.part->lapic && lapic_msr_is_ours(vp, msr))
		return lapic_msr_write(vp, msr, val);
	switch (msr) {
	case MSR_BIOS_SIGN_ID:			/* microcode update trigger: ignored */
		return true;
	case MSR_TSC_AUX:			/* bits 63:32 are reserved (#GP) */
		if (!vcpu_ops->caps->rdtscp || val >> 32)
			return false;
		vp->vcpu.tsc_aux = (uint32_t)val;	/* run() loads it before the next entry */
		return true;
	default:
		if (msr >= HV_MSR_SCONTROL && msr <= HV_MSR_STIMER3_COUNT)
			return synic_msr_write(vp, msr, val);
		return tlfs_msr_write(vp, msr, val);
	}
}

/*
 * A guest's lines go to the shared log. They wait in its ring, so no CPU
 * waits on the serial port, but the port is slow: at 115200 baud a
 * character takes about 87 us, a line of 60 about 5 ms, some 20 lines per
 * 100 ms for everyone together. Each partition's lines are charged to its
 * share of the ring (core/log.h): it may have LOG_SHARE_BYTES waiting to
 * be sent, and shares of all partitions together fit in the guests' room,
 * so a partition that logs faster than the port sends loses its own lines
 * only, never another's or the hypervisor's. They are counted and said,
 * in a note charged to the same share, at most every DBG_NOTE_US; what is
 * left unsaid is in the partition's last statistics.
 */
#define DBG_NOTE_US	100000

_Static_assert(PART_MAX * LOG_SHARE_BYTES <= LOG_GUEST_ROOM,
	       "every partition's share fits in the guests' room of the log");

/*
 * Under p->lock: say how many lines were dropped, if that is due. False
 * when it is due but does not fit yet: the next line waits behind it (is
 * dropped too), or shorter lines would keep taking the room it needs.
 */
static bool debug_note_dropped(struct partition *p)
{
	uint64_t now = rdtsc();

	if (!p->dbg_dropped || now - p->dbg_noted < tsc_us_to_ticks(DBG_NOTE_US))
		return true;
	if (!log_share_msg(&p->dbg_share, LOG_WARN,
			   "[%s] %u lines dropped (more than %u bytes waiting for the serial port)",
			   p->name, p->dbg_dropped, LOG_SHARE_BYTES))
		return false;
	p->dbg_dropped = 0;
	p->dbg_noted = now;
	return true;
}

/* Under p->lock: the line assembled so far goes to the log. */
static void debug_line_end(struct partition *p)
{
	p->dbg_line[p->dbg_len] = '\0';
	p->dbg_len = 0;
	if (!debug_note_dropped(p) ||
	    !log_share_msg(&p->dbg_share, LOG_INFO, "[%s] %s", p->name, p->dbg_line))
		p->dbg_dropped++;
}

static void debug_putc(struct partition *p, char c)
{
	spin_lock(&p->lock);
	if (c != '\n' && c != '\r' && p->dbg_len < sizeof(p->dbg_line) - 1)
		p->dbg_line[p->dbg_len++] = (c >= 0x20 && c < 0x7f) ? c : '?';
	if (c == '\n' || p->dbg_len == sizeof(p->dbg_line) - 1)
		debug_line_end(p);
	spin_unlock(&p->lock);
}

void platform_debug_flush(struct partition *p)
{
	spin_lock(&p->lock);
	if (p->dbg_len)
		debug_line_end(p);
	spin_unlock(&p->lock);
}

/*
 * The root partition owns the machine's ports (COM1 among them): its
 * accesses are made on the hardware as it made them. The back-ends still
 * intercept every port; letting the root's through in the I/O bitmaps
 * comes with the intercept path (docs/root.md).
 */
static bool io_passthrough(uint16_t port, uint8_t size, bool in, uint32_t *val)
{
	if (in)
		*val = size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
	else if (size == 1)
		outb(port, (uint8_t)*val);
	else if (size == 2)
		outw(port, (uint16_t)*val);
	else
		outl(port, *val);
	return true;
}

bool platform_io(struct vp *vp, uint16_t port, uint8_t size, bool in, uint32_t *val)
{
	struct partition *p = vp->vcpu.part;

	if (port == PART_DEBUG_PORT) {
		if (in)
			*val = 0xe9;		/* Bochs's port-e9 convention: reads give 0xe9 */
		else
			debug_putc(p, (char)*val);
		return true;
	}
	if (partition_is_root(p))
		return io_passthrough(port, size, in, val);
	return false;
}

bool platform_mmio(struct vp *vp, const struct vm_exit *e)
{
	return lapic_mmio(vp, e);	/* the local APIC's page; everything else is the root's */
}
