/*
 * The instruction at the guest's RIP, read from its memory: for exits
 * whose operand the CPU does not decode (no decode assists under QEMU and
 * Bochs). The guest's page tables are walked by arch/x86/guest_insn.c;
 * guest-physical addresses go through the partition's NPT, which maps
 * its memory and nothing else.
 */
#include "arch/x86/svm/svm.h"
#include "arch/x86/guest_insn.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/slpt_hv.h"

static bool npt_read(void *ctx, gpa_t gpa, void *buf, size_t len)
{
	const struct vmcb *vmcb = ctx;
	const struct slpt t = { .fmt = &npt_format, .mem = &slpt_hv_alloc,
				.root = vmcb->ctl.n_cr3 };
	paddr_t hpa;

	if (gpa_val(gpa) >> 48 || !slpt_lookup(&t, gpa, &hpa, NULL))
		return false;
	memcpy(buf, phys_to_virt(hpa), len);
	return true;
}

size_t svm_fetch_insn(const struct vmcb *vmcb, uint8_t *buf, size_t len)
{
	const struct vmcb_save *st = &vmcb->save;
	const struct guest_paging pg = { st->cr0, st->cr3, st->cr4, st->efer };
	/* outside 64-bit mode the linear address is CS.base + EIP, 32 bits wide */
	uint64_t la = svm_mode64(vmcb) ? st->rip : (uint32_t)(st->cs.base + st->rip);

	return guest_read_linear(&pg, la, buf, len, npt_read, (void *)(uintptr_t)vmcb);
}
