/* Constants shared by the assembly boot paths (BSP entry and AP trampoline). */
#ifndef ARCH_X86_BOOT_DEFS_H
#define ARCH_X86_BOOT_DEFS_H

#define MB2_HEADER_MAGIC	0xe85250d6
#define MB2_BOOT_MAGIC		0x36d76289
#define MB1_HEADER_MAGIC	0x1badb002
#define MB1_FLAGS		0x00010000

#define BOOT_CS32		0x08
#define BOOT_DS			0x10
#define BOOT_CS64		0x18

#define PTE_P			0x001
#define PTE_W			0x002
#define PTE_PS			0x080

#define CR0_PE			0x00000001
#define CR0_NE			0x00000020
#define CR0_WP			0x00010000
#define CR0_PG			0x80000000
#define CR4_PAE			0x00000020
#define CR4_PGE			0x00000080
#define MSR_EFER		0xc0000080
#define EFER_LME		0x00000100
#define EFER_NXE		0x00000800

#define BOOT_STACK_SIZE		16384

#endif
