/*
 * The MMIO instruction decoder (see mmio_insn.h). Only the moves a driver
 * uses on device registers: MOV (88-8B, C6/C7, A0-A3), MOVZX/MOVSX
 * (0F B6/B7/BE/BF) and XCHG (86/87). Encodings: SDM Vol. 2A, chapter 2
 * (prefixes 2.1.1, ModRM/SIB 2.1.5 Tables 2-1 to 2-3, REX 2.2.1) and the
 * instructions' pages in Vol. 2B.
 */
#include "core/mmio_insn.h"
#include "core/lib.h"
#include "core/vcpu.h"

#define REX_W	0x08
#define REX_R	0x04

/* The bytes left to decode: never past n, nor past the 15-byte limit. */
struct cursor {
	const uint8_t *b;
	size_t end;		/* MIN(n, MMIO_INSN_MAX) */
	size_t at;
};

struct prefixes {
	bool opsize;		/* 66 */
	bool addrsize;		/* 67 */
	bool lock;		/* F0 */
	uint8_t rex;		/* 0x40-0x4f, or 0 when there is none */
};

static bool peek(const struct cursor *c, uint8_t *v)
{
	if (c->at >= c->end)
		return false;
	*v = c->b[c->at];
	return true;
}

static bool next(struct cursor *c, uint8_t *v)
{
	if (!peek(c, v))
		return false;
	c->at++;
	return true;
}

static bool skip(struct cursor *c, size_t k)
{
	if (k > c->end - c->at)
		return false;
	c->at += k;
	return true;
}

/* k little-endian bytes (1, 2, 4 or 8). */
static bool take_le(struct cursor *c, size_t k, uint64_t *v)
{
	*v = 0;
	if (k > c->end - c->at)
		return false;
	for (size_t i = 0; i < k; i++)
		*v |= (uint64_t)c->b[c->at + i] << (8 * i);
	c->at += k;
	return true;
}

static bool is_legacy_prefix(uint8_t v)
{
	switch (v) {
	case 0x66: case 0x67: case 0xf0:
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:	/* segments: the GPA is known */
		return true;
	default:
		return false;	/* F2/F3 (REP) are not used with these moves: not decoded */
	}
}

/*
 * Legacy prefixes in any order, then in 64-bit mode an optional REX. A REX
 * followed by a legacy prefix is ignored (SDM Vol. 2A, 2.2.1: "other
 * placements are ignored"); in 16/32-bit code 40-4F are INC/DEC, not
 * decoded here.
 */
static bool read_prefixes(struct cursor *c, unsigned mode, struct prefixes *p)
{
	uint8_t v;

	for (;;) {
		if (!peek(c, &v))
			return false;
		if (is_legacy_prefix(v)) {
			p->opsize |= v == 0x66;
			p->addrsize |= v == 0x67;
			p->lock |= v == 0xf0;
			p->rex = 0;
		} else if (mode == 64 && (v & 0xf0) == 0x40) {
			p->rex = v;
		} else {
			return true;
		}
		c->at++;
	}
}

/* SDM Vol. 1, 3.6 "Operand-size and address-size attributes" (Tables 3-3 and 3-4). */
static unsigned operand_size(const struct prefixes *p, unsigned mode)
{
	if (mode == 64 && (p->rex & REX_W))
		return 8;
	if (mode == 16)
		return p->opsize ? 4 : 2;
	return p->opsize ? 2 : 4;
}

static unsigned address_size(const struct prefixes *p, unsigned mode)
{
	if (mode == 64)
		return p->addrsize ? 4 : 8;
	if (mode == 32)
		return p->addrsize ? 2 : 4;
	return p->addrsize ? 4 : 2;
}

/*
 * The ModRM byte of a memory operand and the SIB and displacement after
 * it. 16-bit addressing (Table 2-1): mod 00 rm 110 is disp16. 32/64-bit
 * (Tables 2-2, 2-3): rm 100 adds a SIB, whose base 101 with mod 00 is a
 * disp32; mod 00 rm 101 is disp32 (RIP-relative in 64-bit mode, 2.2.1.6).
 * REX.B and REX.X do not change any of this (2.2.1.2, Table 2-5).
 * False for mod 11, a register: no memory access.
 */
static bool modrm_memory(struct cursor *c, unsigned asize, uint8_t *modrm)
{
	uint8_t m, mod, rm, sib;
	size_t disp;

	if (!next(c, &m))
		return false;
	mod = m >> 6;
	rm = m & 7;
	if (mod == 3)
		return false;
	if (asize == 2) {
		disp = mod == 1 ? 1 : (mod == 2 || rm == 6) ? 2 : 0;
	} else {
		disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
		if (rm == 4) {
			if (!next(c, &sib))
				return false;
			if (mod == 0 && (sib & 7) == 5)
				disp = 4;
		} else if (mod == 0 && rm == 5) {
			disp = 4;
		}
	}
	*modrm = m;
	return skip(c, disp);
}

static uint8_t modrm_reg(uint8_t modrm, const struct prefixes *p)
{
	return (uint8_t)((modrm >> 3 & 7) | ((p->rex & REX_R) ? 8 : 0));
}

/*
 * A byte register without REX: 4-7 are AH, CH, DH, BH (SDM Vol. 2A,
 * 2.2.1.2, Table 2-5 note); with any REX they are SPL, BPL, SIL, DIL.
 */
static void byte_register(struct mmio_insn *d, const struct prefixes *p)
{
	if (!p->rex && d->reg >= 4 && d->reg <= 7) {
		d->high8 = true;
		d->reg = (uint8_t)(d->reg & 3);
	}
}

