/*
 * Host unit tests for partitions/mbinfo.c: the Multiboot (0.6.96, 3.3)
 * information structure and the Multiboot2 (3.6) boot information that
 * Multiboot kernels get, field by field, and the too-small-buffer cases
 * (each buffer is allocated at its exact size, so AddressSanitizer catches
 * a write past it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "partitions/mbinfo.h"

/* A 4 MiB partition: the loader's area is its top 64 KiB (partitions/loader.c). */
#define MEM		MIB(4)
#define BOOT		(MEM - KIB(64))
#define MBI		(BOOT + 0x7000)
#define CMDLINE_PA	(BOOT + 0x8000)
#define CMDLINE		"console=ttyS0 mb-test"
#define NAME		"microhypervisor"

static const struct mbinfo_layout layout = { { MBI }, { CMDLINE_PA }, { BOOT }, MEM, NULL, 0 };

struct range { uint64_t base, len; uint32_t type; };

/* The map both versions describe. */
static const struct range want_map[4] = {
	{ 0, 0x9fc00, 1 },			/* 639 KiB of low memory */
	{ 0xf0000, 0x10000, 2 },		/* the BIOS area */
	{ MIB(1), BOOT - MIB(1), 1 },		/* RAM up to the loader's area */
	{ BOOT, KIB(64), 2 },			/* the loader's area */
};

static uint32_t rd32(const uint8_t *b, size_t off) { uint32_t v; memcpy(&v, b + off, 4); return v; }
static uint64_t rd64(const uint8_t *b, size_t off) { uint64_t v; memcpy(&v, b + off, 8); return v; }

/* ---- version 1 ------------------------------------------------------------- */

#define V1_SIZE		(512 + sizeof(NAME))

static void v1_fields(void **state)
{
	uint8_t *b = malloc(4096);
	size_t n, mmap_off;

	(void)state;
	assert_non_null(b);
	memset(b, 0xa5, 4096);
	n = mbinfo_build_v1(b, 4096, &layout);
	assert_int_equal(n, V1_SIZE);
	/* flags: mem_* (0), cmdline (2), mmap (6), boot_loader_name (9), nothing else */
	assert_int_equal(rd32(b, 0), 1u << 0 | 1u << 2 | 1u << 6 | 1u << 9);
	assert_int_equal(rd32(b, 4), 639);				/* mem_lower */
	assert_int_equal(rd32(b, 8), (BOOT - MIB(1)) / 1024);		/* mem_upper */
	assert_int_equal(rd32(b, 16), CMDLINE_PA);			/* cmdline */
	/* the fields whose flags are clear are zero: boot_device, mods, syms, drives, ... */
	assert_int_equal(rd32(b, 12), 0);
	for (size_t off = 20; off < 44; off += 4)
		assert_int_equal(rd32(b, off), 0);
	for (size_t off = 52; off < 64; off += 4)
		assert_int_equal(rd32(b, off), 0);
	for (size_t off = 68; off < 88; off += 4)
		assert_int_equal(rd32(b, off), 0);

	/* mmap_length, mmap_addr: entries of "size 20" + base, length, type */
	assert_int_equal(rd32(b, 44), 4 * 24);
	assert_true(rd32(b, 48) >= MBI + 88 && rd32(b, 48) + 4 * 24 <= MBI + n);
	mmap_off = rd32(b, 48) - MBI;
	for (unsigned i = 0; i < 4; i++) {
		size_t e = mmap_off + 24 * i;

		assert_int_equal(rd32(b, e), 20);
		assert_int_equal(rd64(b, e + 4), want_map[i].base);
		assert_int_equal(rd64(b, e + 12), want_map[i].len);
		assert_int_equal(rd32(b, e + 20), want_map[i].type);
	}
	/* mem_upper is the length of the RAM at 1 MiB */
	assert_int_equal((uint64_t)rd32(b, 8) * 1024, want_map[2].len);

	/* boot_loader_name: inside the block, after the map */
	assert_true(rd32(b, 64) >= MBI + mmap_off + 4 * 24 && rd32(b, 64) + sizeof(NAME) <= MBI + n);
	assert_string_equal((const char *)b + (rd32(b, 64) - MBI), NAME);
	/* nothing past the returned size was touched */
	for (size_t i = n; i < 4096; i++)
		assert_int_equal(b[i], 0xa5);
	free(b);
}

