/*
 * panic(): our own invariant is broken. Prints the reason, file, line and
 * CPU, stops every other CPU and halts. ASSERT() states an invariant.
 */
#ifndef CORE_PANIC_H
#define CORE_PANIC_H

#include "core/types.h"

void __noreturn panic_at(const char *file, int line, const char *fmt, ...) __printf(3, 4);
bool panic_in_progress(void);
/* For a CPU stopped by another's panic (its NMI): say so, then halt. */
void __noreturn panic_stop_this_cpu(void);

#define panic(...)	panic_at(__FILE__, __LINE__, __VA_ARGS__)
#define ASSERT(cond)							\
	do {								\
		if (!(cond))						\
			panic_at(__FILE__, __LINE__, "assertion failed: %s", #cond); \
	} while (0)

/* After the report: true to power the machine off instead of halting (on_panic=). */
void panic_set_poweroff(bool poweroff);

/* Provided by the architecture: stop all other CPUs (NMI broadcast). */
void arch_stop_other_cpus(void);

#endif
