/* CPUID as a partition sees it: virtualization hidden, the hypervisor leaves present. */
#include "tests/guests/guest.h"

void guest_main(const struct guest_boot *b)
{
	struct cpuid_out l1 = guest_cpuid(1, 0), x1 = guest_cpuid(0x80000001, 0);
	struct cpuid_out hv = guest_cpuid(0x40000000, 0);
	uint32_t max_ext = guest_cpuid(0x80000000, 0).eax;

	(void)b;
	check(l1.ecx >> 31 & 1, "cpuid.1:ecx.hypervisor is set");
	check(!(l1.ecx >> 5 & 1), "cpuid.1:ecx.vmx is hidden");
	check(!(x1.ecx >> 2 & 1), "cpuid.80000001:ecx.svm is hidden");
	check(max_ext < 0x8000000a || guest_cpuid(0x8000000a, 0).edx == 0,
	      "cpuid.8000000a (SVM features) is empty");
	check(hv.eax >= 0x40000001, "cpuid.40000000:eax names the top hypervisor leaf");
	check(hv.ebx == 0x694d7648 && hv.ecx == 0x566f7263 && hv.edx == 0x726f7369,
	      "cpuid.40000000 vendor is HvMicroVisor");
	check(guest_cpuid(0x40000100, 0).eax == 0, "cpuid beyond the hypervisor leaves is zero");
}
