/*
 * Host unit tests for core/mbhdr.c: which boot protocol a partition's
 * kernel image gets, and the load plan made from a Multiboot (0.6.96)
 * header's address fields, a Multiboot2 header's address and entry tags,
 * or the ELF program headers. Images are built by hand in a buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <elf.h>
#include <cmocka.h>

#include "core/mbhdr.h"

#define LIMIT		(MIB(4) - KIB(64))	/* a 4 MiB partition less the loader's area */
#define MB1_MAGIC	0x1badb002u
#define MB2_MAGIC	0xe85250d6u
#define MB1_F_MEM	(1u << 1)
#define MB1_F_VIDEO	(1u << 2)
#define MB1_F_ADDR	(1u << 16)

/* The ELF images: one text segment at 1 MiB, from file offset 0x1000. */
#define ELF_TEXT_OFF	0x1000
#define ELF_TEXT_PA	0x100000
#define ELF_TEXT_FILESZ	0x1000
#define ELF_TEXT_MEMSZ	0x3000
#define ELF_ENTRY	(ELF_TEXT_PA + 0x20)
#define ELF_LEN		0x2000

static uint8_t file[0x10000];
static size_t len;
static struct load_plan plan;
static const char *why;
static size_t mb2_at, mb2_pos;	/* the Multiboot2 header being built */

static void put16(size_t off, uint16_t v) { memcpy(file + off, &v, 2); }
static void put32(size_t off, uint32_t v) { memcpy(file + off, &v, 4); }

static int setup(void **state)
{
	(void)state;
	memset(file, 0, sizeof(file));
	memset(&plan, 0xcc, sizeof(plan));
	len = 0;
	why = NULL;
	return 0;
}

static void make_elf64(void)
{
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
		.e_entry = ELF_ENTRY, .e_phoff = sizeof(Elf64_Ehdr), .e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 1,
	};
	Elf64_Phdr ph = {
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = ELF_TEXT_OFF,
		.p_vaddr = ELF_TEXT_PA, .p_paddr = ELF_TEXT_PA, .p_filesz = ELF_TEXT_FILESZ,
		.p_memsz = ELF_TEXT_MEMSZ, .p_align = 0x1000,
	};

	memcpy(file, &eh, sizeof(eh));
	memcpy(file + sizeof(eh), &ph, sizeof(ph));
	len = ELF_LEN;
}

static void make_elf32(void)
{
	Elf32_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS32, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_386, .e_version = EV_CURRENT,
		.e_entry = ELF_ENTRY, .e_phoff = sizeof(Elf32_Ehdr), .e_ehsize = sizeof(Elf32_Ehdr),
		.e_phentsize = sizeof(Elf32_Phdr), .e_phnum = 1,
	};
	Elf32_Phdr ph = {
		.p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X, .p_offset = ELF_TEXT_OFF,
		.p_vaddr = ELF_TEXT_PA, .p_paddr = ELF_TEXT_PA, .p_filesz = ELF_TEXT_FILESZ,
		.p_memsz = ELF_TEXT_MEMSZ, .p_align = 0x1000,
	};

	memcpy(file, &eh, sizeof(eh));
	memcpy(file + sizeof(eh), &ph, sizeof(ph));
	len = ELF_LEN;
}

/* Multiboot header: magic, flags, checksum (made wrong on request). */
static void mb1_header(size_t off, uint32_t flags, bool good_checksum)
{
	put32(off, MB1_MAGIC);
	put32(off + 4, flags);
	put32(off + 8, -(MB1_MAGIC + flags) + (good_checksum ? 0 : 1));
}

static void mb1_addresses(size_t off, uint32_t header_addr, uint32_t load_addr,
			  uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
	put32(off + 12, header_addr);
	put32(off + 16, load_addr);
	put32(off + 20, load_end);
	put32(off + 24, bss_end);
	put32(off + 28, entry);
}

