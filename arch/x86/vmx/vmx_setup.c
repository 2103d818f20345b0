/*
 * VT-x set-up: the control words, each adjusted to what the capability
 * MSRs allow (SDM Vol. 3D, A.3-A.5: the low half of each MSR holds the
 * bits that must be 1, the high half the bits that may be 1; the TRUE_*
 * MSRs, when IA32_VMX_BASIC[55] says they exist, also let "default1"
 * bits be 0), and the VMCS contents that do not change while a vCPU lives.
 */
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/tsc.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/percpu.h"

struct vmx_config vmx_cfg;
struct vcpu_caps vmx_caps;

/*
 * The exit reasons core/vm_smoke.c and the partitions rely on, and the
 * isolation the host needs: every port and MSR intercepted, HLT exits,
 * EPT + VPID + unrestricted guest. CR8 accesses exit too: without a TPR
 * shadow a guest's MOV to CR8 would write the physical TPR and could mask
 * the host's own interrupts (SDM Vol. 3C, 26.3 "MOV to CR8").
 */
#define PIN_NEED	(PIN_EXTINT_EXITING | PIN_NMI_EXITING)
/*
 * Virtual NMIs: without them an injected NMI would block physical NMIs
 * until the next exit (27.6.1), and so the host's (the panic stop). The
 * preemption timer: see POLL_US.
 */
#define PIN_WANT	(PIN_VIRTUAL_NMIS | PIN_PREEMPTION_TIMER)
/* MONITOR/MWAIT: hidden from CPUID, and MWAIT could park the CPU in a deep C-state */
#define PROC_NEED	(PROC_HLT_EXITING | PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING | \
			 PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | PROC_SECONDARY | \
			 PROC_MWAIT_EXITING | PROC_MONITOR_EXITING)
#define PROC2_NEED	(PROC2_ENABLE_EPT | PROC2_ENABLE_VPID | PROC2_UNRESTRICTED_GUEST)
/*
 * RDTSCP (with RDPID) and INVPCID raise #UD in a guest unless enabled
 * (SDM Vol. 3C, 26.3 and 25.6.2); partitions/cpuid.c hides whichever the
 * CPU does not allow (vcpu_caps). INVPCID exits only with INVLPG exiting,
 * which is never set (PROC_FORBID).
 */
#define PROC2_WANT	(PROC2_WBINVD_EXITING | PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID)
/*
 * No "acknowledge interrupt on exit": the interrupt stays pending at the
 * local APIC and the host takes it through its IDT once it enables
 * interrupts after the exit.
 *
 * DR7 and IA32_DEBUGCTL are the guest's: "save debug controls" stores them
 * in the VMCS at every exit (28.3.1) and "load debug controls" loads them
 * at every entry (27.3.2.1). Without them the guest's DR7 is lost at its
 * first exit, which always leaves DR7 = 400H (breakpoints off) and
 * IA32_DEBUGCTL = 0 for the host (28.5.1).
 */
#define EXITCTL_NEED	(EXITCTL_HOST_ADDR_SPACE_SIZE | EXITCTL_SAVE_PAT | EXITCTL_LOAD_PAT | \
			 EXITCTL_SAVE_EFER | EXITCTL_LOAD_EFER | EXITCTL_SAVE_DEBUG)
#define ENTRYCTL_NEED	(ENTRYCTL_LOAD_PAT | ENTRYCTL_LOAD_EFER | ENTRYCTL_LOAD_DEBUG)
/* Bits we set and clear per vCPU: they must be allowed either way. */
#define PROC_VARIABLE	PROC_IRQ_WINDOW_EXITING
#define ENTRYCTL_VARIABLE	ENTRYCTL_IA32E_MODE_GUEST
/*
 * Bits that must not be forced on: exits that would end any guest that
 * pages (only possible without the TRUE_* MSRs), and ack-on-exit.
 */
#define PROC_FORBID	(PROC_INVLPG_EXITING | PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING)
#define EXITCTL_FORBID	EXITCTL_ACK_INTR_ON_EXIT

/*
 * A guest that runs this long without an exit leaves through the VMX-
 * preemption timer (26.5.1), which is reported as EXIT_EXTINT so that the
 * host looks at its interrupts. External-interrupt exiting should make
 * this unnecessary, but Bochs 2.7 evaluates interrupt masking on VM entry
 * before it marks the CPU as in VMX non-root operation, so a guest with
 * RFLAGS.IF = 0 is never interrupted by a host interrupt there. On real
 * hardware it costs one exit per POLL_US of uninterrupted guest time.
 */
#define POLL_US		1000

