/*
 * Creating, starting and destroying children through the TLFS root calls,
 * as Linux's mshv driver issues them (hyperv-root-abi.md 3, 4, 8, 9.2;
 * docs/root.md, "Creating a child"):
 *
 *   CreatePartition (EXO | INTERCEPT_MESSAGE_PAGE, compat 0x0609),
 *     depositing into the root itself on INSUFFICIENT_MEMORY;
 *   Deposit 208 + InitializePartition;
 *   per VP: Deposit 90 + CreateVp, MapVpStatePage(INTERCEPT_MESSAGE);
 *   MapGpaPages of its RAM (root pages), 509 a call;
 *   the image loaded through the root's identity map, SetVpRegisters;
 *   start: SetVpRegisters EXPLICIT_SUSPEND = 0.
 *
 * Teardown: UnmapVpStatePage, FinalizePartition, the RAM back to the free
 * pages, WithdrawMemory until NO_RESOURCES (each page back), DeletePartition.
 *
 * With pool=N on its line the root deposits nothing ahead: one page each
 * time a call answers INSUFFICIENT_MEMORY, N pages at most (the budget),
 * so that what the hypervisor takes for a child is seen exactly; a call
 * still short when the budget is spent fails the creation, cleanly.
 */
#include "partitions/root/child.h"
#include "partitions/bzimage.h"
#include "partitions/root/acpi_build.h"
#include "core/abi/childplat.h"
#include "partitions/root/root.h"
#include "arch/x86/cpu.h"
#include "core/abi/hypercall.h"

#define PAGE			4096ull
#define INIT_DEPOSIT_PAGES	208	/* mshv's HV_INIT_PARTITION_DEPOSIT_PAGES */
#define VP_DEPOSIT_PAGES	90	/* mshv's "empirically determined" CreateVp deposit */
#define MAP_DEPOSIT_PAGES	256	/* mshv's HV_MAP_GPA_DEPOSIT_PAGES */
/*
 * CreatePartition's deposit into the root itself: one contiguous block.
 * mshv deposits a page at a time and retries; a hypervisor whose partition
 * object spans more than a page needs them contiguous, which single pages
 * never promise, and the loop would only end when the root ran dry. A
 * naturally aligned block of this size holds the object in one piece.
 */
#define CREATE_DEPOSIT_PAGES	32
#define RETRIES_MAX		64	/* single-page deposits before we give up on a call */

static struct child children[CHILDREN_MAX];
/*
 * Each slot's output, apart from the slot: a child's last lines and the
 * root's lines about its end are still being sent when the slot is freed
 * and taken again (childout.h).
 */
static struct childout outputs[CHILDREN_MAX];
static unsigned output_turn;

_Static_assert(SCRIPT_NAME_MAX <= CHILDOUT_NAME_MAX, "a child's name fits its output's");

struct child *child_find(const char *name)
{
	for (unsigned i = 0; i < CHILDREN_MAX; i++)
		if (children[i].state != CHILD_FREE && !strcmp(children[i].name, name))
			return &children[i];
	return NULL;
}

struct child *child_by_id(uint64_t id)
{
	for (unsigned i = 0; i < CHILDREN_MAX; i++)
		if (children[i].state != CHILD_FREE && children[i].id == id)
			return &children[i];
	return NULL;
}

struct child *child_at(unsigned i)
{
	return i < CHILDREN_MAX ? &children[i] : NULL;
}

const char *child_state_name(enum child_state s)
{
	static const char *const names[] = {
		[CHILD_FREE] = "free", [CHILD_CREATED] = "created", [CHILD_RUNNING] = "running",
		[CHILD_PAUSED] = "paused", [CHILD_STOPPED] = "stopped", [CHILD_CRASHED] = "crashed",
	};

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

static bool is_live(const struct child *c)
{
	return c->state == CHILD_CREATED || c->state == CHILD_RUNNING || c->state == CHILD_PAUSED ||
	       c->restart_pending;
}

unsigned child_live_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < CHILDREN_MAX; i++)
		n += is_live(&children[i]);
	return n;
}

void child_line(void *child, const char *text)
{
	childout_line(((struct child *)child)->out, text);
}

/*
 * A line of the root's about `c`, after the child's own output (childout.h);
 * with none of that waiting, among the root's own lines, in their order.
 */
