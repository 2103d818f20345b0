/*
 * Host unit tests for partitions/childload.c: the root's child loader. A
 * synthetic ELF64 and a Multiboot (ELF32) image go into a fake child RAM;
 * the test checks the writes (segments, zeroed BSS, page tables, GDT, the
 * Multiboot information and command line) and every VP's register list,
 * against the contract of docs/partitions.md that partitions/loader.c keeps.
 * Boot modules: Multiboot and Multiboot2 kernels with 0, 1 and 3 of them
 * (the information's entries or tags, the bytes and command lines in the
 * child's RAM, page alignment, clear of the kernel and the boot area), and
 * the refusals (too big, too many, an ELF64 kernel) before any write.
 * Linux: a synthetic bzImage (its setup header set by hand) checked for
 * every refusal and its reason, where the kernel, initrd, ACPI tables,
 * boot_params and command line go, every boot_params field and the e820
 * map (against a zero page built here from raw offsets), the page tables,
 * the GDT and VP 0's registers; and, when unit.mk finds one
 * (LINUX_VMLINUZ), Debian's real vmlinuz parsed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <elf.h>
#include <cmocka.h>

#include "core/abi/childplat.h"
#include "core/mbhdr.h"
#include "partitions/bzimage.h"
#include "partitions/childload.h"

#define MEM		(4ull << 20)
#define BOOT		(MEM - 0x10000)
#define TEXT_OFF	0x1000
#define TEXT_PA		0x100000
#define TEXT_FILESZ	0x1000
#define TEXT_MEMSZ	0x3000
#define ENTRY		(TEXT_PA + 0x20)
#define IMAGE_LEN	0x2000
#define ID		7
#define MBI		(BOOT + 0x7000)
#define MODSTR		(BOOT + 0x9000)		/* Multiboot: module command lines, 256 bytes each */
#define MODS_BASE	0x103000		/* the first page after the kernel's bss */
#define MODS_ROOM	(BOOT - MODS_BASE)

#define LX_MEM		MIB(32)		/* a Linux child's RAM in these tests */

static uint8_t ram[LX_MEM];
static uint64_t ram_limit;		/* the child's RAM: MEM, or LX_MEM for Linux */
static uint8_t image[IMAGE_LEN];
static unsigned writes;
static struct childload_plan plan;
static struct hv_register_assoc regs[CHILDLOAD_REGS_MAX];
static uint8_t mod_data[MODS_ROOM + 1];		/* enough for the largest module tried */

static bool fake_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	(void)ctx;
	if (gpa > ram_limit || len > ram_limit - gpa)
		return false;
	memcpy(ram + gpa, src, len);
	writes++;
	return true;
}

static bool fake_zero(void *ctx, uint64_t gpa, size_t len)
{
	(void)ctx;
	if (gpa > ram_limit || len > ram_limit - gpa)
		return false;
	memset(ram + gpa, 0, len);
	return true;
}

static const struct childload_mem mem = { fake_write, fake_zero, NULL };

static int setup(void **state)
{
	(void)state;
	memset(ram, 0xee, sizeof(ram));		/* what the loader must overwrite */
	ram_limit = MEM;
	memset(image, 0, sizeof(image));
	memset(&plan, 0xcc, sizeof(plan));
	for (unsigned i = 0; i < TEXT_FILESZ; i++)
		image[TEXT_OFF + i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(mod_data); i++)
		mod_data[i] = (uint8_t)(i * 13 + 5);
	writes = 0;
	return 0;
}

static void make_elf64(void)
{
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
		.e_entry = ENTRY, .e_phoff = sizeof(Elf64_Ehdr), .e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 1,
	};
	Elf64_Phdr ph = {
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = TEXT_OFF,
		.p_vaddr = TEXT_PA, .p_paddr = TEXT_PA, .p_filesz = TEXT_FILESZ,
		.p_memsz = TEXT_MEMSZ, .p_align = 0x1000,
	};

	memcpy(image, &eh, sizeof(eh));
	memcpy(image + sizeof(eh), &ph, sizeof(ph));
}

/* An i386 ELF with a Multiboot header (no address fields) at the start of its text. */
static void make_mb1(void)
{
	Elf32_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS32, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_386, .e_version = EV_CURRENT,
		.e_entry = ENTRY, .e_phoff = sizeof(Elf32_Ehdr), .e_ehsize = sizeof(Elf32_Ehdr),
		.e_phentsize = sizeof(Elf32_Phdr), .e_phnum = 1,
	};
	Elf32_Phdr ph = {
		.p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X, .p_offset = TEXT_OFF,
		.p_vaddr = TEXT_PA, .p_paddr = TEXT_PA, .p_filesz = TEXT_FILESZ,
		.p_memsz = TEXT_MEMSZ, .p_align = 0x1000,
	};
	uint32_t hdr[3] = { 0x1badb002u, 0, -0x1badb002u };

	memcpy(image, &eh, sizeof(eh));
	memcpy(image + sizeof(eh), &ph, sizeof(ph));
	memcpy(image + TEXT_OFF, hdr, sizeof(hdr));
}

/* The same ELF with a Multiboot2 header (only its end tag) instead: loaded by its program headers. */
static void make_mb2(void)
{
	uint32_t hdr[6] = { 0xe85250d6u, 0, 24, -(0xe85250d6u + 24), 0, 8 };

	make_mb1();
	memset(image + TEXT_OFF, 0, 12);
	memcpy(image + TEXT_OFF, hdr, sizeof(hdr));
}

static uint64_t ram64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, ram + gpa, 8);
	return v;
}

static uint32_t ram32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, ram + gpa, 4);
	return v;
}

static const union hv_register_value *reg(unsigned n, uint32_t name)
{
	for (unsigned i = 0; i < n; i++)
		if (regs[i].name == name) {
			assert_int_equal(regs[i].rsvd1, 0);
			assert_int_equal(regs[i].rsvd2, 0);
			return &regs[i].value;
		}
	fail_msg("register %#x not in the list", name);
	return NULL;
}

static unsigned index_of(unsigned n, uint32_t name)
{
	for (unsigned i = 0; i < n; i++)
		if (regs[i].name == name)
			return i;
	return ~0u;
}

static void check_segment(unsigned n, uint32_t name, uint16_t sel, uint32_t limit, uint16_t attr)
{
	const union hv_register_value *v = reg(n, name);

	assert_int_equal(v->segment.base, 0);
	assert_int_equal(v->segment.limit, limit);
	assert_int_equal(v->segment.selector, sel);
	assert_int_equal(v->segment.attributes, attr);
}

