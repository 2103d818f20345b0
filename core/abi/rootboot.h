/*
 * The root partition's boot information: what the hypervisor tells the
 * root kernel at its entry, in a block at the guest-physical address in
 * RDI (identity-mapped, virtual = physical). Shared by the hypervisor and
 * the root kernel (docs/root.md). Guest-physical = host-physical in the
 * root, so every address here is both.
 *
 * ranges[] is the root's usable RAM: every byte of it is the root's,
 * mapped at GPA = HPA, minus what the hypervisor put in the root's RAM
 * for the start (the kernel image, its page tables, GDT, stack and this
 * block), which is the root's too but not free. The boot modules lie
 * inside ranges[]: modules[] says where; the root keeps them as long as
 * it wants to read them.
 */
#ifndef CORE_ABI_ROOTBOOT_H
#define CORE_ABI_ROOTBOOT_H

#include <stdint.h>

#define ROOTBOOT_MAGIC		0x544f4f42544f4f52ull	/* "ROOTBOOT", little-endian */
#define ROOTBOOT_VERSION	1
#define ROOTBOOT_RANGES_MAX	128
#define ROOTBOOT_MODULES_MAX	16
#define ROOTBOOT_NAME_MAX	64
#define ROOTBOOT_ARGS_MAX	256
#define ROOTBOOT_CMDLINE_MAX	1024

struct rootboot_range {
	uint64_t gpa;		/* 4 KiB aligned */
	uint64_t size;		/* 4 KiB multiple, not 0 */
};

/* A boot module as a named file: "module2 /boot/x NAME ARGS..." */
struct rootboot_module {
	uint64_t gpa;
	uint64_t size;
	char name[ROOTBOOT_NAME_MAX];	/* the module line's first word, NUL-terminated */
	char args[ROOTBOOT_ARGS_MAX];	/* the rest of the line, NUL-terminated */
};

struct rootboot_info {
	uint64_t magic;			/* ROOTBOOT_MAGIC */
	uint32_t version;		/* ROOTBOOT_VERSION */
	uint32_t size;			/* sizeof(struct rootboot_info) */
	uint32_t cpu_count;		/* physical CPUs online */
	uint32_t range_count;		/* entries of ranges[] in use, sorted by address */
	uint32_t module_count;		/* entries of modules[] in use, in GRUB's order */
	/*
	 * Bit i: module i's line did not fit (longer than its buffer in the
	 * hypervisor's boot information, or args[] cut at ROOTBOOT_ARGS_MAX - 1):
	 * what is left of it may lack any setting, and is not to be trusted.
	 */
	uint32_t modules_cut;
	uint64_t kernel_gpa;		/* where the image lies: link_base's guest-physical address */
	uint64_t start_block_size;	/* the image, tables, GDT, stack and this block, from kernel_gpa */
	struct rootboot_range ranges[ROOTBOOT_RANGES_MAX];
	struct rootboot_module modules[ROOTBOOT_MODULES_MAX];
	char cmdline[ROOTBOOT_CMDLINE_MAX];	/* the hypervisor's command line, NUL-terminated */
	/*
	 * The TSC at the hypervisor's first instructions (arch/x86/boot/entry.S),
	 * for make bench's "hypervisor entry -> the root's first script command"
	 * (the root's TSC is the host's: no offset). Appended: size covers it.
	 */
	uint64_t hv_entry_tsc;
};

_Static_assert(sizeof(struct rootboot_range) == 16, "rootboot range size");
_Static_assert(ROOTBOOT_MODULES_MAX <= 32, "a bit of modules_cut per module");
_Static_assert(sizeof(struct rootboot_module) == 336, "rootboot module size");
_Static_assert(__builtin_offsetof(struct rootboot_info, cpu_count) == 16, "cpu_count at 16");
_Static_assert(__builtin_offsetof(struct rootboot_info, kernel_gpa) == 32, "kernel_gpa at 32");
_Static_assert(__builtin_offsetof(struct rootboot_info, ranges) == 48, "ranges at 48");
_Static_assert(__builtin_offsetof(struct rootboot_info, modules) == 48 + 16 * 128, "modules");
_Static_assert(__builtin_offsetof(struct rootboot_info, cmdline) == 2096 + 336 * 16, "cmdline");
_Static_assert(__builtin_offsetof(struct rootboot_info, hv_entry_tsc) == 2096 + 336 * 16 + 1024,
	       "hv_entry_tsc after cmdline");
_Static_assert(sizeof(struct rootboot_info) == 2096 + 336 * 16 + 1024 + 8, "rootboot info size");

#endif
