/* Multiboot2 boot information parser (Multiboot2 spec, 3.6). Pure logic. */
#ifndef CORE_MB2_H
#define CORE_MB2_H

#include "core/bootinfo.h"

#define MB2_BOOT_MAGIC		0x36d76289u
#define MB2_INFO_MAX		(1u << 20)	/* sanity bound on total_size */

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MEMINFO = 4,
	MB2_TAG_MMAP = 6,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_EFI_MMAP = 17,
};

/* Called once per problem found; the parser skips what it complains about. */
typedef void (*mb2_error_fn)(void *ctx, const char *msg, uint32_t tag_type,
			     uint64_t offset);

/*
 * Parse the information at `info`, of which at most `avail` bytes may be
 * read (the block's own total_size is checked against it). `base` is the
 * physical address of `info`, recorded in out->mbi_start/end. Returns false
 * if the block as a whole is unusable (bad total_size, no end tag); true
 * otherwise, with out->errors counting the tags that were skipped.
 */
bool mb2_parse(const void *info, size_t avail, paddr_t base,
	       struct boot_info *out, mb2_error_fn err, void *ctx);

#endif
