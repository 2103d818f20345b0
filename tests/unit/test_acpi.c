/*
 * Host unit tests for drivers/acpi_tables.c. Tables are built by hand and
 * parsed from heap copies of exactly their length, so AddressSanitizer
 * catches any read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/acpi_tables.h"

#define TBL_CAP	4096

struct tbl {
	uint8_t b[TBL_CAP];
	size_t len;
};

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Set p[at] so that the `len` bytes at p sum to zero. */
static void fix_checksum(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;

	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)-sum;
}

/* Start a table: header with `sig`, body empty. */
static void tbl_begin(struct tbl *t, const char *sig)
{
	memset(t->b, 0, sizeof(t->b));
	memcpy(t->b, sig, 4);
	t->b[8] = 2;				/* revision */
	memcpy(t->b + 10, "HVTEST", 6);		/* OEM id */
	t->len = ACPI_SDT_HEADER_LEN;
}

static uint8_t *tbl_grow(struct tbl *t, size_t n)
{
	uint8_t *p = t->b + t->len;

	assert_true(t->len + n <= TBL_CAP);
	t->len += n;
	return p;
}

static void tbl_bytes(struct tbl *t, const void *p, size_t n)
{
	memcpy(tbl_grow(t, n), p, n);
}

/* Write the length and the checksum. */
static void tbl_seal(struct tbl *t)
{
	put32(t->b + 4, (uint32_t)t->len);
	fix_checksum(t->b, t->len, 9);
}

/* A heap copy of exactly `len` bytes; the caller frees it. */
static uint8_t *exact(const void *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	assert_non_null(c);
	memcpy(c, p, len);
	return c;
}

/* --- checksum and RSDP --- */

static void checksum_sums_bytes_to_zero(void **state)
{
	uint8_t b[5] = { 0x10, 0x20, 0x30, 0x40, 0x60 };

	(void)state;
	assert_true(acpi_checksum_ok(b, sizeof(b)));
	b[2]++;
	assert_false(acpi_checksum_ok(b, sizeof(b)));
	assert_true(acpi_checksum_ok(b, 0));
	assert_false(acpi_checksum_ok(b, 1));
}

/* An RSDP of revision `rev`; for rev >= 2 the 36-byte form with an XSDT. */
static void make_rsdp(uint8_t *p, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(p, 0, 36);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "HVTEST", 6);
	p[15] = rev;
	put32(p + 16, rsdt);
	fix_checksum(p, 20, 8);
	if (rev >= 2) {			/* the extended checksum covers the first */
		put32(p + 20, 36);
		put64(p + 24, xsdt);
		fix_checksum(p, 36, 32);
	}
}

static bool rsdp_parse_exact(const uint8_t *p, size_t len, struct acpi_rsdp_info *info)
{
	uint8_t *c = exact(p, len);
	bool ok = acpi_rsdp_parse(c, len, info);

	free(c);
	return ok;
}

static void rsdp_v1_gives_rsdt(void **state)
{
	uint8_t p[36];
	struct acpi_rsdp_info info;

	(void)state;
	make_rsdp(p, 0, 0x7fe1000, 0);
	assert_true(rsdp_parse_exact(p, 20, &info));
	assert_int_equal(info.revision, 0);
	assert_true(info.rsdt == 0x7fe1000);
	assert_true(info.xsdt == 0);
}

static void rsdp_v2_gives_xsdt(void **state)
{
	uint8_t p[36];
	struct acpi_rsdp_info info;

	(void)state;
	make_rsdp(p, 2, 0x7fe1000, 0x17fe2000ull);
	assert_true(rsdp_parse_exact(p, 36, &info));
	assert_int_equal(info.revision, 2);
	assert_true(info.rsdt == 0x7fe1000);
	assert_true(info.xsdt == 0x17fe2000ull);
}

