/*
 * The root partition (docs/root.md). It owns every byte of RAM that the
 * hypervisor does not keep, mapped at guest-physical = host-physical, and
 * every I/O port; it has the root's privileges and one VP, on CPU 0 (with
 * the intercept path each CPU gets one, as on Hyper-V). Its kernel is our
 * own flat image (core/abi/rootimg.h), entered in 64-bit mode with RDI =
 * the boot information (core/abi/rootboot.h).
 *
 * The start block, at a 2 MiB-aligned place in the root's RAM that holds
 * no boot module:
 *   +0            the kernel image (mem_size, rounded up to 2 MiB)
 *   +img          PML4, the low PDPT, the high PDPT, the high PD
 *   +img+16K      GDT
 *   +img+20K      boot information (3 pages)
 *   +img+32K      stack (16 KiB)
 *   +img+48K      the hypercall page, then VP 0's SynIC message, event-flags
 *                 and event-ring pages: the hypervisor places them for the
 *                 root (hyperv-root-abi.md 1.1, 2.3); the MSRs read back
 *                 their GPAs, and the root only sets the enable bits
 *   +img+64K      the identity map's page directories, one per GiB
 * The page tables map the root's address space below the end of its RAM
 * (up to 512 GiB) at virtual = physical with 2 MiB pages, and link_base
 * to the image.
 */
#include "partitions/rootpart.h"
#include "partitions/internal.h"
#include "partitions/hvroot.h"
#include "core/abi/rootboot.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/memmap.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/rootimg.h"
#include "core/rootmem.h"
#include "core/slpt_hv.h"
#include "partitions/synic.h"

#define ROOT_NAME	"root"
#define AREA_PML4	0x0000
#define AREA_PDPT_LOW	0x1000
#define AREA_PDPT_HIGH	0x2000
#define AREA_PD_HIGH	0x3000
#define AREA_GDT	0x4000
#define AREA_BOOTINFO	0x5000
#define AREA_STACK	0x8000
#define AREA_STACK_TOP	0xc000
#define AREA_HYPERCALL	0xc000
#define AREA_SIMP	0xd000
#define AREA_SIEFP	0xe000
#define AREA_SIRBP	0xf000
#define AREA_PD_LOW	0x10000
#define IDENTITY_MAX_GIB	512
/* 4-level paging entries (SDM Vol. 3A, 5.5, Tables 5-15 to 5-18) */
#define PTE_TABLE	0x3ull		/* present, writable */
#define PTE_LARGE	0x83ull		/* present, writable, PS: a 2 MiB page */

_Static_assert(AREA_BOOTINFO + sizeof(struct rootboot_info) <= AREA_STACK, "boot info fits");

extern const uint8_t root_image_start[], root_image_end[];

/* The root partition once created (it never goes away); NULL with root=off. */
static struct partition *root_part;

struct root_layout {
	gpa_t at;		/* the block's start, where the image goes */
	uint64_t img_bytes;	/* the image's part: mem_size rounded up to 2 MiB */
	gpa_t area;		/* at + img_bytes */
	uint64_t gib;		/* page directories of the identity map */
	uint64_t bytes;		/* the whole block */
};

/* The kernel: a boot module named "root", else the built-in one. */
static const uint8_t *root_image(const struct boot_info *bi, size_t *len, const char **from)
{
	for (unsigned i = 0; i < bi->module_count; i++) {
		const char *line = bi->modules[i].cmdline;

		if (!strncmp(line, ROOT_NAME, 4) && (line[4] == '\0' || line[4] == ' ')) {
			*len = (size_t)(bi->modules[i].end - bi->modules[i].start);
			*from = "the boot module 'root'";
			return phys_to_virt(bi->modules[i].start);
		}
	}
	*len = (size_t)(root_image_end - root_image_start);
	*from = "hv.elf (built in)";
	return root_image_start;
}

