/*
 * libFuzzer target for core/mbhdr.c: the input is a partition's kernel
 * image (ELF64, Multiboot or Multiboot2) for 16 MiB of memory. An accepted
 * plan must load only from inside the file into [0, 16 MiB) and enter
 * inside a loaded segment; a rejection must give a reason. The root's
 * child loader (partitions/childload.c) then loads the same image: every
 * write must stay inside the 16 MiB, and it must accept what the plan
 * accepted (16 MiB holds the boot area and any planned segment).
 *
 * The input's last bytes also describe up to 10 boot modules (one more
 * than allowed): the last byte their number, 4 bytes each before it a
 * length of up to 16 MiB and a command line taken from the input. A loaded
 * child must have them page-aligned after the kernel, below the boot area,
 * clear of each other and of every other write; an ELF64 kernel with
 * modules, too many modules, or modules that do not fit must be refused,
 * by childload_check exactly when by childload_image.
 *
 * Linux bzImages (partitions/bzimage.c, childload_linux.c): an input whose
 * first byte has its two top bits set (an ELF file's 0x7f has not) becomes
 * a bzImage: the rest of the input XORed over a valid one (setup header
 * by hand, a kernel that fits the 16 MiB), so zero bytes keep it valid and
 * every changed byte is a field the fuzzer varies; input bytes 1-3 give
 * the length of the ACPI tables (sometimes too many), its last bytes the
 * boot modules as above (one is the initrd; more are refused). A loaded bzImage
 * must have its kernel aligned (or at pref_address) in RAM above 1 MiB
 * with init_size bytes that no other write touches, the initrd
 * page-aligned, clear of the kernel and below initrd_addr_max + 1, the
 * ACPI tables at CHILDPLAT_ACPI_GPA, and only VP 0 with registers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/abi/childplat.h"
#include "core/mbhdr.h"
#include "partitions/bzimage.h"
#include "partitions/childload.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define LIMIT		MIB(16)
#define MODS		(CHILDLOAD_MODULES_MAX + 1)
#define WRITES_MAX	128
#define BZ_TEMPLATE	0x900		/* a valid bzImage: header, 0x100 bytes of kernel */
#define BZ_MIN		0x208		/* the shortest bzImage input: up to the version */

static uint8_t module_bytes[LIMIT];	/* every module's data lies in here */
static uint8_t acpi_bytes[CHILDPLAT_ACPI_MAX + 1];
static char module_lines[MODS][320];

/* The writes of one load: where, how long, from where, and whether they were a module's bytes. */
static struct { uint64_t gpa, len; const void *src; bool module; } writes[WRITES_MAX];
static unsigned nwrites;

static void check_plan(const struct load_plan *plan, size_t size)
{
	const struct elf_image *img = &plan->img;
	bool entry_in = false;

	CHECK(plan->proto <= BOOT_PROTO_MB2);
	CHECK(img->nseg >= 1 && img->nseg <= ELF_MAX_SEGMENTS);
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];

		CHECK(s->offset <= size && s->filesz <= size - s->offset);
		CHECK(s->filesz <= s->memsz);
		CHECK(s->paddr < LIMIT && s->memsz <= LIMIT - s->paddr);
		if (img->entry >= s->paddr && img->entry - s->paddr < s->memsz)
			entry_in = true;
	}
	CHECK(entry_in);
}

static bool bounded_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	const uint8_t *p = src;

	(void)ctx;
	CHECK(gpa <= LIMIT && len <= LIMIT - gpa);
	if (p && len) {		/* touch both ends: ASan sees a source overread */
		volatile uint8_t first = p[0], last = p[len - 1];

		(void)first;
		(void)last;
	}
	CHECK(nwrites < WRITES_MAX);
	writes[nwrites].gpa = gpa;
	writes[nwrites].len = len;
	writes[nwrites].src = src;
	writes[nwrites].module = p >= module_bytes && p < module_bytes + sizeof(module_bytes);
	nwrites++;
	return true;
}

static bool bounded_zero(void *ctx, uint64_t gpa, size_t len)
{
	return bounded_write(ctx, gpa, NULL, len);
}

static uint32_t rd24(const uint8_t *b) { return b[0] | b[1] << 8 | (uint32_t)b[2] << 16; }

