/*
 * The root kernel built into hv.elf (partitions/root/, docs/root.md): its
 * flat image, as the Makefile built it; a boot module named "root"
 * replaces it (partitions/rootpart.c).
 */
	.section .rodata.root_image, "a"
	.balign	16
	.globl	root_image_start, root_image_end
root_image_start:
	.incbin	ROOT_IMAGE_PATH
root_image_end:
