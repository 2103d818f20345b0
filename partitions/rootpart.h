/* The root partition: partition 0 of the design, created at boot with root=on (docs/root.md). */
#ifndef PARTITIONS_ROOTPART_H
#define PARTITIONS_ROOTPART_H

#include "core/bootinfo.h"

struct partition;
struct vp;

/*
 * Create the root partition over the RAM mm_init left to it (mm_root_ram)
 * and load its kernel (a boot module whose line starts with the word
 * "root", else the one built into hv.elf); its VP 0 is on CPU 0. The
 * caller starts it (partition_start). Panics when it cannot: without its
 * root the machine has no operating system.
 */
struct partition *rootpart_create(const struct boot_info *bi);

/* The root partition; NULL before rootpart_create or with root=off. */
struct partition *rootpart_get(void);
/*
 * The root VP that takes `child`'s intercept messages on its SINT0: the
 * root's only VP (on CPU 0) today; with one root VP per CPU, the one on
 * the child VP's home CPU. NULL without a root.
 */
struct vp *rootpart_intercept_vp(const struct vp *child);

#endif
