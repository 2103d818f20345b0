/*
 * Boot-CPU bring-up, in dependency order: descriptor tables first (so a
 * fault prints a register dump), then the boot information and options
 * (which say where the log goes), memory, ACPI, time, the APICs, the
 * virtualization check, the other CPUs, and finally the one-line summary
 * documented in docs/boot.md.
 */
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/smp.h"
#include "arch/x86/tsc.h"
#include "arch/x86/tlb_tag.h"
#include "arch/x86/vcpu_select.h"
#include "arch/x86/virt_caps.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mb2.h"
#include "core/mm.h"
#include "core/options.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "core/vm_smoke.h"
#include "drivers/acpi.h"
#include "drivers/pic8259.h"
#include "partitions/partition.h"
#include "partitions/rootpart.h"

#define HV_VERSION "0.1"

void hv_main(uint32_t magic, uint32_t mbi_pa);

/* Problems found before the log exists are kept and printed once it does. */
struct early_notes {
	char text[8][112];
	unsigned count, lost;
};

static struct boot_info boot_info;
static struct hv_options options;
static struct early_notes notes;

static void note(const char *text)
{
	if (notes.count == ARRAY_SIZE(notes.text)) {
		notes.lost++;
		return;
	}
	fmt_snprintf(notes.text[notes.count++], sizeof(notes.text[0]), "%s", text);
}

static void mb2_problem(void *ctx __unused, const char *msg, uint32_t tag, uint64_t off)
{
	char text[112];

	fmt_snprintf(text, sizeof(text), "boot info: %s (tag type %u at offset %lu), skipped",
		     msg, tag, off);
	note(text);
}

static void option_problem(void *ctx __unused, const char *msg, const char *what, size_t len)
{
	char name[48], text[112];

	len = MIN(len, sizeof(name) - 1);
	memcpy(name, what, len);
	name[len] = '\0';
	fmt_snprintf(text, sizeof(text), "cmdline: %s '%s' ignored", msg, name);
	note(text);
}

static void print_boot_info(void)
{
	log_info("hv: microhypervisor %s, loaded by %s", HV_VERSION,
		 boot_info.loader[0] ? boot_info.loader : "an unnamed loader");
	log_info("hv: command line: '%s'", boot_info.cmdline);
	for (unsigned i = 0; i < notes.count; i++)
		log_warn("%s", notes.text[i]);
	if (notes.lost)
		log_warn("%u more boot problems not shown", notes.lost);
	log_info("mem: %u map entries from the %s map", boot_info.mmap_count,
		 boot_info.mmap_from_efi ? "EFI" : "BIOS");
	for (unsigned i = 0; i < boot_info.mmap_count; i++)
		log_debug("mem: %016lx-%016lx type %u", boot_info.mmap[i].base,
			  boot_info.mmap[i].base + boot_info.mmap[i].len - 1,
			  boot_info.mmap[i].type);
	for (unsigned i = 0; i < boot_info.module_count; i++)
		log_info("module %u: %016lx-%016lx '%s'", i, boot_info.modules[i].start,
			 boot_info.modules[i].end, boot_info.modules[i].cmdline);
}

/* The NMI handler, entered through its IDT gate as a real NMI enters it. */
static void raise_nmi_vector(void)
{
	__asm__ volatile("int $2" ::: "memory");
}

static void raise_invalid_opcode(void)
{
	__asm__ volatile("ud2");
}

static void crash_on_purpose(enum crash_test what)
{
	switch (what) {
	case CRASH_PAGE_FAULT:
		log_info("hv: crash=pf: writing to an unmapped address");
		*(volatile uint64_t *)0x0000700000000000ull = 1;
		break;
	case CRASH_INVALID_OPCODE:
		log_info("hv: crash=ud: executing ud2");
		__asm__ volatile("ud2");
		break;
	case CRASH_PANIC:
		panic("crash=panic requested on the command line");
	case CRASH_NMI_IN_LOG:
		log_info("hv: crash=nmi_in_log: the NMI handler runs while this CPU holds the log");
		log_test_trap_inside(raise_nmi_vector);
		log_info("hv: crash=nmi_in_log: the NMI handler returned");
		break;
	case CRASH_UD_IN_LOG:
		log_info("hv: crash=ud_in_log: ud2 while this CPU holds the log");
		log_test_trap_inside(raise_invalid_opcode);
		break;
	case CRASH_NONE:
		break;
	}
}

