/*
 * libFuzzer target for core/mbhdr.c: the input is a partition's kernel
 * image (ELF64, Multiboot or Multiboot2) for 16 MiB of memory. An accepted
 * plan must load only from inside the file into [0, 16 MiB) and enter
 * inside a loaded segment; a rejection must give a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mbhdr.h"

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
	free(buf);
	return 0;
}
