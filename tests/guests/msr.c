/* MSRs: the allow list works, everything else raises #GP; cache flushes are harmless. */
#include "tests/guests/guest.h"

static int try_rdmsr(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	expect_fault(2);
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	*val = (uint64_t)hi << 32 | lo;
	return fault_taken();
}

static int try_wrmsr(uint32_t msr, uint64_t val)
{
	expect_fault(2);
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
	return fault_taken();
}

void guest_main(const struct guest_boot *b)
{
	uint64_t v = 0;

	(void)b;
	check(try_rdmsr(0x10, &v) == -1 && v != 0, "rdmsr TSC is allowed");
	check(try_rdmsr(0x1b, &v) == -1 && (v & ~0xfffull) == 0xfee00000, "rdmsr APIC_BASE is allowed");
	check(try_rdmsr(0x3a, &v) == 13, "rdmsr IA32_FEATURE_CONTROL raises #GP");
	check(try_rdmsr(0xc0010114, &v) == 13, "rdmsr VM_CR raises #GP");
	check(try_rdmsr(0x480, &v) == 13, "rdmsr IA32_VMX_BASIC raises #GP");
	check(try_wrmsr(0x1b, 0) == 13, "wrmsr APIC_BASE raises #GP");
	check(try_wrmsr(0xc0010117, 0x1000) == 13, "wrmsr VM_HSAVE_PA raises #GP");
	expect_fault(2);
	__asm__ volatile("wbinvd; invd" ::: "memory");	/* handled by the hypervisor */
	check(fault_taken() == -1, "WBINVD and INVD complete without a fault");
}
