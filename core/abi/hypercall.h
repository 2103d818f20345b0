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
 * TLFS calls (codes below 0x8000) follow TLFS 6.0, 3.7-3.8: memory form
 * (input and output block GPAs in the first and second input registers)
 * or fast (at most 16 bytes of input in the two registers; XMM fast input
 * is not offered: a call whose input is bigger gets
 * HV_STATUS_INVALID_HYPERCALL_INPUT). The hypervisor's checks, in order:
 * unknown code (HV_STATUS_INVALID_HYPERCALL_CODE); reserved bit, nested
 * flag, a form or variable header the call does not take, rep fields
 * that do not fit its class (HV_STATUS_INVALID_HYPERCALL_INPUT); blocks not
 * 8-byte aligned, crossing a 4 KiB page, overlapping, or outside the
 * caller's memory (HV_STATUS_INVALID_ALIGNMENT); then the call's
 * privilege (HV_STATUS_ACCESS_DENIED). The result holds reps completed in
 * bits 43:32. A rep call does at most 64 reps per VMCALL: with reps left,
 * it updates the rep start index in the input value (RCX, or EDX) and
 * returns to the same instruction, which runs again (TLFS "Hypercall
 * Continuation"); the guest sees only the final result.
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

/*
 * Status codes (TLFS 6.0, Appendix B; values as Linux's hvgdk_mini.h has
 * them). Only 0x0B means "deposit and retry" to Linux's mshv, and 0x1D from
 * WithdrawMemory means "nothing left"; the newer 0x73/0x75/0x83 memory
 * codes are never returned (kernels up to 6.18 do not know them).
 */
#define HV_STATUS_SUCCESS			0x0000
#define HV_STATUS_INVALID_HYPERCALL_CODE	0x0002
#define HV_STATUS_INVALID_HYPERCALL_INPUT	0x0003
#define HV_STATUS_INVALID_ALIGNMENT		0x0004
#define HV_STATUS_INVALID_PARAMETER		0x0005
#define HV_STATUS_ACCESS_DENIED			0x0006
#define HV_STATUS_INVALID_PARTITION_STATE	0x0007
#define HV_STATUS_OPERATION_DENIED		0x0008
#define HV_STATUS_UNKNOWN_PROPERTY		0x0009
#define HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE	0x000a
#define HV_STATUS_INSUFFICIENT_MEMORY		0x000b
#define HV_STATUS_INVALID_PARTITION_ID		0x000d
#define HV_STATUS_INVALID_VP_INDEX		0x000e
#define HV_STATUS_NOT_FOUND			0x0010
#define HV_STATUS_INVALID_PORT_ID		0x0011
#define HV_STATUS_INVALID_CONNECTION_ID		0x0012
#define HV_STATUS_INSUFFICIENT_BUFFERS		0x0013
#define HV_STATUS_NOT_ACKNOWLEDGED		0x0014
#define HV_STATUS_INVALID_VP_STATE		0x0015
#define HV_STATUS_NO_RESOURCES			0x001d
#define HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED 0x0020
#define HV_STATUS_INVALID_LP_INDEX		0x0041
#define HV_STATUS_INVALID_REGISTER_VALUE	0x0050
#define HV_STATUS_OPERATION_FAILED		0x0071
#define HV_STATUS_TIME_OUT			0x0078
#define HV_STATUS_CALL_PENDING			0x0079

/* The result value: status in [15:0], reps completed in [43:32] (TLFS 6.0, 3.8 "Hypercall Outputs"). */
#define HV_HYPERCALL_RESULT_MASK		0xffffull
#define HV_HYPERCALL_REP_COMP_SHIFT		32

/*
 * TLFS call codes (TLFS 6.0, Appendix A; root-partition calls as Linux's
 * mshv issues them, ../shared/ref/hyperv-root-abi.md section 4.0).
 */
#define HVCALL_POST_MESSAGE			0x005c
#define HVCALL_SIGNAL_EVENT			0x005d
#define HVCALL_CREATE_PARTITION			0x0040
#define HVCALL_INITIALIZE_PARTITION		0x0041
#define HVCALL_FINALIZE_PARTITION		0x0042
#define HVCALL_DELETE_PARTITION			0x0043
#define HVCALL_GET_PARTITION_PROPERTY		0x0044
#define HVCALL_SET_PARTITION_PROPERTY		0x0045
#define HVCALL_GET_PARTITION_ID			0x0046
#define HVCALL_DEPOSIT_MEMORY			0x0048
#define HVCALL_WITHDRAW_MEMORY			0x0049
#define HVCALL_MAP_GPA_PAGES			0x004b
#define HVCALL_UNMAP_GPA_PAGES			0x004c
#define HVCALL_INSTALL_INTERCEPT		0x004d
#define HVCALL_CREATE_VP			0x004e
#define HVCALL_DELETE_VP			0x004f
#define HVCALL_GET_VP_REGISTERS			0x0050
#define HVCALL_SET_VP_REGISTERS			0x0051
#define HVCALL_TRANSLATE_VIRTUAL_ADDRESS	0x0052
#define HVCALL_CLEAR_VIRTUAL_INTERRUPT		0x0056
#define HVCALL_MAP_STATS_PAGE			0x006c
#define HVCALL_UNMAP_STATS_PAGE			0x006d
#define HVCALL_GET_SYSTEM_PROPERTY		0x007b
#define HVCALL_ASSERT_VIRTUAL_INTERRUPT		0x0094
#define HVCALL_MAP_VP_STATE_PAGE		0x00e1
#define HVCALL_UNMAP_VP_STATE_PAGE		0x00e2

/* Partition ids and VP indexes with a meaning (hvgdk_mini.h). */
#define HV_PARTITION_ID_INVALID			0ull
#define HV_PARTITION_ID_SELF			(~0ull)
#define HV_VP_INDEX_SELF			0xfffffffeu
#define HV_ANY_VP				0xffffffffu

/*
 * The partition privilege mask (TLFS 6.0, 4.2.2 "Partition Privilege
 * Flags"); CPUID 0x40000003 EAX has bits 31:0, EBX bits 63:32. A
 * hypercall's entry in the dispatch table names the privilege it needs.
 */
#define HV_PRIV_ACCESS_VP_RUNTIME		(1ull << 0)
#define HV_PRIV_ACCESS_PARTITION_REF_COUNTER	(1ull << 1)
#define HV_PRIV_ACCESS_SYNIC_REGS		(1ull << 2)
#define HV_PRIV_ACCESS_SYNTHETIC_TIMER_REGS	(1ull << 3)
#define HV_PRIV_ACCESS_INTR_CTRL_REGS		(1ull << 4)
#define HV_PRIV_ACCESS_HYPERCALL_MSRS		(1ull << 5)
#define HV_PRIV_ACCESS_VP_INDEX			(1ull << 6)
#define HV_PRIV_ACCESS_RESET_REG		(1ull << 7)
#define HV_PRIV_ACCESS_STATS_REG		(1ull << 8)
#define HV_PRIV_ACCESS_PARTITION_REF_TSC	(1ull << 9)
#define HV_PRIV_ACCESS_GUEST_IDLE_REG		(1ull << 10)
#define HV_PRIV_ACCESS_FREQUENCY_REGS		(1ull << 11)
#define HV_PRIV_ACCESS_DEBUG_REGS		(1ull << 12)
#define HV_PRIV_CREATE_PARTITIONS		(1ull << 32)
#define HV_PRIV_ACCESS_PARTITION_ID		(1ull << 33)
#define HV_PRIV_ACCESS_MEMORY_POOL		(1ull << 34)
#define HV_PRIV_POST_MESSAGES			(1ull << 36)
#define HV_PRIV_SIGNAL_EVENTS			(1ull << 37)
#define HV_PRIV_CREATE_PORT			(1ull << 38)
#define HV_PRIV_CONNECT_PORT			(1ull << 39)
#define HV_PRIV_ACCESS_STATS			(1ull << 40)
#define HV_PRIV_DEBUGGING			(1ull << 43)
#define HV_PRIV_CPU_MANAGEMENT			(1ull << 44)
#define HV_PRIV_ENABLE_EXTENDED_HYPERCALLS	(1ull << 52)
#define HV_PRIV_ISOLATION			(1ull << 54)	/* never set: Linux then ignores the root bits */

/*
 * What this hypervisor grants. A child never has CreatePartitions or
 * CpuManagement (Linux would take itself for the root, or later for an
 * L1VH host) nor the other management bits (hyperv-root-abi.md 2.2).
 */
#define HV_PRIV_CHILD	(HV_PRIV_ACCESS_VP_RUNTIME | HV_PRIV_ACCESS_PARTITION_REF_COUNTER | \
			 HV_PRIV_ACCESS_SYNIC_REGS | HV_PRIV_ACCESS_SYNTHETIC_TIMER_REGS | \
			 HV_PRIV_ACCESS_HYPERCALL_MSRS | \
			 HV_PRIV_ACCESS_VP_INDEX | HV_PRIV_ACCESS_FREQUENCY_REGS | \
			 HV_PRIV_ACCESS_PARTITION_REF_TSC | \
			 HV_PRIV_POST_MESSAGES | HV_PRIV_SIGNAL_EVENTS)
