/*
 * Host unit tests for partitions/root/acpi_build.c: the ACPI tables the
 * root builds for a Linux child. Each blob is checked field by field
 * through core/abi/acpi.h, and read back by the hypervisor's own parser
 * (drivers/acpi_tables.c) from a heap copy of exactly its length, so that
 * AddressSanitizer catches any pointer past its end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/abi/acpi.h"
#include "core/abi/childplat.h"
#include "drivers/acpi_tables.h"
#include "partitions/root/acpi_build.h"

#define GPA	CHILDPLAT_ACPI_GPA

struct blob {
	uint8_t *b;		/* heap, exactly len bytes */
	size_t len;
};

static struct blob build(unsigned nvps)
{
	static uint8_t buf[CHILDPLAT_ACPI_MAX];
	const char *why = NULL;
	struct blob bl;

	bl.len = acpi_build_child(buf, sizeof(buf), GPA, nvps, &why);
	assert_true(bl.len > 0);
	assert_null(why);
	bl.b = malloc(bl.len);
	assert_non_null(bl.b);
	memcpy(bl.b, buf, bl.len);
	return bl;
}

/* The blob offset of guest-physical `addr`, checked to leave room for `len` bytes. */
static size_t off_of(const struct blob *bl, uint64_t addr, size_t len)
{
	assert_true(addr >= GPA);
	assert_true(addr - GPA + len <= bl->len);
	assert_int_equal((addr - GPA) % 16, 0);
	return (size_t)(addr - GPA);
}

static void check_gas_io8(const struct acpi_gas *g, uint16_t port)
{
	assert_int_equal(g->address_space_id, ACPI_GAS_SYSTEM_IO);
	assert_int_equal(g->bit_width, 8);
	assert_int_equal(g->bit_offset, 0);
	assert_int_equal(g->access_size, ACPI_GAS_ACCESS_BYTE);
	assert_int_equal(g->address, port);
}

/* The common header: signature, length, checksum, our ids. */
static void check_header(const uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	struct acpi_sdt_header h;

	memcpy(&h, t, sizeof(h));
	assert_memory_equal(h.signature, sig, 4);
	assert_int_equal(h.length, len);
	assert_int_equal(h.revision, rev);
	assert_true(acpi_checksum_ok(t, len));
	assert_memory_equal(h.oem_id, "UHV   ", 6);
	assert_memory_equal(h.oem_table_id, "UHVCHILD", 8);
}

/* RSDP -> XSDT: both RSDP checksums, revision 2, no RSDT. Returns the XSDT's offset. */
static size_t check_rsdp(const struct blob *bl)
{
	struct acpi_rsdp r;
	struct acpi_rsdp_info info;

	memcpy(&r, bl->b, sizeof(r));
	assert_memory_equal(r.signature, "RSD PTR ", 8);
	assert_int_equal(r.revision, 2);
	assert_int_equal(r.length, 36);
	assert_int_equal(r.rsdt_addr, 0);
	assert_true(acpi_checksum_ok(bl->b, 20));
	assert_true(acpi_checksum_ok(bl->b, 36));
	assert_true(acpi_rsdp_parse(bl->b, 36, &info));		/* the hypervisor's parser */
	assert_int_equal(info.xsdt, r.xsdt_addr);
	return off_of(bl, r.xsdt_addr, ACPI_SDT_HEADER_LEN);
}

static void check_fadt(const struct blob *bl, size_t off, size_t *dsdt_off)
{
	struct acpi_fadt f;
	struct fadt_info info;

	assert_int_equal(acpi_table_check(bl->b + off, bl->len - off, "FACP"), 276);
	check_header(bl->b + off, "FACP", 276, 6);
	memcpy(&f, bl->b + off, sizeof(f));
	assert_int_equal(f.minor_version, ACPI_FADT_MINOR);
	assert_int_equal(f.flags, (1u << 20) | (1u << 10) | (1u << 5) | (1u << 4));
	assert_int_equal(f.iapc_boot_arch, (1u << 2) | (1u << 5));	/* no LEGACY_DEVICES, no 8042 */
	check_gas_io8(&f.reset_reg, CHILDPLAT_PORT_RESET);
	assert_int_equal(f.reset_value, CHILDPLAT_RESET_VALUE);
	check_gas_io8(&f.sleep_control_reg, CHILDPLAT_PORT_SLEEP_CONTROL);
	check_gas_io8(&f.sleep_status_reg, CHILDPLAT_PORT_SLEEP_STATUS);
	/* hardware-reduced: no SCI, FACS, PM1 blocks or PM timer */
	assert_int_equal(f.sci_int, 0);
	assert_int_equal(f.firmware_ctrl, 0);
	assert_int_equal(f.x_firmware_ctrl, 0);
	assert_int_equal(f.pm1a_evt_blk, 0);
	assert_int_equal(f.pm1a_cnt_blk, 0);
	assert_int_equal(f.pm_tmr_blk, 0);
	assert_int_equal(f.x_pm1a_cnt_blk.address, 0);
	assert_int_equal(f.dsdt, f.x_dsdt);
	/* the hypervisor's parser finds the DSDT, and no PM1 block: its S5 path is not for us */
	assert_false(fadt_parse(bl->b + off, 276, &info));
	assert_int_equal(info.dsdt, f.x_dsdt);
	*dsdt_off = off_of(bl, f.x_dsdt, ACPI_SDT_HEADER_LEN);
}

