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
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mbhdr.h"
#include "partitions/childload.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define LIMIT		MIB(16)
#define MODS		(CHILDLOAD_MODULES_MAX + 1)
#define WRITES_MAX	128

static uint8_t module_bytes[LIMIT];	/* every module's data lies in here */
static char module_lines[MODS][320];

/* The writes of one load: where, how long, and whether they were a module's bytes. */
static struct { uint64_t gpa, len; bool module; } writes[WRITES_MAX];
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

static void check_childload(const uint8_t *buf, size_t size)
{
	const struct childload_mem mem = { bounded_write, bounded_zero, NULL };
	struct hv_register_assoc regs[CHILDLOAD_REGS_MAX];
	struct childload_module mods[MODS];
	struct childload_plan plan;
	struct load_plan lp;
	const char *why = NULL, *why_check = NULL;
	unsigned n = make_modules(buf, size, mods);
	bool checked = childload_check(buf, size, LIMIT, mods, n, NULL, &why_check);

	CHECK(checked || (why_check && *why_check));
	nwrites = 0;
	if (!childload_image(buf, size, LIMIT, 2, 5, "fuzz", mods, n, NULL, &mem, &plan, &why)) {
		CHECK(why && *why);
		CHECK(!checked);
		CHECK(nwrites == 0);	/* every refusal comes before a write */
		return;
	}
	CHECK(checked);
	CHECK(n <= CHILDLOAD_MODULES_MAX);
	CHECK(plan.boot_area == LIMIT - CHILDLOAD_BOOT_AREA);
	CHECK(mbhdr_plan(buf, size, plan.boot_area, &lp, &why));
	check_modules(&plan, &lp, mods, n);
	for (unsigned vp = 0; vp < 3; vp++) {
		unsigned k = childload_vp_regs(&plan, vp, regs);

		CHECK(k <= CHILDLOAD_REGS_MAX && (k > 0) == childload_vp_starts(&plan, vp));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);	/* exact size: ASan sees overreads */
	struct load_plan plan;
	const char *why = NULL;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (mbhdr_plan(buf, size, LIMIT, &plan, &why))
		check_plan(&plan, size);
	else
		CHECK(why && *why);
	check_childload(buf, size);
	free(buf);
	return 0;
}
