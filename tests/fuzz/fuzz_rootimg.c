/*
 * libFuzzer target for core/rootimg.c: the input is a root kernel image (a
 * GRUB module named "root"). An accepted header must describe what
 * partitions/rootpart.c relies on: the whole file, an entry inside it, a
 * bss after it within the limit, and an image in one 1 GiB region of the
 * upper half, 2 MiB aligned. The magic is planted half the time, so the
 * checks past it are reached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rootimg.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);	/* exact size: ASan sees overreads */
	struct rootimg_header h;
	const char *why;

	memcpy(buf, data, size);
	if (size >= sizeof(h) && (size & 1)) {
		uint64_t magic = ROOTIMG_MAGIC;

		memcpy(buf, &magic, sizeof(magic));
	}
	why = rootimg_check(buf, size, &h);
	if (!why) {
		CHECK(h.magic == ROOTIMG_MAGIC && h.file_size == size);
		CHECK(h.entry_offset >= sizeof(h) && h.entry_offset < size);
		CHECK(h.mem_size >= size && h.mem_size <= ROOTIMG_MEM_MAX);
		CHECK(h.link_base % ROOTIMG_ALIGN == 0 && h.link_base >= 0xffff800000000000ull);
		CHECK(h.link_base + h.mem_size - 1 >= h.link_base);
		CHECK(h.link_base >> 30 == (h.link_base + h.mem_size - 1) >> 30);
	}
	free(buf);
	return 0;
}
