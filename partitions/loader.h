/* Loading a partition's boot image and setting its vCPUs' first state. */
#ifndef PARTITIONS_LOADER_H
#define PARTITIONS_LOADER_H

#include "partitions/partition.h"

/*
 * Load a kernel (ELF64, or Multiboot / Multiboot2) and prepare the vCPUs to
 * enter it as its protocol says (docs/partitions.md has the contracts).
 */
enum part_status loader_load(struct partition *p, const uint8_t *image, size_t len,
			     const char *cmdline);

#endif
