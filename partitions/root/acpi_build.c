/*
 * A Linux child's ACPI tables (acpi_build.h; docs/linux.md "ACPI tables").
 * Each table is filled in a local copy and then copied into the blob, so
 * the blob's alignment does not matter; its checksum is set in place.
 */
#include "partitions/root/acpi_build.h"
#include "core/abi/acpi.h"
#include "core/abi/childplat.h"
#include "core/lib.h"

/* Who made the tables (5.2.6): us, not a firmware vendor. */
static const char acpi_oem_id[6] = { 'U', 'H', 'V', ' ', ' ', ' ' };
static const char acpi_oem_table_id[8] = { 'U', 'H', 'V', 'C', 'H', 'I', 'L', 'D' };
static const char acpi_creator_id[4] = { 'U', 'H', 'V', ' ' };
#define ACPI_OEM_REVISION	1u
#define ACPI_CREATOR_REVISION	1u

#define XSDT_ENTRIES	2u	/* FADT, MADT */

/* Where each table goes: 16-byte aligned offsets in the blob, RSDP at 0. */
struct acpi_layout {
	size_t xsdt, xsdt_len;
	size_t fadt;
	size_t madt, madt_len;
	size_t dsdt, dsdt_len;
	size_t end;
};

static size_t align16(size_t n)
{
	return (n + 15u) & ~(size_t)15u;
}

static void acpi_layout(struct acpi_layout *l, unsigned nvps)
{
	l->xsdt = align16(sizeof(struct acpi_rsdp));
	l->xsdt_len = sizeof(struct acpi_sdt_header) + XSDT_ENTRIES * sizeof(uint64_t);
	l->fadt = align16(l->xsdt + l->xsdt_len);
	l->madt = align16(l->fadt + sizeof(struct acpi_fadt));
	l->madt_len = sizeof(struct acpi_madt) + nvps * sizeof(struct acpi_madt_lapic) +
		      sizeof(struct acpi_madt_ioapic);
	l->dsdt = align16(l->madt + l->madt_len);
	l->dsdt_len = (size_t)(dsdt_aml_end - dsdt_aml_start);
	l->end = l->dsdt + l->dsdt_len;
}

/* The byte that makes the `len` bytes at p, with it as 0, sum to 0. */
static uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return (uint8_t)-sum;
}

static void sdt_header_init(struct acpi_sdt_header *h, const char sig[4], size_t len,
			    uint8_t revision)
{
	memcpy(h->signature, sig, sizeof(h->signature));
	h->length = (uint32_t)len;
	h->revision = revision;
	memcpy(h->oem_id, acpi_oem_id, sizeof(h->oem_id));
	memcpy(h->oem_table_id, acpi_oem_table_id, sizeof(h->oem_table_id));
	h->oem_revision = ACPI_OEM_REVISION;
	memcpy(h->creator_id, acpi_creator_id, sizeof(h->creator_id));
	h->creator_revision = ACPI_CREATOR_REVISION;
}

/* Set the checksum of the table (of `length` bytes) at t, already in the blob. */
static void sdt_seal(uint8_t *t)
{
	struct acpi_sdt_header h;

	memcpy(&h, t, sizeof(h));
	t[__builtin_offsetof(struct acpi_sdt_header, checksum)] = 0;
	t[__builtin_offsetof(struct acpi_sdt_header, checksum)] = acpi_checksum(t, h.length);
}

/* 5.2.5.3: revision 2 points at the XSDT only; RsdtAddress 0 (no RSDT). */
static void build_rsdp(uint8_t *buf, uint64_t gpa, const struct acpi_layout *l)
{
	struct acpi_rsdp r;

	memset(&r, 0, sizeof(r));
	memcpy(r.signature, ACPI_RSDP_SIG, sizeof(r.signature));
	memcpy(r.oem_id, acpi_oem_id, sizeof(r.oem_id));
	r.revision = 2;
	r.length = sizeof(r);
	r.xsdt_addr = gpa + l->xsdt;
	r.checksum = acpi_checksum((const uint8_t *)&r, ACPI_RSDP_V1_LEN);
	r.ext_checksum = acpi_checksum((const uint8_t *)&r, sizeof(r));
	memcpy(buf, &r, sizeof(r));
}

static void build_xsdt(uint8_t *t, uint64_t gpa, const struct acpi_layout *l)
{
	struct acpi_sdt_header h;
	const uint64_t entries[XSDT_ENTRIES] = { gpa + l->fadt, gpa + l->madt };

	memset(&h, 0, sizeof(h));
	sdt_header_init(&h, "XSDT", l->xsdt_len, 1);
	memcpy(t, &h, sizeof(h));
	memcpy(t + sizeof(h), entries, sizeof(entries));
	sdt_seal(t);
}

/* An 8-bit SystemIO register, accessed a byte at a time (5.2.3.2). */
static struct acpi_gas io_port8(uint16_t port)
{
	return (struct acpi_gas){
		.address_space_id = ACPI_GAS_SYSTEM_IO,
		.bit_width = 8,
		.access_size = ACPI_GAS_ACCESS_BYTE,
		.address = port,
	};
}

