/*
 * Control registers: CR8 (the TPR) reads back what was written, CR0.NE can
 * be cleared and set (VT-x owns it), and CR4 takes the bits of features
 * the partition has and refuses with #GP the others (VMXE, OSXSAVE while
 * XSAVE is hidden, PKE while PKU is hidden) and reserved bits; CR4.MCE
 * reads back as written (the hypervisor keeps the real bit set), and
 * CR4.UMIP, where offered, takes effect. The MOVs use RAX (3 bytes) unless
 * said otherwise, for expect_fault().
 *
 * The CR0 and CR8 checks that need a #GP run on VT-x only: there the
 * hypervisor emulates those writes; on AMD-V they are not intercepted and
 * the CPU checks them itself (QEMU 7.2's TCG does not check them all).
 *
 * RSP as the MOV's operand: the back-ends keep the guest's RSP to
 * themselves and hand it to the core only after exits that name a
 * register (core/vcpu.h), and take back what the core writes there.
 */
#include "tests/guests/guest.h"

#define CR0_PE		(1ull << 0)
#define CR0_NE		(1ull << 5)
#define CR0_NW		(1ull << 29)
#define CR0_CD		(1ull << 30)
#define CR0_PG		(1ull << 31)
#define CR4_PSE		(1ull << 4)
#define CR4_MCE		(1ull << 6)
#define CR4_PGE		(1ull << 7)
#define CR4_UMIP	(1ull << 11)
#define CR4_VMXE	(1ull << 13)
#define CR4_OSXSAVE	(1ull << 18)
#define CR4_PKE		(1ull << 22)

static uint64_t get_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=a"(v)); return v; }
static uint64_t get_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=a"(v)); return v; }
static uint64_t get_cr8(void) { uint64_t v; __asm__ volatile("mov %%cr8, %0" : "=a"(v)); return v; }

static int set_cr0(uint64_t v)
{
	expect_fault(3);
	__asm__ volatile("mov %0, %%cr0" ::"a"(v) : "memory");
	return fault_taken();
}

static int set_cr4(uint64_t v)
{
	expect_fault(3);
	__asm__ volatile("mov %0, %%cr4" ::"a"(v) : "memory");
	return fault_taken();
}

/* mov %r9, %cr4: a REX prefix (41 0f 22 e1), for the decoders that read the bytes */
static int set_cr4_r9(uint64_t v)
{
	expect_fault(4);
	__asm__ volatile("mov %0, %%r9; mov %%r9, %%cr4" ::"r"(v) : "r9", "memory");
	return fault_taken();
}

static int set_cr8(uint64_t v)
{
	expect_fault(4);		/* 44 0f 22 c0 */
	__asm__ volatile("mov %0, %%cr8" ::"a"(v) : "memory");
	return fault_taken();
}

static bool amd;

static void check_cr8(void)
{
	bool ok = true;

	for (uint64_t v = 0; v < 16; v += 5)
		ok = ok && set_cr8(v) == -1 && get_cr8() == v;
	check(ok, "CR8 (TPR) reads back what was written");
	if (!amd)
		check(set_cr8(0x10) == 13 && get_cr8() == 15,
		      "CR8 with a reserved bit raises #GP, CR8 unchanged");
	set_cr8(0);
}

static void check_cr0(void)
{
	uint64_t cr0 = get_cr0();

	check(set_cr0(cr0 & ~CR0_NE) == -1 && !(get_cr0() & CR0_NE) &&
	      set_cr0(cr0 | CR0_NE) == -1 && (get_cr0() & CR0_NE), "CR0.NE can be cleared and set");
	if (!amd) {
		/* each also toggles NE, so that VT-x, which owns NE, sees the write */
		check(set_cr0((cr0 ^ CR0_NE) & ~CR0_PE) == 13,
		      "CR0 with PG and without PE raises #GP");
		check(set_cr0((cr0 ^ CR0_NE) | 1ull << 32) == 13, "CR0 with bit 32 set raises #GP");
		check(set_cr0(((cr0 ^ CR0_NE) | CR0_NW) & ~CR0_CD) == 13,
		      "CR0 with NW and without CD raises #GP");
		check(set_cr0((cr0 ^ CR0_NE) & ~CR0_PG) == 13,
		      "CR0.PG cannot be cleared in 64-bit mode");
	}
	set_cr0(cr0);
	check(get_cr0() == cr0, "CR0 is back as it was");
}

static void check_cr4(void)
{
	uint64_t cr4 = get_cr4();

	check(set_cr4(cr4 ^ CR4_PSE) == -1 && get_cr4() == (cr4 ^ CR4_PSE) &&
	      set_cr4(cr4) == -1 && get_cr4() == cr4, "CR4.PSE can be toggled");
	check(set_cr4_r9(cr4 ^ CR4_PGE) == -1 && get_cr4() == (cr4 ^ CR4_PGE) &&
	      set_cr4_r9(cr4) == -1 && get_cr4() == cr4, "CR4.PGE can be toggled (from R9)");
	check(set_cr4(cr4 | CR4_PKE) == 13, "CR4.PKE raises #GP (PKU is not offered)");
	check(set_cr4(cr4 | CR4_OSXSAVE) == 13, "CR4.OSXSAVE raises #GP (XSAVE is not offered)");
	check(set_cr4(cr4 | CR4_VMXE) == 13, "CR4.VMXE raises #GP");
	check(set_cr4(cr4 | 1ull << 15) == 13, "CR4 reserved bit 15 raises #GP");
	check(set_cr4_r9((cr4 ^ CR4_PSE) | CR4_VMXE) == 13 && get_cr4() == cr4,
	      "a refused CR4 write changes nothing");
	/* the hypervisor runs every guest with the real CR4.MCE set; the guest sees its own */
	check(!(cr4 & CR4_MCE) && set_cr4(cr4 | CR4_MCE) == -1 && get_cr4() == (cr4 | CR4_MCE) &&
	      set_cr4(cr4) == -1 && get_cr4() == cr4,
	      "CR4.MCE reads back what was written (0, 1, 0)");
}

