/*
 * A partition's memory: the object and its pool; its guest-physical
 * memory (the root's RAM as chunks, GPA = HPA; a child's, the root's
 * frames that MapGpaPages mapped); and copying into and out of guest
 * memory (hypercall parameter blocks, intercept messages).
 */
#include "partitions/internal.h"
#include "partitions/hvroot.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/pool_mm.h"
#include "core/slpt_hv.h"

uint64_t part_vcpu_pages;

/* What one vCPU takes from its partition's pool, through a pool of the hypervisor's pages. */
void partition_measure_vcpu_cost(void)
{
	static struct pool pool;
	struct vcpu v = { .last_cpu = -1 };
	paddr_t root = mm_alloc_zeroed_page();

	if (!vcpu_ops || !root)
		return;
	pool_init_mm(&pool);
	if (!vcpu_ops->vcpu_init(&v, root, &pool)) {
		part_vcpu_pages = pool_used(&pool);
		vcpu_ops->vcpu_free(&v, &pool);
	}
	ASSERT(pool_held(&pool) == 0);
	mm_free(root, 1);
}

/* Its own pool: the root deposits a child's; the root's takes the hypervisor's pages on demand. */
static void pool_setup(struct partition *p, const struct part_config *c)
{
	if (c->hosted)
		pool_init(&p->pool, phys_to_virt, NULL);
	else
		pool_init_mm(&p->pool);
	slpt_pool_alloc(&p->slpt_pages, &p->pool);
}

struct partition *part_object_alloc(const struct part_config *c, struct pool *parent)
{
	struct pool *from = parent ? parent : &mm_pool;
	paddr_t pa = pool_take(from, PART_PAGES, PAGE_SIZE, 0);	/* zeroed */
	struct partition *p;

	if (!pa)
		return NULL;
	p = phys_to_virt(pa);
	p->parent_pool = from;
	pool_setup(p, c);
	return p;
}

/*
 * A hosted child's memory is the root's frames its tables map: one page
 * at a time, each translated (two GPA pages need not be adjacent frames).
 */
static uint8_t *hosted_ptr(struct partition *p, gpa_t gpa, size_t len)
{
	uint64_t off = gpa_val(gpa) & (PAGE_SIZE - 1);
	paddr_t hpa;

	if (!p->slpt.root || len > PAGE_SIZE - off ||
	    !slpt_lookup(&p->slpt, to_gpa(gpa_val(gpa) - off), &hpa, NULL))
		return NULL;
	return (uint8_t *)phys_to_virt(hpa) + off;
}

/* The bytes from gpa a step of copy_in and friends may take: to the chunk's or page's end. */
static uint64_t step(const struct partition *p, gpa_t gpa)
{
	uint64_t unit = p->hosted ? PAGE_SIZE : MIB(2);

	return unit - (gpa_val(gpa) % unit);
}

/* Host address for [gpa, gpa+len) if it lies inside one chunk (hosted: one page). */
static uint8_t *chunk_ptr(struct partition *p, gpa_t gpa, size_t len)
{
	if (p->hosted)
		return hosted_ptr(p, gpa, len);
	if (partition_is_root(p) && !hvroot_root_may_touch(gpa_val(gpa), len))
		return NULL;	/* a deposited frame is the hypervisor's now */
	for (unsigned i = 0; i < p->nchunks; i++) {
		const struct mem_chunk *c = &p->chunks[i];
		uint64_t size = c->pages * PAGE_SIZE, off = gpa_val(gpa) - gpa_val(c->gpa);

		if (gpa_val(gpa) >= gpa_val(c->gpa) && off < size && len <= size - off)
			return (uint8_t *)phys_to_virt(c->hpa) + off;
	}
	return NULL;
}

void *partition_ram_ptr(struct partition *p, gpa_t gpa, uint64_t len)
{
	return len <= SIZE_MAX ? chunk_ptr(p, gpa, (size_t)len) : NULL;
}

static bool copy_in(struct partition *p, gpa_t gpa, const void *src, size_t len)
{
	while (len) {
		size_t n = (size_t)MIN((uint64_t)len, step(p, gpa));
		uint8_t *dst = chunk_ptr(p, gpa, n);

		if (!dst)
			return false;
		if (src) {
			memcpy(dst, src, n);
			src = (const uint8_t *)src + n;
		} else {
			memset(dst, 0, n);
		}
		gpa = gpa_add(gpa, n);
		len -= n;
	}
	return true;
}

bool partition_owns_page(const struct partition *p, gpa_t gpa)
{
	paddr_t hpa;

	if (p->hosted)
		return !(gpa_val(gpa) & (PAGE_SIZE - 1)) && p->slpt.root &&
		       slpt_lookup(&p->slpt, gpa, &hpa, NULL);
	for (unsigned i = 0; i < p->nchunks; i++) {
		const struct mem_chunk *c = &p->chunks[i];
		uint64_t off = gpa_val(gpa) - gpa_val(c->gpa);

		if (gpa_val(gpa) >= gpa_val(c->gpa) && off < c->pages * PAGE_SIZE)
			return !(gpa_val(gpa) & (PAGE_SIZE - 1));
	}
	return false;
}

bool partition_write(struct partition *p, gpa_t gpa, const void *src, size_t len)
{
	return src && copy_in(p, gpa, src, len);
}

bool partition_zero(struct partition *p, gpa_t gpa, size_t len)
{
	return copy_in(p, gpa, NULL, len);
}

bool partition_contains(struct partition *p, gpa_t gpa, size_t len)
{
	while (len) {
		size_t n = (size_t)MIN((uint64_t)len, step(p, gpa));

		if (!chunk_ptr(p, gpa, n))
			return false;
		gpa = gpa_add(gpa, n);
		len -= n;
	}
	return true;
}

bool partition_read(struct partition *p, gpa_t gpa, void *dst, size_t len)
{
	if (!partition_contains(p, gpa, len))
		return false;	/* nothing copied */
	while (len) {
		size_t n = (size_t)MIN((uint64_t)len, step(p, gpa));
		const uint8_t *src = chunk_ptr(p, gpa, n);

		if (!src)	/* unmapped since partition_contains: a root's call raced */
			return false;
		memcpy(dst, src, n);
		dst = (uint8_t *)dst + n;
		gpa = gpa_add(gpa, n);
		len -= n;
	}
	return true;
}

void *partition_gpa_ptr(struct partition *p, gpa_t gpa, size_t len)
{
	return chunk_ptr(p, gpa, len);
}
