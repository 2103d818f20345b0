/*
 * The Linux x86-64 boot protocol in the root's child loader
 * (partitions/childload.h): a bzImage's protected-mode kernel, its initrd,
 * the zero page (boot_params), the command line and the ACPI tables in the
 * child's RAM, as Linux's Documentation/x86/boot.rst "64-bit Boot
 * Protocol" and zero-page.rst ask (hyperv-linux-guest.md 8.4). The first
 * state of VP 0 is childload.c's.
 */
#include "partitions/childload_linux.h"
#include "core/abi/childplat.h"
#include "core/lib.h"

#define KERNEL_FLOOR	MIB(16)		/* a relocated kernel's lowest address */
#define LOW_END		MIB(1)		/* below: the boot area, ACPI, the BIOS hole */
#define CMDLINE_ROOM	(CHILDLOAD_BOOT_AREA - BOOT_CMDLINE)	/* with its NUL */

_Static_assert(CHILDPLAT_BOOT_GPA + CHILDLOAD_BOOT_AREA <= CHILDPLAT_LOWRAM_END,
	       "the boot area is low RAM");
_Static_assert(CHILDPLAT_ACPI_GPA >= CHILDPLAT_LOWRAM_END &&
	       CHILDPLAT_ACPI_GPA + CHILDPLAT_ACPI_MAX <= LOW_END,
	       "the ACPI tables are in the reserved hole");
_Static_assert(sizeof(struct linux_boot_params) == INFO_SIZE, "boot_params fills its room");


/* [at, at + size) is RAM of the child above the low megabyte and below 4 GiB (the identity map). */
static bool ram_range(uint64_t at, uint64_t size, uint64_t mem_bytes)
{
	uint64_t top = MIN(mem_bytes, GIB(4));

	return at >= LOW_END && at <= top && size <= top - at;
}

/*
 * boot.rst: a relocatable kernel goes anywhere aligned to kernel_alignment
 * with init_size bytes from there; pref_address is where it runs without
 * moving itself. Else the lowest aligned address from 16 MiB up.
 */
