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
	if (len < 52 || memcmp(b, "\177ELF", 4))
		return fail(why, "not an ELF file");
	if ((b[4] != 1 && b[4] != 2) || b[5] != 1 || (b[4] == 2 && len < 64))
		return fail(why, "not a 32- or 64-bit little-endian ELF file");
	if (rd16(b + 16) != 2)
		return fail(why, "not an executable (ET_EXEC)");
	if (rd16(b + 18) != (b[4] == 2 ? 62 : 3))
		return fail(why, b[4] == 2 ? "not an x86-64 ELF file" : "not an i386 ELF file");
	return true;
}

/* Program header fields of either class (ELF-32 and ELF-64 "Program Header"). */
static void read_phdr(const uint8_t *ph, bool is64, struct elf_segment *s)
{
	if (is64) {
		*s = (struct elf_segment){ .offset = rd64(ph + 8), .paddr = rd64(ph + 24),
			.filesz = rd64(ph + 32), .memsz = rd64(ph + 40), .flags = rd32(ph + 4) };
	} else {
		*s = (struct elf_segment){ .offset = rd32(ph + 4), .paddr = rd32(ph + 12),
			.filesz = rd32(ph + 16), .memsz = rd32(ph + 20), .flags = rd32(ph + 24) };
	}
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
	struct elf_segment s;

	read_phdr(ph, img->is64, &s);
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
	img->is64 = buf[4] == 2;
	img->entry = img->is64 ? rd64(buf + 24) : rd32(buf + 24);
	phoff = img->is64 ? rd64(buf + 32) : rd32(buf + 28);
	phentsize = rd16(buf + (img->is64 ? 54 : 42));
	phnum = rd16(buf + (img->is64 ? 56 : 44));
	if (phentsize < (img->is64 ? 56 : 32) || phoff > len || (uint64_t)phentsize * phnum > len - phoff)
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
