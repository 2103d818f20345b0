/* ACPI: find the tables the hypervisor needs, and power off through them. */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

#include "core/bootinfo.h"
#include "drivers/acpi_tables.h"

/* Locate RSDP (boot info, else the BIOS area), walk XSDT/RSDT, parse MADT and FADT. */
bool acpi_init(const struct boot_info *bi, paddr_t mapped_end);
const struct madt_info *acpi_madt(void);	/* NULL if there is none */
/* Enter S5. Returns only if that is not possible or did not happen. */
void acpi_poweroff(void);

#endif
