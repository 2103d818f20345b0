/*
 * Runtime shared by the 32-bit Multiboot test kernels: output to the debug
 * port, counted checks, the machine-state checks, memory-map checks, an
 * IDT that reports unexpected exceptions, and hypercalls in the TLFS x86
 * convention (VMCALL on Intel, VMMCALL on AMD; EDX:EAX = input value,
 * EBX:ECX and EDI:ESI = inputs, result in EDX:EAX).
 */
#include <stdarg.h>
#include "tests/guests/mb/mb.h"
#include "core/lib.h"
#include "core/abi/hypercall.h"

#define DEBUG_PORT	0xe9

#define MB_TIMER_VECTOR	0x40

static unsigned fail_count, check_count;
static uint64_t idt[MB_TIMER_VECTOR + 1] __attribute__((aligned(8)));
volatile uint32_t mb_timer_ticks;

/* The ELF entry point, which a Multiboot loader must not use. */
__asm__(".pushsection .text.entry, \"ax\"\n"
	".globl mb_wrong_entry\n"
	"mb_wrong_entry:\n"
	"	mov $mb_stack_top, %esp\n"
	"	call mb_wrong_entry_main\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	".popsection\n"
	".pushsection .bss\n"
	".balign 16\n"
	"	.skip 16384\n"
	".globl mb_stack_top\n"
	"mb_stack_top:\n"
	".popsection\n");

/* Exception stubs 0-31, 16 bytes apart: push the vector, then common code. */
__asm__(".pushsection .text\n"
	".balign 16\n"
	"mb_isr_stubs:\n"
	".set vec, 0\n"
	".rept 32\n"
	"	.balign 16\n"
	"	pushl $vec\n"
	"	jmp mb_isr_common\n"
	"	.set vec, vec + 1\n"
	".endr\n"
	"mb_isr_common:\n"
	"	call mb_fault\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	/* the virtual timer: count it (no APIC, so no EOI) */
	"mb_timer_isr:\n"
	"	lock incl mb_timer_ticks\n"
	"	iret\n"
	".popsection\n");
extern const char mb_isr_stubs[], mb_timer_isr[];

void mb_wrong_entry_main(void);
void mb_check_control_registers(void);
void mb_fault(uint32_t vector, uint32_t w1, uint32_t w2, uint32_t w3);
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static void put_str(const char *s)
{
	while (*s)
		outb(DEBUG_PORT, (uint8_t)*s++);
}

static void put_num(uint32_t v, unsigned base)
{
	char buf[12];
	int i = 0;

	do {
		buf[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i)
		outb(DEBUG_PORT, (uint8_t)buf[--i]);
}

/*
 * %s %u %x %c and %%; numbers are 32-bit. (core/format.c needs 64-bit
 * division, which a 32-bit build would take from a libgcc we do not have.)
 */
void mb_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%' || !fmt[1]) {
			outb(DEBUG_PORT, (uint8_t)*fmt);
			continue;
		}
		switch (*++fmt) {
		case 's': put_str(va_arg(ap, const char *)); break;
		case 'u': put_num(va_arg(ap, uint32_t), 10); break;
		case 'x': put_num(va_arg(ap, uint32_t), 16); break;
		case 'c': outb(DEBUG_PORT, (uint8_t)va_arg(ap, int)); break;
		default: outb(DEBUG_PORT, (uint8_t)*fmt); break;
		}
	}
	va_end(ap);
}

bool check(bool ok, const char *name)
{
	check_count++;
	if (!ok)
		fail_count++;
	mb_printf("%s %s\n", ok ? "PASS" : "FAIL", name);
	return ok;
}

bool check_val(bool ok, const char *name, uint32_t got)
{
	check_count++;
	if (!ok) {
		fail_count++;
		mb_printf("FAIL %s (got 0x%x)\n", name, got);
	} else {
		mb_printf("PASS %s\n", name);
	}
	return ok;
}

bool mb_is_amd(void)
{
	uint32_t a = 0, b, c, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163;	/* AuthenticAMD */
}

struct mb_hc_regs mb_hypercall_control(uint64_t control, uint64_t first, uint64_t second)
{
	struct mb_hc_regs r = { (uint32_t)control, (uint32_t)(first >> 32), (uint32_t)first,
				(uint32_t)(control >> 32), (uint32_t)(second >> 32), (uint32_t)second };

