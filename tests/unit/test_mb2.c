/*
 * Host unit tests for core/mb2.c. Each test builds a Multiboot2 information
 * block by hand, then parses a heap copy of exactly the bytes the parser may
 * read, so that AddressSanitizer catches any read past them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/mb2.h"

#define MBI_CAP		16384
#define MBI_BASE	0x10000ull

struct mbi {
	uint8_t b[MBI_CAP] __aligned(8);
	size_t len;
};

struct errlog {
	unsigned calls;
	const char *msg;	/* last report */
	uint32_t type;
	uint64_t off;
};

/* Memory-map entry as the test writes it. */
struct ent {
	uint64_t base, len;
	uint32_t type;
};

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void mbi_init(struct mbi *m)
{
	memset(m->b, 0, sizeof(m->b));
	m->len = 8;			/* total_size, reserved */
}

/* Append a tag whose size field says `size`, with `plen` payload bytes. */
static size_t mbi_tag_sized(struct mbi *m, uint32_t type, uint32_t size,
			    const void *payload, size_t plen)
{
	size_t off = m->len;

	assert_true(off + 8 + plen + 8 <= MBI_CAP);
	put32(m->b + off, type);
	put32(m->b + off + 4, size);
	if (plen)
		memcpy(m->b + off + 8, payload, plen);
	m->len = ALIGN_UP(off + 8 + plen, 8);
	return off;
}

static size_t mbi_tag(struct mbi *m, uint32_t type, const void *payload, size_t plen)
{
	return mbi_tag_sized(m, type, (uint32_t)(8 + plen), payload, plen);
}

static size_t mbi_string(struct mbi *m, uint32_t type, const char *s)
{
	return mbi_tag(m, type, s, strlen(s) + 1);
}

static void mbi_set_total(struct mbi *m, uint32_t total)
{
	put32(m->b, total);
}

/* Add the end tag and set total_size. */
static void mbi_finish(struct mbi *m)
{
	mbi_tag(m, MB2_TAG_END, NULL, 0);
	mbi_set_total(m, (uint32_t)m->len);
}

static size_t mbi_mmap(struct mbi *m, const struct ent *e, unsigned n)
{
	static uint8_t p[8 + 24 * 320];

	assert_true(n <= 320);
	memset(p, 0, sizeof(p));
	put32(p, 24);			/* entry_size */
	for (unsigned i = 0; i < n; i++) {
		put64(p + 8 + 24 * i, e[i].base);
		put64(p + 8 + 24 * i + 8, e[i].len);
		put32(p + 8 + 24 * i + 16, e[i].type);
	}
	return mbi_tag(m, MB2_TAG_MMAP, p, 8 + 24 * (size_t)n);
}

/* EFI descriptors of 48 bytes, as real firmware uses; `len` is in pages. */
static size_t mbi_efi_mmap(struct mbi *m, const struct ent *e, unsigned n)
{
	static uint8_t p[8 + 48 * 32];

	assert_true(n <= 32);
	memset(p, 0, sizeof(p));
	put32(p, 48);			/* descriptor_size */
	put32(p + 4, 1);		/* descriptor_version */
	for (unsigned i = 0; i < n; i++) {
		uint8_t *d = p + 8 + 48 * i;

		put32(d, e[i].type);
		put64(d + 8, e[i].base);
		put64(d + 16, 0xdead0000);	/* virtual start: ignored */
		put64(d + 24, e[i].len);
	}
	return mbi_tag(m, MB2_TAG_EFI_MMAP, p, 8 + 48 * (size_t)n);
}

static size_t mbi_module(struct mbi *m, uint32_t start, uint32_t end, const char *name)
{
	uint8_t p[8 + 300];
	size_t n = strlen(name) + 1;

	assert_true(n <= 300);
	put32(p, start);
	put32(p + 4, end);
	memcpy(p + 8, name, n);
	return mbi_tag(m, MB2_TAG_MODULE, p, 8 + n);
}

