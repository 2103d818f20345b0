/*
 * The Linux x86 boot protocol (Linux's Documentation/x86/boot.rst and
 * zero-page.rst, arch/x86/include/uapi/asm/bootparam.h; the facts in
 * hyperv-linux-guest.md 8.4): the setup header a bzImage carries at file
 * offset 0x1F1, and the 4 KiB `struct boot_params` (the "zero page") a
 * loader hands the kernel in RSI at the 64-bit entry. Only the fields the
 * root's loader reads or writes are named; the rest is padding of the
 * right size, so every offset below is the ABI's (checked at compile time).
 */
#ifndef CORE_ABI_LINUXBOOT_H
#define CORE_ABI_LINUXBOOT_H

#include <stddef.h>
#include <stdint.h>

#define LINUX_BOOT_FLAG		0xaa55u		/* boot_flag at 0x1FE */
#define LINUX_HDRS_MAGIC	0x53726448u	/* "HdrS" at 0x202 */
#define LINUX_SETUP_HDR_OFF	0x1f1u		/* where the setup header starts, file and zero page */
#define LINUX_SETUP_JUMP_OFF	0x201u		/* its length: 0x202 + this byte - 0x1F1 */
#define LINUX_SECTOR		512u
#define LINUX_SETUP_SECTS_DEF	4u		/* setup_sects 0 means 4 */
#define LINUX_PROTO_MIN		0x020cu		/* 2.12: xloadflags, the 64-bit entry */
#define LINUX_ENTRY64_OFF	0x200u		/* startup_64: load address + 0x200 */

/* loadflags (0x211) */
#define LINUX_LOADED_HIGH	0x01u		/* the protected-mode kernel is loaded at 1 MiB or above */
/* xloadflags (0x236) */
#define LINUX_XLF_KERNEL_64	0x01u		/* a 64-bit entry at load address + 0x200 */
#define LINUX_XLF_ABOVE_4G	0x02u		/* kernel, boot_params, cmdline, initrd may be above 4 GiB */

#define LINUX_TYPE_OF_LOADER_UNDEF	0xffu	/* "no registered ID" */
#define LINUX_VID_MODE_NORMAL		0xffffu
#define LINUX_E820_MAX			128u

/* E820 types (zero-page.rst, ACPI 6.x 15.1) */
#define LINUX_E820_RAM		1u
#define LINUX_E820_RESERVED	2u

/* The setup header: boot.rst "The Real-Mode Kernel Header", up to protocol 2.15. */
struct linux_setup_header {
	uint8_t setup_sects;		/* 0x1F1 */
	uint16_t root_flags;
	uint32_t syssize;
	uint16_t ram_size;
	uint16_t vid_mode;		/* 0x1FA */
	uint16_t root_dev;
	uint16_t boot_flag;		/* 0x1FE */
	uint16_t jump;			/* 0x200 */
	uint32_t header;		/* 0x202 */
	uint16_t version;		/* 0x206 */
	uint32_t realmode_swtch;
	uint16_t start_sys_seg;
	uint16_t kernel_version;
	uint8_t type_of_loader;		/* 0x210 */
	uint8_t loadflags;		/* 0x211 */
	uint16_t setup_move_size;
	uint32_t code32_start;
	uint32_t ramdisk_image;		/* 0x218 */
	uint32_t ramdisk_size;		/* 0x21C */
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr;
	uint8_t ext_loader_ver;
	uint8_t ext_loader_type;
	uint32_t cmd_line_ptr;		/* 0x228 */
	uint32_t initrd_addr_max;	/* 0x22C */
	uint32_t kernel_alignment;	/* 0x230 */
	uint8_t relocatable_kernel;	/* 0x234 */
	uint8_t min_alignment;
	uint16_t xloadflags;		/* 0x236 */
	uint32_t cmdline_size;		/* 0x238 */
	uint32_t hardware_subarch;	/* 0x23C */
	uint64_t hardware_subarch_data;
	uint32_t payload_offset;
	uint32_t payload_length;
	uint64_t setup_data;		/* 0x250 */
	uint64_t pref_address;		/* 0x258 */
	uint32_t init_size;		/* 0x260 */
	uint32_t handover_offset;
	uint32_t kernel_info_offset;	/* 0x268 */
} __attribute__((packed));