static void check_madt(const struct blob *bl, size_t off, unsigned nvps)
{
	uint32_t len = (uint32_t)(44 + 8 * nvps + 12);
	struct acpi_madt m;
	struct acpi_madt_ioapic io;
	struct madt_info *info = malloc(sizeof(*info));

	assert_non_null(info);
	assert_int_equal(acpi_table_check(bl->b + off, bl->len - off, "APIC"), len);
	check_header(bl->b + off, "APIC", len, ACPI_MADT_REVISION);
	memcpy(&m, bl->b + off, sizeof(m));
	assert_int_equal(m.lapic_addr, CHILDPLAT_LAPIC_GPA);
	assert_int_equal(m.flags, 0);			/* PCAT_COMPAT clear: no 8259 */
	for (unsigned i = 0; i < nvps; i++) {
		const uint8_t *e = bl->b + off + 44 + 8 * i;

		assert_int_equal(e[0], 0);
		assert_int_equal(e[1], 8);
		assert_int_equal(e[2], i);		/* ACPI processor UID */
		assert_int_equal(e[3], i);		/* APIC ID */
		assert_int_equal(e[4], 1);		/* enabled */
	}
	memcpy(&io, bl->b + off + 44 + 8 * nvps, sizeof(io));
	assert_int_equal(io.type, 1);
	assert_int_equal(io.length, 12);
	assert_int_equal(io.ioapic_id, nvps);
	assert_int_equal(io.address, CHILDPLAT_IOAPIC_GPA);
	assert_int_equal(io.gsi_base, 0);

	/* Round trip: the hypervisor's own MADT parser reads the same platform. */
	assert_true(madt_parse(bl->b + off, len, info));
	assert_int_equal(info->lapic_addr, CHILDPLAT_LAPIC_GPA);
	assert_int_equal(info->flags, 0);
	assert_int_equal(info->cpu_count, nvps);
	for (unsigned i = 0; i < nvps; i++) {
		assert_int_equal(info->cpus[i].apic_id, i);
		assert_int_equal(info->cpus[i].acpi_uid, i);
		assert_true(info->cpus[i].enabled);
		assert_false(info->cpus[i].x2apic_entry);
	}
	assert_int_equal(info->ioapic_count, 1);
	assert_int_equal(info->ioapics[0].id, nvps);
	assert_int_equal(info->ioapics[0].addr, CHILDPLAT_IOAPIC_GPA);
	assert_int_equal(info->ioapics[0].gsi_base, 0);
	assert_int_equal(info->overrides, 0);
	assert_int_equal(info->dropped, 0);
	free(info);
}

/* Does the AML contain these bytes? */
static bool aml_has(const uint8_t *t, size_t len, const void *bytes, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(t + i, bytes, n))
			return true;
	return false;
}

