/*
 * Test-guest runtime: text to the debug port (one line at a time under a
 * lock, since VPs print concurrently), hypercalls (through the hypercall
 * page, which every VP enables before guest_main), an IDT whose exception
 * handler can step over an expected fault, and interrupt handlers.
 * The interrupt stubs are the hypervisor's own arch/x86/isr.S.
 */
#include "tests/guests/guest.h"
#include "arch/x86/desc.h"
#include "core/lib.h"
#include "core/abi/hv_msr.h"

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

/*
 * The hypercall page: GUEST_OS_ID, then HV_X64_MSR_HYPERCALL with this
 * page's GPA (the loader's identity map: GPA = address) and the enable
 * bit (TLFS 3.13). Once the hypervisor has filled it, ordinary calls are
 * a CALL to its start, as Linux makes them.
 */
uint8_t hypercall_page[4096] __attribute__((aligned(4096)));
static volatile bool page_enabled;
/* A guest that tests the MSRs from their first state defines this false. */
__attribute__((weak)) bool runtime_enables_hypercall_page = true;

int rdmsr_fault(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	expect_fault(2);
	__asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr));
	*val = (uint64_t)hi << 32 | lo;
	return fault_taken();
}

int wrmsr_fault(uint32_t msr, uint64_t val)
{
	expect_fault(2);
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
			 : "memory");
	return fault_taken();
}

bool hypercall_page_enable(void)
{
	uint64_t want = (uint64_t)hypercall_page | HV_HYPERCALL_MSR_ENABLE, id = 0, msr = 0;

	/* already on (another VP was first): leave it (TLFS 3.13, step 5) */
	if (rdmsr_fault(HV_X64_MSR_HYPERCALL, &msr) == -1 &&
	    (msr & (HV_HYPERCALL_MSR_GPA_MASK | HV_HYPERCALL_MSR_ENABLE)) == want) {
		page_enabled = true;
		return true;
	}
	if (rdmsr_fault(HV_X64_MSR_GUEST_OS_ID, &id) != -1)
		return false;
	if (!id && wrmsr_fault(HV_X64_MSR_GUEST_OS_ID, GUEST_OS_ID_TESTS) != -1)
		return false;
	if (wrmsr_fault(HV_X64_MSR_HYPERCALL, want) != -1 ||
	    rdmsr_fault(HV_X64_MSR_HYPERCALL, &msr) != -1 ||
	    (msr & (HV_HYPERCALL_MSR_GPA_MASK | HV_HYPERCALL_MSR_ENABLE)) != want)
		return false;
	page_enabled = true;
	return true;
}

/* The hypercall instruction itself, wherever RIP is. */
static uint64_t raw_call(uint64_t control, uint64_t *rdx, uint64_t r8)
{
	register uint64_t r8_ __asm__("r8") = r8;
	uint64_t rax;

	if (use_vmmcall)
		__asm__ volatile("vmmcall" : "=a"(rax), "+d"(*rdx), "+r"(r8_) : "c"(control) : "memory");
	else
		__asm__ volatile("vmcall" : "=a"(rax), "+d"(*rdx), "+r"(r8_) : "c"(control) : "memory");
	return rax;
}

/* Through the hypercall page; RCX, RDX and R8-R11 may change (Linux's hv_do_hypercall). */
static uint64_t page_call(uint64_t control, uint64_t *rdx, uint64_t r8)
{
	register uint64_t r8_ __asm__("r8") = r8;
	uint64_t rax;

	__asm__ volatile("call *%[page]"
			 : "=a"(rax), "+c"(control), "+d"(*rdx), "+r"(r8_)
			 : [page] "r"(hypercall_page)
			 : "r9", "r10", "r11", "memory");
	return rax;
}

static uint64_t call(uint64_t control, uint64_t *rdx, uint64_t r8)
{
	return page_enabled ? page_call(control, rdx, r8) : raw_call(control, rdx, r8);
}

uint64_t hypercall_control(uint64_t control, uint64_t rdx, uint64_t r8)
{
	return call(control, &rdx, r8);
}

uint64_t hypercall(uint64_t code, uint64_t rdx, uint64_t r8)
{
	return hypercall_control(code | HV_HYPERCALL_FAST, rdx, r8);
}

uint64_t hypercall_raw(uint64_t code, uint64_t rdx, uint64_t r8)
{
	return raw_call(code | HV_HYPERCALL_FAST, &rdx, r8);
}

