/*
 * Guest page walks and the MOV-CR decoder (see guest_insn.h). Used where
 * the CPU exits on an instruction without telling us its operand: AMD-V
 * without decode assists (QEMU, Bochs) on a MOV to or from CR4.
 */
#include "arch/x86/guest_insn.h"
#include "arch/x86/cpu.h"

#define PTE_P		(1ull << 0)
#define PTE_PS		(1ull << 7)
#define PTE_ADDR	0x000ffffffffff000ull
#define GPA_LIMIT	(1ull << 52)	/* the architectural maximum physical address width */
#define MAX_INSN_LEN	15

/* A paging-structure entry of `size` bytes at guest-physical address `at`. */
static bool read_entry(uint64_t at, unsigned size, uint64_t *e, guest_read_fn read, void *ctx)
{
	*e = 0;
	return at < GPA_LIMIT && read(ctx, to_gpa(at), e, size);
}

/*
 * 8-byte entries from `table` down `levels` levels, 9 address bits each
 * (SDM Vol. 3A, 4.4 PAE paging and 4.5 4/5-level paging). A PS bit ends
 * the walk at level 2 (2 MiB) or 3 (1 GiB, only where large_top allows it).
 */
static bool walk8(uint64_t table, unsigned levels, bool large_top, uint64_t la, gpa_t *gpa,
		  guest_read_fn read, void *ctx)
{
	for (unsigned level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t e, size = 1ull << shift;

		if (!read_entry(table + (la >> shift & 511) * 8, 8, &e, read, ctx) || !(e & PTE_P))
			return false;
		if (level == 1 || ((e & PTE_PS) && (level == 2 || (level == 3 && large_top)))) {
			*gpa = to_gpa(((e & PTE_ADDR) & ~(size - 1)) | (la & (size - 1)));
			return true;
		}
		table = e & PTE_ADDR;
	}
	return false;
}

/* 32-bit paging (SDM Vol. 3A, 4.3): 4-byte entries, 4 MiB pages with CR4.PSE (PSE-36 bits too). */
static bool walk32(const struct guest_paging *pg, uint32_t la, gpa_t *gpa,
		   guest_read_fn read, void *ctx)
{
	uint64_t pde, pte;

	if (!read_entry((pg->cr3 & 0xfffff000u) + (la >> 22) * 4, 4, &pde, read, ctx) ||
	    !(pde & PTE_P))
		return false;
	if ((pde & PTE_PS) && (pg->cr4 & CR4_PSE)) {
		*gpa = to_gpa((pde & 0xffc00000u) | (pde >> 13 & 0xff) << 32 | (la & 0x3fffff));
		return true;
	}
	if (!read_entry((pde & 0xfffff000u) + (la >> 12 & 1023) * 4, 4, &pte, read, ctx) ||
	    !(pte & PTE_P))
		return false;
	*gpa = to_gpa((pte & 0xfffff000u) | (la & 0xfff));
	return true;
}

/* Linear to guest-physical, as the guest's CPU would translate it now. */
static bool translate(const struct guest_paging *pg, uint64_t la, gpa_t *gpa,
		      guest_read_fn read, void *ctx)
{
	uint64_t pdpte;

	if (!(pg->cr0 & CR0_PG)) {
		*gpa = to_gpa((uint32_t)la);
		return true;
	}
	if (pg->efer & EFER_LMA)
		return walk8(pg->cr3 & PTE_ADDR, pg->cr4 & CR4_LA57 ? 5 : 4, true, la, gpa,
			     read, ctx);
	if (!(pg->cr4 & CR4_PAE))
		return walk32(pg, (uint32_t)la, gpa, read, ctx);
	/* PAE: four PDPTEs at CR3[31:5], then a 2-level walk of 8-byte entries */
	if (!read_entry((pg->cr3 & 0xffffffe0u) + ((uint32_t)la >> 30) * 8, 8, &pdpte, read, ctx) ||
	    !(pdpte & PTE_P))
		return false;
	return walk8(pdpte & PTE_ADDR, 2, false, (uint32_t)la, gpa, read, ctx);
}

size_t guest_read_linear(const struct guest_paging *pg, uint64_t la, void *buf, size_t len,
			 guest_read_fn read, void *ctx)
{
	size_t done = 0;

	while (done < len) {
		uint64_t here = la + done;
		gpa_t gpa;
		size_t chunk = MIN(len - done, PAGE_SIZE - (here & (PAGE_SIZE - 1)));

		if (!translate(pg, here, &gpa, read, ctx) ||
		    !read(ctx, gpa, (uint8_t *)buf + done, chunk))
			break;
		done += chunk;
	}
	return done;
}

static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:	/* segments */
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	default:
		return false;
	}
}

/*
 * SDM Vol. 2B "MOV—Move to/from Control Registers": the ModRM mod field
 * is ignored (always a register), reg names the CR (REX.R adds 8), r/m the
 * GPR (REX.B adds 8). A REX prefix counts only right before the opcode. On
 * AMD, LOCK turns CR0 into CR8 (APM Vol. 3, MOV CRn, "AltMovCr8").
 */
bool x86_decode_mov_cr(const uint8_t *b, size_t n, bool mode64, struct mov_cr *m)
{
	size_t i = 0;
	uint8_t rex = 0;
	bool lock = false;

	n = MIN(n, MAX_INSN_LEN);
	for (; i < n; i++) {
		if (is_legacy_prefix(b[i])) {
			lock |= b[i] == 0xf0;
			rex = 0;
		} else if (mode64 && (b[i] & 0xf0) == 0x40) {
			rex = b[i];
		} else {
			break;
		}
	}
	if (i + 3 > n || b[i] != 0x0f || (b[i + 1] != 0x20 && b[i + 1] != 0x22))
		return false;
	m->to_cr = b[i + 1] == 0x22;
	m->cr = (uint8_t)((b[i + 2] >> 3 & 7) | (rex & 4 ? 8 : 0));
	m->gpr = (uint8_t)((b[i + 2] & 7) | (rex & 1 ? 8 : 0));
	m->len = (uint8_t)(i + 3);
	if (lock && m->cr == 0)
		m->cr = 8;
	return true;
}
