/*
 * The root's free pages: the shared page allocator (core/palloc.c, the
 * hypervisor's own) over the root's RAM ranges from the boot information,
 * minus the boot modules (kept, to be read) and its own bitmap. Children's
 * RAM and the pages the root deposits with the hypervisor come from here.
 */
#include "partitions/root/root.h"
#include "core/palloc.h"

static struct palloc pages;

static uint64_t ranges_end(const struct rootboot_info *bi)
{
	const struct rootboot_range *last = &bi->ranges[bi->range_count - 1];

	return last->gpa + last->size;		/* ranges are sorted */
}

/* The bitmap goes at the start of the first range that holds it. */
static uint64_t *place_bitmap(const struct rootboot_info *bi, uint64_t bytes, uint64_t *at)
{
	for (uint32_t i = 0; i < bi->range_count; i++)
		if (bi->ranges[i].size >= bytes && bi->ranges[i].gpa) {
			*at = bi->ranges[i].gpa;
			return (uint64_t *)bi->ranges[i].gpa;	/* identity-mapped */
		}
	return NULL;
}

void pmem_init(const struct rootboot_info *bi)
{
	uint64_t end = ranges_end(bi), bytes = palloc_bitmap_bytes(end), at = 0;
	uint64_t *bitmap = place_bitmap(bi, bytes, &at);

	ASSERT(bitmap);
	palloc_init(&pages, bitmap, end >> 12);
	for (uint32_t i = 0; i < bi->range_count; i++)
		palloc_add(&pages, bi->ranges[i].gpa, bi->ranges[i].size);
	palloc_reserve(&pages, at, bytes);
	for (uint32_t i = 0; i < bi->module_count; i++)
		palloc_reserve(&pages, bi->modules[i].gpa, bi->modules[i].size);
}

uint64_t pmem_alloc(uint64_t n, uint64_t align)
{
	uint64_t pa = palloc_alloc(&pages, n, align, 0);

	if (pa)
		memset((void *)pa, 0, n << 12);
	return pa;
}

bool pmem_free(uint64_t pa, uint64_t n)
{
	return palloc_free(&pages, pa, n);
}

uint64_t pmem_free_pages(void)
{
	return palloc_free_pages(&pages);
}