static void test_elf64_memory(void **state)
{
	const char *why = "unset";

	(void)state;
	make_elf64();
	assert_true(childload_image(image, IMAGE_LEN, MEM, 2, ID, "", NULL, 0, NULL, &mem, &plan, &why));
	assert_null(why);
	assert_int_equal(plan.proto, BOOT_PROTO_ELF64);
	assert_int_equal(plan.entry, ENTRY);
	assert_int_equal(plan.boot_area, BOOT);
	/* the segment, then its BSS zeroed */
	assert_memory_equal(ram + TEXT_PA, image + TEXT_OFF, TEXT_FILESZ);
	for (unsigned i = TEXT_FILESZ; i < TEXT_MEMSZ; i++)
		assert_int_equal(ram[TEXT_PA + i], 0);
	assert_int_equal(ram[TEXT_PA + TEXT_MEMSZ], 0xee);	/* and no further */
	/* PML4 -> PDPT -> 4 PDs mapping 4 GiB with 2 MiB pages */
	assert_int_equal(ram64(BOOT), (BOOT + 0x1000) | 3);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(ram64(BOOT + 0x1000 + 8 * i), (BOOT + 0x2000 + 0x1000 * i) | 3);
	assert_int_equal(ram64(BOOT + 0x2000), 0x83);
	assert_int_equal(ram64(BOOT + 0x2000 + 8), (2ull << 20) | 0x83);
	assert_int_equal(ram64(BOOT + 0x2000 + 8 * 2047), (2047ull << 21) | 0x83);
	/* GDT: null, 64-bit code, data */
	assert_int_equal(ram64(BOOT + 0x6000), 0);
	assert_int_equal(ram64(BOOT + 0x6008), 0x00af9b000000ffffull);
	assert_int_equal(ram64(BOOT + 0x6010), 0x00cf93000000ffffull);
}

static void test_elf64_registers(void **state)
{
	const char *why;
	unsigned n;

	(void)state;
	make_elf64();
	assert_true(childload_image(image, IMAGE_LEN, MEM, 2, ID, "", NULL, 0, NULL, &mem, &plan, &why));
	for (unsigned vp = 0; vp < 2; vp++) {
		assert_true(childload_vp_starts(&plan, vp));
		n = childload_vp_regs(&plan, vp, regs);
		assert_int_equal(n, 22);
		assert_int_equal(reg(n, HV_X64_REGISTER_RIP)->reg64, ENTRY);
		assert_int_equal(reg(n, HV_X64_REGISTER_RFLAGS)->reg64, 2);
		assert_int_equal(reg(n, HV_X64_REGISTER_CR0)->reg64, 0x80000031);
		assert_int_equal(reg(n, HV_X64_REGISTER_CR3)->reg64, BOOT);
		assert_int_equal(reg(n, HV_X64_REGISTER_CR4)->reg64, 0x20);
		assert_int_equal(reg(n, HV_X64_REGISTER_EFER)->reg64, 0x500);
		assert_int_equal(reg(n, HV_X64_REGISTER_PAT)->reg64, 0x0007040600070406ull);
		check_segment(n, HV_X64_REGISTER_CS, 0x08, 0xffffffff, 0xa09b);
		check_segment(n, HV_X64_REGISTER_SS, 0x10, 0xffffffff, 0xc093);
		check_segment(n, HV_X64_REGISTER_DS, 0x10, 0xffffffff, 0xc093);
		check_segment(n, HV_X64_REGISTER_TR, 0, 0x67, 0x008b);
		check_segment(n, HV_X64_REGISTER_LDTR, 0, 0xffff, 0x0082);
		assert_int_equal(reg(n, HV_X64_REGISTER_GDTR)->table.base, BOOT + 0x6000);
		assert_int_equal(reg(n, HV_X64_REGISTER_GDTR)->table.limit, 23);
		assert_int_equal(reg(n, HV_X64_REGISTER_IDTR)->table.limit, 0);
		assert_int_equal(reg(n, HV_X64_REGISTER_RDI)->reg64, MEM);
		assert_int_equal(reg(n, HV_X64_REGISTER_RSI)->reg64, vp);
		assert_int_equal(reg(n, HV_X64_REGISTER_RDX)->reg64, 2);
		assert_int_equal(reg(n, HV_X64_REGISTER_RCX)->reg64, ID);
		assert_int_equal(reg(n, HV_X64_REGISTER_RSP)->reg64, MEM - 4096ull * vp);
		/* EFER.LMA before CS.L; CR4.PAE and CR3 before CR0.PG */
		assert_true(index_of(n, HV_X64_REGISTER_EFER) < index_of(n, HV_X64_REGISTER_CS));
		assert_true(index_of(n, HV_X64_REGISTER_CR4) < index_of(n, HV_X64_REGISTER_CR0));
		assert_true(index_of(n, HV_X64_REGISTER_CR3) < index_of(n, HV_X64_REGISTER_CR0));
	}
	assert_false(childload_vp_starts(&plan, 2));
	assert_int_equal(childload_vp_regs(&plan, 2, regs), 0);
}

static void test_multiboot(void **state)
{
	const char *why;
	unsigned n;

	(void)state;
	make_mb1();
	assert_true(childload_image(image, IMAGE_LEN, MEM, 2, ID, "console=x", NULL, 0, NULL, &mem, &plan, &why));
	assert_int_equal(plan.proto, BOOT_PROTO_MB1);
	assert_memory_equal(ram + TEXT_PA, image + TEXT_OFF, TEXT_FILESZ);
	/* 32-bit GDT, the information block (flags: mem, cmdline, mmap, name) and the command line */
	assert_int_equal(ram64(BOOT + 0x6008), 0x00cf9b000000ffffull);
	assert_int_equal(ram32(BOOT + 0x7000), 1u << 0 | 1u << 2 | 1u << 6 | 1u << 9);
	assert_int_equal(ram32(BOOT + 0x7000 + 16), BOOT + 0x8000);
	assert_string_equal((const char *)ram + BOOT + 0x8000, "console=x");
	/* no page tables: paging is off */
	assert_int_equal(ram[BOOT], 0xee);
	n = childload_vp_regs(&plan, 0, regs);
	assert_int_equal(n, 19);
	assert_int_equal(reg(n, HV_X64_REGISTER_RIP)->reg64, ENTRY);
	assert_int_equal(reg(n, HV_X64_REGISTER_CR0)->reg64, 0x11);
	assert_int_equal(reg(n, HV_X64_REGISTER_CR3)->reg64, 0);
	assert_int_equal(reg(n, HV_X64_REGISTER_CR4)->reg64, 0);
	assert_int_equal(reg(n, HV_X64_REGISTER_EFER)->reg64, 0);
	check_segment(n, HV_X64_REGISTER_CS, 0x08, 0xffffffff, 0xc09b);
	check_segment(n, HV_X64_REGISTER_ES, 0x10, 0xffffffff, 0xc093);
	assert_int_equal(reg(n, HV_X64_REGISTER_RAX)->reg64, 0x2badb002);
	assert_int_equal(reg(n, HV_X64_REGISTER_RBX)->reg64, BOOT + 0x7000);
	/* the AP stays suspended */
	assert_false(childload_vp_starts(&plan, 1));
	assert_int_equal(childload_vp_regs(&plan, 1, regs), 0);
}

