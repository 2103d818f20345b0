/*
 * Multiboot 0.6.96 test kernel: checks, from the inside, the machine state
 * of 3.2 and the information structure of 3.3 that the hypervisor's loader
 * hands over, then stops the partition with the number of failures.
 */
#include "tests/guests/mb/mb.h"
#include "core/lib.h"

#define MB1_BOOTLOADER_MAGIC	0x2badb002u
#define MB1_INFO_SIZE		88	/* flags .. vbe_interface_len */
#define F_MEM			(1u << 0)
#define F_CMDLINE		(1u << 2)
#define F_MODS			(1u << 3)
#define MB1_MOD_SIZE		16	/* mod_start, mod_end, string, reserved */
#define F_MMAP			(1u << 6)
#define F_LOADER_NAME		(1u << 9)
#define MAX_RANGES		32

struct mb1_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4];
	uint32_t mmap_length, mmap_addr, drives_length, drives_addr;
	uint32_t config_table, boot_loader_name, apm_table;
} __attribute__((packed));

void mb1_main(uint32_t magic, uint32_t info, uint32_t eflags);

static volatile uint32_t bss_probe[64];

/* Walk the map: each entry is "size" then size bytes (base, length, type). */
static unsigned read_mmap(const struct mb1_info *mi, struct mb_range *r, bool *shape_ok)
{
	uint32_t p = mi->mmap_addr, end = mi->mmap_addr + mi->mmap_length;
	unsigned n = 0;

	*shape_ok = mi->mmap_length > 0;
	while (p < end && n < MAX_RANGES) {
		const volatile uint8_t *e = (const volatile uint8_t *)p;
		uint32_t size = *(const volatile uint32_t *)e;

		if (size < 20 || size > end - p - 4) {
			*shape_ok = false;
			break;
		}
		r[n].base = *(const volatile uint64_t *)(e + 4);
		r[n].len = *(const volatile uint64_t *)(e + 12);
		r[n].type = *(const volatile uint32_t *)(e + 20);
		n++;
		p += size + 4;
	}
	if (p != end)
		*shape_ok = false;
	return n;
}

/* The module list (3.3), when flags bit 3 says there is one; returns how many were read. */
static unsigned read_modules(const struct mb1_info *mi, struct mb_module *m,
			     const struct mb_range *r, unsigned n)
{
	bool listed;

	if (!(mi->flags & F_MODS) || !mi->mods_count)
		return 0;
	mb_printf("mb1: mods_count=%u mods_addr=0x%x\n", mi->mods_count, mi->mods_addr);
	listed = mi->mods_addr && mi->mods_count <= MB_MODULES_MAX;
	check_val(listed, "modules: flags bit 3 is set and mods_addr holds mods_count entries",
		  mi->mods_count);
	if (!listed)
		return 0;
	mb_check_placement("the module list", mi->mods_addr, mi->mods_count * MB1_MOD_SIZE, r, n);
	for (unsigned i = 0; i < mi->mods_count; i++) {
		const volatile uint32_t *e =
			(const volatile uint32_t *)(mi->mods_addr + i * MB1_MOD_SIZE);

		m[i].start = e[0];
		m[i].end = e[1];
		m[i].string = (const char *)e[2];
	}
	return mi->mods_count;
}

void mb1_main(uint32_t magic, uint32_t info, uint32_t eflags)
{
	struct mb_module mods[MB_MODULES_MAX];
	const struct mb1_info *mi = (const struct mb1_info *)info;
	struct mb_range r[MAX_RANGES];
	unsigned n = 0;
	bool shape_ok = false, zero = true;

	mb_idt_install();
	mb_printf("mb1: Multiboot kernel at 0x%x-0x%x, eax=0x%x ebx=0x%x\n",
		  (uint32_t)_load_start, (uint32_t)_bss_end, magic, info);
	check_val(magic == MB1_BOOTLOADER_MAGIC, "eax holds the Multiboot magic 0x2badb002", magic);
	mb_check_machine_state(eflags);
	for (unsigned i = 0; i < 64; i++)
		zero &= bss_probe[i] == 0;
	check(zero, "bss (bss_end_addr) is zero");
	if (!check_val(info && !(info & 3), "ebx points to the information structure", info))
		mb_exit();

	mb_printf("mb1: flags=0x%x mem_lower=%u mem_upper=%u\n", mi->flags, mi->mem_lower,
		  mi->mem_upper);
	check_val((mi->flags & (F_MEM | F_CMDLINE | F_MMAP | F_LOADER_NAME)) ==
		  (F_MEM | F_CMDLINE | F_MMAP | F_LOADER_NAME),
		  "flags has bits 0 (mem), 2 (cmdline), 6 (mmap), 9 (loader name)", mi->flags);
	check_val(mi->mem_lower == 639, "mem_lower is 639 KiB", mi->mem_lower);
	check_val(mi->mem_upper > 0, "mem_upper is above 0", mi->mem_upper);

	if (mi->flags & F_CMDLINE) {
		const char *c = (const char *)mi->cmdline;

		mb_printf("mb1: cmdline \"%s\"\n", c ? c : "(null)");
		check(c && !strcmp(c, MB_EXPECTED_CMDLINE),
		      "cmdline is \"" MB_EXPECTED_CMDLINE "\"");
	}
	if (mi->flags & F_LOADER_NAME) {
		const char *s = (const char *)mi->boot_loader_name;

		check(s && !strcmp(s, MB_LOADER_NAME), "boot_loader_name is \"" MB_LOADER_NAME "\"");
	}
	if (mi->flags & F_MMAP) {
		n = read_mmap(mi, r, &shape_ok);
		check_val(shape_ok, "mmap: entries of size 20 fill mmap_length exactly",
			  mi->mmap_length);
		mb_check_memory_map("mb1: mmap", r, n, mi->mem_lower, mi->mem_upper);
		mb_check_placement("the information structure", info, MB1_INFO_SIZE, r, n);
		mb_check_placement("the memory map", mi->mmap_addr, mi->mmap_length, r, n);
		if (mi->flags & F_CMDLINE)
			mb_check_placement("the command line", mi->cmdline,
					   strnlen((const char *)mi->cmdline, 4096) + 1, r, n);
		if (mi->flags & F_LOADER_NAME)
			mb_check_placement("the loader name", mi->boot_loader_name,
					   strnlen((const char *)mi->boot_loader_name, 4096) + 1,
					   r, n);
	}
	mb_check_modules(mods, read_modules(mi, mods, r, n), info, r, n);
	mb_check_hypercalls();
	mb_check_real_mode_hypercall();		/* last: it overwrites low memory */
	mb_exit();
}
