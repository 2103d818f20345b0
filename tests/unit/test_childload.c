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
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <elf.h>
#include <cmocka.h>

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

static uint8_t ram[MEM];
static uint8_t image[IMAGE_LEN];
static unsigned writes;
static struct childload_plan plan;
static struct hv_register_assoc regs[CHILDLOAD_REGS_MAX];
static uint8_t mod_data[MODS_ROOM + 1];		/* enough for the largest module tried */

static bool fake_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	(void)ctx;
	if (gpa > MEM || len > MEM - gpa)
		return false;
	memcpy(ram + gpa, src, len);
	writes++;
	return true;
}

static bool fake_zero(void *ctx, uint64_t gpa, size_t len)
{
	(void)ctx;
	if (gpa > MEM || len > MEM - gpa)
		return false;
	memset(ram + gpa, 0, len);
	return true;
}

static const struct childload_mem mem = { fake_write, fake_zero, NULL };

static int setup(void **state)
{
	(void)state;
	memset(ram, 0xee, sizeof(ram));		/* what the loader must overwrite */
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
	assert_true(childload_image(image, IMAGE_LEN, MEM, 2, ID, "", NULL, 0, &mem, &plan, &why));
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
	assert_true(childload_image(image, IMAGE_LEN, MEM, 2, ID, "", NULL, 0, &mem, &plan, &why));
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
	assert_true(childload_image(image, IMAGE_LEN, MEM, 2, ID, "console=x", NULL, 0, &mem, &plan, &why));
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
	assert_false(childload_check(image, IMAGE_LEN, MEM, NULL, 0, &why));	/* what the root asks first */
	assert_string_equal(why, "not an ELF file");
	why = NULL;
	assert_false(childload_image(image, IMAGE_LEN, MEM, 1, ID, "", NULL, 0, &mem, &plan, &why));
	assert_non_null(why);			/* not an image at all */
	make_elf64();
	why = NULL;
	assert_true(childload_check(image, IMAGE_LEN, MEM, NULL, 0, &why));
	assert_false(childload_check(image, IMAGE_LEN, 1ull << 20, NULL, 0, &why));
	assert_string_equal(why, "no room for the boot area");
	assert_int_equal(writes, 0);		/* the check writes nothing */
	why = NULL;
	assert_false(childload_image(image, IMAGE_LEN, 1ull << 20, 1, ID, "", NULL, 0, &mem, &plan, &why));
	assert_string_equal(why, "no room for the boot area");
	why = NULL;
	assert_false(childload_image(image, IMAGE_LEN, MEM, 0, ID, "", NULL, 0, &mem, &plan, &why));
	assert_non_null(why);
	/* a segment reaching into the boot area is refused by the plan, before any write */
	{
		uint64_t pa = BOOT - 0x1000, entry = pa;

		memcpy(image + sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_paddr), &pa, 8);
		memcpy(image + offsetof(Elf64_Ehdr, e_entry), &entry, 8);
	}
	why = NULL;
	writes = 0;
	assert_false(childload_image(image, IMAGE_LEN, MEM, 1, ID, "", NULL, 0, &mem, &plan, &why));
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
	assert_true(childload_check(image, IMAGE_LEN, MEM, mods, n, &why));
	assert_true(childload_image(image, IMAGE_LEN, MEM, 1, ID, "k", mods, n, &mem, &plan, &why));
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
	assert_true(childload_check(image, IMAGE_LEN, MEM, mods, n, &why));
	assert_true(childload_image(image, IMAGE_LEN, MEM, 1, ID, "k", mods, n, &mem, &plan, &why));
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
	assert_false(childload_check(image, IMAGE_LEN, MEM, big, 2, &why));
	assert_string_equal(why, "boot modules need 3072000 bytes, 3067904 are free between "
				 "the kernel and the boot area");
	why = NULL;
	assert_false(childload_image(image, IMAGE_LEN, MEM, 1, ID, "", big, 2, &mem, &plan, &why));
	assert_string_equal(why, "boot modules need 3072000 bytes, 3067904 are free between "
				 "the kernel and the boot area");
	assert_int_equal(writes, 0);
	/* one module, one byte too many */
	big[0].len = MODS_ROOM + 1;
	assert_false(childload_check(image, IMAGE_LEN, MEM, big, 1, &why));
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
	assert_false(childload_check(image, IMAGE_LEN, MEM, three, 1, &why));
	assert_string_equal(why, "boot modules need a Multiboot or Multiboot2 kernel");
	why = NULL;
	assert_false(childload_image(image, IMAGE_LEN, MEM, 1, ID, "", three, 1, &mem, &plan, &why));
	assert_string_equal(why, "boot modules need a Multiboot or Multiboot2 kernel");
	assert_int_equal(writes, 0);
	make_mb1();
	assert_true(childload_check(image, IMAGE_LEN, MEM, many, CHILDLOAD_MODULES_MAX, &why));
	assert_false(childload_check(image, IMAGE_LEN, MEM, many, CHILDLOAD_MODULES_MAX + 1, &why));
	assert_string_equal(why, "too many boot modules (a ramdisk and 8 modules at most)");
	assert_false(childload_image(image, IMAGE_LEN, MEM, 1, ID, "", many,
				     CHILDLOAD_MODULES_MAX + 1, &mem, &plan, &why));
	assert_int_equal(writes, 0);
	/* nine fit: the last one's entry and string are in place */
	assert_true(childload_image(image, IMAGE_LEN, MEM, 1, ID, "", many, CHILDLOAD_MODULES_MAX,
				    &mem, &plan, &why));
	assert_int_equal(ram32(MBI + 20), CHILDLOAD_MODULES_MAX);
	assert_int_equal(ram32(MBI + 256 + 16 * 8), MODS_BASE + 8 * 0x1000);
	assert_string_equal((const char *)ram + MODSTR + 256 * 8, "m");
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
