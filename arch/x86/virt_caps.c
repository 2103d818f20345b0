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
#include "core/panic.h"

#define MSR_VMX_BASIC		0x480
#define MSR_VMX_PROCBASED	0x482
#define MSR_VMX_PROCBASED2	0x48b
#define MSR_VMX_EPT_VPID_CAP	0x48c
#define MSR_VMX_TRUE_PROCBASED	0x48e
#define MSR_VM_CR		0xc0010114

#define MSR_VMX_PINBASED	0x481
#define MSR_VMX_TRUE_PINBASED	0x48d

/* What the last virt_detect found, as HVCALL_X_HV_INFO's bits (virt_features). */
static uint64_t found_features, found_missing;

static void add_missing(struct virt_caps *c, const char *what)
{
	size_t n = strlen(c->missing);

	fmt_snprintf(c->missing + n, sizeof(c->missing) - n, "%s%s", n ? ", " : "", what);
}

static void set_feature(struct virt_caps *c, uint64_t bit, bool has)
{
	if (has)
		c->features |= bit;
}

static void detect_vmx(struct virt_caps *c)
{
	uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
	uint64_t basic = rdmsr(MSR_VMX_BASIC);
	uint64_t proc, pin, proc2 = 0, cap = 0;

	c->kind = VIRT_VMX;
	/* SDM Vol. 3C, 24.7: bit 0 lock, bit 2 VMXON outside SMX */
	c->vmx_locked_off = (fc & 1) && !(fc & 4);
	c->vmx_true_ctls = basic >> 55 & 1;
	proc = rdmsr(c->vmx_true_ctls ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED);
	pin = rdmsr(c->vmx_true_ctls ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED);
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
	/* SDM Vol. 3D, A.3.1: allowed-1 settings of the pin-based controls, bit 6 the timer */
	c->preempt_timer = pin >> (32 + 6) & 1;

	set_feature(c, HV_X_FEAT_VIRT_ON, !c->vmx_locked_off);
	set_feature(c, HV_X_FEAT_SLP, c->ept);
	set_feature(c, HV_X_FEAT_TLB_TAGS, c->vpid);
	set_feature(c, HV_X_FEAT_UG, c->unrestricted);
	set_feature(c, HV_X_FEAT_EPT_WB, c->ept_wb);
	set_feature(c, HV_X_FEAT_INVVPID, c->invvpid);
	set_feature(c, HV_X_FEAT_SLP_2M, c->ept_2m);
	set_feature(c, HV_X_FEAT_SLP_1G, c->ept_1g);
	set_feature(c, HV_X_FEAT_PREEMPT_TIMER, c->preempt_timer);
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
	set_feature(c, HV_X_FEAT_VIRT_ON, !c->svm_disabled);
	set_feature(c, HV_X_FEAT_SLP, c->npt);
	set_feature(c, HV_X_FEAT_TLB_TAGS, c->asids >= 2);
	set_feature(c, HV_X_FEAT_NRIPS, c->nrips);
	set_feature(c, HV_X_FEAT_CLEAN_BITS, c->clean_bits);
	set_feature(c, HV_X_FEAT_DECODE, c->decode_assists);
	/* nested page tables have the host's format: 2 MiB pages always (APM Vol. 2, 15.25.3) */
	set_feature(c, HV_X_FEAT_SLP_2M, c->npt);
}

/* The CPU's own features that partitions and the hypervisor use, whatever the back-end. */
static void detect_common(struct virt_caps *c, uint32_t max_ext)
{
	set_feature(c, HV_X_FEAT_X2APIC, cpuid(1, 0).ecx & (1u << 21));
	if (max_ext >= 0x80000001)	/* Page1GB: APM Vol. 3, CPUID Fn8000_0001 EDX[26] */
		set_feature(c, HV_X_FEAT_PAGE_1G, cpuid(0x80000001, 0).edx & (1u << 26));
	if (max_ext >= 0x80000007)	/* invariant TSC: SDM Vol. 3B, 18.17.1 */
		set_feature(c, HV_X_FEAT_INV_TSC, cpuid(0x80000007, 0).edx & (1u << 8));
}

/*
 * The needed features this back-end lacks, as bits and as the log's text
 * (the vendor's words, in bit order). The write-back EPT type only counts
 * where there is EPT.
 */
static void find_missing(struct virt_caps *c)
{
	static const struct { uint64_t bit; const char *vmx, *svm; } words[] = {
		{ HV_X_FEAT_VIRT, "VT-x or AMD-V", "VT-x or AMD-V" },
		{ HV_X_FEAT_VIRT_ON, "VMX disabled by firmware (IA32_FEATURE_CONTROL locked)",
		  "SVM disabled by firmware (VM_CR.SVMDIS)" },
		{ HV_X_FEAT_SLP, "EPT", "NPT" },
		{ HV_X_FEAT_TLB_TAGS, "VPID", "ASIDs" },
		{ HV_X_FEAT_UG, "unrestricted guest", "" },
		{ HV_X_FEAT_EPT_WB, "EPT write-back memory type", "" },
	};
	static const uint64_t need[] = {
#define FEAT_NEED_VMX(bit, NAME, name, need, what)	| ((need) & HV_X_NEED_VMX ? HV_X_FEAT_##NAME : 0)
#define FEAT_NEED_SVM(bit, NAME, name, need, what)	| ((need) & HV_X_NEED_SVM ? HV_X_FEAT_##NAME : 0)
		[VIRT_NONE] = HV_X_FEAT_VIRT,
		[VIRT_VMX] = 0 HV_X_FEATURES(FEAT_NEED_VMX),
		[VIRT_SVM] = 0 HV_X_FEATURES(FEAT_NEED_SVM),
#undef FEAT_NEED_VMX
#undef FEAT_NEED_SVM
	};

	c->missing_bits = need[c->kind] & ~c->features;
	if (!(c->features & HV_X_FEAT_SLP))
		c->missing_bits &= ~(uint64_t)HV_X_FEAT_EPT_WB;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (c->missing_bits & words[i].bit)
			add_missing(c, c->kind == VIRT_SVM ? words[i].svm : words[i].vmx);
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
	set_feature(c, HV_X_FEAT_VIRT, c->kind != VIRT_NONE);
	detect_common(c, max_ext);
	find_missing(c);
	c->usable = c->missing[0] == '\0';
	ASSERT(c->usable == !c->missing_bits);
	found_features = c->features;
	found_missing = c->missing_bits;
}

void virt_features(uint64_t *features, uint64_t *missing)
{
	*features = found_features;
	*missing = found_missing;
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