/*
 * Exceptions that always exit (exception bitmap, 25.6.3); core/exit.c
 * reflects #AC into the guest and hands #MC to the host. #AC: a guest
 * whose #AC delivery raises #AC again (a misaligned stack at CPL 3) would
 * hold the CPU inside its microcode with no exit (CVE-2015-5307). #MC: a
 * machine check that strikes while a guest runs is the hypervisor's. #DB
 * stays with the guest here (AMD-V intercepts it, svm.c): an intercepted
 * #DB leaves DR6 untouched on VT-x (27.1), so reflecting it would mean
 * emulating DR6 from the exit qualification.
 */
#define EXC_INTERCEPTED	(1u << EXC_AC | 1u << EXC_MC)

/*
 * CR4 bits the guest sets without an exit: features every VT-x CPU has and
 * CPUID always shows, whose state is the guest's own. Toggling PGE (a
 * global TLB flush) stays cheap.
 */
#define CR4_GUEST_OWNED	(CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PGE | CR4_PCE | \
			 CR4_OSFXSR | CR4_OSXMMEXCPT)
_Static_assert(!(CR4_GUEST_OWNED & VMX_CR4_FORCED), "the host owns the CR4 bits it forces");

#define EPT_CAP_NEED	(EPT_CAP_WALK_4 | EPT_CAP_WB | EPT_CAP_2M | EPT_CAP_INVEPT)

struct ctl_spec {
	const char *what;
	uint32_t msr, true_msr;		/* true_msr 0: there is none */
	uint32_t need, want, variable, forbid;
};

/*
 * The control word for spec: `need | want` as far as allowed, plus the
 * bits the MSR forces. False if a needed bit is not allowed, a variable
 * bit is not free both ways, or a forbidden bit is forced.
 */
static bool adjust(const struct ctl_spec *c, bool true_ctls, uint32_t *out)
{
	uint64_t cap = rdmsr(true_ctls && c->true_msr ? c->true_msr : c->msr);
	uint32_t must = (uint32_t)cap, may = (uint32_t)(cap >> 32);

	*out = ((c->need | c->want) & may) | must;
	if ((*out & c->need) != c->need || (may & c->variable) != c->variable ||
	    (must & (c->variable | c->forbid))) {
		log_err("vmx: %s controls: need 0x%x, free 0x%x, forced 0x%x; allowed 0x%x",
			c->what, c->need, c->variable | c->forbid, must, may);
		return false;
	}
	return true;
}

static bool probe_controls(void)
{
	static const struct ctl_spec pin = {
		"pin-based", MSR_VMX_PINBASED, MSR_VMX_TRUE_PINBASED, PIN_NEED, PIN_WANT, 0, 0 };
	static const struct ctl_spec proc = {
		"processor-based", MSR_VMX_PROCBASED, MSR_VMX_TRUE_PROCBASED, PROC_NEED, 0,
		PROC_VARIABLE, PROC_FORBID };
	static const struct ctl_spec proc2 = {
		"secondary", MSR_VMX_PROCBASED2, 0, PROC2_NEED, PROC2_WANT, 0, 0 };
	static const struct ctl_spec exit = {
		"VM-exit", MSR_VMX_EXIT, MSR_VMX_TRUE_EXIT, EXITCTL_NEED, 0, 0, EXITCTL_FORBID };
	static const struct ctl_spec entry = {
		"VM-entry", MSR_VMX_ENTRY, MSR_VMX_TRUE_ENTRY, ENTRYCTL_NEED, 0,
		ENTRYCTL_VARIABLE, 0 };
	bool tru = rdmsr(MSR_VMX_BASIC) & VMX_BASIC_TRUE_CTLS;
	bool ok = adjust(&pin, tru, &vmx_cfg.pin);

	ok = adjust(&proc, tru, &vmx_cfg.proc) && ok;
	/* IA32_VMX_PROCBASED_CTLS2 exists only if secondary controls may be 1 (A.3.3) */
	if (vmx_cfg.proc & PROC_SECONDARY)
		ok = adjust(&proc2, tru, &vmx_cfg.proc2) && ok;
	else
		ok = false;
	ok = adjust(&exit, tru, &vmx_cfg.exit) && ok;
	return adjust(&entry, tru, &vmx_cfg.entry) && ok;
}

/*
 * WBINVD exiting is wanted, not needed: a CPU without it (some early VT-x
 * parts) is still used, and there a guest's WBINVD runs on the real
 * caches. That writes every dirty line back before dropping it, so no one
 * loses data; it only stalls this CPU for as long as the flush takes.
 * INVD, which would lose data, exits unconditionally (26.1.2).
 */