/* An RSDP copy filled with `fill`, 20 or 36 bytes by tag type. */
static size_t mbi_rsdp(struct mbi *m, uint32_t type, uint8_t fill)
{
	uint8_t p[36];

	memset(p, fill, sizeof(p));
	return mbi_tag(m, type, p, type == MB2_TAG_ACPI_OLD ? 20 : 36);
}

static void record(void *ctx, const char *msg, uint32_t type, uint64_t off)
{
	struct errlog *log = ctx;

	log->calls++;
	log->msg = msg;
	log->type = type;
	log->off = off;
}

/* Parse a heap copy of the first `avail` bytes of the block. */
static bool parse_avail(const struct mbi *m, size_t avail, struct boot_info *bi,
			struct errlog *log)
{
	uint8_t *copy = malloc(avail ? avail : 1);
	bool ok;

	assert_non_null(copy);
	memcpy(copy, m->b, avail);
	memset(log, 0, sizeof(*log));
	ok = mb2_parse(copy, avail, MBI_BASE, bi, record, log);
	free(copy);
	assert_int_equal(bi->errors, log->calls);
	return ok;
}

static bool parse(const struct mbi *m, struct boot_info *bi, struct errlog *log)
{
	return parse_avail(m, m->len, bi, log);
}

static void assert_range(const struct mem_range *r, uint64_t base, uint64_t len,
			 uint32_t type)
{
	assert_true(r->base == base);
	assert_true(r->len == len);
	assert_int_equal(r->type, type);
}

/* --- the block as a whole --- */

static void mb2_minimal_block_parses(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(bi.errors, 0);
	assert_true(bi.mbi_start == MBI_BASE);
	assert_true(bi.mbi_end == MBI_BASE + 16);
	assert_string_equal(bi.cmdline, "");
	assert_int_equal(bi.mmap_count, 0);
	assert_int_equal(bi.module_count, 0);
	assert_int_equal(bi.rsdp_len, 0);
}

static void mb2_rejects_fewer_than_16_readable_bytes(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_finish(&m);
	assert_false(parse_avail(&m, 15, &bi, &log));
	assert_int_equal(log.calls, 1);
	assert_false(parse_avail(&m, 0, &bi, &log));
}

static void mb2_rejects_total_size_beyond_readable(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_string(&m, MB2_TAG_CMDLINE, "loglvl=debug");
	mbi_finish(&m);
	assert_false(parse_avail(&m, m.len - 1, &bi, &log));	/* truncated */
	assert_int_equal(log.calls, 1);
	assert_string_equal(bi.cmdline, "");
}

static void mb2_rejects_bad_total_size(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_finish(&m);
	mbi_set_total(&m, 8);
	assert_false(parse(&m, &bi, &log));
	mbi_set_total(&m, 0);
	assert_false(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 1);
}

static void mb2_rejects_total_size_over_sanity_bound(void **state)
{
	const size_t avail = MB2_INFO_MAX + 8;
	uint8_t *big = calloc(1, avail);
	static struct boot_info bi;

	(void)state;
	assert_non_null(big);
	put32(big, MB2_INFO_MAX + 8);
	put32(big + 12, 8);		/* end tag at offset 8 */
	assert_false(mb2_parse(big, avail, 0, &bi, NULL, NULL));
	assert_int_equal(bi.errors, 1);
	put32(big, 16);
	assert_true(mb2_parse(big, avail, 0, &bi, NULL, NULL));
	free(big);
}

static void mb2_block_without_end_tag_fails(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_string(&m, MB2_TAG_LOADER, "GRUB 2.06");
	mbi_set_total(&m, (uint32_t)m.len);
	assert_false(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 1);
	assert_string_equal(log.msg, "no end tag");
	assert_string_equal(bi.loader, "GRUB 2.06");	/* what came before is kept */
}

