/*
 * The root kernel's image format (ours, minimal): a flat binary whose
 * first bytes are this header. The hypervisor reads nothing else of it:
 * it copies the file_size bytes to a 2 MiB-aligned place in the root's
 * RAM, zeroes the rest up to mem_size (the bss), maps link_base (virtual)
 * to that place and enters at link_base + entry_offset (docs/root.md).
 * Shared by the hypervisor and the root kernel (partitions/root/head.S
 * writes it, at the offsets asserted below).
 */
#ifndef CORE_ABI_ROOTIMG_H
#define CORE_ABI_ROOTIMG_H

#include <stdint.h>

#define ROOTIMG_MAGIC		0x474d49544f4f5248ull	/* "HROOTIMG", little-endian */
#define ROOTIMG_VERSION		1
#define ROOTIMG_ALIGN		0x200000ull		/* link_base's alignment: 2 MiB */
#define ROOTIMG_MEM_MAX		0x10000000ull		/* 256 MiB, file and bss together */

struct rootimg_header {
	uint64_t magic;		/* ROOTIMG_MAGIC */
	uint32_t version;	/* ROOTIMG_VERSION */
	uint32_t header_size;	/* sizeof(struct rootimg_header) */
	uint64_t link_base;	/* virtual address of the file's first byte: upper half, 2 MiB aligned */
	uint64_t entry_offset;	/* the entry point, from link_base; inside the file */
	uint64_t file_size;	/* bytes of the file, this header included */
	uint64_t mem_size;	/* bytes in memory: file_size and the zeroed bss after it */
};

_Static_assert(sizeof(struct rootimg_header) == 48, "rootimg header size");
_Static_assert(__builtin_offsetof(struct rootimg_header, version) == 8, "version at 8");
_Static_assert(__builtin_offsetof(struct rootimg_header, header_size) == 12, "header_size at 12");
_Static_assert(__builtin_offsetof(struct rootimg_header, link_base) == 16, "link_base at 16");
_Static_assert(__builtin_offsetof(struct rootimg_header, entry_offset) == 24, "entry_offset at 24");
_Static_assert(__builtin_offsetof(struct rootimg_header, file_size) == 32, "file_size at 32");
_Static_assert(__builtin_offsetof(struct rootimg_header, mem_size) == 40, "mem_size at 40");

#endif
