/* Physical memory set-up and the locked page allocator (see mm.h). */
#include "core/mm.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/memmap.h"
#include "core/palloc.h"
#include "core/panic.h"
#include "core/spinlock.h"

extern char __image_start[], __image_end[];

static struct palloc allocator;
static spinlock_t mm_lock = SPINLOCK_INIT;
static paddr_t phys_end;

static void exclude(struct mem_range *r, unsigned *n, uint64_t base, uint64_t len,
		    const char *what)
{
	if (!memmap_exclude(r, n, BOOT_MMAP_MAX, base, len))
		panic("mm: memory map too fragmented to exclude %s", what);
}

/* Carve the allocator's bitmap out of the first usable range above 1 MiB that holds it. */
static uint64_t *place_bitmap(struct mem_range *r, unsigned *n, uint64_t bytes)
{
	uint64_t need = ALIGN_UP(bytes, PAGE_SIZE);

	for (unsigned i = 0; i < *n; i++) {
		if (r[i].base < MIB(1) || r[i].len < need)
			continue;
		paddr_t at = r[i].base;

		exclude(r, n, at, need, "the page bitmap");
		return phys_to_virt(at);
	}
	panic("mm: no room for a %lu-byte page bitmap", bytes);
}

/* End of the highest RAM or ACPI range; reserved holes above it are not ours to map. */
static paddr_t firmware_end(const struct boot_info *bi)
{
	paddr_t end = 0;

	for (unsigned i = 0; i < bi->mmap_count; i++)
		if (bi->mmap[i].type != MEM_RESERVED && bi->mmap[i].type != MEM_BAD)
			end = MAX(end, bi->mmap[i].base + bi->mmap[i].len);
	return end;
}

void mm_init(const struct boot_info *bi)
{
	static struct mem_range usable[BOOT_MMAP_MAX];
	unsigned n, dropped;
	uint64_t *bitmap;
	paddr_t end;

	n = memmap_usable(bi->mmap, bi->mmap_count, usable, BOOT_MMAP_MAX, &dropped);
	if (dropped)
		log_warn("mm: %u usable ranges beyond %u ignored", dropped, BOOT_MMAP_MAX);
	phys_end = firmware_end(bi);
	exclude(usable, &n, 0, PAGE_SIZE, "page 0");
	exclude(usable, &n, virt_to_phys(__image_start),
		(uint64_t)(__image_end - __image_start), "the hypervisor image");
	exclude(usable, &n, bi->mbi_start, bi->mbi_end - bi->mbi_start, "the boot information");
	for (unsigned i = 0; i < bi->module_count; i++)
		exclude(usable, &n, bi->modules[i].start,
			bi->modules[i].end - bi->modules[i].start, "a boot module");
	if (!n)
		panic("mm: no usable memory in the boot memory map");
	end = memmap_end(usable, n);
	bitmap = place_bitmap(usable, &n, palloc_bitmap_bytes(end));
	palloc_init(&allocator, bitmap, end >> PAGE_SHIFT);
	for (unsigned i = 0; i < n; i++) {
		log_debug("mm: usable %016lx-%016lx", usable[i].base,
			  usable[i].base + usable[i].len - 1);
		palloc_add(&allocator, usable[i].base, usable[i].len);
	}
	log_info("mm: %u usable ranges, %lu MiB free, highest address %016lx",
		 n, palloc_free_pages(&allocator) >> (20 - PAGE_SHIFT), phys_end);
}

paddr_t mm_alloc(uint64_t npages, uint64_t align, paddr_t limit)
{
	paddr_t pa;

	spin_lock(&mm_lock);
	pa = palloc_alloc(&allocator, npages, align, limit);
	spin_unlock(&mm_lock);
	return pa;
}

paddr_t mm_alloc_zeroed_page(void)
{
	paddr_t pa = mm_alloc(1, PAGE_SIZE, 0);

	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

void mm_free(paddr_t pa, uint64_t npages)
{
	bool ok;

	spin_lock(&mm_lock);
	ok = palloc_free(&allocator, pa, npages);
	spin_unlock(&mm_lock);
	if (!ok)
		panic("mm: bad free of %lu pages at %016lx", npages, pa);
}

uint64_t mm_free_pages(void)
{
	return palloc_free_pages(&allocator);
}

paddr_t mm_phys_end(void)
{
	return phys_end;
}
