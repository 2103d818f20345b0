/* Intel VT-x back-end internals, shared by the files of arch/x86/vmx only. */
#ifndef ARCH_X86_VMX_VMX_H
#define ARCH_X86_VMX_VMX_H

#include "arch/x86/vmx/vmcs.h"

/* vmx_enter's results besides 0 (an exit happened) */
#define VMX_ENTER_FAIL_VALID	1	/* error number in VMCS_VM_INSN_ERROR */
#define VMX_ENTER_FAIL_INVALID	2	/* no current VMCS */

#ifndef __ASSEMBLY__

#include "arch/x86/tlb_tag.h"
#include "core/vcpu.h"

/*
 * What this machine's VMX allows, read once by the boot CPU's cpu_enable
 * (vmx_probe) and fixed afterwards; every CPU is assumed to be the same.
 * The control words are already adjusted to the capability MSRs.
 */
struct vmx_config {
	bool usable;			/* every required control and EPT feature is there */
	bool below_4g;			/* VMX structures must lie below 4 GiB */
	uint32_t revision;		/* VMCS revision identifier */
	uint32_t pin, proc, proc2, exit, entry;	/* entry without IA-32e mode guest */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t cr0_mask, cr4_mask;	/* CR bits the host owns (guest/host masks) */
	uint32_t poll_ticks;		/* VMX-preemption timer period, if pin has the timer */
	uint64_t ept_vpid_cap;
};
extern struct vmx_config vmx_cfg;

/*
 * CR4 bits every guest runs with, whatever it wrote: MCE, so that a
 * machine check while a guest runs exits to the host's #MC handler
 * instead of shutting the processor down (SDM Vol. 3B, 17.3.1: with
 * CR4.MCE clear a machine check is a shutdown). The host owns them
 * (cr4_mask), so the guest reads its own value from the read shadow.
 */
#define VMX_CR4_FORCED	CR4_MCE

/* What the secondary controls let a guest run (set by vmx_probe). */
extern struct vcpu_caps vmx_caps;

/*
 * Per-vCPU state behind vcpu->arch, in a page of the partition's pool of
 * its own, like the VMCS (the bitmaps are shared: vmx_bitmaps).
 * Only the CPU on which the VMCS is active touches it, except `pending`,
 * to which any CPU may add VMX_PENDING_FLUSH.
 */
struct vmx_vcpu {
	paddr_t vmcs;			/* the VMCS region, a page of the partition's pool */
	uint64_t eptp;
	uint64_t host_rsp;		/* HOST_RSP as last written, 0: unknown */
	uint64_t cr2;			/* the guest's, while another vCPU owns the register */
	uint64_t kernel_gs_base;	/* the guest's, while another vCPU owns the MSR */
	uint64_t star, lstar, cstar, sfmask;	/* likewise: SYSCALL's MSRs */
	uint32_t proc;			/* primary controls as in the VMCS */
	uint32_t entry_intr;		/* VM-entry interruption info pending, 0: none */
	int32_t active_cpu;		/* CPU the VMCS is active on, -1: clear */
	uint8_t tpr;			/* the guest's CR8 (its MOVs exit); unused as yet */
	bool launched;			/* VMRESUME rather than VMLAUNCH */
	uint8_t pending;		/* VMX_PENDING_*: for vmx_ready before the next entry */
	struct tlb_tag vpid;		/* VMCS_VPID, from the home CPU's pool */
};

#define VMX_PENDING_FLUSH	(1u << 0)	/* INVEPT + INVVPID */
#define VMX_PENDING_RSP		(1u << 1)	/* the core wrote gpr[GPR_RSP] */

/*
 * The I/O bitmaps A and B and the MSR bitmap, all ones (every port and
 * every MSR exits, 25.6.4, 25.6.9), in three consecutive pages from
 * vmx_bitmaps: one set for every vCPU, since every partition's policy is
 * "intercept all" and core/platform.c decides. Allocated by the boot CPU
 * (vmx_cpu_enable) and never written again.
 */
#define VMX_BITMAP_PAGES	3
#define VMX_PAGE_IO_BITMAP_A	0
#define VMX_PAGE_IO_BITMAP_B	1
#define VMX_PAGE_MSR_BITMAP	2
extern paddr_t vmx_bitmaps;

/* vendor_code of an EXIT_ENTRY_FAILED from VMLAUNCH/VMRESUME failing (not an exit reason) */
#define VMX_VENDOR_VMFAIL	(1ull << 32)

static inline struct vmx_vcpu *to_vmx(const struct vcpu *v)
{
	return v->arch;
}

/* vmx_setup.c: capabilities, control words, the VMCS's fixed contents */
void vmx_probe(void);
bool vmx_vmcs_init(struct vcpu *v, struct vmx_vcpu *vx, paddr_t slpt_root);
/* Write this CPU's host state into the current VMCS. */
void vmx_write_host_state(void);

/* vmx_state.c: struct vcpu_state <-> VMCS, and control-register access */
void vmx_set_state(struct vcpu *v, struct vmx_vcpu *vx, const struct vcpu_state *s);
void vmx_get_state(struct vcpu *v, struct vmx_vcpu *vx, struct vcpu_state *s);
uint64_t vmx_read_cr(const struct vmx_vcpu *vx, unsigned cr);
void vmx_write_cr(struct vmx_vcpu *vx, unsigned cr, uint64_t val);

/* vmx_exit.c: fill e from the current VMCS after an exit (or a VMfail result). */
void vmx_decode_exit(struct vcpu *v, struct vmx_vcpu *vx, struct vm_exit *e);
/* After an exit: RIP (and RSP where the exit names a register) into v, v->exit decoded. */
void vmx_take_exit(struct vcpu *v);
void vmx_decode_vmfail(int result, struct vm_exit *e);

/* ept.c */
extern const struct slpt_format ept_format;
/* Guest-physical to host-physical through the EPT at root; false if unmapped. */
bool ept_translate(paddr_t root, gpa_t gpa, paddr_t *hpa);

/*
 * vmx_entry.S: load v->gpr[] (all but RSP), VMLAUNCH or VMRESUME, and on
 * the exit store them back. Writes HOST_RSP first unless *host_rsp says it
 * already holds this stack pointer. Returns 0 after an exit, else
 * VMX_ENTER_FAIL_*. Interrupts must be disabled; they stay disabled.
 *
 * The stub keeps RDI, the vCPU, besides the callee-saved registers, so its
 * caller needs no callee-saved register of its own for the vCPU; a plain C
 * call cannot say that, hence the asm (the hypervisor is built without a
 * red zone, so the CALL's push overwrites nothing).
 */
void vmx_enter_stub(void);
void vmx_exit_stub(void);	/* HOST_RIP; not callable */

/* *v comes back from RDI: the caller uses it rather than a copy saved across. */
static inline int vmx_enter(struct vcpu **v, uint64_t *host_rsp, bool resume)
{
	int result;

	__asm__ volatile("call vmx_enter_stub"
			 : "=a"(result), "+D"(*v), "+S"(host_rsp), "+d"(resume)
			 :
			 : "rcx", "r8", "r9", "r10", "r11", "cc", "memory");
	return result;
}

#endif /* !__ASSEMBLY__ */
#endif
