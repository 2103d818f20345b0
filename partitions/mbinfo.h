/* Multiboot information blocks that the loader hands to Multiboot kernels. */
#ifndef PARTITIONS_MBINFO_H
#define PARTITIONS_MBINFO_H

#include "core/types.h"

#define MBINFO_MODULES_MAX	9	/* the most module entries a block holds */

/* A boot module already in the partition's memory: [start, end), below 4 GiB. */
struct mbinfo_module {
	uint32_t start, end;
	uint32_t string_gpa;	/* Multiboot: where its command line lies */
	const char *string;	/* Multiboot2: its command line, copied into the tag */
};

struct mbinfo_layout {
	gpa_t mbi;		/* where the block goes */
	gpa_t cmdline;		/* where the command line goes */
	gpa_t boot_area;	/* start of the loader's reserved area */
	uint64_t mem_bytes;	/* the partition's memory */
	const struct mbinfo_module *mods;	/* nmods <= MBINFO_MODULES_MAX */
	unsigned nmods;
};

/* Build into buf; returns the size, or 0 if buf is too small or nmods too big. */
size_t mbinfo_build_v1(uint8_t *buf, size_t size, const struct mbinfo_layout *l);
size_t mbinfo_build_v2(uint8_t *buf, size_t size, const struct mbinfo_layout *l,
		       const char *cmdline);

#endif
