/*
 * The Virtual Machine Control Block (APM Vol. 2, Appendix B "Layout of
 * VMCB"): a 4 KiB page, control area at 0x000-0x3ff (Table B-1), state
 * save area from 0x400 (Table B-2). Only the SVM back-end includes this.
 */
#ifndef ARCH_X86_SVM_VMCB_H
#define ARCH_X86_SVM_VMCB_H

#include "core/types.h"

/* CR intercepts, control area 0x000 (Table B-1): reads in bits 15:0, writes in 31:16. */
#define INTERCEPT_CR_READ(n)	(1u << (n))
#define INTERCEPT_CR_WRITE(n)	(1u << (16 + (n)))

/* Intercept vector 3, control area 0x00c (Table B-1). */
#define INTERCEPT_INTR		(1u << 0)
#define INTERCEPT_NMI		(1u << 1)
#define INTERCEPT_VINTR		(1u << 4)
#define INTERCEPT_CPUID		(1u << 18)
#define INTERCEPT_INVD		(1u << 22)
#define INTERCEPT_HLT		(1u << 24)
#define INTERCEPT_INVLPGA	(1u << 26)
#define INTERCEPT_IOIO_PROT	(1u << 27)
#define INTERCEPT_MSR_PROT	(1u << 28)
#define INTERCEPT_SHUTDOWN	(1u << 31)

/* Intercept vector 4, control area 0x010 (Table B-1). */
#define INTERCEPT_VMRUN		(1u << 0)
#define INTERCEPT_VMMCALL	(1u << 1)
#define INTERCEPT_VMLOAD	(1u << 2)
#define INTERCEPT_VMSAVE	(1u << 3)
#define INTERCEPT_STGI		(1u << 4)
#define INTERCEPT_CLGI		(1u << 5)
#define INTERCEPT_SKINIT	(1u << 6)
#define INTERCEPT_WBINVD	(1u << 9)
#define INTERCEPT_MONITOR	(1u << 10)
#define INTERCEPT_MWAIT		(1u << 11)
#define INTERCEPT_XSETBV	(1u << 13)

/* TLB_CONTROL, 0x05c (APM Vol. 2, 15.16.1). */
#define TLB_CONTROL_NONE	0
#define TLB_CONTROL_FLUSH_ALL	1	/* every ASID: the only choice without FlushByAsid */
#define TLB_CONTROL_FLUSH_ASID	3	/* this guest's ASID only */

/* Virtual interrupt control, 0x060 (APM Vol. 2, 15.21.1). */
#define VINT_V_TPR_MASK		0xfull		/* the guest's CR8 */
#define VINT_V_IRQ		(1ull << 8)
#define VINT_V_IGN_TPR		(1ull << 20)
#define VINT_V_INTR_MASKING	(1ull << 24)

#define INT_STATE_SHADOW	(1ull << 0)	/* 0x068: guest is in an interrupt shadow */
#define NP_ENABLE		(1ull << 0)	/* 0x090 */

/* EVENTINJ (0x0a8) and EXITINTINFO (0x088) share this layout (APM Vol. 2, 15.20). */
#define EVENT_VECTOR_MASK	0xffull
#define EVENT_TYPE_MASK		(7ull << 8)
#define EVENT_TYPE_INTR		(0ull << 8)
#define EVENT_TYPE_NMI		(2ull << 8)
#define EVENT_TYPE_EXCEPTION	(3ull << 8)
#define EVENT_ERROR_VALID	(1ull << 11)
#define EVENT_VALID		(1ull << 31)
#define EVENT_ERROR_SHIFT	32

/* EXITCODE values (APM Vol. 2, Appendix C "SVM Intercept Exit Codes"). */
#define VMEXIT_CR0_READ		0x00	/* 0x00-0x0f: MOV from CRn */
#define VMEXIT_CR0_WRITE	0x10	/* 0x10-0x1f: MOV to CRn */
#define VMEXIT_CR4_READ		0x04
#define VMEXIT_CR4_WRITE	0x14
#define VMEXIT_EXCEPTION_FIRST	0x40
#define VMEXIT_EXCEPTION_LAST	0x5f
#define VMEXIT_INTR		0x60
#define VMEXIT_NMI		0x61
#define VMEXIT_VINTR		0x64
#define VMEXIT_CPUID		0x72
#define VMEXIT_INVD		0x76
#define VMEXIT_HLT		0x78
#define VMEXIT_INVLPGA		0x7a
#define VMEXIT_IOIO		0x7b
#define VMEXIT_MSR		0x7c
#define VMEXIT_SHUTDOWN		0x7f
#define VMEXIT_VMRUN		0x80
#define VMEXIT_VMMCALL		0x81
#define VMEXIT_VMLOAD		0x82
#define VMEXIT_VMSAVE		0x83
#define VMEXIT_STGI		0x84
#define VMEXIT_CLGI		0x85
#define VMEXIT_SKINIT		0x86
#define VMEXIT_WBINVD		0x89
#define VMEXIT_MONITOR		0x8a
#define VMEXIT_MWAIT		0x8b
#define VMEXIT_MWAIT_CONDITIONAL 0x8c
#define VMEXIT_XSETBV		0x8d
#define VMEXIT_NPF		0x400
#define VMEXIT_INVALID		0xffffffffu	/* -1; compare the low 32 bits only */

