/*
 * The Hyper-V guest identity as a child partition sees it (docs/tlfs.md):
 * the CPUID leaves Linux checks to detect Hyper-V, the privilege mask
 * without any root bit, and the synthetic MSRs from their first state:
 * GUEST_OS_ID and the hypercall page (refused while the OS id is 0, a
 * call through it, #GP outside memory, disabled by OS id 0, the lock),
 * VP_INDEX on every VP, the reference counter at 10 MHz against the TSC
 * and the same on every VP, the frequencies, and #GP for every write to a
 * read-only MSR. Run with 2 VPs.
 */
#include "tests/guests/guest.h"
#include "core/abi/cpuid.h"
#include "core/lib.h"

#define GP		13
#define PRIV(bit)	(1u << (bit))

/* The runtime must leave the MSRs as the partition got them. */
bool runtime_enables_hypercall_page = false;

static volatile uint64_t ref_seen[2];	/* each VP's reference count, for the other */
static volatile unsigned ref_stage;

static bool is_signature(uint32_t reg, const char *four)
{
	return reg == ((uint32_t)four[0] | (uint32_t)four[1] << 8 | (uint32_t)four[2] << 16 |
		       (uint32_t)four[3] << 24);
}

static void check_detection_leaves(void)
{
	struct cpuid_out l1 = guest_cpuid(1, 0), v = guest_cpuid(0x40000000, 0);
	struct cpuid_out i = guest_cpuid(0x40000001, 0), ver = guest_cpuid(0x40000002, 0);

	check(l1.ecx >> 31 & 1, "cpuid.1:ecx[31] (hypervisor present) is set");
	check(v.eax == 0x40000006, "cpuid.40000000:eax, the highest leaf, is 0x40000006");
	check(is_signature(v.ebx, "Micr") && is_signature(v.ecx, "osof") &&
	      is_signature(v.edx, "t Hv"), "cpuid.40000000 vendor is Microsoft Hv");
	check(is_signature(i.eax, "Hv#1") && !i.ebx && !i.ecx && !i.edx,
	      "cpuid.40000001 interface is Hv#1");
	check(ver.eax >= 27744 && ver.eax <= 27751 && ver.ebx == 10u << 16,
	      "cpuid.40000002 build 27744-27751, version 10.0");
	gprintf("host build %u.%u.%u\n", ver.ebx >> 16, ver.ebx & 0xffff, ver.eax);
}

/* A child's privileges (hyperv-linux-guest.md 1.3): what Linux needs, no root bit. */
static void check_feature_leaves(void)
{
	struct cpuid_out f = guest_cpuid(0x40000003, 0), h = guest_cpuid(0x40000004, 0);
	struct cpuid_out l = guest_cpuid(0x40000005, 0), hw = guest_cpuid(0x40000006, 0);
	bool zero = true;

	gprintf("cpuid.40000003 %08x %08x %08x %08x\n", f.eax, f.ebx, f.ecx, f.edx);
	check((f.eax & (PRIV(5) | PRIV(6))) == (PRIV(5) | PRIV(6)),
	      "cpuid.40000003:eax has the hypercall and VP-index MSRs (Linux's detection)");
	check((f.eax & (PRIV(1) | PRIV(11))) == (PRIV(1) | PRIV(11)),
	      "cpuid.40000003:eax has the reference counter and the frequency MSRs");
	check((f.eax & PRIV(9)) && !(f.eax & PRIV(15)),
	      "cpuid.40000003:eax offers the reference TSC page, not TSC invariance");
	check(!(f.ebx & (PRIV(0) | PRIV(1) | PRIV(2) | PRIV(12) | PRIV(22))),
	      "cpuid.40000003:ebx has no CreatePartitions, PartitionId, MemoryPool, CpuManagement, Isolation");
	check(f.ecx == 0 && f.edx == (PRIV(8) | PRIV(10) | PRIV(18) | PRIV(19)),
	      "cpuid.40000003:edx: frequency MSRs, crash MSRs, the hypercall MSR lock, direct synthetic timers");
	check(h.eax == PRIV(9) && h.ebx == 0xffffffffu && !h.ecx && !h.edx,
	      "cpuid.40000004: deprecate AutoEOI, never notify long spinlocks");
	check(l.eax == 8 && l.ebx >= 1 && !l.ecx && !l.edx, "cpuid.40000005: 8 VPs, some LPs");
	check(hw.eax == (PRIV(1) | PRIV(3)) && !hw.ebx && !hw.ecx && !hw.edx,
	      "cpuid.40000006: MSR bitmaps and SLAT in use");
	for (uint32_t leaf = 0x40000007; leaf <= 0x40000200; leaf++) {
		struct cpuid_out r = guest_cpuid(leaf, 0);

		zero = zero && !(r.eax | r.ebx | r.ecx | r.edx);
	}
	for (unsigned bit = 10; bit <= 28; bit++) {		/* 0x40000400 ... 0x50000000 - 1 */
		uint32_t leaf = bit < 28 ? 0x40000000u | 1u << bit : 0x4fffffffu;
		struct cpuid_out r = guest_cpuid(leaf, 0);

		zero = zero && !(r.eax | r.ebx | r.ecx | r.edx);
	}
	check(zero, "cpuid.40000007 and above read zero");
}

