/*
 * Partition objects: creation (validate everything first, then allocate),
 * guest memory, state changes. Execution is core/sched.c's business.
 */
#include "partitions/partition.h"
#include "partitions/loader.h"
#include "partitions/platform.h"
#include "arch/x86/tsc.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "core/slpt_hv.h"

static struct partition *partitions[PART_MAX];
static spinlock_t table_lock = SPINLOCK_INIT;
static uint32_t next_id = 1;

/* A table slot taken by a partition still being created. */
#define SLOT_RESERVED	((struct partition *)1)
#define SLOT_LIVE(p)	((p) && (p) != SLOT_RESERVED)

#define PART_PAGES	(ALIGN_UP(sizeof(struct partition), PAGE_SIZE) >> PAGE_SHIFT)

static void destroy_started(struct partition *p, bool started);
static void mark_dying_locked(struct partition *p);
static uint64_t vcpu_pages_each;	/* back-end memory per vCPU, measured at boot */

void partition_measure_vcpu_cost(void)
{
	struct vcpu v = { .last_cpu = -1 };
	paddr_t root = mm_alloc_zeroed_page();
	uint64_t before;

	if (!vcpu_ops || !root)
		return;
	before = mm_free_pages();
	if (!vcpu_ops->vcpu_init(&v, root)) {
		vcpu_pages_each = before - mm_free_pages();
		vcpu_ops->vcpu_free(&v);
	}
	mm_free(root, 1);
}

static const char *const state_names[] = {
	"created", "running", "paused", "stopped", "crashed",
};

const char *partition_state_name(enum part_state s)
{
	return s <= PART_CRASHED ? state_names[s] : "?";
}

const char *partition_status_text(enum part_status st)
{
	static const char *const text[] = {
		"ok", "invalid argument", "not enough memory", "name already in use",
		"wrong partition state", "image cannot be loaded", "limit reached",
	};

	return st <= PART_ELIMIT ? text[st] : "?";
}

