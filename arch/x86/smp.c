/*
 * SMP bring-up. APs are started one at a time with INIT-SIPI-SIPI (SDM Vol.
 * 3A, 9.4.4.1 "Typical BSP Initialization Sequence"): the boot CPU fills the
 * trampoline's parameters, sends the IPIs and waits, with a timeout, for the
 * AP to mark itself online. An AP that does not answer is reported and
 * left out; its per-CPU memory is returned.
 */
#include "arch/x86/smp.h"
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/fpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "core/vcpu.h"

#define AP_STACK_PAGES		4
#define AP_ANSWER_TIMEOUT_US	200000	/* 200 ms, ten times what real CPUs need */

struct ap_params {
	uint64_t cr3;
	uint64_t stack_top;
	uint64_t entry;
	uint64_t arg;
};

extern const char ap_tramp_start[], ap_tramp_end[], ap_tramp_params[];

struct percpu *cpus[MAX_CPUS];
unsigned cpu_count;
static struct percpu bsp_percpu;
static bool percpu_ready;
static paddr_t trampoline;

void percpu_install(struct percpu *pc)
{
	pc->self = pc;
	wrmsr(MSR_GS_BASE, (uintptr_t)pc);
	if (pc->cpu_id == 0)
		percpu_ready = true;
}

unsigned this_cpu_id(void)
{
	return percpu_ready ? this_cpu()->cpu_id : 0;
}

void arch_stop_other_cpus(void)
{
	if (cpu_count > 1)
		lapic_send_ipi(0, ICR_NMI | ICR_ALL_BUT_SELF);
}

void smp_cpu_online(void)
{
	struct percpu *pc = this_cpu();

	desc_init_cpu(&pc->desc);
	trap_enable_machine_check();
	fpu_cpu_init();
	cpus[pc->cpu_id] = pc;
	__atomic_store_n(&pc->online, 1, __ATOMIC_RELEASE);
}

void smp_init_bsp(void)
{
	bsp_percpu.cpu_id = 0;
	percpu_install(&bsp_percpu);
	smp_cpu_online();
	cpu_count = 1;
}

static void __noreturn ap_main(struct percpu *pc)
{
	percpu_install(pc);
	lapic_init_ap();
	pc->apic_id = lapic_id();
	if (vcpu_ops && vcpu_ops->cpu_enable && vcpu_ops->cpu_enable())
		panic("vcpu: cannot enable %s on cpu%u", vcpu_ops->name, pc->cpu_id);
	smp_cpu_online();
	log_debug("smp: cpu%u up (APIC id %u)", pc->cpu_id, pc->apic_id);
	sched_loop();
}

static struct percpu *alloc_percpu(unsigned cpu_id, uint32_t apic_id)
{
	uint64_t pages = ALIGN_UP(sizeof(struct percpu), PAGE_SIZE) >> PAGE_SHIFT;
	paddr_t pa = mm_alloc(pages, PAGE_SIZE, 0);
	paddr_t stack = mm_alloc(AP_STACK_PAGES, PAGE_SIZE, 0);
	struct percpu *pc;

	if (!pa || !stack)
		panic("smp: out of memory for cpu%u", cpu_id);
	pc = phys_to_virt(pa);
	memset(pc, 0, sizeof(*pc));
	pc->cpu_id = cpu_id;
	pc->apic_id = apic_id;
	pc->stack_top = stack + AP_STACK_PAGES * PAGE_SIZE;
	return pc;
}

static void free_percpu(struct percpu *pc)
{
	mm_free(pc->stack_top - AP_STACK_PAGES * PAGE_SIZE, AP_STACK_PAGES);
	mm_free(virt_to_phys(pc), ALIGN_UP(sizeof(struct percpu), PAGE_SIZE) >> PAGE_SHIFT);
}

static bool wait_online(struct percpu *pc, uint64_t us)
{
	uint64_t end = rdtsc() + tsc_us_to_ticks(us);

	while ((int64_t)(rdtsc() - end) < 0)
		if (__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE))
			return true;
	return __atomic_load_n(&pc->online, __ATOMIC_ACQUIRE);
}

static bool start_ap(struct percpu *pc)
{
	struct ap_params *p = phys_to_virt(trampoline + (uint64_t)(ap_tramp_params - ap_tramp_start));
	uint32_t sipi = ICR_STARTUP | (uint32_t)(trampoline >> PAGE_SHIFT);

	p->cr3 = paging_root();
	p->stack_top = pc->stack_top;
	p->entry = (uintptr_t)ap_main;
	p->arg = (uintptr_t)pc;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_send_ipi(pc->apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
	udelay(10000);
	lapic_send_ipi(pc->apic_id, sipi);
	if (wait_online(pc, 200))
		return true;
	lapic_send_ipi(pc->apic_id, sipi);	/* the second SIPI, if the first was missed */
	return wait_online(pc, AP_ANSWER_TIMEOUT_US);
}

static void try_cpu(uint32_t apic_id)
{
	struct percpu *pc;

	if (cpu_count == MAX_CPUS) {
		log_warn("smp: more than %u CPUs, APIC id %u left out", MAX_CPUS, apic_id);
		return;
	}
	pc = alloc_percpu(cpu_count, apic_id);
	if (start_ap(pc)) {
		cpu_count++;
		return;
	}
	log_warn("smp: CPU with APIC id %u did not answer INIT-SIPI-SIPI, left out", apic_id);
	free_percpu(pc);
}

void smp_start_aps(const struct madt_info *madt, const struct hv_options *opts)
{
	uint32_t self = lapic_id();
	unsigned limit = opts->max_cpus ? opts->max_cpus : MAX_CPUS;

	cpus[0]->apic_id = self;
	trampoline = mm_alloc(1, PAGE_SIZE, MIB(1));
	if (!trampoline)
		panic("smp: no free page below 1 MiB for the AP trampoline");
	memcpy(phys_to_virt(trampoline), ap_tramp_start, (size_t)(ap_tramp_end - ap_tramp_start));

	for (unsigned i = 0; madt && i < madt->cpu_count; i++) {
		const struct madt_cpu *c = &madt->cpus[i];

		if (c->apic_id == self)
			continue;
		if (!c->enabled) {
			log_debug("smp: APIC id %u is disabled in the MADT", c->apic_id);
			continue;
		}
		if (cpu_count >= limit) {
			log_info("smp: maxcpus=%u reached, APIC id %u left out", limit, c->apic_id);
			continue;
		}
		try_cpu(c->apic_id);
	}
	if (opts->smp_fake_apic != 0xffffffffu)	/* test hook: a CPU that never answers */
		try_cpu(opts->smp_fake_apic);
	mm_free(trampoline, 1);
	log_info("smp: %u CPU%s online (%s mode)", cpu_count, cpu_count == 1 ? "" : "s",
		 lapic_x2apic_mode() ? "x2APIC" : "xAPIC");
}
