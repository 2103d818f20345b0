/*
 * Loading a child's boot image from the root (docs/root.md): the pure part.
 * A Linux bzImage (partitions/bzimage.c recognises it first), or an ELF64,
 * Multiboot or Multiboot2 image (core/mbhdr.c decides) becomes writes into
 * the child's RAM (through the caller's writer) and, per VP, a list of TLFS
 * register assignments for HvCallSetVpRegisters (core/abi/hvroot.h). The
 * child's memory layout and first state are those of the hypervisor's
 * loader (partitions/loader.c, docs/partitions.md) for all but Linux:
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
 *
 * A Linux bzImage (the 64-bit boot protocol, Linux's Documentation/x86/
 * boot.rst; hyperv-linux-guest.md 8.4; addresses from core/abi/childplat.h):
 *   the boot area at CHILDPLAT_BOOT_GPA (0x10000, in low RAM) instead:
 *     +0 PML4, +4K PDPT, +8K..+24K four PDs (identity map of 4 GiB, 2 MiB
 *     pages), +24K GDT (null, null, 0x10 64-bit code, 0x18 data: boot.rst's
 *     __BOOT_CS and __BOOT_DS), +28K boot_params (the zero page, 4 KiB),
 *     +32K the command line (NUL-terminated; longer than the header's
 *     cmdline_size is refused).
 *   The protected-mode kernel (file offset (setup_sects + 1) * 512 to the
 *     end) at pref_address if aligned and [pref_address, + init_size) is
 *     RAM, else at the lowest kernel_alignment-aligned address from 16 MiB
 *     that fits ("needs N MiB of RAM" if none); below 4 GiB.
 *   The initrd (the one boot module: the console's ramdisk=; a second is
 *     refused) page-aligned at the top of RAM below initrd_addr_max + 1 and
 *     4 GiB, clear of the kernel's init_size range (else right below it).
 *   The ACPI tables (struct childload_acpi, RSDP first) at
 *     CHILDPLAT_ACPI_GPA, boot_params.acpi_rsdp_addr pointing there; none
 *     given: acpi_rsdp_addr 0 (Linux then scans 0xE0000-0xFFFFF itself).
 *   boot_params: zero, the file's setup header at 0x1F1, type_of_loader
 *     0xFF, vid_mode 0xFFFF, the command line, the initrd, the e820 map
 *     [0, CHILDPLAT_LOWRAM_END) RAM, [CHILDPLAT_LOWRAM_END, 1 MiB)
 *     reserved (the ACPI tables are in it), [1 MiB, mem_bytes) RAM.
 *   VP 0 in 64-bit mode (CR0 PE|ET|NE|WP|PG, CR4.PAE, EFER LME|LMA, CR3 the
 *     PML4, CS 0x10, the data segments 0x18, interrupts off), RIP = the
 *     kernel's load address + 0x200, RSI = boot_params, the other GPRs 0.
 *   Every VP "starts" (childload_vp_starts), but only VP 0 gets registers:
 *     the hypervisor holds a Linux child's application processors in
 *     wait-for-INIT/SIPI, as hardware does, until VP 0's kernel starts
 *     them through its local APIC; the root only clears their
 *     EXPLICIT_SUSPEND.
 */
#ifndef PARTITIONS_CHILDLOAD_H
#define PARTITIONS_CHILDLOAD_H

#include "core/abi/hvroot.h"
#include "core/mbhdr.h"

#define CHILDLOAD_BOOT_AREA	0x10000ull	/* 64 KiB at the top of the child's RAM */
#define CHILDLOAD_REGS_MAX	40		/* registers of one VP's first state */
#define CHILDLOAD_MODULES_MAX	9		/* a ramdisk and 8 modules */
#define CHILDLOAD_MODULE_ALIGN	4096ull		/* each module starts on a page */

/* A boot module for a Multiboot or Multiboot2 kernel (GRUB's module/module2 line). */
struct childload_module {
	const char *cmdline;	/* NULL for none; at most 255 bytes are passed */
	const uint8_t *data;
	size_t len;
};

/*
 * The ACPI tables a Linux child gets (one blob, RSDP first, at most
 * CHILDPLAT_ACPI_MAX bytes): NULL or len 0 for none; other kernels ignore it.
 */
struct childload_acpi {
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
	uint64_t kernel_gpa;	/* Linux: the kernel's load address (entry - 0x200) */
	uint64_t kernel_size;	/* Linux: its init_size */
	unsigned nvps;
	uint64_t partition_id;
	unsigned nmods;
	uint64_t mod_start[CHILDLOAD_MODULES_MAX];	/* guest-physical, of each module (Linux: the initrd) */
};

/*
 * Check and load the image into a child of mem_bytes (a multiple of 2 MiB,
 * at least 2 MiB) with nvps VPs and the given id: its segments, the page
 * tables and GDT, the Multiboot information and command line, and the
 * nmods (at most CHILDLOAD_MODULES_MAX; mods may be NULL when 0) boot
 * modules; for a Linux kernel boot_params, its initrd and the ACPI tables
 * (acpi: NULL for none). On failure returns false with a reason in *why, valid until the
 * next call (the child's RAM may be partly written, though a refusal of
 * the image or the modules comes before any write).
 */
bool childload_image(const uint8_t *image, size_t len, uint64_t mem_bytes, unsigned nvps,
		     uint64_t partition_id, const char *cmdline,
		     const struct childload_module *mods, unsigned nmods,
		     const struct childload_acpi *acpi, const struct childload_mem *mem,
		     struct childload_plan *plan, const char **why);

/*
 * Whether childload_image would take the image and modules for a child of
 * mem_bytes, without writing anything: false with the reason in *why
 * (modules that do not fit: how many bytes they need, how many there are).
 * The root asks before it creates anything, so that a bad image costs no
 * hypercall. (A Linux command line longer than the kernel's cmdline_size
 * is refused only by childload_image, still before any write.)
 */
bool childload_check(const uint8_t *image, size_t len, uint64_t mem_bytes,
		     const struct childload_module *mods, unsigned nmods,
		     const struct childload_acpi *acpi, const char **why);

/*
 * VP `vp`'s first state as register assignments in regs[CHILDLOAD_REGS_MAX].
 * Returns how many; 0 for a VP that does not start (a Multiboot AP) and for
 * a Linux AP (it starts, but in wait-for-SIPI: the hypervisor's state).
 */
unsigned childload_vp_regs(const struct childload_plan *plan, unsigned vp,
			   struct hv_register_assoc *regs);

/*
 * true if VP `vp` starts at all, i.e. the root clears its EXPLICIT_SUSPEND:
 * every ELF64 VP, a Multiboot kernel's VP 0, every Linux VP (its APs wait
 * for INIT/SIPI in the hypervisor).
 */
static inline bool childload_vp_starts(const struct childload_plan *plan, unsigned vp)
{
	return vp < plan->nvps && (plan->proto == BOOT_PROTO_ELF64 ||
				   plan->proto == BOOT_PROTO_LINUX || vp == 0);
}

/* HV segment attributes (hvroot.h) from the VMX-style 12-bit form (type..P, limit, AVL, L, D/B, G). */
static inline uint16_t childload_seg_attr(uint16_t vmx)
{
	return (uint16_t)((vmx & 0xff) | (vmx & 0xf00) << 4);
}

#endif