static void __printf(2, 3) child_say(struct child *c, const char *fmt, ...)
{
	char line[CHILDOUT_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (childout_unsent(c->out))
		childout_root_line(c->out, line);
	else
		say("%s", line);
}

size_t child_output_next(char *out, size_t size, bool *more)
{
	*more = false;
	for (unsigned k = 0; k < CHILDREN_MAX; k++) {
		unsigned i = (output_turn + k) % CHILDREN_MAX;
		size_t n = childout_next(&outputs[i], out, size);

		if (n) {
			output_turn = (i + 1) % CHILDREN_MAX;
			return n;
		}
	}
	return 0;
}

bool child_output_waiting(void)
{
	for (unsigned i = 0; i < CHILDREN_MAX; i++)
		if (childout_unsent(&outputs[i]))
			return true;
	return false;
}

/* ---- deposits (hyperv-root-abi.md 3) ---- */

/* Deposit `n` pages from `pa` on; the pages not taken go back to the free pages. */
static uint16_t deposit_block(uint64_t id, uint64_t pa, unsigned n)
{
	struct hv_input_deposit_memory hdr = { id };
	uint64_t pfns[HV_DEPOSIT_MAX];
	unsigned at = 0;
	uint16_t st = HV_STATUS_SUCCESS;

	while (at < n && st == HV_STATUS_SUCCESS) {
		unsigned batch = MIN(n - at, (unsigned)HV_DEPOSIT_MAX), done = 0;

		for (unsigned i = 0; i < batch; i++)
			pfns[i] = (pa >> 12) + at + i;
		st = hv_rep(HVCALL_DEPOSIT_MEMORY, &hdr, sizeof(hdr), pfns, sizeof(pfns[0]), batch,
			    NULL, 0, &done);
		at += done;
	}
	for (unsigned i = at; i < n; i++)
		pmem_free(pa + i * PAGE, 1);
	return st;
}

/* `n` pages into partition `id`, contiguous if `block`, else as they come. */
static bool deposit(uint64_t id, unsigned n, bool block)
{
	uint64_t pa = pmem_alloc(n, block ? n * PAGE : PAGE);
	uint16_t st;

	if (!pa && !block && n > 1) {	/* no run of n pages: one at a time */
		for (unsigned i = 0; i < n; i++)
			if (!deposit(id, 1, false))
				return false;
		return true;
	}
	if (!pa) {
		say("root: no %u free pages to deposit", n);
		return false;
	}
	st = deposit_block(id, pa, n);
	if (st != HV_STATUS_SUCCESS)
		say("root: DepositMemory of %u pages into %lx: %s", n, id, hv_status_name(st));
	return st == HV_STATUS_SUCCESS;
}

/* `n` pages into child c; with pool= no more than its budget in all ("budget spent"). */
static bool child_deposit(struct child *c, unsigned n)
{
	if (c->budget && c->deposited + n > c->budget) {
		if (c->deposited >= c->budget) {
			c->budget_spent = true;
			return false;
		}
		n = (unsigned)(c->budget - c->deposited);
	}
	if (!n)
		return true;
	if (!deposit(c->id, n, false))
		return false;
	c->deposited += n;
	return true;
}

/* What the root deposits ahead of a step: mshv's amount, nothing with a budget. */
static unsigned ahead(const struct child *c, unsigned mshv_pages)
{
	return c->budget ? 0 : mshv_pages;
}

/* "'NAME': CALL: STATUS", and why INSUFFICIENT_MEMORY was not answered with a deposit. */
static void call_failed(const struct child *c, const char *call, uint16_t st)
{
	if (st == HV_STATUS_INSUFFICIENT_MEMORY && c->budget_spent)
		say("root: '%s': %s: %s, its deposit budget spent (pool=%u: %lu pages deposited)",
		    c->name, call, hv_status_name(st), c->budget, c->deposited);
	else
		say("root: '%s': %s: %s", c->name, call, hv_status_name(st));
}

/* Pages of partition `id`'s pool in use (deposited, not free); the root's own with SELF. */
static uint64_t pool_in_use(uint64_t id)
{
	static struct hv_x_partition_stats st;

	if (hv_fast(HVCALL_X_PARTITION_STATS, id, root_image_gpa(&st), NULL) != HV_STATUS_SUCCESS)
		return 0;
	return st.pool_held - st.pool_free;
}

/* Withdraw everything partition `id` holds (WithdrawMemory until NO_RESOURCES), freeing each page. */
static uint64_t withdraw_all(uint64_t id)
{
	struct hv_input_withdraw_memory hdr = { id, { 0, 0 } };
	static uint64_t pfns[HV_WITHDRAW_MAX];
	uint64_t total = 0;
	uint16_t st;

	do {
		unsigned done = 0;

		st = hv_rep(HVCALL_WITHDRAW_MEMORY, &hdr, sizeof(hdr), NULL, 0, HV_WITHDRAW_MAX,
			    pfns, sizeof(pfns[0]), &done);
		for (unsigned i = 0; i < done; i++)
			if (pmem_free(pfns[i] << 12, 1))
				total++;
		if (st == HV_STATUS_SUCCESS && !done)
			break;		/* no progress: do not loop for ever */
	} while (st == HV_STATUS_SUCCESS);
	if (st != HV_STATUS_NO_RESOURCES && st != HV_STATUS_SUCCESS)
		say("root: WithdrawMemory from %lx: %s", id, hv_status_name(st));
	return total;
}

/*
 * With no child left: every page of the root's own deposit pool back
 * (WithdrawMemory of SELF until NO_RESOURCES). The hypervisor then holds
 * nothing of the root's, and the second-level tables it split for those
 * deposits are merged and freed: its own free memory is what it was at boot.
 */
uint64_t child_withdraw_self(void)
{
	return withdraw_all(HV_PARTITION_ID_SELF);
}

/* ---- creation ---- */

/* lapic: a local APIC per VP, in the hypervisor (a Linux child's; mshv's MSHV_PT_BIT_LAPIC). */
static bool create_partition(uint64_t *id, bool lapic)
{
	struct hv_input_create_partition in;
	struct hv_output_create_partition out;
	uint16_t st;

	memset(&in, 0, sizeof(in));
	in.flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION |
		   HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED |
		   (lapic ? HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED : 0);
	in.compatibility_version = HV_COMPATIBILITY_21_H2;
	for (unsigned tries = 0;; tries++) {
		st = hv_call(HVCALL_CREATE_PARTITION, &in, sizeof(in), &out, sizeof(out));
		if (st != HV_STATUS_INSUFFICIENT_MEMORY || tries == 4)
			break;
		if (!deposit(HV_PARTITION_ID_SELF, CREATE_DEPOSIT_PAGES, true))
			return false;
	}
	if (st != HV_STATUS_SUCCESS) {
		say("root: CreatePartition: %s", hv_status_name(st));
		return false;
	}
	*id = out.partition_id;
	return true;
}

/* HVCALL_X_PARTITION_NAME: the hypervisor's log lines about it then carry its name. */
static void name_partition(const struct child *c)
{
	static char buf[HV_X_NAME_MAX];
	uint16_t st;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, c->name, strnlen(c->name, sizeof(buf) - 1));
	st = hv_fast(HVCALL_X_PARTITION_NAME, c->id, root_image_gpa(buf), NULL);
	if (st != HV_STATUS_SUCCESS)	/* only the log loses: the child is still made */
		say("root: '%s': HVCALL_X_PARTITION_NAME: %s", c->name, hv_status_name(st));
}