static void log_wbinvd_policy(void)
{
	if (vmx_cfg.proc2 & PROC2_WBINVD_EXITING)
		log_info("vmx: guest WBINVD exits (completed without touching the caches)");
	else
		log_warn("vmx: no WBINVD exiting on this CPU: a guest's WBINVD runs on the real caches");
}

void vmx_probe(void)
{
	uint64_t basic = rdmsr(MSR_VMX_BASIC);

	vmx_cfg.revision = (uint32_t)(basic & VMX_BASIC_REVISION_MASK);
	vmx_cfg.below_4g = basic & VMX_BASIC_32BIT_ADDR;
	vmx_cfg.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	vmx_cfg.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	vmx_cfg.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	vmx_cfg.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	/*
	 * The host owns the bits VMX forces to 1 in the guest: CR0.NE (PE and
	 * PG are free with unrestricted guest, 27.3.1.1) and CR4.VMXE; and
	 * every CR4 bit but CR4_GUEST_OWNED, so that core/cr.c checks it
	 * against what the partition is offered. The guest reads its own
	 * values from the read shadows; a write that changes an owned bit
	 * exits (25.6.6).
	 */
	vmx_cfg.cr0_mask = vmx_cfg.cr0_fixed0 & ~(CR0_PE | CR0_PG);
	vmx_cfg.cr4_mask = ~(uint64_t)CR4_GUEST_OWNED;
	vmx_cfg.usable = probe_controls();
	if (vmx_cfg.pin & PIN_PREEMPTION_TIMER) {
		uint64_t ticks = tsc_us_to_ticks(POLL_US) >>
				 (rdmsr(MSR_VMX_MISC) & VMX_MISC_PREEMPT_RATE_MASK);

		vmx_cfg.poll_ticks = (uint32_t)MAX(MIN(ticks, 0xffffffffull), 1);
	}
	vmx_caps.rdtscp = vmx_cfg.proc2 & PROC2_ENABLE_RDTSCP;
	vmx_caps.invpcid = vmx_cfg.proc2 & PROC2_ENABLE_INVPCID;
	/* a CR4 bit that may not be 1 in VMX operation (A.8) is one a guest cannot have */
	vmx_caps.cr4 = vmx_cfg.cr4_fixed1;
	if (vmx_cfg.usable) {
		vmx_cfg.ept_vpid_cap = rdmsr(MSR_VMX_EPT_VPID_CAP);
		if ((vmx_cfg.ept_vpid_cap & EPT_CAP_NEED) != EPT_CAP_NEED) {
			log_err("vmx: EPT capabilities 0x%lx lack 0x%lx", vmx_cfg.ept_vpid_cap,
				EPT_CAP_NEED & ~vmx_cfg.ept_vpid_cap);
			vmx_cfg.usable = false;
		}
	}
	log_info("vmx: controls pin 0x%x proc 0x%x proc2 0x%x exit 0x%x entry 0x%x%s",
		 vmx_cfg.pin, vmx_cfg.proc, vmx_cfg.proc2, vmx_cfg.exit, vmx_cfg.entry,
		 vmx_cfg.usable ? "" : " (unusable)");
	log_wbinvd_policy();
}

/* Host state that differs between CPUs; written whenever the VMCS comes to a CPU. */
void vmx_write_host_state(void)
{
	struct percpu *pc = this_cpu();

	vmwrite(VMCS_HOST_CR0, read_cr0());
	vmwrite(VMCS_HOST_CR3, read_cr3());
	vmwrite(VMCS_HOST_CR4, read_cr4());
	vmwrite(VMCS_HOST_GS_BASE, (uintptr_t)pc);	/* this_cpu() reads %gs:0 */
	vmwrite(VMCS_HOST_TR_BASE, (uintptr_t)&pc->desc.tss);
	vmwrite(VMCS_HOST_GDTR_BASE, (uintptr_t)pc->desc.gdt);
	vmwrite(VMCS_HOST_IDTR_BASE, (uintptr_t)pc->desc.idt);
	vmwrite(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	vmwrite(VMCS_HOST_PAT, rdmsr(MSR_PAT));
}

struct field {
	uint32_t enc;
	uint64_t val;
};

static bool write_fields(const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!vmwrite_checked(f[i].enc, f[i].val)) {
			log_err("vmx: VMWRITE 0x%x failed (error %lu)", f[i].enc,
				vmread(VMCS_VM_INSN_ERROR));
			return false;
		}
	}
	return true;
}

