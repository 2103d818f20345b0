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

/* Normalised exit reasons: the index of core's const exit table. */
enum exit_reason {
	EXIT_CPUID,
	EXIT_MSR_READ,		/* ECX = MSR; result to EDX:EAX */
	EXIT_MSR_WRITE,		/* ECX = MSR, EDX:EAX = value */
	EXIT_IO,		/* u.io */
	EXIT_HLT,
	EXIT_SLP_FAULT,		/* second-level (EPT/NPT) fault: u.slp */
	EXIT_HYPERCALL,		/* VMCALL or VMMCALL */
	EXIT_EXCEPTION,		/* an intercepted guest exception: u.exc */
	EXIT_TRIPLE_FAULT,	/* VMX triple fault, SVM shutdown */
	EXIT_EXTINT,		/* a physical interrupt is pending for the host */
	EXIT_NMI,
	EXIT_IRQ_WINDOW,	/* the guest can now take an interrupt */
	EXIT_CACHE_FLUSH,	/* WBINVD or INVD: not run on the real caches */
	EXIT_ENTRY_FAILED,	/* VM entry refused the state: a bug, or bad state set by a caller */
	EXIT_OTHER,		/* intercepted but not understood: the guest crashes */
	EXIT_REASON_COUNT
};

struct vm_exit {
	enum exit_reason reason;
	uint64_t vendor_code;	/* raw VMX exit reason / SVM EXITCODE, for logs */
	uint64_t vendor_info;	/* raw qualification / EXITINFO1, for logs */
	uint8_t insn_len;	/* length of the exiting instruction, 0 if unknown */
	union {
		struct {
			uint16_t port;
			uint8_t size;		/* 1, 2 or 4 */
			bool in;
			bool string;		/* INS/OUTS */
			bool rep;
		} io;
		struct {
			uint64_t gpa;
			bool read, write, fetch;
			bool present;		/* a mapping exists but forbids the access */
		} slp;
		struct {
			uint8_t vector;
			bool has_error;
			uint32_t error;
		} exc;
	} u;
};

enum event_type { EVENT_EXTINT, EVENT_NMI, EVENT_EXCEPTION };

struct vcpu_event {
	enum event_type type;
	uint8_t vector;
	bool has_error;
	uint32_t error;
};

struct partition;

/*
 * A virtual CPU. Between two run() calls the core owns gpr[], rip and
 * rflags: the back-end stores the guest's values there after every exit
 * and loads them before every entry. Everything else lives in the
 * back-end's private `arch` area.
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
	uint64_t rip, rflags;
	bool insn_skipped;		/* rip was moved past the exiting instruction */
	void *arch;			/* back-end state (VMCS/VMCB and friends) */
	struct partition *part;
	unsigned index;			/* VP index within the partition */
	unsigned home_cpu;		/* the physical CPU it runs on */
	int32_t last_cpu;		/* physical CPU it last ran on, -1: never */
};

/*
 * Where each operation may run: once a vCPU has run, everything but
 * flush_tlb must be called on its home CPU (a VMCS is active on one CPU
 * only); before that, on any CPU. run() records the CPU in last_cpu.
 */
struct vcpu_ops {
	const char *name;		/* "vmx" or "svm" */
	const struct slpt_format *slpt;	/* EPT or NPT entry format */
	/* Turn virtualization on for the calling physical CPU (VMXON / EFER.SVME). */
	int (*cpu_enable)(void);
	/* Allocate and initialise the hardware state; guest memory root at slpt_root. */
	int (*vcpu_init)(struct vcpu *v, paddr_t slpt_root);
	void (*vcpu_free)(struct vcpu *v);
	/* Whole-state access; set also sets gpr[], rip and rflags. */
	void (*set_state)(struct vcpu *v, const struct vcpu_state *s);
	void (*get_state)(struct vcpu *v, struct vcpu_state *s);
	/* Enter the guest on the calling CPU and come back with the next exit. */
	void (*run)(struct vcpu *v, struct vm_exit *e);
	/* Deliver an event at the next entry; interrupts only if can_take_irq(). */
	void (*inject)(struct vcpu *v, const struct vcpu_event *ev);
	bool (*can_take_irq)(struct vcpu *v);
	/* Exit with EXIT_IRQ_WINDOW as soon as the guest can take an interrupt. */
	void (*want_irq_window)(struct vcpu *v, bool on);
	/* Drop the guest's cached translations before its next entry. */
	void (*flush_tlb)(struct vcpu *v);
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