static void test_refusals(void **state)
{
	const char *why = NULL;

	(void)state;
	writes = 0;
	assert_false(childload_check(image, IMAGE_LEN, MEM, NULL, 0, NULL, &why));	/* what the root asks first */
	assert_string_equal(why, "not an ELF file");
	why = NULL;
	assert_false(childload_image(image, IMAGE_LEN, MEM, 1, ID, "", NULL, 0, NULL, &mem, &plan, &why));
	assert_non_null(why);			/* not an image at all */
	make_elf64();
	why = NULL;
	assert_true(childload_check(image, IMAGE_LEN, MEM, NULL, 0, NULL, &why));
	assert_false(childload_check(image, IMAGE_LEN, 1ull << 20, NULL, 0, NULL, &why));
	assert_string_equal(why, "no room for the boot area");
	assert_int_equal(writes, 0);		/* the check writes nothing */
	why = NULL;
	assert_false(childload_image(image, IMAGE_LEN, 1ull << 20, 1, ID, "", NULL, 0, NULL, &mem, &plan, &why));
	assert_string_equal(why, "no room for the boot area");
	why = NULL;
	assert_false(childload_image(image, IMAGE_LEN, MEM, 0, ID, "", NULL, 0, NULL, &mem, &plan, &why));
	assert_non_null(why);
	/* a segment reaching into the boot area is refused by the plan, before any write */
	{
		uint64_t pa = BOOT - 0x1000, entry = pa;

		memcpy(image + sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_paddr), &pa, 8);
		memcpy(image + offsetof(Elf64_Ehdr, e_entry), &entry, 8);
	}
	why = NULL;
	writes = 0;
	assert_false(childload_image(image, IMAGE_LEN, MEM, 1, ID, "", NULL, 0, NULL, &mem, &plan, &why));
	assert_non_null(why);
	assert_int_equal(writes, 0);
}

/* ---- boot modules -------------------------------------------------------- */

#define LONG_LINE	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
			"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
			"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
			"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
			"and more"	/* 264 bytes: 255 are passed */

/* A ramdisk, a one-byte module and a page-sized one without a command line. */
static const struct childload_module three[3] = {
	{ "initrd.img", mod_data, 0x2345 },
	{ LONG_LINE, mod_data + 100, 1 },
	{ NULL, mod_data + 7, 0x1000 },
};
static const uint64_t three_start[3] = { MODS_BASE, MODS_BASE + 0x3000, MODS_BASE + 0x4000 };

static const char *line_of(const struct childload_module *m)
{
	static char cut[256];

	if (!m->cmdline)
		return "";
	if (strlen(m->cmdline) <= 255)
		return m->cmdline;
	memcpy(cut, m->cmdline, 255);
	cut[255] = 0;
	return cut;
}

/* The bytes of each module in RAM, where it should be, clear of the kernel and the boot area. */
static void check_module_bytes(const struct childload_module *mods, unsigned n,
			       const uint64_t *start)
{
	assert_int_equal(plan.nmods, n);
	for (unsigned i = 0; i < n; i++) {
		uint64_t s = plan.mod_start[i], e = s + mods[i].len;

		assert_int_equal(s, start[i]);
		assert_int_equal(s % 4096, 0);
		assert_true(s >= TEXT_PA + TEXT_MEMSZ);		/* after the kernel and its bss */
		assert_true(e <= BOOT);				/* below the boot area */
		if (i)
			assert_true(s >= plan.mod_start[i - 1] + mods[i - 1].len);
		assert_memory_equal(ram + s, mods[i].data, mods[i].len);
	}
	/* the kernel's bytes and bss are intact; nothing after the last module was written */
	assert_memory_equal(ram + TEXT_PA, image + TEXT_OFF, TEXT_FILESZ);
	assert_int_equal(ram[TEXT_PA + TEXT_MEMSZ - 1], 0);
	if (n)
		assert_int_equal(ram[plan.mod_start[n - 1] + mods[n - 1].len], 0xee);
}

static void check_mb1_modules(const struct childload_module *mods, unsigned n,
			      const uint64_t *start)
{
	const char *why = "unset";

	make_mb1();
	assert_true(childload_check(image, IMAGE_LEN, MEM, mods, n, NULL, &why));
	assert_true(childload_image(image, IMAGE_LEN, MEM, 1, ID, "k", mods, n, NULL, &mem, &plan, &why));
	assert_null(why);
	check_module_bytes(mods, n, start);
	/* flags bit 3 only with modules (as GRUB); mods_count, mods_addr inside the block */
	assert_int_equal(ram32(MBI) & (1u << 3), n ? 1u << 3 : 0);
	assert_int_equal(ram32(MBI) & ~(1u << 3), 1u << 0 | 1u << 2 | 1u << 6 | 1u << 9);
	assert_int_equal(ram32(MBI + 20), n);
	assert_int_equal(ram32(MBI + 24), n ? MBI + 256 : 0);
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = MBI + 256 + 16 * i;

		assert_int_equal(ram32(e), start[i]);			/* mod_start */
		assert_int_equal(ram32(e + 4), start[i] + mods[i].len);	/* mod_end */
		assert_int_equal(ram32(e + 8), MODSTR + 256 * i);	/* string */
		assert_int_equal(ram32(e + 12), 0);			/* reserved */
		assert_string_equal((const char *)ram + MODSTR + 256 * i, line_of(&mods[i]));
	}
	assert_int_equal(ram[MODSTR + 256 * n], 0xee);		/* no further strings */
	assert_string_equal((const char *)ram + BOOT + 0x8000, "k");	/* the kernel's line */
}

static void test_mb1_modules(void **state)
{
	(void)state;
	check_mb1_modules(three, 0, NULL);
}

static void test_mb1_one_module(void **state)
{
	(void)state;
	check_mb1_modules(three, 1, three_start);
}

static void test_mb1_three_modules(void **state)
{
	(void)state;
	check_mb1_modules(three, 3, three_start);
	assert_int_equal(strlen((const char *)ram + MODSTR + 256), 255);	/* the long line, cut */
	assert_string_equal((const char *)ram + MODSTR + 512, "");		/* NULL: empty */
}

/* Multiboot2 3.6.6: one tag of type 3 per module, in order. */
static void check_mb2_modules(const struct childload_module *mods, unsigned n,
			      const uint64_t *start)
{
	const char *why = "unset";
	uint32_t total;
	unsigned found = 0;
	bool end = false;

	make_mb2();
	assert_true(childload_check(image, IMAGE_LEN, MEM, mods, n, NULL, &why));
	assert_true(childload_image(image, IMAGE_LEN, MEM, 1, ID, "k", mods, n, NULL, &mem, &plan, &why));
	assert_null(why);
	assert_int_equal(plan.proto, BOOT_PROTO_MB2);
	check_module_bytes(mods, n, start);
	total = ram32(MBI);
	assert_true(total <= 0x1000);
	for (uint64_t p = MBI + 8; p + 8 <= MBI + total; p += (ram32(p + 4) + 7) & ~7u) {
		uint32_t type = ram32(p), size = ram32(p + 4);

		assert_true(size >= 8 && p + size <= MBI + total);
		if (type == 0) {
			end = p + 8 == MBI + total;
			break;
		}
		if (type != 3)
			continue;
		assert_true(found < n);
		assert_int_equal(ram32(p + 8), start[found]);
		assert_int_equal(ram32(p + 12), start[found] + mods[found].len);
		assert_string_equal((const char *)ram + p + 16, line_of(&mods[found]));
		assert_int_equal(size, 16 + strlen(line_of(&mods[found])) + 1);
		found++;
	}
	assert_true(end);
	assert_int_equal(found, n);
	assert_int_equal(ram[MODSTR], 0xee);	/* the strings are in the tags only */
}

