/*
 * The child's DSDT (partitions/root/dsdt.asl) as iasl compiled it: a whole
 * table, header and checksum included, which acpi_build.c copies as is.
 * The Makefile names the .aml file (partitions/root/dsdt.mk); the root
 * kernel and the host unit test both link this.
 */
	.section .rodata.dsdt_aml, "a"
	.balign	16
	.globl	dsdt_aml_start, dsdt_aml_end
dsdt_aml_start:
	.incbin	DSDT_AML_PATH
dsdt_aml_end:

	.section .note.GNU-stack, "", @progbits
