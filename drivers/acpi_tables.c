/* ACPI table parsing (see acpi_tables.h). */
#include "drivers/acpi_tables.h"
#include "core/lib.h"

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

bool acpi_checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *b++);
	return sum == 0;
}

bool acpi_rsdp_parse(const uint8_t *p, size_t len, struct acpi_rsdp_info *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 20 || memcmp(p, "RSD PTR ", 8) || !acpi_checksum_ok(p, 20))
		return false;
	out->revision = p[15];
	out->rsdt = rd32(p + 16);
	if (out->revision >= 2 && len >= 36) {
		uint32_t xlen = rd32(p + 20);

		if (xlen >= 36 && xlen <= len && acpi_checksum_ok(p, xlen))
			out->xsdt = rd64(p + 24);
	}
	return out->rsdt || out->xsdt;
}

uint32_t acpi_table_check(const uint8_t *t, size_t avail, const char *sig)
{
	uint32_t len;

	if (avail < ACPI_SDT_HEADER_LEN)
		return 0;
	len = rd32(t + 4);
	if (len < ACPI_SDT_HEADER_LEN || len > avail)
		return 0;
	if (sig && memcmp(t, sig, 4))
		return 0;
	if (!acpi_checksum_ok(t, len))
		return 0;
	return len;
}

unsigned acpi_sdt_count(uint32_t len, bool xsdt)
{
	if (len < ACPI_SDT_HEADER_LEN)
		return 0;
	return (len - ACPI_SDT_HEADER_LEN) / (xsdt ? 8 : 4);
}

paddr_t acpi_sdt_entry(const uint8_t *t, unsigned i, bool xsdt)
{
	const uint8_t *e = t + ACPI_SDT_HEADER_LEN + (size_t)i * (xsdt ? 8 : 4);

	return xsdt ? rd64(e) : rd32(e);
}

static void madt_add_cpu(struct madt_info *m, uint32_t apic_id, uint32_t uid,
			 uint32_t flags, bool x2)
{
	/* 5.2.12.2: bit 0 Enabled, bit 1 Online Capable (hot-plug later) */
	if (m->cpu_count == MADT_MAX_CPUS) {
		m->dropped++;
		return;
	}
	m->cpus[m->cpu_count++] = (struct madt_cpu){ apic_id, uid, flags & 1, x2 };
}

static void madt_entry(struct madt_info *m, const uint8_t *e, uint8_t type, uint8_t len)
{
	switch (type) {
	case 0:		/* Processor Local APIC, 8 bytes */
		if (len >= 8)
			madt_add_cpu(m, e[3], e[2], rd32(e + 4), false);
		break;
	case 1:		/* I/O APIC, 12 bytes */
		if (len < 12)
			break;
		if (m->ioapic_count == MADT_MAX_IOAPICS) {
			m->dropped++;
			break;
		}
		m->ioapics[m->ioapic_count++] =
			(struct madt_ioapic){ e[2], rd32(e + 4), rd32(e + 8) };
		break;
	case 2:		/* Interrupt Source Override */
		m->overrides++;
		break;
	case 5:		/* Local APIC Address Override, 12 bytes */
		if (len >= 12)
			m->lapic_addr = rd64(e + 4);
		break;
	case 9:		/* Processor Local x2APIC, 16 bytes */
		if (len >= 16)
			madt_add_cpu(m, rd32(e + 4), rd32(e + 12), rd32(e + 8), true);
		break;
	default:
		break;
	}
}

bool madt_parse(const uint8_t *t, size_t len, struct madt_info *out)
{
	size_t off = ACPI_SDT_HEADER_LEN + 8;

	memset(out, 0, sizeof(*out));
	if (len < off)
		return false;
	out->lapic_addr = rd32(t + 36);
	out->flags = rd32(t + 40);
	while (off + 2 <= len) {
		uint8_t type = t[off], elen = t[off + 1];

		if (elen < 2 || elen > len - off)
			break;		/* corrupt: stop, keep what we have */
		madt_entry(out, t + off, type, elen);
		off += elen;
	}
	return true;
}

bool fadt_parse(const uint8_t *t, size_t len, struct fadt_info *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 76)
		return false;
	out->dsdt = rd32(t + 40);
	out->smi_cmd = rd32(t + 48);
	out->acpi_enable = t[52];
	out->pm1a_cnt = rd32(t + 64);
	out->pm1b_cnt = rd32(t + 68);
	if (len >= 148 && rd64(t + 140))	/* X_DSDT */
		out->dsdt = rd64(t + 140);
	return out->pm1a_cnt != 0;
}

/* One package element: ZeroOp, OneOp, BytePrefix n, or a bare small integer. */
static bool aml_small_int(const uint8_t *p, const uint8_t *end, uint8_t *v, size_t *used)
{
	if (p >= end)
		return false;
	if (*p == 0x0a) {	/* BytePrefix */
		if (p + 1 >= end)
			return false;
		*v = p[1];
		*used = 2;
		return true;
	}
	if (*p == 0x00 || *p == 0x01) {	/* ZeroOp, OneOp */
		*v = *p;
		*used = 1;
		return true;
	}
	return false;
}

bool acpi_find_s5(const uint8_t *t, size_t len, uint8_t *slp_typa, uint8_t *slp_typb)
{
	const uint8_t *end = t + len;

	for (size_t i = ACPI_SDT_HEADER_LEN; i + 4 < len; i++) {
		const uint8_t *p = t + i;
		size_t used;

		if (memcmp(p, "_S5_", 4) || p[4] != 0x12)	/* PackageOp */
			continue;
		/* NameOp before the name, possibly with a root prefix '\' */
		if (!(i >= 1 && p[-1] == 0x08) && !(i >= 2 && p[-2] == 0x08 && p[-1] == '\\'))
			continue;
		p += 5;
		/* PkgLength: lead byte plus 0-3 more, then NumElements */
		if (p >= end || (size_t)(end - p) < 2u + (*p >> 6))
			return false;
		p += 2 + (*p >> 6);
		if (!aml_small_int(p, end, slp_typa, &used))
			return false;
		p += used;
		if (!aml_small_int(p, end, slp_typb, &used))
			*slp_typb = *slp_typa;
		return true;
	}
	return false;
}