/* 88/89 MOV r/m, r; 8A/8B MOV r, r/m; 86/87 XCHG r/m, r. */
static bool decode_mov_reg(struct cursor *c, uint8_t op, const struct prefixes *p, unsigned mode,
			   struct mmio_insn *d)
{
	uint8_t modrm;

	if (!modrm_memory(c, address_size(p, mode), &modrm))
		return false;
	d->size = (uint8_t)((op & 1) ? operand_size(p, mode) : 1);
	d->dst_size = d->size;
	d->xchg = op == 0x86 || op == 0x87;
	d->write = d->xchg || op == 0x88 || op == 0x89;
	d->reg = modrm_reg(modrm, p);
	if (d->size == 1)
		byte_register(d, p);
	return true;
}

/* C6 /0 MOV r/m8, imm8; C7 /0 MOV r/m, imm16/32 (imm32 sign-extended with REX.W). */
static bool decode_mov_imm(struct cursor *c, uint8_t op, const struct prefixes *p, unsigned mode,
			   struct mmio_insn *d)
{
	uint8_t modrm;
	unsigned isize;

	if (!modrm_memory(c, address_size(p, mode), &modrm) || (modrm >> 3 & 7))
		return false;	/* /1-/7: not a MOV (C6 F8/C7 F8 are XABORT/XBEGIN, mod 11) */
	d->size = (uint8_t)(op == 0xc6 ? 1 : operand_size(p, mode));
	d->dst_size = d->size;
	isize = d->size == 8 ? 4 : d->size;
	if (!take_le(c, isize, &d->imm))
		return false;
	if (d->size == 8 && (d->imm & 0x80000000u))
		d->imm |= 0xffffffff00000000ull;
	d->write = true;
	d->has_imm = true;
	return true;
}

/* A0-A3 MOV AL/eAX, moffs and back: the offset is address-size bytes. */
static bool decode_mov_moffs(struct cursor *c, uint8_t op, const struct prefixes *p, unsigned mode,
			     struct mmio_insn *d)
{
	if (!skip(c, address_size(p, mode)))
		return false;
	d->size = (uint8_t)((op & 1) ? operand_size(p, mode) : 1);
	d->dst_size = d->size;
	d->write = op >= 0xa2;
	d->reg = GPR_RAX;
	return true;
}

/* 0F B6/B7 MOVZX, 0F BE/BF MOVSX: a byte or word read into a wider register. */
static bool decode_movx(struct cursor *c, const struct prefixes *p, unsigned mode,
			struct mmio_insn *d)
{
	uint8_t op2, modrm;

	if (!next(c, &op2))
		return false;
	if (op2 != 0xb6 && op2 != 0xb7 && op2 != 0xbe && op2 != 0xbf)
		return false;
	if (!modrm_memory(c, address_size(p, mode), &modrm))
		return false;
	d->size = (uint8_t)((op2 & 1) ? 2 : 1);
	d->dst_size = (uint8_t)operand_size(p, mode);
	d->ext = op2 >= 0xbe ? MMIO_EXT_SIGN : MMIO_EXT_ZERO;
	d->reg = modrm_reg(modrm, p);
	return true;
}

bool mmio_insn_decode(const uint8_t *b, size_t n, unsigned mode, struct mmio_insn *out)
{
	struct cursor c = { .b = b, .end = MIN(n, (size_t)MMIO_INSN_MAX), .at = 0 };
	struct prefixes p = { .opsize = false, .addrsize = false, .lock = false, .rex = 0 };
	struct mmio_insn d;
	uint8_t op = 0;
	bool ok;

	if (mode != 64 && mode != 32 && mode != 16)
		return false;
	memset(&d, 0, sizeof(d));
	if (!read_prefixes(&c, mode, &p) || !next(&c, &op))
		return false;
	switch (op) {
	case 0x88: case 0x89: case 0x8a: case 0x8b: case 0x86: case 0x87:
		ok = decode_mov_reg(&c, op, &p, mode, &d);
		break;
	case 0xc6: case 0xc7:
		ok = decode_mov_imm(&c, op, &p, mode, &d);
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		ok = decode_mov_moffs(&c, op, &p, mode, &d);
		break;
	case 0x0f:
		ok = decode_movx(&c, &p, mode, &d);
		break;
	default:
		return false;
	}
	/* LOCK is #UD on all but XCHG (SDM Vol. 2A, LOCK): such a MOV never reaches memory. */
	if (!ok || (p.lock && !d.xchg))
		return false;
	d.len = (uint8_t)c.at;
	*out = d;
	return true;
}

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

uint64_t mmio_insn_load(const struct mmio_insn *d, uint64_t old, uint64_t value, unsigned mode)
{
	uint64_t v = value & size_mask(d->size);

	if (d->ext == MMIO_EXT_SIGN && d->size < 8 && (v >> (8 * d->size - 1) & 1))
		v |= ~size_mask(d->size);
	switch (d->dst_size) {
	case 8:
		return v;
	case 4:
		/* SDM Vol. 1, 3.4.1.1: a 32-bit result is zero-extended to 64 bits in 64-bit mode. */
		v &= 0xffffffffull;
		return mode == 64 ? v : (old & ~0xffffffffull) | v;
	case 2:
		return (old & ~0xffffull) | (v & 0xffff);
	default:
		if (d->high8)
			return (old & ~0xff00ull) | (v & 0xff) << 8;
		return (old & ~0xffull) | (v & 0xff);
	}
}

uint64_t mmio_insn_store_value(const struct mmio_insn *d, uint64_t regval)
{
	if (d->has_imm)
		return d->imm & size_mask(d->size);
	if (d->high8)
		return regval >> 8 & 0xff;
	return regval & size_mask(d->size);
}