/* Other sizes: the numbers follow the layout. */
static void v1_follows_the_layout(void **state)
{
	const struct mbinfo_layout l = { { 0x3ff7000 }, { 0x3ff8000 }, { 0x3ff0000 }, MIB(64), NULL, 0 };
	uint8_t b[V1_SIZE];

	(void)state;
	assert_int_equal(mbinfo_build_v1(b, sizeof(b), &l), V1_SIZE);
	assert_int_equal(rd32(b, 8), (0x3ff0000 - MIB(1)) / 1024);
	assert_int_equal(rd32(b, 16), 0x3ff8000);
	assert_int_equal(rd32(b, 48), 0x3ff7000 + (rd32(b, 48) - 0x3ff7000));
	assert_true(rd32(b, 48) - 0x3ff7000 < V1_SIZE);
	assert_int_equal(rd64(b, rd32(b, 48) - 0x3ff7000 + 24 * 3 + 4), 0x3ff0000);
	assert_int_equal(rd64(b, rd32(b, 48) - 0x3ff7000 + 24 * 3 + 12), MIB(64) - 0x3ff0000);
	assert_int_equal(rd32(b, 64), 0x3ff7000 + 512);
}

static void v1_too_small(void **state)
{
	(void)state;
	for (size_t size = 0; size < V1_SIZE; size++) {
		uint8_t *b = malloc(size ? size : 1);

		assert_non_null(b);
		assert_int_equal(mbinfo_build_v1(b, size, &layout), 0);
		free(b);
	}
	uint8_t *b = malloc(V1_SIZE);
	assert_non_null(b);
	assert_int_equal(mbinfo_build_v1(b, V1_SIZE, &layout), V1_SIZE);
	free(b);
}

/* ---- version 2 ------------------------------------------------------------- */

#define ALIGN8(x)	(((x) + 7) & ~(size_t)7)

/* The size the block must have for this command line. */
static size_t v2_size(const char *cmdline)
{
	return 8 + ALIGN8(8 + strlen(cmdline) + 1) + ALIGN8(8 + sizeof(NAME)) + 16 +
	       (16 + 4 * 24) + 8;
}

static void expect_padding_zero(const uint8_t *b, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		assert_int_equal(b[i], 0);
}

static void check_v2(const uint8_t *b, size_t n, const char *cmdline)
{
	size_t off = 8, size;

	assert_int_equal(n, v2_size(cmdline));
	assert_int_equal(rd32(b, 0), n);		/* total_size */
	assert_int_equal(rd32(b, 4), 0);		/* reserved */

	/* 1: command line */
	assert_int_equal(rd32(b, off), 1);
	size = rd32(b, off + 4);
	assert_int_equal(size, 8 + strlen(cmdline) + 1);
	assert_string_equal((const char *)b + off + 8, cmdline);
	expect_padding_zero(b, off + size, ALIGN8(off + size));
	off = ALIGN8(off + size);

	/* 2: boot loader name */
	assert_int_equal(rd32(b, off), 2);
	size = rd32(b, off + 4);
	assert_int_equal(size, 8 + sizeof(NAME));
	assert_string_equal((const char *)b + off + 8, NAME);
	expect_padding_zero(b, off + size, ALIGN8(off + size));
	off = ALIGN8(off + size);

	/* 4: basic memory information */
	assert_int_equal(rd32(b, off), 4);
	assert_int_equal(rd32(b, off + 4), 16);
	assert_int_equal(rd32(b, off + 8), 639);
	assert_int_equal(rd32(b, off + 12), (BOOT - MIB(1)) / 1024);
	off += 16;

	/* 6: memory map, entries of 24 bytes, version 0 */
	assert_int_equal(rd32(b, off), 6);
	assert_int_equal(rd32(b, off + 4), 16 + 4 * 24);
	assert_int_equal(rd32(b, off + 8), 24);
	assert_int_equal(rd32(b, off + 12), 0);
	for (unsigned i = 0; i < 4; i++) {
		size_t e = off + 16 + 24 * i;

		assert_int_equal(rd64(b, e), want_map[i].base);
		assert_int_equal(rd64(b, e + 8), want_map[i].len);
		assert_int_equal(rd32(b, e + 16), want_map[i].type);
		assert_int_equal(rd32(b, e + 20), 0);
	}
	off += 16 + 4 * 24;

	/* 0: end, closing the block */
	assert_int_equal(rd32(b, off), 0);
	assert_int_equal(rd32(b, off + 4), 8);
	assert_int_equal(off + 8, n);
}

static void v2_tags(void **state)
{
	uint8_t *b = malloc(4096);
	size_t n;

	(void)state;
	assert_non_null(b);
	memset(b, 0xa5, 4096);
	n = mbinfo_build_v2(b, 4096, &layout, CMDLINE);
	check_v2(b, n, CMDLINE);
	for (size_t i = n; i < 4096; i++)
		assert_int_equal(b[i], 0xa5);
	free(b);
}

