/*
 * The partition's own CPU topology, and per-vCPU TSC_AUX (run with 2 vCPUs
 * on one CPU, so that they take turns there):
 *
 * - one package of vp_count cores with one thread each, and every leaf
 *   that names an APIC id (1, 0xB, 0x1F, 0x8000001E) names the VP index;
 *   cache leaves share L1/L2 per core and L3 per package;
 * - RDTSCP and RDMSR read the vCPU's own IA32_TSC_AUX (the VP index until
 *   the guest writes its own), also after the other vCPU ran;
 * - INVPCID, where CPUID offers it, runs without #UD.
 */
#include "tests/guests/guest.h"
#include "core/lib.h"

#define TIMER_VECTOR	0x43
#define MSR_TSC_AUX	0xc0000103
#define VECTOR_GP	13
#define VECTOR_UD	6

static volatile uint32_t aux_seen[8];
static volatile unsigned aux_done;

static void on_timer(void) {}

static void vcheck(const struct guest_boot *b, bool ok, const char *what)
{
	char name[120];

	fmt_snprintf(name, sizeof(name), "vp%lu: %s", b->vp_index, what);
	check(ok, name);
}

static unsigned core_bits(unsigned n)
{
	unsigned bits = 0;

	while ((1u << bits) < n)
		bits++;
	return bits;
}

static bool topology_leaf_ok(const struct guest_boot *b, uint32_t leaf)
{
	struct cpuid_out smt = guest_cpuid(leaf, 0), core = guest_cpuid(leaf, 1);
	struct cpuid_out end = guest_cpuid(leaf, 2);

	if (smt.edx != b->vp_index || core.edx != b->vp_index || end.edx != b->vp_index)
		gprintf("  leaf %x: x2APIC ids %u %u %u\n", leaf, smt.edx, core.edx, end.edx);
	return smt.eax == 0 && smt.ebx == 1 && (smt.ecx & 0xffff) == 0x100 &&
	       core.eax == core_bits((unsigned)b->vp_count) && core.ebx == b->vp_count &&
	       (core.ecx & 0xffff) == 0x201 && (end.ecx >> 8 & 0xff) == 0 && end.ebx == 0 &&
	       smt.edx == b->vp_index && core.edx == b->vp_index && end.edx == b->vp_index;
}

/* Leaf 4 (addressable ids) or 8000001D (logical processors): L1/L2 per core, L3 shared. */
static bool cache_leaf_ok(const struct guest_boot *b, uint32_t leaf, bool addressable)
{
	uint32_t package = addressable ? (1u << core_bits((unsigned)b->vp_count)) - 1 :
					 (uint32_t)b->vp_count - 1;
	bool ok = true;

	for (uint32_t sub = 0; sub < 8; sub++) {
		uint32_t eax = guest_cpuid(leaf, sub).eax, level = eax >> 5 & 7;

		if (!(eax & 0x1f))
			break;
		ok &= (eax >> 14 & 0xfff) == (level >= 3 ? package : 0);
		if (addressable)
			ok &= eax >> 26 == (1u << core_bits((unsigned)b->vp_count)) - 1;
	}
	return ok;
}

static void check_topology(const struct guest_boot *b)
{
	uint32_t max = guest_cpuid(0, 0).eax, max_ext = guest_cpuid(0x80000000, 0).eax;
	struct cpuid_out l1 = guest_cpuid(1, 0), x1 = guest_cpuid(0x80000001, 0);
	bool multi = b->vp_count > 1;

	vcheck(b, l1.ebx >> 24 == b->vp_index, "cpuid.1 initial APIC id is the VP index");
	vcheck(b, !!(l1.edx >> 28 & 1) == multi &&
		  (l1.ebx >> 16 & 0xff) == 1u << core_bits((unsigned)b->vp_count),
	       "cpuid.1 HTT and logical processor count fit the partition");
	if (max >= 0xb)
		vcheck(b, topology_leaf_ok(b, 0xb), "cpuid.b: 1 thread per core, vp_count cores");
	if (max >= 0x1f)
		vcheck(b, topology_leaf_ok(b, 0x1f), "cpuid.1f: 1 thread per core, vp_count cores");
	if (max >= 4)
		vcheck(b, cache_leaf_ok(b, 4, true), "cpuid.4 cache sharing fits the partition");
	vcheck(b, !!(x1.ecx >> 1 & 1) == multi, "cpuid.80000001 CmpLegacy fits the partition");
	if (max_ext >= 0x80000008)
		vcheck(b, (guest_cpuid(0x80000008, 0).ecx & 0xff) == b->vp_count - 1,
		       "cpuid.80000008 NC is vp_count - 1");
	if ((x1.ecx >> 22 & 1) && max_ext >= 0x8000001e) {	/* TopologyExtensions */
		struct cpuid_out e = guest_cpuid(0x8000001e, 0);

		vcheck(b, e.eax == b->vp_index && (e.ebx & 0xffff) == b->vp_index &&
			  (e.ecx & 0x7ff) == 0,
		       "cpuid.8000001e: APIC id and core id are the VP index, node 0");
		vcheck(b, cache_leaf_ok(b, 0x8000001d, false),
		       "cpuid.8000001d cache sharing fits the partition");
	}
}

