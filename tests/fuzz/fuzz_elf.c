/*
 * libFuzzer target for core/elf.c: the input is an ELF file for a partition
 * with 16 MiB of memory. An accepted image must list between one and
 * ELF_MAX_SEGMENTS non-empty, disjoint segments, each inside the file and
 * inside [0, 16 MiB), with the entry point in an executable one; a
 * rejection must give a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/elf.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define LIMIT		MIB(16)

static void check_image(const struct elf_image *img, size_t size)
{
	bool entry_ok = false;

	CHECK(img->nseg >= 1 && img->nseg <= ELF_MAX_SEGMENTS);
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];

		CHECK(s->offset <= size && s->filesz <= size - s->offset);
		CHECK(s->memsz && s->filesz <= s->memsz);
		CHECK(s->paddr < LIMIT && s->memsz <= LIMIT - s->paddr);
		for (unsigned j = 0; j < i; j++) {
			const struct elf_segment *o = &img->seg[j];

			CHECK(s->paddr + s->memsz <= o->paddr || o->paddr + o->memsz <= s->paddr);
		}
		if ((s->flags & 1) && img->entry >= s->paddr && img->entry - s->paddr < s->memsz)
			entry_ok = true;
	}
	CHECK(entry_ok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so that ASan catches any read past the end */
	uint8_t *buf = malloc(size ? size : 1);
	struct elf_image img;
	const char *why = NULL;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (elf_parse(buf, size, LIMIT, &img, &why))
		check_image(&img, size);
	else
		CHECK(why && *why);
	free(buf);
	return 0;
}
