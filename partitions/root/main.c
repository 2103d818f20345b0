/*
 * The root kernel (docs/root.md): partition 0 of the design, our own small
 * 64-bit kernel in guest mode. It owns COM1 and relays the hypervisor's
 * log there: it takes the log over with its first HVCALL_X_LOG_READ, then
 * drains it every POLL_US (every TX_TICK_US while text waits for the
 * UART), with its children's lines, halting with a virtual timer in
 * between (it never spins; console.c). On the way up it says what it was
 * given: its RAM, and each boot module with its first bytes, read from
 * its RAM.
 *
 * Code shared with the hypervisor is compiled from the same sources
 * (core/format.c, core/lib.c, core/cmdline.c, drivers/uart16550.c).
 */
#include "partitions/root/root.h"
#include "partitions/root/child.h"
#include "arch/x86/cpu.h"
#include "core/abi/hypercall.h"
#include "core/cmdline.h"

#define POLL_US		5000		/* 5 ms: about 60 characters at 115200 baud */
#define TX_TICK_US	1000		/* while text waits: under a 16-byte FIFO's 1.4 ms */
#define KERNEL_CS	0x08

void root_main(const struct rootboot_info *bi);
void root_timer_isr(void);

/* A 64-bit interrupt gate (SDM Vol. 3A, 7.14.1, Figure 7-8). */
struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type_attr;
	uint16_t off_mid;
	uint32_t off_hi, zero;
};
_Static_assert(sizeof(struct idt_gate) == 16, "an IDT gate is 16 bytes");

static struct idt_gate idt[256] __attribute__((aligned(16)));
const struct rootboot_info *root_boot;

void root_idt_set(uint8_t vector, void (*isr)(void))
{
	uint64_t h = (uint64_t)isr;

	idt[vector] = (struct idt_gate){ (uint16_t)h, KERNEL_CS, 0, 0x8e,
					 (uint16_t)(h >> 16), (uint32_t)(h >> 32), 0 };
}

static void idt_init(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr = {
		sizeof(idt) - 1, (uint64_t)idt
	};

	root_idt_set(ROOT_TIMER_VECTOR, root_timer_isr);
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

uint64_t root_ram_bytes(void)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < root_boot->range_count; i++)
		sum += root_boot->ranges[i].size;
	return sum;
}

static void say_up(const struct rootboot_info *bi)
{
	char names[ROOTBOOT_MODULES_MAX * (ROOTBOOT_NAME_MAX + 1) + 1];
	size_t at = 0;

	names[0] = '\0';
	for (uint32_t i = 0; i < bi->module_count; i++)
		at += (size_t)fmt_snprintf(names + at, sizeof(names) - at, " %s",
					   bi->modules[i].name);
	say("root: up: %lu MiB RAM in %u ranges, %u modules:%s", root_ram_bytes() >> 20,
	    bi->range_count, bi->module_count, names);
	for (uint32_t i = 0; i < bi->range_count; i++)
		say("root: ram %016lx-%016lx", bi->ranges[i].gpa,
		    bi->ranges[i].gpa + bi->ranges[i].size - 1);
}

/* Each module read from the root's own RAM: its size, first bytes and last byte (its whole extent is mine). */
static void say_modules(const struct rootboot_info *bi)
{
	for (uint32_t i = 0; i < bi->module_count; i++) {
		const struct rootboot_module *m = &bi->modules[i];
		const uint8_t *b = (const uint8_t *)m->gpa;	/* identity-mapped */
		uint8_t first[4] = { 0 };

		memcpy(first, b, (size_t)MIN(m->size, sizeof(first)));
		say("root: module '%s' at %016lx, %lu bytes, begins %02x %02x %02x %02x, ends %02x",
		    m->name, m->gpa, m->size, first[0], first[1], first[2], first[3],
		    m->size ? b[m->size - 1] : 0);
	}
}

bool root_cmdline_has(const char *key, const char *val)
{
	struct cmdline_token t;
	const char *cur = root_boot->cmdline;

	while (cmdline_next(&cur, &t))
		if (cmdline_key_is(&t, key) && t.val && t.val_len == strlen(val) &&
		    !memcmp(t.val, val, t.val_len))
			return true;
	return false;
}

/*
 * root_probe=hv (testing): read a byte of RAM that is not the root's, the
 * first page at or above 1 MiB that none of its ranges holds, below the end
 * of its RAM: the hypervisor's (its pool starts at 1 MiB, docs/root.md).
 * The hypervisor must refuse it: the root crashes, the machine stops.
 */
static void probe_hv(const struct rootboot_info *bi)
{
	uint64_t pa = 0x100000;

	for (uint32_t i = 0; i < bi->range_count; i++) {
		const struct rootboot_range *r = &bi->ranges[i];

		if (pa >= r->gpa && pa < r->gpa + r->size)
			pa = r->gpa + r->size;
	}
	say("root: root_probe=hv: reading %016lx, which is not mine", pa);
	say("root: read %02x: the hypervisor let me", *(volatile uint8_t *)pa);
}

/*
 * root_probe=pic (testing): the 8259s stay the hypervisor's. Unmasking
 * every IRQ of the master must not reach it: its mask still reads all ones.
 */
static void probe_pic(void)
{
	outb(0x21, 0x00);
	say("root: root_probe=pic: the PIC mask reads %02x after writing 00", inb(0x21));
}

extern const char root_header[];

/* The image is mapped at link_base (root_header's address) from kernel_gpa. */
uint64_t root_image_gpa(const void *va)
{
	return root_boot->kernel_gpa + ((uint64_t)va - (uint64_t)root_header);
}

/* Our own invariant broken: say where, and stop (the root stopping powers the machine off). */
void panic_at(const char *file, int line, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("root: PANIC at %s:%d: %s", file, line, msg);
	console_flush();
	for (;;)
		hv_fast(HVCALL_X_PARTITION_EXIT, 0xdead, 0, NULL);
}

void root_main(const struct rootboot_info *bi)
{
	root_boot = bi;
	hv_init();
	if (bi->magic != ROOTBOOT_MAGIC || bi->version != ROOTBOOT_VERSION) {
		say("root: boot information of an unknown version, stopping");
		hv_fast(HVCALL_X_PARTITION_EXIT, 1, 0, NULL);
	}
	idt_init();
	console_relay_log();
	say_up(bi);
	say("root: hypercall page at %016lx, placed by the hypervisor", hv_hypercall_page());
	say_modules(bi);
	pmem_init(bi);
	say("root: %lu MiB free for children and deposits", pmem_free_pages() >> 8);
	wallclock_init();
	if (root_cmdline_has("root_probe", "hv"))
		probe_hv(bi);
	if (root_cmdline_has("root_probe", "pic"))
		probe_pic();
	if (root_cmdline_has("root_test", "intercepts"))
		intercept_test();
	if (root_cmdline_has("root_test", "intercept_bench"))
		intercept_bench();
	if (root_cmdline_has("root_test", "calls"))
		selftest_run();
	shell_start();
	if (root_cmdline_has("root_test", "bench"))
		root_bench();		/* after the script's first command: it is a figure */
	console_start_buffering();
	for (;;) {
		console_poll();
		shell_poll();
		console_poll();
		if (intercept_pending() || shell_more_now())	/* each took its share: the rest now */
			continue;
		hv_fast(HVCALL_X_SET_TIMER, console_busy() || console_typing() ? TX_TICK_US : POLL_US,
			ROOT_TIMER_VECTOR, NULL);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
}