/* What this hypervisor's own root-only calls (0x80xx) need: the root's management bits. */
#define HV_PRIV_ROOT_CALLS	(HV_PRIV_CREATE_PARTITIONS | HV_PRIV_CPU_MANAGEMENT)
#define HV_PRIV_ROOT	(HV_PRIV_CHILD | HV_PRIV_CREATE_PARTITIONS | HV_PRIV_ACCESS_PARTITION_ID | \
			 HV_PRIV_ACCESS_MEMORY_POOL | HV_PRIV_CREATE_PORT | HV_PRIV_CONNECT_PORT | \
			 HV_PRIV_ACCESS_STATS | HV_PRIV_CPU_MANAGEMENT)

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
/*
 * Root partition only: read the hypervisor's log. first = GPA of a buffer
 * in the root's RAM, second = its size (1 to HV_X_LOG_READ_MAX bytes, the
 * whole buffer inside one of the root's RAM ranges, else
 * HV_STATUS_INVALID_PARAMETER). The hypervisor writes the next bytes of
 * its log there (lines ending in CR LF, a line possibly cut across two
 * calls) and returns how many in the first input register; 0: nothing
 * new. The first call hands the serial port over: from then on the
 * hypervisor writes nothing to it but at power-off and in a panic, and
 * the root sends these bytes (docs/root.md). A child gets
 * HV_STATUS_ACCESS_DENIED.
 */
