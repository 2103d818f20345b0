/* panic(): report and stop every CPU. */
#include "core/panic.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/percpu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "drivers/acpi.h"

#define STOP_TIMEOUT_US	100000	/* an NMI takes microseconds; 100 ms covers emulators */

static volatile uint32_t panicking;
static volatile bool stopped[MAX_CPUS];	/* the CPU halted for a panic */
static bool poweroff_after;

void panic_set_poweroff(bool poweroff)
{
	poweroff_after = poweroff;
}

bool panic_in_progress(void)
{
	return __atomic_load_n(&panicking, __ATOMIC_ACQUIRE) != 0;
}

void panic_stop_this_cpu(void)
{
	__atomic_store_n(&stopped[this_cpu_id()], true, __ATOMIC_RELEASE);
	cpu_halt_forever();
}

/* Other CPUs that said they stopped. */
static unsigned count_stopped(void)
{
	unsigned n = 0;

	for (unsigned c = 0; c < cpu_count; c++)
		n += c != this_cpu_id() && __atomic_load_n(&stopped[c], __ATOMIC_ACQUIRE);
	return n;
}

/*
 * Stop the other CPUs and wait, with a timeout, until each says so: one
 * still running could be writing the log that panic takes over. What they
 * leave half-written there (they stop anywhere) the log's reader skips.
 */
static unsigned stop_other_cpus(void)
{
	uint64_t end = rdtsc() + tsc_us_to_ticks(STOP_TIMEOUT_US);
	unsigned n;

	arch_stop_other_cpus();
	while ((n = count_stopped()) < cpu_count - 1 && (int64_t)(rdtsc() - end) < 0)
		cpu_relax();
	return n;
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	char reason[256];
	unsigned stopped_cpus;
	va_list ap;

	irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		panic_stop_this_cpu();	/* someone else is already panicking */
	stopped_cpus = stop_other_cpus();
	va_start(ap, fmt);
	fmt_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	log_panic_takeover();	/* what is buffered goes out first, then the report */
	log_raw("hv: PANIC on cpu%u at %s:%d: %s", this_cpu_id(), file, line, reason);
	if (cpu_count > 1)
		log_raw("hv: panic: %u of %u other CPUs stopped%s", stopped_cpus, cpu_count - 1,
			stopped_cpus < cpu_count - 1 ? " (the log may hold torn lines)" : "");
	if (poweroff_after) {
		log_raw("hv: on_panic=poweroff: powering off");
		acpi_poweroff();
	}
	log_raw("hv: system halted");
	cpu_halt_forever();
}