static void rsdp_v2_bad_extended_checksum_ignores_xsdt(void **state)
{
	uint8_t p[36];
	struct acpi_rsdp_info info;

	(void)state;
	make_rsdp(p, 2, 0x7fe1000, 0x17fe2000ull);
	p[33] ^= 1;				/* outside the first 20 bytes */
	assert_true(rsdp_parse_exact(p, 36, &info));
	assert_true(info.rsdt == 0x7fe1000);
	assert_true(info.xsdt == 0);
}

static void rsdp_v2_bad_length_ignores_xsdt(void **state)
{
	uint8_t p[36];
	struct acpi_rsdp_info info;

	(void)state;
	make_rsdp(p, 2, 0x7fe1000, 0x17fe2000ull);
	put32(p + 20, 40);			/* longer than the copy */
	fix_checksum(p, 36, 32);
	assert_true(rsdp_parse_exact(p, 36, &info));
	assert_true(info.xsdt == 0);
	put32(p + 20, 20);			/* shorter than the v2 form */
	fix_checksum(p, 36, 32);
	assert_true(rsdp_parse_exact(p, 36, &info));
	assert_true(info.xsdt == 0);
}

static void rsdp_v2_short_copy_ignores_xsdt(void **state)
{
	uint8_t p[36];
	struct acpi_rsdp_info info;

	(void)state;
	make_rsdp(p, 2, 0x7fe1000, 0x17fe2000ull);
	assert_true(rsdp_parse_exact(p, 20, &info));
	assert_int_equal(info.revision, 2);
	assert_true(info.xsdt == 0);
}

static void rsdp_v2_xsdt_only_is_enough(void **state)
{
	uint8_t p[36];
	struct acpi_rsdp_info info;

	(void)state;
	make_rsdp(p, 2, 0, 0x17fe2000ull);
	assert_true(rsdp_parse_exact(p, 36, &info));
	assert_true(info.rsdt == 0);
	assert_true(info.xsdt == 0x17fe2000ull);
}

static void rsdp_rejects_bad_copies(void **state)
{
	uint8_t p[36];
	struct acpi_rsdp_info info;

	(void)state;
	make_rsdp(p, 0, 0x7fe1000, 0);
	assert_false(rsdp_parse_exact(p, 19, &info));		/* short */
	p[7] = '_';						/* signature */
	fix_checksum(p, 20, 8);
	assert_false(rsdp_parse_exact(p, 20, &info));
	make_rsdp(p, 0, 0x7fe1000, 0);
	p[16]++;						/* checksum */
	assert_false(rsdp_parse_exact(p, 20, &info));
	make_rsdp(p, 0, 0, 0);					/* no tables */
	assert_false(rsdp_parse_exact(p, 20, &info));
	make_rsdp(p, 2, 0, 0);
	assert_false(rsdp_parse_exact(p, 36, &info));
}

/* --- table headers and the XSDT/RSDT --- */

static uint32_t check_exact(const struct tbl *t, size_t avail, const char *sig)
{
	uint8_t *c = exact(t->b, avail);
	uint32_t len = acpi_table_check(c, avail, sig);

	free(c);
	return len;
}

static void table_check_accepts_good_table(void **state)
{
	static struct tbl t;

	(void)state;
	tbl_begin(&t, "SSDT");
	tbl_bytes(&t, "\x10\x20\x30", 3);
	tbl_seal(&t);
	assert_int_equal(check_exact(&t, t.len, "SSDT"), 39);
	assert_int_equal(check_exact(&t, t.len, NULL), 39);
	assert_int_equal(check_exact(&t, t.len + 100, "SSDT"), 39);	/* more readable */
}

static void table_check_rejects_bad_length(void **state)
{
	static struct tbl t;

	(void)state;
	tbl_begin(&t, "APIC");
	tbl_grow(&t, 8);
	tbl_seal(&t);
	assert_int_equal(check_exact(&t, t.len - 1, "APIC"), 0);	/* longer than readable */
	assert_int_equal(check_exact(&t, 35, NULL), 0);			/* no whole header */
	put32(t.b + 4, 35);						/* shorter than a header */
	fix_checksum(t.b, 35, 9);
	assert_int_equal(check_exact(&t, t.len, NULL), 0);
	put32(t.b + 4, 0);
	assert_int_equal(check_exact(&t, t.len, NULL), 0);
}

