/*
 * The one vCPU interface: core/ and partitions/ drive guests through
 * struct vcpu_ops, which arch/x86/vmx and arch/x86/svm implement. Exits come
 * back in the normalised struct vm_exit, so no VMCS field or VMCB offset is
 * ever seen outside arch/x86.
 */
#ifndef CORE_VCPU_H
#define CORE_VCPU_H

#include "core/types.h"
#include "core/slpt.h"

/* General registers, in the x86 encoding order (ModRM reg numbers). */
enum gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	GPR_COUNT
};

/*
 * A segment register's hidden part. `attr` uses the VMCB attribute layout
 * (APM Vol. 2, 15.5.1): bits 0-3 type, 4 S, 5-6 DPL, 7 P, 8 AVL, 9 L,
 * 10 D/B, 11 G. attr == 0 means unusable (VMX's "unusable" bit).
 */
struct seg_desc {
	uint64_t base;
	uint32_t limit;
	uint16_t sel;
	uint16_t attr;
};

#define SEG_ATTR_L	(1u << 9)	/* a 64-bit code segment */
#define SEG_ATTR_DB	(1u << 10)	/* default operand size 32 */

struct dtable {
	uint64_t base;
	uint16_t limit;
};

/* Full architectural state, for creating a vCPU and for dumps. */
struct vcpu_state {
	uint64_t gpr[GPR_COUNT];
	uint64_t rip, rflags;
	uint64_t cr0, cr2, cr3, cr4, efer, pat;
	struct seg_desc es, cs, ss, ds, fs, gs, ldtr, tr;
	struct dtable gdtr, idtr;
};

/*
 * The normalised exit reasons, one list: X(NAME, handler, "stats name").
 * It generates enum exit_reason (EXIT_NAME), core/exit.c's dispatch table
 * (entry EXIT_NAME is on_<handler>: a reason without its handler does not
 * compile) and the names in a partition's exit statistics.
 */
#define EXIT_REASONS(X)							\
	X(CPUID, cpuid, "cpuid")					\
	/* ECX = MSR; the result goes to EDX:EAX */			\
	X(MSR_READ, msr_read, "rdmsr")					\
	/* ECX = MSR, EDX:EAX = value */				\
	X(MSR_WRITE, msr_write, "wrmsr")				\
	/* u.io */							\
	X(IO, io, "io")							\
	X(HLT, hlt, "hlt")						\
	/* a second-level (EPT/NPT) fault: u.slp */			\
	X(SLP_FAULT, slp_fault, "slp")					\
	/* VMCALL or VMMCALL */						\
	X(HYPERCALL, hypercall, "hypercall")				\
	/* an intercepted guest exception: u.exc */			\
	X(EXCEPTION, exception, "exception")				\
	/* VMX triple fault, SVM shutdown */				\
	X(TRIPLE_FAULT, triple_fault, "triple")				\
	/* a physical interrupt is pending for the host */		\
	X(EXTINT, extint, "extint")					\
	X(NMI, nmi, "nmi")						\
	/* the guest can now take an interrupt */			\
	X(IRQ_WINDOW, irq_window, "irqwin")				\
	/* WBINVD or INVD: not run on the real caches */		\
	X(CACHE_FLUSH, cache_flush, "cacheflush")			\
	/* a control-register access the guest could not do itself: u.cr */ \
	X(CR_ACCESS, cr_access, "cr")					\
	/* an instruction of a feature the partition lacks: #UD */	\
	X(UNSUPPORTED_INSN, unsupported_insn, "ud")			\
	/* VM entry refused the state: a bug, or bad state set by a caller */ \
	X(ENTRY_FAILED, entry_failed, "entryfail")			\
	/* intercepted but not understood: the guest crashes */		\
	X(OTHER, other, "other")

/* Normalised exit reasons: the index of core's const exit table. */
enum exit_reason {
#define EXIT_REASON_ENUM(name, handler, stat)	EXIT_##name,
	EXIT_REASONS(EXIT_REASON_ENUM)
#undef EXIT_REASON_ENUM
	EXIT_REASON_COUNT
};

/* EXIT_CR_ACCESS: what the instruction does (SDM Vol. 3C, 28.2.1, Table 28-3). */
enum cr_access_type {
	CR_MOV_TO,		/* MOV to CRn from gpr */
	CR_MOV_FROM,		/* MOV from CRn to gpr */
	CR_CLTS,		/* CR0.TS = 0 */
	CR_LMSW,		/* CR0[3:0] from lmsw; PE is not cleared */
};