static void module_ranges(const struct boot_info *bi, struct mem_range *m)
{
	for (unsigned i = 0; i < bi->module_count; i++)
		m[i] = (struct mem_range){ bi->modules[i].start,
					   bi->modules[i].end - bi->modules[i].start, MEM_USABLE };
}

static void plan_layout(const struct boot_info *bi, const struct rootimg_header *h,
			const struct mem_range *ram, unsigned n, struct root_layout *l)
{
	struct mem_range mods[BOOT_MODULES_MAX];
	uint64_t at;

	l->img_bytes = ALIGN_UP(h->mem_size, MIB(2));
	l->gib = MIN(ALIGN_UP(memmap_end(ram, n), GIB(1)) / GIB(1), (uint64_t)IDENTITY_MAX_GIB);
	l->bytes = l->img_bytes + AREA_PD_LOW + l->gib * PAGE_SIZE;
	module_ranges(bi, mods);
	if (!rootmem_place(ram, n, mods, bi->module_count, l->bytes, MIB(2), &at))
		panic("root: no 2 MiB-aligned room of %lu KiB for the root kernel", l->bytes >> 10);
	l->at = to_gpa(at);
	l->area = gpa_add(l->at, l->img_bytes);
}

static void write_or_panic(struct partition *p, gpa_t gpa, const void *src, size_t len)
{
	if (!partition_write(p, gpa, src, len))
		panic("root: cannot write %zu bytes at %016lx of its own RAM", len, gpa_val(gpa));
}

static void write_page_tables(struct partition *p, const struct root_layout *l,
			      const struct rootimg_header *h)
{
	static uint64_t pml4[512], table[512];	/* boot, once: not on the stack */
	uint64_t lb = h->link_base;

	memset(pml4, 0, sizeof(pml4));
	pml4[0] = gpa_val(gpa_add(l->area, AREA_PDPT_LOW)) | PTE_TABLE;
	pml4[lb >> 39 & 511] = gpa_val(gpa_add(l->area, AREA_PDPT_HIGH)) | PTE_TABLE;
	write_or_panic(p, gpa_add(l->area, AREA_PML4), pml4, sizeof(pml4));
	memset(table, 0, sizeof(table));
	for (uint64_t g = 0; g < l->gib; g++)
		table[g] = gpa_val(gpa_add(l->area, AREA_PD_LOW + g * PAGE_SIZE)) | PTE_TABLE;
	write_or_panic(p, gpa_add(l->area, AREA_PDPT_LOW), table, sizeof(table));
	for (uint64_t g = 0; g < l->gib; g++) {
		for (unsigned i = 0; i < 512; i++)
			table[i] = (g * 512 + i) * MIB(2) | PTE_LARGE;
		write_or_panic(p, gpa_add(l->area, AREA_PD_LOW + g * PAGE_SIZE), table,
			       sizeof(table));
	}
	memset(table, 0, sizeof(table));
	table[lb >> 30 & 511] = gpa_val(gpa_add(l->area, AREA_PD_HIGH)) | PTE_TABLE;
	write_or_panic(p, gpa_add(l->area, AREA_PDPT_HIGH), table, sizeof(table));
	memset(table, 0, sizeof(table));
	for (uint64_t off = 0; off < l->img_bytes; off += MIB(2))	/* one GiB: checked */
		table[(lb + off) >> 21 & 511] = (gpa_val(l->at) + off) | PTE_LARGE;
	write_or_panic(p, gpa_add(l->area, AREA_PD_HIGH), table, sizeof(table));
}

/* The length of the line's first word. */
static size_t first_word(const char *line)
{
	size_t n = 0;

	while (line[n] && line[n] != ' ')
		n++;
	return n;
}