#define HVCALL_X_LOG_READ			0x8004
#define HV_X_LOG_READ_MAX			65536
/*
 * Root only: a partition's statistics. first = the partition's id (one of
 * the root's hosted children, or HV_PARTITION_ID_SELF / the root's own id
 * for the root), second = GPA of a struct hv_x_partition_stats in the
 * root's RAM (8-byte aligned, inside one RAM range), which the hypervisor
 * fills. HV_STATUS_INVALID_PARTITION_ID for another id,
 * HV_STATUS_INVALID_PARAMETER for the buffer. A child gets
 * HV_STATUS_ACCESS_DENIED.
 */
#define HVCALL_X_PARTITION_STATS		0x8005
/* Root only: power the machine off (ACPI S5) after the log is sent. Does not return. */
#define HVCALL_X_POWER_OFF			0x8006

/*
 * Root only: name one of its hosted children, for the hypervisor's log
 * (created, stopped, crashed, statistics lines). first = the child's id,
 * second = GPA of the name in the root's RAM: 1 to HV_X_NAME_MAX - 1
 * letters, digits, '-', '_' or '.', NUL-terminated within HV_X_NAME_MAX
 * bytes (inside one RAM range). HV_STATUS_INVALID_PARTITION_ID for another
 * id, HV_STATUS_INVALID_PARAMETER for the buffer or the name. A child gets
 * HV_STATUS_ACCESS_DENIED. (Hyper-V has no such call: its log is not ours.)
 */
#define HVCALL_X_PARTITION_NAME			0x8007
#define HV_X_NAME_MAX				32

/*
 * Root only: what the hypervisor is and holds (`hv info`, `hv check`).
 * first = GPA of a struct hv_x_hv_info in the root's RAM (8-byte aligned,
 * inside one RAM range, else HV_STATUS_INVALID_PARAMETER), which the
 * hypervisor fills. A child gets HV_STATUS_ACCESS_DENIED.
 */
