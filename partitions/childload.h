/*
 * Loading a child's boot image from the root (docs/root.md): the pure part.
 * An ELF64, Multiboot or Multiboot2 image (core/mbhdr.c decides) becomes
 * writes into the child's RAM (through the caller's writer) and, per VP, a
 * list of TLFS register assignments for HvCallSetVpRegisters
 * (core/abi/hvroot.h). The child's memory layout and first state are those
 * of the hypervisor's loader (partitions/loader.c, docs/partitions.md):
 *
 *   top 64 KiB of RAM (the boot area):
 *     +0 PML4, +4K PDPT, +8K..+24K four PDs (ELF64: identity map of 4 GiB),
 *     +24K GDT, +28K Multiboot information (4 KiB), +32K command line,
 *     +36K Multiboot (v1): the boot modules' command lines, 256 bytes each
 *     (Multiboot2 has them inside its module tags),
 *     the rest: the ELF64 VPs' stacks, 4 KiB each from the top down.
 *   Multiboot boot modules (the first is the ramdisk, as GRUB's first
 *     `module` line): their bytes in the order given, from the first page
 *     after the kernel's highest loaded byte, each starting page-aligned,
 *     all below the boot area (and 4 GiB). The memory map still calls that
 *     RAM available, as GRUB's does; the module list says what to avoid.
 *   ELF64: every VP in 64-bit mode; RDI = memory size, RSI = VP index,
 *     RDX = number of VPs, RCX = partition id, RSP = top - 4 KiB * VP index.
 *   Multiboot: VP 0 only, 32-bit protected mode with paging off, EAX the
 *     magic, EBX the information block; the other VPs stay suspended.
 */
#ifndef PARTITIONS_CHILDLOAD_H
#define PARTITIONS_CHILDLOAD_H

#include "core/abi/hvroot.h"
#include "core/mbhdr.h"

#define CHILDLOAD_BOOT_AREA	0x10000ull	/* 64 KiB at the top of the child's RAM */
#define CHILDLOAD_REGS_MAX	32		/* registers of one VP's first state */
#define CHILDLOAD_MODULES_MAX	9		/* a ramdisk and 8 modules */
#define CHILDLOAD_MODULE_ALIGN	4096ull		/* each module starts on a page */

/* A boot module for a Multiboot or Multiboot2 kernel (GRUB's module/module2 line). */
struct childload_module {
	const char *cmdline;	/* NULL for none; at most 255 bytes are passed */
	const uint8_t *data;
	size_t len;
};

/* Writes into the child's RAM at a guest-physical address; false if outside it. */
struct childload_mem {
	bool (*write)(void *ctx, uint64_t gpa, const void *src, size_t len);
	bool (*zero)(void *ctx, uint64_t gpa, size_t len);
	void *ctx;
};

/* What the registers of each VP are computed from. */
struct childload_plan {
	enum boot_proto proto;
	uint64_t entry;
	uint64_t mem_bytes;
	uint64_t boot_area;	/* guest-physical */
	unsigned nvps;
	uint64_t partition_id;
	unsigned nmods;
	uint64_t mod_start[CHILDLOAD_MODULES_MAX];	/* guest-physical, of each module */
};

/*
 * Check and load the image into a child of mem_bytes (a multiple of 2 MiB,
 * at least 2 MiB) with nvps VPs and the given id: its segments, the page
 * tables and GDT, the Multiboot information and command line, and the
 * nmods (at most CHILDLOAD_MODULES_MAX; mods may be NULL when 0) boot
 * modules. On failure returns false with a reason in *why, valid until the
 * next call (the child's RAM may be partly written, though a refusal of
 * the image or the modules comes before any write).
 */
bool childload_image(const uint8_t *image, size_t len, uint64_t mem_bytes, unsigned nvps,
		     uint64_t partition_id, const char *cmdline,
		     const struct childload_module *mods, unsigned nmods,
		     const struct childload_mem *mem, struct childload_plan *plan,
		     const char **why);

/*
 * Whether childload_image would take the image and modules for a child of
 * mem_bytes, without writing anything: false with the reason in *why
 * (modules that do not fit: how many bytes they need, how many there are).
 * The root asks before it creates anything, so that a bad image costs no
 * hypercall.
 */
bool childload_check(const uint8_t *image, size_t len, uint64_t mem_bytes,
		     const struct childload_module *mods, unsigned nmods, const char **why);

/*
 * VP `vp`'s first state as register assignments in regs[CHILDLOAD_REGS_MAX].
 * Returns how many; 0 for a VP that does not start (a Multiboot AP).
 */
unsigned childload_vp_regs(const struct childload_plan *plan, unsigned vp,
			   struct hv_register_assoc *regs);

/* true if VP `vp` starts at all (every ELF64 VP; a Multiboot kernel's VP 0). */
static inline bool childload_vp_starts(const struct childload_plan *plan, unsigned vp)
{
	return vp < plan->nvps && (plan->proto == BOOT_PROTO_ELF64 || vp == 0);
}

/* HV segment attributes (hvroot.h) from the VMX-style 12-bit form (type..P, limit, AVL, L, D/B, G). */
static inline uint16_t childload_seg_attr(uint16_t vmx)
{
	return (uint16_t)((vmx & 0xff) | (vmx & 0xf00) << 4);
}

#endif
