/*
 * Multiboot2 boot information parser (Multiboot2 spec, 3.6). The block is
 * written by the loader, so every length is checked before it is used: a
 * tag must fit inside the block, strings must be NUL-terminated inside their
 * tag, and entry sizes must be sane. Data is copied into struct boot_info.
 */
#include "core/mb2.h"
#include "core/lib.h"

struct mb2_ctx {
	const uint8_t *p;	/* start of the block */
	size_t size;		/* validated total_size */
	struct boot_info *out;
	mb2_error_fn err;
	void *errctx;
};

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void complain(struct mb2_ctx *c, const char *msg, uint32_t type, size_t off)
{
	c->out->errors++;
	if (c->err)
		c->err(c->errctx, msg, type, off);
}

/* Copy a NUL-terminated string of at most `len` bytes; false if unterminated. */
static bool copy_string(char *dst, size_t dstlen, const uint8_t *src, size_t len)
{
	size_t n = strnlen((const char *)src, len);

	if (n == len)
		return false;
	if (n >= dstlen)
		n = dstlen - 1;	/* truncate silently: it is still a string */
	memcpy(dst, src, n);
	dst[n] = '\0';
	return true;
}

static void add_range(struct mb2_ctx *c, uint64_t base, uint64_t len,
		      uint32_t type, uint32_t tag, size_t off)
{
	struct boot_info *o = c->out;

	if (len == 0)
		return;
	if (base + len < base) {
		complain(c, "memory range wraps around", tag, off);
		return;
	}
	if (o->mmap_count == BOOT_MMAP_MAX) {
		complain(c, "too many memory ranges, rest ignored", tag, off);
		return;
	}
	o->mmap[o->mmap_count++] = (struct mem_range){ base, len, type };
}

static void parse_mmap(struct mb2_ctx *c, const uint8_t *t, uint32_t size, size_t off)
{
	uint32_t esize;

	if (size < 16 || (esize = rd32(t + 8)) < 24 || esize % 8) {
		complain(c, "bad memory map tag", MB2_TAG_MMAP, off);
		return;
	}
	c->out->mmap_count = 0;		/* the BIOS map wins over an EFI one */
	c->out->mmap_from_efi = false;
	/* size - o, not o + esize: an entry size near 4 GiB would wrap */
	for (uint32_t o = 16; esize <= size - o; o += esize) {
		uint32_t type = rd32(t + o + 16);

		/* Multiboot2 3.6.8: types above 5 are reserved */
		if (type < MEM_USABLE || type > MEM_BAD)
			type = MEM_RESERVED;
		add_range(c, rd64(t + o), rd64(t + o + 8), type, MB2_TAG_MMAP, off);
	}
}

/* UEFI spec 7.2, EFI_MEMORY_TYPE: what is free once boot services are gone. */
static uint32_t efi_type_to_mem(uint32_t efi)
{
	switch (efi) {
	case 1: case 2:		/* loader code/data */
	case 3: case 4:		/* boot services code/data */
	case 7:			/* conventional */
		return MEM_USABLE;
	case 8:
		return MEM_BAD;
	case 9:
		return MEM_ACPI_RECLAIM;
	case 10:
		return MEM_ACPI_NVS;
	default:
		return MEM_RESERVED;
	}
}

static void parse_efi_mmap(struct mb2_ctx *c, const uint8_t *t, uint32_t size, size_t off)
{
	uint32_t dsize;

	if (size < 16 || (dsize = rd32(t + 8)) < 40 || dsize > 4096) {
		complain(c, "bad EFI memory map tag", MB2_TAG_EFI_MMAP, off);
		return;
	}
	if (c->out->mmap_count && !c->out->mmap_from_efi)
		return;			/* a BIOS-style map came first */
	c->out->mmap_count = 0;
	c->out->mmap_from_efi = true;
	for (uint32_t o = 16; o + dsize <= size; o += dsize) {
		uint64_t pages = rd64(t + o + 24);

		if (pages > (UINT64_MAX >> PAGE_SHIFT)) {
			complain(c, "EFI descriptor too large", MB2_TAG_EFI_MMAP, off);
			continue;
		}
		add_range(c, rd64(t + o + 8), pages << PAGE_SHIFT,
			  efi_type_to_mem(rd32(t + o)), MB2_TAG_EFI_MMAP, off);
	}
}

