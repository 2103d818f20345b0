/*
 * libFuzzer target for core/mbhdr.c: the input is a partition's kernel
 * image (ELF64, Multiboot or Multiboot2) for 16 MiB of memory. An accepted
 * plan must load only from inside the file into [0, 16 MiB) and enter
 * inside a loaded segment; a rejection must give a reason. The root's
 * child loader (partitions/childload.c) then loads the same image: every
 * write must stay inside the 16 MiB, and it must accept what the plan
 * accepted (16 MiB holds the boot area and any planned segment).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mbhdr.h"
#include "partitions/childload.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define LIMIT		MIB(16)

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
	(void)ctx;
	(void)src;
	CHECK(gpa <= LIMIT && len <= LIMIT - gpa);
	return true;
}

static bool bounded_zero(void *ctx, uint64_t gpa, size_t len)
{
	return bounded_write(ctx, gpa, NULL, len);
}

static void check_childload(const uint8_t *buf, size_t size)
{
	const struct childload_mem mem = { bounded_write, bounded_zero, NULL };
	struct hv_register_assoc regs[CHILDLOAD_REGS_MAX];
	struct childload_plan plan;
	const char *why = NULL;

	if (!childload_image(buf, size, LIMIT, 2, 5, "fuzz", &mem, &plan, &why)) {
		CHECK(why && *why);
		return;
	}
	CHECK(plan.boot_area == LIMIT - CHILDLOAD_BOOT_AREA);
	for (unsigned vp = 0; vp < 3; vp++) {
		unsigned n = childload_vp_regs(&plan, vp, regs);

		CHECK(n <= CHILDLOAD_REGS_MAX && (n > 0) == childload_vp_starts(&plan, vp));
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
