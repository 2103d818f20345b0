/* Physical memory set-up and the locked page allocator (see mm.h). */
#include "core/mm.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/memmap.h"
#include "core/palloc.h"
#include "core/panic.h"
#include "core/rootmem.h"
#include "core/spinlock.h"

extern char __image_start[], __image_end[];

static struct palloc allocator;
static spinlock_t mm_lock = SPINLOCK_INIT;
static paddr_t phys_end;
static struct rootmem_split split;	/* root=on: the pool and the root's RAM */
static bool split_done;
static uint64_t usable_pages;		/* the memory map's usable RAM, before anything is kept */
/*
 * root=on: the pool's page below 1 MiB (split.pool[0]), kept out of the
 * allocator, which hands out the lowest pages first: only a request that
 * must lie below 1 MiB (the APs' start-up trampoline) gets it.
 */
static paddr_t low_page;
static bool low_page_taken;

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

/* root=off: every usable byte but page 0, the image, the boot information and the modules. */
static unsigned all_but_boot(const struct boot_info *bi, struct mem_range *usable, unsigned n)
{
	exclude(usable, &n, 0, PAGE_SIZE, "page 0");
	exclude(usable, &n, virt_to_phys(__image_start),
		(uint64_t)(__image_end - __image_start), "the hypervisor image");
	exclude(usable, &n, bi->mbi_start, bi->mbi_end - bi->mbi_start, "the boot information");
	for (unsigned i = 0; i < bi->module_count; i++)
		exclude(usable, &n, bi->modules[i].start,
			bi->modules[i].end - bi->modules[i].start, "a boot module");
	return n;
}

/*
 * root=on: the pool only; the rest of RAM is the root partition's
 * (core/rootmem.h). The hypervisor's ranges are logged, so that tests can
 * check the root's from the other side.
 */
static unsigned pool_only(const struct boot_info *bi, struct mem_range *usable, unsigned n,
			  uint64_t pool_bytes)
{
	struct mem_range kept, mods[BOOT_MODULES_MAX];
	const char *why;

	/*
	 * The image only: the boot information was copied into *bi before
	 * this (mb2_parse) and is not read again, and GRUB may put it in the
	 * page where the last module ends, which the root must have whole.
	 */
	kept = (struct mem_range){ virt_to_phys(__image_start),
				   (uint64_t)(__image_end - __image_start), MEM_USABLE };
	for (unsigned i = 0; i < bi->module_count; i++)
		mods[i] = (struct mem_range){ bi->modules[i].start,
					      bi->modules[i].end - bi->modules[i].start, MEM_USABLE };
	why = rootmem_split(usable, n, &kept, 1, mods, bi->module_count, pool_bytes, &split);
	if (why)
		panic("mm: cannot keep %lu MiB for the hypervisor (hv_mem=): %s",
		      pool_bytes >> 20, why);
	split_done = true;
	log_info("mm: hypervisor's %016lx-%016lx (image)", ALIGN_DOWN(kept.base, PAGE_SIZE),
		 ALIGN_UP(kept.base + kept.len, PAGE_SIZE) - 1);
	for (unsigned i = 0; i < split.npool; i++)
		log_info("mm: hypervisor's %016lx-%016lx (pool)", split.pool[i].base,
			 split.pool[i].base + split.pool[i].len - 1);
	log_info("mm: the hypervisor keeps a pool of %lu KiB; the root gets %lu MiB "
		 "in %u ranges", memmap_total(split.pool, split.npool) >> 10,
		 memmap_total(split.root, split.nroot) >> 20, split.nroot);
	low_page = split.pool[0].base;		/* rootmem_split puts it first */
	memcpy(usable, split.pool + 1, (split.npool - 1) * sizeof(*usable));
	return split.npool - 1;
}

void mm_init(const struct boot_info *bi, uint64_t pool_bytes)
{
	static struct mem_range usable[BOOT_MMAP_MAX];
	unsigned n, dropped;
	uint64_t *bitmap;
	paddr_t end;

	n = memmap_usable(bi->mmap, bi->mmap_count, usable, BOOT_MMAP_MAX, &dropped);
	if (dropped)
		log_warn("mm: %u usable ranges beyond %u ignored", dropped, BOOT_MMAP_MAX);
	phys_end = firmware_end(bi);
	usable_pages = memmap_total(usable, n) >> PAGE_SHIFT;
	n = pool_bytes ? pool_only(bi, usable, n, pool_bytes) : all_but_boot(bi, usable, n);
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

const struct mem_range *mm_root_ram(unsigned *n)
{
	*n = split_done ? split.nroot : 0;
	return split_done ? split.root : NULL;
}

/* Under mm_lock: the kept low page, for a request that must lie below 1 MiB. */
static paddr_t alloc_low(uint64_t npages, uint64_t align, paddr_t limit)
{
	if (low_page_taken || npages != 1 || low_page % align || low_page + PAGE_SIZE > limit)
		return 0;
	low_page_taken = true;
	return low_page;
}

paddr_t mm_alloc(uint64_t npages, uint64_t align, paddr_t limit)
{
	paddr_t pa;

	spin_lock(&mm_lock);
	if (low_page && limit && limit <= MIB(1))
		pa = alloc_low(npages, align, limit);
	else
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
	if (low_page && pa == low_page) {	/* the kept low page is never the allocator's */
		ok = npages == 1 && low_page_taken;
		if (ok)
			low_page_taken = false;
	} else {
		ok = palloc_free(&allocator, pa, npages);
	}
	spin_unlock(&mm_lock);
	if (!ok)
		panic("mm: bad free of %lu pages at %016lx", npages, pa);
}

uint64_t mm_free_pages(void)
{
	return palloc_free_pages(&allocator);
}

uint64_t mm_usable_pages(void)
{
	return usable_pages;
}

uint64_t mm_root_pages(void)
{
	return split_done ? memmap_total(split.root, split.nroot) >> PAGE_SHIFT : 0;
}

paddr_t mm_phys_end(void)
{
	return phys_end;
}
