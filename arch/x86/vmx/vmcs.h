/*
 * VMCS field encodings (SDM Vol. 3D, Appendix B), the VM-execution, exit
 * and entry control bits (SDM Vol. 3C, 25.6-25.8), basic exit reasons
 * (SDM Vol. 3D, Appendix C), the VMX capability MSRs (SDM Vol. 3D,
 * Appendix A) and the VMX instructions. Plain #defines so that
 * vmx_entry.S can use them too.
 */
#ifndef ARCH_X86_VMX_VMCS_H
#define ARCH_X86_VMX_VMCS_H

/* Capability MSRs (SDM Vol. 3D, Appendix A) */
#define MSR_VMX_BASIC			0x480
#define MSR_VMX_PINBASED		0x481
#define MSR_VMX_PROCBASED		0x482
#define MSR_VMX_EXIT			0x483
#define MSR_VMX_ENTRY			0x484
#define MSR_VMX_MISC			0x485
#define MSR_VMX_CR0_FIXED0		0x486
#define MSR_VMX_CR0_FIXED1		0x487
#define MSR_VMX_CR4_FIXED0		0x488
#define MSR_VMX_CR4_FIXED1		0x489
#define MSR_VMX_PROCBASED2		0x48b
#define MSR_VMX_EPT_VPID_CAP		0x48c
#define MSR_VMX_TRUE_PINBASED		0x48d
#define MSR_VMX_TRUE_PROCBASED		0x48e
#define MSR_VMX_TRUE_EXIT		0x48f
#define MSR_VMX_TRUE_ENTRY		0x490

/* IA32_VMX_BASIC (Appendix A.1) */
#define VMX_BASIC_REVISION_MASK		0x7ffffffful
#define VMX_BASIC_32BIT_ADDR		(1ul << 48)	/* VMX structures below 4 GiB */
#define VMX_BASIC_TRUE_CTLS		(1ul << 55)

/* IA32_VMX_MISC (A.6): bits 4:0, the preemption timer counts at TSC >> this */
#define VMX_MISC_PREEMPT_RATE_MASK	0x1ful

/* IA32_FEATURE_CONTROL (SDM Vol. 3C, 24.7) */
#define FEATURE_CONTROL_LOCK		(1ul << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX	(1ul << 2)

/* IA32_VMX_EPT_VPID_CAP (Appendix A.10) */
#define EPT_CAP_WALK_4			(1ul << 6)
#define EPT_CAP_WB			(1ul << 14)
#define EPT_CAP_2M			(1ul << 16)
#define EPT_CAP_INVEPT			(1ul << 20)
#define EPT_CAP_INVEPT_SINGLE		(1ul << 25)
#define EPT_CAP_INVEPT_ALL		(1ul << 26)
#define VPID_CAP_INVVPID		(1ul << 32)
#define VPID_CAP_INVVPID_SINGLE		(1ul << 41)
#define VPID_CAP_INVVPID_ALL		(1ul << 42)

/* INVEPT / INVVPID types (SDM Vol. 3C, 29.4.3; Vol. 2B, INVEPT/INVVPID) */
#define INVEPT_SINGLE_CONTEXT		1
#define INVEPT_ALL_CONTEXT		2
#define INVVPID_SINGLE_CONTEXT		1
#define INVVPID_ALL_CONTEXT		2

/* EPT pointer (SDM Vol. 3C, 25.6.11): WB paging structures, 4-level walk */
#define EPTP_WB_4LEVEL			0x1e

/* Pin-based VM-execution controls (25.6.1) */
#define PIN_EXTINT_EXITING		(1u << 0)
#define PIN_NMI_EXITING			(1u << 3)
#define PIN_VIRTUAL_NMIS		(1u << 5)
#define PIN_PREEMPTION_TIMER		(1u << 6)

/* Primary processor-based VM-execution controls (25.6.2) */
#define PROC_IRQ_WINDOW_EXITING		(1u << 2)
#define PROC_HLT_EXITING		(1u << 7)
#define PROC_MWAIT_EXITING		(1u << 10)
#define PROC_INVLPG_EXITING		(1u << 9)
#define PROC_CR3_LOAD_EXITING		(1u << 15)
#define PROC_CR3_STORE_EXITING		(1u << 16)
#define PROC_CR8_LOAD_EXITING		(1u << 19)
#define PROC_CR8_STORE_EXITING		(1u << 20)
#define PROC_USE_IO_BITMAPS		(1u << 25)
#define PROC_USE_MSR_BITMAPS		(1u << 28)
#define PROC_MONITOR_EXITING		(1u << 29)
#define PROC_SECONDARY			(1u << 31)

