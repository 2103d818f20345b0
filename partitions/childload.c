/*
 * The root's child loader, pure part (partitions/childload.h). The layout
 * and first state are partitions/loader.c's, expressed as memory writes and
 * TLFS register assignments (hyperv-root-abi.md 4.11) instead of a
 * struct vcpu_state, so the root can set them with HvCallSetVpRegisters.
 */
#include "partitions/childload.h"
#include "core/lib.h"
#include "partitions/mbinfo.h"

#define BOOT_PML4	0x0000
#define BOOT_PDPT	0x1000
#define BOOT_PD		0x2000
#define BOOT_GDT	0x6000
#define BOOT_MBI	0x7000
#define BOOT_CMDLINE	0x8000
#define GDT_LIMIT	23		/* three descriptors */
#define PAT_DEFAULT	0x0007040600070406ull	/* power-on PAT (SDM Vol. 3A, 13.12.4) */

/* An identity map of the low 4 GiB with 2 MiB pages: PML4[0] -> PDPT[0..3] -> 4 PDs. */
static bool write_page_tables(const struct childload_mem *m, uint64_t base)
{
	uint64_t pml4 = (base + BOOT_PDPT) | 3, pdpt[4], pd[512];

	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (base + BOOT_PD + i * 4096ull) | 3;
	if (!m->write(m->ctx, base + BOOT_PML4, &pml4, sizeof(pml4)) ||
	    !m->write(m->ctx, base + BOOT_PDPT, pdpt, sizeof(pdpt)))
		return false;
	for (unsigned t = 0; t < 4; t++) {
		for (unsigned i = 0; i < 512; i++)	/* present, writable, 2 MiB */
			pd[i] = ((uint64_t)t * 512 + i) * (2ull << 20) | 0x83;
		if (!m->write(m->ctx, base + BOOT_PD + t * 4096ull, pd, sizeof(pd)))
			return false;
	}
	return true;
}

static bool load_segments(const struct childload_mem *m, const uint8_t *image,
			  const struct elf_image *img)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];

		if (!m->write(m->ctx, s->paddr, image + s->offset, s->filesz) ||
		    !m->zero(m->ctx, s->paddr + s->filesz, s->memsz - s->filesz))
			return false;
	}
	return true;
}

/* Multiboot 0.6.96, 3.2 and Multiboot2 3.3: the information block and the command line. */
static bool write_multiboot(const struct childload_mem *m, const struct childload_plan *p,
			    const char *cmdline)
{
	struct mbinfo_layout l = { to_gpa(p->boot_area + BOOT_MBI),
				   to_gpa(p->boot_area + BOOT_CMDLINE), to_gpa(p->boot_area),
				   p->mem_bytes };
	uint8_t mbi[2048];
	size_t n = p->proto == BOOT_PROTO_MB1 ? mbinfo_build_v1(mbi, sizeof(mbi), &l) :
						mbinfo_build_v2(mbi, sizeof(mbi), &l, cmdline);

	return n && m->write(m->ctx, gpa_val(l.mbi), mbi, n) &&
	       m->write(m->ctx, gpa_val(l.cmdline), cmdline, strnlen(cmdline, 255)) &&
	       m->zero(m->ctx, gpa_val(l.cmdline) + strnlen(cmdline, 255), 1);
}

bool childload_check(const uint8_t *image, size_t len, uint64_t mem_bytes, const char **why)
{
	struct load_plan lp;

	if (mem_bytes < (2ull << 20)) {
		*why = "no room for the boot area";
		return false;
	}
	return mbhdr_plan(image, len, mem_bytes - CHILDLOAD_BOOT_AREA, &lp, why);
}

bool childload_image(const uint8_t *image, size_t len, uint64_t mem_bytes, unsigned nvps,
		     uint64_t partition_id, const char *cmdline, const struct childload_mem *mem,
		     struct childload_plan *plan, const char **why)
{
	bool mb;
	uint64_t gdt[3] = { 0, 0, 0x00cf93000000ffffull };
	struct load_plan lp;

	if (mem_bytes < (2ull << 20) || !nvps) {
		*why = "no room for the boot area";
		return false;
	}
	memset(plan, 0, sizeof(*plan));
	plan->boot_area = mem_bytes - CHILDLOAD_BOOT_AREA;
	if (!mbhdr_plan(image, len, plan->boot_area, &lp, why))
		return false;
	plan->proto = lp.proto;
	plan->entry = lp.img.entry;
	plan->mem_bytes = mem_bytes;
	plan->nvps = nvps;
	plan->partition_id = partition_id;
	mb = lp.proto != BOOT_PROTO_ELF64;
	gdt[1] = mb ? 0x00cf9b000000ffffull : 0x00af9b000000ffffull;
	*why = "the image does not fit the partition's memory";
	if (!load_segments(mem, image, &lp.img) ||
	    !mem->write(mem->ctx, plan->boot_area + BOOT_GDT, gdt, sizeof(gdt)))
		return false;
	if (mb ? !write_multiboot(mem, plan, cmdline) : !write_page_tables(mem, plan->boot_area))
		return false;
	*why = NULL;
	return true;
}

