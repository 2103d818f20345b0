/*
 * Shared runtime of the 32-bit Multiboot test kernels (mb1.elf, mb2.elf):
 * debug-port output, counted checks, checks of the i386 machine state both
 * specifications promise, memory-map checks, and the exit hypercall.
 */
#ifndef TESTS_GUESTS_MB_MB_H
#define TESTS_GUESTS_MB_MB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What run-tests.sh puts on the module line: cmdline="console=ttyS0 mb-test". */
#define MB_EXPECTED_CMDLINE	"console=ttyS0 mb-test"
#define MB_LOADER_NAME		"microhypervisor"
#define MB_KERNEL_BASE		0x100000u

/* From mb.ld: the loaded image and its bss. */
extern char _load_start[], _load_end[], _bss_end[];

struct mb_range {
	uint64_t base, len;
	uint32_t type;		/* 1 usable RAM, others reserved */
};

void mb_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Count a check and print "PASS name" or "FAIL name". */
bool check(bool ok, const char *name);
/* The same, with the value that was found printed on failure. */
bool check_val(bool ok, const char *name, uint32_t got);


/* IDT whose exception handlers report the fault and exit. */
void mb_idt_install(void);
/* CR0, EFLAGS and every segment register, as Multiboot 3.2 / Multiboot2 3.3 say. */
void mb_check_machine_state(uint32_t eflags_at_entry);
/* Multiboot memory map: low RAM at 0, RAM from 1 MiB agreeing with mem_upper, sorted. */
void mb_check_memory_map(const char *what, const struct mb_range *r, unsigned n,
			 uint32_t mem_lower, uint32_t mem_upper);
/* [addr, addr+size) lies in memory the map describes and outside the kernel image. */
void mb_check_placement(const char *what, uint32_t addr, uint32_t size,
			const struct mb_range *r, unsigned n);

/* A boot module as the information describes it: [start, end) and its command line. */
struct mb_module {
	uint32_t start, end;
	const char *string;
};

#define MB_MODULES_MAX	16	/* the most a test kernel reads */

/*
 * Print "no modules", or "N modules" and "module I: STRING, SIZE bytes,
 * first byte XX" for each; then check that each lies in usable RAM, below
 * the information block (info), starts on a page and ends at or after its
 * start, clear of the kernel image.
 */
void mb_check_modules(const struct mb_module *m, unsigned n, uint32_t info,
		      const struct mb_range *r, unsigned nr);

/* Registers around a hypercall in the TLFS x86 convention (core/abi/hypercall.h). */
struct mb_hc_regs {
	uint32_t eax, ebx, ecx, edx, edi, esi;
};

bool mb_is_amd(void);
/* EDX:EAX = control, EBX:ECX = first, EDI:ESI = second; the registers afterwards. */
struct mb_hc_regs mb_hypercall_control(uint64_t control, uint64_t first, uint64_t second);
/* The same as a fast call of `code` (our own calls are all fast). */
struct mb_hc_regs mb_hypercall(uint32_t code, uint64_t first, uint64_t second);
/* TSC_KHZ, an unknown code, TLFS memory calls and a timer, in the x86 convention. */
void mb_check_hypercalls(void);
/* Drop to real mode, where VMCALL/VMMCALL must raise #UD, and come back (realmode.c). */
void mb_check_real_mode_hypercall(void);

/* Stop the partition with the number of failed checks as the exit code. */
void __attribute__((noreturn)) mb_exit(void);

#endif
