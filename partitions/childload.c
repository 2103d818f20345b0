/*
 * The root's child loader, pure part (partitions/childload.h). The layout
 * and first state are partitions/loader.c's, expressed as memory writes and
 * TLFS register assignments (hyperv-root-abi.md 4.11) instead of a
 * struct vcpu_state, so the root can set them with HvCallSetVpRegisters.
 * A Linux bzImage follows Linux's boot protocol instead; its memory is
 * written by childload_linux.c, its VP 0's state is set here.
 */
#include "partitions/childload.h"
#include "core/abi/childplat.h"
#include "core/lib.h"
#include "partitions/childload_linux.h"
#include "partitions/mbinfo.h"

#define BOOT_MBI	BOOT_INFO
#define MBI_SIZE	INFO_SIZE
#define STRING_SIZE	256		/* a command line's room, with its NUL */
#define PAT_DEFAULT	0x0007040600070406ull	/* power-on PAT (SDM Vol. 3A, 13.12.4) */

_Static_assert(CHILDLOAD_MODULES_MAX <= MBINFO_MODULES_MAX, "mbinfo holds every module");
_Static_assert(BOOT_MBI + MBI_SIZE <= BOOT_CMDLINE, "the information block's room");
_Static_assert(BOOT_MODSTR + CHILDLOAD_MODULES_MAX * STRING_SIZE <= CHILDLOAD_BOOT_AREA,
	       "the modules' command lines fit the boot area");

/* The one place a reason with numbers is written (the root loads one child at a time). */
static char why_buf[128];

/*
 * PML4[0] -> PDPT[0..3] -> 4 PDs of 2 MiB pages (childload_linux.h); the
 * rest of the PML4 and PDPT zeroed, whatever the RAM held.
 */
