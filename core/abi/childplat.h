/*
 * The platform a Linux child partition sees (issue 12; docs/linux.md):
 * where its interrupt controllers, ACPI tables and power registers are.
 * Shared by the hypervisor (the local APIC is its own), the root (the
 * I/O APIC, the ports, the loader and the ACPI tables it builds) and the
 * unit tests. hyperv-linux-guest.md 8.2-8.4 says why each choice is made.
 */
#ifndef CORE_ABI_CHILDPLAT_H
#define CORE_ABI_CHILDPLAT_H

/* Local APIC: the xAPIC page (SDM Vol. 3A, 11.4.1), and IA32_APIC_BASE's reset value for it. */
#define CHILDPLAT_LAPIC_GPA		0xfee00000ull
#define CHILDPLAT_LAPIC_VERSION		0x14u	/* an integrated APIC, as Hyper-V and KVM report */
#define CHILDPLAT_LAPIC_LVTS		7u	/* timer, thermal, perf, LINT0, LINT1, error, CMCI */

/* I/O APIC (82093AA): in the root, as Hyper-V has it; its ID follows the CPUs' (MADT). */
#define CHILDPLAT_IOAPIC_GPA		0xfec00000ull
#define CHILDPLAT_IOAPIC_PINS		24u
#define CHILDPLAT_IOAPIC_VERSION	0x11u
#define CHILDPLAT_COM1_GSI		4u	/* ISA IRQ 4, edge, active high: no MADT override */

/*
 * ACPI tables: one blob at this GPA, RSDP first (boot_params.acpi_rsdp_addr
 * points at it), the rest after it; the e820 map calls [0x9f000, 0x100000)
 * reserved, so the tables are never RAM.
 */
#define CHILDPLAT_ACPI_GPA		0xe0000ull
#define CHILDPLAT_ACPI_MAX		0x10000ull	/* up to 0xeffff */

/*
 * Hardware-reduced ACPI power registers (ACPI 6.x, 4.8.3.7): 8-bit
 * SystemIO ports the root traps. Linux writes SLP_TYP << 2 | SLP_EN to
 * SLEEP_CONTROL to enter S5 (\_S5's first value is CHILDPLAT_S5_TYP),
 * and RESET_VALUE to RESET_REG to reboot.
 */
#define CHILDPLAT_PORT_SLEEP_CONTROL	0x400u
#define CHILDPLAT_PORT_SLEEP_STATUS	0x401u
#define CHILDPLAT_S5_TYP		5u
#define CHILDPLAT_SLP_EN		0x20u
#define CHILDPLAT_PORT_RESET		0xcf9u	/* the PIIX/ICH reset control port, as QEMU's FADT has it */
#define CHILDPLAT_RESET_VALUE		0x06u	/* CF9: full reset (bit 2) | system reset (bit 1) */
/* The reset vector F000:FFF0: the loader puts a reset through the 8042 there (no firmware). */
#define CHILDPLAT_RESET_VECTOR_GPA	0xffff0ull

/*
 * The Linux boot protocol's low memory (hyperv-linux-guest.md 8.4): RAM
 * [0, 0x9f000) holds the loader's structures at CHILDPLAT_BOOT_GPA (the
 * identity-mapping page tables, GDT, boot_params, command line) and the
 * rest is free for Linux's real-mode trampoline.
 */
#define CHILDPLAT_LOWRAM_END		0x9f000ull
#define CHILDPLAT_BOOT_GPA		0x10000ull
#define CHILDPLAT_BOOT_SIZE		0x10000ull

#endif
