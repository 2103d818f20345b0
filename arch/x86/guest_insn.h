/*
 * Reading and decoding a guest's instruction where the CPU did not decode
 * it for us: a walk of the guest's own page tables from a linear address
 * to guest-physical ones, and a decoder for MOV to/from a control
 * register. Pure logic over a guest-physical reader, so the back-end
 * supplies the memory access and the unit tests a fake one.
 */
#ifndef ARCH_X86_GUEST_INSN_H
#define ARCH_X86_GUEST_INSN_H

#include "core/types.h"

/* The guest's paging controls, as its CPU has them at the exit. */
struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
};

/* Copy len bytes at guest-physical gpa (within one page); false if it is not guest memory. */
typedef bool (*guest_read_fn)(void *ctx, gpa_t gpa, void *buf, size_t len);

/*
 * Copy up to len bytes from guest linear address la, page by page through
 * the guest's paging structures; stops at the first page that does not
 * translate. Returns the number of bytes copied.
 */
size_t guest_read_linear(const struct guest_paging *pg, uint64_t la, void *buf, size_t len,
			 guest_read_fn read, void *ctx);

/* MOV to or from CRn: 0F 22 /r or 0F 20 /r, with prefixes. */
struct mov_cr {
	uint8_t cr;		/* 0-15 */
	uint8_t gpr;		/* enum gpr */
	uint8_t len;		/* bytes, prefixes included */
	bool to_cr;		/* MOV to CRn */
};

/*
 * Decode the n bytes at b as a MOV to/from a control register, in 64-bit
 * mode (REX prefixes) or not. False if they are something else.
 */
bool x86_decode_mov_cr(const uint8_t *b, size_t n, bool mode64, struct mov_cr *m);

#endif
