/*
 * What the hypervisor learns from its boot loader, in a loader-neutral form.
 * Filled by mb2_parse() from the Multiboot2 information; every string is a
 * private, NUL-terminated copy, so nothing points back into loader memory.
 */
#ifndef CORE_BOOTINFO_H
#define CORE_BOOTINFO_H

#include "core/types.h"

#define BOOT_CMDLINE_MAX	1024
#define BOOT_NAME_MAX		64
#define BOOT_MODULES_MAX	16
#define BOOT_MODULE_CMDLINE_MAX	256
#define BOOT_MMAP_MAX		256
#define BOOT_RSDP_MAX		36

enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIM = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

struct mem_range {
	uint64_t base;
	uint64_t len;
	uint32_t type;		/* enum mem_type */
};

struct boot_module {
	paddr_t start;
	paddr_t end;		/* exclusive */
	char cmdline[BOOT_MODULE_CMDLINE_MAX];
	bool cmdline_cut;	/* the loader's string was longer: cmdline is its start */
};

struct boot_info {
	paddr_t mbi_start, mbi_end;	/* the information block itself */
	char cmdline[BOOT_CMDLINE_MAX];
	char loader[BOOT_NAME_MAX];
	struct mem_range mmap[BOOT_MMAP_MAX];
	unsigned mmap_count;
	bool mmap_from_efi;		/* no BIOS map: built from the EFI map */
	struct boot_module modules[BOOT_MODULES_MAX];
	unsigned module_count;
	uint8_t rsdp[BOOT_RSDP_MAX];	/* copy of the RSDP, 0 length if none */
	unsigned rsdp_len;
	unsigned errors;		/* malformed tags reported and skipped */
};

/* The TSC at the hypervisor's first instructions (arch/x86/boot/entry.S; make bench). */
extern uint64_t hv_entry_tsc;

#endif