/* Multiboot2 header at `off`: begin, tags, end (which writes length and checksum). */
static void mb2_begin(size_t off)
{
	mb2_at = off;
	mb2_pos = off + 16;
}

static void mb2_tag(uint16_t type, uint16_t flags, const uint32_t *body, unsigned words)
{
	put16(mb2_pos, type);
	put16(mb2_pos + 2, flags);
	put32(mb2_pos + 4, 8 + 4 * words);
	for (unsigned i = 0; i < words; i++)
		put32(mb2_pos + 8 + 4 * i, body[i]);
	mb2_pos += (8 + 4 * words + 7) & ~7u;
}

/* The end tag, then the fixed part with header_length = what was built. */
static void mb2_end_len(uint32_t hlen)
{
	put32(mb2_at, MB2_MAGIC);
	put32(mb2_at + 4, 0);
	put32(mb2_at + 8, hlen);
	put32(mb2_at + 12, -(MB2_MAGIC + hlen));
}

static void mb2_end(void)
{
	mb2_tag(0, 0, NULL, 0);
	mb2_end_len((uint32_t)(mb2_pos - mb2_at));
}

static bool run_plan(uint64_t limit)
{
	why = NULL;
	return mbhdr_plan(file, len, limit, &plan, &why);
}

static void expect_ok(enum boot_proto proto)
{
	if (!run_plan(LIMIT))
		fail_msg("rejected: %s", why ? why : "(no reason)");
	assert_int_equal(plan.proto, proto);
}

/* Refused with a reason that mentions `word`. */
static void expect_refused_limit(uint64_t limit, const char *word)
{
	assert_false(run_plan(limit));
	assert_non_null(why);
	if (!strstr(why, word))
		fail_msg("reason \"%s\" does not mention \"%s\"", why, word);
}

static void expect_refused(const char *word)
{
	expect_refused_limit(LIMIT, word);
}

static void expect_one_seg(uint64_t off, uint64_t pa, uint64_t filesz, uint64_t memsz,
			   uint64_t entry)
{
	assert_int_equal(plan.img.nseg, 1);
	assert_int_equal(plan.img.seg[0].offset, off);
	assert_int_equal(plan.img.seg[0].paddr, pa);
	assert_int_equal(plan.img.seg[0].filesz, filesz);
	assert_int_equal(plan.img.seg[0].memsz, memsz);
	assert_int_equal(plan.img.entry, entry);
}

/* ---- no Multiboot header -------------------------------------------------- */

static void plain_elf64_is_elf64(void **state)
{
	(void)state;
	make_elf64();
	expect_ok(BOOT_PROTO_ELF64);
	assert_true(plan.img.is64);
	expect_one_seg(ELF_TEXT_OFF, ELF_TEXT_PA, ELF_TEXT_FILESZ, ELF_TEXT_MEMSZ, ELF_ENTRY);
}

static void elf32_without_header_is_refused(void **state)
{
	(void)state;
	make_elf32();
	expect_refused("32-bit ELF file needs a Multiboot header");
}

static void neither_elf_nor_header_is_refused(void **state)
{
	(void)state;
	len = 0x1000;
	expect_refused("not an ELF file");
	len = 0;
	expect_refused("not an ELF file");
}

/* ---- Multiboot 0.6.96 ------------------------------------------------------ */

/*
 * A raw image (no ELF) of 0x4000 bytes: the header at file offset 0x1040
 * says it is at 0x200040 and the load starts at 0x200000, so loading starts
 * at file offset 0x1000; 0x1800 bytes from the file, bss up to 0x204000.
 */
#define A_HDR_OFF	0x1040
#define A_HDR_ADDR	0x200040u
#define A_LOAD		0x200000u
#define A_LOAD_END	0x201800u
#define A_BSS_END	0x204000u
#define A_ENTRY		0x200100u
#define A_LEN		0x4000