static uint8_t user_gdtr[10];

/* CPL 3: sgdt (%rax), 0f 01 00 */
static void user_sgdt(void)
{
	__asm__ volatile("sgdt (%0)" ::"a"(user_gdtr) : "memory");
}

static int sgdt_in_ring3(void)
{
	expect_fault(3);
	run_user(user_sgdt);
	return fault_taken();
}

/*
 * A CR4 bit the guest reads back set must be in effect: with CR4.UMIP,
 * SGDT at CPL 3 raises #GP (SDM Vol. 3A, 2.5). On VT-x the guest reads
 * CR4 from the read shadow, so a bit the hardware was not given would
 * read back set and do nothing.
 */
static void check_umip(void)
{
	uint64_t cr4 = get_cr4();

	if (!(guest_cpuid(7, 0).ecx >> 2 & 1)) {
		gprintf("SKIP UMIP is not offered\n");
		return;
	}
	check(sgdt_in_ring3() == -1, "without CR4.UMIP, SGDT runs at CPL 3");
	check(set_cr4(cr4 | CR4_UMIP) == -1 && get_cr4() == (cr4 | CR4_UMIP) &&
	      sgdt_in_ring3() == 13, "with CR4.UMIP set, SGDT at CPL 3 raises #GP");
	set_cr4(cr4);
}

/*
 * mov %rsp, %cr8; mov %cr8, %rsp, then a CPUID exit, which does not name
 * RSP: what comes back in RSP is what went into CR8. RSP holds the value
 * only between the first and the last instruction, none of which faults,
 * with interrupts off (guests start with IF clear).
 */
static uint64_t cr8_through_rsp(uint64_t v)
{
	uint64_t out;

	__asm__ volatile("mov %%rsp, %%r12\n\t"
			 "mov %1, %%rsp\n\t"
			 "mov %%rsp, %%cr8\n\t"
			 "xor %%esp, %%esp\n\t"
			 "mov %%cr8, %%rsp\n\t"
			 "mov $0x40000000, %%eax\n\t"
			 "cpuid\n\t"
			 "mov %%rsp, %0\n\t"
			 "mov %%r12, %%rsp"
			 : "=r"(out) : "r"(v) : "rax", "rbx", "rcx", "rdx", "r12", "memory");
	return out;
}

/* mov %rsp, %cr4 (0f 22 e4), with RSP holding the new value for that instruction only */
static void set_cr4_from_rsp(uint64_t v)
{
	__asm__ volatile("mov %%rsp, %%r12\n\t"
			 "mov %0, %%rsp\n\t"
			 "mov %%rsp, %%cr4\n\t"
			 "mov %%r12, %%rsp"
			 :: "r"(v) : "r12", "memory");
}

/* mov %cr4, %rsp (0f 20 e4): exits on AMD-V, where CR4 reads are intercepted; RSP read back after a CPUID exit */
static uint64_t cr4_into_rsp(void)
{
	uint64_t out;

	__asm__ volatile("mov %%rsp, %%r12\n\t"
			 "xor %%esp, %%esp\n\t"
			 "mov %%cr4, %%rsp\n\t"
			 "mov $0x40000000, %%eax\n\t"
			 "cpuid\n\t"
			 "mov %%rsp, %0\n\t"
			 "mov %%r12, %%rsp"
			 : "=r"(out) : : "rax", "rbx", "rcx", "rdx", "r12", "memory");
	return out;
}

static void check_rsp_operand(void)
{
	uint64_t cr4 = get_cr4();

	check(cr8_through_rsp(9) == 9 && cr8_through_rsp(3) == 3,
	      "CR8 to and from RSP, RSP kept across a CPUID exit");
	set_cr8(0);
	set_cr4_from_rsp(cr4 ^ CR4_PSE);
	check(get_cr4() == (cr4 ^ CR4_PSE), "CR4 from RSP");
	set_cr4(cr4);
	check(cr4_into_rsp() == cr4, "CR4 into RSP, RSP kept across a CPUID exit");
}

void guest_main(const struct guest_boot *b)
{
	struct cpuid_out l7 = guest_cpuid(7, 0);

	(void)b;
	amd = guest_cpuid(0, 0).ebx == 0x68747541;	/* "Auth"enticAMD */
	gprintf("cpuid.7.ecx=%x (PKU %u)\n", l7.ecx, l7.ecx >> 3 & 1);
	check_cr8();
	check_cr0();
	check_cr4();
	check_umip();
	check_rsp_operand();
}