static void table_check_rejects_bad_checksum(void **state)
{
	static struct tbl t;

	(void)state;
	tbl_begin(&t, "FACP");
	tbl_grow(&t, 8);
	tbl_seal(&t);
	t.b[40] ^= 0x80;
	assert_int_equal(check_exact(&t, t.len, "FACP"), 0);
	assert_int_equal(check_exact(&t, t.len, NULL), 0);
}

static void table_check_rejects_wrong_signature(void **state)
{
	static struct tbl t;

	(void)state;
	tbl_begin(&t, "APIC");
	tbl_seal(&t);
	assert_int_equal(check_exact(&t, t.len, "FACP"), 0);
	assert_int_equal(check_exact(&t, t.len, "APIC"), 36);
}

static void sdt_entries_xsdt_and_rsdt(void **state)
{
	static struct tbl x, r;
	uint8_t *c;

	(void)state;
	tbl_begin(&x, "XSDT");
	put64(tbl_grow(&x, 8), 0x7fe3000);
	put64(tbl_grow(&x, 8), 0x17fe4000ull);
	tbl_grow(&x, 4);			/* a stray half entry */
	tbl_seal(&x);
	assert_int_equal(acpi_sdt_count((uint32_t)x.len, true), 2);
	c = exact(x.b, x.len);
	assert_true(acpi_sdt_entry(c, 0, true) == 0x7fe3000);
	assert_true(acpi_sdt_entry(c, 1, true) == 0x17fe4000ull);
	free(c);

	tbl_begin(&r, "RSDT");
	put32(tbl_grow(&r, 4), 0x7fe3000);
	put32(tbl_grow(&r, 4), 0x7fe5000);
	put32(tbl_grow(&r, 4), 0x7fe6000);
	tbl_seal(&r);
	assert_int_equal(acpi_sdt_count((uint32_t)r.len, false), 3);
	c = exact(r.b, r.len);
	assert_true(acpi_sdt_entry(c, 2, false) == 0x7fe6000);
	free(c);

	assert_int_equal(acpi_sdt_count(36, true), 0);
	assert_int_equal(acpi_sdt_count(35, false), 0);
	assert_int_equal(acpi_sdt_count(0, true), 0);
}

/* --- MADT --- */

static void madt_begin(struct tbl *t, uint32_t lapic_addr, uint32_t flags)
{
	tbl_begin(t, "APIC");
	put32(tbl_grow(t, 4), lapic_addr);
	put32(tbl_grow(t, 4), flags);
}

static uint8_t *madt_entry(struct tbl *t, uint8_t type, uint8_t len)
{
	uint8_t *e = tbl_grow(t, len);

	e[0] = type;
	e[1] = len;
	return e;
}

static void madt_lapic(struct tbl *t, uint8_t uid, uint8_t apic_id, uint32_t flags)
{
	uint8_t *e = madt_entry(t, 0, 8);

	e[2] = uid;
	e[3] = apic_id;
	put32(e + 4, flags);
}

static void madt_ioapic(struct tbl *t, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
	uint8_t *e = madt_entry(t, 1, 12);

	e[2] = id;
	put32(e + 4, addr);
	put32(e + 8, gsi_base);
}

static void madt_override(struct tbl *t, uint8_t source, uint32_t gsi, uint16_t flags)
{
	uint8_t *e = madt_entry(t, 2, 10);

	e[2] = 0;			/* ISA */
	e[3] = source;
	put32(e + 4, gsi);
	put16(e + 8, flags);
}

static void madt_x2apic(struct tbl *t, uint32_t apic_id, uint32_t flags, uint32_t uid)
{
	uint8_t *e = madt_entry(t, 9, 16);

	put32(e + 4, apic_id);
	put32(e + 8, flags);
	put32(e + 12, uid);
}

