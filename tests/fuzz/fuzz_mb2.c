/*
 * libFuzzer target for core/mb2.c: the input is a Multiboot2 information
 * block. libFuzzer hands over a heap buffer of exactly `size` bytes, so
 * AddressSanitizer catches any read past it. The result is checked for the
 * promises struct boot_info makes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mb2.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static unsigned reports;

static void count_report(void *ctx, const char *msg, uint32_t type, uint64_t off)
{
	(void)type;
	CHECK(ctx == &reports);
	CHECK(msg && *msg);
	CHECK(off <= MB2_INFO_MAX + 8);
	reports++;
}

static void check_string(const char *s, size_t cap)
{
	CHECK(memchr(s, '\0', cap) != NULL);
}

static void check_info(const struct boot_info *bi)
{
	check_string(bi->cmdline, sizeof(bi->cmdline));
	check_string(bi->loader, sizeof(bi->loader));
	CHECK(bi->mmap_count <= BOOT_MMAP_MAX);
	for (unsigned i = 0; i < bi->mmap_count; i++) {
		const struct mem_range *r = &bi->mmap[i];

		CHECK(r->len != 0);
		CHECK(r->base + r->len > r->base);	/* no wrap */
		CHECK(r->type >= MEM_USABLE && r->type <= MEM_BAD);
	}
	CHECK(bi->module_count <= BOOT_MODULES_MAX);
	for (unsigned i = 0; i < bi->module_count; i++) {
		CHECK(bi->modules[i].end >= bi->modules[i].start);
		check_string(bi->modules[i].cmdline, sizeof(bi->modules[i].cmdline));
	}
	CHECK(bi->rsdp_len == 0 || bi->rsdp_len == 20 || bi->rsdp_len == 36);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	const paddr_t base = 0x100000;

	reports = 0;
	if (mb2_parse(data, size, base, &bi, count_report, &reports)) {
		CHECK(size >= 16);
		CHECK(bi.mbi_start == base);
		CHECK(bi.mbi_end > base && bi.mbi_end - base <= size);
	}
	check_info(&bi);		/* what a failed parse leaves must be sane too */
	CHECK(bi.errors == reports);
	return 0;
}