#define HVCALL_X_HV_INFO			0x8008
/*
 * Root only: a copy of what the log's ring still holds, without consuming
 * it (`hv log`; HVCALL_X_LOG_READ is the one that drains it). first = GPA
 * of a struct hv_x_log_history in the root's RAM (8-byte aligned, inside
 * one RAM range). Positions count the bytes of the log as this call
 * writes it: each line's text then '\n', from the first line the
 * hypervisor logged. The hypervisor copies whole lines, oldest first,
 * from max(from, the oldest line held) into [buf_gpa, buf_gpa + size),
 * as many as fit; sets `from` to the position after the last one and
 * `lost` to the bytes between the old `from` and the oldest line held
 * (overwritten before they were read); and returns the bytes copied in
 * the first input register (0: nothing newer than `from`). `from` = 0
 * starts at the oldest line held. HV_STATUS_INVALID_PARAMETER, nothing
 * changed, for: a block or buffer not in the root's RAM, a block not
 * 8-byte aligned, size below HV_X_LOG_HISTORY_MIN (a whole longest line)
 * or above HV_X_LOG_READ_MAX, reserved not 0, or a `from` that is not a
 * line's start or lies beyond the newest line (after a panic's damage the
 * positions may go back: start again from 0).
 */
#define HVCALL_X_LOG_HISTORY			0x8009
#define HV_X_LOG_HISTORY_MIN			1025	/* LOGRING_LINE_MAX + '\n' */

struct hv_x_log_history {
	uint64_t from;			/* in: where to start; out: after the bytes copied */
	uint64_t buf_gpa;		/* in */
	uint32_t size;			/* in: the buffer's size */
	uint32_t reserved;		/* in: 0 */
	uint64_t lost;			/* out: bytes before the oldest line held */
};
_Static_assert(sizeof(struct hv_x_log_history) == 32, "HVCALL_X_LOG_HISTORY block");
_Static_assert(__builtin_offsetof(struct hv_x_log_history, lost) == 24, "lost at 24");

/*
 * HVCALL_X_HV_INFO's feature bits: X(bit, NAME, "name", needed, "what").
 * `needed` says which back-end cannot run partitions without it
 * (HV_X_NEED_*; 0: optional, the cost is said). The names are short and
 * stable: the root prints them (`hv check`).
 */
#define HV_X_NEED_VMX		1u
#define HV_X_NEED_SVM		2u
#define HV_X_NEED_ANY		3u
#define HV_X_FEATURES(X)									\
	X(0, VIRT, "virt", HV_X_NEED_ANY, "hardware virtualization (VT-x or AMD-V)")		\
	X(1, VIRT_ON, "virt-on", HV_X_NEED_ANY,							\
	  "enabled by the firmware (IA32_FEATURE_CONTROL, VM_CR.SVMDIS)")			\
	X(2, SLP, "slp", HV_X_NEED_ANY, "second-level paging (EPT or NPT)")			\
	X(3, TLB_TAGS, "tlb-tags", HV_X_NEED_ANY, "TLB tags (VPID, or 2 ASIDs or more)")	\
	X(4, UG, "ug", HV_X_NEED_VMX, "unrestricted guest (VT-x): real-mode guest code")	\
	X(5, EPT_WB, "ept-wb", HV_X_NEED_VMX, "write-back memory type in EPT")		\
	X(6, NRIPS, "nrips", 0, "next RIP on exit (AMD-V); without: the hypervisor decodes")	\
	X(7, CLEAN_BITS, "vmcb-clean", 0, "VMCB clean bits (AMD-V); without: a slower entry")	\
	X(8, DECODE, "decode-assists", 0, "decode assists (AMD-V)")				\
	X(9, PREEMPT_TIMER, "preempt-timer", 0,						\
	  "VMX-preemption timer; without: a guest with IF=0 may not exit on Bochs")		\
	X(10, INVVPID, "invvpid", 0, "INVVPID (VT-x); without: wider TLB flushes")		\
	X(11, SLP_2M, "slp-2m", 0, "2 MiB second-level pages; without: 4 KiB only")		\
	X(12, SLP_1G, "slp-1g", 0, "1 GiB second-level pages")				\
	X(13, X2APIC, "x2apic", 0, "x2APIC; without: xAPIC through MMIO")			\
	X(14, INV_TSC, "inv-tsc", 0, "invariant TSC; without: guest time drifts with power states") \
	X(15, PAGE_1G, "1g-pages", 0, "1 GiB pages in the hypervisor's own tables")