static void mb1_raw(uint32_t header_addr, uint32_t load, uint32_t load_end, uint32_t bss_end,
		    uint32_t entry)
{
	mb1_header(A_HDR_OFF, MB1_F_ADDR | MB1_F_MEM | 1, true);
	mb1_addresses(A_HDR_OFF, header_addr, load, load_end, bss_end, entry);
	len = A_LEN;
}

static void mb1_address_fields_make_the_plan(void **state)
{
	(void)state;
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD_END, A_BSS_END, A_ENTRY);
	expect_ok(BOOT_PROTO_MB1);
	expect_one_seg(0x1000, A_LOAD, 0x1800, 0x4000, A_ENTRY);
	assert_int_equal(plan.img.seg[0].flags, 7);
}

/* load_end_addr 0: the rest of the file; bss_end_addr 0: no bss. */
static void mb1_zero_load_end_and_bss_end(void **state)
{
	(void)state;
	mb1_raw(A_HDR_ADDR, A_LOAD, 0, 0, A_ENTRY);
	expect_ok(BOOT_PROTO_MB1);
	expect_one_seg(0x1000, A_LOAD, A_LEN - 0x1000, A_LEN - 0x1000, A_ENTRY);
}

/* The header at the load address; entry at the first and last loaded byte; the file's end. */
static void mb1_exact_boundaries(void **state)
{
	(void)state;
	mb1_raw(A_HDR_ADDR, A_HDR_ADDR, A_HDR_ADDR + (A_LEN - A_HDR_OFF), 0, A_HDR_ADDR);
	expect_ok(BOOT_PROTO_MB1);
	expect_one_seg(A_HDR_OFF, A_HDR_ADDR, A_LEN - A_HDR_OFF, A_LEN - A_HDR_OFF, A_HDR_ADDR);
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD_END, A_BSS_END, A_BSS_END - 1);
	expect_ok(BOOT_PROTO_MB1);
	/* the load starting at file offset 0 */
	mb1_raw(A_HDR_ADDR, A_HDR_ADDR - A_HDR_OFF, A_LOAD_END, A_BSS_END, A_ENTRY);
	expect_ok(BOOT_PROTO_MB1);
	expect_one_seg(0, A_HDR_ADDR - A_HDR_OFF, A_LOAD_END - (A_HDR_ADDR - A_HDR_OFF),
		       A_BSS_END - (A_HDR_ADDR - A_HDR_OFF), A_ENTRY);
	/* one byte more than the partition may use, then exactly what it may */
	expect_refused_limit(A_BSS_END - 1, "outside the partition's memory");
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD_END, A_BSS_END, A_ENTRY);
	assert_true(run_plan(A_BSS_END));
}

static void mb1_bad_checksum_is_ignored(void **state)
{
	(void)state;
	make_elf64();
	mb1_header(0x1000, MB1_F_ADDR, false);
	mb1_addresses(0x1000, A_HDR_ADDR, A_LOAD, A_LOAD_END, A_BSS_END, A_ENTRY);
	expect_ok(BOOT_PROTO_ELF64);
	expect_one_seg(ELF_TEXT_OFF, ELF_TEXT_PA, ELF_TEXT_FILESZ, ELF_TEXT_MEMSZ, ELF_ENTRY);
	/* and a raw image whose only header is bad is no kernel at all */
	setup(NULL);
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD_END, A_BSS_END, A_ENTRY);
	put32(A_HDR_OFF + 8, 0);
	expect_refused("not an ELF file");
}

static void mb1_video_mode_is_refused(void **state)
{
	(void)state;
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD_END, A_BSS_END, A_ENTRY);
	mb1_header(A_HDR_OFF, MB1_F_ADDR | MB1_F_VIDEO, true);
	expect_refused("video");
	/* any other required feature (bits 0-15) we do not know */
	mb1_header(A_HDR_OFF, MB1_F_ADDR | (1u << 3), true);
	assert_false(run_plan(LIMIT));
	mb1_header(A_HDR_OFF, MB1_F_ADDR | (1u << 15), true);
	assert_false(run_plan(LIMIT));
	/* optional bits (17-31) are no reason to refuse */
	mb1_header(A_HDR_OFF, MB1_F_ADDR | (1u << 17) | (1u << 31), true);
	expect_ok(BOOT_PROTO_MB1);
}

