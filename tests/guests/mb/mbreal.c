/*
 * Real-mode test kernel (see mbreal.S): an exception the hypervisor
 * injects into a real-mode guest must arrive through the IVT without an
 * error code (none is pushed in real mode); with one, VT-x refuses the VM
 * entry (SDM Vol. 3C, 27.2.1.3) and the partition would crash.
 */
#include "tests/guests/mb/mb.h"
#include "core/lib.h"

#define RM_BASE		0x7000u

extern const char rm_blob[], rm_blob_end[], rm_rdmsr[], rm_gp_count[], rm_gp_ip[];

void mbreal_main(uint32_t magic, uint32_t info, uint32_t eflags);
void rm_call(void);

static uint16_t blob_word(const char *label)
{
	return *(volatile uint16_t *)(RM_BASE + (uint32_t)(label - rm_blob));
}

void mbreal_main(uint32_t magic, uint32_t info, uint32_t eflags)
{
	uint16_t count, ip;

	(void)magic, (void)info, (void)eflags;
	mb_idt_install();
	memcpy((void *)RM_BASE, rm_blob, (size_t)(rm_blob_end - rm_blob));
	rm_call();
	count = blob_word(rm_gp_count);
	ip = blob_word(rm_gp_ip);
	mb_printf("mbreal: back in protected mode; #GP taken %u times, at IP 0x%x (RDMSR at 0x%x)\n",
		  count, ip, (uint32_t)(rm_rdmsr - rm_blob));
	check_val(count == 1, "real mode: RDMSR of a denied MSR raises #GP through the IVT", count);
	check_val(ip == (uint16_t)(rm_rdmsr - rm_blob),
		  "real mode: the #GP frame holds no error code (IP is the RDMSR's)", ip);
	mb_exit();
}