/*
 * The CPU VP `vp` is asked to run on: the (vp mod n)-th CPU of the
 * cpus= mask, whose n CPUs are all online (core/script.c checked);
 * 0 (the hypervisor chooses) without a mask. HvCallCreateVp's flags
 * carry it (core/abi/hypercall.h, HV_X_CREATE_VP_LP_VALID).
 */
uint64_t child_vp_lp_flags(uint64_t cpu_mask, unsigned vp)
{
	unsigned n = 0, want;

	for (unsigned cpu = 0; cpu < 64; cpu++)	/* no popcount: no libgcc in the root */
		n += (unsigned)(cpu_mask >> cpu & 1);
	if (!n)
		return 0;
	want = vp % n;
	for (unsigned cpu = 0; cpu < 64; cpu++)
		if ((cpu_mask >> cpu & 1) && want-- == 0)
			return HV_X_CREATE_VP_LP_VALID | cpu;
	return 0;
}

/* A call that takes single-page deposits into the child while it answers INSUFFICIENT_MEMORY. */
static uint16_t with_deposits(struct child *c, uint16_t (*call)(const void *arg), const void *arg)
{
	uint16_t st = call(arg);

	for (unsigned i = 0; st == HV_STATUS_INSUFFICIENT_MEMORY && i < RETRIES_MAX; i++) {
		if (!child_deposit(c, 1))
			break;
		st = call(arg);
	}
	return st;
}

static uint16_t call_initialize(const void *arg)
{
	return hv_fast(HVCALL_INITIALIZE_PARTITION, *(const uint64_t *)arg, 0, NULL);
}

static uint16_t call_create_vp(const void *arg)
{
	return hv_call(HVCALL_CREATE_VP, arg, sizeof(struct hv_input_create_vp), NULL, 0);
}

static bool initialize(struct child *c)
{
	uint16_t st;

	if (!child_deposit(c, ahead(c, INIT_DEPOSIT_PAGES)))
		return false;
	st = with_deposits(c, call_initialize, &c->id);
	if (st != HV_STATUS_SUCCESS)
		call_failed(c, "InitializePartition", st);
	return st == HV_STATUS_SUCCESS;
}