static bool madt_parse_exact(const struct tbl *t, struct madt_info *m)
{
	uint8_t *c = exact(t->b, t->len);
	bool ok = madt_parse(c, t->len, m);

	free(c);
	return ok;
}

static void assert_cpu(const struct madt_cpu *c, uint32_t apic_id, uint32_t uid,
		       bool enabled, bool x2)
{
	assert_int_equal(c->apic_id, apic_id);
	assert_int_equal(c->acpi_uid, uid);
	assert_int_equal(c->enabled, enabled);
	assert_int_equal(c->x2apic_entry, x2);
}

static void madt_parses_all_entry_kinds(void **state)
{
	static struct tbl t;
	static struct madt_info m;
	uint8_t nmi[6] = { 4, 6, 0xff, 5, 0, 1 };	/* LAPIC NMI: skipped */

	(void)state;
	madt_begin(&t, 0xfee00000, 1);
	madt_lapic(&t, 0, 0, 1);
	madt_lapic(&t, 1, 2, 1);
	madt_lapic(&t, 2, 4, 0);			/* disabled */
	madt_lapic(&t, 3, 6, 2);			/* online capable only */
	madt_ioapic(&t, 8, 0xfec00000, 0);
	madt_override(&t, 0, 2, 0);
	madt_override(&t, 9, 9, 0xd);
	tbl_bytes(&t, nmi, sizeof(nmi));
	madt_x2apic(&t, 0x100, 1, 17);
	madt_ioapic(&t, 9, 0xfec01000, 24);
	tbl_seal(&t);

	assert_true(madt_parse_exact(&t, &m));
	assert_true(m.lapic_addr == 0xfee00000);
	assert_int_equal(m.flags, 1);
	assert_int_equal(m.cpu_count, 5);
	assert_cpu(&m.cpus[0], 0, 0, true, false);
	assert_cpu(&m.cpus[1], 2, 1, true, false);
	assert_cpu(&m.cpus[2], 4, 2, false, false);
	assert_cpu(&m.cpus[3], 6, 3, false, false);
	assert_cpu(&m.cpus[4], 0x100, 17, true, true);
	assert_int_equal(m.ioapic_count, 2);
	assert_int_equal(m.ioapics[0].id, 8);
	assert_true(m.ioapics[0].addr == 0xfec00000);
	assert_int_equal(m.ioapics[0].gsi_base, 0);
	assert_int_equal(m.ioapics[1].id, 9);
	assert_true(m.ioapics[1].addr == 0xfec01000);
	assert_int_equal(m.ioapics[1].gsi_base, 24);
	assert_int_equal(m.overrides, 2);
	assert_int_equal(m.dropped, 0);
}

static void madt_lapic_address_override_wins(void **state)
{
	static struct tbl t;
	static struct madt_info m;
	uint8_t *e;

	(void)state;
	madt_begin(&t, 0xfee00000, 0);
	e = madt_entry(&t, 5, 12);
	put64(e + 4, 0x1fee00000ull);
	madt_lapic(&t, 0, 0, 1);
	tbl_seal(&t);
	assert_true(madt_parse_exact(&t, &m));
	assert_true(m.lapic_addr == 0x1fee00000ull);
	assert_int_equal(m.cpu_count, 1);
}

static void madt_short_fixed_part_is_rejected(void **state)
{
	static struct tbl t;
	static struct madt_info m;

	(void)state;
	madt_begin(&t, 0xfee00000, 0);
	t.len = 43;
	assert_false(madt_parse_exact(&t, &m));
	assert_int_equal(m.cpu_count, 0);
	t.len = 44;				/* no entries is fine */
	assert_true(madt_parse_exact(&t, &m));
	assert_int_equal(m.cpu_count, 0);
}

static void madt_zero_length_entry_stops_parsing(void **state)
{
	static struct tbl t;
	static struct madt_info m;

	(void)state;
	madt_begin(&t, 0xfee00000, 0);
	madt_lapic(&t, 0, 0, 1);
	madt_entry(&t, 0, 8)[1] = 0;		/* corrupt: length 0 */
	madt_lapic(&t, 2, 2, 1);
	tbl_seal(&t);
	assert_true(madt_parse_exact(&t, &m));
	assert_int_equal(m.cpu_count, 1);
	assert_int_equal(m.cpus[0].apic_id, 0);
}