/* the masks as enum constants, which must fit an int: bits 0-30 (then #defines) */
enum hv_x_feature_bit {
#define HV_X_FEAT_BIT(bit, NAME, name, need, what)	HV_X_FEAT_##NAME = 1 << (bit),
	HV_X_FEATURES(HV_X_FEAT_BIT)
#undef HV_X_FEAT_BIT
};
#define HV_X_FEAT_CHECK(bit, NAME, name, need, what)					\
	_Static_assert((bit) < 31, "feature " name ": its mask fits an enum constant");
HV_X_FEATURES(HV_X_FEAT_CHECK)
#undef HV_X_FEAT_CHECK

#define HV_X_VERSION_MAX	32
#define HV_X_BACKEND_MAX	8

struct hv_x_hv_info {
	char version[HV_X_VERSION_MAX];	/* "0.11-<git describe>", NUL-terminated */
	char backend[HV_X_BACKEND_MAX];	/* "svm", "vmx" or "none", NUL-terminated */
	uint64_t features;		/* HV_X_FEAT_* this machine has */
	uint64_t missing;		/* needed by this back-end, lacking: no partition runs */
	uint32_t cpus;			/* CPUs online */
	uint32_t partitions;		/* partitions held now, the root included */
	uint64_t mem_total_pages;	/* usable RAM in the boot memory map */
	uint64_t hv_free_pages;		/* free in the hypervisor's own allocator (core/mm.c) */
	/*
	 * The usable RAM that is neither the root's nor free: the hypervisor's
	 * image, its allocator's bitmap and every page it allocated (tables,
	 * per-CPU areas, partitions' structures); = total - root - free.
	 * Pages the root deposited are the root's RAM (root_pages).
	 */
	uint64_t hv_held_pages;
	uint64_t root_pages;		/* the root's RAM (rootboot_info's ranges) */
	uint64_t uptime_us;		/* since the hypervisor's first instruction */
	uint64_t tsc_khz;
};
_Static_assert(__builtin_offsetof(struct hv_x_hv_info, features) == 40, "features at 40");
_Static_assert(__builtin_offsetof(struct hv_x_hv_info, cpus) == 56, "cpus at 56");
_Static_assert(__builtin_offsetof(struct hv_x_hv_info, mem_total_pages) == 64, "total at 64");
_Static_assert(__builtin_offsetof(struct hv_x_hv_info, tsc_khz) == 104, "tsc_khz at 104");
_Static_assert(sizeof(struct hv_x_hv_info) == 112, "HVCALL_X_HV_INFO buffer");

/*
 * HvCallCreateVp's `flags` from our root for a child's VP (hyperv-root-abi.md
 * 4.8: Hyper-V's root passes an LP index there for its own VPs; the TLFS
 * says reserved for a child): bit 63 set, bits 31:0 the CPU (LP index) the
 * VP is to run on. Zero: the hypervisor places it. Other bits reserved.
 */
#define HV_X_CREATE_VP_LP_VALID			(1ull << 63)
#define HV_X_CREATE_VP_LP_MASK			0xffffffffull

/*
 * HVCALL_X_PARTITION_STATS: exits by reason, X(index, NAME, "name"). The
 * index is exit_counts[]'s; the names are those of the hypervisor's
 * statistics log line (core/vcpu.h's EXIT_REASONS), stable, for the root
 * to print. New reasons take new indexes below HV_X_EXIT_REASONS_MAX.
 */
#define HV_X_EXIT_REASONS_MAX	24
#define HV_X_EXIT_REASONS(X)							\
	X(0, CPUID, "cpuid")	X(1, MSR_READ, "rdmsr")	X(2, MSR_WRITE, "wrmsr")	\
	X(3, IO, "io")		X(4, HLT, "hlt")	X(5, SLP_FAULT, "slp")		\
	X(6, HYPERCALL, "hypercall")	X(7, EXCEPTION, "exception")			\
	X(8, TRIPLE_FAULT, "triple")	X(9, EXTINT, "extint")	X(10, NMI, "nmi")	\
	X(11, IRQ_WINDOW, "irqwin")	X(12, CACHE_FLUSH, "cacheflush")		\
	X(13, CR_ACCESS, "cr")		X(14, UNSUPPORTED_INSN, "ud")			\
	X(15, ENTRY_FAILED, "entryfail")	X(16, OTHER, "other")