static bool name_ok(const char *name)
{
	size_t n = strnlen(name, PART_NAME_MAX);

	if (n == 0 || n == PART_NAME_MAX || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* Caller holds table_lock. */
static struct partition *find_locked(const char *name_or_id)
{
	uint64_t id = 0;
	bool numeric = parse_u64(name_or_id, strlen(name_or_id), false, &id);

	for (unsigned i = 0; i < PART_MAX; i++) {
		struct partition *p = partitions[i];

		if (SLOT_LIVE(p) && (numeric ? p->id == id : !strcmp(p->name, name_or_id)))
			return p;
	}
	return NULL;
}

struct partition *partition_find(const char *name_or_id)
{
	struct partition *p;

	spin_lock(&table_lock);
	p = find_locked(name_or_id);
	spin_unlock(&table_lock);
	return p;
}

bool partitions_any_alive(void)
{
	bool alive = false;

	spin_lock(&table_lock);
	for (unsigned i = 0; i < PART_MAX; i++)
		if (partitions[i] == SLOT_RESERVED ||
		    (SLOT_LIVE(partitions[i]) && (partitions[i]->dying ||
		     (partitions[i]->state != PART_STOPPED && partitions[i]->state != PART_CRASHED))))
			alive = true;	/* still running, being created, or being destroyed */
	spin_unlock(&table_lock);
	return alive;
}

const char *partition_config_problem(const struct part_config *c)
{
	if (!name_ok(c->name))
		return "the name must be 1-31 letters, digits, '-', '_' or '.', "
		       "not starting with a digit";
	if (!c->mem_bytes || c->mem_bytes % MIB(2) || c->mem_bytes > PART_MEM_MAX)
		return "memory must be a multiple of 2 MiB, at most 1 GiB";
	if (!c->vcpus || c->vcpus > PART_MAX_VPS)
		return "vcpus must be 1 to 8";
	if (c->cpu_mask && !(c->cpu_mask & ((cpu_count >= 64 ? 0 : 1ull << cpu_count) - 1)))
		return "cpus= names no CPU that is online";
	if (!c->image || !c->image_len)
		return "there is no image";
	return NULL;
}

static enum part_status check_config(const struct part_config *c)
{
	return partition_config_problem(c) ? PART_EINVAL : PART_OK;
}

/* Back the guest's memory with zeroed 2 MiB chunks and map them. */
static enum part_status alloc_memory(struct partition *p)
{
	for (uint64_t gpa = 0; gpa < p->mem_bytes; gpa += MIB(2)) {
		paddr_t hpa = mm_alloc(MIB(2) / PAGE_SIZE, MIB(2), 0);

		if (!hpa)
			return PART_ENOMEM;
		memset(phys_to_virt(hpa), 0, MIB(2));
		p->chunks[p->nchunks++] = (struct mem_chunk){ gpa, hpa, MIB(2) / PAGE_SIZE };
		if (!slpt_map(&p->slpt, gpa, hpa, MIB(2), SLP_RWX, MEMTYPE_WB, true))
			return PART_ENOMEM;
	}
	return PART_OK;
}

static void free_vp(struct vp *vp)
{
	struct vcpu *v = &vp->vcpu;

	if (v->arch)
		vcpu_ops->vcpu_free(v);
	v->arch = NULL;
}

/* Scrub and return the guest memory, the tables and the partition itself. */
static void free_memory(struct partition *p)
{
	slpt_destroy(&p->slpt);
	for (unsigned i = 0; i < p->nchunks; i++) {
		/* scrub: the next owner must not see this partition's data */
		memset(phys_to_virt(p->chunks[i].hpa), 0, p->chunks[i].pages * PAGE_SIZE);
		mm_free(p->chunks[i].hpa, p->chunks[i].pages);
	}
	mm_free(virt_to_phys(p), PART_PAGES);
}

static void free_everything(struct partition *p)
{
	for (unsigned i = 0; i < p->nvps; i++)
		free_vp(&p->vps[i]);
	free_memory(p);
}

/* Home CPUs: spread the vCPUs over the allowed CPUs, round robin from a moving start. */
static unsigned pick_cpu(uint64_t mask, unsigned nth)
{
	static unsigned rotor;
	unsigned n = 0, allowed[MAX_CPUS];

	for (unsigned c = 0; c < cpu_count; c++)
		if (!mask || (mask >> c & 1))
			allowed[n++] = c;
	if (nth == 0)
		rotor++;	/* the next partition starts on the next CPU */
	return allowed[(rotor + nth) % n];
}

static enum part_status create_vps(struct partition *p, const struct part_config *c)
{
	for (unsigned i = 0; i < c->vcpus; i++) {
		struct vp *vp = &p->vps[i];

		p->nvps = i + 1;
		vp->vcpu.part = p;
		vp->vcpu.index = i;
		vp->vcpu.tsc_aux = i;	/* RDTSCP gives the VP index until the guest sets its own */
		vp->vcpu.last_cpu = -1;
		vp->vcpu.home_cpu = pick_cpu(c->cpu_mask, i);
		vp->state = VP_RUNNABLE;
		fpu_init_area(&vp->fpu);
		vp->dbg = (struct debug_regs){ .dr6 = 0xffff0ff0 };	/* DR6 at reset */
		if (vcpu_ops->vcpu_init(&vp->vcpu, p->slpt.root))
			return PART_ENOMEM;
	}
	return PART_OK;
}

/*
 * Pages a partition of this configuration takes at the least: its memory,
 * the partition object, the second-level tables (a root, a third level and
 * one table per GiB of 2 MiB leaves) and the back-end's per-vCPU structures.
 */
static uint64_t pages_needed(const struct part_config *c)
{
	uint64_t tables = 2 + ALIGN_UP(c->mem_bytes, GIB(1)) / GIB(1);

	return (c->mem_bytes >> PAGE_SHIFT) + PART_PAGES + tables + c->vcpus * vcpu_pages_each;
}

/*
 * Refuse at once what cannot fit: allocating and zeroing chunk after chunk
 * until memory runs out, then scrubbing them all again, takes seconds under
 * emulation, and the partitions created after this one would wait for it.
 * (Enough free pages can still fail for want of 2 MiB-aligned runs; that is
 * found while allocating.)
 */
static bool memory_suffices(const struct part_config *c)
{
	uint64_t need = pages_needed(c), avail = mm_free_pages();

	if (need <= avail)
		return true;
	log_warn("part '%s': needs %lu KiB (memory and overhead), %lu KiB free", c->name,
		 need << (PAGE_SHIFT - 10), avail << (PAGE_SHIFT - 10));
	return false;
}

static int free_slot_locked(const char *name)
{
	int slot = -1;

	for (int i = 0; i < PART_MAX; i++) {
		if (SLOT_LIVE(partitions[i]) && !strcmp(partitions[i]->name, name))
			return -2;
		if (!partitions[i] && slot < 0)
			slot = i;
	}
	return slot;
}

enum part_status partition_create(const struct part_config *c, struct partition **out)
{
	enum part_status st = check_config(c);
	struct partition *p;
	paddr_t pa;
	uint32_t id;
	int slot;

	if (st != PART_OK)
		return st;
	if (!vcpu_ops)
		return PART_ESTATE;
	if (!memory_suffices(c))
		return PART_ENOMEM;
	spin_lock(&table_lock);
	slot = free_slot_locked(c->name);
	if (slot >= 0)
		partitions[slot] = SLOT_RESERVED;
	id = next_id++;
	spin_unlock(&table_lock);
	if (slot < 0)
		return slot == -2 ? PART_EEXIST : PART_ELIMIT;

	pa = mm_alloc(PART_PAGES, PAGE_SIZE, 0);
	if (!pa) {
		partitions[slot] = NULL;
		return PART_ENOMEM;
	}
	p = phys_to_virt(pa);
	memset(p, 0, sizeof(*p));
	memcpy(p->name, c->name, strnlen(c->name, PART_NAME_MAX - 1));
	p->id = id;
	p->mem_bytes = c->mem_bytes;
	p->state = PART_CREATED;
	st = slpt_init(&p->slpt, vcpu_ops->slpt, &slpt_hv_alloc) ? alloc_memory(p) : PART_ENOMEM;
	if (st == PART_OK)
		st = create_vps(p, c);
	if (st == PART_OK)
		st = loader_load(p, c->image, c->image_len, c->cmdline);
	if (st != PART_OK) {
		free_everything(p);
		spin_lock(&table_lock);
		partitions[slot] = NULL;
		spin_unlock(&table_lock);
		return st;
	}
	p->io_allowed[PART_DEBUG_PORT / 8] |= 1u << (PART_DEBUG_PORT % 8);
	p->on_stop = c->on_stop;
	p->on_crash = c->on_crash;
	p->live_vps = p->nvps;
	spin_lock(&table_lock);
	partitions[slot] = p;
	spin_unlock(&table_lock);
	*out = p;
	/* what the hypervisor spends beyond the guest's own memory */
	log_info("part %u '%s': created, %lu MiB, %u vCPU%s, overhead %lu KiB "
		 "(partition %lu, second-level tables %lu, vCPUs %lu)", p->id, p->name,
		 p->mem_bytes >> 20, p->nvps, p->nvps == 1 ? "" : "s",
		 (PART_PAGES + p->slpt.table_pages + p->nvps * vcpu_pages_each) * 4,
		 PART_PAGES * 4, p->slpt.table_pages * 4, p->nvps * vcpu_pages_each * 4);
	return PART_OK;
}

static enum part_status change_state(struct partition *p, enum part_state from,
				     enum part_state to)
{
	enum part_status st = PART_ESTATE;

	spin_lock(&p->lock);
	if (p->state == from) {
		p->state = to;
		st = PART_OK;
	}
	spin_unlock(&p->lock);
	return st;
}

enum part_status partition_start(struct partition *p)
{
	enum part_status st;

	p->start_tsc = sched_now();
	st = change_state(p, PART_CREATED, PART_RUNNING);
	if (st == PART_OK)
		log_debug("part %u '%s': started at TSC %lu", p->id, p->name, p->start_tsc);
	if (st == PART_OK)
		for (unsigned i = 0; i < p->nvps; i++)
			sched_add(&p->vps[i]);
	return st;
}

enum part_status partition_pause(struct partition *p)
{
	enum part_status st = change_state(p, PART_RUNNING, PART_PAUSED);

	if (st == PART_OK)
		sched_kick_partition(p);
	return st;
}

enum part_status partition_resume(struct partition *p)
{
	enum part_status st = change_state(p, PART_PAUSED, PART_RUNNING);

	if (st == PART_OK)
		sched_kick_partition(p);
	return st;
}

void partition_crash(struct partition *p, struct vp *vp, const char *why)
{
	struct vcpu_state s;
	bool destroy;

	spin_lock(&p->lock);
	if (p->state == PART_CRASHED) {
		spin_unlock(&p->lock);
		return;
	}
	p->state = PART_CRASHED;
	destroy = p->on_crash == PART_END_DESTROY && !p->dying;
	if (destroy)		/* with the state, so nobody sees it ended but not dying */
		mark_dying_locked(p);
	spin_unlock(&p->lock);
	platform_debug_flush(p);	/* its last, unfinished words come before the report */
	vcpu_ops->get_state(&vp->vcpu, &s);
	log_err("part %u '%s': crashed on vCPU %u: %s", p->id, p->name, vp->vcpu.index, why);
	log_err("  rip=%016lx rsp=%016lx rflags=%016lx cr0=%lx cr3=%lx cr4=%lx efer=%lx",
		s.rip, s.gpr[GPR_RSP], s.rflags, s.cr0, s.cr3, s.cr4, s.efer);
	log_err("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx",
		s.gpr[GPR_RAX], s.gpr[GPR_RBX], s.gpr[GPR_RCX], s.gpr[GPR_RDX]);
	log_err("  rsi=%016lx rdi=%016lx rbp=%016lx cs=%04x ss=%04x",
		s.gpr[GPR_RSI], s.gpr[GPR_RDI], s.gpr[GPR_RBP], s.cs.sel, s.ss.sel);
	if (destroy)
		destroy_started(p, true);
	else
		sched_kick_partition(p);
}

/* Host address for [gpa, gpa+len) if it lies inside one chunk. */
static uint8_t *chunk_ptr(struct partition *p, uint64_t gpa, size_t len)
{
	for (unsigned i = 0; i < p->nchunks; i++) {
		const struct mem_chunk *c = &p->chunks[i];
		uint64_t size = c->pages * PAGE_SIZE;

		if (gpa >= c->gpa && gpa - c->gpa < size && len <= size - (gpa - c->gpa))
			return (uint8_t *)phys_to_virt(c->hpa) + (gpa - c->gpa);
	}
	return NULL;
}

static bool copy_in(struct partition *p, uint64_t gpa, const void *src, size_t len)
{
	while (len) {
		size_t n = (size_t)MIN((uint64_t)len, MIB(2) - (gpa % MIB(2)));
		uint8_t *dst = chunk_ptr(p, gpa, n);

		if (!dst)
			return false;
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

bool partition_write(struct partition *p, uint64_t gpa, const void *src, size_t len)
{
	return src && copy_in(p, gpa, src, len);
}

bool partition_zero(struct partition *p, uint64_t gpa, size_t len)
{
	return copy_in(p, gpa, NULL, len);
}


/* Swap the table entry for p with `to`; returns the slot index. */
static int replace_slot(struct partition *p, struct partition *to)
{
	int slot = -1;

	spin_lock(&table_lock);
	for (int i = 0; i < PART_MAX; i++) {
		if (partitions[i] == p) {
			partitions[i] = to;
			slot = i;
		}
	}
	spin_unlock(&table_lock);
	return slot;
}

/* One line of statistics, summed over the vCPUs: exits by reason, time in guest and hypervisor. */
static void log_stats(const struct partition *p)
{
	static const char *const names[] = {
#define EXIT_STAT_NAME(name, handler, stat)	[EXIT_##name] = stat,
		EXIT_REASONS(EXIT_STAT_NAME)
#undef EXIT_STAT_NAME
	};
	struct part_stats sum = { 0 };
	char line[320];
	int n;

	for (unsigned i = 0; i < p->nvps; i++) {
		for (unsigned r = 0; r < EXIT_REASON_COUNT; r++)
			sum.exits[r] += p->vps[i].stats.exits[r];
		sum.guest_ticks += p->vps[i].stats.guest_ticks;
		sum.hv_ticks += p->vps[i].stats.hv_ticks;
		sum.io_denied += p->vps[i].stats.io_denied;
		sum.msr_denied += p->vps[i].stats.msr_denied;
	}
	n = fmt_snprintf(line, sizeof(line), "part %u '%s': guest %lu us, hypervisor %lu us, exits",
			 p->id, p->name, tsc_ticks_to_us(sum.guest_ticks),
			 tsc_ticks_to_us(sum.hv_ticks));
	for (unsigned r = 0; r < EXIT_REASON_COUNT && n < (int)sizeof(line); r++)
		if (sum.exits[r])
			n += fmt_snprintf(line + n, sizeof(line) - (size_t)n, " %s=%lu",
					  names[r], sum.exits[r]);
	if (sum.io_denied || sum.msr_denied)
		fmt_snprintf(line + n, sizeof(line) - (size_t)MIN(n, (int)sizeof(line)),
			     ", denied io=%lu msr=%lu", sum.io_denied, sum.msr_denied);
	log_info("%s", line);
	if (p->dbg_dropped)
		log_warn("[%s] %u more debug lines were dropped", p->name, p->dbg_dropped);
}

static void finish_destroy(struct partition *p)
{
	uint32_t id = p->id;
	char name[PART_NAME_MAX];
	int slot;

	memcpy(name, p->name, sizeof(name));
	log_stats(p);
	/* the slot stays taken until the memory is back, so "nothing left" means it */
	slot = replace_slot(p, SLOT_RESERVED);
	free_memory(p);
	if (slot >= 0) {
		spin_lock(&table_lock);
		partitions[slot] = NULL;
		spin_unlock(&table_lock);
	}
	log_info("part %u '%s': destroyed, memory scrubbed and returned (%lu MiB free)",
		 id, name, mm_free_pages() >> (20 - PAGE_SHIFT));
}

/*
 * Start destroying (under p->lock). The home CPUs may release the vCPUs
 * as soon as they see `dying`, so the destroyer holds one extra count on
 * live_vps until it no longer touches p; whoever drops the last count
 * frees the partition.
 */
static void mark_dying_locked(struct partition *p)
{
	p->dying = true;
	__atomic_add_fetch(&p->live_vps, 1, __ATOMIC_ACQ_REL);
}

static void drop_count(struct partition *p)
{
	if (__atomic_sub_fetch(&p->live_vps, 1, __ATOMIC_ACQ_REL) == 0)
		finish_destroy(p);
}

/* The rest of a destroy, once mark_dying_locked() has run. */
static void destroy_started(struct partition *p, bool started)
{
	if (!started)			/* never scheduled: nothing runs it anywhere */
		for (unsigned i = 0; i < p->nvps; i++)
			partition_release_vp(&p->vps[i]);
	else
		sched_kick_partition(p);	/* home CPUs release the vCPUs */
	drop_count(p);			/* the destroyer's own count */
}

void partition_stopped(struct partition *p, uint64_t code)
{
	bool destroy;

	spin_lock(&p->lock);
	if (p->state != PART_RUNNING && p->state != PART_PAUSED) {
		spin_unlock(&p->lock);	/* crashed or ended already: that outcome stands */
		return;
	}
	p->state = PART_STOPPED;
	destroy = p->on_stop == PART_END_DESTROY && !p->dying;
	if (destroy)
		mark_dying_locked(p);
	spin_unlock(&p->lock);
	platform_debug_flush(p);
	log_info("part %u '%s': stopped itself, exit code %lu", p->id, p->name, code);
	if (destroy)
		destroy_started(p, true);
	else
		sched_kick_partition(p);
}

enum part_status partition_destroy(struct partition *p)
{
	bool started;

	spin_lock(&p->lock);
	if (p->dying) {
		spin_unlock(&p->lock);
		return PART_ESTATE;
	}
	mark_dying_locked(p);
	started = p->state != PART_CREATED;
	if (p->state != PART_CRASHED)
		p->state = PART_STOPPED;
	spin_unlock(&p->lock);
	destroy_started(p, started);
	return PART_OK;
}

void partition_release_vp(struct vp *vp)
{
	struct partition *p = vp->vcpu.part;

	free_vp(vp);
	drop_count(p);
}