static void mb2_tag_running_outside_block_fails(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	size_t off;

	(void)state;
	mbi_init(&m);
	mbi_string(&m, MB2_TAG_CMDLINE, "x2apic");
	off = mbi_tag_sized(&m, MB2_TAG_LOADER, 64, "GRUB", 5);	/* says 64, has 13 */
	mbi_finish(&m);
	assert_false(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.type, MB2_TAG_LOADER);
	assert_int_equal(log.off, off);
	assert_string_equal(bi.cmdline, "x2apic");
	assert_string_equal(bi.loader, "");
}

static void mb2_tag_size_wrapping_fails(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_tag_sized(&m, 0x1234, 0xfffffff8u, NULL, 0);
	mbi_finish(&m);
	assert_false(parse(&m, &bi, &log));
	assert_int_equal(log.type, 0x1234);
}

static void mb2_tag_smaller_than_header_fails(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_tag_sized(&m, MB2_TAG_CMDLINE, 4, NULL, 0);
	mbi_finish(&m);
	assert_false(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 1);
}

static void mb2_unknown_tags_are_skipped(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	uint8_t junk[13] = { 1, 2, 3 };

	(void)state;
	mbi_init(&m);
	mbi_tag(&m, 21, junk, sizeof(junk));	/* load base address, and odd size */
	mbi_tag(&m, 0x7777, NULL, 0);
	mbi_string(&m, MB2_TAG_CMDLINE, "a=b");
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 0);
	assert_string_equal(bi.cmdline, "a=b");
}

static void mb2_tags_after_end_tag_are_ignored(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_tag(&m, MB2_TAG_END, NULL, 0);
	mbi_string(&m, MB2_TAG_CMDLINE, "late");
	mbi_set_total(&m, (uint32_t)m.len);
	assert_true(parse(&m, &bi, &log));
	assert_string_equal(bi.cmdline, "");
}

static void mb2_works_without_error_callback(void **state)
{
	static struct mbi m;
	static struct boot_info bi;

	(void)state;
	mbi_init(&m);
	mbi_tag(&m, MB2_TAG_CMDLINE, "abc", 3);		/* unterminated */
	mbi_finish(&m);
	assert_true(mb2_parse(m.b, m.len, 0, &bi, NULL, NULL));
	assert_int_equal(bi.errors, 1);
}

/* --- strings --- */

static void mb2_cmdline_and_loader_are_copied(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_string(&m, MB2_TAG_CMDLINE, "/boot/hv serial=com2 loglvl=debug");
	mbi_string(&m, MB2_TAG_LOADER, "GRUB 2.06");
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 0);
	assert_string_equal(bi.cmdline, "/boot/hv serial=com2 loglvl=debug");
	assert_string_equal(bi.loader, "GRUB 2.06");
}

static void mb2_unterminated_strings_are_rejected(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	/* the padding after the tag is zero, but outside the tag */
	mbi_tag(&m, MB2_TAG_CMDLINE, "abc", 3);
	mbi_tag(&m, MB2_TAG_LOADER, "GRUB", 4);
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 2);
	assert_int_equal(log.type, MB2_TAG_LOADER);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader, "");
}

static void mb2_empty_string_tag_is_rejected(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	size_t off;

	(void)state;
	mbi_init(&m);
	off = mbi_tag(&m, MB2_TAG_CMDLINE, NULL, 0);	/* no room even for the NUL */
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.type, MB2_TAG_CMDLINE);
	assert_int_equal(log.off, off);
}

static void mb2_long_strings_are_truncated(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	char s[2000];

	(void)state;
	memset(s, 'c', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	mbi_init(&m);
	mbi_string(&m, MB2_TAG_CMDLINE, s);
	memset(s, 'l', 100);
	s[100] = '\0';
	mbi_string(&m, MB2_TAG_LOADER, s);
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 0);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(strlen(bi.loader), BOOT_NAME_MAX - 1);
	assert_int_equal(bi.loader[0], 'l');
}

/* --- BIOS memory map --- */