/* Secondary processor-based VM-execution controls (25.6.2) */
#define PROC2_ENABLE_EPT		(1u << 1)
#define PROC2_ENABLE_RDTSCP		(1u << 3)	/* else RDTSCP and RDPID raise #UD */
#define PROC2_ENABLE_VPID		(1u << 5)
#define PROC2_WBINVD_EXITING		(1u << 6)
#define PROC2_UNRESTRICTED_GUEST	(1u << 7)
#define PROC2_ENABLE_INVPCID		(1u << 12)	/* else INVPCID raises #UD */

/* VM-exit controls (25.7.1) */
#define EXITCTL_SAVE_DEBUG			(1u << 2)
#define EXITCTL_HOST_ADDR_SPACE_SIZE	(1u << 9)
#define EXITCTL_ACK_INTR_ON_EXIT		(1u << 15)
#define EXITCTL_SAVE_PAT			(1u << 18)
#define EXITCTL_LOAD_PAT			(1u << 19)
#define EXITCTL_SAVE_EFER			(1u << 20)
#define EXITCTL_LOAD_EFER			(1u << 21)

/* VM-entry controls (25.8.1) */
#define ENTRYCTL_LOAD_DEBUG			(1u << 2)
#define ENTRYCTL_IA32E_MODE_GUEST		(1u << 9)
#define ENTRYCTL_LOAD_PAT			(1u << 14)
#define ENTRYCTL_LOAD_EFER			(1u << 15)

/*
 * Interruption information: VM-entry (25.8.3), VM-exit (25.9.2) and
 * IDT-vectoring (25.9.3) share this layout.
 */
#define INTR_INFO_VECTOR_MASK		0xffu
#define INTR_INFO_TYPE_SHIFT		8
#define INTR_INFO_TYPE_MASK		(7u << 8)
#define INTR_INFO_ERROR_VALID		(1u << 11)
#define INTR_INFO_NMI_UNBLOCKED		(1u << 12)	/* exit and IDT-vectoring only */
#define INTR_INFO_VALID			(1u << 31)
#define INTR_TYPE_EXTINT		0u
#define INTR_TYPE_NMI			2u
#define INTR_TYPE_HW_EXCEPTION		3u
#define INTR_TYPE_SW_INT		4u
#define INTR_TYPE_PRIV_SW_EXCEPTION	5u
#define INTR_TYPE_SW_EXCEPTION		6u

/* Guest interruptibility state (25.4.2, Table 25-3) */
#define INTERRUPTIBILITY_STI		(1u << 0)
#define INTERRUPTIBILITY_MOV_SS		(1u << 1)
#define INTERRUPTIBILITY_NMI		(1u << 3)

/* Segment access rights (25.4.1, Table 25-2) */
#define SEG_AR_DPL_SHIFT		5
#define SEG_AR_L			(1u << 13)	/* 64-bit code segment */
#define SEG_AR_UNUSABLE			(1u << 16)

/* Basic exit reasons (Appendix C) */
#define VMX_EXIT_EXCEPTION_NMI	0
#define VMX_EXIT_EXTINT		1
#define VMX_EXIT_TRIPLE_FAULT	2
#define VMX_EXIT_IRQ_WINDOW		7
#define VMX_EXIT_CPUID		10
#define VMX_EXIT_GETSEC		11
#define VMX_EXIT_HLT			12
#define VMX_EXIT_INVD			13
#define VMX_EXIT_VMCALL		18
#define VMX_EXIT_VMCLEAR		19
#define VMX_EXIT_VMLAUNCH		20
#define VMX_EXIT_VMPTRLD		21
#define VMX_EXIT_VMPTRST		22
#define VMX_EXIT_VMREAD		23
#define VMX_EXIT_VMRESUME		24
#define VMX_EXIT_VMWRITE		25
#define VMX_EXIT_VMXOFF		26
#define VMX_EXIT_VMXON		27
#define VMX_EXIT_CR_ACCESS		28
#define VMX_EXIT_IO			30
#define VMX_EXIT_RDMSR		31
#define VMX_EXIT_WRMSR		32
#define VMX_EXIT_MCE_DURING_ENTRY	41
#define VMX_EXIT_MWAIT		36
#define VMX_EXIT_MONITOR		39
#define VMX_EXIT_EPT_VIOLATION	48
#define VMX_EXIT_EPT_MISCONFIG	49
#define VMX_EXIT_INVEPT		50
#define VMX_EXIT_PREEMPTION_TIMER	52
#define VMX_EXIT_INVVPID		53
#define VMX_EXIT_WBINVD			54
#define VMX_EXIT_XSETBV		55
#define VMX_EXIT_COUNT		70
#define VMX_EXIT_BASIC_MASK		0xffffu
#define VMX_EXIT_ENTRY_FAILED	(1u << 31)