static void madt_length_one_entry_stops_parsing(void **state)
{
	static struct tbl t;
	static struct madt_info m;

	(void)state;
	madt_begin(&t, 0xfee00000, 0);
	madt_lapic(&t, 0, 0, 1);
	madt_entry(&t, 0, 8)[1] = 1;
	madt_lapic(&t, 2, 2, 1);
	tbl_seal(&t);
	assert_true(madt_parse_exact(&t, &m));
	assert_int_equal(m.cpu_count, 1);
}

static void madt_entry_past_table_end_stops_parsing(void **state)
{
	static struct tbl t;
	static struct madt_info m;

	(void)state;
	madt_begin(&t, 0xfee00000, 0);
	madt_lapic(&t, 0, 0, 1);
	madt_ioapic(&t, 1, 0xfec00000, 0);
	t.len -= 4;				/* the I/O APIC entry is cut short */
	tbl_seal(&t);
	assert_true(madt_parse_exact(&t, &m));
	assert_int_equal(m.cpu_count, 1);
	assert_int_equal(m.ioapic_count, 0);
}

static void madt_x2apic_entry_longer_than_table_stops(void **state)
{
	static struct tbl t;
	static struct madt_info m;
	uint8_t *e;

	(void)state;
	madt_begin(&t, 0xfee00000, 0);
	madt_lapic(&t, 0, 0, 1);
	e = madt_entry(&t, 9, 8);		/* room for 8 ... */
	e[1] = 200;				/* ... but claims 200 */
	tbl_seal(&t);
	assert_true(madt_parse_exact(&t, &m));
	assert_int_equal(m.cpu_count, 1);
}

static void madt_trailing_byte_is_ignored(void **state)
{
	static struct tbl t;
	static struct madt_info m;

	(void)state;
	madt_begin(&t, 0xfee00000, 0);
	madt_lapic(&t, 0, 0, 1);
	*tbl_grow(&t, 1) = 0;			/* not even a type and length */
	tbl_seal(&t);
	assert_true(madt_parse_exact(&t, &m));
	assert_int_equal(m.cpu_count, 1);
}

static void madt_short_known_entries_are_skipped(void **state)
{
	static struct tbl t;
	static struct madt_info m;

	(void)state;
	madt_begin(&t, 0xfee00000, 0);
	madt_entry(&t, 0, 6);			/* LAPIC needs 8 */
	madt_entry(&t, 1, 10);			/* I/O APIC needs 12 */
	madt_entry(&t, 5, 8);			/* address override needs 12 */
	madt_entry(&t, 9, 12);			/* x2APIC needs 16 */
	madt_lapic(&t, 7, 7, 1);		/* parsing goes on */
	tbl_seal(&t);
	assert_true(madt_parse_exact(&t, &m));
	assert_int_equal(m.cpu_count, 1);
	assert_int_equal(m.cpus[0].apic_id, 7);
	assert_int_equal(m.ioapic_count, 0);
	assert_true(m.lapic_addr == 0xfee00000);
}

static void madt_longer_entries_are_accepted(void **state)
{
	static struct tbl t;
	static struct madt_info m;
	uint8_t *e;

	(void)state;
	madt_begin(&t, 0xfee00000, 0);
	e = madt_entry(&t, 0, 12);		/* a future, longer LAPIC entry */
	e[2] = 5;
	e[3] = 6;
	put32(e + 4, 1);
	madt_lapic(&t, 1, 1, 1);
	tbl_seal(&t);
	assert_true(madt_parse_exact(&t, &m));
	assert_int_equal(m.cpu_count, 2);
	assert_cpu(&m.cpus[0], 6, 5, true, false);
}