static void mb1_load_addr_after_header_is_refused(void **state)
{
	(void)state;
	mb1_raw(A_HDR_ADDR, A_HDR_ADDR + 4, A_LOAD_END, A_BSS_END, A_ENTRY);
	expect_refused("load address is after the header");
	/* a load address so low that loading would start before the file */
	mb1_raw(A_HDR_ADDR, A_HDR_ADDR - A_HDR_OFF - 4, A_LOAD_END, A_BSS_END, A_ENTRY);
	assert_false(run_plan(LIMIT));
	assert_non_null(why);
}

static void mb1_entry_outside_is_refused(void **state)
{
	(void)state;
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD_END, A_BSS_END, A_LOAD - 1);
	expect_refused("entry is outside");
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD_END, A_BSS_END, A_BSS_END);
	expect_refused("entry is outside");
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD_END, 0, A_LOAD_END);	/* no bss: ends at load_end */
	expect_refused("entry is outside");
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD_END, A_BSS_END, 0);
	expect_refused("entry is outside");
}

static void mb1_load_end_before_load_addr_is_refused(void **state)
{
	(void)state;
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD - 1, A_BSS_END, A_ENTRY);
	expect_refused("load end is before the load address");
}

static void mb1_bss_end_before_load_end_is_refused(void **state)
{
	(void)state;
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD_END, A_LOAD_END - 1, A_ENTRY);
	expect_refused("bss end is before the load end");
	/* below the load address too: refused, whatever the words */
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD_END, A_LOAD - 0x1000, A_ENTRY);
	assert_false(run_plan(LIMIT));
	assert_non_null(why);
}

static void mb1_load_past_the_file_is_refused(void **state)
{
	(void)state;
	/* the file holds A_LEN - 0x1000 bytes from the load address on */
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD + (A_LEN - 0x1000) + 1, 0, A_ENTRY);
	expect_refused("runs past the file");
	mb1_raw(A_HDR_ADDR, A_LOAD, 0xffffffffu, 0, A_ENTRY);
	expect_refused("runs past the file");
}

static void mb1_past_mem_limit_is_refused(void **state)
{
	(void)state;
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD_END, A_BSS_END, A_ENTRY);
	expect_refused_limit(A_BSS_END - 1, "outside the partition's memory");
	expect_refused_limit(A_LOAD, "outside the partition's memory");
	expect_refused_limit(0, "outside the partition's memory");
	/* a huge bss */
	mb1_raw(A_HDR_ADDR, A_LOAD, A_LOAD_END, 0xfffff000u, A_ENTRY);
	expect_refused("outside the partition's memory");
	/* an image placed near 4 GiB */
	mb1_raw(0xfffff040u, 0xfffff000u, 0, 0, 0xfffff100u);
	expect_refused("outside the partition's memory");
}

static void mb1_truncated_header_is_refused(void **state)
{
	(void)state;
	/* magic, flags, checksum in the last 16 bytes: no room for the address fields */
	len = 0x1000;
	mb1_header(len - 16, MB1_F_ADDR, true);
	expect_refused("truncated");
}

/* Without flag 16 the image is ELF, and it must be a 32-bit one. */
static void mb1_elf32_form(void **state)
{
	(void)state;
	make_elf32();
	mb1_header(ELF_TEXT_OFF + 8, MB1_F_MEM | 1, true);
	expect_ok(BOOT_PROTO_MB1);
	assert_false(plan.img.is64);
	expect_one_seg(ELF_TEXT_OFF, ELF_TEXT_PA, ELF_TEXT_FILESZ, ELF_TEXT_MEMSZ, ELF_ENTRY);

	make_elf64();
	mb1_header(ELF_TEXT_OFF + 8, MB1_F_MEM | 1, true);
	expect_refused("must be 32-bit");
}

