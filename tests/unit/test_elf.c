/*
 * Host unit tests for core/elf.c: ELF64 executable validation. Images are
 * built by hand (layouts from the host's <elf.h>) in a buffer; each test
 * starts from a valid two-segment image and breaks one thing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <elf.h>
#include <cmocka.h>

#include "core/elf.h"

#define LIMIT		MIB(16)		/* the partition's memory */
#define FILE_LEN	0x1400		/* the valid image's length */
#define TEXT_OFF	0x1000
#define TEXT_PA		0x100000
#define TEXT_SZ		0x200
#define DATA_OFF	0x1200
#define DATA_PA		0x200000
#define DATA_FILESZ	0x100
#define DATA_MEMSZ	0x3000
#define ENTRY		(TEXT_PA + 0x10)

static union {
	uint8_t b[0x4000];
	Elf64_Ehdr eh;
} file;
static size_t len;
static struct elf_image img;
static const char *why;

static Elf64_Ehdr *eh(void)
{
	return &file.eh;
}

/* Program header i where the header says they are. */
static Elf64_Phdr *ph(unsigned i)
{
	return (Elf64_Phdr *)(file.b + eh()->e_phoff + (size_t)i * eh()->e_phentsize);
}

static Elf64_Phdr *add_ph(uint32_t type, uint64_t off, uint64_t pa, uint64_t filesz,
			  uint64_t memsz, uint32_t flags)
{
	Elf64_Phdr *p = ph(eh()->e_phnum++);

	assert_true((uint8_t *)(p + 1) <= file.b + TEXT_OFF);
	*p = (Elf64_Phdr){
		.p_type = type, .p_flags = flags, .p_offset = off,
		.p_vaddr = pa, .p_paddr = pa, .p_filesz = filesz, .p_memsz = memsz,
		.p_align = PAGE_SIZE,
	};
	return p;
}

static Elf64_Phdr *add_load(uint64_t off, uint64_t pa, uint64_t filesz, uint64_t memsz,
			    uint32_t flags)
{
	return add_ph(PT_LOAD, off, pa, filesz, memsz, flags);
}

/* A valid executable: text (R X), a note, data with bss (R W). */
static int setup(void **state)
{
	(void)state;
	memset(&file, 0, sizeof(file));
	memcpy(eh()->e_ident, ELFMAG, SELFMAG);
	eh()->e_ident[EI_CLASS] = ELFCLASS64;
	eh()->e_ident[EI_DATA] = ELFDATA2LSB;
	eh()->e_ident[EI_VERSION] = EV_CURRENT;
	eh()->e_type = ET_EXEC;
	eh()->e_machine = EM_X86_64;
	eh()->e_version = EV_CURRENT;
	eh()->e_entry = ENTRY;
	eh()->e_phoff = sizeof(Elf64_Ehdr);
	eh()->e_ehsize = sizeof(Elf64_Ehdr);
	eh()->e_phentsize = sizeof(Elf64_Phdr);
	eh()->e_phnum = 0;
	add_load(TEXT_OFF, TEXT_PA, TEXT_SZ, TEXT_SZ, PF_R | PF_X);
	add_ph(PT_NOTE, TEXT_OFF + TEXT_SZ - 0x20, 0, 0x20, 0, PF_R);
	add_load(DATA_OFF, DATA_PA, DATA_FILESZ, DATA_MEMSZ, PF_R | PF_W);
	memset(file.b + TEXT_OFF, 0x90, TEXT_SZ);
	len = FILE_LEN;
	memset(&img, 0xcc, sizeof(img));
	why = NULL;
	return 0;
}

static bool parse(void)
{
	return elf_parse(file.b, len, LIMIT, &img, &why);
}

static void expect_ok(void)
{
	why = NULL;
	if (!parse())
		fail_msg("rejected: %s", why ? why : "(no reason)");
}

