/*
 * The root's children (docs/root.md, "Creating a child"): their
 * bookkeeping and the TLFS root calls that create, start and destroy them,
 * in the order Linux's mshv driver issues them (hyperv-root-abi.md 9.2, 8).
 */
#ifndef PARTITIONS_ROOT_CHILD_H
#define PARTITIONS_ROOT_CHILD_H

#include "core/partcfg.h"
#include "partitions/childload.h"
#include "partitions/root/childout.h"
#include "partitions/root/devices.h"

#define CHILDREN_MAX		16
#define CHILD_CHUNK		(2ull << 20)		/* RAM is allocated in 2 MiB pieces */
#define CHILD_CHUNKS_MAX	(SCRIPT_MEM_MAX / CHILD_CHUNK)

enum child_state {
	CHILD_FREE,		/* the slot is unused */
	CHILD_CREATED,		/* loaded, its VPs suspended */
	CHILD_RUNNING,
	CHILD_PAUSED,		/* its started VPs explicitly suspended (part pause) */
	CHILD_STOPPED,		/* stopped itself, preserved (on_stop=preserve) */
	CHILD_CRASHED,		/* crashed, preserved (on_crash=preserve) */
};

/* A child's boot image: its kernel and the modules handed to it (the ramdisk first). */
struct child_image {
	const uint8_t *kernel;
	size_t kernel_len;
	struct childload_module mods[CHILDLOAD_MODULES_MAX];
	unsigned nmods;
};

struct child {
	enum child_state state;
	char name[SCRIPT_NAME_MAX];
	struct script_create cfg;		/* what it was created from: reset and restart use it */
	uint64_t id;				/* the hypervisor's partition id */
	unsigned nvps;
	uint64_t mem_bytes;
	uint64_t chunks[CHILD_CHUNKS_MAX];	/* root physical addresses of its RAM */
	unsigned nchunks;
	uint64_t cpu_mask;			/* cpus=: its VPs' CPUs; 0 any */
	struct childload_plan plan;
	uint64_t msg_page[SCRIPT_VCPUS_MAX];	/* intercept-message page per VP, 0 if none */
	struct childdev dev;
	struct childout *out;			/* its lines, waiting for the serial port */
	bool ended;				/* stopped or crashed, at least once */
	bool ended_crashed;			/* the last end was a crash */
	uint64_t end_seq;			/* ends are numbered: the last of a name wins */
	uint32_t budget;			/* pool=: the most pages deposited into it; 0: no limit */
	uint64_t deposited;			/* pages the root deposited into it */
	bool budget_spent;			/* a deposit was refused for the budget */
	uint64_t created_tsc;			/* when it was created (part info's uptime) */
	uint64_t ended_tsc;			/* when it stopped or crashed (kept: its uptime stops) */
	unsigned restarts;			/* on_*=restart: restarts within the current window */
	bool restart_pending;			/* ended, to be created again once its lines are sent */
	uint64_t restart_window_tsc;		/* when that window began */
	/* A Linux kernel (bzImage): LAPIC partition, ACPI tables, the platform below (childplat.c) */
	bool linux;
	struct ioapic ioapic;
	bool com1_irq;				/* COM1's interrupt line as last sent */
	uint8_t cf9;				/* the reset control register */
	uint64_t halted_vps;			/* VPs halted for good (HVMSG_X64_HALT): all: it ended */
};

/*
 * What can be checked before anything is made (no hypercall): the name is
 * free, a slot is free, the image loads, memory suffices. False with one
 * message in why[size].
 */
bool child_check(const struct script_create *cfg, const struct child_image *img, char *why,
		 size_t size);
/*
 * Create, load and leave suspended: the child, or NULL (and nothing left
 * behind) on failure, said on the console. child_check first.
 */
struct child *child_create(const struct script_create *cfg, const struct child_image *img);
/* Clear every started VP's EXPLICIT_SUSPEND (hyperv-root-abi.md 4.8). */
bool child_start(struct child *c);
/* A running child's started VPs explicitly suspended, and back (part pause, part resume). */
bool child_pause(struct child *c);
bool child_resume(struct child *c);
/*
 * The boot image of a description, from the root's boot modules (shell.c):
 * false with one message in why[size] (no such module, not in the root's RAM).
 */
bool child_image_of(const struct script_create *cfg, struct child_image *img, char *why,
		    size_t size);
