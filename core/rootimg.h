/*
 * Checking a root kernel image's header (core/abi/rootimg.h). Pure logic,
 * unit-tested on the host; the image is untrusted input (a GRUB module).
 */
#ifndef CORE_ROOTIMG_H
#define CORE_ROOTIMG_H

#include "core/abi/rootimg.h"
#include "core/types.h"

/*
 * Copy the header of the `len`-byte image into *h and check it: magic,
 * version and size; file_size equal to len (a module is exactly its file);
 * mem_size at least file_size and at most ROOTIMG_MEM_MAX; the entry
 * inside the file; link_base 2 MiB aligned, in the upper half, and the
 * whole image inside one 1 GiB region (one page directory maps it).
 * Returns NULL, or what is wrong.
 */
const char *rootimg_check(const void *image, size_t len, struct rootimg_header *h);

#endif
