/*
 * Instructions of features the partition does not have raise #UD, as on a
 * CPU without them, from ring 0: VMX, SVM, SMX, XSAVE's XSETBV (CR4.OSXSAVE
 * is clear) and MONITOR/MWAIT. On each vendor half of them exit to the
 * hypervisor (which injects #UD) and the other half are #UD in hardware.
 */
#include "tests/guests/guest.h"
#include "core/lib.h"

struct insn {
	const char *name;
	unsigned len;
	void (*run)(void);
};

static uint64_t scratch[512] __attribute__((aligned(4096)));

/* RAX points at scratch memory for the forms with a memory operand; RBX = 0, ECX = 0. */
#define INSN(fn, bytes)								\
	static void fn(void)							\
	{									\
		__asm__ volatile("xor %%ebx, %%ebx; xor %%ecx, %%ecx; xor %%edx, %%edx\n\t" \
				 ".byte " bytes : : "a"(scratch) : "rbx", "rcx", "rdx", "memory"); \
	}

INSN(vmxon, "0xf3, 0x0f, 0xc7, 0x30")		/* vmxon (%rax) */
INSN(vmclear, "0x66, 0x0f, 0xc7, 0x30")		/* vmclear (%rax) */
INSN(vmptrld, "0x0f, 0xc7, 0x30")		/* vmptrld (%rax) */
INSN(vmptrst, "0x0f, 0xc7, 0x38")		/* vmptrst (%rax) */
INSN(vmread, "0x0f, 0x78, 0xc3")		/* vmread %rax, %rbx */
INSN(vmwrite, "0x0f, 0x79, 0xc3")		/* vmwrite %rbx, %rax */
INSN(vmlaunch, "0x0f, 0x01, 0xc2")
INSN(vmresume, "0x0f, 0x01, 0xc3")
INSN(vmxoff, "0x0f, 0x01, 0xc4")
INSN(invept, "0x66, 0x0f, 0x38, 0x80, 0x18")	/* invept (%rax), %rbx */
INSN(invvpid, "0x66, 0x0f, 0x38, 0x81, 0x18")	/* invvpid (%rax), %rbx */
INSN(vmfunc, "0x0f, 0x01, 0xd4")
INSN(getsec, "0x0f, 0x37")
INSN(vmrun, "0x0f, 0x01, 0xd8")
INSN(vmload, "0x0f, 0x01, 0xda")
INSN(vmsave, "0x0f, 0x01, 0xdb")
INSN(stgi, "0x0f, 0x01, 0xdc")
INSN(clgi, "0x0f, 0x01, 0xdd")
INSN(skinit, "0x0f, 0x01, 0xde")
INSN(invlpga, "0x0f, 0x01, 0xdf")
INSN(xsetbv, "0x0f, 0x01, 0xd1")
INSN(monitor, "0x0f, 0x01, 0xc8")
INSN(mwait, "0x0f, 0x01, 0xc9")

static const struct insn insns[] = {
	{ "VMXON", 4, vmxon }, { "VMCLEAR", 4, vmclear }, { "VMPTRLD", 3, vmptrld },
	{ "VMPTRST", 3, vmptrst }, { "VMREAD", 3, vmread }, { "VMWRITE", 3, vmwrite },
	{ "VMLAUNCH", 3, vmlaunch }, { "VMRESUME", 3, vmresume }, { "VMXOFF", 3, vmxoff },
	{ "INVEPT", 5, invept }, { "INVVPID", 5, invvpid }, { "VMFUNC", 3, vmfunc },
	{ "GETSEC", 2, getsec },
	{ "VMRUN", 3, vmrun }, { "VMLOAD", 3, vmload }, { "VMSAVE", 3, vmsave },
	{ "STGI", 3, stgi }, { "CLGI", 3, clgi }, { "SKINIT", 3, skinit },
	{ "INVLPGA", 3, invlpga },
	{ "XSETBV", 3, xsetbv }, { "MONITOR", 3, monitor }, { "MWAIT", 3, mwait },
};

void guest_main(const struct guest_boot *b)
{
	char name[48];

	(void)b;
	for (unsigned i = 0; i < sizeof(insns) / sizeof(insns[0]); i++) {
		int v;

		expect_fault(insns[i].len);
		insns[i].run();
		v = fault_taken();
		fmt_snprintf(name, sizeof(name), "%s raises #UD", insns[i].name);
		if (v != 6)
			gprintf("  %s: vector %d\n", insns[i].name, v);
		check(v == 6, name);
	}
}