static void test_mb2_modules(void **state)
{
	(void)state;
	check_mb2_modules(three, 0, NULL);
}

static void test_mb2_one_module(void **state)
{
	(void)state;
	check_mb2_modules(three, 1, three_start);
}

static void test_mb2_three_modules(void **state)
{
	(void)state;
	check_mb2_modules(three, 3, three_start);
}

/* Modules filling the room exactly end at the boot area; one byte more is refused. */
static void test_modules_too_big(void **state)
{
	struct childload_module big[2] = { { "a", mod_data, MODS_ROOM - 0x2000 },
					   { "b", mod_data, 0x2000 } };
	const uint64_t big_start[2] = { MODS_BASE, BOOT - 0x2000 };
	const char *why = NULL;

	(void)state;
	check_mb2_modules(big, 2, big_start);
	assert_int_equal(plan.mod_start[1] + big[1].len, BOOT);
	memset(ram, 0xee, sizeof(ram));
	writes = 0;
	big[0].len++;		/* now the second module starts one page later */
	assert_false(childload_check(image, IMAGE_LEN, MEM, big, 2, NULL, &why));
	assert_string_equal(why, "boot modules need 3072000 bytes, 3067904 are free between "
				 "the kernel and the boot area");
	why = NULL;
	assert_false(childload_image(image, IMAGE_LEN, MEM, 1, ID, "", big, 2, NULL, &mem, &plan, &why));
	assert_string_equal(why, "boot modules need 3072000 bytes, 3067904 are free between "
				 "the kernel and the boot area");
	assert_int_equal(writes, 0);
	/* one module, one byte too many */
	big[0].len = MODS_ROOM + 1;
	assert_false(childload_check(image, IMAGE_LEN, MEM, big, 1, NULL, &why));
	assert_string_equal(why, "boot modules need 3067905 bytes, 3067904 are free between "
				 "the kernel and the boot area");
	assert_int_equal(writes, 0);
}

static void test_modules_refused(void **state)
{
	struct childload_module many[CHILDLOAD_MODULES_MAX + 1];
	const char *why = NULL;

	(void)state;
	for (unsigned i = 0; i <= CHILDLOAD_MODULES_MAX; i++)
		many[i] = (struct childload_module){ "m", mod_data, 16 };
	make_elf64();
	assert_false(childload_check(image, IMAGE_LEN, MEM, three, 1, NULL, &why));
	assert_string_equal(why, "boot modules need a Multiboot or Multiboot2 kernel");
	why = NULL;
	assert_false(childload_image(image, IMAGE_LEN, MEM, 1, ID, "", three, 1, NULL, &mem, &plan, &why));
	assert_string_equal(why, "boot modules need a Multiboot or Multiboot2 kernel");
	assert_int_equal(writes, 0);
	make_mb1();
	assert_true(childload_check(image, IMAGE_LEN, MEM, many, CHILDLOAD_MODULES_MAX, NULL, &why));
	assert_false(childload_check(image, IMAGE_LEN, MEM, many, CHILDLOAD_MODULES_MAX + 1, NULL, &why));
	assert_string_equal(why, "too many boot modules (a ramdisk and 8 modules at most)");
	assert_false(childload_image(image, IMAGE_LEN, MEM, 1, ID, "", many,
				     CHILDLOAD_MODULES_MAX + 1, NULL, &mem, &plan, &why));
	assert_int_equal(writes, 0);
	/* nine fit: the last one's entry and string are in place */
	assert_true(childload_image(image, IMAGE_LEN, MEM, 1, ID, "", many, CHILDLOAD_MODULES_MAX,
				    NULL, &mem, &plan, &why));
	assert_int_equal(ram32(MBI + 20), CHILDLOAD_MODULES_MAX);
	assert_int_equal(ram32(MBI + 256 + 16 * 8), MODS_BASE + 8 * 0x1000);
	assert_string_equal((const char *)ram + MODSTR + 256 * 8, "m");
}

/* ---- Linux bzImage ------------------------------------------------------- */

#define BZ_SECTS	3			/* setup sectors: the kernel at (3 + 1) * 512 */
#define BZ_KOFF		0x800
#define BZ_KLEN		0x3000			/* the protected-mode kernel's bytes */
#define BZ_LEN		(BZ_KOFF + BZ_KLEN)
#define BZ_PREF		0x1000000ull		/* Debian's pref_address */
#define BZ_INIT		0x400000ull		/* init_size: 4 MiB */
#define BZ_ALIGN	0x200000u
#define BZ_HDR_END	0x26c			/* 0x202 + byte[0x201] */
#define LX_BOOT		0x10000ull		/* CHILDPLAT_BOOT_GPA */
#define LX_BP		(LX_BOOT + 0x7000)	/* boot_params */
#define LX_CMDLINE	(LX_BOOT + 0x8000)
#define LX_ACPI_LEN	0x1234
#define INITRD_LEN	0x2345
#define BIG_INITRD	MIB(13)

static uint8_t bz[0x6000];
static size_t bz_len;
static uint8_t acpi_data[CHILDPLAT_ACPI_MAX + 1];
static uint8_t big_initrd[BIG_INITRD];

static void put(uint8_t *p, size_t off, uint64_t v, unsigned bytes)
{
	memcpy(p + off, &v, bytes);	/* little-endian host */
}

static uint64_t get(const uint8_t *p, size_t off, unsigned bytes)
{
	uint64_t v = 0;

	memcpy(&v, p + off, bytes);
	return v;
}