struct vm_exit {
	enum exit_reason reason;
	uint8_t insn_len;	/* length of the exiting instruction: set for every
				   exit that the core completes by skipping it */
	uint64_t vendor_code;	/* raw VMX exit reason / SVM EXITCODE, for logs */
	uint64_t vendor_info;	/* raw qualification / EXITINFO1, for logs */
	union {
		struct {
			uint16_t port;
			uint8_t size;		/* 1, 2 or 4 */
			bool in;
			bool string;		/* INS/OUTS */
			bool rep;
		} io;
		struct {
			gpa_t gpa;
			bool read, write, fetch;
			bool present;		/* a mapping exists but forbids the access */
		} slp;
		struct {
			uint8_t vector;
			bool has_error;
			uint32_t error;
			/*
			 * The external interrupt (its vector) whose delivery
			 * the exception interrupted, 0: none. The back-end has
			 * queued it again for the next entry, which an event
			 * injected now would replace.
			 */
			uint8_t irq_in_delivery;
		} exc;
		struct {
			uint8_t mode;		/* enum vcpu_mode */
			uint8_t cpl;
		} hc;			/* the caller of a hypercall, as of the exit */
		struct {
			uint8_t cr;		/* 0, 3, 4 or 8 */
			uint8_t type;		/* enum cr_access_type */
			uint8_t gpr;		/* MOV: enum gpr */
			uint16_t lmsw;		/* LMSW: the source operand */
		} cr;
	} u;
};

enum event_type { EVENT_EXTINT, EVENT_NMI, EVENT_EXCEPTION };

/* Exception vectors the core injects or handles (SDM Vol. 3A, 7.3, Table 7-1). */
enum exc_vector { EXC_DB = 1, EXC_UD = 6, EXC_GP = 13, EXC_AC = 17, EXC_MC = 18 };

struct vcpu_event {
	enum event_type type;
	uint8_t vector;
	bool has_error;
	uint32_t error;
};

/*
 * The guest's operating mode as far as the hypercall ABI cares (TLFS 6.0,
 * 3.7): real mode (no hypercalls at all), protected or compatibility mode
 * (16- or 32-bit code: the x86 register convention) and 64-bit mode (the
 * x64 convention). Virtual-8086 mode counts as protected mode at CPL 3.
 */
enum vcpu_mode { VCPU_MODE_REAL, VCPU_MODE_PROTECTED, VCPU_MODE_LONG64 };

/*
 * Instructions the back-end lets a guest execute where the CPU has them,
 * and CR4 bits it can give a guest; CPUID advertises nothing beyond this
 * (partitions/cpuid.c). Filled in by
 * the boot CPU's cpu_enable, fixed afterwards.
 */
struct vcpu_caps {
	bool rdtscp;		/* RDTSCP and RDPID, reading the vCPU's own tsc_aux */
	bool invpcid;
	/*
	 * The CR4 bits the back-end can load into a guest's CR4 (VT-x: the
	 * IA32_VMX_CR4_FIXED1 MSR). A partition may set no other, and CPUID
	 * hides the features they belong to.
	 */
	uint64_t cr4;
};

struct partition;
struct pool;

/*
 * A virtual CPU. Between two run() calls the core owns gpr[] and rip:
 * the back-end stores the guest's values there after every exit and loads
 * them before every entry. Everything else lives in the back-end's private
 * `arch` area (the core reads it through get_state), RFLAGS and RSP
 * included: the core needs RSP only as an operand an exit names. So the
 * back-end copies it into gpr[GPR_RSP] only after exits that name a
 * general register (EXIT_CR_ACCESS), and after a MOV from a control
 * register into RSP loads gpr[GPR_RSP] back at the next entry; the core
 * changes gpr[GPR_RSP] nowhere else.
 *
 * run() leaves the exit, decoded, in `exit`: at a fixed offset from the
 * vCPU, so no pointer to it has to be kept across the guest's run.
 *
 * insn_skipped is the interrupt-shadow contract: an STI or MOV SS shadow
 * recorded at an exit covers the exiting instruction only, so when the
 * core completes that instruction (vcpu_skip_insn) the shadow is over.
 * The back-end reads the flag in can_take_irq() and clears it, with the
 * shadow, at the next entry. Any other change of rip (an injected fault,
 * set_state) leaves a recorded shadow alone.
 */
struct vcpu {
	uint64_t gpr[GPR_COUNT];
	uint64_t rip;
	bool insn_skipped;		/* rip was moved past the exiting instruction */
	void *arch;			/* back-end state (VMCS/VMCB and friends) */
	struct partition *part;
	vp_index_t index;		/* VP index within the partition */
	cpu_id_t home_cpu;		/* the physical CPU it runs on */
	int32_t last_cpu;		/* physical CPU it last ran on, -1: never */
	/*
	 * IA32_TSC_AUX as the guest sees it (RDTSCP, RDPID, RDMSR). Written by
	 * the core (the guest's WRMSR is intercepted); the back-end has it in
	 * the physical MSR whenever the guest runs.
	 */
	uint32_t tsc_aux;
	struct vm_exit exit;		/* the last exit, as run() decoded it */
};

