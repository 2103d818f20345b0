/*
 * Inside the root's child loader (partitions/childload.c): the boot area's
 * layout, shared by its two files, and the Linux 64-bit boot protocol
 * (partitions/childload_linux.c). Not a public interface.
 */
#ifndef PARTITIONS_CHILDLOAD_LINUX_H
#define PARTITIONS_CHILDLOAD_LINUX_H

#include "partitions/bzimage.h"
#include "partitions/childload.h"

/* Offsets in the boot area (childload.h's top comment). */
#define BOOT_PML4	0x0000
#define BOOT_PDPT	0x1000
#define BOOT_PD		0x2000
#define BOOT_GDT	0x6000
#define BOOT_INFO	0x7000		/* Multiboot information, or Linux's boot_params */
#define BOOT_CMDLINE	0x8000
#define BOOT_MODSTR	0x9000		/* Multiboot: the modules' command lines */
#define INFO_SIZE	0x1000		/* the information block's room */

/* An identity map of the low 4 GiB with 2 MiB pages at base: PML4, PDPT, 4 PDs. */
bool childload_identity_map(const struct childload_mem *m, uint64_t base);

/* Where a bzImage's pieces go in the child's RAM; decided before anything is written. */
struct childload_linux {
	struct bzimage_info bz;
	uint64_t kernel;	/* the protected-mode kernel's load address */
	uint64_t initrd;	/* the initrd's address, 0 for none */
	uint64_t initrd_len;
};

/* Check the bzImage, its initrd (mods: at most one) and the ACPI tables, and place them. */
bool childload_linux_plan(const uint8_t *image, size_t len, uint64_t mem_bytes,
			  const struct childload_module *mods, unsigned nmods,
			  const struct childload_acpi *acpi, struct childload_linux *lx,
			  const char **why);

/* Load a planned bzImage: refuses a command line longer than its cmdline_size before any write. */
bool childload_linux_load(const uint8_t *image, const struct childload_linux *lx,
			  uint64_t mem_bytes, const char *cmdline,
			  const struct childload_module *mods, const struct childload_acpi *acpi,
			  const struct childload_mem *m, const char **why);

#endif