static void mb2_mmap_entries_are_copied(void **state)
{
	static const struct ent e[] = {
		{ 0x0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0x100000, 0x7ee0000, 1 },
		{ 0x7fe0000, 0x20000, 3 },
		{ 0xfffc0000, 0x40000, 4 },
		{ 0x200000000ull, 0x1000, 5 },
	};
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_mmap(&m, e, ARRAY_SIZE(e));
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 0);
	assert_false(bi.mmap_from_efi);
	assert_int_equal(bi.mmap_count, ARRAY_SIZE(e));
	for (unsigned i = 0; i < ARRAY_SIZE(e); i++)
		assert_range(&bi.mmap[i], e[i].base, e[i].len, e[i].type);
}

static void mb2_mmap_odd_entries(void **state)
{
	static const struct ent e[] = {
		{ 0x1000, 0x0, 1 },			/* empty: dropped */
		{ 0x2000, 0x3000, 0 },			/* type 0: reserved */
		{ 0x3000, 0x5000, 1 },			/* overlaps: kept as is */
		{ 0x10000, 0x1000, 12 },		/* unknown type: reserved */
		{ 0xfffffffffffff000ull, 0x2000, 1 },	/* wraps: reported */
		{ 0x20000, 0x1000, 1 },
	};
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	size_t off;

	(void)state;
	mbi_init(&m);
	off = mbi_mmap(&m, e, ARRAY_SIZE(e));
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.type, MB2_TAG_MMAP);
	assert_int_equal(log.off, off);
	assert_int_equal(bi.mmap_count, 4);
	assert_range(&bi.mmap[0], 0x2000, 0x3000, MEM_RESERVED);
	assert_range(&bi.mmap[1], 0x3000, 0x5000, MEM_USABLE);
	assert_range(&bi.mmap[2], 0x10000, 0x1000, MEM_RESERVED);
	assert_range(&bi.mmap[3], 0x20000, 0x1000, MEM_USABLE);
}

static void mb2_mmap_larger_entry_size_is_honoured(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	uint8_t p[8 + 2 * 32] = { 0 };

	(void)state;
	put32(p, 32);				/* entries with 8 bytes of extra */
	put64(p + 8, 0x100000);
	put64(p + 16, 0x200000);
	put32(p + 24, 1);
	put64(p + 8 + 32, 0x400000);
	put64(p + 16 + 32, 0x1000);
	put32(p + 24 + 32, 2);
	mbi_init(&m);
	mbi_tag(&m, MB2_TAG_MMAP, p, sizeof(p));
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(bi.mmap_count, 2);
	assert_range(&bi.mmap[0], 0x100000, 0x200000, MEM_USABLE);
	assert_range(&bi.mmap[1], 0x400000, 0x1000, MEM_RESERVED);
}

static void mb2_mmap_partial_trailing_entry_is_ignored(void **state)
{
	static const struct ent e[] = { { 0x100000, 0x1000, 1 } };
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	size_t off;

	(void)state;
	mbi_init(&m);
	off = mbi_mmap(&m, e, 1);
	put32(m.b + off + 4, 8 + 8 + 24 + 20);	/* 20 bytes of a second entry */
	m.len = off + 8 + 8 + 24 + 20;
	m.len = ALIGN_UP(m.len, 8);
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 0);
	assert_int_equal(bi.mmap_count, 1);
}

static void mb2_mmap_bad_entry_size_is_rejected(void **state)
{
	static const uint32_t bad[] = { 0, 8, 16, 20, 28 };
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	uint8_t p[8 + 48] = { 0 };

	(void)state;
	put64(p + 8, 0x100000);
	put64(p + 16, 0x1000);
	put32(p + 24, 1);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		put32(p, bad[i]);
		mbi_init(&m);
		mbi_tag(&m, MB2_TAG_MMAP, p, sizeof(p));
		mbi_finish(&m);
		assert_true(parse(&m, &bi, &log));
		assert_int_equal(log.calls, 1);
		assert_int_equal(bi.mmap_count, 0);
	}
}

