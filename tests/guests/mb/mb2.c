/*
 * Multiboot2 test kernel: checks, from the inside, the machine state of
 * 3.3 and the boot information of 3.6 (fixed part, then 8-aligned tags up
 * to an end tag) that the hypervisor's loader hands over, then stops the
 * partition with the number of failures.
 */
#include "tests/guests/mb/mb.h"
#include "core/lib.h"

#define MB2_BOOTLOADER_MAGIC	0x36d76289u
#define TAG_END			0
#define TAG_CMDLINE		1
#define TAG_LOADER_NAME		2
#define TAG_MODULE		3
#define TAG_BASIC_MEMINFO	4
#define TAG_MMAP		6
#define MAX_RANGES		32
#define MAX_INFO		65536u

void mb2_main(uint32_t magic, uint32_t info, uint32_t eflags);

static volatile uint32_t bss_probe[64];

static uint32_t rd32(uint32_t addr) { return *(const volatile uint32_t *)addr; }
static uint64_t rd64(uint32_t addr) { return *(const volatile uint64_t *)addr; }

void mb2_main(uint32_t magic, uint32_t info, uint32_t eflags)
{
	uint32_t total, seen[8] = { 0 }, mem_lower = 0, mem_upper = 0, p, end;
	uint32_t cmdline = 0, name = 0, mmap = 0, mmap_size = 0;
	struct mb_range r[MAX_RANGES];
	bool walk_ok = true, end_ok = false, zero = true, mods_ok = true;
	struct mb_module mods[MB_MODULES_MAX];
	unsigned n = 0, nmods = 0;

	mb_idt_install();
	mb_printf("mb2: Multiboot2 kernel at 0x%x-0x%x, eax=0x%x ebx=0x%x\n",
		  (uint32_t)_load_start, (uint32_t)_bss_end, magic, info);
	check_val(magic == MB2_BOOTLOADER_MAGIC, "eax holds the Multiboot2 magic 0x36d76289", magic);
	mb_check_machine_state(eflags);
	for (unsigned i = 0; i < 64; i++)
		zero &= bss_probe[i] == 0;
	check(zero, "bss (ELF p_memsz beyond p_filesz) is zero");
	if (!check_val(info && !(info & 7), "ebx points to the information, 8-byte aligned", info))
		mb_exit();

	total = rd32(info);
	mb_printf("mb2: total_size=%u reserved=%u\n", total, rd32(info + 4));
	if (!check_val(total >= 16 && !(total & 7) && total <= MAX_INFO && rd32(info + 4) == 0,
		       "total_size is sane (16..64K, 8-aligned), reserved is 0", total))
		mb_exit();

	/* Tags: 8-aligned, each at least 8 bytes, inside total_size, up to an end tag. */
	end = info + total;
	for (p = info + 8; p + 8 <= end; p += (rd32(p + 4) + 7) & ~7u) {
		uint32_t type = rd32(p) & 0xffff, size = rd32(p + 4);

		mb_printf("  tag %u size %u\n", type, size);
		if ((rd32(p) >> 16) || size < 8 || size > end - p) {
			walk_ok = false;
			break;
		}
		if (type < 8)
			seen[type]++;
		if (type == TAG_END) {
			end_ok = size == 8 && p + 8 == end;
			break;
		}
		if (type == TAG_CMDLINE) {
			cmdline = p + 8;
			walk_ok &= strnlen((const char *)cmdline, size - 8) < size - 8;
		} else if (type == TAG_LOADER_NAME) {
			name = p + 8;
			walk_ok &= strnlen((const char *)name, size - 8) < size - 8;
		} else if (type == TAG_BASIC_MEMINFO) {
			walk_ok &= size == 16;
			mem_lower = rd32(p + 8);
			mem_upper = rd32(p + 12);
		} else if (type == TAG_MMAP) {
			mmap = p;
			mmap_size = size;
		} else if (type == TAG_MODULE) {
			/* 3.6.6: mod_start, mod_end, then a NUL-terminated string */
			bool ok = size > 16 && strnlen((const char *)(p + 16), size - 16) < size - 16;

			mods_ok &= ok && nmods < MB_MODULES_MAX;
			if (ok && nmods < MB_MODULES_MAX)
				mods[nmods++] = (struct mb_module){ rd32(p + 8), rd32(p + 12),
								    (const char *)(p + 16) };
		}
	}
	check(walk_ok, "tags are well formed and lie inside total_size");
	check(end_ok, "an end tag (type 0, size 8) closes the information");

	if (check_val(seen[TAG_CMDLINE] == 1, "one cmdline tag (type 1)", seen[TAG_CMDLINE])) {
		mb_printf("mb2: cmdline \"%s\"\n", (const char *)cmdline);
		check(!strcmp((const char *)cmdline, MB_EXPECTED_CMDLINE),
		      "cmdline is \"" MB_EXPECTED_CMDLINE "\"");
	}
	if (check_val(seen[TAG_LOADER_NAME] == 1, "one boot loader name tag (type 2)",
		      seen[TAG_LOADER_NAME]))
		check(!strcmp((const char *)name, MB_LOADER_NAME),
		      "boot loader name is \"" MB_LOADER_NAME "\"");
	if (check_val(seen[TAG_BASIC_MEMINFO] == 1, "one basic meminfo tag (type 4)",
		      seen[TAG_BASIC_MEMINFO])) {
		mb_printf("mb2: mem_lower=%u mem_upper=%u\n", mem_lower, mem_upper);
		check_val(mem_lower == 639, "basic meminfo: mem_lower is 639 KiB", mem_lower);
		check_val(mem_upper > 0, "basic meminfo: mem_upper is above 0", mem_upper);
	}
	if (check_val(seen[TAG_MMAP] == 1, "one memory map tag (type 6)", seen[TAG_MMAP])) {
		uint32_t esize = rd32(mmap + 8), ever = rd32(mmap + 12);
		bool rsvd_zero = true;

		check_val(esize == 24, "mmap: entry_size is 24", esize);
		check_val(ever == 0, "mmap: entry_version is 0", ever);
		check_val(mmap_size >= 16 && (mmap_size - 16) % 24 == 0,
			  "mmap: the tag holds a whole number of entries", mmap_size);
		if (esize == 24 && mmap_size >= 16) {
			for (uint32_t e = mmap + 16; e + 24 <= mmap + mmap_size && n < MAX_RANGES;
			     e += 24, n++) {
				r[n].base = rd64(e);
				r[n].len = rd64(e + 8);
				r[n].type = rd32(e + 16);
				rsvd_zero &= rd32(e + 20) == 0;
			}
			check(rsvd_zero, "mmap: every entry's reserved field is 0");
			mb_check_memory_map("mb2: mmap", r, n, mem_lower, mem_upper);
			mb_check_placement("the boot information", info, total, r, n);
		}
	}
	if (seen[TAG_MODULE])
		check_val(mods_ok && nmods == seen[TAG_MODULE],
			  "modules: every module tag (type 3) holds mod_start, mod_end and a string",
			  seen[TAG_MODULE]);
	mb_check_modules(mods, nmods, info, r, n);
	mb_check_hypercalls();
	mb_exit();
}