static void madt_too_many_cpus_are_dropped(void **state)
{
	static struct tbl t;
	static struct madt_info m;

	(void)state;
	madt_begin(&t, 0xfee00000, 0);
	for (unsigned i = 0; i < MADT_MAX_CPUS + 3; i++)
		madt_lapic(&t, (uint8_t)i, (uint8_t)i, 1);
	tbl_seal(&t);
	assert_true(madt_parse_exact(&t, &m));
	assert_int_equal(m.cpu_count, MADT_MAX_CPUS);
	assert_int_equal(m.dropped, 3);
}

static void madt_too_many_ioapics_are_dropped(void **state)
{
	static struct tbl t;
	static struct madt_info m;

	(void)state;
	madt_begin(&t, 0xfee00000, 0);
	for (unsigned i = 0; i < MADT_MAX_IOAPICS + 1; i++)
		madt_ioapic(&t, (uint8_t)i, 0xfec00000 + i * 0x1000, i * 24);
	tbl_seal(&t);
	assert_true(madt_parse_exact(&t, &m));
	assert_int_equal(m.ioapic_count, MADT_MAX_IOAPICS);
	assert_int_equal(m.dropped, 1);
	assert_int_equal(m.ioapics[MADT_MAX_IOAPICS - 1].gsi_base, (MADT_MAX_IOAPICS - 1) * 24);
}

/* --- FADT --- */

/* A FADT of `len` bytes with the fields we read. */
static void make_fadt(struct tbl *t, size_t len, uint64_t x_dsdt)
{
	uint8_t *f;

	tbl_begin(t, "FACP");
	tbl_grow(t, len - ACPI_SDT_HEADER_LEN);
	f = t->b;
	put32(f + 40, 0x7fe0000);		/* DSDT */
	put32(f + 48, 0xb2);			/* SMI_CMD */
	f[52] = 0xf1;				/* ACPI_ENABLE */
	put32(f + 64, 0x604);			/* PM1a_CNT_BLK */
	put32(f + 68, 0x804);			/* PM1b_CNT_BLK */
	if (len >= 148)
		put64(f + 140, x_dsdt);
	tbl_seal(t);
}

static bool fadt_parse_exact(const struct tbl *t, struct fadt_info *f)
{
	uint8_t *c = exact(t->b, t->len);
	bool ok = fadt_parse(c, t->len, f);

	free(c);
	return ok;
}

static void fadt_fields_are_read(void **state)
{
	static struct tbl t;
	struct fadt_info f;

	(void)state;
	make_fadt(&t, 116, 0);			/* ACPI 1.0 size */
	assert_true(fadt_parse_exact(&t, &f));
	assert_true(f.dsdt == 0x7fe0000);
	assert_int_equal(f.smi_cmd, 0xb2);
	assert_int_equal(f.acpi_enable, 0xf1);
	assert_int_equal(f.pm1a_cnt, 0x604);
	assert_int_equal(f.pm1b_cnt, 0x804);
}

static void fadt_x_dsdt_wins_when_set(void **state)
{
	static struct tbl t;
	struct fadt_info f;

	(void)state;
	make_fadt(&t, 276, 0x17fe0000ull);
	assert_true(fadt_parse_exact(&t, &f));
	assert_true(f.dsdt == 0x17fe0000ull);
	make_fadt(&t, 276, 0);
	assert_true(fadt_parse_exact(&t, &f));
	assert_true(f.dsdt == 0x7fe0000);
}

static void fadt_x_dsdt_needs_the_whole_field(void **state)
{
	static struct tbl t;
	struct fadt_info f;

	(void)state;
	make_fadt(&t, 148, 0x17fe0000ull);
	t.len = 147;				/* the last byte of X_DSDT is missing */
	assert_true(fadt_parse_exact(&t, &f));
	assert_true(f.dsdt == 0x7fe0000);
}

static void fadt_short_or_without_pm1a_is_rejected(void **state)
{
	static struct tbl t;
	struct fadt_info f;

	(void)state;
	make_fadt(&t, 116, 0);
	t.len = 75;
	assert_false(fadt_parse_exact(&t, &f));
	t.len = 76;
	assert_true(fadt_parse_exact(&t, &f));
	put32(t.b + 64, 0);
	assert_false(fadt_parse_exact(&t, &f));
}