/*
 * Where each operation may run: once a vCPU has run, everything but
 * flush_tlb must be called on its home CPU (a VMCS is active on one CPU
 * only); before that, on any CPU. run() records the CPU in last_cpu.
 */
struct vcpu_ops {
	const char *name;		/* "vmx" or "svm" */
	const struct slpt_format *slpt;	/* EPT or NPT entry format */
	uint8_t hypercall_insn[3];	/* VMCALL 0f 01 c1 or VMMCALL 0f 01 d9 */
	/* Turn virtualization on for the calling physical CPU (VMXON / EFER.SVME). */
	int (*cpu_enable)(void);
	/*
	 * Allocate and initialise the hardware state (VMCB or VMCS and the
	 * back-end's own page), taking its pages from `pool`, the partition's
	 * (core/pool.h): single pages, so that scattered deposits suffice;
	 * guest memory root at slpt_root. vcpu_free gives them back to the
	 * same pool.
	 */
	int (*vcpu_init)(struct vcpu *v, paddr_t slpt_root, struct pool *pool);
	void (*vcpu_free)(struct vcpu *v, struct pool *pool);
	/* Whole-state access; set also sets gpr[] and rip. */
	/*
	 * The guest's MSRs that the back-end keeps outside struct vcpu_state:
	 * KERNEL_GS_BASE, STAR, LSTAR, CSTAR, SFMASK, SYSENTER_CS/ESP/EIP
	 * (partitions/platform.c checks a value before it is set). Home CPU.
	 */
	uint64_t (*msr_get)(struct vcpu *v, uint32_t msr);
	void (*msr_set)(struct vcpu *v, uint32_t msr, uint64_t val);
	void (*set_state)(struct vcpu *v, const struct vcpu_state *s);
	void (*get_state)(struct vcpu *v, struct vcpu_state *s);
	/* Enter the guest on the calling CPU and come back with the next exit, in v->exit. */
	void (*run)(struct vcpu *v);
	/* Deliver an event at the next entry; interrupts only if can_take_irq(). */
	void (*inject)(struct vcpu *v, const struct vcpu_event *ev);
	bool (*can_take_irq)(struct vcpu *v);
	/* Exit with EXIT_IRQ_WINDOW as soon as the guest can take an interrupt. */
	void (*want_irq_window)(struct vcpu *v, bool on);
	/* Drop the guest's cached translations before its next entry. */
	void (*flush_tlb)(struct vcpu *v);
	/* The exception vectors (bit n: vector n) that exit rather than reach the guest. */
	uint32_t (*intercepted_exceptions)(struct vcpu *v);
	/*
	 * Self-test only (vmcheck): the CR4 the CPU runs the guest with, which
	 * has the bits the back-end forces (MCE) whatever the guest wrote.
	 */
	uint64_t (*hw_cr4)(struct vcpu *v);
	/*
	 * Benchmark only (benchfloor=1): run(), but CPUID exits are answered
	 * inside the back-end, around its entry stub, by stepping RIP 2 bytes;
	 * returns with the first other exit. The vCPU must have run() on this
	 * CPU before.
	 */
	void (*run_bare)(struct vcpu *v);
	/*
	 * Control registers 0, 3, 4 and 8 as the guest reads them. set_cr
	 * does what the guest's MOV to CR0, CR4 or CR8 would, with a value
	 * the core has checked: it keeps the bits the back-end owns forced,
	 * switches EFER.LMA when CR0.PG changes under EFER.LME, and drops
	 * translations the change makes stale.
	 */
	uint64_t (*get_cr)(struct vcpu *v, unsigned cr);
	void (*set_cr)(struct vcpu *v, unsigned cr, uint64_t val);
	const struct vcpu_caps *caps;
};

/* Complete the exiting instruction: step over its len bytes; its interrupt shadow ends. */
static inline void vcpu_skip_insn(struct vcpu *v, unsigned len)
{
	v->rip += len;
	v->insn_skipped = true;
}

/* Flat 64-bit state: paging at cr3, code 0x08 and data 0x10 in the GDT at gdt. */
void vm_initial_state_long_mode(struct vcpu_state *s, uint64_t cr3, uint64_t gdt,
				uint16_t gdt_limit, uint64_t rip);

/* Chosen at boot from CPUID (arch/x86/vcpu_select.c); NULL if unusable. */
extern const struct vcpu_ops *vcpu_ops;

extern const struct vcpu_ops vmx_vcpu_ops;
extern const struct vcpu_ops svm_vcpu_ops;

#endif
