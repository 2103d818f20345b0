/* The tiny runtime that test guests share: output, hypercalls, faults, timer. */
#ifndef TESTS_GUESTS_GUEST_H
#define TESTS_GUESTS_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/abi/hypercall.h"
#include "core/abi/hv_msr.h"

struct guest_boot {
	uint64_t mem_bytes;
	uint64_t vp_index;
	uint64_t vp_count;
	uint64_t partition_id;
};

/* Each guest defines this; it runs on every VP. */
void guest_main(const struct guest_boot *boot);

/* TSC at the entry point (the last VP to enter wins). */
extern uint64_t guest_entry_tsc;

void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Count a check; print PASS/FAIL NAME. */
void check(bool ok, const char *name);
unsigned failures(void);
void __attribute__((noreturn)) guest_exit(void);

/*
 * A fast call of `code` (our own calls are all fast: core/abi/hypercall.h);
 * returns RAX. Through the hypercall page once it is enabled (the runtime
 * enables it on every VP before guest_main), else VMCALL/VMMCALL inline.
 */
uint64_t hypercall(uint64_t code, uint64_t rdx, uint64_t r8);
/* The same with the whole input value in RCX as given. */
uint64_t hypercall_control(uint64_t control, uint64_t rdx, uint64_t r8);
/* A fast call by the VMCALL/VMMCALL instruction inline, never the page (3 bytes: #UD tests). */
uint64_t hypercall_raw(uint64_t code, uint64_t rdx, uint64_t r8);

/* The test guests' guest OS id: open source (bit 63), OS type 0x7f, build 1. */
#define GUEST_OS_ID_TESTS	(1ull << 63 | 0x7full << 56 | 1)
/* The runtime's hypercall page, and enabling it (true if the hypervisor filled it). */
extern uint8_t hypercall_page[4096];
bool hypercall_page_enable(void);
/* The runtime enables the page before guest_main unless the guest defines this false. */
extern bool runtime_enables_hypercall_page;
/* RDMSR and WRMSR that may fault: the vector (13 for #GP), or -1. */
int rdmsr_fault(uint32_t msr, uint64_t *val);
int wrmsr_fault(uint32_t msr, uint64_t val);
uint64_t guest_tsc_khz(void);

struct cpuid_out { uint32_t eax, ebx, ecx, edx; };
struct cpuid_out guest_cpuid(uint32_t leaf, uint32_t sub);

/* IDT with handlers for every vector; faults are recorded, not fatal, when expected. */
void idt_install(void);
/* Run an access that may fault with #GP/#UD...: the handler skips `len` bytes. Returns the vector or -1. */
void expect_fault(unsigned insn_len);
int fault_taken(void);
void set_irq_handler(unsigned vector, void (*fn)(void));
/* A 64-bit interrupt gate to handler in the runtime's IDT: dpl 3 lets INT n in from ring 3; ist 0: none. */
void set_idt_gate(unsigned vector, void (*handler)(void), unsigned dpl, unsigned ist);

struct tss64;
/*
 * Load gdt (n entries): entries 1 and 2 become the loader's 64-bit code
 * (0x08) and data (0x10) segments, entries tss_index and tss_index + 1 the
 * descriptor of tss; the caller fills any others first. CS, DS, ES and SS
 * are reloaded and TR is loaded.
 */
void load_gdt_with_tss(uint64_t *gdt, unsigned n, struct tss64 *tss, unsigned tss_index);
/*
 * Run fn at CPL 3 (VP 0 only: one TSS) and return when it returns. fn may
 * read and write memory and fault (expect_fault, set beforehand, works),
 * but not print: ring 3 has no I/O ports.
 */
void run_user(void (*fn)(void));
/* The RIP that this VP's latest interrupt interrupted (the return address in its frame). */
uint64_t last_irq_rip(void);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

#endif
