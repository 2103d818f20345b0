/*
 * How to load a partition's kernel image: find a Multiboot2 header (first
 * 32 KiB) or a Multiboot header (first 8 KiB) and turn it into a load plan;
 * an image with neither must be an ELF64 executable. Pure logic.
 */
#ifndef CORE_MBHDR_H
#define CORE_MBHDR_H

#include "core/elf.h"

enum boot_proto {
	BOOT_PROTO_ELF64,	/* 64-bit entry, see docs/partitions.md */
	BOOT_PROTO_MB1,		/* Multiboot 0.6.96: 32-bit protected mode, EAX 0x2badb002 */
	BOOT_PROTO_MB2,		/* Multiboot2: 32-bit protected mode, EAX 0x36d76289 */
	BOOT_PROTO_LINUX,	/* a bzImage's 64-bit entry: only the root's child loader
				   (partitions/bzimage.c); mbhdr_plan never says it */
};

struct load_plan {
	enum boot_proto proto;
	struct elf_image img;	/* segments and entry, whatever the format */
};

bool mbhdr_plan(const uint8_t *buf, size_t len, uint64_t mem_limit,
		struct load_plan *plan, const char **why);

#endif