/* Command lines of every length mod 8 (the padding), empty, and the longest (255). */
static void v2_command_line_lengths(void **state)
{
	char line[256];
	uint8_t b[1024];

	(void)state;
	for (size_t len = 0; len <= 255; len++) {
		memset(line, 'a' + len % 26, len);
		line[len] = '\0';
		memset(b, 0xa5, sizeof(b));
		check_v2(b, mbinfo_build_v2(b, sizeof(b), &layout, line), line);
	}
}

static void v2_too_small(void **state)
{
	size_t need = v2_size(CMDLINE);

	(void)state;
	for (size_t size = 0; size < need; size++) {
		uint8_t *b = malloc(size ? size : 1);

		assert_non_null(b);
		assert_int_equal(mbinfo_build_v2(b, size, &layout, CMDLINE), 0);
		free(b);
	}
	uint8_t *b = malloc(need);
	assert_non_null(b);
	check_v2(b, mbinfo_build_v2(b, need, &layout, CMDLINE), CMDLINE);
	free(b);
}

/* ---- boot modules ---------------------------------------------------------- */

/*
 * The most modules, each with a command line of more than 255 bytes: v2's
 * tags cut each at 255 bytes and the block fits the loader's 4 KiB; v1's
 * list is inside its block; one module too many is refused; a buffer one
 * byte short is refused without a write past it.
 */
static void modules_most(void **state)
{
	struct mbinfo_module m[MBINFO_MODULES_MAX + 1];
	struct mbinfo_layout l = layout;
	char line[300];
	size_t need = 8 + ALIGN8(8 + strlen(CMDLINE) + 1) + ALIGN8(8 + sizeof(NAME)) + 16 +
		      ALIGN8(8 + 8 + 4 * 24) + 8 + MBINFO_MODULES_MAX * ALIGN8(8 + 8 + 256);
	uint8_t *b = malloc(need), *shorter = malloc(need - 1);
	size_t off = 8;

	(void)state;
	assert_non_null(b);
	assert_non_null(shorter);
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	for (unsigned i = 0; i <= MBINFO_MODULES_MAX; i++)
		m[i] = (struct mbinfo_module){ 0x200000 + i * 0x1000, 0x200000 + i * 0x1000 + 5,
					       BOOT + 0x9000 + i * 256, line };
	l.mods = m;
	l.nmods = MBINFO_MODULES_MAX;
	assert_true(need <= 4096);
	assert_int_equal(mbinfo_build_v2(b, need, &l, CMDLINE), need);
	assert_int_equal(mbinfo_build_v2(shorter, need - 1, &l, CMDLINE), 0);
	for (unsigned found = 0; off < need; off += ALIGN8(rd32(b, off + 4))) {
		if (rd32(b, off) != 3)
			continue;
		assert_int_equal(rd32(b, off + 4), 8 + 8 + 256);
		assert_int_equal(rd32(b, off + 8), m[found].start);
		assert_int_equal(rd32(b, off + 12), m[found].end);
		assert_int_equal(strlen((const char *)b + off + 16), 255);
		found++;
		assert_true(found <= MBINFO_MODULES_MAX);
	}
	assert_int_equal(mbinfo_build_v1(b, need, &l), V1_SIZE);
	assert_int_equal(rd32(b, 0) & (1u << 3), 1u << 3);
	assert_int_equal(rd32(b, 20), MBINFO_MODULES_MAX);
	assert_int_equal(rd32(b, 24), MBI + 256);
	assert_int_equal(rd32(b, 256 + 16 * 8), m[8].start);
	assert_int_equal(rd32(b, 256 + 16 * 8 + 8), m[8].string_gpa);
	assert_string_equal((const char *)b + 512, NAME);	/* the list stops short of the name */
	l.nmods++;
	assert_int_equal(mbinfo_build_v1(b, need, &l), 0);
	assert_int_equal(mbinfo_build_v2(b, need, &l, CMDLINE), 0);
	free(b);
	free(shorter);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v1_fields),
		cmocka_unit_test(v1_follows_the_layout),
		cmocka_unit_test(v1_too_small),
		cmocka_unit_test(v2_tags),
		cmocka_unit_test(v2_command_line_lengths),
		cmocka_unit_test(v2_too_small),
		cmocka_unit_test(modules_most),
	};

	return cmocka_run_group_tests_name("mbinfo", tests, NULL, NULL);
}
