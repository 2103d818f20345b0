/* Partitions created at boot from GRUB module lines (docs/partitions.md). */
#ifndef PARTITIONS_BOOT_H
#define PARTITIONS_BOOT_H

#include "core/bootinfo.h"

/* Create and start a partition for every module whose line has partition=NAME. */
void boot_partitions_start(const struct boot_info *bi);

#endif
