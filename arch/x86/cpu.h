/* x86-64 instructions and registers used throughout the hypervisor. */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#include "core/types.h"

#define MSR_APIC_BASE		0x0000001b
#define MSR_FEATURE_CONTROL	0x0000003a
#define MSR_EFER		0xc0000080
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_TSC_AUX		0xc0000103	/* RDTSCP/RDPID (SDM Vol. 2B, RDTSCP) */
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_SYSENTER_CS		0x00000174
#define MSR_SYSENTER_ESP	0x00000175
#define MSR_SYSENTER_EIP	0x00000176
#define MSR_PAT			0x00000277
#define MSR_MISC_ENABLE		0x000001a0

#define EFER_SCE		(1u << 0)
#define EFER_LME		(1u << 8)
#define EFER_LMA		(1ull << 10)
#define EFER_NXE		(1u << 11)
#define EFER_SVME		(1u << 12)

/* Control-register bits (SDM Vol. 3A, 2.5, Figure 2-7; APM Vol. 2, 3.1). */
#define CR0_PE			(1ul << 0)
#define CR0_MP			(1ul << 1)
#define CR0_EM			(1ul << 2)
#define CR0_TS			(1ul << 3)
#define CR0_ET			(1ul << 4)
#define CR0_NE			(1ul << 5)
#define CR0_WP			(1ul << 16)
#define CR0_AM			(1ul << 18)
#define CR0_NW			(1ul << 29)
#define CR0_CD			(1ul << 30)
#define CR0_PG			(1ul << 31)
#define CR3_PCID_MASK		0xffful
#define CR4_VME			(1ul << 0)
#define CR4_PVI			(1ul << 1)
#define CR4_TSD			(1ul << 2)
#define CR4_DE			(1ul << 3)
#define CR4_PSE			(1ul << 4)
#define CR4_PAE			(1ul << 5)
#define CR4_MCE			(1ul << 6)
#define CR4_PGE			(1ul << 7)
#define CR4_PCE			(1ul << 8)
#define CR4_OSFXSR		(1ul << 9)
#define CR4_OSXMMEXCPT		(1ul << 10)
#define CR4_UMIP		(1ul << 11)
#define CR4_LA57		(1ul << 12)
#define CR4_VMXE		(1ul << 13)
#define CR4_SMXE		(1ul << 14)
#define CR4_FSGSBASE		(1ul << 16)
#define CR4_PCIDE		(1ul << 17)
#define CR4_OSXSAVE		(1ul << 18)
#define CR4_SMEP		(1ul << 20)
#define CR4_SMAP		(1ul << 21)
#define CR4_PKE			(1ul << 22)
#define CR4_CET			(1ul << 23)
#define CR8_TPR_MASK		0xful

#define RFLAGS_IF		(1ul << 9)
#define RFLAGS_VM		(1ull << 17)	/* virtual-8086 mode */

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

/* RDTSC clears bits 63:32 of RAX and RDX (SDM Vol. 2B, RDTSC): no zero extension needed. */
static inline uint64_t rdtsc(void)
{
	uint64_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return hi << 32 | lo;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#define DEFINE_CR_ACCESSORS(n)						\
	static inline uint64_t read_cr##n(void)				\
	{								\
		uint64_t v;						\
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));	\
		return v;						\
	}								\
	static inline void write_cr##n(uint64_t v)			\
	{								\
		__asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory"); \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline uint64_t read_rflags(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void __noreturn cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

static inline void io_delay(void)
{
	outb(0x80, 0);
}

#endif