/* A minimal bzImage: boot.rst's setup header at 0x1F1, by raw offsets, and BZ_KLEN kernel bytes. */
static void make_bzimage(void)
{
	memset(bz, 0, sizeof(bz));
	bz_len = BZ_LEN;
	for (size_t i = 0; i < BZ_KLEN; i++)
		bz[BZ_KOFF + i] = (uint8_t)(i * 11 + 3);
	for (size_t i = BZ_HDR_END; i < BZ_KOFF; i++)
		bz[i] = 0x5a;			/* after the header: never copied to boot_params */
	put(bz, 0x1f1, BZ_SECTS, 1);		/* setup_sects */
	put(bz, 0x1f4, 0x5678, 4);		/* syssize: copied as it is */
	put(bz, 0x1fa, 0x0300, 2);		/* vid_mode: the loader's 0xFFFF replaces it */
	put(bz, 0x1fc, 0x0801, 2);		/* root_dev */
	put(bz, 0x1fe, 0xaa55, 2);		/* boot_flag */
	put(bz, 0x200, 0xeb, 1);		/* jump: its displacement gives the header's end */
	put(bz, 0x201, BZ_HDR_END - 0x202, 1);
	put(bz, 0x202, 0x53726448, 4);		/* "HdrS" */
	put(bz, 0x206, 0x020f, 2);		/* version 2.15 */
	put(bz, 0x211, 0x81, 1);		/* loadflags: LOADED_HIGH, CAN_USE_HEAP */
	put(bz, 0x214, 0x100000, 4);		/* code32_start */
	put(bz, 0x22c, 0x7fffffff, 4);		/* initrd_addr_max */
	put(bz, 0x230, BZ_ALIGN, 4);		/* kernel_alignment */
	put(bz, 0x234, 1, 1);			/* relocatable_kernel */
	put(bz, 0x236, 0x3, 2);			/* xloadflags: KERNEL_64, CAN_BE_LOADED_ABOVE_4G */
	put(bz, 0x238, 2047, 4);		/* cmdline_size */
	put(bz, 0x23c, 0x77, 4);		/* hardware_subarch: the loader's 0 replaces it */
	put(bz, 0x250, 0x1234, 8);		/* setup_data: the loader's 0 replaces it */
	put(bz, 0x258, BZ_PREF, 8);		/* pref_address */
	put(bz, 0x260, BZ_INIT, 4);		/* init_size */
	put(bz, 0x264, 0x190, 4);		/* handover_offset */
	put(bz, 0x268, 0xabcd, 4);		/* kernel_info_offset */
	for (size_t i = 0; i < sizeof(acpi_data); i++)
		acpi_data[i] = (uint8_t)(i * 5 + 9);
}

static int lx_setup(void **state)
{
	setup(state);
	ram_limit = LX_MEM;
	make_bzimage();
	return 0;
}

/* childload_check and childload_image both refuse, with `reason`, and write nothing. */
static void refused(uint64_t mem_bytes, const struct childload_module *mods, unsigned nmods,
		    const struct childload_acpi *acpi, const char *cmdline, const char *reason)
{
	const char *why = NULL;

	writes = 0;
	if (!strcmp(cmdline, "")) {	/* the check has no command line */
		assert_false(childload_check(bz, bz_len, mem_bytes, mods, nmods, acpi, &why));
		assert_non_null(why);
		assert_string_equal(why, reason);
	}
	why = NULL;
	assert_false(childload_image(bz, bz_len, mem_bytes, 2, ID, cmdline, mods, nmods, acpi, &mem,
				     &plan, &why));
	assert_non_null(why);
	assert_string_equal(why, reason);
	assert_int_equal(writes, 0);
}

static void refused_hdr(size_t off, uint64_t v, unsigned bytes, const char *reason)
{
	make_bzimage();
	put(bz, off, v, bytes);
	refused(LX_MEM, NULL, 0, NULL, "", reason);
}

static void test_linux_header_refusals(void **state)
{
	struct bzimage_info info;
	const char *why = NULL;

	(void)state;
	refused_hdr(0x206, 0x020b, 2, "bzImage boot protocol 2.11 is older than 2.12 (no 64-bit entry)");
	refused_hdr(0x206, 0x0208, 2, "bzImage boot protocol 2.08 is older than 2.12 (no 64-bit entry)");
	refused_hdr(0x201, 0x60, 1, "bzImage setup header ends at 0x262, before init_size (0x264)");
	refused_hdr(0x201, 0xd0, 1, "bzImage setup header ends at 0x2d2, in boot_params' e820 "
				     "table (0x2d0)");
	refused_hdr(0x236, 0x2, 2, "bzImage xloadflags 0x2: no 64-bit entry point (XLF_KERNEL_64 clear)");
	refused_hdr(0x211, 0x80, 1, "bzImage loadflags 0x80: LOADED_HIGH clear (a zImage)");
	refused_hdr(0x230, 0x300000, 4, "bzImage kernel_alignment 0x300000 is not a power of two");
	refused_hdr(0x230, 0, 4, "bzImage kernel_alignment 0x0 is not a power of two");
	refused_hdr(0x230, 0x80000000u, 4, "bzImage kernel_alignment 0x80000000 is above 1 GiB");
	refused_hdr(0x1f1, 40, 1, "bzImage setup_sects 40 puts the kernel past the file's end "
				  "(14336 bytes)");
	refused_hdr(0x260, 0, 4, "bzImage init_size is 0");
	refused_hdr(0x260, BZ_KLEN - 1, 4, "bzImage init_size 0x2fff is smaller than its kernel "
					   "(0x3000 bytes)");
	/* 1 GiB alignment is allowed (then the kernel needs RAM at 1 GiB) */
	refused_hdr(0x230, 0x40000000u, 4, "bzImage needs 1028 MiB of RAM (init_size 0x400000 at "
					   "0x40000000), the child has 32 MiB");
	/* setup_sects 0 means 4: the kernel at 0xA00, still inside the file */
	make_bzimage();
	put(bz, 0x1f1, 0, 1);
	assert_true(bzimage_parse(bz, bz_len, &info, &why));
	assert_int_equal(info.kernel_off, 0xa00);
	assert_int_equal(info.kernel_len, BZ_LEN - 0xa00);
	/* files too short: for the version, for the whole header */
	make_bzimage();
	bz_len = 0x207;
	refused(LX_MEM, NULL, 0, NULL, "", "bzImage too short for its setup header");
	bz_len = 0x260;
	refused(LX_MEM, NULL, 0, NULL, "", "bzImage too short: its setup header ends at 0x26c, the "
					   "file at 0x260");
	bz_len = BZ_KOFF;	/* no kernel byte */
	refused(LX_MEM, NULL, 0, NULL, "", "bzImage setup_sects 3 puts the kernel past the file's "
					   "end (2048 bytes)");
	/* no setup header: bzimage_parse says so; childload asks core/mbhdr.c instead */
	make_bzimage();
	put(bz, 0x202, 0x53726447, 4);
	assert_false(bzimage_parse(bz, bz_len, &info, &why));
	assert_string_equal(why, "not a bzImage: no setup header (boot_flag 0xAA55, \"HdrS\")");
	refused(LX_MEM, NULL, 0, NULL, "", "not an ELF file");
	make_bzimage();
	put(bz, 0x1fe, 0xaa56, 2);
	refused(LX_MEM, NULL, 0, NULL, "", "not an ELF file");
}

/* The hypervisor's own loader (core/mbhdr.c) keeps refusing a bzImage. */
static void test_linux_not_mbhdr(void **state)
{
	struct load_plan lp;
	const char *why = NULL;

	(void)state;
	assert_true(bzimage_is(bz, bz_len));
	assert_false(mbhdr_plan(bz, bz_len, LX_MEM, &lp, &why));
	assert_string_equal(why, "not an ELF file");
}

