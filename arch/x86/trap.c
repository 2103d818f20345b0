/*
 * Interrupt and exception dispatch. An exception in the hypervisor is a bug
 * of ours: dump the registers and the faulting address, then panic. NMIs are
 * used to stop CPUs on panic. Interrupt vectors go to registered handlers.
 */
#include "arch/x86/trap.h"
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/extable.h"
#include "core/log.h"
#include "core/panic.h"

static irq_handler_t irq_handlers[IDT_VECTORS];

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
	"reserved 27", "#HV hypervisor injection", "#VC VMM communication",
	"#SX security", "reserved 31",
};

void trap_set_handler(unsigned vector, irq_handler_t fn)
{
	if (vector < VEC_FIRST_IRQ || vector >= IDT_VECTORS)
		panic("bad interrupt vector %u", vector);
	irq_handlers[vector] = fn;
}

/*
 * CR4.MCE: a machine check raises #MC (vector 18, on its own IST stack:
 * desc.c) instead of shutting the processor down (SDM Vol. 3B, 17.3.1;
 * APM Vol. 2, 9.3). Only once the IDT is loaded: before, #MC would be a
 * triple fault, which is no better. The guests run with it too
 * (VMX_CR4_FORCED, SVM_CR4_FORCED), and #MC always exits from them.
 */
void trap_enable_machine_check(void)
{
	write_cr4(read_cr4() | CR4_MCE);
}

void trap_dump(const struct trap_frame *tf)
{
	log_err("rip=%016lx cs=%04lx rflags=%016lx rsp=%016lx ss=%04lx",
		tf->rip, tf->cs, tf->rflags, tf->rsp, tf->ss);
	log_err("rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx", tf->rax, tf->rbx, tf->rcx, tf->rdx);
	log_err("rsi=%016lx rdi=%016lx rbp=%016lx r8 =%016lx", tf->rsi, tf->rdi, tf->rbp, tf->r8);
	log_err("r9 =%016lx r10=%016lx r11=%016lx r12=%016lx", tf->r9, tf->r10, tf->r11, tf->r12);
	log_err("r13=%016lx r14=%016lx r15=%016lx", tf->r13, tf->r14, tf->r15);
	log_err("cr0=%016lx cr2=%016lx cr3=%016lx cr4=%016lx",
		read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

static void __noreturn exception(struct trap_frame *tf)
{
	const char *name = exception_names[tf->vector];

	if (panic_in_progress())
		panic_stop_this_cpu();
	log_err("exception %lu (%s), error code 0x%lx", tf->vector, name, tf->error_code);
	if (tf->vector == 14)
		log_err("faulting address %016lx (%s %s, %s)", read_cr2(),
			tf->error_code & 1 ? "protection" : "not-present",
			tf->error_code & 16 ? "fetch" : tf->error_code & 2 ? "write" : "read",
			tf->error_code & 4 ? "user" : "supervisor");
	trap_dump(tf);
	panic("unhandled exception %lu (%s) at rip %016lx", tf->vector, name, tf->rip);
}

void trap_dispatch(struct trap_frame *tf)
{
	irq_handler_t fn;

	if (tf->vector == VEC_NMI) {
		if (panic_in_progress())
			panic_stop_this_cpu();	/* another CPU panicked: stop here */
		log_warn("NMI at rip %016lx ignored", tf->rip);
		return;
	}
	if (tf->vector < VEC_FIRST_IRQ) {
		uint64_t resume = extable_lookup(tf->rip);

		if (!resume)
			exception(tf);
		tf->rip = resume;	/* an expected fault, e.g. an MSR probe */
		return;
	}
	if (tf->vector == VEC_SPURIOUS)
		return;			/* SDM Vol. 3A, 12.9: no EOI for spurious */
	fn = irq_handlers[tf->vector];
	if (fn)
		fn(tf);
	else
		log_warn("unexpected interrupt vector %lu", tf->vector);
	lapic_eoi();
}
