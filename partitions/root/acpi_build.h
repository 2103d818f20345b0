/*
 * The ACPI tables the root builds for a Linux child (docs/linux.md "ACPI
 * tables"; hyperv-linux-guest.md 8.1, 8.2): one blob, RSDP first, then
 * XSDT, FADT (hardware-reduced), MADT and the DSDT that iasl compiled from
 * partitions/root/dsdt.asl. Pure logic, host-tested
 * (tests/unit/test_acpi_build.c).
 */
#ifndef PARTITIONS_ROOT_ACPI_BUILD_H
#define PARTITIONS_ROOT_ACPI_BUILD_H

#include "core/types.h"

#define ACPI_BUILD_MAX_VPS	255u	/* APIC IDs 0-254: all fit a Processor Local APIC entry */

/*
 * Build the tables for a child of `nvps` vCPUs (APIC ID = VP index) into
 * buf[0, cap), to be placed at guest-physical `gpa` (CHILDPLAT_ACPI_GPA):
 * every pointer in them is gpa plus an offset in the blob, and the RSDP is
 * at offset 0 (boot_params.acpi_rsdp_addr = gpa). Returns the blob's
 * length, or 0 with *why set if nvps is 0 or above ACPI_BUILD_MAX_VPS, or
 * the blob does not fit in cap bytes (nothing is written then).
 */
size_t acpi_build_child(uint8_t *buf, size_t cap, uint64_t gpa, unsigned nvps, const char **why);

/* The compiled DSDT (partitions/root/dsdt_aml.S). */
extern const uint8_t dsdt_aml_start[], dsdt_aml_end[];

#endif