static bool create_vps(struct child *c)
{
	for (unsigned i = 0; i < c->nvps; i++) {
		struct hv_input_create_vp in;
		char call[32];
		uint16_t st;

		memset(&in, 0, sizeof(in));
		in.partition_id = c->id;
		in.vp_index = i;
		in.subnode_type = HV_SUBNODE_ANY;
		in.flags = child_vp_lp_flags(c->cpu_mask, i);
		if (!child_deposit(c, ahead(c, VP_DEPOSIT_PAGES)))
			return false;
		st = with_deposits(c, call_create_vp, &in);
		fmt_snprintf(call, sizeof(call), "CreateVp %u", i);
		if (st != HV_STATUS_SUCCESS) {
			call_failed(c, call, st);
			return false;
		}
		/* its intercept-message page: one page, deposited here within a budget */
		fmt_snprintf(call, sizeof(call), "MapVpStatePage of VP %u", i);
		if (c->budget && !child_deposit(c, 1)) {
			call_failed(c, call, HV_STATUS_INSUFFICIENT_MEMORY);
			return false;
		}
		c->msg_page[i] = intercept_map_page(c->id, i);
	}
	return true;
}

static bool alloc_ram(struct child *c)
{
	c->nchunks = 0;
	while ((uint64_t)c->nchunks * CHILD_CHUNK < c->mem_bytes) {
		uint64_t pa = pmem_alloc(CHILD_CHUNK / PAGE, CHILD_CHUNK);

		if (!pa) {
			say("root: '%s': no room for %lu MiB of RAM (%lu MiB free)", c->name,
			    c->mem_bytes >> 20, pmem_free_pages() >> 8);
			return false;
		}
		c->chunks[c->nchunks++] = pa;
	}
	return true;
}

/* Scrubbed before it is free again: the next child must not read this one's memory. */
static void free_ram(struct child *c)
{
	for (unsigned i = 0; i < c->nchunks; i++) {
		memset((void *)c->chunks[i], 0, CHILD_CHUNK);	/* identity-mapped */
		pmem_free(c->chunks[i], CHILD_CHUNK / PAGE);
	}
	c->nchunks = 0;
}

/* MapGpaPages of the whole RAM at GFN 0 on, 509 pages a call; 256 pages deposited on INSUFFICIENT_MEMORY. */
static bool map_ram(struct child *c)
{
	static uint64_t pfns[HV_MAP_GPA_MAX];
	uint64_t pages = c->mem_bytes / PAGE, gfn = 0;
	unsigned deposits = 0;

	while (gfn < pages) {
		struct hv_input_map_gpa_pages hdr = { c->id, gfn,
			HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE | HV_MAP_GPA_EXECUTABLE |
			HV_MAP_GPA_ADJUSTABLE, 0 };
		unsigned n = (unsigned)MIN(pages - gfn, (uint64_t)HV_MAP_GPA_MAX), done = 0;
		uint16_t st;

		for (unsigned i = 0; i < n; i++)
			pfns[i] = (c->chunks[(gfn + i) / 512] >> 12) + (gfn + i) % 512;
		st = hv_rep(HVCALL_MAP_GPA_PAGES, &hdr, sizeof(hdr), pfns, sizeof(pfns[0]), n,
			    NULL, 0, &done);
		gfn += done;			/* reps completed count as done */
		/* with a budget, the budget bounds the single-page deposits */
		if (st == HV_STATUS_INSUFFICIENT_MEMORY && (c->budget || deposits++ < RETRIES_MAX) &&
		    child_deposit(c, c->budget ? 1 : MAP_DEPOSIT_PAGES))
			continue;
		if (st != HV_STATUS_SUCCESS) {
			say("root: '%s': MapGpaPages stopped at gfn %lx", c->name, gfn);
			call_failed(c, "MapGpaPages", st);
			return false;
		}
	}
	return true;
}

/* The child's RAM through the root's identity map: GPA -> its 2 MiB piece. */
static bool ram_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	struct child *c = ctx;

	if (gpa > c->mem_bytes || len > c->mem_bytes - gpa)
		return false;
	while (len) {
		uint64_t off = gpa % CHILD_CHUNK;
		size_t n = (size_t)MIN((uint64_t)len, CHILD_CHUNK - off);
		uint8_t *dst = (uint8_t *)(c->chunks[gpa / CHILD_CHUNK] + off);

		if (src) {
			memcpy(dst, src, n);
			src = (const uint8_t *)src + n;
		} else {
			memset(dst, 0, n);
		}
		gpa += n;
		len -= n;
	}
	return true;
}

