/*
 * Partitions: an id, a name, guest-physical memory, virtual processors,
 * I/O-port and MSR policy, a state and statistics. The root partition is
 * made at boot (partitions/rootpart.c); every other partition is the
 * root's child, made by its hypercalls (partitions/hvroot_*.c), the one
 * creation path.
 * The implementation is split by topic (partitions/internal.h lists the
 * files).
 */
#ifndef PARTITIONS_PARTITION_H
#define PARTITIONS_PARTITION_H

#include "arch/x86/fpu.h"
#include "core/abi/hypercall.h"
#include "core/log.h"
#include "core/pool.h"
#include "core/slpt.h"
#include "core/spinlock.h"
#include "core/vcpu.h"
#include "partitions/synic.h"
#include "partitions/vlapic.h"

#define PART_NAME_MAX		32
#define PART_MAX		16
#define PART_MAX_VPS		8
#define PART_CHUNKS_MAX		512	/* the root's RAM ranges (GPA = HPA): `chunks` */
#define PART_DEBUG_PORT		0xe9	/* text written here goes to the log */

enum part_state { PART_CREATED, PART_RUNNING, PART_PAUSED, PART_STOPPED, PART_CRASHED };

/* A partition's status codes, shared with the hypercall ABI later. */
enum part_status {
	PART_OK = 0,
	PART_ENOMEM,		/* not enough memory */
	PART_EEXIST,		/* the name is taken */
	PART_ESTATE,		/* wrong state for the operation */
	PART_ELIMIT,		/* too many partitions or vCPUs */
};

struct part_config {
	char name[PART_NAME_MAX];
	uint64_t privileges;		/* HV_PRIV_*; 0 means a child's (HV_PRIV_CHILD) */
	uint64_t mem_bytes;		/* its RAM, for the statistics line */
	unsigned vcpus;
	uint64_t cpu_mask;		/* physical CPUs its vCPUs may use; 0: any */
	struct pool *parent_pool;	/* pays for the object; NULL: the hypervisor (core/pool_mm.h) */
	/*
	 * Created by the root's hypercalls (partitions/hvroot_*.c): its pool
	 * starts empty and holds only what the root deposits, its RAM is the
	 * root's frames MapGpaPages maps. Otherwise (the root itself) its
	 * pool takes the hypervisor's pages on demand.
	 */
	bool hosted;
};

struct part_stats {
	uint64_t exits[EXIT_REASON_COUNT];
	uint64_t guest_ticks;		/* TSC ticks in guest mode */
	uint64_t hv_ticks;		/* TSC ticks handling its exits */
	uint64_t io_denied, msr_denied;
};

enum vp_state { VP_RUNNABLE, VP_BLOCKED, VP_STOPPED };

/*
 * A child VP's side of the intercept path (partitions/intercept_post.c):
 * its HVMSG_OPAQUE_INTERCEPT to the root (one in flight: the VP is
 * suspended until the root answers), its last message, and the VP state
 * pages the root mapped (MapVpStatePage), 0 while none.
 */
struct vp_intercept {
	struct synic_node note;		/* queued at the root's SINT0 while `target` is set */
	struct hv_message last;		/* copied into `page` when the root maps it later */
	paddr_t page;			/* HV_VP_STATE_PAGE_INTERCEPT_MESSAGE, mapped in the root */
	paddr_t regs_page;		/* HV_VP_STATE_PAGE_REGISTERS: kept zero (isvalid 0) */
	uint8_t page_used;		/* payload bytes of the message in `page` */
};