static uint32_t rdtscp_aux(int *fault)
{
	uint32_t lo, hi, aux = 0;

	expect_fault(3);
	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "+c"(aux));
	*fault = fault_taken();
	return aux;
}

static uint64_t rdmsr_val(uint32_t msr, int *fault)
{
	uint32_t lo = 0, hi = 0;

	expect_fault(2);
	__asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr));
	*fault = fault_taken();
	return (uint64_t)hi << 32 | lo;
}

/* Let the other vCPU (and partitions) run on this CPU a few times. */
static void yield_a_few_times(void)
{
	for (int i = 0; i < 3; i++) {
		hypercall(HVCALL_X_SET_TIMER, 5000, TIMER_VECTOR);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
}

static void check_tsc_aux(const struct guest_boot *b)
{
	uint32_t mine = 0x7000u + (uint32_t)b->partition_id * 16 + (uint32_t)b->vp_index, aux;
	int f1, f2;
	uint64_t msr;

	aux = rdtscp_aux(&f1);
	msr = rdmsr_val(MSR_TSC_AUX, &f2);
	vcheck(b, f1 < 0 && aux == b->vp_index && f2 < 0 && msr == b->vp_index,
	       "RDTSCP and RDMSR TSC_AUX start at the VP index");
	vcheck(b, wrmsr_fault(MSR_TSC_AUX, mine) < 0, "WRMSR TSC_AUX is allowed");
	vcheck(b, wrmsr_fault(MSR_TSC_AUX, 1ull << 32) == VECTOR_GP,
	       "WRMSR TSC_AUX with reserved bits 63:32 set raises #GP");
	aux = rdtscp_aux(&f1);
	msr = rdmsr_val(MSR_TSC_AUX, &f2);
	vcheck(b, f1 < 0 && aux == mine && f2 < 0 && msr == mine,
	       "RDTSCP and RDMSR return the TSC_AUX I wrote");
	yield_a_few_times();
	aux = rdtscp_aux(&f1);
	if (aux != mine)
		gprintf("  vp%lu: RDTSCP gave %x, want %x (fault %d)\n", b->vp_index, aux, mine, f1);
	vcheck(b, f1 < 0 && aux == mine, "RDTSCP returns my own TSC_AUX after the others ran");
	if (guest_cpuid(7, 0).ecx >> 22 & 1) {		/* RDPID */
		uint64_t id = 0;

		expect_fault(4);
		__asm__ volatile("rdpid %0" : "=r"(id));
		vcheck(b, fault_taken() < 0 && id == mine, "RDPID returns my own TSC_AUX");
	}
	aux_seen[b->vp_index & 7] = aux;
}

static void check_invpcid(const struct guest_boot *b)
{
	struct { uint64_t pcid, addr; } desc = { 0, 0 };

	if (!(guest_cpuid(0, 0).eax >= 7 && (guest_cpuid(7, 0).ebx >> 10 & 1))) {
		vcheck(b, true, "INVPCID is not offered (not run)");
		return;
	}
	expect_fault(5);			/* 66 0f 38 82 08: invpcid (%rax), %rcx */
	__asm__ volatile(".byte 0x66, 0x0f, 0x38, 0x82, 0x08" ::"a"(&desc), "c"(2ul) : "memory");
	vcheck(b, fault_taken() < 0, "INVPCID (all contexts) runs without a fault");
}

void guest_main(const struct guest_boot *b)
{
	uint64_t khz = guest_tsc_khz(), t0 = rdtsc();
	bool distinct = true;

	set_irq_handler(TIMER_VECTOR, on_timer);
	check_topology(b);
	if (guest_cpuid(0x80000001, 0).edx >> 27 & 1)
		check_tsc_aux(b);
	else
		vcheck(b, false, "RDTSCP is offered (cpuid.80000001:edx[27])");
	check_invpcid(b);
	__atomic_fetch_add(&aux_done, 1, __ATOMIC_SEQ_CST);
	if (b->vp_index != 0)
		return;
	while (aux_done < b->vp_count && rdtsc() - t0 < khz * 4000)
		__asm__ volatile("pause");
	for (unsigned i = 0; i < b->vp_count && i < 8; i++)
		for (unsigned j = 0; j < i; j++)
			distinct &= aux_seen[i] != aux_seen[j];
	check(aux_done == b->vp_count && distinct, "every vCPU kept a TSC_AUX of its own");
}