/* 16-bit control fields */
#define VMCS_VPID			0x0000
/* 16-bit guest-state fields: ES, CS, SS, DS, FS, GS, LDTR, TR in steps of 2 */
#define VMCS_GUEST_ES_SEL		0x0800
/* 16-bit host-state fields */
#define VMCS_HOST_ES_SEL		0x0c00
#define VMCS_HOST_CS_SEL		0x0c02
#define VMCS_HOST_SS_SEL		0x0c04
#define VMCS_HOST_DS_SEL		0x0c06
#define VMCS_HOST_FS_SEL		0x0c08
#define VMCS_HOST_GS_SEL		0x0c0a
#define VMCS_HOST_TR_SEL		0x0c0c

/* 64-bit control fields */
#define VMCS_IO_BITMAP_A		0x2000
#define VMCS_IO_BITMAP_B		0x2002
#define VMCS_MSR_BITMAP			0x2004
#define VMCS_EXIT_MSR_STORE_ADDR	0x2006
#define VMCS_EXIT_MSR_LOAD_ADDR		0x2008
#define VMCS_ENTRY_MSR_LOAD_ADDR	0x200a
#define VMCS_TSC_OFFSET			0x2010
#define VMCS_EPT_POINTER		0x201a
/* 64-bit read-only data fields */
#define VMCS_GUEST_PHYSICAL_ADDRESS	0x2400
/* 64-bit guest-state fields */
#define VMCS_LINK_POINTER		0x2800
#define VMCS_GUEST_DEBUGCTL		0x2802
#define VMCS_GUEST_PAT			0x2804
#define VMCS_GUEST_EFER			0x2806
#define VMCS_GUEST_PDPTE0		0x280a	/* PDPTE1-3 follow in steps of 2 */
/* 64-bit host-state fields */
#define VMCS_HOST_PAT			0x2c00
#define VMCS_HOST_EFER			0x2c02

/* 32-bit control fields */
#define VMCS_PIN_CONTROLS		0x4000
#define VMCS_PROC_CONTROLS		0x4002
#define VMCS_EXCEPTION_BITMAP		0x4004
#define VMCS_PF_ERROR_MASK		0x4006
#define VMCS_PF_ERROR_MATCH		0x4008
#define VMCS_CR3_TARGET_COUNT		0x400a
#define VMCS_EXIT_CONTROLS		0x400c
#define VMCS_EXIT_MSR_STORE_COUNT	0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT	0x4010
#define VMCS_ENTRY_CONTROLS		0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT	0x4014
#define VMCS_ENTRY_INTR_INFO		0x4016
#define VMCS_ENTRY_EXCEPTION_ERROR	0x4018
#define VMCS_ENTRY_INSN_LEN		0x401a
#define VMCS_PROC2_CONTROLS		0x401e
/* 32-bit read-only data fields */
#define VMCS_VM_INSN_ERROR		0x4400
#define VMCS_EXIT_REASON		0x4402
#define VMCS_EXIT_INTR_INFO		0x4404
#define VMCS_EXIT_INTR_ERROR		0x4406
#define VMCS_IDT_VECTORING_INFO		0x4408
#define VMCS_IDT_VECTORING_ERROR	0x440a
#define VMCS_EXIT_INSN_LEN		0x440c
/* 32-bit guest-state fields: limits and access rights, ES..TR in steps of 2 */
#define VMCS_GUEST_ES_LIMIT		0x4800
#define VMCS_GUEST_GDTR_LIMIT		0x4810
#define VMCS_GUEST_IDTR_LIMIT		0x4812
#define VMCS_GUEST_ES_AR		0x4814
#define VMCS_GUEST_CS_AR		0x4816
#define VMCS_GUEST_SS_AR		0x4818
#define VMCS_GUEST_INTERRUPTIBILITY	0x4824
#define VMCS_GUEST_ACTIVITY_STATE	0x4826
#define VMCS_GUEST_SYSENTER_CS		0x482a
#define VMCS_GUEST_PREEMPTION_TIMER	0x482e
/* 32-bit host-state fields */
#define VMCS_HOST_SYSENTER_CS		0x4c00