/* Rejected, with a reason that mentions `word`. */
static void expect_reject_limit(uint64_t limit, const char *word)
{
	why = NULL;
	assert_false(elf_parse(file.b, len, limit, &img, &why));
	assert_non_null(why);
	assert_true(why[0] != '\0');
	if (!strstr(why, word))
		fail_msg("reason \"%s\" does not mention \"%s\"", why, word);
}

static void expect_reject(const char *word)
{
	expect_reject_limit(LIMIT, word);
}

static void expect_seg(unsigned i, uint64_t off, uint64_t pa, uint64_t filesz,
		       uint64_t memsz, uint32_t flags)
{
	assert_true(i < img.nseg);
	assert_int_equal(img.seg[i].offset, off);
	assert_int_equal(img.seg[i].paddr, pa);
	assert_int_equal(img.seg[i].filesz, filesz);
	assert_int_equal(img.seg[i].memsz, memsz);
	assert_int_equal(img.seg[i].flags, flags);
}

/* ---- valid images ------------------------------------------------------- */

static void valid_image_lists_its_load_segments(void **state)
{
	(void)state;
	expect_ok();
	assert_int_equal(img.entry, ENTRY);
	assert_int_equal(img.nseg, 2);
	expect_seg(0, TEXT_OFF, TEXT_PA, TEXT_SZ, TEXT_SZ, PF_R | PF_X);
	expect_seg(1, DATA_OFF, DATA_PA, DATA_FILESZ, DATA_MEMSZ, PF_R | PF_W);
}

/* The load address is p_paddr, whatever p_vaddr says. */
static void load_address_is_paddr(void **state)
{
	(void)state;
	ph(0)->p_vaddr = 0xffffffff80100000ull;
	ph(2)->p_vaddr = 0xffffffff80200000ull;
	expect_ok();
	expect_seg(0, TEXT_OFF, TEXT_PA, TEXT_SZ, TEXT_SZ, PF_R | PF_X);
	expect_seg(1, DATA_OFF, DATA_PA, DATA_FILESZ, DATA_MEMSZ, PF_R | PF_W);
}

/* Program headers larger than Elf64_Phdr are stepped over by e_phentsize. */
static void larger_phentsize_is_honoured(void **state)
{
	Elf64_Phdr p[3];

	(void)state;
	memcpy(p, ph(0), sizeof(p));
	memset(ph(0), 0, sizeof(p));
	eh()->e_phentsize = 80;
	for (unsigned i = 0; i < 3; i++) {
		memset(ph(i), 0xee, 80);
		memcpy(ph(i), &p[i], sizeof(p[i]));
	}
	expect_ok();
	assert_int_equal(img.nseg, 2);
	expect_seg(0, TEXT_OFF, TEXT_PA, TEXT_SZ, TEXT_SZ, PF_R | PF_X);
	expect_seg(1, DATA_OFF, DATA_PA, DATA_FILESZ, DATA_MEMSZ, PF_R | PF_W);
}

static void empty_load_segment_is_skipped(void **state)
{
	(void)state;
	add_load(0, TEXT_PA, 0, 0, PF_R);	/* memsz 0, even where text is */
	expect_ok();
	assert_int_equal(img.nseg, 2);
}

/* Limits that are met exactly: file end, memory end, adjacent segments, headers at the end. */
static void exact_boundaries_are_accepted(void **state)
{
	(void)state;
	ph(2)->p_filesz = FILE_LEN - DATA_OFF;		/* up to the last byte of the file */
	ph(2)->p_paddr = LIMIT - DATA_MEMSZ;		/* up to the last byte of memory */
	add_load(0, TEXT_PA + TEXT_SZ, 0, 0x100, PF_R);	/* right after text */
	add_load(0, TEXT_PA - 0x100, 0, 0x100, PF_R);	/* right before text */
	add_load(0, 0, 0, 0x1000, PF_R);		/* at guest-physical 0 */
	expect_ok();
	assert_int_equal(img.nseg, 5);
	expect_seg(1, DATA_OFF, LIMIT - DATA_MEMSZ, FILE_LEN - DATA_OFF, DATA_MEMSZ,
		   PF_R | PF_W);

	/* program headers ending at the last byte of the file */
	uint64_t phoff = FILE_LEN - 6 * sizeof(Elf64_Phdr);
	memmove(file.b + phoff, ph(0), 6 * sizeof(Elf64_Phdr));
	eh()->e_phoff = phoff;
	expect_ok();
	assert_int_equal(img.nseg, 5);
}