static bool ram_zero(void *ctx, uint64_t gpa, size_t len)
{
	return ram_write(ctx, gpa, NULL, len);
}

uint16_t child_set_regs(uint64_t id, unsigned vp, const struct hv_register_assoc *r, unsigned n)
{
	struct hv_input_vp_registers_header hdr = { id, vp, 0, 0, 0 };

	while (n) {
		unsigned batch = MIN(n, (unsigned)HV_SET_VP_REGISTERS_MAX), done = 0;
		uint16_t st = hv_rep(HVCALL_SET_VP_REGISTERS, &hdr, sizeof(hdr), r, sizeof(*r),
				     batch, NULL, 0, &done);

		if (st != HV_STATUS_SUCCESS)
			return st;
		r += done;
		n -= done;
	}
	return HV_STATUS_SUCCESS;
}

uint16_t child_get_reg(uint64_t id, unsigned vp, uint32_t name, uint64_t *val)
{
	struct {
		struct hv_input_vp_registers_header h;
		uint32_t name;
	} HV_PACKED in;
	union hv_register_value out;
	uint16_t st;

	memset(&in, 0, sizeof(in));
	in.h.partition_id = id;
	in.h.vp_index = vp;
	in.name = name;
	st = hv_rep(HVCALL_GET_VP_REGISTERS, &in.h, sizeof(in.h), &in.name, sizeof(in.name), 1, &out,
		    sizeof(out), NULL);
	*val = st == HV_STATUS_SUCCESS ? out.reg64 : 0;
	return st;
}

/* A Linux child's ACPI tables (acpi_build.c), built for its VPs; false with a message. */
static bool acpi_tables(struct child *c, struct childload_acpi *acpi)
{
	static uint8_t blob[CHILDPLAT_ACPI_MAX];
	const char *why;

	acpi->data = blob;
	acpi->len = acpi_build_child(blob, sizeof(blob), CHILDPLAT_ACPI_GPA, c->nvps, &why);
	if (!acpi->len)
		say("root: '%s': ACPI tables: %s", c->name, why);
	return acpi->len != 0;
}

static const char *proto_name(enum boot_proto p)
{
	switch (p) {
	case BOOT_PROTO_ELF64:
		return "ELF64";
	case BOOT_PROTO_MB1:
		return "Multiboot";
	case BOOT_PROTO_MB2:
		return "Multiboot2";
	default:
		return "Linux bzImage";
	}
}

static bool load(struct child *c, const struct script_create *cfg, const struct child_image *img)
{
	const struct childload_mem mem = { ram_write, ram_zero, c };
	static struct hv_register_assoc regs[CHILDLOAD_REGS_MAX];
	struct childload_acpi acpi;
	const char *why;

	if (c->linux && !acpi_tables(c, &acpi))
		return false;
	if (!childload_image(img->kernel, img->kernel_len, c->mem_bytes, c->nvps, c->id,
			     cfg->cmdline, img->mods, img->nmods, c->linux ? &acpi : NULL, &mem,
			     &c->plan, &why)) {
		say("root: '%s': cannot load image: %s", c->name, why);
		return false;
	}
	for (unsigned vp = 0; vp < c->nvps; vp++) {
		unsigned n = childload_vp_regs(&c->plan, vp, regs);
		uint16_t st = n ? child_set_regs(c->id, vp, regs, n) : HV_STATUS_SUCCESS;

		if (st != HV_STATUS_SUCCESS) {
			say("root: '%s': SetVpRegisters on VP %u: %s", c->name, vp, hv_status_name(st));
			return false;
		}
	}
	say("root: '%s': %s kernel, entry %lx", c->name, proto_name(c->plan.proto), c->plan.entry);
	return true;
}

bool child_has_ended(const char *name)
{
	for (unsigned i = 0; i < CHILDREN_MAX; i++)
		if (children[i].ended && !strcmp(children[i].name, name))
			return true;
	return false;
}

int child_last_end(const char *name)
{
	const struct child *last = NULL;

	for (unsigned i = 0; i < CHILDREN_MAX; i++)
		if (children[i].ended && !strcmp(children[i].name, name) &&
		    (!last || children[i].end_seq > last->end_seq))
			last = &children[i];
	return !last ? 0 : last->ended_crashed ? 2 : 1;
}

/* A free slot, one that never held a child first (an ended one remembers its name for wait). */
static struct child *slot_take(const char *name)
{
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < CHILDREN_MAX; i++)
			if (children[i].state == CHILD_FREE && (pass || !children[i].ended)) {
				memset(&children[i], 0, sizeof(children[i]));
				memcpy(children[i].name, name, strnlen(name, SCRIPT_NAME_MAX - 1));
				children[i].out = &outputs[i];
				childout_claim(children[i].out, children[i].name);
				return &children[i];
			}
	return NULL;
}