struct regs {
	struct hv_register_assoc *r;
	unsigned n;
};

static void reg64(struct regs *rs, uint32_t name, uint64_t v)
{
	if (rs->n == CHILDLOAD_REGS_MAX)
		return;		/* cannot happen: at most 22 (the unit test counts them) */
	memset(&rs->r[rs->n], 0, sizeof(rs->r[rs->n]));
	rs->r[rs->n].name = name;
	rs->r[rs->n].value.reg64 = v;
	rs->n++;
}

static void seg(struct regs *rs, uint32_t name, uint16_t sel, uint32_t limit, uint16_t vmx_attr)
{
	union hv_register_value v;

	memset(&v, 0, sizeof(v));
	v.segment.base = 0;
	v.segment.limit = limit;
	v.segment.selector = sel;
	v.segment.attributes = childload_seg_attr(vmx_attr);
	reg64(rs, name, 0);
	if (rs->n)
		rs->r[rs->n - 1].value = v;
}

static void table(struct regs *rs, uint32_t name, uint64_t base, uint16_t limit)
{
	reg64(rs, name, 0);
	if (rs->n) {
		rs->r[rs->n - 1].value.table.base = base;
		rs->r[rs->n - 1].value.table.limit = limit;
	}
}

/*
 * Control registers first, so that a hypervisor checking each assignment
 * against the state so far sees EFER.LMA before CS.L (SDM Vol. 3A, 10.8.5).
 */
static void common(struct regs *rs, const struct childload_plan *p, bool mb)
{
	uint16_t code = mb ? 0xc9b : 0xa9b;	/* 32-bit G D/B, or 64-bit L G */

	reg64(rs, HV_X64_REGISTER_CR4, mb ? 0 : 0x20);			/* PAE */
	reg64(rs, HV_X64_REGISTER_CR3, mb ? 0 : p->boot_area + BOOT_PML4);
	reg64(rs, HV_X64_REGISTER_EFER, mb ? 0 : 0x500);		/* LMA, LME */
	reg64(rs, HV_X64_REGISTER_CR0, mb ? 0x11 : 0x80000031);	/* (PG, NE,) ET, PE */
	reg64(rs, HV_X64_REGISTER_PAT, PAT_DEFAULT);
	seg(rs, HV_X64_REGISTER_CS, 0x08, 0xffffffff, code);
	seg(rs, HV_X64_REGISTER_DS, 0x10, 0xffffffff, 0xc93);
	seg(rs, HV_X64_REGISTER_ES, 0x10, 0xffffffff, 0xc93);
	seg(rs, HV_X64_REGISTER_SS, 0x10, 0xffffffff, 0xc93);
	seg(rs, HV_X64_REGISTER_FS, 0x10, 0xffffffff, 0xc93);
	seg(rs, HV_X64_REGISTER_GS, 0x10, 0xffffffff, 0xc93);
	seg(rs, HV_X64_REGISTER_TR, 0, 0x67, 0x8b);	/* busy TSS */
	seg(rs, HV_X64_REGISTER_LDTR, 0, 0xffff, 0x82);
	/* paging off, or the boot tables' identity map: the GDT at its guest-physical address */
	table(rs, HV_X64_REGISTER_GDTR, p->boot_area + BOOT_GDT, GDT_LIMIT);
	table(rs, HV_X64_REGISTER_IDTR, 0, 0);
	reg64(rs, HV_X64_REGISTER_RFLAGS, 0x2);
	reg64(rs, HV_X64_REGISTER_RIP, p->entry);
}

unsigned childload_vp_regs(const struct childload_plan *p, unsigned vp,
			   struct hv_register_assoc *out)
{
	struct regs rs = { out, 0 };
	bool mb = p->proto != BOOT_PROTO_ELF64;

	if (!childload_vp_starts(p, vp))
		return 0;	/* Multiboot APs wait for a start-up the platform lacks */
	common(&rs, p, mb);
	if (mb) {
		reg64(&rs, HV_X64_REGISTER_RAX, p->proto == BOOT_PROTO_MB1 ? 0x2badb002 : 0x36d76289);
		reg64(&rs, HV_X64_REGISTER_RBX, p->boot_area + BOOT_MBI);
		return rs.n;
	}
	reg64(&rs, HV_X64_REGISTER_RDI, p->mem_bytes);
	reg64(&rs, HV_X64_REGISTER_RSI, vp);
	reg64(&rs, HV_X64_REGISTER_RDX, p->nvps);
	reg64(&rs, HV_X64_REGISTER_RCX, p->partition_id);
	reg64(&rs, HV_X64_REGISTER_RSP, p->mem_bytes - (uint64_t)vp * 4096);
	return rs.n;
}