/* A virtual processor: the vendor-neutral vCPU plus scheduling and virtual-interrupt state. */
struct vp {
	struct vcpu vcpu;		/* first: exit handlers get from one to the other */
	enum vp_state state;		/* written by the home CPU only */
	volatile bool running;		/* in guest mode or handling an exit right now */
	uint64_t slices;		/* run_vp's ends so far (hvroot_mem.c waits on it) */
	/*
	 * Its home CPU is expiring its timers outside its slice, which may
	 * write its SynIC message page: hvroot_mem.c waits for that too.
	 */
	volatile bool expiring;
	uint64_t timer_deadline;	/* TSC: the earliest of the two below, 0: none (vp_timers_changed) */
	uint64_t xtimer_deadline;	/* TSC: the own-call timer (HVCALL_X_SET_TIMER), 0: off */
	uint8_t timer_vector;		/* its vector */
	/*
	 * Interrupts waiting for injection (core/sched.c): bit v of the
	 * bitmap is vector v; irq_summary is non-zero while a bit may be set,
	 * so the exit path tests one word. Any CPU sets them, the home CPU
	 * clears them.
	 */
	volatile uint32_t irq_summary;
	volatile uint64_t irq_pending[4];
	uint64_t stimer_deadline;	/* TSC: its earliest synthetic timer, 0: none */
	struct vp *rq_next;		/* home CPU's run queue */
	uint64_t woken_turn;		/* sched.c: the turn of its home queue that */
	uint64_t woken_ticks;		/* it went first in, for this long after wake-ups */
	bool first_cut_short;		/* sched.c: preempted while it went first, it goes first again */
	struct part_stats stats;	/* per VP: no lock on the exit path */
	struct fpu_area fpu;		/* x87/SSE registers while another guest has the CPU */
	struct debug_regs dbg;		/* DR0-DR3, DR6, likewise */
	struct synic synic;		/* partitions/synic.h */
	/*
	 * VP_SUSPEND_* bits (vp_suspend_set): the VP runs only while none is
	 * set. Any CPU sets or clears them; the scheduler reads them.
	 */
	volatile uint8_t suspend;
	/*
	 * The root completed its intercept (INTERCEPT_SUSPEND cleared): like a
	 * vCPU woken from HLT it may go first (sched.c pick), so that a child's
	 * port access does not wait a whole round of its CPU's queue. Set by
	 * the root's CPU, cleared by the home CPU when it is picked.
	 */
	volatile bool icpt_resumed;
	volatile bool leaving;		/* hosted: its home CPU is to release it (Finalize, DeleteVp) */
	volatile bool released;		/* hosted: ... and has: its pages are back in the pool */
	struct vp_intercept icpt;	/* children whose exits go to the root */
	uint64_t vp_assist_msr;		/* HV_X64_MSR_VP_ASSIST_PAGE, as written */
	/*
	 * A LAPIC partition's local APIC (partitions/lapic.h): the model is the
	 * home CPU's; other CPUs send it vectors through irq_pending and
	 * INIT/SIPI/NMI through lapic_signals (and the SIPI's vector).
	 */
	struct vlapic lapic;
	volatile uint32_t lapic_signals;
	volatile uint8_t sipi_vector;
	volatile bool nmi_pending;
	uint8_t lapic_cr8;		/* CR8 as last made to agree with the TPR (lapic.c) */
};

/* The TLFS suspend registers (HV_REGISTER_EXPLICIT_SUSPEND, _INTERCEPT_SUSPEND). */
#define VP_SUSPEND_EXPLICIT	0x1u	/* the root's: a new hosted VP starts with it */
#define VP_SUSPEND_INTERCEPT	0x2u	/* set when an intercept is posted, the root clears it */
#define VP_SUSPEND_SIPI		0x4u	/* a LAPIC partition's AP waiting for its SIPI (lapic.c) */
#define VP_SUSPEND_PARKED	0x8u	/* a LAPIC partition's VP in HLT, interrupts off: INIT ends it */

/*
 * Set (on) or clear the suspend bits `bits` of vp. A VP with any bit set is
 * not runnable (core/sched.c); one running now leaves guest mode at once
 * (its home CPU is kicked), and clearing the last bit kicks the home CPU
 * so that it runs again. Any CPU, any context.
 */
