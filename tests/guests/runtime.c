/*
 * Test-guest runtime: text to the debug port (one line at a time under a
 * lock, since VPs print concurrently), hypercalls, an IDT whose exception
 * handler can step over an expected fault, and interrupt handlers.
 * The interrupt stubs are the hypervisor's own arch/x86/isr.S.
 */
#include "tests/guests/guest.h"
#include "arch/x86/desc.h"
#include "core/lib.h"

#define DEBUG_PORT	0xe9

void guest_start(uint64_t mem, uint64_t vp, uint64_t nvps, uint64_t id);
void trap_dispatch(struct trap_frame *tf);
extern const uint64_t isr_stub_table[256];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static volatile uint32_t print_lock;
static volatile unsigned fail_count;
static bool use_vmmcall;
static void (*irq_handlers[256])(void);
/* per VP: at most 8 VPs */
static volatile unsigned expect_len[8];
static volatile int taken_vector[8];
static volatile uint64_t irq_rip[8];
static uint64_t mem_top;

void gprintf(const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	for (int i = 0; i < n; i++)
		outb(DEBUG_PORT, (uint8_t)buf[i]);
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

void check(bool ok, const char *name)
{
	if (!ok)
		__atomic_fetch_add(&fail_count, 1, __ATOMIC_RELAXED);
	gprintf("%s %s\n", ok ? "PASS" : "FAIL", name);
}

unsigned failures(void)
{
	return fail_count;
}

uint64_t hypercall(uint64_t code, uint64_t rdx, uint64_t r8)
{
	register uint64_t r8_ __asm__("r8") = r8;
	uint64_t rax;

	if (use_vmmcall)
		__asm__ volatile("vmmcall" : "=a"(rax), "+d"(rdx), "+r"(r8_) : "c"(code) : "memory");
	else
		__asm__ volatile("vmcall" : "=a"(rax), "+d"(rdx), "+r"(r8_) : "c"(code) : "memory");
	return rax;
}

uint64_t guest_tsc_khz(void)
{
	register uint64_t r8_ __asm__("r8") = 0;
	uint64_t rax, rdx = 0;

	if (use_vmmcall)
		__asm__ volatile("vmmcall" : "=a"(rax), "+d"(rdx), "+r"(r8_) : "c"(HVCALL_X_TSC_KHZ));
	else
		__asm__ volatile("vmcall" : "=a"(rax), "+d"(rdx), "+r"(r8_) : "c"(HVCALL_X_TSC_KHZ));
	return rax == HV_STATUS_SUCCESS ? rdx : 0;
}

void guest_exit(void)
{
	hypercall(HVCALL_X_PARTITION_EXIT, failures(), 0);
	for (;;)
		__asm__ volatile("cli; hlt");
}

struct cpuid_out guest_cpuid(uint32_t leaf, uint32_t sub)
{
	struct cpuid_out r;

	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(sub));
	return r;
}

/* VPs have 4 KiB stacks stacked down from the top of memory (the loader's contract). */
static unsigned this_vp(void)
{
	uint64_t rsp;

	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	return (unsigned)((mem_top - rsp) / 4096) & 7;
}

void expect_fault(unsigned insn_len)
{
	taken_vector[this_vp()] = -1;
	expect_len[this_vp()] = insn_len;
}

int fault_taken(void)
{
	expect_len[this_vp()] = 0;
	return taken_vector[this_vp()];
}

uint64_t last_irq_rip(void)
{
	return irq_rip[this_vp()];
}

void set_irq_handler(unsigned vector, void (*fn)(void))
{
	irq_handlers[vector & 255] = fn;
}

void trap_dispatch(struct trap_frame *tf)
{
	unsigned vp = this_vp();

	if (tf->vector >= 32) {
		irq_rip[vp] = tf->rip;
		if (irq_handlers[tf->vector])
			irq_handlers[tf->vector]();
		return;
	}
	if (expect_len[vp]) {
		taken_vector[vp] = (int)tf->vector;
		tf->rip += expect_len[vp];
		expect_len[vp] = 0;
		return;
	}
	gprintf("FAIL unexpected exception %lu at rip %lx\n", tf->vector, tf->rip);
	__atomic_fetch_add(&fail_count, 1, __ATOMIC_RELAXED);
	guest_exit();
}

void idt_install(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr = {
		sizeof(idt) - 1, (uint64_t)idt
	};

	for (unsigned v = 0; v < 256; v++) {
		uint64_t h = isr_stub_table[v];

		idt[v] = (struct idt_gate){ (uint16_t)h, 0x08, 0, 0x8e, (uint16_t)(h >> 16),
					    (uint32_t)(h >> 32), 0 };
	}
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

void guest_start(uint64_t mem, uint64_t vp, uint64_t nvps, uint64_t id)
{
	struct guest_boot b = { mem, vp, nvps, id };
	struct cpuid_out v = guest_cpuid(0, 0);

	mem_top = mem;
	use_vmmcall = v.ebx == 0x68747541;	/* "Auth"enticAMD */
	idt_install();
	guest_main(&b);
	if (vp == 0)
		guest_exit();
	for (;;)
		__asm__ volatile("cli; hlt");
}
