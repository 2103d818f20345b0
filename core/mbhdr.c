/*
 * Kernel image formats for partitions. Multiboot 0.6.96, 3.1: the header
 * is 32-bit aligned within the first 8192 bytes; with flag 16 its address
 * fields say where to load the file, otherwise the image is ELF. Multiboot2
 * 3.1: the header is 64-bit aligned within the first 32768 bytes, followed
 * by tags; an address tag (2) and entry tag (3) play the part of flag 16.
 * Every field is checked against the file and the partition's memory.
 */
#include "core/mbhdr.h"
#include "core/lib.h"

#define MB1_MAGIC	0x1badb002u
#define MB2_MAGIC	0xe85250d6u
#define MB1_SEARCH	8192u
#define MB2_SEARCH	32768u
/* MB1 flags we honour: 0 page-align modules, 1 memory info, 16 address fields */
#define MB1_SUPPORTED	((1u << 0) | (1u << 1) | (1u << 16))

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

static bool fail(const char **why, const char *msg)
{
	*why = msg;
	return false;
}

/* The "address fields" form of both versions: one segment from the file. */
static bool plan_addresses(size_t len, uint64_t mem_limit, size_t hdr_off, uint32_t header_addr,
			   uint32_t load_addr, uint32_t load_end, uint32_t bss_end,
			   uint32_t entry, struct elf_image *img, const char **why)
{
	struct elf_segment s;

	if (load_addr > header_addr || header_addr - load_addr > hdr_off)
		return fail(why, "Multiboot load address is after the header");
	s.offset = hdr_off - (header_addr - load_addr);
	s.paddr = load_addr;
	s.filesz = load_end ? (uint64_t)load_end - load_addr : len - s.offset;
	if (load_end && load_end < load_addr)
		return fail(why, "Multiboot load end is before the load address");
	if (s.filesz > len - s.offset)
		return fail(why, "Multiboot load range runs past the file");
	s.memsz = bss_end ? (uint64_t)bss_end - load_addr : s.filesz;
	if (s.memsz < s.filesz)
		return fail(why, "Multiboot bss end is before the load end");
	if (s.paddr >= mem_limit || s.memsz > mem_limit - s.paddr)
		return fail(why, "kernel lies outside the partition's memory");
	if (entry < s.paddr || entry - s.paddr >= s.memsz)
		return fail(why, "Multiboot entry is outside the loaded image");
	s.flags = 7;
	memset(img, 0, sizeof(*img));
	img->seg[0] = s;
	img->nseg = 1;
	img->entry = entry;
	return true;
}

static bool plan_mb1(const uint8_t *buf, size_t len, uint64_t mem_limit, size_t off,
		     struct elf_image *img, const char **why)
{
	const uint8_t *h = buf + off;
	uint32_t flags = rd32(h + 4);

	if ((flags & 0xffff) & ~MB1_SUPPORTED)
		return fail(why, "Multiboot header requires a feature we lack (video mode or an unknown flag)");
	if (!(flags & (1u << 16)))
		return elf_parse(buf, len, mem_limit, img, why) &&
		       (img->is64 ? fail(why, "Multiboot ELF kernels must be 32-bit") : true);
	if (len - off < 32)
		return fail(why, "Multiboot header truncated");
	return plan_addresses(len, mem_limit, off, rd32(h + 12), rd32(h + 16), rd32(h + 20),
			      rd32(h + 24), rd32(h + 28), img, why);
}

static bool plan_mb2(const uint8_t *buf, size_t len, uint64_t mem_limit, size_t off,
		     struct elf_image *img, const char **why)
{
	const uint8_t *h = buf + off;
	uint32_t hlen = rd32(h + 8), addr[4] = { 0 }, entry = 0;
	bool have_addr = false, have_entry = false;

	if (hlen < 24 || hlen > len - off)
		return fail(why, "Multiboot2 header length is wrong");
	for (uint32_t t = 16; t + 8 <= hlen;) {
		uint16_t type = rd16(h + t), tflags = rd16(h + t + 2);
		uint32_t size = rd32(h + t + 4);

		if (size < 8 || size > hlen - t)
			return fail(why, "Multiboot2 header tag runs past the header");
		if (type == 0)
			break;
		if (type == 2 && size >= 24) {
			for (int i = 0; i < 4; i++)
				addr[i] = rd32(h + t + 8 + 4 * i);
			have_addr = true;
		} else if (type == 3 && size >= 12) {
			entry = rd32(h + t + 8);
			have_entry = true;
		} else if ((type == 5 || type == 7) && !(tflags & 1)) {
			return fail(why, "Multiboot2 header requires a framebuffer or EFI boot services");
		}
		t += (size + 7) & ~7u;
	}
	if (have_addr && have_entry)
		return plan_addresses(len, mem_limit, off, addr[0], addr[1], addr[2], addr[3],
				      entry, img, why);
	if (!elf_parse(buf, len, mem_limit, img, why))
		return false;
	if (!have_entry)
		return true;
	for (unsigned i = 0; i < img->nseg; i++) {
		if (entry >= img->seg[i].paddr && entry - img->seg[i].paddr < img->seg[i].memsz) {
			img->entry = entry;
			return true;
		}
	}
	return fail(why, "Multiboot2 entry is outside the loaded image");
}

/* Offset of a valid header (magic, checksum) of either version, or -1. */
static long find_header(const uint8_t *buf, size_t len, bool v2)
{
	size_t limit = MIN(len, v2 ? MB2_SEARCH : MB1_SEARCH), step = v2 ? 8 : 4;

	/* the fixed part: 16 bytes (v2), 12 bytes (v1) */
	for (size_t off = 0; off + (v2 ? 16 : 12) <= limit; off += step) {
		const uint8_t *h = buf + off;

		if (v2 && rd32(h) == MB2_MAGIC && rd32(h + 4) == 0 &&
		    rd32(h) + rd32(h + 4) + rd32(h + 8) + rd32(h + 12) == 0)
			return (long)off;
		if (!v2 && rd32(h) == MB1_MAGIC && rd32(h) + rd32(h + 4) + rd32(h + 8) == 0)
			return (long)off;
	}
	return -1;
}

bool mbhdr_plan(const uint8_t *buf, size_t len, uint64_t mem_limit,
		struct load_plan *plan, const char **why)
{
	long off;

	memset(plan, 0, sizeof(*plan));
	if ((off = find_header(buf, len, true)) >= 0) {
		plan->proto = BOOT_PROTO_MB2;
		return plan_mb2(buf, len, mem_limit, (size_t)off, &plan->img, why);
	}
	if ((off = find_header(buf, len, false)) >= 0) {
		plan->proto = BOOT_PROTO_MB1;
		return plan_mb1(buf, len, mem_limit, (size_t)off, &plan->img, why);
	}
	plan->proto = BOOT_PROTO_ELF64;
	if (!elf_parse(buf, len, mem_limit, &plan->img, why))
		return false;
	return plan->img.is64 || fail(why, "a 32-bit ELF file needs a Multiboot header");
}
