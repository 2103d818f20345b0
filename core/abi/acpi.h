/*
 * ACPI table layouts (ACPI 6.4, chapter 5.2) that the root builds for a
 * Linux child (partitions/root/acpi_build.c, docs/linux.md "ACPI tables").
 * Only the tables and MADT entries we write are here; drivers/acpi_tables.c
 * parses the host's tables at the same offsets. Little-endian, no padding.
 */
#ifndef CORE_ABI_ACPI_H
#define CORE_ABI_ACPI_H

#include <stdint.h>

#define ACPI_OFFSETOF(t, f)	__builtin_offsetof(t, f)

/* 5.2.5.3: Root System Description Pointer, revision 2 (ACPI 2.0+). */
#define ACPI_RSDP_SIG		"RSD PTR "
#define ACPI_RSDP_V1_LEN	20u	/* what `checksum` covers */
struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;		/* the first 20 bytes sum to 0 */
	char oem_id[6];
	uint8_t revision;		/* 2: the fields below are valid */
	uint32_t rsdt_addr;
	uint32_t length;		/* of this structure: 36 */
	uint64_t xsdt_addr;
	uint8_t ext_checksum;		/* all `length` bytes sum to 0 */
	uint8_t reserved[3];
} __attribute__((packed));

/* 5.2.6: the header of every System Description Table. */
struct acpi_sdt_header {
	char signature[4];
	uint32_t length;		/* of the whole table, this header included */
	uint8_t revision;
	uint8_t checksum;		/* the whole table sums to 0 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

/* 5.2.3.2: Generic Address Structure. */
#define ACPI_GAS_SYSTEM_IO	1u	/* address_space_id */
#define ACPI_GAS_ACCESS_BYTE	1u	/* access_size */
struct acpi_gas {
	uint8_t address_space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __attribute__((packed));

/* 5.2.9: Fixed ACPI Description Table, revision 6 (276 bytes). */
#define ACPI_FADT_REVISION		6u
#define ACPI_FADT_MINOR			4u	/* ACPI 6.4 */
/* IA-PC Boot Architecture Flags (5.2.9.3) */
#define ACPI_BOOT_LEGACY_DEVICES	(1u << 0)
#define ACPI_BOOT_8042			(1u << 1)
#define ACPI_BOOT_VGA_NOT_PRESENT	(1u << 2)
#define ACPI_BOOT_CMOS_RTC_NOT_PRESENT	(1u << 5)
/* Fixed Feature Flags (table 5.10) */
#define ACPI_FADT_PWR_BUTTON		(1u << 4)	/* set: no fixed power button */
#define ACPI_FADT_SLP_BUTTON		(1u << 5)	/* set: no fixed sleep button */
#define ACPI_FADT_RESET_REG_SUP		(1u << 10)
#define ACPI_FADT_HW_REDUCED_ACPI	(1u << 20)
struct acpi_fadt {
	struct acpi_sdt_header header;	/* "FACP" */
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __attribute__((packed));

/* 5.2.12: Multiple APIC Description Table; its entries follow the header. */
#define ACPI_MADT_REVISION	5u
#define ACPI_MADT_PCAT_COMPAT	(1u << 0)	/* flags: dual 8259s present */
#define ACPI_MADT_ENABLED	(1u << 0)	/* a processor entry's flags */
#define ACPI_MADT_LAPIC		0u		/* entry types */
#define ACPI_MADT_IOAPIC	1u
#define ACPI_MADT_X2APIC	9u
struct acpi_madt {
	struct acpi_sdt_header header;	/* "APIC" */
	uint32_t lapic_addr;
	uint32_t flags;
} __attribute__((packed));

/* 5.2.12.2: Processor Local APIC. */
struct acpi_madt_lapic {
	uint8_t type, length;		/* 0, 8 */
	uint8_t acpi_uid;
	uint8_t apic_id;
	uint32_t flags;
} __attribute__((packed));

/* 5.2.12.3: I/O APIC. */
struct acpi_madt_ioapic {
	uint8_t type, length;		/* 1, 12 */
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));

/* 5.2.12.12: Processor Local x2APIC (for APIC IDs above 254; unused while a child has <= 255 vCPUs). */
struct acpi_madt_x2apic {
	uint8_t type, length;		/* 9, 16 */
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags;
	uint32_t acpi_uid;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP size");
_Static_assert(ACPI_OFFSETOF(struct acpi_rsdp, revision) == 15, "RSDP revision at 15");
_Static_assert(ACPI_OFFSETOF(struct acpi_rsdp, rsdt_addr) == 16, "RSDP RsdtAddress at 16");
_Static_assert(ACPI_OFFSETOF(struct acpi_rsdp, length) == 20, "RSDP Length at 20");
_Static_assert(ACPI_OFFSETOF(struct acpi_rsdp, xsdt_addr) == 24, "RSDP XsdtAddress at 24");
_Static_assert(ACPI_OFFSETOF(struct acpi_rsdp, ext_checksum) == 32, "RSDP extended checksum at 32");

_Static_assert(sizeof(struct acpi_sdt_header) == 36, "SDT header size");
_Static_assert(ACPI_OFFSETOF(struct acpi_sdt_header, checksum) == 9, "SDT checksum at 9");
_Static_assert(ACPI_OFFSETOF(struct acpi_sdt_header, oem_table_id) == 16, "SDT OEM table id at 16");
_Static_assert(ACPI_OFFSETOF(struct acpi_sdt_header, creator_id) == 28, "SDT creator id at 28");

_Static_assert(sizeof(struct acpi_gas) == 12, "GAS size");
_Static_assert(ACPI_OFFSETOF(struct acpi_gas, address) == 4, "GAS address at 4");

_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6 size");
_Static_assert(ACPI_OFFSETOF(struct acpi_fadt, dsdt) == 40, "FADT DSDT at 40");
_Static_assert(ACPI_OFFSETOF(struct acpi_fadt, sci_int) == 46, "FADT SCI_INT at 46");
_Static_assert(ACPI_OFFSETOF(struct acpi_fadt, pm1a_cnt_blk) == 64, "FADT PM1a_CNT_BLK at 64");
_Static_assert(ACPI_OFFSETOF(struct acpi_fadt, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH at 109");
_Static_assert(ACPI_OFFSETOF(struct acpi_fadt, flags) == 112, "FADT Flags at 112");
_Static_assert(ACPI_OFFSETOF(struct acpi_fadt, reset_reg) == 116, "FADT RESET_REG at 116");
_Static_assert(ACPI_OFFSETOF(struct acpi_fadt, reset_value) == 128, "FADT RESET_VALUE at 128");
_Static_assert(ACPI_OFFSETOF(struct acpi_fadt, minor_version) == 131, "FADT minor version at 131");
_Static_assert(ACPI_OFFSETOF(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT at 140");
_Static_assert(ACPI_OFFSETOF(struct acpi_fadt, sleep_control_reg) == 244, "FADT SLEEP_CONTROL_REG at 244");
_Static_assert(ACPI_OFFSETOF(struct acpi_fadt, sleep_status_reg) == 256, "FADT SLEEP_STATUS_REG at 256");
_Static_assert(ACPI_OFFSETOF(struct acpi_fadt, hypervisor_vendor_id) == 268, "FADT vendor id at 268");

_Static_assert(sizeof(struct acpi_madt) == 44, "MADT header size");
_Static_assert(ACPI_OFFSETOF(struct acpi_madt, lapic_addr) == 36, "MADT LAPIC address at 36");
_Static_assert(ACPI_OFFSETOF(struct acpi_madt, flags) == 40, "MADT flags at 40");
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT LAPIC entry size");
_Static_assert(ACPI_OFFSETOF(struct acpi_madt_lapic, apic_id) == 3, "LAPIC APIC id at 3");
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT IOAPIC entry size");
_Static_assert(ACPI_OFFSETOF(struct acpi_madt_ioapic, address) == 4, "IOAPIC address at 4");
_Static_assert(ACPI_OFFSETOF(struct acpi_madt_ioapic, gsi_base) == 8, "IOAPIC GSI base at 8");
_Static_assert(sizeof(struct acpi_madt_x2apic) == 16, "MADT x2APIC entry size");
_Static_assert(ACPI_OFFSETOF(struct acpi_madt_x2apic, x2apic_id) == 4, "x2APIC id at 4");
_Static_assert(ACPI_OFFSETOF(struct acpi_madt_x2apic, acpi_uid) == 12, "x2APIC UID at 12");

#endif
