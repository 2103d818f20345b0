/*
 * The root's memory as the root hypercalls move it (docs/root.md,
 * "Frames"): the frame table; DepositMemory and WithdrawMemory (frames
 * into a pool and back, unmapped from the root meanwhile); MapGpaPages and
 * UnmapGpaPages (root frames into a hosted child's GPA space, still
 * mapped in the root).
 */
#include "partitions/hvroot.h"
#include "partitions/synic.h"
#include "partitions/frames.h"
#include "partitions/hosted.h"
#include "partitions/internal.h"
#include "arch/x86/cpu.h"
#include "core/abi/hvroot.h"
#include "core/hvroot_decode.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/sched.h"

/*
 * A child's GPA space is what four-level second-level tables translate:
 * 48 bits (EPT and NPT alike). A GFN beyond would wrap onto a low one.
 */
#define CHILD_GFN_LIMIT		(1ull << (48 - PAGE_SHIFT))

static bool gfns_fit(uint64_t base, uint64_t reps, uint64_t pages_per_rep)
{
	return base < CHILD_GFN_LIMIT && reps * pages_per_rep <= CHILD_GFN_LIMIT - base;
}

/* Table pages one 4 KiB mapping can need at the most: a third, second and first level. */
#define MAP_TABLES_MAX	3

struct pool hvroot_deposit_pool;
static struct frame_table frames;
static struct partition *root;

void hvroot_frames_init(struct partition *r, const struct mem_range *ram, unsigned n)
{
	uint64_t end = ram[n - 1].base + ram[n - 1].len;	/* sorted */
	uint64_t npfn = ALIGN_UP(end, MIB(2)) >> PAGE_SHIFT;
	uint64_t pages = ALIGN_UP(frames_bytes(npfn), PAGE_SIZE) >> PAGE_SHIFT;
	paddr_t pa = mm_alloc(pages, PAGE_SIZE, 0);

	if (!pa)
		panic("root: no room for its frame table (%lu pages, hv_mem=)", pages);
	frames_init(&frames, phys_to_virt(pa), npfn);
	for (unsigned i = 0; i < n; i++)
		frames_add_root(&frames, ram[i].base >> PAGE_SHIFT, ram[i].len >> PAGE_SHIFT);
	pool_init(&hvroot_deposit_pool, phys_to_virt, NULL);
	root = r;
	log_info("root: frame table of %lu frames (%lu KiB) at %016lx", npfn, pages * 4, pa);
}

struct partition *hvroot_child(struct partition *caller, uint64_t id)
{
	struct partition *p;

	if (id == HV_PARTITION_ID_SELF || id > UINT32_MAX)
		return NULL;
	p = partition_find_id(to_part_id((uint32_t)id));
	return p && p->hosted && p->parent == caller ? p : NULL;
}

/* The pool a deposit or withdrawal names: the root's own (SELF or its id), or a child's. */
static struct pool *target_pool(struct partition *caller, uint64_t id, struct partition **child)
{
	*child = NULL;
	if (id == HV_PARTITION_ID_SELF || id == part_id_val(caller->id))
		return &hvroot_deposit_pool;
	*child = hvroot_child(caller, id);
	return *child ? &(*child)->pool : NULL;
}

static void flush_root(void)
{
	for (unsigned i = 0; i < root->nvps; i++)
		vcpu_ops->flush_tlb(&root->vps[i].vcpu);
}

/*
 * Each VP drops its translations before its next entry, and one in guest
 * mode now is kicked out; then the call waits until every VP of the child
 * that was running has left guest mode (its slice ended: `running` false
 * or `slices` moved on), and until no home CPU is expiring a VP's timers
 * (`expiring`: a synthetic timer's message goes into its message page,
 * outside its slice), so that no VP and no hypervisor write on its behalf
 * can still reach, through a translation or a host address looked up
 * before, a frame or table page the call took away. Only
 * then are the unmapped frames the root's again (pending until here:
 * frames_release_pending), and the table pages a split or merge freed
 * into the child's pool may be withdrawn (the root's next call: it has
 * one VP, which is this caller). A VP on this CPU is not running (the
 * root is), and is not kicked: that would only end the root's own turn;
 * one elsewhere leaves at the kick's IPI: the wait is bounded by that,
 * and holds no lock. (Releasing the pending frames scans the frame table
 * only when there are some: a 16 MiB child's 65 MapGpaPages calls each
 * scanned it once, 30 million instructions, make bench.)
 */
