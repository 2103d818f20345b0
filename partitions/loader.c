/*
 * Kernel loading. The image and the boot area are written by the child
 * loader the root uses too (partitions/childload.c); what stays here is
 * the vCPUs' first state as the hypervisor sets it, until the root
 * creates every child and this file goes. The top PART_BOOT_AREA of
 * guest memory is the loader's:
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
#include "partitions/childload.h"

#define BOOT_PML4	0x0000
#define BOOT_GDT	0x6000
#define BOOT_MBI	0x7000

_Static_assert(CHILDLOAD_BOOT_AREA == PART_BOOT_AREA, "one boot area for both loaders");

/* The child loader's writes (partitions/childload.c, shared with the root) into a partition. */
static bool part_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	return partition_write(ctx, to_gpa(gpa), src, len);
}

static bool part_zero(void *ctx, uint64_t gpa, size_t len)
{
	return partition_zero(ctx, to_gpa(gpa), len);
}

static void enter_elf64(struct partition *p, gpa_t boot, uint64_t entry)
{
	gpa_t pml4 = gpa_add(boot, BOOT_PML4), gdt_at = gpa_add(boot, BOOT_GDT);
	struct vcpu_state s;

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
}

/* Multiboot 0.6.96, 3.2 and Multiboot2 3.3 "I386 machine state". */
static void enter_multiboot(struct partition *p, gpa_t boot, const struct childload_plan *plan)
{
	const struct seg_desc code = { 0, 0xffffffff, 0x08, 0xc9b };	/* 32-bit, G */
	const struct seg_desc data = { 0, 0xffffffff, 0x10, 0xc93 };
	const gpa_t gdt_at = gpa_add(boot, BOOT_GDT);
	struct vcpu_state s;

	memset(&s, 0, sizeof(s));
	s.rip = plan->entry;
	s.rflags = 0x2;
	s.cr0 = 0x11;				/* PE, ET; paging off */
	s.pat = 0x0007040600070406ull;
	s.cs = code;
	s.ds = s.es = s.ss = s.fs = s.gs = data;
	s.tr = (struct seg_desc){ 0, 0x67, 0, 0x8b };
	s.ldtr = (struct seg_desc){ 0, 0xffff, 0, 0x82 };
	s.gdtr = (struct dtable){ gpa_val(gdt_at), 23 };	/* paging off: linear = physical */
	s.gpr[GPR_RAX] = plan->proto == BOOT_PROTO_MB1 ? 0x2badb002 : 0x36d76289;
	s.gpr[GPR_RBX] = gpa_val(gpa_add(boot, BOOT_MBI));
	vcpu_ops->set_state(&p->vps[0].vcpu, &s);
	for (unsigned i = 1; i < p->nvps; i++)
		p->vps[i].state = VP_STOPPED;	/* APs wait for a start-up the platform lacks */
}

enum part_status loader_load(struct partition *p, const uint8_t *image, size_t len,
			     const char *cmdline)
{
	const struct childload_mem mem = { part_write, part_zero, p };
	struct childload_plan plan;
	const char *why;

	if (!childload_image(image, len, p->mem_bytes, p->nvps, part_id_val(p->id), cmdline, &mem,
			     &plan, &why)) {
		log_err("part '%s': cannot load image: %s", p->name, why);
		return PART_ELOAD;
	}
	if (plan.proto == BOOT_PROTO_ELF64)
		enter_elf64(p, to_gpa(plan.boot_area), plan.entry);
	else
		enter_multiboot(p, to_gpa(plan.boot_area), &plan);
	log_debug("part '%s': %s kernel, entry %lx", p->name,
		  plan.proto == BOOT_PROTO_ELF64 ? "ELF64" :
		  plan.proto == BOOT_PROTO_MB1 ? "Multiboot" : "Multiboot2", plan.entry);
	return PART_OK;
}