uint64_t guest_tsc_khz(void)
{
	uint64_t rdx = 0;

	return call(HVCALL_X_TSC_KHZ | HV_HYPERCALL_FAST, &rdx, 0) == HV_STATUS_SUCCESS ? rdx : 0;
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

/*
 * Ring 3 (run_user): a GDT with user segments and a TSS whose RSP0 is the
 * kernel stack run_user leaves behind, so that an exception at CPL 3
 * lands on the calling VP's own stack. The user function ends with
 * INT 0x80 (a DPL-3 gate), which trap_dispatch turns into a return to
 * run_user at CPL 0.
 */
#define SEL_KCODE	0x08
#define SEL_KDATA	0x10
#define SEL_UDATA	(0x18 | 3)
#define SEL_UCODE	(0x20 | 3)
#define SEL_TSS		0x28
#define USER_RETURN_VECTOR	0x80
#define PTE_US		4ull

static struct tss64 user_tss;
static uint64_t user_gdt[7] __attribute__((aligned(16)));
static uint8_t user_stack[4096] __attribute__((aligned(16)));
uint64_t user_kernel_rsp;		/* run_user's stack, for the way back */

void run_user_asm(void (*fn)(void), uint64_t user_rsp, void *tss_rsp0);
extern const char run_user_return[];

__asm__(".text\n"
	".globl run_user_asm\n"
	"run_user_asm:\n"		/* (fn, user stack top, &tss.rsp0) */
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	mov %rsp, user_kernel_rsp(%rip)\n"
	"	mov %rsp, (%rdx)\n"		/* CPL 3 -> 0 lands just below */
	"	pushq $" "0x1b" "\n"		/* SS = SEL_UDATA */
	"	push %rsi\n"			/* RSP */
	"	pushq $2\n"			/* RFLAGS: IF = 0, IOPL = 0 */
	"	pushq $" "0x23" "\n"		/* CS = SEL_UCODE */
	"	lea 1f(%rip), %rax\n"
	"	push %rax\n"
	"	iretq\n"
	"1:	call *%rdi\n"			/* CPL 3 */
	"	int $0x80\n"
	".globl run_user_return\n"
	"run_user_return:\n"		/* CPL 0 again, RSP = user_kernel_rsp */
	"	mov $0x10, %eax\n"
	"	mov %eax, %ds\n"
	"	mov %eax, %es\n"
	"	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n");

/* The identity map the loader built, opened to CPL 3 (US at every level) over our memory. */
static void open_memory_to_user(void)
{
	uint64_t cr3, *pml4, *pdpt, *pd;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = (uint64_t *)(cr3 & ~0xfffull);
	pml4[0] |= PTE_US;
	pdpt = (uint64_t *)(pml4[0] & 0x000ffffffffff000ull);
	pdpt[0] |= PTE_US;
	pd = (uint64_t *)(pdpt[0] & 0x000ffffffffff000ull);
	for (uint64_t i = 0; i < (mem_top + (1u << 21) - 1) >> 21 && i < 512; i++)
		pd[i] |= PTE_US;
	__asm__ volatile("mov %0, %%cr3" ::"r"(cr3) : "memory");
}

static void user_mode_setup(void)
{
	user_gdt[3] = 0x00cff3000000ffffull;		/* user data, DPL 3 */
	user_gdt[4] = 0x00affb000000ffffull;		/* user code, 64-bit, DPL 3 */
	user_tss.iomap_base = sizeof(user_tss);		/* no I/O bitmap: ring 3 has no ports */
	load_gdt_with_tss(user_gdt, sizeof(user_gdt) / sizeof(user_gdt[0]), &user_tss, SEL_TSS / 8);
	set_idt_gate(USER_RETURN_VECTOR, (void (*)(void))isr_stub_table[USER_RETURN_VECTOR], 3, 0);
	open_memory_to_user();
}

void load_gdt_with_tss(uint64_t *gdt, unsigned n, struct tss64 *tss, unsigned tss_index)
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr = {
		(uint16_t)(n * 8 - 1), (uint64_t)gdt
	};
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

	gdt[1] = 0x00af9b000000ffffull;		/* kernel code, 64-bit */
	gdt[2] = 0x00cf93000000ffffull;		/* kernel data */
	/* an available 64-bit TSS (SDM Vol. 3A, 8.2.3, Figure 8-4) */
	gdt[tss_index] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
			 (limit >> 16 & 0xf) << 48 | (base >> 24 & 0xff) << 56;
	gdt[tss_index + 1] = base >> 32;
	__asm__ volatile("lgdt %0\n\t"
			 "pushq $0x08\n\t"
			 "lea 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\tmov $0x10, %%eax\n\t"
			 "mov %%eax, %%ds\n\t"
			 "mov %%eax, %%es\n\t"
			 "mov %%eax, %%ss\n\t"
			 "ltr %w1" : : "m"(gdtr), "r"((uint16_t)(tss_index * 8)) : "rax", "memory");
}

void set_idt_gate(unsigned vector, void (*handler)(void), unsigned dpl, unsigned ist)
{
	uint64_t h = (uint64_t)handler;

	idt[vector] = (struct idt_gate){ (uint16_t)h, SEL_KCODE, (uint8_t)ist,
					 (uint8_t)(0x8e | dpl << 5), (uint16_t)(h >> 16),
					 (uint32_t)(h >> 32), 0 };
}

void run_user(void (*fn)(void))
{
	static bool ready;

	if (!ready) {
		user_mode_setup();
		ready = true;
	}
	run_user_asm(fn, (uint64_t)(user_stack + sizeof(user_stack)),
		     (uint8_t *)&user_tss + offsetof(struct tss64, rsp));
}

/* INT 0x80 from CPL 3: resume at run_user_return, at CPL 0 on run_user's stack. */
static bool user_returned(struct trap_frame *tf)
{
	if (tf->vector != USER_RETURN_VECTOR || (tf->cs & 3) != 3)
		return false;
	tf->rip = (uint64_t)run_user_return;
	tf->cs = SEL_KCODE;
	tf->rflags = 2;
	tf->rsp = user_kernel_rsp;
	tf->ss = SEL_KDATA;
	return true;
}

void trap_dispatch(struct trap_frame *tf)
{
	unsigned vp = this_vp();

	if (user_returned(tf))
		return;

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
	if (runtime_enables_hypercall_page && !hypercall_page_enable())
		check(false, "the runtime enables the hypercall page");
	guest_main(&b);
	if (vp == 0)
		guest_exit();
	for (;;)
		__asm__ volatile("cli; hlt");
}