bool childload_identity_map(const struct childload_mem *m, uint64_t base)
{
	uint64_t pml4 = (base + BOOT_PDPT) | 3, pdpt[4], pd[512];

	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (base + BOOT_PD + i * 4096ull) | 3;
	if (!m->write(m->ctx, base + BOOT_PML4, &pml4, sizeof(pml4)) ||
	    !m->zero(m->ctx, base + BOOT_PML4 + sizeof(pml4), 4096 - sizeof(pml4)) ||
	    !m->write(m->ctx, base + BOOT_PDPT, pdpt, sizeof(pdpt)) ||
	    !m->zero(m->ctx, base + BOOT_PDPT + sizeof(pdpt), 4096 - sizeof(pdpt)))
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

static const char *module_cmdline(const struct childload_module *m)
{
	return m->cmdline ? m->cmdline : "";
}

/* A command line of at most 255 bytes and its NUL at gpa. */
static bool write_string(const struct childload_mem *m, uint64_t gpa, const char *s)
{
	size_t n = strnlen(s, STRING_SIZE - 1);

	return m->write(m->ctx, gpa, s, n) && m->zero(m->ctx, gpa + n, 1);
}

/* Multiboot 0.6.96, 3.2 and Multiboot2 3.3: the information block and the command lines. */
static bool write_multiboot(const struct childload_mem *m, const struct childload_plan *p,
			    const char *cmdline, const struct childload_module *mods)
{
	struct mbinfo_module mi[CHILDLOAD_MODULES_MAX];
	struct mbinfo_layout l = { to_gpa(p->boot_area + BOOT_MBI),
				   to_gpa(p->boot_area + BOOT_CMDLINE), to_gpa(p->boot_area),
				   p->mem_bytes, mi, p->nmods };
	static uint8_t mbi[MBI_SIZE];	/* static: the root's stack is small */
	size_t n;

	for (unsigned i = 0; i < p->nmods; i++) {
		/* below 4 GiB: place_modules saw to it */
		mi[i].start = (uint32_t)p->mod_start[i];
		mi[i].end = (uint32_t)(p->mod_start[i] + mods[i].len);
		mi[i].string_gpa = (uint32_t)(p->boot_area + BOOT_MODSTR + i * STRING_SIZE);
		mi[i].string = module_cmdline(&mods[i]);
		if (p->proto == BOOT_PROTO_MB1 && !write_string(m, mi[i].string_gpa, mi[i].string))
			return false;
	}
	n = p->proto == BOOT_PROTO_MB1 ? mbinfo_build_v1(mbi, sizeof(mbi), &l) :
					 mbinfo_build_v2(mbi, sizeof(mbi), &l, cmdline);
	return n && m->write(m->ctx, gpa_val(l.mbi), mbi, n) &&
	       write_string(m, gpa_val(l.cmdline), cmdline);
}

/* The first byte after every loaded segment (bss included). */
static uint64_t kernel_end(const struct elf_image *img)
{
	uint64_t end = 0;

	for (unsigned i = 0; i < img->nseg; i++)
		end = MAX(end, img->seg[i].paddr + img->seg[i].memsz);
	return end;
}

/*
 * Where each module goes (start[i]): page-aligned one after the other from
 * the first page after the kernel, all below the boot area and 4 GiB (the
 * information's addresses are 32-bit). Refused before anything is written.
 */
static bool place_modules(const struct load_plan *lp, uint64_t boot_area,
			  const struct childload_module *mods, unsigned nmods, uint64_t *start,
			  const char **why)
{
	uint64_t base = ALIGN_UP(kernel_end(&lp->img), CHILDLOAD_MODULE_ALIGN);
	uint64_t limit = MIN(boot_area, GIB(4)), room = limit > base ? limit - base : 0, need = 0;

	if (!nmods)
		return true;
	if (lp->proto == BOOT_PROTO_ELF64) {
		*why = "boot modules need a Multiboot or Multiboot2 kernel";
		return false;
	}
	if (nmods > CHILDLOAD_MODULES_MAX) {
		*why = "too many boot modules (a ramdisk and 8 modules at most)";
		return false;
	}
	for (unsigned i = 0; i < nmods; i++) {
		need = ALIGN_UP(need, CHILDLOAD_MODULE_ALIGN);
		start[i] = base + need;
		need += MIN((uint64_t)mods[i].len, GIB(4));	/* no overflow: 9 * 4 GiB */
	}
	if (need > room) {
		fmt_snprintf(why_buf, sizeof(why_buf),
			     "boot modules need %lu bytes, %lu are free between the kernel and "
			     "the boot area", (unsigned long)need, (unsigned long)room);
		*why = why_buf;
		return false;
	}
	return true;
}

/* The plan of the image and of its modules (mod_start[]); nothing written yet. */
static bool plan_all(const uint8_t *image, size_t len, uint64_t mem_bytes,
		     const struct childload_module *mods, unsigned nmods, struct load_plan *lp,
		     uint64_t *mod_start, const char **why)
{
	if (mem_bytes < (2ull << 20)) {
		*why = "no room for the boot area";
		return false;
	}
	return mbhdr_plan(image, len, mem_bytes - CHILDLOAD_BOOT_AREA, lp, why) &&
	       place_modules(lp, mem_bytes - CHILDLOAD_BOOT_AREA, mods, nmods, mod_start, why);
}

static bool load_modules(const struct childload_mem *m, const struct childload_plan *p,
			 const struct childload_module *mods)
{
	for (unsigned i = 0; i < p->nmods; i++)
		if (!m->write(m->ctx, p->mod_start[i], mods[i].data, mods[i].len))
			return false;
	return true;
}

bool childload_check(const uint8_t *image, size_t len, uint64_t mem_bytes,
		     const struct childload_module *mods, unsigned nmods,
		     const struct childload_acpi *acpi, const char **why)
{
	static struct childload_linux lx;	/* static: the root's stack is small */
	struct load_plan lp;
	uint64_t start[CHILDLOAD_MODULES_MAX];

	/* a bzImage first: core/mbhdr.c (the hypervisor's loader too) refuses one */
	if (bzimage_is(image, len))
		return childload_linux_plan(image, len, mem_bytes, mods, nmods, acpi, &lx, why);
	return plan_all(image, len, mem_bytes, mods, nmods, &lp, start, why);
}

/* A bzImage: planned, then written (childload_linux.c); VP 0's state from the plan. */
static bool load_linux(const uint8_t *image, size_t len, uint64_t mem_bytes, const char *cmdline,
		       const struct childload_module *mods, unsigned nmods,
		       const struct childload_acpi *acpi, const struct childload_mem *mem,
		       struct childload_plan *plan, const char **why)
{
	static struct childload_linux lx;	/* static: the root's stack is small */

	if (!childload_linux_plan(image, len, mem_bytes, mods, nmods, acpi, &lx, why) ||
	    !childload_linux_load(image, &lx, mem_bytes, cmdline, mods, acpi, mem, why))
		return false;
	plan->proto = BOOT_PROTO_LINUX;
	plan->boot_area = CHILDPLAT_BOOT_GPA;
	plan->kernel_gpa = lx.kernel;
	plan->kernel_size = lx.bz.init_size;
	plan->entry = lx.kernel + LINUX_ENTRY64_OFF;
	plan->nmods = lx.initrd_len ? 1 : 0;
	plan->mod_start[0] = lx.initrd;
	*why = NULL;
	return true;
}

bool childload_image(const uint8_t *image, size_t len, uint64_t mem_bytes, unsigned nvps,
		     uint64_t partition_id, const char *cmdline,
		     const struct childload_module *mods, unsigned nmods,
		     const struct childload_acpi *acpi, const struct childload_mem *mem,
		     struct childload_plan *plan, const char **why)
{
	bool mb;
	uint64_t gdt[3] = { 0, 0, 0x00cf93000000ffffull };
	struct load_plan lp;

	if (!nvps) {
		*why = "no room for the boot area";
		return false;
	}
	memset(plan, 0, sizeof(*plan));
	plan->mem_bytes = mem_bytes;
	plan->nvps = nvps;
	plan->partition_id = partition_id;
	if (bzimage_is(image, len))
		return load_linux(image, len, mem_bytes, cmdline, mods, nmods, acpi, mem, plan, why);
	if (!plan_all(image, len, mem_bytes, mods, nmods, &lp, plan->mod_start, why))
		return false;
	plan->boot_area = mem_bytes - CHILDLOAD_BOOT_AREA;
	plan->proto = lp.proto;
	plan->entry = lp.img.entry;
	plan->nmods = nmods;
	mb = lp.proto != BOOT_PROTO_ELF64;
	gdt[1] = mb ? 0x00cf9b000000ffffull : 0x00af9b000000ffffull;
	*why = "the image does not fit the partition's memory";
	if (!load_segments(mem, image, &lp.img) || !load_modules(mem, plan, mods) ||
	    !mem->write(mem->ctx, plan->boot_area + BOOT_GDT, gdt, sizeof(gdt)))
		return false;
	if (mb ? !write_multiboot(mem, plan, cmdline, mods) :
		 !childload_identity_map(mem, plan->boot_area))
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
		return;		/* cannot happen: at most 33 (the unit test counts them) */
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

/* The first state of each protocol's starting VPs (SDM Vol. 3A, 10.8.5 for long mode). */
struct first_state {
	uint64_t cr0, cr4, efer;
	uint16_t cs, ds;	/* selectors into the boot GDT */
	uint16_t code;		/* CS attributes, VMX form */
	uint16_t gdt_limit;
	bool paging;		/* CR3 on the boot area's PML4 */
};

static const struct first_state first_states[] = {
	/* 64-bit: PG, NE, ET, PE; PAE; LMA, LME; CS L G */
	[BOOT_PROTO_ELF64] = { 0x80000031, 0x20, 0x500, 0x08, 0x10, 0xa9b, 23, true },
	/* Multiboot "machine state": PE (ET), paging off; CS 32-bit G D/B */
	[BOOT_PROTO_MB1] = { 0x11, 0, 0, 0x08, 0x10, 0xc9b, 23, false },
	[BOOT_PROTO_MB2] = { 0x11, 0, 0, 0x08, 0x10, 0xc9b, 23, false },
	/* boot.rst "64-bit Boot Protocol": PG, WP, NE, ET, PE; __BOOT_CS 0x10, __BOOT_DS 0x18 */
	[BOOT_PROTO_LINUX] = { 0x80010031, 0x20, 0x500, 0x10, 0x18, 0xa9b, 31, true },
};

/*
 * Control registers first, so that a hypervisor checking each assignment
 * against the state so far sees EFER.LMA before CS.L (SDM Vol. 3A, 10.8.5).
 */
static void common(struct regs *rs, const struct childload_plan *p)
{
	const struct first_state *f = &first_states[p->proto];

	reg64(rs, HV_X64_REGISTER_CR4, f->cr4);
	reg64(rs, HV_X64_REGISTER_CR3, f->paging ? p->boot_area + BOOT_PML4 : 0);
	reg64(rs, HV_X64_REGISTER_EFER, f->efer);
	reg64(rs, HV_X64_REGISTER_CR0, f->cr0);
	reg64(rs, HV_X64_REGISTER_PAT, PAT_DEFAULT);
	seg(rs, HV_X64_REGISTER_CS, f->cs, 0xffffffff, f->code);
	seg(rs, HV_X64_REGISTER_DS, f->ds, 0xffffffff, 0xc93);
	seg(rs, HV_X64_REGISTER_ES, f->ds, 0xffffffff, 0xc93);
	seg(rs, HV_X64_REGISTER_SS, f->ds, 0xffffffff, 0xc93);
	seg(rs, HV_X64_REGISTER_FS, f->ds, 0xffffffff, 0xc93);
	seg(rs, HV_X64_REGISTER_GS, f->ds, 0xffffffff, 0xc93);
	seg(rs, HV_X64_REGISTER_TR, 0, 0x67, 0x8b);	/* busy TSS */
	seg(rs, HV_X64_REGISTER_LDTR, 0, 0xffff, 0x82);
	/* paging off, or the boot tables' identity map: the GDT at its guest-physical address */
	table(rs, HV_X64_REGISTER_GDTR, p->boot_area + BOOT_GDT, f->gdt_limit);
	table(rs, HV_X64_REGISTER_IDTR, 0, 0);
	reg64(rs, HV_X64_REGISTER_RFLAGS, 0x2);
	reg64(rs, HV_X64_REGISTER_RIP, p->entry);
}

/* Linux's VP 0: RSI the zero page, every other GPR 0 (boot.rst asks nothing of them). */
static void linux_gprs(struct regs *rs, const struct childload_plan *p)
{
	static const uint32_t zero[] = { HV_X64_REGISTER_RAX, HV_X64_REGISTER_RCX,
		HV_X64_REGISTER_RDX, HV_X64_REGISTER_RBX, HV_X64_REGISTER_RSP, HV_X64_REGISTER_RBP,
		HV_X64_REGISTER_RDI };

	reg64(rs, HV_X64_REGISTER_RSI, p->boot_area + BOOT_INFO);
	for (unsigned i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		reg64(rs, zero[i], 0);
	for (uint32_t r = HV_X64_REGISTER_R8; r <= HV_X64_REGISTER_R15; r++)
		reg64(rs, r, 0);	/* TLFS: R8..R15 are consecutive names */
}

unsigned childload_vp_regs(const struct childload_plan *p, unsigned vp,
			   struct hv_register_assoc *out)
{
	struct regs rs = { out, 0 };

	if (!childload_vp_starts(p, vp))
		return 0;	/* Multiboot APs wait for a start-up the platform lacks */
	if (p->proto == BOOT_PROTO_LINUX && vp)
		return 0;	/* Linux APs: wait-for-SIPI, the hypervisor's own state */
	common(&rs, p);
	switch (p->proto) {
	case BOOT_PROTO_LINUX:
		linux_gprs(&rs, p);
		return rs.n;
	case BOOT_PROTO_MB1:
	case BOOT_PROTO_MB2:
		reg64(&rs, HV_X64_REGISTER_RAX, p->proto == BOOT_PROTO_MB1 ? 0x2badb002 : 0x36d76289);
		reg64(&rs, HV_X64_REGISTER_RBX, p->boot_area + BOOT_MBI);
		return rs.n;
	case BOOT_PROTO_ELF64:
		break;
	}
	reg64(&rs, HV_X64_REGISTER_RDI, p->mem_bytes);
	reg64(&rs, HV_X64_REGISTER_RSI, vp);
	reg64(&rs, HV_X64_REGISTER_RDX, p->nvps);
	reg64(&rs, HV_X64_REGISTER_RCX, p->partition_id);
	reg64(&rs, HV_X64_REGISTER_RSP, p->mem_bytes - (uint64_t)vp * 4096);
	return rs.n;
}