/* With flag 16 the address fields win over the ELF headers around them. */
static void mb1_address_fields_win_over_elf(void **state)
{
	(void)state;
	make_elf32();
	mb1_header(ELF_TEXT_OFF + 8, MB1_F_ADDR, true);
	mb1_addresses(ELF_TEXT_OFF + 8, 0x300008, 0x300000, 0x300800, 0x301000, 0x300010);
	expect_ok(BOOT_PROTO_MB1);
	expect_one_seg(ELF_TEXT_OFF, 0x300000, 0x800, 0x1000, 0x300010);
}

static void mb1_header_window_is_8k(void **state)
{
	(void)state;
	make_elf32();
	len = 0x4000;
	mb1_header(8192, MB1_F_MEM, true);		/* not in the first 8 KiB */
	expect_refused("32-bit ELF file needs a Multiboot header");
	mb1_header(8192 - 12, MB1_F_MEM, true);		/* the last 12 bytes of them */
	expect_ok(BOOT_PROTO_MB1);
	/* and not at an unaligned offset */
	setup(NULL);
	make_elf32();
	mb1_header(ELF_TEXT_OFF + 2, MB1_F_MEM, true);
	expect_refused("32-bit ELF file needs a Multiboot header");
}

/* ---- Multiboot2 -------------------------------------------------------------- */

/* A raw image of 0x3000 bytes, the header at 0x100 saying it is at 0x100100. */
#define B_HDR_OFF	0x100
#define B_LEN		0x3000

static void mb2_raw_addr_entry(uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
	const uint32_t addr[4] = { 0x100100, 0x100000, load_end, bss_end };

	mb2_begin(B_HDR_OFF);
	mb2_tag(2, 0, addr, 4);
	mb2_tag(3, 0, &entry, 1);
	mb2_end();
	len = B_LEN;
}

static void mb2_address_and_entry_tags(void **state)
{
	(void)state;
	mb2_raw_addr_entry(0x102000, 0x103000, 0x100200);
	expect_ok(BOOT_PROTO_MB2);
	expect_one_seg(0, 0x100000, 0x2000, 0x3000, 0x100200);
	mb2_raw_addr_entry(0, 0, 0x100200);
	expect_ok(BOOT_PROTO_MB2);
	expect_one_seg(0, 0x100000, B_LEN, B_LEN, 0x100200);
	/* the same consistency checks as version 1 */
	mb2_raw_addr_entry(0x102000, 0x103000, 0x103000);
	expect_refused("entry is outside");
	mb2_raw_addr_entry(0x100000 + B_LEN + 1, 0, 0x100200);
	expect_refused("runs past the file");
	mb2_raw_addr_entry(0x102000, 0x101000, 0x100200);
	expect_refused("bss end is before the load end");
	mb2_raw_addr_entry(0x102000, 0x103000, 0x100200);
	expect_refused_limit(0x102fff, "outside the partition's memory");
}

/* ELF32 with an entry tag: segments from the ELF file, entry from the tag. */
static void mb2_elf_with_entry_tag(void **state)
{
	const uint32_t entry = ELF_TEXT_PA + 0x800, request[2] = { 1, 6 };

	(void)state;
	make_elf32();
	mb2_begin(ELF_TEXT_OFF);
	mb2_tag(1, 0, request, 2);			/* information request */
	mb2_tag(3, 0, &entry, 1);
	mb2_end();
	expect_ok(BOOT_PROTO_MB2);
	expect_one_seg(ELF_TEXT_OFF, ELF_TEXT_PA, ELF_TEXT_FILESZ, ELF_TEXT_MEMSZ, entry);

	/* without the tag, the ELF entry */
	setup(NULL);
	make_elf32();
	mb2_begin(ELF_TEXT_OFF);
	mb2_tag(1, 0, request, 2);
	mb2_end();
	expect_ok(BOOT_PROTO_MB2);
	assert_int_equal(plan.img.entry, ELF_ENTRY);
}

