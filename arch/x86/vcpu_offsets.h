/*
 * Where the entry stubs (svm/svm_entry.S, vmx/vmx_entry.S) find the guest's
 * general registers: struct vcpu's gpr[] slots, as byte offsets from the
 * struct vcpu pointer. Included by the stubs for the numbers and by each
 * back-end's C code, where every offset is checked against the C layout.
 */
#ifndef ARCH_X86_VCPU_OFFSETS_H
#define ARCH_X86_VCPU_OFFSETS_H

#define VCPU_RAX	0x00
#define VCPU_RCX	0x08
#define VCPU_RDX	0x10
#define VCPU_RBX	0x18
#define VCPU_RSP	0x20
#define VCPU_RBP	0x28
#define VCPU_RSI	0x30
#define VCPU_RDI	0x38
#define VCPU_R8		0x40
#define VCPU_R9		0x48
#define VCPU_R10	0x50
#define VCPU_R11	0x58
#define VCPU_R12	0x60
#define VCPU_R13	0x68
#define VCPU_R14	0x70
#define VCPU_R15	0x78

#ifndef __ASSEMBLY__

#include "core/vcpu.h"

#define VCPU_GPR_AT(r)	_Static_assert(offsetof(struct vcpu, gpr[GPR_##r]) == VCPU_##r, \
				       "entry stubs: struct vcpu's " #r " slot")
VCPU_GPR_AT(RAX);
VCPU_GPR_AT(RCX);
VCPU_GPR_AT(RDX);
VCPU_GPR_AT(RBX);
VCPU_GPR_AT(RSP);
VCPU_GPR_AT(RBP);
VCPU_GPR_AT(RSI);
VCPU_GPR_AT(RDI);
VCPU_GPR_AT(R8);
VCPU_GPR_AT(R9);
VCPU_GPR_AT(R10);
VCPU_GPR_AT(R11);
VCPU_GPR_AT(R12);
VCPU_GPR_AT(R13);
VCPU_GPR_AT(R14);
VCPU_GPR_AT(R15);
#undef VCPU_GPR_AT

#endif /* !__ASSEMBLY__ */
#endif
