/*
 * Kernel loading. The top PART_BOOT_AREA of guest memory is the loader's:
 *   +0 PML4, +4K PDPT, +8K..+24K four PDs (ELF64: identity map of 4 GiB),
 *   +24K GDT, +28K Multiboot information, +32K command line,
 *   the rest: stacks of the ELF64 vCPUs (4 KiB each, from the top down).
 * ELF64 images start in 64-bit mode on every vCPU: RDI = memory size,
 * RSI = VP index, RDX = number of VPs, RCX = partition id, RSP = top of
 * memory - 4 KiB * VP index. Multiboot kernels start on VP 0 only, in
 * 32-bit protected mode with paging off, as their specification says.
 */
#include "partitions/loader.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mbhdr.h"
#include "partitions/mbinfo.h"

#define BOOT_PML4	0x0000
#define BOOT_PDPT	0x1000
#define BOOT_PD		0x2000
#define BOOT_GDT	0x6000
#define BOOT_MBI	0x7000
#define BOOT_CMDLINE	0x8000

static bool write_page_tables(struct partition *p, gpa_t base)
{
	uint64_t pml4 = gpa_val(gpa_add(base, BOOT_PDPT)) | 3, pdpt[4];

	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = gpa_val(gpa_add(base, BOOT_PD + i * PAGE_SIZE)) | 3;
	if (!partition_write(p, gpa_add(base, BOOT_PML4), &pml4, sizeof(pml4)) ||
	    !partition_write(p, gpa_add(base, BOOT_PDPT), pdpt, sizeof(pdpt)))
		return false;
	for (unsigned i = 0; i < 4 * 512; i++) {
		uint64_t pde = (uint64_t)i * MIB(2) | 0x83;	/* present, writable, 2 MiB */

		if (!partition_write(p, gpa_add(base, BOOT_PD + i * 8), &pde, sizeof(pde)))
			return false;
	}
	return true;
}

static bool load_segments(struct partition *p, const uint8_t *image, const struct elf_image *img)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *seg = &img->seg[i];
		gpa_t at = to_gpa(seg->paddr);	/* the guest's physical address */

		if (!partition_write(p, at, image + seg->offset, seg->filesz) ||
		    !partition_zero(p, gpa_add(at, seg->filesz), seg->memsz - seg->filesz))
			return false;
	}
	return true;
}

static bool enter_elf64(struct partition *p, gpa_t boot, uint64_t entry)
{
	uint64_t gdt[3] = { 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull };
	gpa_t pml4 = gpa_add(boot, BOOT_PML4), gdt_at = gpa_add(boot, BOOT_GDT);
	struct vcpu_state s;

	if (!write_page_tables(p, boot) || !partition_write(p, gdt_at, gdt, sizeof(gdt)))
		return false;
	for (unsigned i = 0; i < p->nvps; i++) {
		/* the boot page tables map the GDT at its guest-physical address */
		vm_initial_state_long_mode(&s, gpa_val(pml4), gpa_val(gdt_at), 23, entry);
		s.gpr[GPR_RDI] = p->mem_bytes;
		s.gpr[GPR_RSI] = vp_index_val(p->vps[i].vcpu.index);
		s.gpr[GPR_RDX] = p->nvps;
		s.gpr[GPR_RCX] = part_id_val(p->id);
		s.gpr[GPR_RSP] = p->mem_bytes - (uint64_t)i * KIB(4);
		vcpu_ops->set_state(&p->vps[i].vcpu, &s);
	}
	return true;
}

/* Multiboot 0.6.96, 3.2 and Multiboot2 3.3 "I386 machine state". */
static bool enter_multiboot(struct partition *p, gpa_t boot, const struct load_plan *plan,
			    const char *cmdline)
{
	uint64_t gdt[3] = { 0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull };
	const struct seg_desc code = { 0, 0xffffffff, 0x08, 0xc9b };	/* 32-bit, G */
	const struct seg_desc data = { 0, 0xffffffff, 0x10, 0xc93 };
	const gpa_t gdt_at = gpa_add(boot, BOOT_GDT);
	struct mbinfo_layout l = { gpa_add(boot, BOOT_MBI), gpa_add(boot, BOOT_CMDLINE), boot,
				   p->mem_bytes };
	struct vcpu_state s;
	uint8_t mbi[2048];
	size_t n;

	n = plan->proto == BOOT_PROTO_MB1 ? mbinfo_build_v1(mbi, sizeof(mbi), &l) :
					    mbinfo_build_v2(mbi, sizeof(mbi), &l, cmdline);
	if (!n || !partition_write(p, gdt_at, gdt, sizeof(gdt)) ||
	    !partition_write(p, l.mbi, mbi, n) ||
	    !partition_write(p, l.cmdline, cmdline, strnlen(cmdline, 255) + 1))
		return false;
	memset(&s, 0, sizeof(s));
	s.rip = plan->img.entry;
	s.rflags = 0x2;
	s.cr0 = 0x11;				/* PE, ET; paging off */
	s.pat = 0x0007040600070406ull;
	s.cs = code;
	s.ds = s.es = s.ss = s.fs = s.gs = data;
	s.tr = (struct seg_desc){ 0, 0x67, 0, 0x8b };
	s.ldtr = (struct seg_desc){ 0, 0xffff, 0, 0x82 };
	s.gdtr = (struct dtable){ gpa_val(gdt_at), 23 };	/* paging off: linear = physical */
	s.gpr[GPR_RAX] = plan->proto == BOOT_PROTO_MB1 ? 0x2badb002 : 0x36d76289;
	s.gpr[GPR_RBX] = gpa_val(l.mbi);
	vcpu_ops->set_state(&p->vps[0].vcpu, &s);
	for (unsigned i = 1; i < p->nvps; i++)
		p->vps[i].state = VP_STOPPED;	/* APs wait for a start-up the platform lacks */
	return true;
}

enum part_status loader_load(struct partition *p, const uint8_t *image, size_t len,
			     const char *cmdline)
{
	gpa_t boot = to_gpa(p->mem_bytes - PART_BOOT_AREA);
	struct load_plan plan;
	const char *why;
	bool ok;

	if (!mbhdr_plan(image, len, gpa_val(boot), &plan, &why)) {
		log_err("part '%s': cannot load image: %s", p->name, why);
		return PART_ELOAD;
	}
	if (!load_segments(p, image, &plan.img))
		return PART_ELOAD;
	ok = plan.proto == BOOT_PROTO_ELF64 ? enter_elf64(p, boot, plan.img.entry) :
					      enter_multiboot(p, boot, &plan, cmdline);
	log_debug("part '%s': %s kernel, entry %lx", p->name,
		  plan.proto == BOOT_PROTO_ELF64 ? "ELF64" :
		  plan.proto == BOOT_PROTO_MB1 ? "Multiboot" : "Multiboot2", plan.img.entry);
	return ok ? PART_OK : PART_ELOAD;
}