static void test_linux_load_refusals(void **state)
{
	const struct childload_module two[2] = { { NULL, mod_data, 16 }, { NULL, mod_data, 16 } };
	const struct childload_module huge = { NULL, big_initrd, MIB(16) };
	const struct childload_acpi big = { acpi_data, CHILDPLAT_ACPI_MAX + 1 };

	(void)state;
	refused(LX_MEM, two, 2, NULL, "", "a Linux kernel takes one boot module, its initrd "
					  "(ramdisk=); 2 given");
	refused(LX_MEM, NULL, 0, &big, "", "ACPI tables of 65537 bytes do not fit the 65536 at 0xe0000");
	/* 16 MiB: neither pref_address nor 16 MiB holds init_size */
	refused(MIB(16), NULL, 0, NULL, "", "bzImage needs 20 MiB of RAM (init_size 0x400000 at "
					    "0x1000000), the child has 16 MiB");
	refused(MIB(18), NULL, 0, NULL, "", "bzImage needs 20 MiB of RAM (init_size 0x400000 at "
					    "0x1000000), the child has 18 MiB");
	put(bz, 0x234, 0, 1);		/* not relocatable */
	refused(MIB(18), NULL, 0, NULL, "", "bzImage is not relocatable and needs 20 MiB of RAM "
		"(init_size 0x400000 at pref_address 0x1000000), the child has 18 MiB");
	put(bz, 0x234, 1, 1);
	/* 16 MiB of initrd: not above the kernel (32 MiB of RAM), not below it */
	refused(LX_MEM, &huge, 1, NULL, "", "the initrd of 16777216 bytes does not fit below "
		"0x2000000 (RAM, 4 GiB, initrd_addr_max) beside the kernel at [0x1000000, 0x1400000)");
	/* a command line one byte longer than cmdline_size */
	put(bz, 0x238, 16, 4);
	refused(LX_MEM, NULL, 0, NULL, "0123456789abcdefX",
		"the command line is longer than the kernel's cmdline_size (16 bytes)");
}

/* Every VP starts; only VP 0 gets registers, the boot protocol's 64-bit state. */
static void check_linux_registers(uint64_t kernel)
{
	static const uint32_t zero_gprs[] = { HV_X64_REGISTER_RAX, HV_X64_REGISTER_RCX,
		HV_X64_REGISTER_RDX, HV_X64_REGISTER_RBX, HV_X64_REGISTER_RSP, HV_X64_REGISTER_RBP,
		HV_X64_REGISTER_RDI, HV_X64_REGISTER_R8, HV_X64_REGISTER_R8 + 1,
		HV_X64_REGISTER_R8 + 2, HV_X64_REGISTER_R8 + 3, HV_X64_REGISTER_R8 + 4,
		HV_X64_REGISTER_R8 + 5, HV_X64_REGISTER_R8 + 6, HV_X64_REGISTER_R15 };
	unsigned n;

	assert_true(childload_vp_starts(&plan, 0));
	n = childload_vp_regs(&plan, 0, regs);
	assert_int_equal(n, 33);
	assert_int_equal(reg(n, HV_X64_REGISTER_RIP)->reg64, kernel + 0x200);
	assert_int_equal(reg(n, HV_X64_REGISTER_RSI)->reg64, LX_BP);
	assert_int_equal(reg(n, HV_X64_REGISTER_RFLAGS)->reg64, 2);	/* IF clear */
	assert_int_equal(reg(n, HV_X64_REGISTER_CR0)->reg64, 0x80010031);	/* PG WP NE ET PE */
	assert_int_equal(reg(n, HV_X64_REGISTER_CR3)->reg64, LX_BOOT);
	assert_int_equal(reg(n, HV_X64_REGISTER_CR4)->reg64, 0x20);
	assert_int_equal(reg(n, HV_X64_REGISTER_EFER)->reg64, 0x500);
	check_segment(n, HV_X64_REGISTER_CS, 0x10, 0xffffffff, 0xa09b);	/* L=1 */
	check_segment(n, HV_X64_REGISTER_DS, 0x18, 0xffffffff, 0xc093);
	check_segment(n, HV_X64_REGISTER_ES, 0x18, 0xffffffff, 0xc093);
	check_segment(n, HV_X64_REGISTER_SS, 0x18, 0xffffffff, 0xc093);
	check_segment(n, HV_X64_REGISTER_FS, 0x18, 0xffffffff, 0xc093);
	check_segment(n, HV_X64_REGISTER_GS, 0x18, 0xffffffff, 0xc093);
	check_segment(n, HV_X64_REGISTER_TR, 0, 0x67, 0x008b);
	assert_int_equal(reg(n, HV_X64_REGISTER_GDTR)->table.base, LX_BOOT + 0x6000);
	assert_int_equal(reg(n, HV_X64_REGISTER_GDTR)->table.limit, 31);
	assert_int_equal(reg(n, HV_X64_REGISTER_IDTR)->table.limit, 0);
	for (unsigned i = 0; i < sizeof(zero_gprs) / sizeof(zero_gprs[0]); i++)
		assert_int_equal(reg(n, zero_gprs[i])->reg64, 0);
	assert_true(index_of(n, HV_X64_REGISTER_EFER) < index_of(n, HV_X64_REGISTER_CS));
	assert_true(index_of(n, HV_X64_REGISTER_CR4) < index_of(n, HV_X64_REGISTER_CR0));
	assert_true(index_of(n, HV_X64_REGISTER_CR3) < index_of(n, HV_X64_REGISTER_CR0));
	/* the AP: started (its EXPLICIT_SUSPEND cleared) but with no registers: wait-for-SIPI */
	assert_true(childload_vp_starts(&plan, 1));
	assert_int_equal(childload_vp_regs(&plan, 1, regs), 0);
	assert_false(childload_vp_starts(&plan, 2));
	assert_int_equal(childload_vp_regs(&plan, 2, regs), 0);
}

/* The zero page the loader must write, from boot.rst's and zero-page.rst's raw offsets. */
static void expected_boot_params(uint8_t *bp, uint64_t initrd, uint64_t initrd_len, bool acpi,
				 uint64_t mem_bytes)
{
	const uint64_t e820[3][3] = {
		{ 0, 0x9f000, 1 }, { 0x9f000, 0x100000 - 0x9f000, 2 },
		{ 0x100000, mem_bytes - 0x100000, 1 },
	};

	memset(bp, 0, 4096);
	memcpy(bp + 0x1f1, bz + 0x1f1, 0x202u + bz[0x201] - 0x1f1);	/* the setup header, no more */
	put(bp, 0x070, acpi ? 0xe0000 : 0, 8);		/* acpi_rsdp_addr */
	put(bp, 0x0c0, initrd >> 32, 4);		/* ext_ramdisk_image */
	put(bp, 0x0c4, initrd_len >> 32, 4);		/* ext_ramdisk_size */
	put(bp, 0x0c8, 0, 4);				/* ext_cmd_line_ptr */
	put(bp, 0x1e8, 3, 1);				/* e820_entries */
	put(bp, 0x1fa, 0xffff, 2);			/* vid_mode: normal */
	put(bp, 0x210, 0xff, 1);			/* type_of_loader: undefined */
	put(bp, 0x218, (uint32_t)initrd, 4);		/* ramdisk_image */
	put(bp, 0x21c, (uint32_t)initrd_len, 4);	/* ramdisk_size */
	put(bp, 0x228, LX_CMDLINE, 4);			/* cmd_line_ptr */
	put(bp, 0x23c, 0, 4);				/* hardware_subarch: PC */
	put(bp, 0x250, 0, 8);				/* setup_data: none */
	for (unsigned i = 0; i < 3; i++) {		/* e820_table: packed 20-byte entries */
		put(bp, 0x2d0 + 20 * i, e820[i][0], 8);
		put(bp, 0x2d0 + 20 * i + 8, e820[i][1], 8);
		put(bp, 0x2d0 + 20 * i + 16, e820[i][2], 4);
	}
}

