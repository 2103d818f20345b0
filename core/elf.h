/* ELF64 executable images for partitions: validation and segment list. Pure logic. */
#ifndef CORE_ELF_H
#define CORE_ELF_H

#include "core/types.h"

#define ELF_MAX_SEGMENTS	16

struct elf_segment {
	uint64_t offset;	/* in the file */
	uint64_t paddr;		/* guest-physical load address */
	uint64_t filesz;
	uint64_t memsz;		/* >= filesz; the rest is zero */
	uint32_t flags;		/* PF_X 1, PF_W 2, PF_R 4 */
};

struct elf_image {
	bool is64;		/* ELFCLASS64/x86-64, else ELFCLASS32/i386 */
	uint64_t entry;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	unsigned nseg;
};

/*
 * Validate an x86-64 (or, for Multiboot kernels, i386) ELF executable of `len` bytes and list its PT_LOAD
 * segments. Every segment must lie inside the file and inside [0, mem_limit)
 * of guest-physical memory, and segments may not overlap. On failure
 * returns false with a reason in *why.
 */
bool elf_parse(const uint8_t *buf, size_t len, uint64_t mem_limit,
	       struct elf_image *img, const char **why);

#endif