/*
 * Fill the current (freshly cleared) VMCS with everything but the guest's
 * registers, which set_state writes, and the per-CPU host state, which
 * vmx_write_host_state writes when the VMCS comes to a CPU. SDM Vol. 3C,
 * 25.3-25.8 for the fields, 27.2-27.3 for the checks VM entry makes.
 */
bool vmx_vmcs_init(struct vcpu *v, struct vmx_vcpu *vx, paddr_t slpt_root)
{
	const struct field fields[] = {
		/* controls */
		{ VMCS_PIN_CONTROLS, vmx_cfg.pin },
		{ VMCS_PROC_CONTROLS, vx->proc },
		{ VMCS_PROC2_CONTROLS, vmx_cfg.proc2 },
		{ VMCS_EXIT_CONTROLS, vmx_cfg.exit },
		{ VMCS_ENTRY_CONTROLS, vmx_cfg.entry },
		{ VMCS_EXCEPTION_BITMAP, EXC_INTERCEPTED },
		{ VMCS_PF_ERROR_MASK, 0 },
		{ VMCS_PF_ERROR_MATCH, 0 },
		{ VMCS_CR3_TARGET_COUNT, 0 },
		{ VMCS_EXIT_MSR_STORE_COUNT, 0 },
		{ VMCS_EXIT_MSR_LOAD_COUNT, 0 },
		{ VMCS_ENTRY_MSR_LOAD_COUNT, 0 },
		{ VMCS_ENTRY_INTR_INFO, 0 },
		{ VMCS_VPID, 0 },		/* vmx_run gives it one before the first entry */
		{ VMCS_IO_BITMAP_A, vmx_bitmaps + VMX_PAGE_IO_BITMAP_A * PAGE_SIZE },
		{ VMCS_IO_BITMAP_B, vmx_bitmaps + VMX_PAGE_IO_BITMAP_B * PAGE_SIZE },
		{ VMCS_MSR_BITMAP, vmx_bitmaps + VMX_PAGE_MSR_BITMAP * PAGE_SIZE },
		{ VMCS_EPT_POINTER, slpt_root | EPTP_WB_4LEVEL },
		{ VMCS_CR0_GUEST_HOST_MASK, vmx_cfg.cr0_mask },
		{ VMCS_CR4_GUEST_HOST_MASK, vmx_cfg.cr4_mask },
		{ VMCS_CR0_READ_SHADOW, 0 },
		{ VMCS_CR4_READ_SHADOW, 0 },
		/* guest state that is not in struct vcpu_state (25.4.2) */
		{ VMCS_LINK_POINTER, ~0ull },		/* no shadow VMCS: must be ~0 */
		{ VMCS_GUEST_DR7, 0x400 },		/* architectural reset value */
		{ VMCS_GUEST_DEBUGCTL, 0 },
		{ VMCS_GUEST_SYSENTER_CS, 0 },
		{ VMCS_GUEST_SYSENTER_ESP, 0 },
		{ VMCS_GUEST_SYSENTER_EIP, 0 },
		{ VMCS_GUEST_ACTIVITY_STATE, 0 },	/* active */
		{ VMCS_GUEST_INTERRUPTIBILITY, 0 },
		{ VMCS_GUEST_PENDING_DBG, 0 },
		/* host state shared by all CPUs (25.5); the rest is vmx_write_host_state's */
		{ VMCS_HOST_CS_SEL, GDT_CS },
		{ VMCS_HOST_SS_SEL, GDT_DS },
		{ VMCS_HOST_DS_SEL, GDT_DS },
		{ VMCS_HOST_ES_SEL, GDT_DS },
		{ VMCS_HOST_FS_SEL, GDT_DS },
		{ VMCS_HOST_GS_SEL, GDT_DS },
		{ VMCS_HOST_TR_SEL, GDT_TSS },
		{ VMCS_HOST_FS_BASE, 0 },
		{ VMCS_HOST_SYSENTER_CS, 0 },
		{ VMCS_HOST_SYSENTER_ESP, 0 },
		{ VMCS_HOST_SYSENTER_EIP, 0 },
		{ VMCS_HOST_RIP, (uintptr_t)vmx_exit_stub },
	};

	/* without "save VMX-preemption timer value" every entry restarts the count */
	const struct field timer = { VMCS_GUEST_PREEMPTION_TIMER, vmx_cfg.poll_ticks };

	(void)v;
	vx->eptp = slpt_root | EPTP_WB_4LEVEL;
	return write_fields(fields, ARRAY_SIZE(fields)) &&
	       (!(vmx_cfg.pin & PIN_PREEMPTION_TIMER) || write_fields(&timer, 1));
}