static void copy_cut(char *dst, size_t size, const char *src, size_t len)
{
	len = MIN(len, size - 1);
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* The boot information: the root's free RAM (its ranges minus the start block), the modules. */
static void write_boot_info(struct partition *p, const struct boot_info *bi,
			    const struct mem_range *ram, unsigned n, const struct root_layout *l)
{
	static struct rootboot_info info;
	static struct mem_range free[BOOT_MMAP_MAX];
	unsigned nfree = n;

	memset(&info, 0, sizeof(info));
	info.magic = ROOTBOOT_MAGIC;
	info.version = ROOTBOOT_VERSION;
	info.size = sizeof(info);
	info.cpu_count = cpu_count;
	info.kernel_gpa = gpa_val(l->at);
	info.start_block_size = l->bytes;
	info.hv_entry_tsc = hv_entry_tsc;
	memcpy(free, ram, n * sizeof(*free));
	if (!memmap_exclude(free, &nfree, BOOT_MMAP_MAX, gpa_val(l->at), l->bytes))
		panic("root: its RAM ranges are too fragmented");
	if (nfree > ROOTBOOT_RANGES_MAX)
		log_warn("root: %u RAM ranges, the boot information has room for %u",
			 nfree, ROOTBOOT_RANGES_MAX);
	for (unsigned i = 0; i < nfree && i < ROOTBOOT_RANGES_MAX; i++)
		info.ranges[info.range_count++] = (struct rootboot_range){ free[i].base, free[i].len };
	for (unsigned i = 0; i < bi->module_count && i < ROOTBOOT_MODULES_MAX; i++) {
		const struct boot_module *m = &bi->modules[i];
		struct rootboot_module *rm = &info.modules[info.module_count++];
		size_t w = first_word(m->cmdline);
		const char *args = m->cmdline + w + (m->cmdline[w] == ' ');

		rm->gpa = m->start;
		rm->size = m->end - m->start;
		copy_cut(rm->name, sizeof(rm->name), m->cmdline, w);
		copy_cut(rm->args, sizeof(rm->args), args, strlen(args));
		if (m->cmdline_cut || w >= sizeof(rm->name) || strlen(args) >= sizeof(rm->args))
			info.modules_cut |= 1u << i;	/* the root refuses such a line */
	}
	copy_cut(info.cmdline, sizeof(info.cmdline), bi->cmdline, strlen(bi->cmdline));
	write_or_panic(p, gpa_add(l->area, AREA_BOOTINFO), &info, sizeof(info));
}

static void load_kernel(struct partition *p, const struct boot_info *bi,
			const struct mem_range *ram, unsigned n)
{
	static const uint64_t gdt[3] = { 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull };
	struct rootimg_header h;
	struct root_layout l;
	struct vcpu_state s;
	const uint8_t *image;
	const char *from, *why;
	size_t len;

	image = root_image(bi, &len, &from);
	why = rootimg_check(image, len, &h);
	if (why)
		panic("root: the kernel image from %s is not usable: %s", from, why);
	plan_layout(bi, &h, ram, n, &l);
	log_info("root: kernel from %s, %zu bytes, at %016lx, entry %016lx", from, len,
		 gpa_val(l.at), h.link_base + h.entry_offset);
	write_or_panic(p, l.at, image, len);
	if (!partition_zero(p, gpa_add(l.at, len), l.bytes - len))
		panic("root: cannot zero its start block");
	write_page_tables(p, &l, &h);
	write_or_panic(p, gpa_add(l.area, AREA_GDT), gdt, sizeof(gdt));
	write_boot_info(p, bi, ram, n, &l);
	vm_initial_state_long_mode(&s, gpa_val(gpa_add(l.area, AREA_PML4)),
				   gpa_val(gpa_add(l.area, AREA_GDT)), sizeof(gdt) - 1,
				   h.link_base + h.entry_offset);
	s.gpr[GPR_RDI] = gpa_val(gpa_add(l.area, AREA_BOOTINFO));
	s.gpr[GPR_RSP] = gpa_val(gpa_add(l.area, AREA_STACK_TOP));
	vcpu_ops->set_state(&p->vps[0].vcpu, &s);
	if (!partition_preset_hypercall_page(p, gpa_add(l.area, AREA_HYPERCALL)))
		panic("root: its hypercall page is not its memory");
	synic_preset_pages(&p->vps[0], gpa_val(gpa_add(l.area, AREA_SIMP)),
			   gpa_val(gpa_add(l.area, AREA_SIEFP)), gpa_val(gpa_add(l.area, AREA_SIRBP)));
}

/*
 * But the 8259s': the hypervisor keeps them masked (pic_disable), and a
 * root that reprogrammed one (ICW2 base 8) and unmasked IRQ 0 would have
 * timer interrupts arrive on exception vectors. Denied ports read all ones.
 */
static void deny_hypervisor_ports(struct partition *p)
{
	static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1 };

	for (size_t i = 0; i < ARRAY_SIZE(ports); i++)
		p->io_allowed[ports[i] / 8] &= (uint8_t)~(1u << (ports[i] % 8));
}

