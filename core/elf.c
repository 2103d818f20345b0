/*
 * ELF64 executable validation (System V ABI, "ELF-64 Object File Format"
 * 1.5: header at 0, program headers at e_phoff, e_phnum of e_phentsize).
 * The file is a boot module, so every offset and size is checked for
 * overflow and against the file and the partition's memory.
 */
#include "core/elf.h"
#include "core/lib.h"

#define PT_LOAD		1

static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static bool fail(const char **why, const char *msg)
{
	*why = msg;
	return false;
}

static bool check_header(const uint8_t *b, size_t len, const char **why)
{
	if (len < 64 || memcmp(b, "\177ELF", 4))
		return fail(why, "not an ELF file");
	if (b[4] != 2 || b[5] != 1)
		return fail(why, "not a 64-bit little-endian ELF file");
	if (rd16(b + 16) != 2)
		return fail(why, "not an executable (ET_EXEC)");
	if (rd16(b + 18) != 62)
		return fail(why, "not an x86-64 ELF file");
	return true;
}

static bool overlaps(const struct elf_image *img, uint64_t lo, uint64_t hi)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		uint64_t a = img->seg[i].paddr, b = a + img->seg[i].memsz;

		if (lo < b && a < hi)
			return true;
	}
	return false;
}

static bool add_segment(const uint8_t *ph, size_t len, uint64_t mem_limit,
			struct elf_image *img, const char **why)
{
	struct elf_segment s = {
		.offset = rd64(ph + 8), .paddr = rd64(ph + 24), .filesz = rd64(ph + 32),
		.memsz = rd64(ph + 40), .flags = rd32(ph + 4),
	};

	if (s.filesz > s.memsz)
		return fail(why, "segment file size exceeds its memory size");
	if (s.offset > len || s.filesz > len - s.offset)
		return fail(why, "segment lies outside the file");
	if (!s.memsz)
		return true;		/* checked, but nothing to load */
	if (s.paddr >= mem_limit || s.memsz > mem_limit - s.paddr)
		return fail(why, "segment lies outside the partition's memory");
	if (overlaps(img, s.paddr, s.paddr + s.memsz))
		return fail(why, "segments overlap");
	if (img->nseg == ELF_MAX_SEGMENTS)
		return fail(why, "too many segments");
	img->seg[img->nseg++] = s;
	return true;
}

bool elf_parse(const uint8_t *buf, size_t len, uint64_t mem_limit,
	       struct elf_image *img, const char **why)
{
	uint64_t phoff;
	uint16_t phentsize, phnum;

	memset(img, 0, sizeof(*img));
	if (!check_header(buf, len, why))
		return false;
	img->entry = rd64(buf + 24);
	phoff = rd64(buf + 32);
	phentsize = rd16(buf + 54);
	phnum = rd16(buf + 56);
	if (phentsize < 56 || phoff > len || (uint64_t)phentsize * phnum > len - phoff)
		return fail(why, "program headers lie outside the file");
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = buf + phoff + (size_t)i * phentsize;

		if (rd32(ph) == PT_LOAD && !add_segment(ph, len, mem_limit, img, why))
			return false;
	}
	if (!img->nseg)
		return fail(why, "no loadable segments");
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];

		if (img->entry >= s->paddr && img->entry < s->paddr + s->memsz &&
		    (s->flags & 1))
			return true;
	}
	return fail(why, "entry point is not in an executable segment");
}
