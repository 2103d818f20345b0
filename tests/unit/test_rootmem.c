/*
 * Host unit tests for core/rootmem.c (RAM split between the hypervisor and
 * the root partition, where the root's start block goes) and core/rootimg.c
 * (the root kernel image's header).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/rootimg.h"
#include "core/rootmem.h"

#define U	MEM_USABLE

static struct rootmem_split split;

static bool overlap(const struct mem_range *a, const struct mem_range *b)
{
	return a->base < b->base + b->len && b->base < a->base + a->len;
}

static uint64_t total(const struct mem_range *r, unsigned n)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++)
		sum += r[i].len;
	return sum;
}

/* Nothing is both the root's and the hypervisor's, nor the root's and in `kept`. */
static void assert_disjoint(const struct mem_range *kept, unsigned nkept)
{
	for (unsigned i = 0; i < split.nroot; i++) {
		for (unsigned j = 0; j < split.npool; j++)
			assert_false(overlap(&split.root[i], &split.pool[j]));
		for (unsigned j = 0; j < nkept; j++)
			assert_false(overlap(&split.root[i], &kept[j]));
	}
}

/* QEMU's BIOS map with 256 MiB; the hypervisor at 2 MiB, two modules, the MBI. */
static const struct mem_range qemu_usable[] = {
	{ 0x0, 0x9f000, U }, { 0x100000, 0xfee0000 - 0x100000, U },
};
static const struct mem_range qemu_kept[] = {
	{ 0x200000, 0x5f000, U },		/* the image */
	{ 0x10000, 0x800, U },			/* the boot information */
};
static const struct mem_range qemu_mods[] = {
	{ 0x260000, 0x2345, U }, { 0x263000, 0x10000, U },
};

static void the_split_covers_all_ram_once(void **state)
{
	(void)state;
	assert_null(rootmem_split(qemu_usable, 2, qemu_kept, 2, qemu_mods, 2, MIB(64), &split));
	assert_disjoint(qemu_kept, 2);
	/* every usable byte is the root's, the pool's or kept */
	assert_true(total(split.root, split.nroot) + total(split.pool, split.npool) +
		    0x5f000 + 0x1000 == 0x9f000 + 0xfee0000 - 0x100000);
}

static void the_pool_is_a_low_page_and_enough_below_4g(void **state)
{
	(void)state;
	assert_null(rootmem_split(qemu_usable, 2, qemu_kept, 2, qemu_mods, 2, MIB(64), &split));
	assert_true(split.pool[0].base == 0x1000 && split.pool[0].len == 0x1000);
	assert_true(total(split.pool + 1, split.npool - 1) >= MIB(64));
	assert_true(total(split.pool + 1, split.npool - 1) < MIB(64) + MIB(2));
	for (unsigned i = 1; i < split.npool; i++) {
		assert_true(split.pool[i].base >= MIB(1));
		assert_true(split.pool[i].base + split.pool[i].len <= GIB(4));
	}
	/* the pool's end is 2 MiB aligned: the root's RAM after it starts so */
	assert_int_equal((split.pool[split.npool - 1].base + split.pool[split.npool - 1].len) %
			 MIB(2), 0);
}

static void page_0_and_the_modules_are_the_roots(void **state)
{
	(void)state;
	assert_null(rootmem_split(qemu_usable, 2, qemu_kept, 2, qemu_mods, 2, MIB(64), &split));
	assert_true(split.root[0].base == 0 && split.root[0].len == 0x1000);
	for (unsigned m = 0; m < 2; m++) {
		bool inside = false;

		for (unsigned i = 0; i < split.nroot; i++)
			inside |= qemu_mods[m].base >= split.root[i].base &&
				  qemu_mods[m].base + qemu_mods[m].len <=
				  split.root[i].base + split.root[i].len;
		assert_true(inside);
		for (unsigned j = 0; j < split.npool; j++)
			assert_false(overlap(&qemu_mods[m], &split.pool[j]));
	}
}

/* A map whose RAM below 4 GiB cannot hold the pool; one with no low page. */
static void too_little_memory_is_said(void **state)
{
	const struct mem_range small[] = { { 0x0, 0x9f000, U }, { 0x100000, MIB(16), U } };
	const struct mem_range no_low[] = { { 0x100000, MIB(256), U } };

	(void)state;
	assert_non_null(rootmem_split(small, 2, qemu_kept, 2, NULL, 0, MIB(64), &split));
	assert_non_null(rootmem_split(no_low, 1, NULL, 0, NULL, 0, MIB(16), &split));
}