/* Destroy, create again from the same description, start (part reset, on_*=restart). */
struct child *child_reset(struct child *c);
/* Teardown (hyperv-root-abi.md 8); every page goes back to the root's free pages. */
void child_destroy(struct child *c);
/*
 * The child has stopped (crashed = false) or crashed: say "'NAME': why"
 * (why says which: "stopped itself, exit code 0", "crashed on vCPU 0:
 * ..."), destroy or preserve it.
 */
void child_ended(struct child *c, bool crashed, const char *why);
/* No child left: withdraw the root's own deposit pool; the pages withdrawn. */
uint64_t child_withdraw_self(void);
/* Poll each running child's state (HVCALL_X_PARTITION_STATS): stopped or crashed ends it. */
void child_poll_states(void);
/* HvCallCreateVp's flags for VP `vp` of a child limited to `cpu_mask` (0: anywhere). */
uint64_t child_vp_lp_flags(uint64_t cpu_mask, unsigned vp);

struct child *child_find(const char *name);
/* The i-th slot (0 .. CHILDREN_MAX - 1), in use or not: for listings. */
struct child *child_at(unsigned i);
/* "created", "running", "paused", "stopped", "crashed" ("free" for an unused slot). */
const char *child_state_name(enum child_state s);
struct child *child_by_id(uint64_t id);
/* One of the last few partitions the root destroyed (its late messages are stale). */
bool child_was_destroyed(uint64_t id);
/* A child of that name has stopped or crashed (destroyed or preserved). */
bool child_has_ended(const char *name);
/* How the last child of that name ended: 0 it has not, 1 stopped itself, 2 crashed. */
int child_last_end(const char *name);
/* Children that have not ended (created or running). */
unsigned child_live_count(void);
/* One line of a child's output: "[NAME] text", into its output (dropped beyond its budget). */
void child_line(void *child, const char *text);
/* The serial sender's next line from the children's outputs, each in turn; 0 if none waits. */
size_t child_output_next(char *out, size_t size, bool *more);
/* Some child's output has lines unsent. */
bool child_output_waiting(void);
/* SetVpRegisters of `n` assignments, in batches (hyperv-root-abi.md 4.11). */
uint16_t child_set_regs(uint64_t id, unsigned vp, const struct hv_register_assoc *r, unsigned n);
/* One 64-bit register of a child's VP (GetVpRegisters); *val is 0 on an error. */
uint16_t child_get_reg(uint64_t id, unsigned vp, uint32_t name, uint64_t *val);

/* ---- childplat.c: a Linux child's I/O APIC, COM1 interrupt and power registers ---- */

enum childplat_power {
	CHILDPLAT_POWER_NOT_MINE,	/* not a power port */
	CHILDPLAT_POWER_ON,		/* a power port, nothing more happens */
	CHILDPLAT_POWER_OFF,		/* ACPI S5 */
	CHILDPLAT_POWER_RESET,		/* RESET_REG, the 8042's reset pulse */
};

/* At creation: the I/O APIC's power-on state (every pin masked), COM1's line low. */
void childplat_reset(struct child *c);
/* After COM1 changed (an access, typed input): an edge of its interrupt goes to the I/O APIC. */
void childplat_com1_sync(struct child *c);
/* A port access of a Linux child: a power port's value in *out, and what it asks for. */
enum childplat_power childplat_power_io(struct child *c, uint16_t port, bool write, uint32_t val,
					 uint32_t *out);
/* A memory intercept in the I/O APIC's page: emulated and completed (true). */
bool childplat_mmio(struct child *c, unsigned vp, const struct hv_x64_memory_intercept_message *m);
/* The child asked to reboot: on_reboot says what follows. */
void child_rebooted(struct child *c, const char *why);

/* ---- intercept.c ---- */

/* The root's SynIC: SIMP and SIEFP as the hypervisor placed them, enabled; SINT0 unmasked. */
void intercept_init(void);
/* Handle the messages waiting in SINT0's slot, 64 at most (EOM after each). */
void intercept_poll(void);
/* A message waits in SINT0's slot: a child's VP waits on the root (a memory read, no exit). */
bool intercept_pending(void);
/* A VP's intercept-message page, mapped; 0 if the call failed. */
uint64_t intercept_map_page(uint64_t id, unsigned vp);
void intercept_unmap_page(uint64_t id, unsigned vp);

#endif
