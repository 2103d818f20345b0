/* panic(): report and stop every CPU. */
#include "core/panic.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/percpu.h"
#include "arch/x86/cpu.h"
#include "drivers/acpi.h"

static volatile uint32_t panicking;
static bool poweroff_after;

void panic_set_poweroff(bool poweroff)
{
	poweroff_after = poweroff;
}

bool panic_in_progress(void)
{
	return __atomic_load_n(&panicking, __ATOMIC_ACQUIRE) != 0;
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		cpu_halt_forever();	/* someone else is already panicking */
	arch_stop_other_cpus();
	va_start(ap, fmt);
	fmt_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	log_panic_takeover();	/* what is buffered goes out first, then the report */
	log_raw("hv: PANIC on cpu%u at %s:%d: %s", this_cpu_id(), file, line, reason);
	if (poweroff_after) {
		log_raw("hv: on_panic=poweroff: powering off");
		acpi_poweroff();
	}
	log_raw("hv: system halted");
	cpu_halt_forever();
}