/* RAM above 4 GiB is all the root's. */
static void ram_above_4g_is_the_roots(void **state)
{
	const struct mem_range big[] = { { 0x1000, 0x9e000, U }, { 0x100000, GIB(3) - MIB(1), U },
					 { GIB(4), GIB(4), U } };

	(void)state;
	assert_null(rootmem_split(big, 3, NULL, 0, NULL, 0, MIB(64), &split));
	assert_true(split.root[split.nroot - 1].base == GIB(4));
	assert_true(split.root[split.nroot - 1].len == GIB(4));
}

/* --- rootmem_place --- */

static void the_block_goes_low_aligned_and_past_modules(void **state)
{
	const struct mem_range ram[] = { { 0x0, 0x9f000, U }, { 0x4200000, MIB(100), U } };
	const struct mem_range mods[] = { { 0x4400000, 0x1000, U }, { 0x4600000, 0x200000, U } };
	uint64_t at = 0;

	(void)state;
	assert_true(rootmem_place(ram, 2, NULL, 0, MIB(2), MIB(2), &at));
	assert_true(at == 0x4200000);
	assert_true(rootmem_place(ram, 2, mods, 2, MIB(2) + 0x1000, MIB(2), &at));
	assert_true(at == 0x4800000);		/* 0x4200000 meets the first module */
	assert_false(rootmem_place(ram, 2, mods, 2, MIB(101), MIB(2), &at));
	assert_false(rootmem_place(ram, 1, NULL, 0, 0x1000, MIB(2), &at));	/* below 1 MiB */
}

/* --- rootimg_check --- */

static struct {
	struct rootimg_header h;
	uint8_t code[4096 - sizeof(struct rootimg_header)];
} img;

static void good_image(void)
{
	memset(&img, 0, sizeof(img));
	img.h = (struct rootimg_header){ ROOTIMG_MAGIC, ROOTIMG_VERSION, sizeof(img.h),
					 0xffffffff80000000ull, 0x30, sizeof(img), 0x4000 };
}

static const char *check(size_t len)
{
	struct rootimg_header h;

	return rootimg_check(&img, len, &h);
}

static void a_good_header_passes(void **state)
{
	(void)state;
	good_image();
	assert_null(check(sizeof(img)));
}

static void bad_headers_are_refused(void **state)
{
	(void)state;
	good_image();
	assert_non_null(check(20));					/* short */
	assert_non_null(check(sizeof(img) - 1));			/* not its file_size */
	img.h.magic ^= 1;
	assert_non_null(check(sizeof(img)));
	good_image();
	img.h.version = 2;
	assert_non_null(check(sizeof(img)));
	good_image();
	img.h.mem_size = sizeof(img) - 1;				/* below file_size */
	assert_non_null(check(sizeof(img)));
	img.h.mem_size = ROOTIMG_MEM_MAX + 1;
	assert_non_null(check(sizeof(img)));
	good_image();
	img.h.entry_offset = sizeof(img);				/* past the file */
	assert_non_null(check(sizeof(img)));
	img.h.entry_offset = 8;						/* in the header */
	assert_non_null(check(sizeof(img)));
	good_image();
	img.h.link_base = 0x200000;					/* lower half */
	assert_non_null(check(sizeof(img)));
	img.h.link_base = 0xffffffff80001000ull;			/* not 2 MiB aligned */
	assert_non_null(check(sizeof(img)));
	img.h.link_base = 0xffffffffbfe00000ull;			/* the last 2 MiB of a GiB */
	assert_null(check(sizeof(img)));
	img.h.mem_size = MIB(2) + 1;					/* crosses into the next */
	assert_non_null(check(sizeof(img)));
	img.h.link_base = 0xfffffffffff00000ull & ~(ROOTIMG_ALIGN - 1);	/* wraps */
	img.h.mem_size = ROOTIMG_MEM_MAX;
	assert_non_null(check(sizeof(img)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_split_covers_all_ram_once),
		cmocka_unit_test(the_pool_is_a_low_page_and_enough_below_4g),
		cmocka_unit_test(page_0_and_the_modules_are_the_roots),
		cmocka_unit_test(too_little_memory_is_said),
		cmocka_unit_test(ram_above_4g_is_the_roots),
		cmocka_unit_test(the_block_goes_low_aligned_and_past_modules),
		cmocka_unit_test(a_good_header_passes),
		cmocka_unit_test(bad_headers_are_refused),
	};

	return cmocka_run_group_tests_name("rootmem", tests, NULL, NULL);
}
