/* Partitions created at boot from GRUB module lines (docs/partitions.md). */
#ifndef PARTITIONS_BOOT_H
#define PARTITIONS_BOOT_H

#include "core/bootinfo.h"

/* Create and start a partition for every module whose line has partition=NAME. */
void boot_partitions_start(const struct boot_info *bi);

/*
 * root=on: the hypervisor parses no module line and creates no partition;
 * says once how many lines it leaves to the root's default script.
 */
void boot_partitions_ignored(const struct boot_info *bi);

#endif