static void mb2_mmap_tag_too_short_is_rejected(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	uint8_t p[4] = { 24 };

	(void)state;
	mbi_init(&m);
	mbi_tag(&m, MB2_TAG_MMAP, p, sizeof(p));	/* size 12: no entry_size */
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 1);
	assert_int_equal(bi.mmap_count, 0);
}

/*
 * An entry size near 4 GiB must not make "offset + entry size" wrap and
 * pass the bounds check: the tag holds no whole entry, so nothing is read.
 */
static void mb2_mmap_huge_entry_size_reads_nothing(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	uint8_t p[8] = { 0 };

	(void)state;
	put32(p, 0xfffffff8u);
	mbi_init(&m);
	mbi_tag(&m, MB2_TAG_MMAP, p, sizeof(p));
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(bi.mmap_count, 0);
}

static void mb2_mmap_overflow_keeps_first_entries(void **state)
{
	static struct ent e[BOOT_MMAP_MAX + 10];
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(e); i++)
		e[i] = (struct ent){ (uint64_t)i << 20, 0x1000, 1 };
	mbi_init(&m);
	mbi_mmap(&m, e, ARRAY_SIZE(e));
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_true(log.calls >= 1);
	assert_int_equal(bi.mmap_count, BOOT_MMAP_MAX);
	assert_true(bi.mmap[BOOT_MMAP_MAX - 1].base == (uint64_t)(BOOT_MMAP_MAX - 1) << 20);
}

/* --- EFI memory map --- */

static void mb2_efi_mmap_types_are_converted(void **state)
{
	static const struct ent e[] = {
		{ 0x00000, 1, 0 },	/* reserved */
		{ 0x01000, 1, 1 },	/* loader code */
		{ 0x02000, 1, 2 },	/* loader data */
		{ 0x03000, 1, 3 },	/* boot services code */
		{ 0x04000, 1, 4 },	/* boot services data */
		{ 0x05000, 1, 5 },	/* runtime services code */
		{ 0x06000, 1, 6 },	/* runtime services data */
		{ 0x07000, 16, 7 },	/* conventional */
		{ 0x17000, 1, 8 },	/* unusable */
		{ 0x18000, 2, 9 },	/* ACPI reclaim */
		{ 0x1a000, 1, 10 },	/* ACPI NVS */
		{ 0x1b000, 1, 11 },	/* MMIO */
		{ 0x1c000, 1, 14 },	/* persistent: not ours */
		{ 0x1d000, 1, 0x80000000u },	/* OEM */
	};
	static const uint32_t want[] = {
		MEM_RESERVED, MEM_USABLE, MEM_USABLE, MEM_USABLE, MEM_USABLE,
		MEM_RESERVED, MEM_RESERVED, MEM_USABLE, MEM_BAD, MEM_ACPI_RECLAIM,
		MEM_ACPI_NVS, MEM_RESERVED, MEM_RESERVED, MEM_RESERVED,
	};
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_efi_mmap(&m, e, ARRAY_SIZE(e));
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 0);
	assert_true(bi.mmap_from_efi);
	assert_int_equal(bi.mmap_count, ARRAY_SIZE(e));
	for (unsigned i = 0; i < ARRAY_SIZE(e); i++)
		assert_range(&bi.mmap[i], e[i].base, e[i].len << PAGE_SHIFT, want[i]);
}

static void mb2_efi_huge_page_count_is_rejected(void **state)
{
	static const struct ent e[] = {
		{ 0x100000, 1ull << 52, 7 },		/* 2^64 bytes */
		{ 0x200000, 4, 7 },
	};
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_efi_mmap(&m, e, ARRAY_SIZE(e));
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.type, MB2_TAG_EFI_MMAP);
	assert_int_equal(bi.mmap_count, 1);
	assert_range(&bi.mmap[0], 0x200000, 0x4000, MEM_USABLE);
}