	if (mb_is_amd())
		__asm__ volatile("vmmcall"
				 : "+a"(r.eax), "+b"(r.ebx), "+c"(r.ecx), "+d"(r.edx), "+D"(r.edi),
				   "+S"(r.esi) : : "memory");
	else
		__asm__ volatile("vmcall"
				 : "+a"(r.eax), "+b"(r.ebx), "+c"(r.ecx), "+d"(r.edx), "+D"(r.edi),
				   "+S"(r.esi) : : "memory");
	return r;
}

struct mb_hc_regs mb_hypercall(uint32_t code, uint64_t first, uint64_t second)
{
	return mb_hypercall_control(code | HV_HYPERCALL_FAST, first, second);
}

void mb_exit(void)
{
	struct mb_hc_regs r;

	mb_printf("%u checks, %u failed\n", check_count, fail_count);
	r = mb_hypercall(HVCALL_X_PARTITION_EXIT, fail_count, 0);
	mb_printf("FAIL the exit hypercall returned (status 0x%x)\n", r.eax);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * The x86 convention from protected mode: TSC_KHZ answers in EBX:ECX with
 * the status in EDX:EAX, and a timer set with EBX:ECX = microseconds and
 * EDI:ESI = vector fires.
 */
static uint8_t hc_page[4096] __attribute__((aligned(4096)));

/*
 * TLFS memory calls in the x86 convention: the input GPA in EBX:ECX, the
 * output GPA in EDI:ESI (both halves count), the result in EDX:EAX.
 */
static void check_memory_hypercalls(void)
{
	struct hv_input_post_message *m = (struct hv_input_post_message *)hc_page;
	uint32_t page = (uint32_t)hc_page;
	struct mb_hc_regs r;

	r = mb_hypercall_control(HVCALL_GET_PARTITION_ID, 0, page);
	check_val(r.eax == HV_STATUS_ACCESS_DENIED && r.edx == 0,
		  "GetPartitionId from 32-bit code: HV_STATUS_ACCESS_DENIED in EDX:EAX", r.eax);
	r = mb_hypercall_control(HVCALL_GET_PARTITION_ID, 0, page + 4);
	check_val(r.eax == HV_STATUS_INVALID_ALIGNMENT && r.edx == 0,
		  "GetPartitionId, EDI:ESI not 8-byte aligned: HV_STATUS_INVALID_ALIGNMENT", r.eax);
	r = mb_hypercall_control(HVCALL_GET_PARTITION_ID, 0, 1ull << 32 | page);
	check_val(r.eax == HV_STATUS_INVALID_ALIGNMENT && r.edx == 0,
		  "GetPartitionId, EDI = 1: outside my memory, HV_STATUS_INVALID_ALIGNMENT", r.eax);
	m->connection_id = 1;
	m->message_type = 1;
	m->payload_size = 8;
	r = mb_hypercall_control(HVCALL_POST_MESSAGE, page, 0);
	check_val(r.eax == HV_STATUS_INVALID_CONNECTION_ID && r.edx == 0,
		  "PostMessage with EBX:ECX = its input: HV_STATUS_INVALID_CONNECTION_ID", r.eax);
	r = mb_hypercall_control(HVCALL_POST_MESSAGE, page + 4096 - 128, 0);
	check_val(r.eax == HV_STATUS_INVALID_ALIGNMENT && r.edx == 0,
		  "PostMessage, input crossing a page: HV_STATUS_INVALID_ALIGNMENT", r.eax);
}

void mb_check_hypercalls(void)
{
	struct mb_hc_regs r = mb_hypercall(HVCALL_X_TSC_KHZ, 0, 0);
	uint32_t khz = r.ecx;
	uint64_t t0, t1;

	check_val(r.eax == HV_STATUS_SUCCESS && r.edx == 0,
		  "hypercall TSC_KHZ: status 0 in EDX:EAX (x86 convention)", r.eax);
	check_val(r.ebx == 0 && khz > 1000, "hypercall TSC_KHZ: the frequency in EBX:ECX", khz);
	r = mb_hypercall(0x7fff, 0, 0);
	check_val(r.eax == HV_STATUS_INVALID_HYPERCALL_CODE && r.edx == 0,
		  "hypercall 0x7fff: HV_STATUS_INVALID_HYPERCALL_CODE in EDX:EAX", r.eax);
	/* EDX is the input value's high half: bit 32 is a rep count of 1 */
	r = mb_hypercall_control(HVCALL_X_TSC_KHZ | HV_HYPERCALL_FAST | 1ull << 32, 0, 0);
	check_val(r.eax == HV_STATUS_INVALID_HYPERCALL_INPUT && r.edx == 0 && r.ecx == 0,
		  "hypercall with a rep count in EDX: HV_STATUS_INVALID_HYPERCALL_INPUT", r.eax);
	check_memory_hypercalls();

	r = mb_hypercall(HVCALL_X_SET_TIMER, 1000, MB_TIMER_VECTOR);
	check_val(r.eax == HV_STATUS_SUCCESS && r.edx == 0,
		  "hypercall SET_TIMER (EBX:ECX = 1000 us, EDI:ESI = vector 0x40) succeeds", r.eax);
	__asm__ volatile("rdtsc" : "=A"(t0));
	while (!mb_timer_ticks) {
		__asm__ volatile("rdtsc" : "=A"(t1));
		if (t1 - t0 > (uint64_t)khz * 1000)	/* a second: the timer is not coming */
			break;
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	check(mb_timer_ticks == 1, "the timer set from 32-bit code fires once at vector 0x40");
}

void mb_wrong_entry_main(void)
{
	fail_count = 99;
	mb_printf("FAIL entered at the ELF entry point, not the Multiboot one\n");
	mb_exit();
}

/* Vectors that push an error code. */
static bool has_error_code(uint32_t v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

void mb_fault(uint32_t vector, uint32_t w1, uint32_t w2, uint32_t w3)
{
	(void)w3;
	fail_count++;
	mb_printf("FAIL unexpected exception %u (error 0x%x) at eip 0x%x\n", vector,
		  has_error_code(vector) ? w1 : 0, has_error_code(vector) ? w2 : w1);
	mb_exit();
}

void mb_idt_install(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } idtr = {
		sizeof(idt) - 1, (uint32_t)idt
	};
	uint16_t cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	for (unsigned v = 0; v <= MB_TIMER_VECTOR; v++) {
		uint32_t h = v < 32 ? (uint32_t)mb_isr_stubs + 16 * v : (uint32_t)mb_timer_isr;

		/* 32-bit interrupt gate, present, DPL 0 */
		idt[v] = (uint64_t)(h & 0xffff) | (uint64_t)cs << 16 |
			 (uint64_t)0x8e00 << 32 | (uint64_t)(h >> 16) << 48;
	}
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

/* ---- machine state ---- */

struct seg_info {
	bool ar_ok, lim_ok;
	uint32_t ar, limit, base;
	bool in_gdt;
};

static struct seg_info seg_examine(uint16_t sel)
{
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } gdtr;
	struct seg_info s = { 0 };
	uint8_t zf;

	__asm__ volatile("lar %2, %0; setz %1" : "=r"(s.ar), "=q"(zf) : "r"((uint32_t)sel) : "cc");
	s.ar_ok = zf;
	__asm__ volatile("lsl %2, %0; setz %1" : "=r"(s.limit), "=q"(zf) : "r"((uint32_t)sel) : "cc");
	s.lim_ok = zf;
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	if (!(sel & 4) && (uint32_t)(sel & ~7u) + 7 <= gdtr.limit) {
		const volatile uint8_t *d = (const volatile uint8_t *)(gdtr.base + (sel & ~7u));

		s.base = d[2] | (uint32_t)d[3] << 8 | (uint32_t)d[4] << 16 | (uint32_t)d[7] << 24;
		s.in_gdt = true;
	}
	return s;
}

/*
 * Access rights as LAR returns them: type 8-11, S 12, DPL 13-14, P 15,
 * L 21, D/B 22, G 23. Code: P, DPL 0, S, executable, not conforming, D, G,
 * not L. Data: P, DPL 0, S, not executable, expand-up, writable, G.
 */
#define AR_CODE_MASK	0x00e0fc00u
#define AR_CODE_WANT	0x00c09800u
#define AR_DATA_MASK	0x0080fe00u
#define AR_DATA_WANT	0x00809200u

static void check_data_segment(const char *name, uint16_t sel, bool stack)
{
	struct seg_info s = seg_examine(sel);
	bool ok = sel && !(sel & 3) && s.ar_ok && (s.ar & AR_DATA_MASK) == AR_DATA_WANT &&
		  (!stack || (s.ar & (1u << 22))) && s.lim_ok && s.limit == 0xffffffffu &&
		  s.in_gdt && s.base == 0;

	if (!ok)
		mb_printf("  %s=0x%x ar=0x%x (%u) limit=0x%x (%u) base=0x%x (in gdt %u)\n", name,
			  sel, s.ar, s.ar_ok, s.limit, s.lim_ok, s.base, s.in_gdt);
	mb_printf("%s %s: flat read/write data segment, base 0, limit 4 GiB\n",
		  ok ? "PASS" : "FAIL", name);
	check_count++;
	fail_count += !ok;
}

void mb_check_machine_state(uint32_t eflags)
{
	uint16_t cs, ds, es, fs, gs, ss;
	uint32_t cr0, reached = 0;
	struct seg_info c;
	struct __attribute__((packed)) { uint32_t off; uint16_t sel; } fp;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	check_val((cr0 & 1) && !(cr0 >> 31), "cr0: PE=1 (protected mode), PG=0 (paging off)", cr0);
	check_val(!(eflags & (1u << 9 | 1u << 17)), "eflags: IF=0, VM=0 at entry", eflags);

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	c = seg_examine(cs);
	check_val(cs && !(cs & 7), "cs: a GDT selector with RPL 0", cs);
	check_val(c.ar_ok && (c.ar & AR_CODE_MASK) == AR_CODE_WANT,
		  "cs: present ring-0 32-bit code segment (lar: D=1, L=0, G=1)", c.ar);
	check_val(c.lim_ok && c.limit == 0xffffffffu, "cs: limit 4 GiB (lsl)", c.limit);
	check_val(c.in_gdt && c.base == 0, "cs: base 0 in the GDT", c.base);

	/* A far jump through CS:label reloads CS from the GDT: it must land, still flat 32-bit. */
	fp.off = 0;
	fp.sel = cs;
	__asm__ volatile("movl $1f, %1\n\t"
			 "ljmpl *%1\n\t"
			 "jmp 2f\n"
			 "1:\tmovl $1, %0\n"
			 "2:"
			 : "+r"(reached), "+m"(fp) : : "memory");
	check(reached == 1, "cs: a far jump through cs:offset lands at the offset");

	__asm__ volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2" : "=r"(ds), "=r"(es), "=r"(fs));
	__asm__ volatile("mov %%gs, %0; mov %%ss, %1" : "=r"(gs), "=r"(ss));
	check_data_segment("ds", ds, false);
	check_data_segment("es", es, false);
	check_data_segment("fs", fs, false);
	check_data_segment("gs", gs, false);
	check_data_segment("ss", ss, true);
	/* Reloading them from the GDT must work too (a bad descriptor would #GP). */
	__asm__ volatile("mov %0, %%ds; mov %1, %%es; mov %2, %%fs; mov %3, %%gs; mov %4, %%ss"
			 ::"r"(ds), "r"(es), "r"(fs), "r"(gs), "r"(ss) : "memory");
	check(true, "ds, es, fs, gs, ss reload from the GDT");
	mb_check_control_registers();
}

/*
 * What a kernel does first: set CR0.NE (Linux does; Multiboot leaves it
 * clear, and VT-x owns it) and CR4 bits such as PSE (AMD-V intercepts
 * CR4 writes and decodes the 32-bit MOV from guest memory).
 */
void mb_check_control_registers(void)
{
	uint32_t cr0, cr4, got;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0; mov %%cr0, %0" : "=r"(got) : "0"(cr0 | 0x20));
	check_val(got & 0x20, "cr0: NE can be set", got);
	__asm__ volatile("mov %0, %%cr0; mov %%cr0, %0" : "=r"(got) : "0"(cr0 & ~0x20u));
	check_val(!(got & 0x20), "cr0: NE can be cleared", got);
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4; mov %%cr4, %0" : "=r"(got) : "0"(cr4 ^ 0x10));
	check_val(got == (cr4 ^ 0x10), "cr4: PSE can be toggled", got);
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4));
}

