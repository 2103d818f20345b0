/*
 * ACPI table walk (ACPI 6.4, 5.2). Tables are in physical memory, which the
 * hypervisor maps 1:1 up to `mapped_end`; every address from firmware is
 * checked against that bound and every table against its checksum before
 * it is parsed.
 */
#include "drivers/acpi.h"
#include "arch/x86/cpu.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mm.h"

static struct madt_info madt;
static bool have_madt;
static struct fadt_info fadt;
static bool have_fadt, have_s5;
static uint8_t slp_typa, slp_typb;
static paddr_t phys_limit;

static const uint8_t *phys_bytes(paddr_t pa, uint64_t len)
{
	if (!pa || pa >= phys_limit || len > phys_limit - pa)
		return NULL;
	return phys_to_virt(pa);
}

/* Check a table at pa: header readable, then the whole length, then checksum. */
static const uint8_t *map_table(paddr_t pa, const char *sig, uint32_t *len)
{
	const uint8_t *t = phys_bytes(pa, ACPI_SDT_HEADER_LEN);
	uint32_t l;

	if (!t)
		return NULL;
	memcpy(&l, t + 4, 4);
	if (!phys_bytes(pa, l))
		return NULL;
	*len = acpi_table_check(t, l, sig);
	return *len ? t : NULL;
}

/* ACPI 6.4, 5.2.5.1: on legacy BIOS the RSDP is on a 16-byte boundary in 0xe0000-0xfffff. */
static bool scan_bios_area(struct acpi_rsdp_info *info)
{
	for (paddr_t pa = 0xe0000; pa < 0x100000; pa += 16)
		if (acpi_rsdp_parse(phys_to_virt(pa), 36, info))
			return true;
	return false;
}

static void found_table(paddr_t pa)
{
	const uint8_t *t;
	uint32_t len;

	if ((t = map_table(pa, "APIC", &len)) && madt_parse(t, len, &madt)) {
		have_madt = true;
	} else if ((t = map_table(pa, "FACP", &len)) && fadt_parse(t, len, &fadt)) {
		have_fadt = true;
		t = map_table(fadt.dsdt, "DSDT", &len);
		have_s5 = t && acpi_find_s5(t, len, &slp_typa, &slp_typb);
	}
}

bool acpi_init(const struct boot_info *bi, paddr_t mapped_end)
{
	struct acpi_rsdp_info rsdp;
	const uint8_t *sdt;
	uint32_t len;
	bool x;

	phys_limit = mapped_end;
	if (!(bi->rsdp_len && acpi_rsdp_parse(bi->rsdp, bi->rsdp_len, &rsdp)) &&
	    !scan_bios_area(&rsdp)) {
		log_warn("acpi: no valid RSDP");
		return false;
	}
	x = rsdp.xsdt != 0;
	sdt = map_table(x ? rsdp.xsdt : rsdp.rsdt, x ? "XSDT" : "RSDT", &len);
	if (!sdt) {
		log_warn("acpi: %s at %016lx is invalid", x ? "XSDT" : "RSDT",
			 x ? rsdp.xsdt : rsdp.rsdt);
		return false;
	}
	for (unsigned i = 0; i < acpi_sdt_count(len, x); i++)
		found_table(acpi_sdt_entry(sdt, i, x));
	log_info("acpi: revision %u, %s, MADT %s (%u CPUs, %u I/O APICs), FADT %s, S5 %s",
		 rsdp.revision, x ? "XSDT" : "RSDT", have_madt ? "found" : "missing",
		 madt.cpu_count, madt.ioapic_count, have_fadt ? "found" : "missing",
		 have_s5 ? "found" : "missing");
	return have_madt;
}

const struct madt_info *acpi_madt(void)
{
	return have_madt ? &madt : NULL;
}

void acpi_poweroff(void)
{
	/* ACPI 6.4, 4.8.3.2.1 PM1 control: SLP_TYP bits 10-12, SLP_EN bit 13, SCI_EN bit 0 */
	log_flush();		/* the buffered log goes out before the machine does */
	if (!have_fadt || !have_s5) {
		log_err("acpi: cannot power off (no FADT or \\_S5)");
		return;
	}
	if (fadt.smi_cmd && fadt.acpi_enable && !(inw((uint16_t)fadt.pm1a_cnt) & 1)) {
		outb((uint16_t)fadt.smi_cmd, fadt.acpi_enable);
		for (int i = 0; i < 300 && !(inw((uint16_t)fadt.pm1a_cnt) & 1); i++)
			io_delay();
	}
	outw((uint16_t)fadt.pm1a_cnt, (uint16_t)(slp_typa << 10 | 1u << 13));
	if (fadt.pm1b_cnt)
		outw((uint16_t)fadt.pm1b_cnt, (uint16_t)(slp_typb << 10 | 1u << 13));
	for (int i = 0; i < 1000; i++)
		io_delay();
	log_err("acpi: power-off did not happen");
}