static void mb2_efi_bad_descriptor_size_is_rejected(void **state)
{
	static const uint32_t bad[] = { 0, 32, 39, 4097, 0xffffffffu };
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	uint8_t p[8 + 48] = { 0 };

	(void)state;
	put32(p + 8, 7);
	put64(p + 16, 0x100000);
	put64(p + 32, 1);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		put32(p, bad[i]);
		mbi_init(&m);
		mbi_tag(&m, MB2_TAG_EFI_MMAP, p, sizeof(p));
		mbi_finish(&m);
		assert_true(parse(&m, &bi, &log));
		assert_int_equal(log.calls, 1);
		assert_int_equal(bi.mmap_count, 0);
		assert_false(bi.mmap_from_efi);
	}
}

static const struct ent bios_map[] = { { 0x0, 0x9f000, 1 }, { 0x100000, 0x100000, 1 } };
static const struct ent efi_map[] = { { 0x300000, 8, 7 } };

static void check_bios_map_won(const struct boot_info *bi)
{
	assert_false(bi->mmap_from_efi);
	assert_int_equal(bi->mmap_count, 2);
	assert_range(&bi->mmap[0], 0x0, 0x9f000, MEM_USABLE);
	assert_range(&bi->mmap[1], 0x100000, 0x100000, MEM_USABLE);
}

static void mb2_bios_mmap_wins_over_later_efi_mmap(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_mmap(&m, bios_map, ARRAY_SIZE(bios_map));
	mbi_efi_mmap(&m, efi_map, ARRAY_SIZE(efi_map));
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 0);
	check_bios_map_won(&bi);
}

static void mb2_bios_mmap_wins_over_earlier_efi_mmap(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_efi_mmap(&m, efi_map, ARRAY_SIZE(efi_map));
	mbi_mmap(&m, bios_map, ARRAY_SIZE(bios_map));
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 0);
	check_bios_map_won(&bi);
}

/* --- modules --- */

static void mb2_modules_are_recorded(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_module(&m, 0x800000, 0x900000, "guest.elf console=ttyS0");
	mbi_module(&m, 0xa00000, 0xa00000, "");		/* empty module */
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 0);
	assert_int_equal(bi.module_count, 2);
	assert_true(bi.modules[0].start == 0x800000);
	assert_true(bi.modules[0].end == 0x900000);
	assert_string_equal(bi.modules[0].cmdline, "guest.elf console=ttyS0");
	assert_true(bi.modules[1].start == 0xa00000);
	assert_true(bi.modules[1].end == 0xa00000);
	assert_string_equal(bi.modules[1].cmdline, "");
}

static void mb2_module_ending_before_start_is_rejected(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	size_t off;

	(void)state;
	mbi_init(&m);
	off = mbi_module(&m, 0x900000, 0x8fffff, "backwards");
	mbi_module(&m, 0x100000, 0x200000, "good");
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.type, MB2_TAG_MODULE);
	assert_int_equal(log.off, off);
	assert_int_equal(bi.module_count, 1);
	assert_string_equal(bi.modules[0].cmdline, "good");
}

static void mb2_module_bad_tags_are_rejected(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	uint8_t p[12] = { 0 };

	(void)state;
	put32(p, 0x100000);
	put32(p + 4, 0x200000);
	memcpy(p + 8, "abcd", 4);
	mbi_init(&m);
	mbi_tag(&m, MB2_TAG_MODULE, p, 8);		/* no string at all */
	mbi_tag(&m, MB2_TAG_MODULE, p, 12);		/* string not terminated */
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 2);
	assert_int_equal(bi.module_count, 0);
}

static void mb2_module_overflow_keeps_first(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	for (uint32_t i = 0; i < BOOT_MODULES_MAX + 1; i++)
		mbi_module(&m, i << 20, (i << 20) + 0x1000, "m");
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 1);
	assert_int_equal(bi.module_count, BOOT_MODULES_MAX);
	assert_true(bi.modules[BOOT_MODULES_MAX - 1].start ==
		    (paddr_t)(BOOT_MODULES_MAX - 1) << 20);
}