/*
 * 5.2.9, hardware-reduced (4.1): no PM1/GPE blocks, PM timer, SCI or FACS.
 * Power-off through SLEEP_CONTROL_REG (with \_S5 in the DSDT) and reboot
 * through RESET_REG, both ports the root traps (hyperv-linux-guest.md 8.2).
 */
static void build_fadt(uint8_t *t, uint64_t gpa, const struct acpi_layout *l)
{
	struct acpi_fadt f;
	uint64_t dsdt = gpa + l->dsdt;

	memset(&f, 0, sizeof(f));
	sdt_header_init(&f.header, "FACP", sizeof(f), ACPI_FADT_REVISION);
	f.minor_version = ACPI_FADT_MINOR;
	f.flags = ACPI_FADT_HW_REDUCED_ACPI | ACPI_FADT_RESET_REG_SUP |
		  ACPI_FADT_PWR_BUTTON | ACPI_FADT_SLP_BUTTON;
	/* No PNPBIOS, no 8042, no VGA, no CMOS RTC (5.2.9.3; 8.2). */
	f.iapc_boot_arch = ACPI_BOOT_VGA_NOT_PRESENT | ACPI_BOOT_CMOS_RTC_NOT_PRESENT;
	f.dsdt = dsdt <= 0xffffffffu ? (uint32_t)dsdt : 0;
	f.x_dsdt = dsdt;
	f.reset_reg = io_port8(CHILDPLAT_PORT_RESET);
	f.reset_value = CHILDPLAT_RESET_VALUE;
	f.sleep_control_reg = io_port8(CHILDPLAT_PORT_SLEEP_CONTROL);
	f.sleep_status_reg = io_port8(CHILDPLAT_PORT_SLEEP_STATUS);
	memcpy(t, &f, sizeof(f));
	sdt_seal(t);
}

/*
 * 5.2.12: the local APIC page, one enabled Processor Local APIC per vCPU
 * (ACPI UID = APIC ID = VP index), and the root's I/O APIC with the first
 * ID after the CPUs'. Flags 0: PCAT_COMPAT clear, as there is no 8259
 * (hyperv-linux-guest.md 8.2, 9.1 item 6). No interrupt source override:
 * ISA IRQs map to GSIs 0-15 one to one, edge and active high, as Linux
 * assumes without one; COM1 is IRQ 4 = GSI 4 (CHILDPLAT_COM1_GSI).
 */
static void build_madt(uint8_t *t, unsigned nvps, const struct acpi_layout *l)
{
	struct acpi_madt m;
	struct acpi_madt_ioapic io;
	uint8_t *e = t + sizeof(m);

	memset(&m, 0, sizeof(m));
	sdt_header_init(&m.header, "APIC", l->madt_len, ACPI_MADT_REVISION);
	m.lapic_addr = (uint32_t)CHILDPLAT_LAPIC_GPA;
	m.flags = 0;
	memcpy(t, &m, sizeof(m));
	for (unsigned i = 0; i < nvps; i++, e += sizeof(struct acpi_madt_lapic)) {
		struct acpi_madt_lapic c = {
			.type = ACPI_MADT_LAPIC, .length = sizeof(c),
			.acpi_uid = (uint8_t)i, .apic_id = (uint8_t)i, .flags = ACPI_MADT_ENABLED,
		};
		memcpy(e, &c, sizeof(c));
	}
	io = (struct acpi_madt_ioapic){
		.type = ACPI_MADT_IOAPIC, .length = sizeof(io),
		.ioapic_id = (uint8_t)nvps, .address = (uint32_t)CHILDPLAT_IOAPIC_GPA, .gsi_base = 0,
	};
	memcpy(e, &io, sizeof(io));
	sdt_seal(t);
}

/* The embedded DSDT is a whole table whose length is its size (dsdt_aml.S). */
static bool dsdt_intact(size_t len)
{
	struct acpi_sdt_header h;

	if (len < sizeof(h))
		return false;
	memcpy(&h, dsdt_aml_start, sizeof(h));
	return !memcmp(h.signature, "DSDT", 4) && h.length == len &&
	       acpi_checksum(dsdt_aml_start, len) == 0;
}

size_t acpi_build_child(uint8_t *buf, size_t cap, uint64_t gpa, unsigned nvps, const char **why)
{
	struct acpi_layout l;

	if (nvps == 0 || nvps > ACPI_BUILD_MAX_VPS) {
		*why = "ACPI tables: the vCPU count must be 1-255";
		return 0;
	}
	acpi_layout(&l, nvps);
	if (!dsdt_intact(l.dsdt_len)) {
		*why = "ACPI tables: the built-in DSDT is damaged";
		return 0;
	}
	if (l.end > cap) {
		*why = "ACPI tables: too large for their space";
		return 0;
	}
	memset(buf, 0, l.end);
	build_rsdp(buf, gpa, &l);
	build_xsdt(buf + l.xsdt, gpa, &l);
	build_fadt(buf + l.fadt, gpa, &l);
	build_madt(buf + l.madt, nvps, &l);
	memcpy(buf + l.dsdt, dsdt_aml_start, l.dsdt_len);
	return l.end;
}
