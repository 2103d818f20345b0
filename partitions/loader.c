/*
 * ELF64 partitions start in 64-bit mode, as a 64-bit kernel would after a
 * boot loader's long-mode hand-off. The hypervisor writes into the top
 * PART_BOOT_AREA of guest memory an identity map of the first 4 GiB of
 * guest-physical space (2 MiB pages), a GDT, and the first stack:
 *   +0 PML4, +4K PDPT, +8K..+24K four PDs, +24K GDT, stack below the top.
 * Entry registers: RDI = memory size, RSI = VP index, RDX = number of VPs,
 * RCX = partition id, RSP = top of memory; interrupts off, no IDT.
 */
#include "partitions/loader.h"
#include "core/elf.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/vm_smoke.h"

#define BOOT_PML4	0x0000
#define BOOT_PDPT	0x1000
#define BOOT_PD		0x2000
#define BOOT_GDT	0x6000

static bool write_boot_area(struct partition *p, uint64_t base)
{
	uint64_t pml4 = (base + BOOT_PDPT) | 3;
	uint64_t pdpt[4], gdt[3] = { 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull };

	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (base + BOOT_PD + i * PAGE_SIZE) | 3;
	if (!partition_write(p, base + BOOT_PML4, &pml4, sizeof(pml4)) ||
	    !partition_write(p, base + BOOT_PDPT, pdpt, sizeof(pdpt)) ||
	    !partition_write(p, base + BOOT_GDT, gdt, sizeof(gdt)))
		return false;
	for (unsigned i = 0; i < 4 * 512; i++) {
		uint64_t pde = (uint64_t)i * MIB(2) | 0x83;	/* present, writable, 2 MiB */

		if (!partition_write(p, base + BOOT_PD + i * 8, &pde, sizeof(pde)))
			return false;
	}
	return true;
}

enum part_status loader_load(struct partition *p, const uint8_t *image, size_t len)
{
	uint64_t boot = p->mem_bytes - PART_BOOT_AREA;
	struct elf_image img;
	struct vcpu_state s;
	const char *why;

	if (!elf_parse(image, len, boot, &img, &why)) {
		log_err("part '%s': cannot load image: %s", p->name, why);
		return PART_ELOAD;
	}
	for (unsigned i = 0; i < img.nseg; i++) {
		const struct elf_segment *seg = &img.seg[i];

		if (!partition_write(p, seg->paddr, image + seg->offset, seg->filesz) ||
		    !partition_zero(p, seg->paddr + seg->filesz, seg->memsz - seg->filesz))
			return PART_ELOAD;
	}
	if (!write_boot_area(p, boot))
		return PART_ELOAD;
	for (unsigned i = 0; i < p->nvps; i++) {
		vm_initial_state_long_mode(&s, boot + BOOT_PML4, boot + BOOT_GDT, 23, img.entry);
		s.gpr[GPR_RDI] = p->mem_bytes;
		s.gpr[GPR_RSI] = i;
		s.gpr[GPR_RDX] = p->nvps;
		s.gpr[GPR_RCX] = p->id;
		s.gpr[GPR_RSP] = p->mem_bytes - (uint64_t)i * KIB(4);	/* 4 KiB each */
		vcpu_ops->set_state(&p->vps[i].vcpu, &s);
	}
	return PART_OK;
}