/*
 * Pages a child of this configuration may take from the root: its RAM, what
 * is deposited into it (mshv's amounts, or the budget) and a block into the
 * root's own pool for the partition object. Checked before anything is made.
 */
static uint64_t pages_needed(const struct script_create *cfg)
{
	uint64_t deposits = cfg->pool_pages ? cfg->pool_pages :
			    INIT_DEPOSIT_PAGES + (uint64_t)VP_DEPOSIT_PAGES * cfg->vcpus +
			    MAP_DEPOSIT_PAGES;

	return cfg->mem_bytes / PAGE + deposits + CREATE_DEPOSIT_PAGES;
}

/* What it cost, from the hypervisor's own count of each pool (HVCALL_X_PARTITION_STATS). */
struct overhead {
	uint64_t object;	/* the root's own pool: the partition object */
	uint64_t init, vps, all;	/* its pool in use after Initialize, the VPs, MapGpaPages */
};

static void say_overhead(const struct child *c, const struct overhead *o)
{
	char budget[24] = "";

	if (c->budget)
		fmt_snprintf(budget, sizeof(budget), " (pool=%u)", c->budget);
	say("root: '%s': deposited %lu pages%s, %lu in use: tables %lu, VPs %lu; "
	    "partition object %lu pages of my own pool", c->name, c->deposited, budget, o->all,
	    o->init + (o->all - o->vps), o->vps - o->init, o->object);
}

static bool slot_free(void)
{
	for (unsigned i = 0; i < CHILDREN_MAX; i++)
		if (children[i].state == CHILD_FREE)
			return true;
	return false;
}

/* Checks that need no hypercall: a bad image or too little memory costs nothing. */
bool child_check(const struct script_create *cfg, const struct child_image *img, char *why,
		 size_t size)
{
	const char *load_why;

	if (child_find(cfg->name)) {
		fmt_snprintf(why, size, "a partition named '%s' exists", cfg->name);
		return false;
	}
	if (!slot_free()) {
		fmt_snprintf(why, size, "already %u partitions", CHILDREN_MAX);
		return false;
	}
	if (!childload_check(img->kernel, img->kernel_len, cfg->mem_bytes, img->mods, img->nmods,
			     NULL, &load_why)) {
		fmt_snprintf(why, size, "cannot load '%s': %s", cfg->kernel, load_why);
		return false;
	}
	if (pages_needed(cfg) > pmem_free_pages()) {
		fmt_snprintf(why, size, "'%s' needs %lu KiB (memory and overhead), %lu KiB free",
			     cfg->name, pages_needed(cfg) * 4, pmem_free_pages() * 4);
		return false;
	}
	return true;
}

/* The steps after CreatePartition, each one's pages counted in *o. */
static bool build(struct child *c, const struct script_create *cfg, const struct child_image *img,
		  struct overhead *o)
{
	if (!initialize(c))
		return false;
	o->init = pool_in_use(c->id);
	if (!create_vps(c))
		return false;
	o->vps = pool_in_use(c->id);
	if (!map_ram(c) || !load(c, cfg, img))
		return false;
	o->all = pool_in_use(c->id);
	return true;
}

struct child *child_create(const struct script_create *cfg, const struct child_image *img)
{
	struct overhead o;
	struct child *c;
	char why[128];
	uint64_t id;

	if (!child_check(cfg, img, why, sizeof(why))) {
		say("root: '%s': %s", cfg->name, why);
		return NULL;
	}
	c = slot_take(cfg->name);
	ASSERT(c);			/* child_check found a free slot */
	c->cfg = *cfg;
	c->created_tsc = rdtsc();
	c->nvps = cfg->vcpus;
	c->mem_bytes = cfg->mem_bytes;
	c->cpu_mask = cfg->cpu_mask;
	c->budget = cfg->pool_pages;
	childdev_reset(&c->dev);
	c->linux = bzimage_is(img->kernel, img->kernel_len);
	childplat_reset(c);
	o.object = pool_in_use(HV_PARTITION_ID_SELF);
	if (!alloc_ram(c) || !create_partition(&id, c->linux)) {
		free_ram(c);
		c->state = CHILD_FREE;
		return NULL;
	}
	o.object = pool_in_use(HV_PARTITION_ID_SELF) - o.object;
	c->id = id;
	c->state = CHILD_CREATED;	/* from here on, child_destroy undoes it */
	name_partition(c);
	if (!build(c, cfg, img, &o)) {
		child_destroy(c);
		return NULL;
	}
	say("root: '%s': created, partition %lu, %lu MiB, %u VP%s", c->name, c->id,
	    c->mem_bytes >> 20, c->nvps, c->nvps == 1 ? "" : "s");
	say_overhead(c, &o);
	return c;
}