void hvroot_flush_child(struct partition *p)
{
	uint64_t seen[PART_MAX_VPS];
	unsigned n = p->nvps;

	for (unsigned i = 0; i < n; i++)
		if (p->vps[i].vcpu.arch)
			vcpu_ops->flush_tlb(&p->vps[i].vcpu);
	/* the drops before the loads: run_vp's store of `running` pairs with it (store, load) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < n; i++) {
		seen[i] = __atomic_load_n(&p->vps[i].slices, __ATOMIC_SEQ_CST);
		sched_kick_vp_elsewhere(&p->vps[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		struct vp *vp = &p->vps[i];

		while ((__atomic_load_n(&vp->running, __ATOMIC_SEQ_CST) &&
			__atomic_load_n(&vp->slices, __ATOMIC_SEQ_CST) == seen[i]) ||
		       __atomic_load_n(&vp->expiring, __ATOMIC_SEQ_CST))	/* a timer's message */
			cpu_relax();
	}
	frames_release_pending(&frames);
}

/*
 * A frame back in the root's tables. Where its whole 2 MiB block is
 * mapped in the root again, the block goes back to one large leaf and
 * the table its split took is freed, so a deposit and its withdrawal
 * leave the hypervisor's free memory as it was.
 */
static void map_in_root(uint64_t pfn)
{
	paddr_t pa = pfn << PAGE_SHIFT;
	paddr_t block = pa & ~(MIB(2) - 1);
	bool ok;

	if (frames_block_in_root(&frames, pfn))
		ok = slpt_map(&root->slpt, to_gpa(block), block, MIB(2), SLP_RWX, MEMTYPE_WB, true);
	else
		ok = slpt_map(&root->slpt, to_gpa(pa), pa, PAGE_SIZE, SLP_RWX, MEMTYPE_WB, false);
	/*
	 * Invariant: nothing to allocate. The page's table exists (its deposit
	 * split the block, or was refused: hvroot_deposit_memory), and a merge
	 * only frees one; so a withdrawal cannot fail.
	 */
	ASSERT(ok);
}

/*
 * One of the root's SynIC pages: the hypervisor writes them from any CPU
 * (a child's intercept note, an event flag), having checked the frame is
 * the root's at its lookup; deposited, the page could be a child's table
 * page by the time of the write. Refused (INVALID_PARAMETER, our choice:
 * on Hyper-V these pages are overlays, not RAM the root could deposit).
 * The SynIC's lock orders this against a delivery in flight and against
 * the root moving the page; the root has one VP, which is this caller,
 * so no other VP of its can move one meanwhile.
 */
static bool root_synic_page(struct partition *r, paddr_t pa)
{
	for (unsigned i = 0; i < r->nvps; i++)
		if (synic_uses_page(&r->vps[i], pa))
			return true;
	return false;
}