/* An entry tag must point into what is loaded, like the ELF entry and the address form. */
static void mb2_entry_tag_outside_the_image_is_refused(void **state)
{
	uint32_t entry = ELF_TEXT_PA + ELF_TEXT_MEMSZ;

	(void)state;
	make_elf32();
	mb2_begin(ELF_TEXT_OFF);
	mb2_tag(3, 0, &entry, 1);
	mb2_end();
	expect_refused("entry is outside");
	entry = ELF_TEXT_PA - 1;
	mb2_begin(ELF_TEXT_OFF);
	mb2_tag(3, 0, &entry, 1);
	mb2_end();
	expect_refused("entry is outside");
	entry = ELF_TEXT_PA + ELF_TEXT_MEMSZ - 1;	/* the last byte is fine */
	mb2_begin(ELF_TEXT_OFF);
	mb2_tag(3, 0, &entry, 1);
	mb2_end();
	expect_ok(BOOT_PROTO_MB2);
	assert_int_equal(plan.img.entry, entry);
}

static void mb2_framebuffer_required_is_refused_optional_accepted(void **state)
{
	const uint32_t fb[3] = { 1024, 768, 32 };

	(void)state;
	make_elf32();
	mb2_begin(ELF_TEXT_OFF);
	mb2_tag(5, 0, fb, 3);
	mb2_end();
	expect_refused("framebuffer");

	mb2_begin(ELF_TEXT_OFF);
	mb2_tag(5, 1, fb, 3);				/* optional */
	mb2_end();
	expect_ok(BOOT_PROTO_MB2);
	expect_one_seg(ELF_TEXT_OFF, ELF_TEXT_PA, ELF_TEXT_FILESZ, ELF_TEXT_MEMSZ, ELF_ENTRY);

	/* EFI boot services: the same */
	mb2_begin(ELF_TEXT_OFF);
	mb2_tag(7, 0, NULL, 0);
	mb2_end();
	expect_refused("EFI boot services");
	mb2_begin(ELF_TEXT_OFF);
	mb2_tag(7, 1, NULL, 0);
	mb2_end();
	expect_ok(BOOT_PROTO_MB2);
}

static void mb2_tag_past_the_header_is_refused(void **state)
{
	const uint32_t fb[3] = { 0, 0, 0 };

	(void)state;
	make_elf32();
	mb2_begin(ELF_TEXT_OFF);
	mb2_tag(5, 1, fb, 3);				/* 20 bytes, padded to 24 */
	mb2_end();
	put32(ELF_TEXT_OFF + 16 + 4, 24 + 8 + 1);	/* past the end tag, the header's end */
	expect_refused("tag runs past the header");
	put32(ELF_TEXT_OFF + 16 + 4, 0xfffffff8u);
	expect_refused("tag runs past the header");
	put32(ELF_TEXT_OFF + 16 + 4, 4);		/* shorter than a tag header */
	expect_refused("tag runs past the header");
	put32(ELF_TEXT_OFF + 16 + 4, 24 + 8);		/* up to the header's end: fine */
	expect_ok(BOOT_PROTO_MB2);
}

static void mb2_header_length_is_checked(void **state)
{
	(void)state;
	make_elf32();
	mb2_begin(ELF_TEXT_OFF);
	mb2_end_len(16);				/* no room for the end tag */
	expect_refused("header length is wrong");
	mb2_end_len((uint32_t)(len - ELF_TEXT_OFF) + 8);	/* past the file */
	expect_refused("header length is wrong");
}

