/* Multiboot information blocks that the loader hands to Multiboot kernels. */
#ifndef PARTITIONS_MBINFO_H
#define PARTITIONS_MBINFO_H

#include "core/types.h"

struct mbinfo_layout {
	gpa_t mbi;		/* where the block goes */
	gpa_t cmdline;		/* where the command line goes */
	gpa_t boot_area;	/* start of the loader's reserved area */
	uint64_t mem_bytes;	/* the partition's memory */
};

/* Build into buf; returns the size, or 0 if buf is too small. */
size_t mbinfo_build_v1(uint8_t *buf, size_t size, const struct mbinfo_layout *l);
size_t mbinfo_build_v2(uint8_t *buf, size_t size, const struct mbinfo_layout *l,
		       const char *cmdline);

#endif