/* TLFS HvCallDepositMemory: root frames into a pool, out of the root's reach. */
uint16_t hvroot_deposit_memory(struct hc_call *c)
{
	struct partition *caller = c->vp->vcpu.part, *child;
	struct hvroot_deposit_memory in;
	uint16_t st = hvroot_decode_deposit_memory(c->in, c->d.in_len, c->d.rep_count,
						   c->d.rep_start, &in);
	uint16_t end = MIN(in.reps.end, c->rep_end);
	struct pool *pool;

	if (in.reps.end == c->rep_done)
		return st;
	pool = target_pool(caller, in.partition_id, &child);
	if (!pool)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (child && !hosted_may(child->hosted_state, HOSTED_OP_DEPOSIT))
		return HV_STATUS_INVALID_PARTITION_STATE;
	for (; c->rep_done < end; c->rep_done++) {
		uint64_t pfn = hvroot_list_u64(in.pfns, c->rep_done);
		paddr_t pa = pfn << PAGE_SHIFT;
		uint64_t accepted;
		enum pool_status ps;

		if (frames_get(&frames, pfn) == FRAME_NOT_ROOT)
			return HV_STATUS_ACCESS_DENIED;		/* not the root's RAM */
		if (frames_get(&frames, pfn) != FRAME_ROOT)
			return HV_STATUS_INVALID_PARAMETER;	/* deposited or mapped into a child */
		if (root_synic_page(caller, pa))
			return HV_STATUS_INVALID_PARAMETER;
		/*
		 * Out of the root's tables first: a page inside one of its 2 MiB
		 * leaves splits the leaf, with a table page from the hypervisor's
		 * pool. Where that pool has none, the deposit is refused and the
		 * page stays the root's, mapped (a guest never makes the
		 * hypervisor run short of a page it needs later: the withdrawal
		 * maps the page back into this very table, and cannot fail).
		 */
		if (!slpt_unmap_or_keep(&root->slpt, to_gpa(pa), PAGE_SIZE))
			return HV_STATUS_INSUFFICIENT_MEMORY;
		ps = pool_deposit(pool, &pa, 1, &accepted);
		if (ps != POOL_OK) {
			map_in_root(pfn);	/* the split's table is there: allocates nothing */
			flush_root();
			/* EFULL: the pool's bookkeeping is full; else page 0, which no pool takes */
			return ps == POOL_EFULL ? HV_STATUS_INSUFFICIENT_BUFFERS
						: HV_STATUS_INVALID_PARAMETER;
		}
		frames_move(&frames, pfn, 1, FRAME_ROOT, FRAME_DEPOSITED, 0);
		flush_root();
	}
	return end == in.reps.end ? st : HV_STATUS_SUCCESS;
}

/* TLFS HvCallWithdrawMemory: free pool pages back to the root, scrubbed (pool_withdraw zeroes). */
uint16_t hvroot_withdraw_memory(struct hc_call *c)
{
	struct partition *caller = c->vp->vcpu.part, *child;
	struct hvroot_withdraw_memory in;
	uint16_t st = hvroot_decode_withdraw_memory(c->in, c->d.in_len, c->d.rep_count,
						    c->d.rep_start, &in);
	struct pool *pool;

	if (st != HV_STATUS_SUCCESS)
		return st;
	pool = target_pool(caller, in.partition_id, &child);
	if (!pool)
		return HV_STATUS_INVALID_PARTITION_ID;
	for (; c->rep_done < c->rep_end; c->rep_done++) {
		paddr_t pa;
		uint64_t pfn;

		if (!pool_withdraw(pool, &pa, 1))
			return HV_STATUS_NO_RESOURCES;
		pfn = pa >> PAGE_SHIFT;
		/* Invariant: only the root's frames are deposited by hypercall. */
		if (!frames_move(&frames, pfn, 1, FRAME_DEPOSITED, FRAME_ROOT, 0))
			panic("root: withdrew frame %lx, which was not deposited", pfn);
		map_in_root(pfn);
		memcpy(c->out + (size_t)c->rep_done * 8, &pfn, 8);
	}
	flush_root();
	return HV_STATUS_SUCCESS;
}

static unsigned slp_perms(uint32_t flags)
{
	return (flags & HV_MAP_GPA_READABLE ? SLP_R : 0) | (flags & HV_MAP_GPA_WRITABLE ? SLP_W : 0) |
	       (flags & HV_MAP_GPA_EXECUTABLE ? SLP_X : 0);
}

/*
 * Unmap [gfn, gfn + n) of child p: each frame mapped there goes back to
 * the root's, then the range goes from the tables at once (a 2 MiB leaf
 * wholly inside it is cleared without a split).
 */