enum hv_x_exit_reason {
#define HV_X_EXIT_ENUM(index, NAME, name)	HV_X_EXIT_##NAME = (index),
	HV_X_EXIT_REASONS(HV_X_EXIT_ENUM)
#undef HV_X_EXIT_ENUM
};
#define HV_X_EXIT_CHECK(index, NAME, name)						\
	_Static_assert((index) < HV_X_EXIT_REASONS_MAX, "exit reason " name " fits exit_counts");
HV_X_EXIT_REASONS(HV_X_EXIT_CHECK)
#undef HV_X_EXIT_CHECK

/* HVCALL_X_PARTITION_STATS: state values */
#define HV_X_PART_CREATED		1	/* hosted: Created (partitions/hosted.h) */
#define HV_X_PART_INITIALIZED		2	/* ... Initialized: its VPs run when not suspended */
#define HV_X_PART_FINALIZED		3
#define HV_X_PART_STOPPED		4	/* it called HVCALL_X_PARTITION_EXIT: exit_code */
#define HV_X_PART_CRASHED		5
#define HV_X_PART_ROOT			6	/* the root itself */

struct hv_x_partition_stats {
	uint32_t state;			/* HV_X_PART_* */
	uint32_t vp_count;
	uint64_t exit_code;		/* HV_X_PART_STOPPED */
	uint64_t exits;			/* all its VPs' exits */
	uint64_t hypercalls;		/* of which hypercalls */
	uint64_t guest_ticks;		/* TSC ticks in guest mode */
	uint64_t hv_ticks;		/* TSC ticks handling its exits */
	uint64_t pool_held;		/* pages in its pool (deposited; the root: its deposit pool) */
	uint64_t pool_free;		/* of those, free (what WithdrawMemory can return) */
	uint64_t mapped_pages;		/* root frames mapped into it (the root: into all children) */
	uint64_t hv_free_pages;		/* the hypervisor's own free pages (core/mm.c) */
	/* appended: the fields above keep their offsets */
	uint64_t io_denied;		/* port accesses refused (no intercept, no device) */
	uint64_t msr_denied;		/* MSR accesses refused (#GP injected) */
	uint64_t exit_counts[HV_X_EXIT_REASONS_MAX];	/* by HV_X_EXIT_* */
};
_Static_assert(__builtin_offsetof(struct hv_x_partition_stats, hv_free_pages) == 72,
	       "the old fields keep their offsets");
_Static_assert(__builtin_offsetof(struct hv_x_partition_stats, exit_counts) == 96,
	       "exit_counts at 96");
_Static_assert(sizeof(struct hv_x_partition_stats) == 96 + 8 * HV_X_EXIT_REASONS_MAX,
	       "HVCALL_X_PARTITION_STATS buffer");

/*
 * HvCallGetPartitionId (0x46): memory form, no input; the output is the
 * caller's partition id. Needs HV_PRIV_ACCESS_PARTITION_ID (the root's).
 */
struct hv_output_get_partition_id {
	uint64_t partition_id;
};
_Static_assert(sizeof(struct hv_output_get_partition_id) == 8, "GetPartitionId output");

/*
 * HvCallPostMessage (0x5c): memory form, a 256-byte input, no output.
 * Needs HV_PRIV_POST_MESSAGES. The payload is at most 240 bytes; message
 * types with bit 31 set are the hypervisor's own.
 */
#define HV_MESSAGE_PAYLOAD_BYTES		240
#define HV_MESSAGE_TYPE_HYPERVISOR_MASK		0x80000000u
struct hv_input_post_message {
	uint32_t connection_id;
	uint32_t reserved;
	uint32_t message_type;
	uint32_t payload_size;
	uint64_t payload[HV_MESSAGE_PAYLOAD_BYTES / 8];
};
_Static_assert(sizeof(struct hv_input_post_message) == 256, "PostMessage input");
_Static_assert(__builtin_offsetof(struct hv_input_post_message, payload) == 16,
	       "PostMessage payload offset");

#endif