static void test_linux_load(void **state)
{
	const struct childload_module initrd = { "ignored", mod_data, INITRD_LEN };
	const struct childload_acpi acpi = { acpi_data, LX_ACPI_LEN };
	const char *line = "console=ttyS0 nokaslr";
	const uint64_t initrd_at = ALIGN_DOWN(LX_MEM - INITRD_LEN, 4096);
	static uint8_t bp[4096];
	const char *why = "unset";

	(void)state;
	assert_true(childload_check(bz, bz_len, LX_MEM, &initrd, 1, &acpi, &why));
	assert_true(childload_image(bz, bz_len, LX_MEM, 2, ID, line, &initrd, 1, &acpi, &mem,
				    &plan, &why));
	assert_null(why);
	assert_int_equal(plan.proto, BOOT_PROTO_LINUX);
	assert_int_equal(plan.boot_area, LX_BOOT);
	assert_int_equal(plan.kernel_gpa, BZ_PREF);
	assert_int_equal(plan.kernel_size, BZ_INIT);
	assert_int_equal(plan.entry, BZ_PREF + 0x200);
	assert_int_equal(plan.nmods, 1);
	assert_int_equal(plan.mod_start[0], initrd_at);
	/* the kernel at pref_address: the file from (setup_sects + 1) * 512, nothing else */
	assert_memory_equal(ram + BZ_PREF, bz + BZ_KOFF, BZ_KLEN);
	assert_int_equal(ram[BZ_PREF - 1], 0xee);
	assert_int_equal(ram[BZ_PREF + BZ_KLEN], 0xee);
	/* the initrd page-aligned at the top of RAM; the ACPI tables at 0xE0000 */
	assert_memory_equal(ram + initrd_at, mod_data, INITRD_LEN);
	assert_int_equal(initrd_at + INITRD_LEN, LX_MEM - (4096 - INITRD_LEN % 4096));
	assert_memory_equal(ram + 0xe0000, acpi_data, LX_ACPI_LEN);
	assert_int_equal(ram[0xe0000 + LX_ACPI_LEN], 0xee);
	/* the reset vector: mov al, 0xfe; out 0x64, al; cli; hlt; jmp -4 (no firmware there) */
	{
		static const uint8_t stub[] = { 0xb0, 0xfe, 0xe6, 0x64, 0xfa, 0xf4, 0xeb, 0xfc };

		assert_memory_equal(ram + 0xffff0, stub, sizeof(stub));
	}
	/* the command line, NUL-terminated */
	assert_string_equal((const char *)ram + LX_CMDLINE, line);
	/* boot_params, every byte */
	expected_boot_params(bp, initrd_at, INITRD_LEN, true, LX_MEM);
	assert_memory_equal(ram + LX_BP, bp, sizeof(bp));
	assert_int_equal(get(ram, LX_BP + 0x211, 1), 0x81);	/* loadflags kept */
	assert_int_equal(get(ram, LX_BP + 0x1f4, 4), 0x5678);	/* the file's header */
	assert_int_equal(get(ram, LX_BP + 0x26c, 1), 0);	/* ... only up to its end */
	/* PML4 -> PDPT -> 4 PDs: the identity map of 4 GiB, 2 MiB pages, nothing else */
	assert_int_equal(ram64(LX_BOOT), (LX_BOOT + 0x1000) | 3);
	for (unsigned i = 1; i < 512; i++)
		assert_int_equal(ram64(LX_BOOT + 8 * i), 0);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(ram64(LX_BOOT + 0x1000 + 8 * i),
				 i < 4 ? (LX_BOOT + 0x2000 + 0x1000 * i) | 3 : 0);
	for (unsigned i = 0; i < 2048; i++)
		assert_int_equal(ram64(LX_BOOT + 0x2000 + 8 * i), ((uint64_t)i << 21) | 0x83);
	/* GDT: null, null, __BOOT_CS 64-bit code, __BOOT_DS data */
	assert_int_equal(ram64(LX_BOOT + 0x6000), 0);
	assert_int_equal(ram64(LX_BOOT + 0x6008), 0);
	assert_int_equal(ram64(LX_BOOT + 0x6010), 0x00af9b000000ffffull);
	assert_int_equal(ram64(LX_BOOT + 0x6018), 0x00cf93000000ffffull);
	check_linux_registers(BZ_PREF);
}

/*
 * No initrd, no ACPI tables: the fields stay 0; an empty command line; a
 * setup header of protocol 2.12's length (up to handover_offset): the
 * file's bytes after it are not copied.
 */
static void test_linux_bare(void **state)
{
	static uint8_t bp[4096];
	const char *why = "unset";

	(void)state;
	put(bz, 0x201, 0x268 - 0x202, 1);
	put(bz, 0x206, 0x020c, 2);
	assert_true(childload_image(bz, bz_len, LX_MEM, 1, ID, "", NULL, 0, NULL, &mem, &plan, &why));
	assert_int_equal(plan.nmods, 0);
	expected_boot_params(bp, 0, 0, false, LX_MEM);
	assert_memory_equal(ram + LX_BP, bp, sizeof(bp));
	assert_int_equal(get(ram, LX_BP + 0x268, 4), 0);	/* kernel_info_offset: not copied */
	assert_int_equal(get(ram, LX_BP + 0x264, 4), 0x190);	/* handover_offset: copied */
	assert_string_equal((const char *)ram + LX_CMDLINE, "");
	assert_int_equal(ram[0xe0000], 0xee);
	assert_true(childload_vp_starts(&plan, 0));
	assert_false(childload_vp_starts(&plan, 1));
}

/* Where the kernel goes when pref_address will not do, and where the initrd goes. */
static void load_at(uint64_t mem_bytes, const struct childload_module *initrd, uint64_t kernel,
		    uint64_t initrd_at)
{
	const char *why = "unset";

	memset(ram, 0xee, sizeof(ram));
	assert_true(childload_check(bz, bz_len, mem_bytes, initrd, initrd ? 1 : 0, NULL, &why));
	assert_true(childload_image(bz, bz_len, mem_bytes, 2, ID, "x", initrd, initrd ? 1 : 0, NULL,
				    &mem, &plan, &why));
	assert_null(why);
	assert_int_equal(plan.kernel_gpa, kernel);
	assert_int_equal(plan.entry, kernel + 0x200);
	assert_memory_equal(ram + kernel, bz + BZ_KOFF, bz_len - BZ_KOFF);
	assert_int_equal(get(ram, LX_BP + 0x218, 4), initrd_at);
	if (initrd) {
		assert_int_equal(plan.mod_start[0], initrd_at);
		assert_memory_equal(ram + initrd_at, initrd->data, initrd->len);
		assert_true(initrd_at + initrd->len <= kernel || initrd_at >= kernel + BZ_INIT);
	}
	check_linux_registers(kernel);
}