/* ---- memory map ---- */

static bool range_inside(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a >= b && alen <= blen && a - b <= blen - alen;
}

void mb_check_memory_map(const char *what, const struct mb_range *r, unsigned n,
			 uint32_t mem_lower, uint32_t mem_upper)
{
	bool sorted = true, hi_ok = false, kernel_ok = false;
	uint64_t upper = (uint64_t)mem_upper << 10;
	unsigned hi = n;

	mb_printf("%s: %u entries\n", what, n);
	for (unsigned i = 0; i < n; i++) {
		mb_printf("  base 0x%x_%x len 0x%x_%x type %u\n", (uint32_t)(r[i].base >> 32),
			  (uint32_t)r[i].base, (uint32_t)(r[i].len >> 32), (uint32_t)r[i].len,
			  r[i].type);
		if (!r[i].len || r[i].base + r[i].len < r[i].base ||
		    (i && r[i].base < r[i - 1].base + r[i - 1].len))
			sorted = false;
		if (r[i].base == 0x100000 && r[i].type == 1)
			hi = i;
	}
	check(n >= 2 && n <= 32, "mmap: a plausible number of entries");
	check(sorted, "mmap: entries non-empty, sorted, not overlapping");
	check(n && r[0].base == 0 && r[0].type == 1 && r[0].len >= (uint64_t)mem_lower << 10,
	      "mmap: first entry is usable RAM at 0 covering mem_lower");
	if (hi < n) {
		hi_ok = r[hi].len == upper;
		kernel_ok = range_inside(MB_KERNEL_BASE, (uint32_t)_bss_end - MB_KERNEL_BASE,
					 r[hi].base, r[hi].len);
	}
	check(hi < n, "mmap: usable RAM starts at 1 MiB");
	check_val(hi_ok, "mmap: the 1 MiB region is mem_upper KiB long", hi < n ? (uint32_t)(r[hi].len >> 10) : 0);
	check(kernel_ok, "mmap: the kernel image and bss lie in usable RAM");
}