static void print_summary(const struct virt_caps *caps)
{
	char virt[64];

	virt_summary(caps, virt, sizeof(virt));
	log_raw("hv: ready: cpus=%u %s mem_free_mib=%lu", cpu_count, virt,
		mm_free_pages() >> (20 - PAGE_SHIFT));
}

/*
 * root=on: the root partition is created first, on CPU 0; the partition=
 * children after it still get their memory from the hypervisor's pool
 * (transitional, docs/root.md). It is started last, which puts it first
 * in CPU 0's run queue: it takes the serial port over before the
 * children's first lines. Its RAM is unused where the machine cannot run it.
 */
static struct partition *create_root(void)
{
	if (!options.root) {
		log_info("root: not started: root=off (no partition will run)");
		return NULL;
	}
	if (!vcpu_ops) {
		log_err("root: not started: this machine cannot run partitions (see the virt: lines)");
		return NULL;
	}
	return rootpart_create(&boot_info);
}

void hv_main(uint32_t magic, uint32_t mbi_pa)
{
	struct partition *root;
	struct virt_caps caps;
	bool mbi_ok;

	smp_init_bsp();
	ASSERT(magic == MB2_BOOT_MAGIC);	/* checked by the entry code */
	mbi_ok = mb2_parse(phys_to_virt(mbi_pa), MB2_INFO_MAX, mbi_pa, &boot_info,
			   mb2_problem, NULL);
	options_defaults(&options);
	options_parse(&options, boot_info.cmdline, option_problem, NULL);
	log_init(options.serial_port, options.serial_baud, options.loglvl);
	panic_set_poweroff(options.on_panic == ON_PANIC_POWEROFF);
	print_boot_info();
	if (!mbi_ok)
		log_err("hv: the boot information block is malformed; using what could be read");

	mm_init(&boot_info, options.root ? MIB(options.hv_mem_mib) : 0);
	paging_init(mm_phys_end());
	if (!acpi_init(&boot_info, paging_mapped_end()))
		log_warn("acpi: no MADT: running on the boot CPU only");
	log_info("tsc: %lu kHz", tsc_calibrate());
	pic_disable();
	lapic_init_bsp(options.x2apic);
	/* root=on: the root powers the machine off when its script is done (docs/root.md) */
	sched_init(options.after_boot == AFTER_BOOT_POWEROFF && !options.root);
	virt_detect(&caps);
	virt_report(&caps);
	tlb_tags_limit(options.tlb_tags);
	if (options.tlb_tags)
		log_info("vcpu: at most %u TLB tags per CPU (tlb_tags=)", options.tlb_tags);
	if (vcpu_select(&caps) && vcpu_ops->cpu_enable && vcpu_ops->cpu_enable())
		panic("vcpu: cannot enable %s on the boot CPU", vcpu_ops->name);
	smp_start_aps(acpi_madt(), &options);
	if (options.vmcheck && vcpu_ops)
		vm_smoke_test();
	if (options.benchfloor && vcpu_ops)
		vm_bench_floor();

	print_summary(&caps);
	crash_on_purpose(options.crash);
	partition_measure_vcpu_cost();
	root = create_root();	/* it stays: the free-memory baseline counts it */
	if (!root && options.after_boot == AFTER_BOOT_POWEROFF)
		sched_poweroff_when_idle(true);	/* no root to power off when done: nothing will run */
	sched_mark_baseline();
	log_start_buffering();
	if (root && partition_start(root) != PART_OK)
		panic("root: cannot start");
	sched_loop();
}
