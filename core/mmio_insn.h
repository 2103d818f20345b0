/*
 * The instruction that made a memory-mapped I/O access, decoded from its
 * bytes (the hypervisor reads up to 16 at the guest's CS:RIP; the root
 * finds them in the intercept message). The faulting guest-physical
 * address comes with the exit, so no effective address is computed: only
 * the length, the direction, the size and the register or immediate.
 * Pure: shared by the hypervisor (its local APIC) and the root (its I/O
 * APIC), unit-tested (tests/unit/test_mmio_insn.c) and fuzzed.
 */
#ifndef CORE_MMIO_INSN_H
#define CORE_MMIO_INSN_H

#include "core/types.h"

#define MMIO_INSN_MAX	15	/* the longest x86 instruction (SDM Vol. 2A, 2.3.11) */

/* How a read widens into its destination register. */
#define MMIO_EXT_NONE	0	/* MOV: same size */
#define MMIO_EXT_ZERO	1	/* MOVZX */
#define MMIO_EXT_SIGN	2	/* MOVSX */

struct mmio_insn {
	uint8_t len;		/* bytes of the whole instruction */
	bool write;		/* to memory (XCHG too: see xchg) */
	bool xchg;		/* XCHG: a write of reg, then a read of the old value into reg */
	uint8_t size;		/* 1, 2, 4 or 8: bytes accessed */
	bool has_imm;		/* a write of an immediate (C6/C7) */
	uint64_t imm;		/* that immediate, sign-extended to 64 for C7 with REX.W */
	uint8_t reg;		/* enum gpr (core/vcpu.h) of the register operand */
	bool high8;		/* AH/CH/DH/BH: bits 15:8 of reg (reg is then 0-3) */
	uint8_t ext;		/* reads: MMIO_EXT_* */
	uint8_t dst_size;	/* reads: the destination register's size */
};

/*
 * Decode the n bytes at b as code of `mode` 64 (64-bit), 32 (CS.D=1) or
 * 16 bits. False for anything not decoded (another opcode, a register
 * operand, a truncated instruction, one over 15 bytes): the caller treats
 * the access as unhandled. Never reads past b[n-1]; len <= n when true.
 */
bool mmio_insn_decode(const uint8_t *b, size_t n, unsigned mode, struct mmio_insn *out);

/*
 * The register's new value after a read of `value` (size bytes) given its
 * old value: MOVZX/MOVSX extend to dst_size; a 32-bit destination
 * zero-extends into 64 bits in 64-bit mode; 8- and 16-bit ones keep the
 * rest; high8 goes to bits 15:8.
 */
uint64_t mmio_insn_load(const struct mmio_insn *d, uint64_t old, uint64_t value, unsigned mode);

/* The value a write stores: the immediate or the register's (its bits 15:8 for high8), masked to size. */
uint64_t mmio_insn_store_value(const struct mmio_insn *d, uint64_t regval);

#endif