static void test_linux_placement(void **state)
{
	const struct childload_module below = { NULL, big_initrd, BIG_INITRD };
	const struct childload_module small = { NULL, mod_data, MIB(1) };
	const char *why = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(big_initrd); i++)
		big_initrd[i] = (uint8_t)(i * 3 + 1);
	/* 20 MiB is enough at pref_address */
	ram_limit = MIB(20);
	load_at(MIB(20), NULL, BZ_PREF, 0);
	ram_limit = LX_MEM;
	/* pref_address not aligned: the lowest aligned address from 16 MiB */
	put(bz, 0x258, 0x1100000, 8);
	load_at(LX_MEM, NULL, 0x1000000, 0);
	/* pref_address too high for the RAM: 16 MiB */
	put(bz, 0x258, 0x1e00000, 8);
	load_at(LX_MEM, NULL, 0x1000000, 0);
	/* with 16 MiB alignment: still 16 MiB; with 32 MiB (and 64 MiB of RAM): 32 MiB */
	put(bz, 0x230, 0x1000000, 4);
	load_at(LX_MEM, NULL, 0x1000000, 0);
	put(bz, 0x230, 0x2000000, 4);
	assert_false(childload_check(bz, bz_len, LX_MEM, NULL, 0, NULL, &why));
	assert_string_equal(why, "bzImage needs 36 MiB of RAM (init_size 0x400000 at 0x2000000), "
				 "the child has 32 MiB");
	put(bz, 0x230, BZ_ALIGN, 4);
	/* a low, aligned pref_address that fits is taken */
	put(bz, 0x258, 0x200000, 8);
	load_at(LX_MEM, NULL, 0x200000, 0);
	/* not relocatable: pref_address even when not aligned */
	put(bz, 0x234, 0, 1);
	put(bz, 0x258, 0x1100000, 8);
	load_at(LX_MEM, NULL, 0x1100000, 0);
	put(bz, 0x234, 1, 1);
	put(bz, 0x258, BZ_PREF, 8);
	/* an initrd too big for above the kernel goes right below it */
	load_at(LX_MEM, &below, BZ_PREF, BZ_PREF - BIG_INITRD);
	/* initrd_addr_max caps the top: below 24 MiB */
	put(bz, 0x22c, MIB(24) - 1, 4);
	load_at(LX_MEM, &small, BZ_PREF, MIB(23));
	/* setup_sects 0 means 4: the kernel from file offset 0xA00 */
	make_bzimage();
	put(bz, 0x1f1, 0, 1);
	memset(ram, 0xee, sizeof(ram));
	assert_true(childload_image(bz, bz_len, LX_MEM, 1, ID, "", NULL, 0, NULL, &mem, &plan, &why));
	assert_memory_equal(ram + BZ_PREF, bz + 0xa00, BZ_LEN - 0xa00);
	assert_int_equal(ram[BZ_PREF + BZ_LEN - 0xa00], 0xee);
	/* a command line exactly cmdline_size long is taken */
	put(bz, 0x238, 16, 4);
	assert_true(childload_image(bz, bz_len, LX_MEM, 1, ID, "0123456789abcdef", NULL, 0, NULL,
				    &mem, &plan, &why));
	assert_string_equal((const char *)ram + LX_CMDLINE, "0123456789abcdef");
}

/* Debian 12's 6.1 kernel, when unit.mk finds build/linux/vmlinuz (LINUX_VMLINUZ). */
static void test_linux_vmlinuz(void **state)
{
	const char *path = getenv("LINUX_VMLINUZ");
	struct bzimage_info info;
	const char *why = NULL;
	uint8_t *file;
	FILE *f;
	long len;

	(void)state;
	if (!path || !*path || !(f = fopen(path, "rb"))) {
		print_message("LINUX_VMLINUZ unset or unreadable: no real kernel to parse\n");
		skip();
		return;
	}
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0x10000);
	rewind(f);
	file = malloc((size_t)len);
	assert_non_null(file);
	assert_int_equal(fread(file, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	assert_true(bzimage_is(file, (size_t)len));
	assert_true(bzimage_parse(file, (size_t)len, &info, &why));
	assert_true(info.hdr.version >= 0x020f);
	assert_true(info.hdr.xloadflags & 1);		/* XLF_KERNEL_64 */
	assert_true(info.relocatable);
	assert_int_equal(info.pref_address, 0x1000000);
	assert_int_equal(info.alignment, 0x200000);
	assert_true(info.init_size > info.kernel_len && info.init_size < MIB(256));
	assert_true(info.hdr.cmdline_size >= 255);
	print_message("vmlinuz: protocol %x, init_size %#lx, kernel %#zx bytes at %#zx\n",
		      info.hdr.version, (unsigned long)info.init_size, info.kernel_len,
		      info.kernel_off);
	/* the root's check: fits 256 MiB, and says how much it needs in 32 MiB */
	assert_true(childload_check(file, (size_t)len, MIB(256), NULL, 0, NULL, &why));
	assert_false(childload_check(file, (size_t)len, MIB(32), NULL, 0, NULL, &why));
	assert_non_null(strstr(why, "bzImage needs "));
	free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_elf64_memory, setup),
		cmocka_unit_test_setup(test_elf64_registers, setup),
		cmocka_unit_test_setup(test_multiboot, setup),
		cmocka_unit_test_setup(test_refusals, setup),
		cmocka_unit_test_setup(test_mb1_modules, setup),
		cmocka_unit_test_setup(test_mb1_one_module, setup),
		cmocka_unit_test_setup(test_mb1_three_modules, setup),
		cmocka_unit_test_setup(test_mb2_modules, setup),
		cmocka_unit_test_setup(test_mb2_one_module, setup),
		cmocka_unit_test_setup(test_mb2_three_modules, setup),
		cmocka_unit_test_setup(test_modules_too_big, setup),
		cmocka_unit_test_setup(test_modules_refused, setup),
		cmocka_unit_test_setup(test_linux_header_refusals, lx_setup),
		cmocka_unit_test_setup(test_linux_not_mbhdr, lx_setup),
		cmocka_unit_test_setup(test_linux_load_refusals, lx_setup),
		cmocka_unit_test_setup(test_linux_load, lx_setup),
		cmocka_unit_test_setup(test_linux_bare, lx_setup),
		cmocka_unit_test_setup(test_linux_placement, lx_setup),
		cmocka_unit_test_setup(test_linux_vmlinuz, lx_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
