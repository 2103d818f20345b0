/* CPUID as a partition sees it: virtualization hidden, the hypervisor leaves present. */
#include "tests/guests/guest.h"
#include "core/abi/cpuid.h"

void guest_main(const struct guest_boot *b)
{
	struct cpuid_out l1 = guest_cpuid(1, 0), x1 = guest_cpuid(0x80000001, 0);
	struct cpuid_out hv = guest_cpuid(HV_CPUID_VENDOR_LEAF, 0);
	uint32_t max_ext = guest_cpuid(0x80000000, 0).eax;

	(void)b;
	check(l1.ecx & HV_CPUID_HYPERVISOR_PRESENT, "cpuid.1:ecx.hypervisor is set");
	check(!(l1.ecx >> 5 & 1), "cpuid.1:ecx.vmx is hidden");
	check(!(x1.ecx >> 2 & 1), "cpuid.80000001:ecx.svm is hidden");
	check(max_ext < 0x8000000a || guest_cpuid(0x8000000a, 0).edx == 0,
	      "cpuid.8000000a (SVM features) is empty");
	check(hv.eax >= HV_CPUID_MAX_LEAF, "cpuid.40000000:eax names the top hypervisor leaf");
	check(hv.ebx == HV_CPUID_VENDOR_EBX && hv.ecx == HV_CPUID_VENDOR_ECX &&
	      hv.edx == HV_CPUID_VENDOR_EDX,
	      "cpuid.40000000 vendor is HvMicroVisor");
	check(guest_cpuid(0x40000100, 0).eax == 0, "cpuid beyond the hypervisor leaves is zero");
}
