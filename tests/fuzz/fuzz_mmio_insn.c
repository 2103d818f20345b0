/*
 * libFuzzer target for core/mmio_insn.c: the input's first byte picks the
 * mode (64, 32 or 16 bits), the rest is the instruction's bytes, copied
 * into a buffer of exactly that size so that ASan catches any read past
 * it. A decoded instruction is no longer than what was given nor than 15
 * bytes, has a sane size and register, decodes the same from exactly its
 * own bytes, and its load and store values stay within their sizes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mmio_insn.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static const unsigned modes[] = { 64, 32, 16 };

static uint64_t mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static void check(const uint8_t *b, size_t n, unsigned mode)
{
	struct mmio_insn d, again;
	uint64_t v;

	if (!mmio_insn_decode(b, n, mode, &d))
		return;
	CHECK(d.len >= 1 && d.len <= n && d.len <= MMIO_INSN_MAX);
	CHECK(d.size == 1 || d.size == 2 || d.size == 4 || d.size == 8);
	CHECK(d.reg < 16 && (!d.high8 || (d.reg < 4 && d.size == 1)));
	CHECK(!d.xchg || d.write);
	CHECK(!d.has_imm || (d.write && !d.xchg));
	CHECK(d.ext <= MMIO_EXT_SIGN && d.dst_size >= d.size);
	CHECK(mmio_insn_decode(b, d.len, mode, &again) && again.len == d.len);
	CHECK(d.len == 1 || !mmio_insn_decode(b, d.len - 1u, mode, &again));
	v = mmio_insn_store_value(&d, 0x0123456789abcdefull);
	CHECK((v & ~mask(d.size)) == 0);
	v = mmio_insn_load(&d, 0, ~0ull, mode);
	CHECK((v & ~mask(d.high8 ? 2 : d.dst_size)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (!size)
		return 0;
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	check(copy, size - 1, modes[data[0] % 3]);
	free(copy);
	return 0;
}