void vp_suspend_set(struct vp *vp, unsigned bits, bool on);
static inline bool vp_suspended(const struct vp *vp)
{
	return vp->suspend != 0;
}

struct mem_chunk {
	gpa_t gpa;
	paddr_t hpa;
	uint64_t pages;
};

/*
 * Memory: the object itself comes from `parent_pool` (the creator's: the
 * root's deposit pool for a child, the hypervisor's own for the root,
 * core/pool_mm.h); its hypervisor structures (second-level tables, each
 * vCPU's VMCB or VMCS pages) from its own `pool`; guest memory from
 * neither (the root: `chunks`, GPA = HPA; a child: the root's frames
 * that MapGpaPages maps).
 */
struct partition {
	part_id_t id;
	uint64_t privileges;		/* HV_PRIV_* (core/abi/hypercall.h); fixed at creation */
	char name[PART_NAME_MAX];
	volatile enum part_state state;
	uint64_t mem_bytes;
	struct slpt slpt;
	struct pool *parent_pool;	/* where this object came from and goes back to */
	struct pool pool;		/* its tables and vCPU pages (core/pool.h) */
	struct slpt_alloc slpt_pages;	/* the tables' page source: `pool` */
	struct mem_chunk chunks[PART_CHUNKS_MAX];
	unsigned nchunks;
	struct vp vps[PART_MAX_VPS];
	unsigned nvps;
	uint8_t io_allowed[65536 / 8];	/* 1 bit per port: the guest may use it */
	uint64_t start_tsc;		/* when it was started */
	uint64_t exit_code;		/* HVCALL_X_PARTITION_EXIT's, once stopped */
	/*
	 * Hosted: created by the root through hypercalls (partitions/hvroot_*.c).
	 * Its RAM is the root's frames mapped into its tables (no chunks), its
	 * object came from the root's deposit pool, its pool holds only what
	 * the root deposited. hosted_state: partitions/hosted.h.
	 */
	bool hosted;
	uint8_t hosted_state;
	int slot;			/* its table slot: the frame table's owner */
	struct partition *parent;
	uint64_t prop_synthetic_features;	/* SetPartitionProperty values */
	uint64_t prop_gpa_tracking, prop_msr_action;
	uint64_t mapped_pages;		/* root frames mapped into it */
	uint64_t first_entry_tsc;	/* when its first vCPU first entered the guest */
	/*
	 * The Hyper-V guest identity (partitions/tlfs.c). privileges and
	 * created_tsc are set at creation and never change; guest_os_id and
	 * hypercall_msr are partition-wide MSRs, written under lock and read
	 * with single loads.
	 */
	uint64_t created_tsc;		/* HV_X64_MSR_TIME_REF_COUNT counts from here */
	uint64_t guest_os_id;		/* HV_X64_MSR_GUEST_OS_ID */
	uint64_t hypercall_msr;		/* HV_X64_MSR_HYPERCALL */
	uint64_t reference_tsc_msr;	/* HV_X64_MSR_REFERENCE_TSC */
	uint64_t crash_params[5];	/* HV_X64_MSR_CRASH_P0-P4 */
	/*
	 * A local APIC per VP (partitions/lapic.c): created with
	 * HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED. Without it, as for the
	 * test guests and the root, an injected vector needs no EOI.
	 */
	bool lapic;
	volatile bool halt_told;	/* every VP parked, and the root told so (lapic_park) */
	char dbg_line[120];		/* debug-port output being assembled */
	unsigned dbg_len;
	unsigned dbg_dropped;		/* lines the log refused since the last note of it */
	uint64_t dbg_noted;		/* TSC of that note */
	struct log_share dbg_share;	/* its lines waiting in the log */
	spinlock_t lock;		/* state changes, dbg_line, guest_os_id and hypercall_msr */
	/*
	 * Its port I/O, unmapped-GPA accesses, HLT with no way to wake and
	 * crashes become intercept messages to the root (docs/root.md,
	 * "Intercepts"): set for the children the root creates
	 * (HvCallCreatePartition), before they run.
	 */
	bool intercepts_to_root;
};