/* Natural-width control fields */
#define VMCS_CR0_GUEST_HOST_MASK	0x6000
#define VMCS_CR4_GUEST_HOST_MASK	0x6002
#define VMCS_CR0_READ_SHADOW		0x6004
#define VMCS_CR4_READ_SHADOW		0x6006
/* Natural-width read-only data fields */
#define VMCS_EXIT_QUALIFICATION		0x6400
/* Natural-width guest-state fields: bases ES..TR in steps of 2 */
#define VMCS_GUEST_CR0			0x6800
#define VMCS_GUEST_CR3			0x6802
#define VMCS_GUEST_CR4			0x6804
#define VMCS_GUEST_ES_BASE		0x6806
#define VMCS_GUEST_GDTR_BASE		0x6816
#define VMCS_GUEST_IDTR_BASE		0x6818
#define VMCS_GUEST_DR7			0x681a
#define VMCS_GUEST_RSP			0x681c
#define VMCS_GUEST_RIP			0x681e
#define VMCS_GUEST_RFLAGS		0x6820
#define VMCS_GUEST_PENDING_DBG		0x6822
#define VMCS_GUEST_SYSENTER_ESP		0x6824
#define VMCS_GUEST_SYSENTER_EIP		0x6826
/* Natural-width host-state fields */
#define VMCS_HOST_CR0			0x6c00
#define VMCS_HOST_CR3			0x6c02
#define VMCS_HOST_CR4			0x6c04
#define VMCS_HOST_FS_BASE		0x6c06
#define VMCS_HOST_GS_BASE		0x6c08
#define VMCS_HOST_TR_BASE		0x6c0a
#define VMCS_HOST_GDTR_BASE		0x6c0c
#define VMCS_HOST_IDTR_BASE		0x6c0e
#define VMCS_HOST_SYSENTER_ESP		0x6c10
#define VMCS_HOST_SYSENTER_EIP		0x6c12
#define VMCS_HOST_RSP			0x6c14
#define VMCS_HOST_RIP			0x6c16

#ifndef __ASSEMBLY__

#include "core/types.h"

/*
 * The VMX instructions. Each reports failure through CF (VMfailInvalid: no
 * current VMCS) or ZF (VMfailValid: the reason is in VMCS_VM_INSN_ERROR),
 * SDM Vol. 3C, 31.2; "setna" catches both.
 */
static inline bool vmx_on(paddr_t pa)
{
	bool fail;

	__asm__ volatile("vmxon %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmcs_clear(paddr_t pa)
{
	bool fail;

	__asm__ volatile("vmclear %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmcs_load(paddr_t pa)
{
	bool fail;

	__asm__ volatile("vmptrld %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

#ifdef VMCS_FAKE
/* Host unit tests (tests/unit/test_vmx_exit.c) supply the VMCS as a table. */
uint64_t vmread(uint32_t field);
void vmwrite(uint32_t field, uint64_t v);
#else
/* Unchecked: the field encodings are constants of ours and the VMCS is current. */
static inline uint64_t vmread(uint32_t field)
{
	uint64_t v;

	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"((uint64_t)field) : "cc");
	return v;
}

static inline void vmwrite(uint32_t field, uint64_t v)
{
	__asm__ volatile("vmwrite %0, %1" : : "rm"(v), "r"((uint64_t)field) : "cc");
}
#endif

/* vmwrite that reports failure, for setting up a VMCS. */
static inline bool vmwrite_checked(uint32_t field, uint64_t v)
{
	bool fail;

	__asm__ volatile("vmwrite %1, %2; setna %0"
			 : "=qm"(fail) : "rm"(v), "r"((uint64_t)field) : "cc");
	return !fail;
}

static inline bool invept(uint64_t type, uint64_t eptp)
{
	struct { uint64_t eptp, zero; } desc = { eptp, 0 };
	bool fail;

	__asm__ volatile("invept %1, %2; setna %0"
			 : "=qm"(fail) : "m"(desc), "r"(type) : "cc", "memory");
	return !fail;
}

static inline bool invvpid(uint64_t type, uint16_t vpid)
{
	struct { uint64_t vpid, gla; } desc = { vpid, 0 };
	bool fail;

	__asm__ volatile("invvpid %1, %2; setna %0"
			 : "=qm"(fail) : "m"(desc), "r"(type) : "cc", "memory");
	return !fail;
}

#endif /* !__ASSEMBLY__ */
#endif
