/*
 * libFuzzer target for drivers/acpi_tables.c: the same bytes are handed to
 * the header check, the MADT, FADT and RSDP parsers and the \_S5 search, as
 * firmware tables would be. The buffer is exactly `size` bytes long, so
 * AddressSanitizer catches any read past it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "drivers/acpi_tables.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static void check_madt(const uint8_t *data, size_t size)
{
	static struct madt_info m;

	if (!madt_parse(data, size, &m)) {
		CHECK(size < ACPI_SDT_HEADER_LEN + 8);
		return;
	}
	CHECK(m.cpu_count <= MADT_MAX_CPUS);
	CHECK(m.ioapic_count <= MADT_MAX_IOAPICS);
	/* every entry takes at least two bytes */
	CHECK(m.cpu_count + m.ioapic_count + m.overrides + m.dropped <=
	      (size - ACPI_SDT_HEADER_LEN - 8) / 2);
}

static void check_sdt(const uint8_t *data, size_t size)
{
	uint32_t len = acpi_table_check(data, size, NULL);

	if (!len)
		return;
	CHECK(len >= ACPI_SDT_HEADER_LEN && len <= size);
	CHECK(acpi_checksum_ok(data, len));
	for (unsigned i = 0; i < acpi_sdt_count(len, true); i++)
		(void)acpi_sdt_entry(data, i, true);
	for (unsigned i = 0; i < acpi_sdt_count(len, false); i++)
		(void)acpi_sdt_entry(data, i, false);
	if (acpi_table_check(data, size, "APIC"))
		check_madt(data, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fadt_info f;
	struct acpi_rsdp_info r;
	uint8_t a, b;

	check_madt(data, size);
	check_sdt(data, size);
	if (fadt_parse(data, size, &f))
		CHECK(size >= 76 && f.pm1a_cnt != 0);
	if (acpi_find_s5(data, size, &a, &b))
		CHECK(size > ACPI_SDT_HEADER_LEN + 5);
	if (acpi_rsdp_parse(data, size, &r))
		CHECK(r.rsdt || r.xsdt);
	return 0;
}