static void check_dsdt(const struct blob *bl, size_t off)
{
	static const uint8_t pnp0501[] = { 0x0c, 0x41, 0xd0, 0x05, 0x01 };	/* DWordConst EisaId */
	static const uint8_t vmbus[] = { 0x0d, 'V', 'M', 'B', 'u', 's', 0x00 };	/* StringPrefix */
	struct acpi_sdt_header h;
	uint8_t typa, typb;

	memcpy(&h, bl->b + off, sizeof(h));
	assert_int_equal(off + h.length, bl->len);	/* the last table */
	assert_int_equal(acpi_table_check(bl->b + off, h.length, "DSDT"), h.length);
	assert_int_equal(h.revision, 2);		/* 64-bit integers */
	assert_true(acpi_find_s5(bl->b + off, h.length, &typa, &typb));
	assert_int_equal(typa, CHILDPLAT_S5_TYP);
	assert_int_equal(typb, CHILDPLAT_S5_TYP);
	assert_true(aml_has(bl->b + off, h.length, pnp0501, sizeof(pnp0501)));
	assert_true(aml_has(bl->b + off, h.length, vmbus, sizeof(vmbus)));
	assert_true(aml_has(bl->b + off, h.length, "VMBS", 4));
	assert_true(aml_has(bl->b + off, h.length, "COM1", 4));
}

static void check_blob(unsigned nvps)
{
	struct blob bl = build(nvps);
	size_t xsdt = check_rsdp(&bl), fadt, madt, dsdt;
	uint32_t xlen = acpi_table_check(bl.b + xsdt, bl.len - xsdt, "XSDT");

	assert_int_equal(xlen, 36 + 2 * 8);
	check_header(bl.b + xsdt, "XSDT", xlen, 1);
	assert_int_equal(acpi_sdt_count(xlen, true), 2);
	fadt = off_of(&bl, acpi_sdt_entry(bl.b + xsdt, 0, true), 276);
	madt = off_of(&bl, acpi_sdt_entry(bl.b + xsdt, 1, true), 44);
	assert_memory_equal(bl.b + fadt, "FACP", 4);
	assert_memory_equal(bl.b + madt, "APIC", 4);
	check_fadt(&bl, fadt, &dsdt);
	check_madt(&bl, madt, nvps);
	check_dsdt(&bl, dsdt);
	assert_true(bl.len <= CHILDPLAT_ACPI_MAX);
	free(bl.b);
}

static void tables_for_1_2_4_8_vcpus(void **state)
{
	(void)state;
	check_blob(1);
	check_blob(2);
	check_blob(4);
	check_blob(8);
}

static void tables_for_255_vcpus(void **state)
{
	(void)state;
	check_blob(255);
}

/* Pointers follow the GPA the caller gives: nothing assumes CHILDPLAT_ACPI_GPA. */
static void pointers_follow_the_gpa(void **state)
{
	uint8_t a[4096], b[4096];
	const char *why = NULL;
	struct acpi_rsdp ra, rb;
	size_t la = acpi_build_child(a, sizeof(a), 0xe0000, 2, &why);
	size_t lb = acpi_build_child(b, sizeof(b), 0x7fff0000, 2, &why);

	(void)state;
	assert_true(la > 0);
	assert_int_equal(la, lb);
	memcpy(&ra, a, sizeof(ra));
	memcpy(&rb, b, sizeof(rb));
	assert_int_equal(rb.xsdt_addr - ra.xsdt_addr, 0x7fff0000 - 0xe0000);
	assert_true(acpi_checksum_ok(b, 20));
	assert_true(acpi_checksum_ok(b, 36));
}

static void bad_vcpu_counts_are_refused(void **state)
{
	uint8_t buf[64];
	const char *why = NULL;

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(acpi_build_child(buf, sizeof(buf), GPA, 0, &why), 0);
	assert_non_null(why);
	why = NULL;
	assert_int_equal(acpi_build_child(buf, sizeof(buf), GPA, 256, &why), 0);
	assert_non_null(why);
	assert_int_equal(buf[0], 0xa5);
}

/* One byte short: refused, with a reason, and nothing written. */
static void too_small_is_refused(void **state)
{
	static uint8_t buf[CHILDPLAT_ACPI_MAX];
	const char *why = NULL;
	size_t len = acpi_build_child(buf, sizeof(buf), GPA, 4, &why);

	(void)state;
	assert_true(len > 0);
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(acpi_build_child(buf, len - 1, GPA, 4, &why), 0);
	assert_non_null(why);
	assert_int_equal(buf[0], 0xa5);
	why = NULL;
	assert_int_equal(acpi_build_child(buf, len, GPA, 4, &why), len);
	assert_null(why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tables_for_1_2_4_8_vcpus),
		cmocka_unit_test(tables_for_255_vcpus),
		cmocka_unit_test(pointers_follow_the_gpa),
		cmocka_unit_test(bad_vcpu_counts_are_refused),
		cmocka_unit_test(too_small_is_refused),
	};

	return cmocka_run_group_tests_name("acpi_build", tests, NULL, NULL);
}