/* The 2 MiB leaf that maps gfn, if one does and [gfn, gfn + n) covers only part of it. */
static bool cuts_large_leaf(const struct partition *p, uint64_t gfn, uint64_t n, uint64_t at)
{
	uint64_t block = ALIGN_DOWN(at, FRAME_BLOCK_PAGES), pte;
	paddr_t hpa;

	if (!slpt_lookup(&p->slpt, to_gpa(at << PAGE_SHIFT), &hpa, &pte) ||
	    !p->slpt.fmt->is_leaf(pte, 2))
		return false;
	return block < gfn || block + FRAME_BLOCK_PAGES > gfn + n;
}

/*
 * Pages an unmap of [gfn, gfn + n) needs from the child's pool: a table
 * for each 2 MiB leaf it cuts (at most one at each end). Without them
 * slpt_unmap would drop the whole 2 MiB while the frame table still
 * counts 511 of its frames as the child's.
 */
static uint64_t unmap_pages_needed(const struct partition *p, uint64_t gfn, uint64_t n)
{
	uint64_t last = gfn + n - 1;
	uint64_t need = cuts_large_leaf(p, gfn, n, gfn);

	if (ALIGN_DOWN(last, FRAME_BLOCK_PAGES) != ALIGN_DOWN(gfn, FRAME_BLOCK_PAGES))
		need += cuts_large_leaf(p, gfn, n, last);
	return need;
}

static void unmap_range(struct partition *p, uint64_t gfn, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		paddr_t hpa;

		/* the root's again once the child's VPs have let go (hvroot_flush_child) */
		if (slpt_lookup(&p->slpt, to_gpa((gfn + i) << PAGE_SHIFT), &hpa, NULL) &&
		    frames_owner(&frames, hpa >> PAGE_SHIFT) == p->slot &&
		    frames_make_pending(&frames, hpa >> PAGE_SHIFT))
			p->mapped_pages--;
	}
	slpt_unmap(&p->slpt, to_gpa(gfn << PAGE_SHIFT), n << PAGE_SHIFT);
}

/* One rep of MapGpaPages (below); a status other than SUCCESS stops the call there. */
static uint16_t map_one_rep(struct hc_call *c, const struct hvroot_map_gpa_pages *in,
			    struct partition *p, unsigned perms, enum mem_cache type)
{
	uint64_t gfn = in->gfn_base + (uint64_t)c->rep_done * in->pages_per_rep;
	uint64_t pfn = hvroot_list_u64(in->pfns, c->rep_done), n = in->pages_per_rep;
	gpa_t gpa = to_gpa(gfn << PAGE_SHIFT);

	if (in->flags & HV_MAP_GPA_NO_ACCESS) {
		if (pool_free(&p->pool) < unmap_pages_needed(p, gfn, n))
			return HV_STATUS_INSUFFICIENT_MEMORY;
		unmap_range(p, gfn, n);
		return HV_STATUS_SUCCESS;
	}
	for (uint64_t i = 0; i < n; i++)
		if (frames_get(&frames, pfn + i) == FRAME_NOT_ROOT)
			return HV_STATUS_ACCESS_DENIED;
	for (uint64_t i = 0; i < n; i++)
		if (frames_get(&frames, pfn + i) != FRAME_ROOT)
			return HV_STATUS_INVALID_PARAMETER;
	if (pool_free(&p->pool) < MAP_TABLES_MAX)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	unmap_range(p, gfn, n);	/* a remap: the old frames the root's once the VPs let go */
	if (!slpt_map(&p->slpt, gpa, pfn << PAGE_SHIFT, n * PAGE_SIZE, perms, type, n > 1))
		panic("part %u: its pool had room for the tables", part_id_val(p->id));
	frames_move(&frames, pfn, n, FRAME_ROOT, FRAME_CHILD, (unsigned)p->slot);
	p->mapped_pages += n;
	return HV_STATUS_SUCCESS;
}