/* Boot, before any partition: how much memory one vCPU costs the back-end. */
void partition_measure_vcpu_cost(void);
enum part_status partition_start(struct partition *p);
enum part_status partition_pause(struct partition *p);
enum part_status partition_resume(struct partition *p);
/* Mark crashed, log why and the registers of `vp`; its vCPUs stop at their next exit. */
void partition_crash(struct partition *p, struct vp *vp, const char *why);
/* The partition stopped itself (exit hypercall). */
void partition_stopped(struct partition *p, uint64_t code);
/* Called by the home CPU for each vCPU the root released (Finalize, DeleteVp), never while it runs. */
void partition_release_vp(struct vp *vp);
/* A partition by name, or by id written in decimal; NULL if none. */
struct partition *partition_find(const char *name_or_id);
struct partition *partition_find_id(part_id_t id);
const char *partition_state_name(enum part_state s);
/* true while some child partition is created, running or paused (the root does not count) */
bool partitions_any_alive(void);
/* Partitions in the table now, the root and those being created or destroyed included. */
unsigned partitions_count(void);

/*
 * For the root partition, whose hypercall page the hypervisor places
 * (hyperv-root-abi.md 1.1): HV_X64_MSR_HYPERCALL reads back this page's
 * GPA, not enabled, until the partition enables it there. Call before
 * the partition starts. False (nothing changes) if gpa is not a page of
 * the partition's memory.
 */
bool partition_preset_hypercall_page(struct partition *p, gpa_t gpa);

/* gpa is page-aligned and that page is the partition's memory. */
bool partition_owns_page(const struct partition *p, gpa_t gpa);

/* The root partition (partitions/rootpart.c): it holds the root's privileges. */
static inline bool partition_is_root(const struct partition *p)
{
	return (p->privileges & HV_PRIV_CREATE_PARTITIONS) != 0;
}

/*
 * The hypervisor's pointer to [gpa, gpa+len) of p's memory when the whole
 * range lies in one of its chunks (for the root, one of its RAM ranges);
 * NULL otherwise.
 */
void *partition_ram_ptr(struct partition *p, gpa_t gpa, uint64_t len);

/* Copy into guest memory; false if any byte is outside the partition. */
bool partition_write(struct partition *p, gpa_t gpa, const void *src, size_t len);
bool partition_zero(struct partition *p, gpa_t gpa, size_t len);
/* Every byte of [gpa, gpa+len) is the partition's memory. */
bool partition_contains(struct partition *p, gpa_t gpa, size_t len);
/* Copy out of guest memory; false (and dst untouched) if any byte is outside the partition. */
bool partition_read(struct partition *p, gpa_t gpa, void *dst, size_t len);

/*
 * The hypervisor's mapping of [gpa, gpa+len) of the partition's memory,
 * which must not cross a 2 MiB chunk (a page never does); NULL if it is
 * not the partition's memory.
 */
void *partition_gpa_ptr(struct partition *p, gpa_t gpa, size_t len);

/*
 * After a change of xtimer_deadline or stimer_deadline (home CPU): the
 * scheduler looks at timer_deadline only, so that the exit path tests
 * one word for all the vCPU's timers.
 */
static inline uint64_t earliest_deadline(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : (int64_t)(a - b) < 0 ? a : b;
}

static inline void vp_timers_changed(struct vp *vp)
{
	vp->timer_deadline = earliest_deadline(earliest_deadline(vp->xtimer_deadline,
								 vp->stimer_deadline),
					       vlapic_timer_deadline(&vp->lapic));
}

static inline struct vp *vcpu_to_vp(struct vcpu *v)
{
	return (struct vp *)v;
}

#endif