#define LINUX_HDR_AT(field)	(LINUX_SETUP_HDR_OFF + offsetof(struct linux_setup_header, field))
_Static_assert(LINUX_HDR_AT(vid_mode) == 0x1fa, "vid_mode");
_Static_assert(LINUX_HDR_AT(boot_flag) == 0x1fe, "boot_flag");
_Static_assert(LINUX_HDR_AT(header) == 0x202, "header");
_Static_assert(LINUX_HDR_AT(version) == 0x206, "version");
_Static_assert(LINUX_HDR_AT(type_of_loader) == 0x210, "type_of_loader");
_Static_assert(LINUX_HDR_AT(loadflags) == 0x211, "loadflags");
_Static_assert(LINUX_HDR_AT(ramdisk_image) == 0x218, "ramdisk_image");
_Static_assert(LINUX_HDR_AT(ramdisk_size) == 0x21c, "ramdisk_size");
_Static_assert(LINUX_HDR_AT(cmd_line_ptr) == 0x228, "cmd_line_ptr");
_Static_assert(LINUX_HDR_AT(initrd_addr_max) == 0x22c, "initrd_addr_max");
_Static_assert(LINUX_HDR_AT(kernel_alignment) == 0x230, "kernel_alignment");
_Static_assert(LINUX_HDR_AT(relocatable_kernel) == 0x234, "relocatable_kernel");
_Static_assert(LINUX_HDR_AT(xloadflags) == 0x236, "xloadflags");
_Static_assert(LINUX_HDR_AT(cmdline_size) == 0x238, "cmdline_size");
_Static_assert(LINUX_HDR_AT(hardware_subarch) == 0x23c, "hardware_subarch");
_Static_assert(LINUX_HDR_AT(setup_data) == 0x250, "setup_data");
_Static_assert(LINUX_HDR_AT(pref_address) == 0x258, "pref_address");
_Static_assert(LINUX_HDR_AT(init_size) == 0x260, "init_size");
_Static_assert(sizeof(struct linux_setup_header) == 0x26c - 0x1f1, "up to kernel_info_offset");

/* The end of the fields the loader needs (init_size): a shorter header is refused. */
#define LINUX_SETUP_HDR_NEED	(LINUX_HDR_AT(init_size) + 4)

/* One E820 entry in boot_params (packed: 20 bytes). */
struct boot_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct boot_e820_entry) == 20, "boot_e820_entry");

/* The zero page (zero-page.rst): 4 KiB. */
struct linux_boot_params {
	uint8_t pad0[0x070];
	uint64_t acpi_rsdp_addr;	/* 0x070 */
	uint8_t pad1[0x0c0 - 0x078];
	uint32_t ext_ramdisk_image;	/* 0x0C0 */
	uint32_t ext_ramdisk_size;	/* 0x0C4 */
	uint32_t ext_cmd_line_ptr;	/* 0x0C8 */
	uint8_t pad2[0x1e8 - 0x0cc];
	uint8_t e820_entries;		/* 0x1E8 */
	uint8_t pad3[0x1ef - 0x1e9];
	uint8_t sentinel;		/* 0x1EF: left 0, or the kernel wipes "garbage" fields */
	uint8_t pad4;
	union {				/* 0x1F1: the setup header, as long as the file's */
		struct linux_setup_header hdr;
		uint8_t hdr_bytes[0x2d0 - 0x1f1];
	};
	struct boot_e820_entry e820_table[LINUX_E820_MAX];	/* 0x2D0 */
	uint8_t pad5[0x1000 - 0x2d0 - LINUX_E820_MAX * 20];
} __attribute__((packed));

_Static_assert(offsetof(struct linux_boot_params, acpi_rsdp_addr) == 0x070, "acpi_rsdp_addr");
_Static_assert(offsetof(struct linux_boot_params, ext_ramdisk_image) == 0x0c0, "ext_ramdisk_image");
_Static_assert(offsetof(struct linux_boot_params, ext_ramdisk_size) == 0x0c4, "ext_ramdisk_size");
_Static_assert(offsetof(struct linux_boot_params, ext_cmd_line_ptr) == 0x0c8, "ext_cmd_line_ptr");
_Static_assert(offsetof(struct linux_boot_params, e820_entries) == 0x1e8, "e820_entries");
_Static_assert(offsetof(struct linux_boot_params, sentinel) == 0x1ef, "sentinel");
_Static_assert(offsetof(struct linux_boot_params, hdr) == LINUX_SETUP_HDR_OFF, "hdr");
_Static_assert(offsetof(struct linux_boot_params, e820_table) == 0x2d0, "e820_table");
_Static_assert(sizeof(struct linux_boot_params) == 0x1000, "the zero page is 4 KiB");
/* A file may claim a header up to 0x301 (0x202 + 255); one reaching the e820 table is refused. */
#define LINUX_SETUP_HDR_MAX	(0x2d0u - LINUX_SETUP_HDR_OFF)

#endif