static uint64_t rdmsr_or(uint32_t msr, uint64_t otherwise)
{
	uint64_t v;

	return rdmsr_fault(msr, &v) == -1 ? v : otherwise;
}

static void check_read_only(void)
{
	static const uint32_t ro[] = { HV_X64_MSR_VP_INDEX, HV_X64_MSR_VP_RUNTIME, HV_X64_MSR_TIME_REF_COUNT,
				       HV_X64_MSR_TSC_FREQUENCY, HV_X64_MSR_APIC_FREQUENCY };
	bool all = true;
	uint64_t v;

	for (unsigned i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		all = all && wrmsr_fault(ro[i], 0) == GP && wrmsr_fault(ro[i], rdmsr_or(ro[i], 1)) == GP;
	check(all, "a write to VP_INDEX, VP_RUNTIME, TIME_REF_COUNT or the frequencies raises #GP");
	check(rdmsr_fault(0x40000003, &v) == GP && wrmsr_fault(0x40000003, 0) == GP,
	      "RESET, not offered, raises #GP");
}

static uint8_t tsc_page[4096] __attribute__((aligned(4096)));

/* The time the reference TSC page gives now (TLFS 12.7.3.2), or ~0 while its sequence is 0. */
static uint64_t tsc_page_time(void)
{
	volatile struct { uint32_t seq, rsvd; uint64_t scale; int64_t offset; } *pg = (void *)tsc_page;
	uint32_t seq;
	uint64_t t;

	do {
		seq = pg->seq;
		if (!seq)
			return ~0ull;
		t = (uint64_t)(((unsigned __int128)rdtsc() * pg->scale) >> 64) + (uint64_t)pg->offset;
	} while (pg->seq != seq);
	return t;
}

/*
 * The page at an address outside the partition is refused; in its own
 * memory it is filled at once, and the time it gives lies between two
 * reads of TIME_REF_COUNT around it (one unit of rounding allowed).
 */
static void check_reference_tsc_page(void)
{
	uint64_t r0, t, r1, v = 0;
	bool between = true;

	check(wrmsr_fault(HV_X64_MSR_REFERENCE_TSC, (1ull << 40) | 1) == GP &&
	      rdmsr_fault(HV_X64_MSR_REFERENCE_TSC, &v) == -1 && v == 0,
	      "REFERENCE_TSC outside the partition's memory raises #GP and changes nothing");
	check(wrmsr_fault(HV_X64_MSR_REFERENCE_TSC, (uint64_t)(uintptr_t)tsc_page | 1) == -1 &&
	      rdmsr_or(HV_X64_MSR_REFERENCE_TSC, 0) == ((uint64_t)(uintptr_t)tsc_page | 1),
	      "REFERENCE_TSC enables the page and reads back");
	for (int i = 0; i < 100; i++) {
		r0 = rdmsr_or(HV_X64_MSR_TIME_REF_COUNT, 0);
		t = tsc_page_time();
		r1 = rdmsr_or(HV_X64_MSR_TIME_REF_COUNT, 0);
		between = between && t != ~0ull && t + 1 >= r0 && t <= r1 + 1;
	}
	gprintf("reference TSC page: %lu between %lu and %lu\n", t, r0, r1);
	check(between, "the reference TSC page gives TIME_REF_COUNT's time");
}

static void check_frequencies(uint64_t khz)
{
	uint64_t tsc = rdmsr_or(HV_X64_MSR_TSC_FREQUENCY, 0);
	uint64_t apic = rdmsr_or(HV_X64_MSR_APIC_FREQUENCY, 0);

	gprintf("TSC %lu Hz, APIC %lu Hz\n", tsc, apic);
	check(tsc == khz * 1000, "TSC_FREQUENCY is the TSC's rate in Hz");
	check(apic == 200000000, "APIC_FREQUENCY is 200 MHz");
}

/*
 * VP_RUNTIME: this VP's time in guest mode, summed when a turn on its CPU
 * ends (here: a HLT until a 1 ms timer). Over 10 ms of computing and the
 * HLT it grows by at least 9 ms (more if an earlier turn ended in
 * between); it stays below the partition's whole life (TIME_REF_COUNT).
 */
#define TIMER_VECTOR	0x40

static void on_timer(void)
{
}

static bool wait_stage(unsigned stage, uint64_t khz);

static void check_vp_runtime(uint64_t khz)
{
	uint64_t ref0, a, b, ref1, t0;

	/*
	 * The 10 ms are to be VP 0's alone on its CPU: VP 1 (on the same CPU
	 * where there is only one) first ends its last line, whose every
	 * character is an intercept that the root completes there, the root
	 * writing the line out to COM1 at 115200 baud (Bochs: some 5 ms).
	 */
	wait_stage(3, khz);
	ref0 = rdmsr_or(HV_X64_MSR_TIME_REF_COUNT, 0);
	a = rdmsr_or(HV_X64_MSR_VP_RUNTIME, ~0ull);
	t0 = rdtsc();

	while (rdtsc() - t0 < khz * 10)
		__asm__ volatile("pause");
	set_irq_handler(TIMER_VECTOR, on_timer);
	hypercall(HVCALL_X_SET_TIMER, 1000, TIMER_VECTOR);
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	b = rdmsr_or(HV_X64_MSR_VP_RUNTIME, ~0ull);
	ref1 = rdmsr_or(HV_X64_MSR_TIME_REF_COUNT, 0);
	gprintf("VP_RUNTIME %lu then %lu, TIME_REF_COUNT %lu then %lu\n", a, b, ref0, ref1);
	check(a < ref0 && b >= a + 90000 && b <= ref1,
	      "VP_RUNTIME counts the VP's time in guest mode, within the partition's life");
}

/* A reference count read between two TSC reads (*before, *after). */
static uint64_t ref_between(uint64_t *before, uint64_t *after)
{
	uint64_t r;

	*before = rdtsc();
	r = rdmsr_or(HV_X64_MSR_TIME_REF_COUNT, 0);
	*after = rdtsc();
	return r;
}

/*
 * 10 MHz against the TSC over about 20 ms, within 1 %. Each count is read
 * between two TSC reads, so the time between the two counts lies between
 * the inner and the outer TSC differences, however long an exit took
 * (an emulator under load can stall for a while).
 */
static void check_reference_counter(uint64_t khz)
{
	uint64_t t0a, t0b, t1a, t1b, r0, r1, least, most, since_entry, prev;
	bool rising = true;

	r0 = ref_between(&t0a, &t0b);
	since_entry = (t0a - guest_entry_tsc) * 10000 / khz;
	check(r0 >= since_entry && r0 < since_entry + 600000000ull,
	      "TIME_REF_COUNT counts from the partition's creation, before its entry");
	while (rdtsc() - t0b < khz * 20)
		__asm__ volatile("pause");
	r1 = ref_between(&t1a, &t1b);
	least = (t1a - t0b) * 10000 / khz;
	most = (t1b - t0a) * 10000 / khz;
	gprintf("reference counter: +%lu, TSC says %lu to %lu\n", r1 - r0, least, most);
	check(r1 > r0 && r1 - r0 + least / 100 >= least && r1 - r0 <= most + most / 100,
	      "TIME_REF_COUNT runs at 10 MHz against the TSC");
	prev = rdmsr_or(HV_X64_MSR_TIME_REF_COUNT, 0);
	for (int i = 0; i < 200; i++) {
		uint64_t now = rdmsr_or(HV_X64_MSR_TIME_REF_COUNT, 0);

		rising = rising && now >= prev;
		prev = now;
	}
	check(rising, "TIME_REF_COUNT never goes back");
	check_vp_runtime(khz);
}

/*
 * VP 1 reads the count and hands it over, VP 0 must then read at least
 * that; then the other way round. ref_stage: 1 VP 1's count is in, 2 VP
 * 0's is in.
 */
static bool wait_stage(unsigned stage, uint64_t khz)
{
	uint64_t t0 = rdtsc();

	while (__atomic_load_n(&ref_stage, __ATOMIC_ACQUIRE) < stage && rdtsc() - t0 < khz * 5000)
		__asm__ volatile("pause");
	return __atomic_load_n(&ref_stage, __ATOMIC_ACQUIRE) >= stage;
}

static void exchange_reference_counts(const struct guest_boot *b, uint64_t khz)
{
	unsigned me = (unsigned)b->vp_index;
	bool ok;

	if (me > 1 || b->vp_count != 2)
		return;
	if (me == 1) {
		ref_seen[1] = rdmsr_or(HV_X64_MSR_TIME_REF_COUNT, 0);
		__atomic_store_n(&ref_stage, 1, __ATOMIC_RELEASE);
		ok = wait_stage(2, khz) && rdmsr_or(HV_X64_MSR_TIME_REF_COUNT, 0) >= ref_seen[0];
		check(ok, "VP 1 reads a TIME_REF_COUNT at least VP 0's earlier one");
		__atomic_store_n(&ref_stage, 3, __ATOMIC_RELEASE);	/* VP 1 is done */
		return;
	}
	ok = wait_stage(1, khz) && (ref_seen[0] = rdmsr_or(HV_X64_MSR_TIME_REF_COUNT, 0)) >= ref_seen[1];
	__atomic_store_n(&ref_stage, 2, __ATOMIC_RELEASE);
	check(ok && ref_seen[1], "VP 0 reads a TIME_REF_COUNT at least VP 1's earlier one");
}

/* A call through the page, written out: RCX = TSC_KHZ, the answer in RDX. */
static uint64_t tsc_khz_through_page(uint64_t *status)
{
	register uint64_t r8 __asm__("r8") = 0;
	uint64_t rax, rcx = HVCALL_X_TSC_KHZ | HV_HYPERCALL_FAST, rdx = 0;

	__asm__ volatile("call *%[page]"
			 : "=a"(rax), "+c"(rcx), "+d"(rdx), "+r"(r8)
			 : [page] "r"(hypercall_page)
			 : "r9", "r10", "r11", "memory");
	*status = rax;
	return rdx;
}

static void check_hypercall_page(const struct guest_boot *b, uint64_t khz)
{
	static const uint8_t vmcall_ret[] = { 0x0f, 0x01, 0xc1, 0xc3 };
	static const uint8_t vmmcall_ret[] = { 0x0f, 0x01, 0xd9, 0xc3 };
	const uint8_t *pg = hypercall_page;
	uint64_t page = (uint64_t)hypercall_page, id = ~0ull, v = ~0ull, status = ~0ull;
	uint64_t on = page | HV_HYPERCALL_MSR_ENABLE, rsvdp = 5ull << 2;
	uint64_t locked = on | HV_HYPERCALL_MSR_LOCKED;
	bool amd = guest_cpuid(0, 0).ebx == 0x68747541;		/* "Auth"enticAMD */

	check(rdmsr_fault(HV_X64_MSR_GUEST_OS_ID, &id) == -1 && id == 0 &&
	      rdmsr_fault(HV_X64_MSR_HYPERCALL, &v) == -1 && v == 0,
	      "GUEST_OS_ID and HYPERCALL start at 0");
	check(wrmsr_fault(HV_X64_MSR_HYPERCALL, on) == -1 &&
	      rdmsr_or(HV_X64_MSR_HYPERCALL, 0) == page && pg[0] == 0,
	      "with GUEST_OS_ID 0, enabling the page does nothing (enable reads 0, page untouched)");
	check(wrmsr_fault(HV_X64_MSR_GUEST_OS_ID, GUEST_OS_ID_TESTS) == -1 &&
	      rdmsr_or(HV_X64_MSR_GUEST_OS_ID, 0) == GUEST_OS_ID_TESTS,
	      "GUEST_OS_ID reads back what was written");
	check(wrmsr_fault(HV_X64_MSR_HYPERCALL, on | rsvdp) == -1 &&
	      rdmsr_or(HV_X64_MSR_HYPERCALL, 0) == (on | rsvdp),
	      "HYPERCALL enables the page; its RsvdP bits read back as written");
	check(!memcmp(pg, amd ? vmmcall_ret : vmcall_ret, 4) && pg[4] == 0xcc && pg[4095] == 0xcc,
	      amd ? "the hypercall page is VMMCALL; RET, then INT3" :
		    "the hypercall page is VMCALL; RET, then INT3");
	check(tsc_khz_through_page(&status) == khz && status == HV_STATUS_SUCCESS,
	      "a call through the hypercall page works (TSC_KHZ, answer in RDX)");
	check(hypercall_page_enable() && hypercall(HVCALL_X_NULL, 0, 0) == HV_STATUS_SUCCESS,
	      "the runtime's calls go through the page (NULL)");
	v = rdmsr_or(HV_X64_MSR_HYPERCALL, 0);
	check(v == (on | rsvdp) &&
	      wrmsr_fault(HV_X64_MSR_HYPERCALL, b->mem_bytes | HV_HYPERCALL_MSR_ENABLE) == GP &&
	      wrmsr_fault(HV_X64_MSR_HYPERCALL, 1ull << 40 | HV_HYPERCALL_MSR_ENABLE) == GP &&
	      rdmsr_or(HV_X64_MSR_HYPERCALL, 0) == v,
	      "enabling the page outside the partition's memory raises #GP and changes nothing");
	check(wrmsr_fault(HV_X64_MSR_HYPERCALL, page) == -1 &&
	      rdmsr_or(HV_X64_MSR_HYPERCALL, 0) == page, "HYPERCALL with enable 0 disables the page");
	check(wrmsr_fault(HV_X64_MSR_HYPERCALL, on) == -1 &&
	      wrmsr_fault(HV_X64_MSR_GUEST_OS_ID, 0) == -1 &&
	      rdmsr_or(HV_X64_MSR_HYPERCALL, 0) == page, "GUEST_OS_ID 0 disables the page");
	check(hypercall_page_enable() && wrmsr_fault(HV_X64_MSR_HYPERCALL, locked) == -1 &&
	      rdmsr_or(HV_X64_MSR_HYPERCALL, 0) == locked, "HYPERCALL can be locked");
	check(wrmsr_fault(HV_X64_MSR_HYPERCALL, page) == GP &&
	      wrmsr_fault(HV_X64_MSR_GUEST_OS_ID, 0) == -1 &&
	      rdmsr_or(HV_X64_MSR_HYPERCALL, 0) == locked &&
	      wrmsr_fault(HV_X64_MSR_GUEST_OS_ID, GUEST_OS_ID_TESTS) == -1,
	      "a locked HYPERCALL refuses writes (#GP) and stays enabled with GUEST_OS_ID 0");
	check(hypercall(HVCALL_X_NULL, 0, 0) == HV_STATUS_SUCCESS, "the locked page still works");
}

void guest_main(const struct guest_boot *b)
{
	uint64_t khz = guest_tsc_khz(), v;

	check(rdmsr_fault(HV_X64_MSR_VP_INDEX, &v) == -1 && v == b->vp_index,
	      b->vp_index ? "VP_INDEX is 1 on VP 1" : "VP_INDEX is 0 on VP 0");
	exchange_reference_counts(b, khz);
	if (b->vp_index != 0)
		return;
	check_detection_leaves();
	check_feature_leaves();
	check_read_only();
	check_frequencies(khz);
	check_reference_counter(khz);
	check_reference_tsc_page();
	check_hypercall_page(b, khz);
}
