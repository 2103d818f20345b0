/* The root kernel image's header, copied once and then checked (rootimg.h). */
#include "core/rootimg.h"
#include "core/lib.h"

#define UPPER_HALF	0xffff800000000000ull

const char *rootimg_check(const void *image, size_t len, struct rootimg_header *h)
{
	if (len < sizeof(*h))
		return "shorter than its header";
	memcpy(h, image, sizeof(*h));	/* from here on only the copy is read */
	if (h->magic != ROOTIMG_MAGIC)
		return "no root image magic";
	if (h->version != ROOTIMG_VERSION || h->header_size != sizeof(*h))
		return "unknown header version";
	if (h->file_size != len)
		return "file_size is not the module's size";
	if (h->mem_size < h->file_size || h->mem_size > ROOTIMG_MEM_MAX)
		return "mem_size is below file_size or above 256 MiB";
	if (h->entry_offset < sizeof(*h) || h->entry_offset >= h->file_size)
		return "the entry point is outside the file";
	if (h->link_base < UPPER_HALF || h->link_base % ROOTIMG_ALIGN)
		return "link_base is not 2 MiB aligned in the upper half";
	if (h->link_base + h->mem_size - 1 < h->link_base ||
	    (h->link_base >> 30) != ((h->link_base + h->mem_size - 1) >> 30))
		return "the image crosses a 1 GiB boundary";
	return NULL;
}