static void mb2_module_name_is_truncated(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	char name[290];

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	mbi_init(&m);
	mbi_module(&m, 0x1000, 0x2000, name);
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(bi.module_count, 1);
	assert_int_equal(strlen(bi.modules[0].cmdline), BOOT_MODULE_CMDLINE_MAX - 1);
	assert_true(bi.modules[0].cmdline_cut);
}

/* 255 characters fit exactly; 256 do not, and the cut is recorded. */
static void mb2_module_line_that_does_not_fit_is_marked(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	char fits[BOOT_MODULE_CMDLINE_MAX], cut[BOOT_MODULE_CMDLINE_MAX + 1];

	(void)state;
	memset(fits, 'a', sizeof(fits) - 1);
	fits[sizeof(fits) - 1] = '\0';
	memset(cut, 'b', sizeof(cut) - 1);
	cut[sizeof(cut) - 1] = '\0';
	mbi_init(&m);
	mbi_module(&m, 0x1000, 0x2000, fits);
	mbi_module(&m, 0x3000, 0x4000, cut);
	mbi_module(&m, 0x5000, 0x6000, "short.elf partition=x");
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 0);
	assert_int_equal(bi.module_count, 3);
	assert_string_equal(bi.modules[0].cmdline, fits);
	assert_false(bi.modules[0].cmdline_cut);
	assert_int_equal(strlen(bi.modules[1].cmdline), BOOT_MODULE_CMDLINE_MAX - 1);
	assert_true(bi.modules[1].cmdline_cut);
	assert_true(bi.modules[1].start == 0x3000);
	assert_false(bi.modules[2].cmdline_cut);
}

/* --- ACPI RSDP --- */

static void mb2_old_rsdp_alone_is_used(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_rsdp(&m, MB2_TAG_ACPI_OLD, 0x11);
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(bi.rsdp_len, 20);
	assert_int_equal(bi.rsdp[0], 0x11);
	assert_int_equal(bi.rsdp[19], 0x11);
	assert_int_equal(bi.rsdp[20], 0);
}

static void mb2_new_rsdp_wins_when_first(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_rsdp(&m, MB2_TAG_ACPI_NEW, 0x22);
	mbi_rsdp(&m, MB2_TAG_ACPI_OLD, 0x11);
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 0);
	assert_int_equal(bi.rsdp_len, 36);
	assert_int_equal(bi.rsdp[0], 0x22);
	assert_int_equal(bi.rsdp[35], 0x22);
}

static void mb2_new_rsdp_wins_when_last(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_rsdp(&m, MB2_TAG_ACPI_OLD, 0x11);
	mbi_rsdp(&m, MB2_TAG_ACPI_NEW, 0x22);
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 0);
	assert_int_equal(bi.rsdp_len, 36);
	assert_int_equal(bi.rsdp[0], 0x22);
	assert_int_equal(bi.rsdp[35], 0x22);
}

static void mb2_short_rsdp_tags_are_rejected(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;
	uint8_t p[35];

	(void)state;
	memset(p, 0x33, sizeof(p));
	mbi_init(&m);
	mbi_tag(&m, MB2_TAG_ACPI_OLD, p, 19);
	mbi_tag(&m, MB2_TAG_ACPI_NEW, p, 35);
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 2);
	assert_int_equal(log.type, MB2_TAG_ACPI_NEW);
	assert_int_equal(bi.rsdp_len, 0);
}