/* EXPLICIT_SUSPEND of every VP that the loader starts (a Multiboot AP never runs) to `on`. */
static bool set_suspend(struct child *c, bool on)
{
	struct hv_register_assoc r;

	memset(&r, 0, sizeof(r));
	r.name = HV_REGISTER_EXPLICIT_SUSPEND;
	r.value.reg64 = on;
	for (unsigned vp = 0; vp < c->nvps; vp++) {
		uint16_t st;

		if (!childload_vp_starts(&c->plan, vp))
			continue;	/* stays suspended: a Multiboot AP */
		st = child_set_regs(c->id, vp, &r, 1);
		if (st != HV_STATUS_SUCCESS) {
			say("root: '%s': %s VP %u: %s", c->name, on ? "suspending" : "resuming", vp,
			    hv_status_name(st));
			return false;
		}
	}
	return true;
}

/* From one state to another by setting every started VP's EXPLICIT_SUSPEND to `suspend`. */
static bool change(struct child *c, enum child_state from, bool suspend, enum child_state to,
		   const char *done)
{
	if (c->state != from) {
		say("root: '%s': is %s, not %s", c->name, child_state_name(c->state),
		    child_state_name(from));
		return false;
	}
	if (!set_suspend(c, suspend))
		return false;
	c->state = to;
	say("root: '%s': %s", c->name, done);
	return true;
}

bool child_start(struct child *c)
{
	return change(c, CHILD_CREATED, false, CHILD_RUNNING, "started");
}

/*
 * The hypervisor takes a VP whose EXPLICIT_SUSPEND is set out of guest
 * mode and keeps it out (hyperv-root-abi.md 4.8; partitions/hvroot_vp.c):
 * a VP waiting on the root for an intercept stays waiting and is
 * completed as usual, it just does not run on.
 */
bool child_pause(struct child *c)
{
	return change(c, CHILD_RUNNING, true, CHILD_PAUSED, "paused");
}

bool child_resume(struct child *c)
{
	return change(c, CHILD_PAUSED, false, CHILD_RUNNING, "resumed");
}

/*
 * Partitions destroyed lately: a message one of them posted before its
 * end may still wait in SINT0's queue behind others (a VP suspended on
 * an intercept when the root destroyed it). Such a message is stale, not
 * a stranger's.
 */
#define GONE_IDS	8
static uint64_t gone_ids[GONE_IDS];
static unsigned gone_next;

bool child_was_destroyed(uint64_t id)
{
	for (unsigned i = 0; i < GONE_IDS; i++)
		if (gone_ids[i] == id && id)
			return true;
	return false;
}

static uint16_t fast8(uint16_t code, uint64_t id)
{
	return hv_fast(code, id, 0, NULL);
}

void child_destroy(struct child *c)
{
	uint64_t withdrawn;
	uint16_t st;

	childdev_flush(&c->dev, child_line, c);
	for (unsigned vp = 0; vp < c->nvps; vp++)
		if (c->msg_page[vp]) {
			intercept_unmap_page(c->id, vp);
			c->msg_page[vp] = 0;
		}
	st = fast8(HVCALL_FINALIZE_PARTITION, c->id);
	if (st != HV_STATUS_SUCCESS)
		child_say(c, "root: '%s': FinalizePartition: %s", c->name, hv_status_name(st));
	free_ram(c);			/* no UnmapGpaPages: Finalize dropped the maps */
	withdrawn = withdraw_all(c->id);
	st = fast8(HVCALL_DELETE_PARTITION, c->id);
	if (st != HV_STATUS_SUCCESS)
		child_say(c, "root: '%s': DeletePartition: %s", c->name, hv_status_name(st));
	gone_ids[gone_next++ % GONE_IDS] = c->id;
	c->restart_pending = false;	/* destroyed: not to be created again */
	child_say(c, "root: '%s': destroyed, memory scrubbed, %lu pages withdrawn, %lu MiB free", c->name,
	    withdrawn, pmem_free_pages() >> 8);
	c->state = CHILD_FREE;
}

/* Restarting more than this often in RESTART_WINDOW_S seconds looks like a loop: preserved instead. */
#define RESTARTS_MAX		5
#define RESTART_WINDOW_S	10

