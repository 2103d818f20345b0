/*
 * Hypercall ABI, shared by the hypervisor and guests. The calling
 * conventions are the Hyper-V TLFS ones (TLFS 6.0, 3.7 "Hypercall
 * Inputs"), chosen by the caller's mode:
 *
 *                      64-bit mode   protected/compatibility mode
 *   input value        RCX           EDX:EAX   (call code in bits 0-15, fast flag bit 16)
 *   first input        RDX           EBX:ECX   (a GPA, or a fast call's first value)
 *   second input       R8            EDI:ESI
 *   result value       RAX           EDX:EAX   (status in bits 0-15)
 *
 * Only CPL 0 outside real mode may call; from CPL 1-3 or real mode the
 * instruction raises #UD and nothing happens (TLFS "Hypercall
 * Restrictions"). The instruction is VMCALL on Intel and VMMCALL on AMD;
 * the hypercall page of the next issue hides the difference.
 *
 * Codes 0x8000-0x80ff are this hypervisor's own (TLFS leaves them unused)
 * for what the TLFS has no call for. All of them are simple fast calls:
 * they exist only with their inputs in registers, so the input value must
 * have the fast flag set and nothing else but the call code (no rep count,
 * rep start index, variable header size or nested flag, no reserved bit);
 * any other input value gets HV_STATUS_INVALID_HYPERCALL_INPUT and the
 * call does not happen. An unknown code gets HV_STATUS_INVALID_HYPERCALL_CODE
 * whatever the other bits. A call that returns a value returns it in the
 * first input register (RDX, or EBX:ECX). Below, "first" and "second" name
 * the input registers.
 */
#ifndef CORE_ABI_HYPERCALL_H
#define CORE_ABI_HYPERCALL_H

#include <stdint.h>

/* TLFS 6.0, Appendix B: status codes */
#define HV_STATUS_SUCCESS			0x0000
#define HV_STATUS_INVALID_HYPERCALL_CODE	0x0002
#define HV_STATUS_INVALID_HYPERCALL_INPUT	0x0003
#define HV_STATUS_INVALID_PARAMETER		0x0005
#define HV_STATUS_ACCESS_DENIED			0x0006

/* The input value (TLFS 6.0, 3.7 "Hypercall Inputs"); every bit not named here is reserved. */
#define HV_HYPERCALL_CODE_MASK			0xffffull		/* [15:0] call code */
#define HV_HYPERCALL_FAST			(1u << 16)		/* [16] inputs in registers */
#define HV_HYPERCALL_VARHEAD_MASK		(0x3ffull << 17)	/* [26:17] variable header size */
#define HV_HYPERCALL_NESTED			(1ull << 31)		/* [31] for the L0 hypervisor */
#define HV_HYPERCALL_REP_COUNT_MASK		(0xfffull << 32)	/* [43:32] rep count */
#define HV_HYPERCALL_REP_START_MASK		(0xfffull << 48)	/* [59:48] rep start index */
#define HV_HYPERCALL_RSVD_MASK			(0xfull << 27 | 0xfull << 44 | 0xfull << 60)
_Static_assert((HV_HYPERCALL_CODE_MASK | HV_HYPERCALL_FAST | HV_HYPERCALL_VARHEAD_MASK |
		HV_HYPERCALL_NESTED | HV_HYPERCALL_REP_COUNT_MASK | HV_HYPERCALL_REP_START_MASK |
		HV_HYPERCALL_RSVD_MASK) == ~0ull, "the input value's fields cover its 64 bits");

/* Null call: does nothing, returns success; inputs ignored. For exit-cost benchmarks. */
#define HVCALL_X_NULL				0x8000
/* One-shot virtual timer: first = microseconds from now (0 cancels; at least 50), second = vector 32-255. */
#define HVCALL_X_SET_TIMER			0x8001
/* Stop the calling partition; first = exit code, shown in the log. */
#define HVCALL_X_PARTITION_EXIT			0x8002
/* The TSC frequency in kHz, returned in the first input register (guests time themselves with RDTSC). */
#define HVCALL_X_TSC_KHZ			0x8003

#endif