static void entry_at_either_end_of_text_is_accepted(void **state)
{
	(void)state;
	eh()->e_entry = TEXT_PA;
	expect_ok();
	eh()->e_entry = TEXT_PA + TEXT_SZ - 1;
	expect_ok();
	/* in the zero-filled part of an executable segment */
	ph(0)->p_memsz = 0x1000;
	eh()->e_entry = TEXT_PA + 0x800;
	expect_ok();
}

static void max_segments_are_accepted(void **state)
{
	(void)state;
	for (unsigned i = 2; i < ELF_MAX_SEGMENTS; i++)
		add_load(0, MIB(4) + i * 0x10000, 0, PAGE_SIZE, PF_R);
	expect_ok();
	assert_int_equal(img.nseg, ELF_MAX_SEGMENTS);
	expect_seg(ELF_MAX_SEGMENTS - 1, 0, MIB(4) + (ELF_MAX_SEGMENTS - 1) * 0x10000, 0,
		   PAGE_SIZE, PF_R);
}

/* ---- header errors ------------------------------------------------------ */

static void too_short_is_rejected(void **state)
{
	(void)state;
	len = 0;
	expect_reject("ELF");
	len = 4;
	expect_reject("ELF");
	len = sizeof(Elf64_Ehdr) - 1;
	expect_reject("ELF");
	/* a whole header but not its program headers */
	len = sizeof(Elf64_Ehdr);
	expect_reject("program headers");
	len = sizeof(Elf64_Ehdr) + 3 * sizeof(Elf64_Phdr) - 1;
	expect_reject("program headers");
}

static void bad_magic_is_rejected(void **state)
{
	(void)state;
	for (unsigned i = 0; i < SELFMAG; i++) {
		setup(NULL);
		file.b[i] ^= 0x20;
		expect_reject("not an ELF");
	}
}

static void wrong_class_or_byte_order_is_rejected(void **state)
{
	(void)state;
	eh()->e_ident[EI_CLASS] = ELFCLASS32;	/* a 32-bit header must be i386 */
	expect_reject("i386");
	eh()->e_ident[EI_CLASS] = ELFCLASSNONE;
	expect_reject("64-bit");
	eh()->e_ident[EI_CLASS] = ELFCLASS64;
	eh()->e_ident[EI_DATA] = ELFDATA2MSB;
	expect_reject("little-endian");
	eh()->e_ident[EI_DATA] = ELFDATANONE;
	expect_reject("little-endian");
}

static void non_executable_type_is_rejected(void **state)
{
	(void)state;
	eh()->e_type = ET_DYN;
	expect_reject("ET_EXEC");
	eh()->e_type = ET_REL;
	expect_reject("ET_EXEC");
	eh()->e_type = ET_CORE;
	expect_reject("ET_EXEC");
}

static void wrong_machine_is_rejected(void **state)
{
	(void)state;
	eh()->e_machine = EM_386;
	expect_reject("x86-64");
	eh()->e_machine = EM_AARCH64;
	expect_reject("x86-64");
}

/* ---- program header table errors --------------------------------------- */