static void mb2_everything_together(void **state)
{
	static struct mbi m;
	static struct boot_info bi;
	struct errlog log;

	(void)state;
	mbi_init(&m);
	mbi_string(&m, MB2_TAG_CMDLINE, "/hv loglvl=warn");
	mbi_string(&m, MB2_TAG_LOADER, "GRUB");
	mbi_module(&m, 0x1000000, 0x1200000, "vm0");
	mbi_mmap(&m, bios_map, ARRAY_SIZE(bios_map));
	mbi_rsdp(&m, MB2_TAG_ACPI_NEW, 0x44);
	mbi_finish(&m);
	assert_true(parse(&m, &bi, &log));
	assert_int_equal(log.calls, 0);
	assert_string_equal(bi.cmdline, "/hv loglvl=warn");
	assert_string_equal(bi.loader, "GRUB");
	assert_int_equal(bi.module_count, 1);
	assert_int_equal(bi.rsdp_len, 36);
	check_bios_map_won(&bi);
	assert_true(bi.mbi_end == MBI_BASE + m.len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mb2_minimal_block_parses),
		cmocka_unit_test(mb2_rejects_fewer_than_16_readable_bytes),
		cmocka_unit_test(mb2_rejects_total_size_beyond_readable),
		cmocka_unit_test(mb2_rejects_bad_total_size),
		cmocka_unit_test(mb2_rejects_total_size_over_sanity_bound),
		cmocka_unit_test(mb2_block_without_end_tag_fails),
		cmocka_unit_test(mb2_tag_running_outside_block_fails),
		cmocka_unit_test(mb2_tag_size_wrapping_fails),
		cmocka_unit_test(mb2_tag_smaller_than_header_fails),
		cmocka_unit_test(mb2_unknown_tags_are_skipped),
		cmocka_unit_test(mb2_tags_after_end_tag_are_ignored),
		cmocka_unit_test(mb2_works_without_error_callback),
		cmocka_unit_test(mb2_cmdline_and_loader_are_copied),
		cmocka_unit_test(mb2_unterminated_strings_are_rejected),
		cmocka_unit_test(mb2_empty_string_tag_is_rejected),
		cmocka_unit_test(mb2_long_strings_are_truncated),
		cmocka_unit_test(mb2_mmap_entries_are_copied),
		cmocka_unit_test(mb2_mmap_odd_entries),
		cmocka_unit_test(mb2_mmap_larger_entry_size_is_honoured),
		cmocka_unit_test(mb2_mmap_partial_trailing_entry_is_ignored),
		cmocka_unit_test(mb2_mmap_bad_entry_size_is_rejected),
		cmocka_unit_test(mb2_mmap_tag_too_short_is_rejected),
		cmocka_unit_test(mb2_mmap_huge_entry_size_reads_nothing),
		cmocka_unit_test(mb2_mmap_overflow_keeps_first_entries),
		cmocka_unit_test(mb2_efi_mmap_types_are_converted),
		cmocka_unit_test(mb2_efi_huge_page_count_is_rejected),
		cmocka_unit_test(mb2_efi_bad_descriptor_size_is_rejected),
		cmocka_unit_test(mb2_bios_mmap_wins_over_later_efi_mmap),
		cmocka_unit_test(mb2_bios_mmap_wins_over_earlier_efi_mmap),
		cmocka_unit_test(mb2_modules_are_recorded),
		cmocka_unit_test(mb2_module_ending_before_start_is_rejected),
		cmocka_unit_test(mb2_module_bad_tags_are_rejected),
		cmocka_unit_test(mb2_module_overflow_keeps_first),
		cmocka_unit_test(mb2_module_name_is_truncated),
		cmocka_unit_test(mb2_module_line_that_does_not_fit_is_marked),
		cmocka_unit_test(mb2_old_rsdp_alone_is_used),
		cmocka_unit_test(mb2_new_rsdp_wins_when_first),
		cmocka_unit_test(mb2_new_rsdp_wins_when_last),
		cmocka_unit_test(mb2_short_rsdp_tags_are_rejected),
		cmocka_unit_test(mb2_everything_together),
	};

	return cmocka_run_group_tests_name("mb2", tests, NULL, NULL);
}
