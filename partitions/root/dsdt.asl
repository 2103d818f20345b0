/*
 * The DSDT of a Linux child partition (docs/linux.md "ACPI tables"),
 * compiled by iasl at build time and embedded in the root kernel
 * (dsdt_aml.S); partitions/root/acpi_build.c places it after the FADT.
 * hyperv-linux-guest.md 8.1 and 8.2 say why each object is here.
 */
DefinitionBlock ("", "DSDT", 2, "UHV   ", "UHVCHILD", 1)
{
    /*
     * S5 (soft off): SLP_TYPa, SLP_TYPb. Linux writes SLP_TYP << 2 | SLP_EN
     * to the FADT's SLEEP_CONTROL_REG; without \_S5 it registers no ACPI
     * power-off and halts instead (8.2). 5 is CHILDPLAT_S5_TYP
     * (core/abi/childplat.h; tests/unit/test_acpi_build.c checks it).
     */
    Name (\_S5, Package () { 5, 5, 0, 0 })

    Scope (\_SB)
    {
        /* COM1, as a PC has it: ports 0x3F8-0x3FF, ISA IRQ 4 (GSI 4 through the I/O APIC). */
        Device (COM1)
        {
            Name (_HID, EisaId ("PNP0501"))
            Name (_UID, 1)
            Name (_STA, 0x0F)
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
                IRQNoFlags () { 4 }
            })
        }

        /*
         * VMBus: Linux 6.1 finds it through ACPI only, by _HID "VMBus"
         * (8.1), as Hyper-V's and QEMU's DSDTs spell it. That is not a
         * 7- or 8-character ACPI/PNP ID, so iasl calls it error 6033: the
         * build lets that one pass (partitions/root/dsdt.mk). The _CRS is
         * empty on purpose (iasl warning 3150, also let pass): the driver
         * fails to bind without one, takes no interrupt from it (VMBus
         * interrupts are SynIC vector 0xF3), and an Interrupt() descriptor
         * would make Linux register a GSI.
         */
        Device (VMBS)
        {
            Name (_HID, "VMBus")
            Name (_UID, 0)
            Name (_DDN, "VMBUS")
            Name (_STA, 0x0F)
            Name (_CRS, ResourceTemplate () { })
        }
    }
}