static void parse_module(struct mb2_ctx *c, const uint8_t *t, uint32_t size, size_t off)
{
	struct boot_info *o = c->out;
	struct boot_module *m;
	uint32_t start, end;

	if (size < 17) {
		complain(c, "module tag too short", MB2_TAG_MODULE, off);
		return;
	}
	start = rd32(t + 8);
	end = rd32(t + 12);
	if (end < start) {
		complain(c, "module ends before it starts", MB2_TAG_MODULE, off);
		return;
	}
	if (o->module_count == BOOT_MODULES_MAX) {
		complain(c, "too many modules, rest ignored", MB2_TAG_MODULE, off);
		return;
	}
	m = &o->modules[o->module_count];
	if (!copy_string(m->cmdline, sizeof(m->cmdline), t + 16, size - 16)) {
		complain(c, "module string not terminated", MB2_TAG_MODULE, off);
		return;
	}
	/* kept, so its memory stays reserved; boot.c refuses a cut line by name */
	m->cmdline_cut = strnlen((const char *)t + 16, size - 16) >= sizeof(m->cmdline);
	m->start = start;
	m->end = end;
	o->module_count++;
}

static void parse_rsdp(struct mb2_ctx *c, const uint8_t *t, uint32_t size,
		       uint32_t type, size_t off)
{
	size_t need = type == MB2_TAG_ACPI_OLD ? 20 : 36;

	if (size - 8 < need) {
		complain(c, "ACPI RSDP tag too short", type, off);
		return;
	}
	if (type == MB2_TAG_ACPI_OLD && c->out->rsdp_len)
		return;			/* keep the new (ACPI 2.0+) copy */
	memcpy(c->out->rsdp, t + 8, need);
	c->out->rsdp_len = (unsigned)need;
}

static void parse_tag(struct mb2_ctx *c, const uint8_t *t, uint32_t type,
		      uint32_t size, size_t off)
{
	struct boot_info *o = c->out;

	switch (type) {
	case MB2_TAG_CMDLINE:
		if (!copy_string(o->cmdline, sizeof(o->cmdline), t + 8, size - 8))
			complain(c, "command line not terminated", type, off);
		break;
	case MB2_TAG_LOADER:
		if (!copy_string(o->loader, sizeof(o->loader), t + 8, size - 8))
			complain(c, "loader name not terminated", type, off);
		break;
	case MB2_TAG_MODULE:
		parse_module(c, t, size, off);
		break;
	case MB2_TAG_MMAP:
		parse_mmap(c, t, size, off);
		break;
	case MB2_TAG_EFI_MMAP:
		parse_efi_mmap(c, t, size, off);
		break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		parse_rsdp(c, t, size, type, off);
		break;
	default:
		break;			/* tags we do not need */
	}
}

bool mb2_parse(const void *info, size_t avail, paddr_t base,
	       struct boot_info *out, mb2_error_fn err, void *ctx)
{
	struct mb2_ctx c = { info, 0, out, err, ctx };
	uint32_t total;
	size_t off;

	memset(out, 0, sizeof(*out));
	if (avail < 16) {
		complain(&c, "information block truncated", 0, 0);
		return false;
	}
	total = rd32(c.p);
	if (total < 16 || total > avail || total > MB2_INFO_MAX) {
		complain(&c, "bad information block size", 0, 0);
		return false;
	}
	c.size = total;
	out->mbi_start = base;
	out->mbi_end = base + total;

	/* Multiboot2 3.6.1: tags start at offset 8, each 8-byte aligned */
	for (off = 8; off + 8 <= c.size; off = ALIGN_UP(off + rd32(c.p + off + 4), 8)) {
		const uint8_t *t = c.p + off;
		uint32_t type = rd32(t), size = rd32(t + 4);

		if (size < 8 || size > c.size - off) {
			complain(&c, "tag size runs outside the block", type, off);
			return false;	/* cannot find the next tag */
		}
		if (type == MB2_TAG_END)
			return true;
		parse_tag(&c, t, type, size, off);
	}
	complain(&c, "no end tag", 0, off);
	return false;
}