static void mb2_bad_checksum_or_arch_is_ignored(void **state)
{
	(void)state;
	make_elf64();
	mb2_begin(ELF_TEXT_OFF);
	mb2_end();
	put32(ELF_TEXT_OFF + 12, 0);
	expect_ok(BOOT_PROTO_ELF64);
	mb2_end_len(24);
	put32(ELF_TEXT_OFF + 4, 4);			/* MIPS */
	put32(ELF_TEXT_OFF + 12, -(MB2_MAGIC + 4 + 24));
	expect_ok(BOOT_PROTO_ELF64);
}

static void mb2_header_window_is_32k(void **state)
{
	(void)state;
	make_elf32();
	len = 0x9000;
	mb2_begin(32768);				/* just past the first 32 KiB */
	mb2_end();
	expect_refused("32-bit ELF file needs a Multiboot header");
	mb2_begin(32768 - 24);				/* the last 24 bytes of them */
	mb2_end();
	expect_ok(BOOT_PROTO_MB2);
	/* and only at 8-byte aligned offsets */
	setup(NULL);
	make_elf32();
	mb2_begin(ELF_TEXT_OFF + 4);
	mb2_end();
	expect_refused("32-bit ELF file needs a Multiboot header");
}

/* Both headers: version 2 is preferred. */
static void mb2_wins_over_mb1(void **state)
{
	(void)state;
	make_elf32();
	mb1_header(ELF_TEXT_OFF, MB1_F_MEM, true);
	mb2_begin(ELF_TEXT_OFF + 16);
	mb2_end();
	expect_ok(BOOT_PROTO_MB2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(plain_elf64_is_elf64, setup),
		cmocka_unit_test_setup(elf32_without_header_is_refused, setup),
		cmocka_unit_test_setup(neither_elf_nor_header_is_refused, setup),
		cmocka_unit_test_setup(mb1_address_fields_make_the_plan, setup),
		cmocka_unit_test_setup(mb1_zero_load_end_and_bss_end, setup),
		cmocka_unit_test_setup(mb1_exact_boundaries, setup),
		cmocka_unit_test_setup(mb1_bad_checksum_is_ignored, setup),
		cmocka_unit_test_setup(mb1_video_mode_is_refused, setup),
		cmocka_unit_test_setup(mb1_load_addr_after_header_is_refused, setup),
		cmocka_unit_test_setup(mb1_entry_outside_is_refused, setup),
		cmocka_unit_test_setup(mb1_load_end_before_load_addr_is_refused, setup),
		cmocka_unit_test_setup(mb1_bss_end_before_load_end_is_refused, setup),
		cmocka_unit_test_setup(mb1_load_past_the_file_is_refused, setup),
		cmocka_unit_test_setup(mb1_past_mem_limit_is_refused, setup),
		cmocka_unit_test_setup(mb1_truncated_header_is_refused, setup),
		cmocka_unit_test_setup(mb1_elf32_form, setup),
		cmocka_unit_test_setup(mb1_address_fields_win_over_elf, setup),
		cmocka_unit_test_setup(mb1_header_window_is_8k, setup),
		cmocka_unit_test_setup(mb2_address_and_entry_tags, setup),
		cmocka_unit_test_setup(mb2_elf_with_entry_tag, setup),
		cmocka_unit_test_setup(mb2_entry_tag_outside_the_image_is_refused, setup),
		cmocka_unit_test_setup(mb2_framebuffer_required_is_refused_optional_accepted, setup),
		cmocka_unit_test_setup(mb2_tag_past_the_header_is_refused, setup),
		cmocka_unit_test_setup(mb2_header_length_is_checked, setup),
		cmocka_unit_test_setup(mb2_bad_checksum_or_arch_is_ignored, setup),
		cmocka_unit_test_setup(mb2_header_window_is_32k, setup),
		cmocka_unit_test_setup(mb2_wins_over_mb1, setup),
	};

	return cmocka_run_group_tests_name("mbhdr", tests, NULL, NULL);
}