/* MOV-to-CR EXITINFO1 with decode assists (APM Vol. 2, 15.33 "Decode Assists"). */
#define CR_INFO_MOV		(1ull << 63)	/* a MOV; bits 3:0 name its GPR */
#define CR_INFO_GPR_MASK	0xfull

/* IOIO EXITINFO1 (APM Vol. 2, 15.10.2, Figure 15-2). */
#define IOIO_IN			(1ull << 0)
#define IOIO_STR		(1ull << 2)
#define IOIO_REP		(1ull << 3)
#define IOIO_SZ8		(1ull << 4)
#define IOIO_SZ16		(1ull << 5)
#define IOIO_SZ32		(1ull << 6)
#define IOIO_PORT_SHIFT		16

/* #NPF EXITINFO1: a #PF error code (APM Vol. 2, 15.25.6). */
#define NPF_PRESENT		(1ull << 0)
#define NPF_WRITE		(1ull << 1)
#define NPF_FETCH		(1ull << 4)

#define IOPM_PAGES		3	/* 12 KiB (APM Vol. 2, 15.10.1) */
#define MSRPM_PAGES		2	/* 8 KiB (APM Vol. 2, 15.11) */

/* Table B-1. Reserved gaps are named by their offset. */
struct vmcb_control {
	uint32_t intercept_cr;		/* 0x000: reads 15:0, writes 31:16 */
	uint32_t intercept_dr;		/* 0x004 */
	uint32_t intercept_exc;		/* 0x008: one bit per vector */
	uint32_t intercept3;		/* 0x00c: INTERCEPT_INTR .. SHUTDOWN */
	uint32_t intercept4;		/* 0x010: INTERCEPT_VMRUN .. */
	uint32_t intercept5;		/* 0x014 */
	uint8_t rsvd_018[0x03c - 0x018];
	uint16_t pause_filter_thresh;	/* 0x03c */
	uint16_t pause_filter_count;	/* 0x03e */
	uint64_t iopm_base_pa;		/* 0x040 */
	uint64_t msrpm_base_pa;		/* 0x048 */
	uint64_t tsc_offset;		/* 0x050 */
	uint32_t asid;			/* 0x058 */
	uint8_t tlb_control;		/* 0x05c */
	uint8_t rsvd_05d[3];
	uint64_t vint;			/* 0x060: V_TPR, V_IRQ, V_INTR_MASKING, ... */
	uint64_t int_state;		/* 0x068: INTERRUPT_SHADOW */
	uint64_t exitcode;		/* 0x070 */
	uint64_t exitinfo1;		/* 0x078 */
	uint64_t exitinfo2;		/* 0x080 */
	uint64_t exitintinfo;		/* 0x088 */
	uint64_t np_ctl;		/* 0x090: NP_ENABLE */
	uint64_t avic_apic_bar;		/* 0x098 */
	uint64_t ghcb_pa;		/* 0x0a0 */
	uint64_t eventinj;		/* 0x0a8 */
	uint64_t n_cr3;			/* 0x0b0 */
	uint64_t virt_ext;		/* 0x0b8: LBR / VMSAVE-VMLOAD virtualization */
	uint32_t clean;			/* 0x0c0: VMCB clean bits, 0 = reload all */
	uint32_t rsvd_0c4;
	uint64_t next_rip;		/* 0x0c8: nRIP, with NRIPS only */
	uint8_t insn_fetched;		/* 0x0d0 */
	uint8_t insn_bytes[15];		/* 0x0d1 */
	uint8_t rsvd_0e0[0x400 - 0x0e0];
};