static void phoff_outside_file_is_rejected(void **state)
{
	(void)state;
	eh()->e_phoff = FILE_LEN + 1;
	expect_reject("program headers");
	eh()->e_phoff = FILE_LEN;
	expect_reject("program headers");
	eh()->e_phoff = UINT64_MAX;
	expect_reject("program headers");
	eh()->e_phoff = UINT64_MAX - 2 * sizeof(Elf64_Phdr);	/* phoff + size wraps */
	expect_reject("program headers");
	eh()->e_phoff = FILE_LEN - 3 * sizeof(Elf64_Phdr) + 1;	/* last one runs past */
	expect_reject("program headers");
}

static void phentsize_too_small_is_rejected(void **state)
{
	(void)state;
	eh()->e_phentsize = sizeof(Elf64_Phdr) - 1;
	expect_reject("program headers");
	eh()->e_phentsize = 0;
	expect_reject("program headers");
}

static void phnum_times_phentsize_beyond_file_is_rejected(void **state)
{
	(void)state;
	eh()->e_phnum = 0xffff;
	expect_reject("program headers");
	eh()->e_phnum = 3;
	eh()->e_phentsize = 0xffff;
	expect_reject("program headers");
	eh()->e_phnum = (FILE_LEN - sizeof(Elf64_Ehdr)) / sizeof(Elf64_Phdr) + 1;
	eh()->e_phentsize = sizeof(Elf64_Phdr);
	expect_reject("program headers");
}

/* ---- segment errors ----------------------------------------------------- */

static void segment_outside_file_is_rejected(void **state)
{
	(void)state;
	ph(2)->p_filesz = FILE_LEN - DATA_OFF + 1;		/* one byte past the end */
	expect_reject("outside the file");
	setup(NULL);
	ph(2)->p_offset = FILE_LEN + 0x1000;
	ph(2)->p_filesz = 0;					/* offset alone past the end */
	expect_reject("outside the file");
	setup(NULL);
	ph(2)->p_offset = UINT64_MAX - 0x10;			/* offset + filesz wraps */
	ph(2)->p_filesz = 0x20;
	expect_reject("outside the file");
	setup(NULL);
	ph(2)->p_filesz = UINT64_MAX;				/* filesz alone huge */
	ph(2)->p_memsz = UINT64_MAX;
	expect_reject("outside the file");
}

static void filesz_above_memsz_is_rejected(void **state)
{
	(void)state;
	ph(0)->p_memsz = TEXT_SZ - 1;
	expect_reject("file size");
}

static void segment_outside_memory_is_rejected(void **state)
{
	(void)state;
	ph(2)->p_paddr = LIMIT - DATA_MEMSZ + 1;		/* ends one byte past */
	expect_reject("memory");
	ph(2)->p_paddr = LIMIT;					/* starts at the limit */
	expect_reject("memory");
	ph(2)->p_paddr = GIB(4);
	expect_reject("memory");
	ph(2)->p_paddr = UINT64_MAX - 0xfff;			/* paddr + memsz wraps */
	expect_reject("memory");
	ph(2)->p_paddr = DATA_PA;
	ph(2)->p_memsz = LIMIT;					/* too big on its own */
	expect_reject("memory");
	ph(2)->p_memsz = UINT64_MAX;
	expect_reject("memory");

	/* with no real limit, only the wrap can catch it */
	setup(NULL);
	ph(2)->p_paddr = UINT64_MAX - 0xfff;
	ph(2)->p_memsz = 0x2000;
	expect_reject_limit(UINT64_MAX, "memory");
	ph(2)->p_paddr = UINT64_MAX - DATA_MEMSZ + 1;
	ph(2)->p_memsz = DATA_MEMSZ + 0x200000;			/* wraps to a small end */
	expect_reject_limit(UINT64_MAX, "memory");
	ph(2)->p_memsz = DATA_MEMSZ - 1;			/* ends just below UINT64_MAX */
	assert_true(elf_parse(file.b, len, UINT64_MAX, &img, &why));
}

