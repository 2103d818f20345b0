/*
 * Detection of VT-x (SDM Vol. 3D, appendix A "VMX Capability Reporting
 * Facility") and AMD-V (APM Vol. 2, 15.4 "Enabling SVM" and CPUID
 * Fn8000_000A). VMX MSRs are read only after CPUID says VMX exists; VM_CR
 * is probed with rdmsr_safe because emulators may lack it.
 */
#include "arch/x86/virt_caps.h"
#include "arch/x86/cpu.h"
#include "arch/x86/extable.h"
#include "core/lib.h"
#include "core/log.h"

#define MSR_VMX_BASIC		0x480
#define MSR_VMX_PROCBASED	0x482
#define MSR_VMX_PROCBASED2	0x48b
#define MSR_VMX_EPT_VPID_CAP	0x48c
#define MSR_VMX_TRUE_PROCBASED	0x48e
#define MSR_VM_CR		0xc0010114

static void add_missing(struct virt_caps *c, const char *what)
{
	size_t n = strlen(c->missing);

	fmt_snprintf(c->missing + n, sizeof(c->missing) - n, "%s%s", n ? ", " : "", what);
}

static void detect_vmx(struct virt_caps *c)
{
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
	uint64_t basic = rdmsr(MSR_VMX_BASIC);
	uint64_t proc, proc2 = 0, cap = 0;

	c->kind = VIRT_VMX;
	/* SDM Vol. 3C, 24.7: bit 0 lock, bit 2 VMXON outside SMX */
	c->vmx_locked_off = (fc & 1) && !(fc & 4);
	c->vmx_true_ctls = basic >> 55 & 1;
	proc = rdmsr(c->vmx_true_ctls ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED);
	if (proc >> 63 & 1)		/* allowed-1: activate secondary controls */
		proc2 = rdmsr(MSR_VMX_PROCBASED2) >> 32;
	c->ept = proc2 >> 1 & 1;
	c->vpid = proc2 >> 5 & 1;
	c->unrestricted = proc2 >> 7 & 1;
	if (c->ept || c->vpid)
		cap = rdmsr(MSR_VMX_EPT_VPID_CAP);
	c->ept_wb = cap >> 14 & 1;
	c->ept_2m = cap >> 16 & 1;
	c->ept_1g = cap >> 17 & 1;
	c->invvpid = cap >> 32 & 1;

	if (c->vmx_locked_off)
		add_missing(c, "VMX disabled by firmware (IA32_FEATURE_CONTROL locked)");
	if (!c->ept)
		add_missing(c, "EPT");
	if (!c->vpid)
		add_missing(c, "VPID");
	if (!c->unrestricted)
		add_missing(c, "unrestricted guest");
	if (c->ept && !c->ept_wb)
		add_missing(c, "EPT write-back memory type");
}

static void detect_svm(struct virt_caps *c)
{
	struct cpuid_regs r = cpuid(0x8000000a, 0);
	uint64_t vm_cr = 0;

	c->kind = VIRT_SVM;
	/* APM Vol. 2, 15.30.1: VM_CR bit 4 SVMDIS */
	if (rdmsr_safe(MSR_VM_CR, &vm_cr))
		c->svm_disabled = vm_cr >> 4 & 1;
	c->asids = r.ebx;
	c->npt = r.edx & 1;
	c->nrips = r.edx >> 3 & 1;
	c->clean_bits = r.edx >> 5 & 1;
	c->decode_assists = r.edx >> 7 & 1;
	if (c->svm_disabled)
		add_missing(c, "SVM disabled by firmware (VM_CR.SVMDIS)");
	if (!c->npt)
		add_missing(c, "NPT");
	if (c->asids < 2)
		add_missing(c, "ASIDs");
}

void virt_detect(struct virt_caps *c)
{
	struct cpuid_regs r = cpuid(0, 0);
	uint32_t max_ext = cpuid(0x80000000, 0).eax;

	memset(c, 0, sizeof(*c));
	memcpy(c->vendor, &r.ebx, 4);
	memcpy(c->vendor + 4, &r.edx, 4);
	memcpy(c->vendor + 8, &r.ecx, 4);
	if (cpuid(1, 0).ecx & (1u << 5))
		detect_vmx(c);
	else if (max_ext >= 0x8000000a && (cpuid(0x80000001, 0).ecx & (1u << 2)))
		detect_svm(c);
	else
		add_missing(c, "VT-x or AMD-V");
	c->usable = c->missing[0] == '\0';
}

void virt_report(const struct virt_caps *c)
{
	switch (c->kind) {
	case VIRT_VMX:
		log_info("virt: %s, Intel VT-x: EPT %u (WB %u, 2M %u, 1G %u), VPID %u "
			 "(INVVPID %u), unrestricted guest %u, TRUE_*_CTLS %u",
			 c->vendor, c->ept, c->ept_wb, c->ept_2m, c->ept_1g, c->vpid,
			 c->invvpid, c->unrestricted, c->vmx_true_ctls);
		break;
	case VIRT_SVM:
		log_info("virt: %s, AMD-V: NPT %u, NRIPS %u, ASIDs %u, clean bits %u, "
			 "decode assists %u", c->vendor, c->npt, c->nrips, c->asids,
			 c->clean_bits, c->decode_assists);
		break;
	case VIRT_NONE:
		log_info("virt: %s, no hardware virtualization", c->vendor);
		break;
	}
	if (!c->usable)
		log_warn("virt: cannot run partitions on this machine; missing: %s", c->missing);
}

int virt_summary(const struct virt_caps *c, char *buf, size_t size)
{
	switch (c->kind) {
	case VIRT_VMX:
		return fmt_snprintf(buf, size, "virt=vmx ept=%u vpid=%u ug=%u", c->ept,
				    c->vpid, c->unrestricted);
	case VIRT_SVM:
		return fmt_snprintf(buf, size, "virt=svm npt=%u nrips=%u asids=%u", c->npt,
				    c->nrips, c->asids);
	default:
		return fmt_snprintf(buf, size, "virt=none");
	}
}