/*
 * TLFS HvCallMapGpaPages. Each source frame must be the root's and free
 * (not deposited, not mapped into a child): ACCESS_DENIED for a frame that
 * is not the root's RAM, INVALID_PARAMETER for one that is busy. A target
 * GFN that is mapped already is remapped (TLFS: the new mapping replaces
 * it; the old frame is the root's again when the call returns). NO_ACCESS
 * unmaps the range. Each rep needs up to MAP_TABLES_MAX free pages in the
 * child's pool for its tables: INSUFFICIENT_MEMORY at the rep that finds
 * fewer.
 */
uint16_t hvroot_map_gpa_pages(struct hc_call *c)
{
	struct hvroot_map_gpa_pages in;
	uint16_t st = hvroot_decode_map_gpa_pages(c->in, c->d.in_len, c->d.rep_count,
						  c->d.rep_start, &in);
	uint16_t end = MIN(in.reps.end, c->rep_end);
	struct partition *p;
	unsigned perms = slp_perms(in.flags);
	enum mem_cache type = in.flags & HV_MAP_GPA_NOT_CACHED ? MEMTYPE_UC : MEMTYPE_WB;
	uint16_t st2;

	if (in.reps.end == c->rep_done)
		return st;
	st2 = hvroot_decoded_child(c, HV_STATUS_SUCCESS, in.partition_id, HOSTED_OP_MAP, &p);
	if (st2 != HV_STATUS_SUCCESS)
		return st2;
	if (!gfns_fit(in.gfn_base, c->d.rep_count, in.pages_per_rep))
		return HV_STATUS_INVALID_PARAMETER;
	if (end != in.reps.end)
		st = HV_STATUS_SUCCESS;		/* more reps in the next entry */
	/* every way out after a rep ran flushes: an earlier rep may have unmapped or remapped */
	for (; c->rep_done < end; c->rep_done++) {
		st2 = map_one_rep(c, &in, p, perms, type);
		if (st2 != HV_STATUS_SUCCESS) {
			st = st2;
			break;
		}
	}
	hvroot_flush_child(p);
	return st;
}

/* TLFS HvCallUnmapGpaPages: a GFN not mapped is skipped (nothing to undo). */
uint16_t hvroot_unmap_gpa_pages(struct hc_call *c)
{
	struct hvroot_unmap_gpa_pages in;
	uint16_t st = hvroot_decode_unmap_gpa_pages(c->in, c->d.in_len, c->d.rep_count,
						    c->d.rep_start, &in);
	struct partition *p;

	st = hvroot_decoded_child(c, st, in.partition_id, HOSTED_OP_MAP, &p);
	if (st != HV_STATUS_SUCCESS)
		return st;
	if (!gfns_fit(in.gfn_base, c->d.rep_count, in.pages_per_rep))
		return HV_STATUS_INVALID_PARAMETER;
	for (; c->rep_done < c->rep_end; c->rep_done++) {
		uint64_t gfn = in.gfn_base + (uint64_t)c->rep_done * in.pages_per_rep;

		if (pool_free(&p->pool) < unmap_pages_needed(p, gfn, in.pages_per_rep)) {
			st = HV_STATUS_INSUFFICIENT_MEMORY;	/* the root deposits and goes on */
			break;
		}
		unmap_range(p, gfn, in.pages_per_rep);
	}
	hvroot_flush_child(p);
	return st;
}

void hvroot_unmap_all(struct partition *p)
{
	frames_release_owner(&frames, (unsigned)p->slot);
	p->mapped_pages = 0;
	slpt_destroy(&p->slpt);		/* its tables back into its pool */
}

bool hvroot_root_may_touch(uint64_t gpa, uint64_t len)
{
	uint64_t first = gpa >> PAGE_SHIFT, last;

	if (!len)
		return true;
	if (gpa + len - 1 < gpa)
		return false;
	last = (gpa + len - 1) >> PAGE_SHIFT;
	for (uint64_t pfn = first; pfn <= last; pfn++) {
		enum frame_state st = frames_get(&frames, pfn);

		if (st != FRAME_ROOT && st != FRAME_CHILD)
			return false;
	}
	return true;
}

uint64_t hvroot_frames_mapped(void)
{
	return frames_count(&frames, FRAME_CHILD);
}