/* A segment in the save area (APM Vol. 2, 15.5.1 for the attribute format). */
struct vmcb_seg {
	uint16_t sel;
	uint16_t attr;
	uint32_t limit;
	uint64_t base;
};

/* Table B-2, offsets from the start of the save area (VMCB offset 0x400). */
struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs;	/* 0x000 */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x060: GDTR/IDTR use limit and base only */
	uint8_t rsvd_0a0[0x0cb - 0x0a0];
	uint8_t cpl;			/* 0x0cb */
	uint32_t rsvd_0cc;
	uint64_t efer;			/* 0x0d0 */
	uint8_t rsvd_0d8[0x148 - 0x0d8];
	uint64_t cr4;			/* 0x148 */
	uint64_t cr3;			/* 0x150 */
	uint64_t cr0;			/* 0x158 */
	uint64_t dr7;			/* 0x160 */
	uint64_t dr6;			/* 0x168 */
	uint64_t rflags;		/* 0x170 */
	uint64_t rip;			/* 0x178 */
	uint8_t rsvd_180[0x1d8 - 0x180];
	uint64_t rsp;			/* 0x1d8 */
	uint64_t s_cet, ssp, isst_addr;	/* 0x1e0 */
	uint64_t rax;			/* 0x1f8 */
	uint64_t star, lstar, cstar, sfmask;	/* 0x200 */
	uint64_t kernel_gs_base;	/* 0x220 */
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;	/* 0x228 */
	uint64_t cr2;			/* 0x240 */
	uint8_t rsvd_248[0x268 - 0x248];
	uint64_t g_pat;			/* 0x268 */
	uint64_t dbgctl;		/* 0x270 */
	uint64_t br_from, br_to;	/* 0x278 */
	uint64_t last_excp_from, last_excp_to;	/* 0x288 */
};

struct vmcb {
	struct vmcb_control ctl;
	struct vmcb_save save;
	uint8_t rsvd_tail[0x1000 - 0x400 - sizeof(struct vmcb_save)];
};

#define VMCB_CTL_AT(field, off)	_Static_assert(offsetof(struct vmcb_control, field) == (off), \
					       "VMCB control " #field)
#define VMCB_SAVE_AT(field, off) _Static_assert(offsetof(struct vmcb_save, field) == (off), \
						"VMCB save " #field)
VMCB_CTL_AT(intercept3, 0x00c);
VMCB_CTL_AT(intercept4, 0x010);
VMCB_CTL_AT(pause_filter_thresh, 0x03c);
VMCB_CTL_AT(iopm_base_pa, 0x040);
VMCB_CTL_AT(asid, 0x058);
VMCB_CTL_AT(tlb_control, 0x05c);
VMCB_CTL_AT(vint, 0x060);
VMCB_CTL_AT(exitcode, 0x070);
VMCB_CTL_AT(exitintinfo, 0x088);
VMCB_CTL_AT(np_ctl, 0x090);
VMCB_CTL_AT(eventinj, 0x0a8);
VMCB_CTL_AT(n_cr3, 0x0b0);
VMCB_CTL_AT(clean, 0x0c0);
VMCB_CTL_AT(next_rip, 0x0c8);
VMCB_CTL_AT(insn_bytes, 0x0d1);
VMCB_SAVE_AT(gdtr, 0x060);
VMCB_SAVE_AT(tr, 0x090);
VMCB_SAVE_AT(cpl, 0x0cb);
VMCB_SAVE_AT(efer, 0x0d0);
VMCB_SAVE_AT(cr4, 0x148);
VMCB_SAVE_AT(rflags, 0x170);
VMCB_SAVE_AT(rip, 0x178);
VMCB_SAVE_AT(rsp, 0x1d8);
VMCB_SAVE_AT(rax, 0x1f8);
VMCB_SAVE_AT(kernel_gs_base, 0x220);
VMCB_SAVE_AT(cr2, 0x240);
VMCB_SAVE_AT(g_pat, 0x268);
VMCB_SAVE_AT(last_excp_to, 0x290);
#undef VMCB_CTL_AT
#undef VMCB_SAVE_AT
_Static_assert(sizeof(struct vmcb_control) == 0x400, "VMCB control area size");
_Static_assert(sizeof(struct vmcb_seg) == 16, "VMCB segment size");
_Static_assert(offsetof(struct vmcb, save) == 0x400, "VMCB save area offset");
_Static_assert(sizeof(struct vmcb) == 0x1000, "VMCB size");

#endif
