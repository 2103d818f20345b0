/*
 * A Linux bzImage's setup header (core/abi/linuxboot.h, Linux's
 * Documentation/x86/boot.rst): recognised and checked for the 64-bit boot
 * protocol, which the root's child loader (partitions/childload.c) follows.
 * Pure logic. The hypervisor's own loader (core/mbhdr.c) takes no bzImage.
 */
#ifndef PARTITIONS_BZIMAGE_H
#define PARTITIONS_BZIMAGE_H

#include "core/abi/linuxboot.h"
#include "core/types.h"

/* What a loader needs of an accepted bzImage. */
struct bzimage_info {
	struct linux_setup_header hdr;	/* the file's header; fields past its end are 0 */
	size_t hdr_len;			/* its length in the file, from 0x1F1 */
	size_t kernel_off;		/* the protected-mode kernel: (setup_sects + 1) * 512 */
	size_t kernel_len;		/* ... to the end of the file */
	uint64_t pref_address;		/* where it wants to run */
	uint64_t init_size;		/* RAM it needs from its load address, >= kernel_len */
	uint64_t alignment;		/* kernel_alignment: a power of two, at most 1 GiB */
	bool relocatable;		/* else it runs only at pref_address */
};

/* Whether the file says it is a bzImage: boot_flag 0xAA55 at 0x1FE, "HdrS" at 0x202. */
bool bzimage_is(const uint8_t *img, size_t len);

/*
 * Check the bzImage for the 64-bit boot protocol (2.12 or later, a 64-bit
 * entry, loaded high, a sane alignment, a kernel inside the file, an
 * init_size that holds it) and fill *out. On a refusal returns false with
 * the reason, naming the field and its value, in *why (valid until the
 * next call).
 */
bool bzimage_parse(const uint8_t *img, size_t len, struct bzimage_info *out, const char **why);

/*
 * The loaders' refusals with numbers in them: the reason, formatted into
 * one static buffer (the root loads one child at a time), in *why; false.
 */
bool __printf(2, 3) loader_failf(const char **why, const char *fmt, ...);

#endif