/* Its RAM as chunks (one per range, GPA = HPA), mapped with 2 MiB leaves where aligned. */
static void map_ram(struct partition *p, const struct mem_range *ram, unsigned n)
{
	if (n > PART_CHUNKS_MAX)
		panic("root: %u RAM ranges, at most %u", n, PART_CHUNKS_MAX);
	for (unsigned i = 0; i < n; i++) {
		p->chunks[p->nchunks++] = (struct mem_chunk){ to_gpa(ram[i].base), ram[i].base,
							      ram[i].len >> PAGE_SHIFT };
		if (!slpt_map(&p->slpt, to_gpa(ram[i].base), ram[i].base, ram[i].len, SLP_RWX,
			      MEMTYPE_WB, true))
			panic("root: the hypervisor's pool is too small for the root's tables "
			      "(hv_mem=)");
		p->mem_bytes += ram[i].len;
	}
}

struct partition *rootpart_create(const struct boot_info *bi)
{
	const struct mem_range *ram;
	struct partition *p;
	part_id_t id;
	unsigned n;
	int slot;

	ram = mm_root_ram(&n);
	ASSERT(ram && n);	/* mm_init split the RAM: main.c asks for both */
	if (part_table_reserve(ROOT_NAME, &slot, &id) != PART_OK)
		panic("root: no table slot");	/* the first partition: cannot happen */
	p = part_object_alloc(&(struct part_config){ .name = ROOT_NAME }, NULL);
	if (!p || !slpt_init(&p->slpt, vcpu_ops->slpt, &p->slpt_pages))
		panic("root: the hypervisor's pool is too small (hv_mem=)");
	memcpy(p->name, ROOT_NAME, sizeof(ROOT_NAME));
	p->id = id;
	p->privileges = HV_PRIV_ROOT;
	p->state = PART_CREATED;
	map_ram(p, ram, n);
	hvroot_frames_init(p, ram, n);
	if (part_vps_create(p, 1, cpu_mask_of(to_cpu_id(0))) != PART_OK)
		panic("root: the hypervisor's pool is too small for its VP (hv_mem=)");
	load_kernel(p, bi, ram, n);
	memset(p->io_allowed, 0xff, sizeof(p->io_allowed));	/* every port is the root's */
	deny_hypervisor_ports(p);
	part_table_publish(slot, p);
	part_log_created(p);
	__atomic_store_n(&root_part, p, __ATOMIC_RELEASE);
	return p;
}

/* One root VP today, on CPU 0: every child's intercepts go to it (docs/root.md). */
struct vp *rootpart_intercept_vp(const struct vp *child)
{
	struct partition *r = __atomic_load_n(&root_part, __ATOMIC_ACQUIRE);

	(void)child;
	return r ? &r->vps[0] : NULL;
}

struct partition *rootpart_get(void)
{
	return __atomic_load_n(&root_part, __ATOMIC_ACQUIRE);
}
