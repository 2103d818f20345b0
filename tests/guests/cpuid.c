/*
 * CPUID as a partition sees it: virtualization hidden, the hypervisor
 * leaves present, leaves above the highest reading as zero, and no
 * feature shown whose instruction the hypervisor refuses (#UD) or whose
 * MSRs it refuses (#GP).
 */
#include "tests/guests/guest.h"
#include "core/abi/cpuid.h"

enum { EAX, EBX, ECX, EDX };

/* Features a partition must not be shown (partitions/cpuid.c says why for each). */
static const struct refused {
	uint32_t leaf;
	uint8_t reg, bit;
	const char *name;
} refused[] = {
	{ 7, EBX, 1, "TSC_ADJUST (MSR)" },
	{ 7, EBX, 25, "Processor Trace (MSRs)" },
	{ 7, ECX, 5, "WAITPKG (#UD)" },
	{ 7, ECX, 13, "TME (MSRs)" },
	{ 7, EDX, 9, "SRBDS_CTRL (MSR)" },
	{ 7, EDX, 18, "PCONFIG (#UD)" },
	{ 7, EDX, 26, "IBRS/IBPB (IA32_SPEC_CTRL, IA32_PRED_CMD)" },
	{ 7, EDX, 27, "STIBP (IA32_SPEC_CTRL)" },
	{ 7, EDX, 28, "L1D_FLUSH (IA32_FLUSH_CMD)" },
	{ 7, EDX, 29, "IA32_ARCH_CAPABILITIES" },
	{ 7, EDX, 30, "IA32_CORE_CAPABILITIES" },
	{ 7, EDX, 31, "SSBD (IA32_SPEC_CTRL)" },
	{ 0x80000001, ECX, 9, "OSVW (MSRs)" },
	{ 0x80000001, ECX, 10, "IBS (MSRs)" },
	{ 0x80000001, ECX, 13, "WDT (MSRs)" },
	{ 0x80000001, ECX, 23, "PerfCtrExtCore (MSRs)" },
	{ 0x80000001, ECX, 24, "PerfCtrExtNB (MSRs)" },
	{ 0x80000001, ECX, 26, "DataBkptExt (MSRs)" },
	{ 0x80000001, ECX, 28, "PerfCtrExtLLC (MSRs)" },
	{ 0x80000001, ECX, 29, "MONITORX/MWAITX (#UD)" },
	{ 0x80000008, EBX, 1, "IRPERF (MSR)" },
	{ 0x80000008, EBX, 3, "INVLPGB (#UD)" },
	{ 0x80000008, EBX, 12, "IBPB (IA32_PRED_CMD)" },
	{ 0x80000008, EBX, 14, "IBRS (IA32_SPEC_CTRL)" },
	{ 0x80000008, EBX, 15, "STIBP (IA32_SPEC_CTRL)" },
	{ 0x80000008, EBX, 24, "SSBD (IA32_SPEC_CTRL)" },
	{ 0x80000008, EBX, 25, "VIRT_SSBD (VIRT_SPEC_CTRL)" },
};

static uint32_t reg(struct cpuid_out r, unsigned i)
{
	return i == EAX ? r.eax : i == EBX ? r.ebx : i == ECX ? r.ecx : r.edx;
}

static bool leaf_exists(uint32_t leaf, uint32_t max_basic, uint32_t max_ext)
{
	return leaf < 0x80000000u ? leaf <= max_basic : leaf <= max_ext;
}

static void check_refused_hidden(uint32_t max_basic, uint32_t max_ext)
{
	unsigned shown = 0;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		const struct refused *f = &refused[i];

		if (!leaf_exists(f->leaf, max_basic, max_ext) ||
		    !(reg(guest_cpuid(f->leaf, 0), f->reg) >> f->bit & 1))
			continue;
		gprintf("FAIL cpuid.%x shows %s\n", f->leaf, f->name);
		shown++;
	}
	check(!shown, "no feature whose instruction or MSR is refused is shown");
	if (max_basic >= 7)
		check(guest_cpuid(7, 0).eax == 0 && guest_cpuid(7, 1).eax == 0 &&
		      guest_cpuid(7, 1).ebx == 0 && guest_cpuid(7, 2).edx == 0,
		      "cpuid.7 has subleaf 0 only");
}

/* Intel CPUs answer a leaf above the highest with their highest basic leaf, unfiltered. */
static void check_beyond_the_top(uint32_t max_basic, uint32_t max_ext)
{
	static const uint32_t more[] = { 1, 2, 0x10 };
	bool zero = true;

	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		struct cpuid_out b = guest_cpuid(max_basic + more[i], 0);
		struct cpuid_out e = guest_cpuid(max_ext + more[i], 0);

		zero = zero && !(b.eax | b.ebx | b.ecx | b.edx) && !(e.eax | e.ebx | e.ecx | e.edx);
	}
	gprintf("highest leaves %x and %x\n", max_basic, max_ext);
	check(zero, "leaves above the highest basic and extended leaves read as zero");
}

void guest_main(const struct guest_boot *b)
{
	struct cpuid_out l1 = guest_cpuid(1, 0), x1 = guest_cpuid(0x80000001, 0);
	struct cpuid_out hv = guest_cpuid(HV_CPUID_VENDOR_LEAF, 0);
	uint32_t max_basic = guest_cpuid(0, 0).eax, max_ext = guest_cpuid(0x80000000, 0).eax;

	(void)b;
	check(l1.ecx & HV_CPUID_HYPERVISOR_PRESENT, "cpuid.1:ecx.hypervisor is set");
	check(!(l1.ecx >> 5 & 1), "cpuid.1:ecx.vmx is hidden");
	check(!(x1.ecx >> 2 & 1), "cpuid.80000001:ecx.svm is hidden");
	check(max_ext < 0x8000000a || guest_cpuid(0x8000000a, 0).edx == 0,
	      "cpuid.8000000a (SVM features) is empty");
	check(hv.eax >= HV_CPUID_MAX_LEAF, "cpuid.40000000:eax names the top hypervisor leaf");
	check(hv.ebx == HV_CPUID_VENDOR_EBX && hv.ecx == HV_CPUID_VENDOR_ECX &&
	      hv.edx == HV_CPUID_VENDOR_EDX,
	      "cpuid.40000000 vendor is Microsoft Hv");
	check(guest_cpuid(0x40000100, 0).eax == 0, "cpuid beyond the hypervisor leaves is zero");
	check_beyond_the_top(max_basic, max_ext);
	check_refused_hidden(max_basic, max_ext);
}