struct child *child_reset(struct child *c)
{
	static struct script_create cfg;	/* the slot is freed on the way */
	static struct child_image img;
	unsigned restarts = c->restarts;
	uint64_t window = c->restart_window_tsc;
	struct child *n;
	char why[128];

	cfg = c->cfg;
	if (c->state != CHILD_FREE)
		child_destroy(c);
	if (!child_image_of(&cfg, &img, why, sizeof(why))) {
		say("root: '%s': not created again: %s", cfg.name, why);
		return NULL;
	}
	n = child_create(&cfg, &img);
	if (!n)
		return NULL;
	n->restarts = restarts;
	n->restart_window_tsc = window;
	child_start(n);		/* a failure is said; the child stays created */
	return n;
}

/* on_*=restart, unless it restarted RESTARTS_MAX times within RESTART_WINDOW_S. */
static bool may_restart(struct child *c)
{
	uint64_t now = rdtsc(), window = (uint64_t)RESTART_WINDOW_S * root_tsc_khz() * 1000;

	if (now - c->restart_window_tsc > window) {
		c->restart_window_tsc = now;
		c->restarts = 0;
	}
	if (c->restarts >= RESTARTS_MAX) {
		child_say(c, "root: '%s': restarted %u times within %u s: preserved, not restarted",
			  c->name, c->restarts, RESTART_WINDOW_S);
		return false;
	}
	c->restarts++;
	return true;
}

static void end_as(struct child *c, bool crashed, enum script_end end, const char *on,
		   const char *why)
{
	static uint64_t ends;
	uint64_t count;
	uint16_t port;

	c->ended = true;
	c->ended_tsc = rdtsc();
	c->ended_crashed = crashed;
	c->end_seq = ++ends;
	childdev_flush(&c->dev, child_line, c);	/* its last, unfinished words come first */
	child_say(c, "root: '%s': %s", c->name, why);
	child_say(c, "root: '%s': ports: %lu emulated, %lu to no device", c->name,
		  c->dev.io_accesses, c->dev.io_no_device);
	if (childdev_busiest_absent(&c->dev, &port, &count))
		child_say(c, "root: '%s': the port with no device it used most: 0x%x, %lu times", c->name,
			  port, count);
	if (end == SCRIPT_END_DESTROY) {
		child_destroy(c);
		return;
	}
	c->state = crashed ? CHILD_CRASHED : CHILD_STOPPED;
	if (end == SCRIPT_END_RESTART && may_restart(c)) {
		child_say(c, "root: '%s': restarting (on_%s=restart)", c->name, on);
		c->restart_pending = true;	/* child_poll_states, once its lines are out */
	}
}

void child_ended(struct child *c, bool crashed, const char *why)
{
	end_as(c, crashed, crashed ? c->cfg.on_crash : c->cfg.on_poweroff,
	       crashed ? "crash" : "poweroff", why);
}

void child_rebooted(struct child *c, const char *why)
{
	end_as(c, false, c->cfg.on_reboot, "reboot", why);
}

/*
 * A running child's state, from HVCALL_X_PARTITION_STATS (decision, docs/
 * root.md "When a child ends"): the root polls every child it runs on
 * each wake-up, every 5 ms at most, rather than the hypervisor posting a
 * message; a child that stopped itself (HVCALL_X_PARTITION_EXIT) is seen
 * here. Crashes also come as intercept messages, with the reason.
 */
void child_poll_states(void)
{
	static struct hv_x_partition_stats st;
	char why[64];

	for (unsigned i = 0; i < CHILDREN_MAX; i++) {
		struct child *c = &children[i];

		/*
		 * A restart waits until the ended child's lines (and the root's
		 * about its end) are sent: the new one's creation then reads after
		 * them, in order.
		 */
		if (c->restart_pending && !childout_unsent(c->out)) {
			c->restart_pending = false;
			child_reset(c);
			continue;
		}
		if (c->state != CHILD_RUNNING && c->state != CHILD_PAUSED)
			continue;
		if (hv_fast(HVCALL_X_PARTITION_STATS, c->id, root_image_gpa(&st), NULL) !=
		    HV_STATUS_SUCCESS)
			continue;
		if (st.state == HV_X_PART_STOPPED) {
			fmt_snprintf(why, sizeof(why), "stopped itself, exit code %lu", st.exit_code);
			child_ended(c, false, why);
		} else if (st.state == HV_X_PART_CRASHED) {
			uint64_t id = c->id;

			intercept_poll();	/* the message with the reason was posted first */
			/* it may have ended and restarted there (a new partition in this slot) */
			if (c->id == id && (c->state == CHILD_RUNNING || c->state == CHILD_PAUSED))
				child_ended(c, true, "crashed (the hypervisor's log says how)");
		}
	}
}