/* Modules from the input's tail; returns how many (up to one too many). */
static unsigned make_modules(const uint8_t *buf, size_t size, struct childload_module *mods)
{
	unsigned n;

	if (!size)
		return 0;
	n = buf[size - 1] % (MODS + 1);
	for (unsigned i = 0; i < n; i++) {
		size_t at = size - 1 >= 4 * (i + 1) ? size - 1 - 4 * (i + 1) : 0;
		const uint8_t *d = size - 1 >= 4 * (i + 1) ? buf + at : (const uint8_t *)"\0\0\0\0";
		size_t line = d[3] > 200 ? d[3] + 60u : d[3];	/* some beyond 255 bytes */
		size_t from = (i * 37u) % size;

		line = line < size - from ? line : size - from;
		memcpy(module_lines[i], buf + from, line);
		module_lines[i][line] = 0;
		mods[i].cmdline = d[3] ? module_lines[i] : NULL;
		mods[i].len = rd24(d) % (LIMIT + 1);
		mods[i].data = module_bytes + (LIMIT - mods[i].len);	/* ends at the buffer's end */
	}
	return n;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

/* Each module: page-aligned, after every loaded segment, below the boot area; no write else there. */
static void check_modules(const struct childload_plan *plan, const struct load_plan *lp,
			  const struct childload_module *mods, unsigned n)
{
	CHECK(plan->nmods == n && n <= CHILDLOAD_MODULES_MAX);
	CHECK(!n || plan->proto != BOOT_PROTO_ELF64);
	for (unsigned i = 0; i < n; i++) {
		uint64_t s = plan->mod_start[i], len = mods[i].len;

		CHECK(s % CHILDLOAD_MODULE_ALIGN == 0);
		CHECK(s <= plan->boot_area && len <= plan->boot_area - s);
		for (unsigned k = 0; k < lp->img.nseg; k++)
			CHECK(s >= lp->img.seg[k].paddr + lp->img.seg[k].memsz);
		for (unsigned j = 0; j < i; j++)
			CHECK(!overlaps(s, len, plan->mod_start[j], mods[j].len));
		for (unsigned w = 0; w < nwrites; w++)
			CHECK(writes[w].module || !overlaps(s, len, writes[w].gpa, writes[w].len));
	}
}

/* A loaded bzImage: kernel, initrd, ACPI tables and boot area where childload.h says. */
static void check_linux(const struct childload_plan *plan, const uint8_t *buf, size_t size,
			const struct childload_module *mods, const struct childload_acpi *acpi)
{
	struct bzimage_info bz;
	const char *why = NULL;
	uint64_t k = plan->kernel_gpa, klen, top;
	bool kernel_written = false, acpi_written = false;

	CHECK(bzimage_parse(buf, size, &bz, &why));
	klen = bz.init_size;
	CHECK(plan->boot_area == CHILDPLAT_BOOT_GPA && plan->entry == k + 0x200);
	CHECK(plan->kernel_size == klen);
	CHECK(k >= MIB(1) && k <= LIMIT && klen <= LIMIT - k);
	CHECK(k == bz.pref_address || (bz.relocatable && k % bz.alignment == 0 && k >= MIB(16)));
	CHECK(plan->nmods <= 1);
	if (plan->nmods) {
		uint64_t s = plan->mod_start[0], len = mods[0].len;

		top = (uint64_t)bz.hdr.initrd_addr_max + 1;
		CHECK(len && s % CHILDLOAD_MODULE_ALIGN == 0 && s >= MIB(1));
		CHECK(s + len <= LIMIT && s + len <= top && !overlaps(s, len, k, klen));
	}
	for (unsigned w = 0; w < nwrites; w++) {
		if (writes[w].src == buf + bz.kernel_off) {
			CHECK(writes[w].gpa == k && writes[w].len == bz.kernel_len);
			kernel_written = true;
			continue;
		}
		CHECK(!overlaps(writes[w].gpa, writes[w].len, k, klen));
		if (acpi && acpi->len && writes[w].src == acpi->data) {
			CHECK(writes[w].gpa == CHILDPLAT_ACPI_GPA && writes[w].len == acpi->len);
			acpi_written = true;
		}
		if (!writes[w].module && writes[w].gpa == CHILDPLAT_RESET_VECTOR_GPA) {
			CHECK(writes[w].len <= 16);	/* the reset vector's stub, up to 1 MiB */
			continue;
		}
		if (!writes[w].module) {	/* the boot area, below the ACPI tables */
			CHECK(writes[w].gpa >= CHILDPLAT_BOOT_GPA);
			CHECK(writes[w].gpa + writes[w].len <= (writes[w].src == acpi_bytes ?
				CHILDPLAT_ACPI_GPA + CHILDPLAT_ACPI_MAX :
				CHILDPLAT_BOOT_GPA + CHILDLOAD_BOOT_AREA));
		}
	}
	CHECK(kernel_written && acpi_written == (acpi && acpi->len));
}

/* The image buf (size bytes); the modules from the input's tail (in, in_size). */
static void check_childload(const uint8_t *buf, size_t size, const uint8_t *in, size_t in_size,
			    const struct childload_acpi *acpi)
{
	const struct childload_mem mem = { bounded_write, bounded_zero, NULL };
	struct hv_register_assoc regs[CHILDLOAD_REGS_MAX];
	struct childload_module mods[MODS];
	struct childload_plan plan;
	struct load_plan lp;
	const char *why = NULL, *why_check = NULL;
	unsigned n = make_modules(in, in_size, mods);
	bool checked = childload_check(buf, size, LIMIT, mods, n, acpi, &why_check);

	CHECK(checked || (why_check && *why_check));
	nwrites = 0;
	if (!childload_image(buf, size, LIMIT, 2, 5, "fuzz", mods, n, acpi, &mem, &plan, &why)) {
		CHECK(why && *why);
		CHECK(!checked);
		CHECK(nwrites == 0);	/* every refusal comes before a write */
		return;
	}
	CHECK(checked);
	CHECK(n <= CHILDLOAD_MODULES_MAX);
	if (plan.proto == BOOT_PROTO_LINUX) {
		check_linux(&plan, buf, size, mods, acpi);
	} else {
		CHECK(plan.boot_area == LIMIT - CHILDLOAD_BOOT_AREA);
		CHECK(mbhdr_plan(buf, size, plan.boot_area, &lp, &why));
		check_modules(&plan, &lp, mods, n);
	}
	for (unsigned vp = 0; vp < 3; vp++) {
		unsigned k = childload_vp_regs(&plan, vp, regs);
		bool linux_ap = plan.proto == BOOT_PROTO_LINUX && vp > 0;

		CHECK(k <= CHILDLOAD_REGS_MAX);
		CHECK((k > 0) == (childload_vp_starts(&plan, vp) && !linux_ap));
		CHECK(childload_vp_starts(&plan, vp) == (vp < 2 && (vp == 0 ||
			plan.proto == BOOT_PROTO_ELF64 || plan.proto == BOOT_PROTO_LINUX)));
	}
}

static void put(uint8_t *p, size_t off, uint64_t v, unsigned bytes)
{
	memcpy(p + off, &v, bytes);
}

/* A valid bzImage that fits LIMIT: kernel at 2 MiB, init_size 1 MiB (fuzz_mbhdr.c's top comment). */
static void bz_template(uint8_t *t)
{
	memset(t, 0, BZ_TEMPLATE);
	put(t, 0x1f1, 3, 1);			/* setup_sects: the kernel at 0x800 */
	put(t, 0x1fe, 0xaa55, 2);		/* boot_flag */
	put(t, 0x200, 0x6aeb, 2);		/* jump: the header ends at 0x26C */
	put(t, 0x202, 0x53726448, 4);		/* "HdrS" */
	put(t, 0x206, 0x020f, 2);		/* version */
	put(t, 0x211, 0x01, 1);			/* loadflags: LOADED_HIGH */
	put(t, 0x22c, 0x7fffffff, 4);		/* initrd_addr_max */
	put(t, 0x230, 0x200000, 4);		/* kernel_alignment */
	put(t, 0x234, 1, 1);			/* relocatable_kernel */
	put(t, 0x236, 0x3, 2);			/* xloadflags */
	put(t, 0x238, 2047, 4);			/* cmdline_size */
	put(t, 0x258, 0x200000, 8);		/* pref_address */
	put(t, 0x260, 0x100000, 4);		/* init_size */
}

/* The bzImage of an input (its first byte dropped): BZ_MIN bytes more, XORed over the template. */
static uint8_t *make_bzimage(const uint8_t *data, size_t size, size_t *len)
{
	static uint8_t t[BZ_TEMPLATE];
	uint8_t *b;

	*len = size - 1 + BZ_MIN;
	if (!(b = malloc(*len)))
		return NULL;
	bz_template(t);
	for (size_t i = 0; i < *len; i++)
		b[i] = (i < BZ_TEMPLATE ? t[i] : 0) ^ (i + 1 < size ? data[i + 1] : 0);
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool bz = size && (data[0] & 0xc0) == 0xc0;
	size_t in_size = size;
	struct childload_acpi acpi = { acpi_bytes, 0 };
	struct load_plan plan;
	const char *why = NULL;
	uint8_t *buf;

	if (bz && size >= 4)	/* up to CHILDPLAT_ACPI_MAX + 1: one byte too many */
		acpi.len = rd24(data + 1) % (CHILDPLAT_ACPI_MAX + 2);
	/* exact size: ASan sees overreads */
	buf = bz ? make_bzimage(data, size, &size) : malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (!bz)
		memcpy(buf, data, size);
	if (mbhdr_plan(buf, size, LIMIT, &plan, &why))
		check_plan(&plan, size);
	else
		CHECK(why && *why);
	check_childload(buf, size, data, in_size, &acpi);
	free(buf);
	return 0;
}
