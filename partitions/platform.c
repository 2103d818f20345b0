/*
 * Guest-visible platform policy. CPUID: the host's values with VMX/SVM
 * hidden and the hypervisor-present bit set (CPUID.1:ECX[31], reserved for
 * hypervisors), plus the hypervisor leaves at 0x40000000. MSRs: a short
 * allow list; everything else is refused (#GP). I/O ports: the per-partition
 * bitmap; the debug port is the only device a partition has today.
 */
#include "partitions/platform.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "core/lib.h"
#include "core/log.h"

static void set_result(uint64_t *r, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	r[GPR_RAX] = a;
	r[GPR_RBX] = b;
	r[GPR_RCX] = c;
	r[GPR_RDX] = d;
}

/* The hypervisor leaves: the vendor leaf, and zeros until the Hyper-V interface fills them. */
static void hypervisor_leaf(uint64_t *r, uint32_t leaf)
{
	if (leaf == 0x40000000)
		set_result(r, 0x40000001, HV_CPUID_VENDOR_EBX, HV_CPUID_VENDOR_ECX,
			   HV_CPUID_VENDOR_EDX);
	else
		set_result(r, 0, 0, 0, 0);
}

void platform_cpuid(struct vp *vp)
{
	uint64_t *r = vp->vcpu.gpr;
	uint32_t leaf = (uint32_t)r[GPR_RAX];
	struct cpuid_regs h;

	if ((leaf & 0xf0000000) == 0x40000000) {
		hypervisor_leaf(r, leaf);
		return;
	}
	h = cpuid(leaf, (uint32_t)r[GPR_RCX]);
	switch (leaf) {
	case 1:
		h.ecx &= ~(1u << 5 | 1u << 6);	/* VMX, SMX: CR4.VMXE/SMXE are refused */
		h.ecx &= ~(1u << 3);		/* MONITOR/MWAIT: not offered */
		h.ecx |= 1u << 31;		/* hypervisor present */
		/* XSAVE state (AVX and up) is not switched between guests yet: hide it */
		h.ecx &= ~(1u << 26 | 1u << 27 | 1u << 28 | 1u << 12 | 1u << 29);
		h.ebx = (h.ebx & 0x00ffffff) | vp->vcpu.index << 24;	/* initial APIC id */
		break;
	case 7:					/* AVX2 and AVX-512 need XSAVE */
		if ((uint32_t)r[GPR_RCX] == 0) {
			h.ebx &= ~(1u << 5 | 1u << 16 | 1u << 17 | 1u << 21 | 1u << 26 |
				   1u << 27 | 1u << 28 | 1u << 30 | 1u << 31);
			/* AVX-512 extras, and PKU: PKRU is not switched either */
			h.ecx &= ~(1u << 1 | 1u << 3 | 1u << 4 | 1u << 6 | 1u << 11 | 1u << 12 |
				   1u << 14);
			h.edx &= ~(1u << 2 | 1u << 3 | 1u << 8 | 1u << 23);
			/* state core/cr.c refuses to enable: CET, Key Locker, PKS, UINTR */
			h.ecx &= ~(1u << 7 | 1u << 23 | 1u << 31);
			h.edx &= ~(1u << 5 | 1u << 20);
		}
		break;
	case 0xd:				/* XSAVE features: none */
		h = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	case 0x80000001:
		h.ecx &= ~(1u << 2);		/* SVM */
		break;
	case 0x8000000a:			/* SVM features */
		h = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	default:
		break;
	}
	set_result(r, h.eax, h.ebx, h.ecx, h.edx);
}

bool platform_msr_read(struct vp *vp, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case 0x10:				/* TSC */
		*val = rdtsc();
		return true;
	case 0x1b:				/* APIC base: xAPIC at the default address */
		*val = 0xfee00800ull | (vp->vcpu.index == 0 ? 0x100 : 0);
		return true;
	case 0x8b:				/* microcode revision */
	case 0xfe:				/* MTRR capabilities: none */
		*val = 0;
		return true;
	case 0x2ff:				/* MTRR default type: enabled, write-back */
		*val = 0xc06;
		return true;
	default:
		return false;
	}
}

bool platform_msr_write(struct vp *vp, uint32_t msr, uint64_t val)
{
	(void)vp;
	(void)val;
	return msr == 0x8b;			/* microcode update trigger: ignored */
}

/*
 * A guest's lines go to the shared log. They wait in its ring, so no CPU
 * waits on the serial port, but the port is slow: at 115200 baud a
 * character takes about 87 us, a line of 60 about 5 ms, some 20 lines per
 * 100 ms for everyone together. A partition may log DBG_LINES_PER_WINDOW
 * lines per 100 ms, a burst the ring (64 KiB) absorbs; more are dropped,
 * counted and said, so that one chatty guest cannot push everyone else's
 * lines out of the ring for long.
 */
#define DBG_LINES_PER_WINDOW	64
#define DBG_WINDOW_US		100000

static bool debug_line_allowed(struct partition *p)
{
	uint64_t now = rdtsc();

	if (now - p->dbg_window > tsc_us_to_ticks(DBG_WINDOW_US)) {
		if (p->dbg_dropped)
			log_warn("[%s] %u lines dropped (more than %u in %u ms)", p->name,
				 p->dbg_dropped, DBG_LINES_PER_WINDOW, DBG_WINDOW_US / 1000);
		p->dbg_window = now;
		p->dbg_lines = 0;
		p->dbg_dropped = 0;
	}
	if (p->dbg_lines == DBG_LINES_PER_WINDOW) {
		p->dbg_dropped++;
		return false;
	}
	p->dbg_lines++;
	return true;
}

static void debug_putc(struct partition *p, char c)
{
	spin_lock(&p->lock);
	if (c != '\n' && c != '\r' && p->dbg_len < sizeof(p->dbg_line) - 1)
		p->dbg_line[p->dbg_len++] = (c >= 0x20 && c < 0x7f) ? c : '?';
	if (c == '\n' || p->dbg_len == sizeof(p->dbg_line) - 1) {
		p->dbg_line[p->dbg_len] = '\0';
		if (debug_line_allowed(p))
			log_info("[%s] %s", p->name, p->dbg_line);
		p->dbg_len = 0;
	}
	spin_unlock(&p->lock);
}

void platform_debug_flush(struct partition *p)
{
	spin_lock(&p->lock);
	if (p->dbg_len) {
		p->dbg_line[p->dbg_len] = '\0';
		log_info("[%s] %s", p->name, p->dbg_line);
		p->dbg_len = 0;
	}
	spin_unlock(&p->lock);
}

bool platform_io(struct vp *vp, uint16_t port, uint8_t size, bool in, uint32_t *val)
{
	struct partition *p = vp->vcpu.part;

	if (!(p->io_allowed[port / 8] & (1u << (port % 8))))
		return false;
	if (port == PART_DEBUG_PORT) {
		if (in)
			*val = 0xe9;		/* Bochs's port-e9 convention: reads give 0xe9 */
		else
			debug_putc(p, (char)*val);
		return true;
	}
	(void)size;
	return false;
}

bool platform_mmio(struct vp *vp, const struct vm_exit *e)
{
	(void)vp;
	(void)e;
	return false;
}
