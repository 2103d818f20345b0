/*
 * Multiboot information for partition kernels: Multiboot 0.6.96, 3.3 (a
 * fixed structure with flags) and Multiboot2, 3.6 (a list of tags). Both
 * describe the same memory map: low memory below 639 KiB, the BIOS area
 * reserved, RAM from 1 MiB up to the loader's area, which is reserved.
 * Boot modules lie in that RAM and the map leaves it available, as GRUB's
 * does: a kernel is expected to keep clear of what the module list names.
 */
#include "partitions/mbinfo.h"
#include "core/lib.h"

#define LOADER_NAME	"microhypervisor"
#define MB1_MMAP_OFF	128		/* inside the block: 4 entries of 24 bytes */
#define MB1_MODS_OFF	256		/* the module list: entries of 16 bytes */
#define MB1_NAME_OFF	512
#define MB1_MOD_SIZE	16		/* mod_start, mod_end, string, reserved (3.3) */
#define MB2_TAG_MODULE	3
#define STRING_MAX	255		/* a command line's bytes, without its NUL */

_Static_assert(MB1_MMAP_OFF + 4 * 24 <= MB1_MODS_OFF, "mmap runs into the module list");
_Static_assert(MB1_MODS_OFF + MBINFO_MODULES_MAX * MB1_MOD_SIZE <= MB1_NAME_OFF,
	       "module list runs into the loader name");
#define LOW_END		0x9fc00

struct mmap_entry {
	uint64_t base, len;
	uint32_t type;
};

static unsigned memory_map(const struct mbinfo_layout *l, struct mmap_entry e[4])
{
	uint64_t boot = gpa_val(l->boot_area);

	e[0] = (struct mmap_entry){ 0, LOW_END, 1 };
	e[1] = (struct mmap_entry){ 0xf0000, 0x10000, 2 };
	e[2] = (struct mmap_entry){ MIB(1), boot - MIB(1), 1 };
	e[3] = (struct mmap_entry){ boot, l->mem_bytes - boot, 2 };
	return 4;
}

static void put32(uint8_t *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }
static void put64(uint8_t *b, size_t off, uint64_t v) { memcpy(b + off, &v, 8); }

size_t mbinfo_build_v1(uint8_t *b, size_t size, const struct mbinfo_layout *l)
{
	struct mmap_entry e[4];
	unsigned n = memory_map(l, e);
	size_t off = MB1_MMAP_OFF;

	if (size < MB1_NAME_OFF + sizeof(LOADER_NAME) || l->nmods > MBINFO_MODULES_MAX)
		return 0;
	memset(b, 0, MB1_NAME_OFF);
	/* flags: mem_* (0), cmdline (2), mods (3) if any, as GRUB; mmap (6), boot_loader_name (9) */
	put32(b, 0, 1u << 0 | 1u << 2 | (l->nmods ? 1u << 3 : 0) | 1u << 6 | 1u << 9);
	if (l->nmods) {
		put32(b, 20, l->nmods);
		put32(b, 24, (uint32_t)gpa_val(gpa_add(l->mbi, MB1_MODS_OFF)));
	}
	for (unsigned i = 0; i < l->nmods; i++) {
		size_t m = MB1_MODS_OFF + i * MB1_MOD_SIZE;

		put32(b, m, l->mods[i].start);
		put32(b, m + 4, l->mods[i].end);
		put32(b, m + 8, l->mods[i].string_gpa);
	}
	put32(b, 4, LOW_END / 1024);
	put32(b, 8, (uint32_t)((gpa_val(l->boot_area) - MIB(1)) / 1024));
	put32(b, 16, (uint32_t)gpa_val(l->cmdline));
	for (unsigned i = 0; i < n; i++, off += 24) {
		put32(b, off, 20);		/* size of the rest of the entry */
		put64(b, off + 4, e[i].base);
		put64(b, off + 12, e[i].len);
		put32(b, off + 20, e[i].type);
	}
	put32(b, 44, n * 24);
	put32(b, 48, (uint32_t)gpa_val(gpa_add(l->mbi, MB1_MMAP_OFF)));
	memcpy(b + MB1_NAME_OFF, LOADER_NAME, sizeof(LOADER_NAME));
	put32(b, 64, (uint32_t)gpa_val(gpa_add(l->mbi, MB1_NAME_OFF)));
	return MB1_NAME_OFF + sizeof(LOADER_NAME);
}

/* Append a tag header and body; returns the new offset (8-aligned), 0 if it does not fit. */
static size_t add_tag(uint8_t *b, size_t size, size_t off, uint32_t type,
		      const void *body, size_t len)
{
	size_t end = off + 8 + len;

	if (!off || ALIGN_UP(end, 8) > size)
		return 0;
	put32(b, off, type);
	put32(b, off + 4, (uint32_t)(8 + len));
	if (len)
		memcpy(b + off + 8, body, len);
	memset(b + end, 0, ALIGN_UP(end, 8) - end);
	return ALIGN_UP(end, 8);
}

/* Multiboot2 3.6.6: mod_start, mod_end, then the command line with its NUL. */
static size_t add_module_tag(uint8_t *b, size_t size, size_t off, const struct mbinfo_module *m)
{
	uint8_t body[8 + STRING_MAX + 1];
	size_t n = strnlen(m->string, STRING_MAX);

	put32(body, 0, m->start);
	put32(body, 4, m->end);
	memcpy(body + 8, m->string, n);
	body[8 + n] = 0;
	return add_tag(b, size, off, MB2_TAG_MODULE, body, 8 + n + 1);
}

size_t mbinfo_build_v2(uint8_t *b, size_t size, const struct mbinfo_layout *l,
		       const char *cmdline)
{
	struct mmap_entry e[4];
	unsigned n = memory_map(l, e);
	uint8_t mmap[8 + 4 * 24], meminfo[8];
	size_t off = 8;

	if (size < 8 || l->nmods > MBINFO_MODULES_MAX)
		return 0;
	put32(mmap, 0, 24);		/* entry size */
	put32(mmap, 4, 0);		/* entry version */
	for (unsigned i = 0; i < n; i++) {
		put64(mmap, 8 + i * 24, e[i].base);
		put64(mmap, 16 + i * 24, e[i].len);
		put32(mmap, 24 + i * 24, e[i].type);
		put32(mmap, 28 + i * 24, 0);
	}
	put32(meminfo, 0, LOW_END / 1024);
	put32(meminfo, 4, (uint32_t)((gpa_val(l->boot_area) - MIB(1)) / 1024));
	off = add_tag(b, size, off, 1, cmdline, strnlen(cmdline, 255) + 1);
	off = add_tag(b, size, off, 2, LOADER_NAME, sizeof(LOADER_NAME));
	for (unsigned i = 0; i < l->nmods; i++)		/* where GRUB puts them */
		off = add_module_tag(b, size, off, &l->mods[i]);
	off = add_tag(b, size, off, 4, meminfo, sizeof(meminfo));
	off = add_tag(b, size, off, 6, mmap, 8 + n * 24);
	off = add_tag(b, size, off, 0, NULL, 0);
	if (!off)
		return 0;
	put32(b, 0, (uint32_t)off);
	put32(b, 4, 0);
	return off;
}
