/* Bring-up of the application processors listed in the MADT. */
#ifndef ARCH_X86_SMP_H
#define ARCH_X86_SMP_H

#include "core/options.h"
#include "drivers/acpi_tables.h"

/* Set up the boot CPU's per-CPU area, descriptor tables and stacks. */
void smp_init_bsp(void);
/* Start every enabled CPU of the MADT (at most opts->max_cpus in all). */
void smp_start_aps(const struct madt_info *madt, const struct hv_options *opts);
/* Work every CPU does once it is up; the boot CPU calls it too. */
void smp_cpu_online(void);

#endif