void mb_check_placement(const char *what, uint32_t addr, uint32_t size,
			const struct mb_range *r, unsigned n)
{
	uint32_t k0 = (uint32_t)_load_start, k1 = (uint32_t)_bss_end;
	bool mapped = false, clear = addr >= k1 || addr + size <= k0;

	for (unsigned i = 0; i < n; i++)
		mapped |= range_inside(addr, size, r[i].base, r[i].len);
	mb_printf("%s %s lies in mapped memory, clear of the kernel (0x%x, %u bytes)\n",
		  mapped && clear && addr ? "PASS" : "FAIL", what, addr, size);
	check_count++;
	fail_count += !(mapped && clear && addr);
}

/* Two hex digits: a byte as "module I: ..., first byte XX" shows it. */
static void put_byte(uint8_t v)
{
	outb(DEBUG_PORT, (uint8_t)"0123456789abcdef"[v >> 4]);
	outb(DEBUG_PORT, (uint8_t)"0123456789abcdef"[v & 15]);
}

void mb_check_modules(const struct mb_module *m, unsigned n, uint32_t info,
		      const struct mb_range *r, unsigned nr)
{
	uint32_t k0 = (uint32_t)_load_start, k1 = (uint32_t)_bss_end;
	unsigned in_ram = n, below = n, aligned = n, ordered = n, clear = n;

	if (!n) {
		mb_printf("no modules\n");
		return;
	}
	mb_printf("%u module%s\n", n, n == 1 ? "" : "s");
	for (unsigned i = 0; i < n; i++) {
		uint32_t s = m[i].start, e = m[i].end, size = e >= s ? e - s : 0;
		bool mapped = false;

		mb_printf("module %u: %s, %u bytes", i, m[i].string ? m[i].string : "(null)", size);
		if (size) {
			mb_printf(", first byte ");
			put_byte(*(const volatile uint8_t *)s);
		}
		mb_printf("\n");
		for (unsigned j = 0; j < nr; j++)
			mapped |= r[j].type == 1 && range_inside(s, size, r[j].base, r[j].len);
		/* the first failing module's index is what a FAIL line shows */
		if (!mapped && in_ram == n)
			in_ram = i;
		if (!(e >= s && e <= info) && below == n)
			below = i;
		if ((s & 0xfff) && aligned == n)
			aligned = i;
		if (e < s && ordered == n)
			ordered = i;
		if (!(s >= k1 || e <= k0) && clear == n)
			clear = i;
	}
	check_val(in_ram == n, "modules: each lies in usable RAM of the memory map", in_ram);
	check_val(below == n, "modules: each lies below the information block", below);
	check_val(aligned == n, "modules: each starts on a page boundary", aligned);
	check_val(ordered == n, "modules: each ends at or after its start", ordered);
	check_val(clear == n, "modules: each is clear of the kernel image", clear);
}