static void overlapping_segments_are_rejected(void **state)
{
	(void)state;
	ph(2)->p_paddr = TEXT_PA + TEXT_SZ - 1;			/* starts in text's last byte */
	expect_reject("overlap");
	ph(2)->p_paddr = TEXT_PA;				/* same start */
	expect_reject("overlap");
	ph(2)->p_paddr = TEXT_PA - DATA_MEMSZ + 1;		/* ends in text's first byte */
	expect_reject("overlap");
	ph(2)->p_paddr = TEXT_PA - 0x1000;			/* contains text */
	expect_reject("overlap");
	setup(NULL);
	add_load(0, DATA_PA + 0x1000, 0, 0x10, PF_R);		/* inside data's bss */
	expect_reject("overlap");
}

static void entry_outside_executable_segment_is_rejected(void **state)
{
	(void)state;
	eh()->e_entry = DATA_PA + 0x10;				/* in data, not executable */
	expect_reject("entry");
	eh()->e_entry = TEXT_PA + TEXT_SZ;			/* one past text */
	expect_reject("entry");
	eh()->e_entry = TEXT_PA - 1;
	expect_reject("entry");
	eh()->e_entry = 0;
	expect_reject("entry");
	eh()->e_entry = UINT64_MAX;
	expect_reject("entry");
	eh()->e_entry = ENTRY;
	ph(0)->p_flags = PF_R | PF_W;				/* text not executable */
	expect_reject("entry");
}

static void no_loadable_segment_is_rejected(void **state)
{
	(void)state;
	eh()->e_phnum = 0;
	expect_reject("no loadable");
	ph(0)->p_type = PT_NULL;
	ph(2)->p_type = PT_DYNAMIC;
	eh()->e_phnum = 3;
	expect_reject("no loadable");
	ph(0)->p_type = PT_LOAD;
	ph(0)->p_memsz = 0;
	ph(0)->p_filesz = 0;
	expect_reject("no loadable");
}

static void too_many_segments_are_rejected(void **state)
{
	(void)state;
	for (unsigned i = 2; i < ELF_MAX_SEGMENTS + 1; i++)
		add_load(0, MIB(4) + i * 0x10000, 0, PAGE_SIZE, PF_R);
	expect_reject("too many");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(valid_image_lists_its_load_segments, setup),
		cmocka_unit_test_setup(load_address_is_paddr, setup),
		cmocka_unit_test_setup(larger_phentsize_is_honoured, setup),
		cmocka_unit_test_setup(empty_load_segment_is_skipped, setup),
		cmocka_unit_test_setup(exact_boundaries_are_accepted, setup),
		cmocka_unit_test_setup(entry_at_either_end_of_text_is_accepted, setup),
		cmocka_unit_test_setup(max_segments_are_accepted, setup),
		cmocka_unit_test_setup(too_short_is_rejected, setup),
		cmocka_unit_test_setup(bad_magic_is_rejected, setup),
		cmocka_unit_test_setup(wrong_class_or_byte_order_is_rejected, setup),
		cmocka_unit_test_setup(non_executable_type_is_rejected, setup),
		cmocka_unit_test_setup(wrong_machine_is_rejected, setup),
		cmocka_unit_test_setup(phoff_outside_file_is_rejected, setup),
		cmocka_unit_test_setup(phentsize_too_small_is_rejected, setup),
		cmocka_unit_test_setup(phnum_times_phentsize_beyond_file_is_rejected, setup),
		cmocka_unit_test_setup(segment_outside_file_is_rejected, setup),
		cmocka_unit_test_setup(filesz_above_memsz_is_rejected, setup),
		cmocka_unit_test_setup(segment_outside_memory_is_rejected, setup),
		cmocka_unit_test_setup(overlapping_segments_are_rejected, setup),
		cmocka_unit_test_setup(entry_outside_executable_segment_is_rejected, setup),
		cmocka_unit_test_setup(no_loadable_segment_is_rejected, setup),
		cmocka_unit_test_setup(too_many_segments_are_rejected, setup),
	};

	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