/* --- \_S5 --- */

/* A DSDT: header, some filler AML, then `aml`. */
static void make_dsdt(struct tbl *t, const void *aml, size_t n)
{
	static const uint8_t filler[] = { 0x10, 0x05, '_', 'S', 'B', '_', 0x5b, 0x82 };

	tbl_begin(t, "DSDT");
	tbl_bytes(t, filler, sizeof(filler));
	tbl_bytes(t, aml, n);
	tbl_seal(t);
}

static bool s5_exact(const struct tbl *t, uint8_t *a, uint8_t *b)
{
	uint8_t *c = exact(t->b, t->len);
	bool ok;

	*a = *b = 0xee;
	ok = acpi_find_s5(c, t->len, a, b);
	free(c);
	return ok;
}

static void s5_byte_prefix_form(void **state)
{
	static const uint8_t aml[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x04,
		0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00,
	};
	static struct tbl t;
	uint8_t a, b;

	(void)state;
	make_dsdt(&t, aml, sizeof(aml));
	assert_true(s5_exact(&t, &a, &b));
	assert_int_equal(a, 5);
	assert_int_equal(b, 7);
}

static void s5_zero_and_one_op_form(void **state)
{
	static const uint8_t aml[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x01, 0x00, 0x00,
	};
	static struct tbl t;
	uint8_t a, b;

	(void)state;
	make_dsdt(&t, aml, sizeof(aml));
	assert_true(s5_exact(&t, &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
}

static void s5_root_prefix_and_long_pkglength(void **state)
{
	static const uint8_t aml[] = {
		0x08, '\\', '_', 'S', '5', '_', 0x12,
		0x41, 0x00,			/* PkgLength in two bytes */
		0x02, 0x0a, 0x03, 0x0a, 0x04,
	};
	static struct tbl t;
	uint8_t a, b;

	(void)state;
	make_dsdt(&t, aml, sizeof(aml));
	assert_true(s5_exact(&t, &a, &b));
	assert_int_equal(a, 3);
	assert_int_equal(b, 4);
}

static void s5_single_element_repeats_typa(void **state)
{
	static const uint8_t aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0a, 0x06 };
	static struct tbl t;
	uint8_t a, b;

	(void)state;
	make_dsdt(&t, aml, sizeof(aml));
	assert_true(s5_exact(&t, &a, &b));
	assert_int_equal(a, 6);
	assert_int_equal(b, 6);
}

static void s5_reference_without_nameop_is_skipped(void **state)
{
	static const uint8_t aml[] = {
		0x70, '_', 'S', '5', '_', 0x12, 0x0a, 0x02,	/* not a Name() */
		0x0a, 0x01, 0x0a, 0x01,
		0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05,
	};
	static struct tbl t;
	uint8_t a, b;

	(void)state;
	make_dsdt(&t, aml, sizeof(aml));
	assert_true(s5_exact(&t, &a, &b));
	assert_int_equal(a, 5);
	assert_int_equal(b, 5);
}

static void s5_absent_is_not_found(void **state)
{
	static const uint8_t aml[] = {
		0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05,
		0x08, '_', 'S', '5', '_', 0x0a, 0x05,		/* not a package */
	};
	static struct tbl t;
	uint8_t a, b;

	(void)state;
	make_dsdt(&t, aml, sizeof(aml));
	assert_false(s5_exact(&t, &a, &b));
	tbl_begin(&t, "DSDT");
	tbl_seal(&t);
	assert_false(s5_exact(&t, &a, &b));
}

static void s5_in_header_is_ignored(void **state)
{
	static const uint8_t name[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02 };
	static const uint8_t body[] = { 0x0a, 0x05, 0x0a, 0x05 };
	static struct tbl t;
	uint8_t a, b;

	(void)state;
	tbl_begin(&t, "DSDT");
	memcpy(t.b + 16, name, sizeof(name));	/* OEM table id and revision */
	tbl_bytes(&t, body, sizeof(body));
	tbl_seal(&t);
	assert_false(s5_exact(&t, &a, &b));
}

static void s5_bad_element_is_not_found(void **state)
{
	static const uint8_t aml[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0b, 0x05, 0x00,	/* WordPrefix */
	};
	static struct tbl t;
	uint8_t a, b;

	(void)state;
	make_dsdt(&t, aml, sizeof(aml));
	assert_false(s5_exact(&t, &a, &b));
}

/* Cut the table at every point inside the package: never found, never a stray read. */
static void s5_truncated_package_is_not_found(void **state)
{
	static const uint8_t aml[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x04, 0x0a, 0x05,
	};
	static struct tbl t;
	uint8_t a, b;

	(void)state;
	make_dsdt(&t, aml, sizeof(aml));
	for (size_t cut = 1; cut <= 5; cut++) {
		size_t full = t.len;

		t.len = full - cut;
		assert_false(s5_exact(&t, &a, &b));
		t.len = full;
	}
	assert_true(s5_exact(&t, &a, &b));
	assert_int_equal(a, 5);
	assert_int_equal(b, 5);			/* second element cut off: repeats */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(checksum_sums_bytes_to_zero),
		cmocka_unit_test(rsdp_v1_gives_rsdt),
		cmocka_unit_test(rsdp_v2_gives_xsdt),
		cmocka_unit_test(rsdp_v2_bad_extended_checksum_ignores_xsdt),
		cmocka_unit_test(rsdp_v2_bad_length_ignores_xsdt),
		cmocka_unit_test(rsdp_v2_short_copy_ignores_xsdt),
		cmocka_unit_test(rsdp_v2_xsdt_only_is_enough),
		cmocka_unit_test(rsdp_rejects_bad_copies),
		cmocka_unit_test(table_check_accepts_good_table),
		cmocka_unit_test(table_check_rejects_bad_length),
		cmocka_unit_test(table_check_rejects_bad_checksum),
		cmocka_unit_test(table_check_rejects_wrong_signature),
		cmocka_unit_test(sdt_entries_xsdt_and_rsdt),
		cmocka_unit_test(madt_parses_all_entry_kinds),
		cmocka_unit_test(madt_lapic_address_override_wins),
		cmocka_unit_test(madt_short_fixed_part_is_rejected),
		cmocka_unit_test(madt_zero_length_entry_stops_parsing),
		cmocka_unit_test(madt_length_one_entry_stops_parsing),
		cmocka_unit_test(madt_entry_past_table_end_stops_parsing),
		cmocka_unit_test(madt_x2apic_entry_longer_than_table_stops),
		cmocka_unit_test(madt_trailing_byte_is_ignored),
		cmocka_unit_test(madt_short_known_entries_are_skipped),
		cmocka_unit_test(madt_longer_entries_are_accepted),
		cmocka_unit_test(madt_too_many_cpus_are_dropped),
		cmocka_unit_test(madt_too_many_ioapics_are_dropped),
		cmocka_unit_test(fadt_fields_are_read),
		cmocka_unit_test(fadt_x_dsdt_wins_when_set),
		cmocka_unit_test(fadt_x_dsdt_needs_the_whole_field),
		cmocka_unit_test(fadt_short_or_without_pm1a_is_rejected),
		cmocka_unit_test(s5_byte_prefix_form),
		cmocka_unit_test(s5_zero_and_one_op_form),
		cmocka_unit_test(s5_root_prefix_and_long_pkglength),
		cmocka_unit_test(s5_single_element_repeats_typa),
		cmocka_unit_test(s5_reference_without_nameop_is_skipped),
		cmocka_unit_test(s5_absent_is_not_found),
		cmocka_unit_test(s5_in_header_is_ignored),
		cmocka_unit_test(s5_bad_element_is_not_found),
		cmocka_unit_test(s5_truncated_package_is_not_found),
	};

	return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