static bool place_kernel(const struct bzimage_info *bz, uint64_t mem_bytes, uint64_t *at,
			 const char **why)
{
	uint64_t pref = bz->pref_address, low = ALIGN_UP(KERNEL_FLOOR, bz->alignment);

	if (ram_range(pref, bz->init_size, mem_bytes) &&
	    (!bz->relocatable || pref % bz->alignment == 0)) {
		*at = pref;
		return true;
	}
	if (!bz->relocatable)
		return loader_failf(why, "bzImage is not relocatable and needs %lu MiB of RAM "
			     "(init_size 0x%lx at pref_address 0x%lx), the child has %lu MiB",
			     (unsigned long)(ALIGN_UP(pref + bz->init_size, MIB(1)) >> 20),
			     (unsigned long)bz->init_size, (unsigned long)pref,
			     (unsigned long)(mem_bytes >> 20));
	if (!ram_range(low, bz->init_size, mem_bytes))
		return loader_failf(why, "bzImage needs %lu MiB of RAM (init_size 0x%lx at 0x%lx), "
			     "the child has %lu MiB",
			     (unsigned long)(ALIGN_UP(low + bz->init_size, MIB(1)) >> 20),
			     (unsigned long)bz->init_size, (unsigned long)low,
			     (unsigned long)(mem_bytes >> 20));
	*at = low;
	return true;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * The initrd page-aligned at the top of the RAM it may use (below
 * initrd_addr_max + 1 and 4 GiB), or else right below the kernel.
 */
static bool place_initrd(struct childload_linux *lx, uint64_t len, uint64_t mem_bytes,
			 const char **why)
{
	uint64_t top = MIN(MIN(mem_bytes, GIB(4)), (uint64_t)lx->bz.hdr.initrd_addr_max + 1);
	uint64_t at = top >= len ? ALIGN_DOWN(top - len, CHILDLOAD_MODULE_ALIGN) : 0;

	if (overlaps(at, len, lx->kernel, lx->bz.init_size))
		at = lx->kernel >= len ? ALIGN_DOWN(lx->kernel - len, CHILDLOAD_MODULE_ALIGN) : 0;
	if (!ram_range(at, len, top) || overlaps(at, len, lx->kernel, lx->bz.init_size))
		return loader_failf(why, "the initrd of %lu bytes does not fit below 0x%lx (RAM, 4 GiB, "
			     "initrd_addr_max) beside the kernel at [0x%lx, 0x%lx)",
			     (unsigned long)len, (unsigned long)top, (unsigned long)lx->kernel,
			     (unsigned long)(lx->kernel + lx->bz.init_size));
	lx->initrd = at;
	lx->initrd_len = len;
	return true;
}

bool childload_linux_plan(const uint8_t *image, size_t len, uint64_t mem_bytes,
			  const struct childload_module *mods, unsigned nmods,
			  const struct childload_acpi *acpi, struct childload_linux *lx,
			  const char **why)
{
	memset(lx, 0, sizeof(*lx));
	if (!bzimage_parse(image, len, &lx->bz, why))
		return false;
	if (nmods > 1)
		return loader_failf(why, "a Linux kernel takes one boot module, its initrd (ramdisk=); "
			     "%u given", nmods);
	if (acpi && acpi->len > CHILDPLAT_ACPI_MAX)
		return loader_failf(why, "ACPI tables of %lu bytes do not fit the %lu at 0x%lx",
			     (unsigned long)acpi->len, (unsigned long)CHILDPLAT_ACPI_MAX,
			     (unsigned long)CHILDPLAT_ACPI_GPA);
	if (!place_kernel(&lx->bz, mem_bytes, &lx->kernel, why))
		return false;
	return !nmods || !mods[0].len || place_initrd(lx, mods[0].len, mem_bytes, why);
}

/* zero-page.rst: the setup header from the file, then the fields a loader owns. */
static void fill_boot_params(struct linux_boot_params *bp, const uint8_t *image,
			     const struct childload_linux *lx, uint64_t mem_bytes, bool acpi)
{
	const uint64_t cmdline = CHILDPLAT_BOOT_GPA + BOOT_CMDLINE;
	const struct boot_e820_entry e820[] = {
		{ 0, CHILDPLAT_LOWRAM_END, LINUX_E820_RAM },
		/* the BIOS hole: the ACPI tables lie in it, so they are never RAM */
		{ CHILDPLAT_LOWRAM_END, LOW_END - CHILDPLAT_LOWRAM_END, LINUX_E820_RESERVED },
		{ LOW_END, mem_bytes - LOW_END, LINUX_E820_RAM },
	};

	memset(bp, 0, sizeof(*bp));
	memcpy(bp->hdr_bytes, image + LINUX_SETUP_HDR_OFF, lx->bz.hdr_len);
	bp->hdr.type_of_loader = LINUX_TYPE_OF_LOADER_UNDEF;
	bp->hdr.vid_mode = LINUX_VID_MODE_NORMAL;
	bp->hdr.hardware_subarch = 0;		/* the PC */
	bp->hdr.hardware_subarch_data = 0;
	bp->hdr.setup_data = 0;			/* no list */
	bp->hdr.cmd_line_ptr = (uint32_t)cmdline;
	bp->ext_cmd_line_ptr = (uint32_t)(cmdline >> 32);
	bp->hdr.ramdisk_image = (uint32_t)lx->initrd;
	bp->ext_ramdisk_image = (uint32_t)(lx->initrd >> 32);
	bp->hdr.ramdisk_size = (uint32_t)lx->initrd_len;
	bp->ext_ramdisk_size = (uint32_t)(lx->initrd_len >> 32);
	bp->acpi_rsdp_addr = acpi ? CHILDPLAT_ACPI_GPA : 0;	/* else Linux scans 0xE0000 */
	bp->e820_entries = sizeof(e820) / sizeof(e820[0]);
	memcpy(bp->e820_table, e820, sizeof(e820));
}

/*
 * The reset vector, F000:FFF0 (physical 0xFFFF0), where there is no
 * firmware. A hardware-reduced ACPI machine without EFI makes Linux
 * reboot through "EFI", which is absent, and then through the BIOS:
 * machine_real_restart() jumps there in real mode (hyperv-linux-guest.md
 * 8.2, arch/x86/kernel/reboot.c). So the jump ends somewhere defined:
 * the 8042's reset pulse (the root resets the child, on_reboot), and a
 * halt should that ever return.
 */
static const uint8_t reset_stub[] = {
	0xb0, 0xfe,		/* mov al, 0xfe */
	0xe6, 0x64,		/* out 0x64, al: pulse the reset line */
	0xfa,			/* cli */
	0xf4,			/* hlt */
	0xeb, 0xfc,		/* jmp back to the cli */
};

bool childload_linux_load(const uint8_t *image, const struct childload_linux *lx,
			  uint64_t mem_bytes, const char *cmdline,
			  const struct childload_module *mods, const struct childload_acpi *acpi,
			  const struct childload_mem *m, const char **why)
{
	/* __BOOT_CS 0x10: 64-bit code; __BOOT_DS 0x18: flat data (boot.rst, 64-bit protocol) */
	static const uint64_t gdt[4] = { 0, 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull };
	static struct linux_boot_params bp;	/* static: the root's stack is small */
	const uint64_t base = CHILDPLAT_BOOT_GPA;
	uint64_t max = MIN((uint64_t)lx->bz.hdr.cmdline_size, CMDLINE_ROOM - 1);
	size_t n = strnlen(cmdline, (size_t)max + 1);
	bool tables = acpi && acpi->len;

	if (n > max)
		return loader_failf(why, "the command line is longer than the kernel's cmdline_size "
			     "(%lu bytes)", (unsigned long)max);
	fill_boot_params(&bp, image, lx, mem_bytes, tables);
	*why = "the image does not fit the partition's memory";
	return childload_identity_map(m, base) &&
	       m->write(m->ctx, base + BOOT_GDT, gdt, sizeof(gdt)) &&
	       m->write(m->ctx, base + BOOT_INFO, &bp, sizeof(bp)) &&
	       m->write(m->ctx, base + BOOT_CMDLINE, cmdline, n) &&
	       m->zero(m->ctx, base + BOOT_CMDLINE + n, 1) &&
	       m->write(m->ctx, lx->kernel, image + lx->bz.kernel_off, lx->bz.kernel_len) &&
	       (!lx->initrd_len || m->write(m->ctx, lx->initrd, mods[0].data, lx->initrd_len)) &&
	       (!tables || m->write(m->ctx, CHILDPLAT_ACPI_GPA, acpi->data, acpi->len)) &&
	       m->write(m->ctx, CHILDPLAT_RESET_VECTOR_GPA, reset_stub, sizeof(reset_stub));
}
