/*
 * ACPI table parsing (ACPI 6.4, chapter 5.2). Pure logic: callers pass
 * byte buffers, which may come from firmware and are checked throughout.
 */
#ifndef DRIVERS_ACPI_TABLES_H
#define DRIVERS_ACPI_TABLES_H

#include "core/types.h"

#define ACPI_SDT_HEADER_LEN	36
#define MADT_MAX_CPUS		256
#define MADT_MAX_IOAPICS	16

/* 5.2.5.3: RSDP; XSDT only from revision 2 on. */
struct acpi_rsdp_info {
	uint8_t revision;
	paddr_t rsdt;
	paddr_t xsdt;		/* 0 if none */
};

struct madt_cpu {
	uint32_t apic_id;
	uint32_t acpi_uid;
	bool enabled;		/* usable now (flags bit 0) */
	bool x2apic_entry;	/* came from a type 9 (x2APIC) entry */
};

struct madt_ioapic {
	uint32_t id;
	paddr_t addr;
	uint32_t gsi_base;
};

struct madt_info {
	paddr_t lapic_addr;
	uint32_t flags;			/* bit 0: PC-AT compatible 8259s */
	struct madt_cpu cpus[MADT_MAX_CPUS];
	unsigned cpu_count;
	struct madt_ioapic ioapics[MADT_MAX_IOAPICS];
	unsigned ioapic_count;
	unsigned overrides;		/* interrupt source overrides seen */
	unsigned dropped;		/* entries beyond our arrays */
};

bool acpi_checksum_ok(const void *p, size_t len);

/* Validate an RSDP copy of `len` bytes (20 for v1, 36 for v2+). */
bool acpi_rsdp_parse(const uint8_t *p, size_t len, struct acpi_rsdp_info *out);

/*
 * Validate a table header against `avail` readable bytes: length in range,
 * checksum right, signature as expected (NULL: any). Returns the table's
 * length, or 0 if it is bad.
 */
uint32_t acpi_table_check(const uint8_t *t, size_t avail, const char *sig);

/* Entry i of an XSDT (8-byte entries) or RSDT (4-byte entries) of length len. */
unsigned acpi_sdt_count(uint32_t len, bool xsdt);
paddr_t acpi_sdt_entry(const uint8_t *t, unsigned i, bool xsdt);

/* Parse a checked MADT of `len` bytes. false if its fixed part is short. */
bool madt_parse(const uint8_t *t, size_t len, struct madt_info *out);

/* FADT facts we use for power-off (5.2.9). */
struct fadt_info {
	paddr_t dsdt;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint32_t pm1a_cnt, pm1b_cnt;
};
bool fadt_parse(const uint8_t *t, size_t len, struct fadt_info *out);

/*
 * Find the \_S5 package in a DSDT/SSDT body and return its SLP_TYPa and
 * SLP_TYPb values. A byte-pattern search, not an AML interpreter: enough
 * for the simple packages firmware writes (ACPI 6.4, 7.4.2 and 20.2.5).
 */
bool acpi_find_s5(const uint8_t *t, size_t len, uint8_t *slp_typa, uint8_t *slp_typb);

#endif
