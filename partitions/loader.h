/* Loading a partition's boot image and setting its vCPUs' first state. */
#ifndef PARTITIONS_LOADER_H
#define PARTITIONS_LOADER_H

#include "partitions/partition.h"

/*
 * Load an ELF64 executable and prepare every vCPU to enter it in 64-bit
 * mode (docs/partitions.md has the entry contract).
 */
enum part_status loader_load(struct partition *p, const uint8_t *image, size_t len);

#endif
