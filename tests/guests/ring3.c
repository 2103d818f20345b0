/*
 * Hypercalls are for CPL 0 only: from ring 3, VMCALL/VMMCALL raises #UD
 * and the call does not happen (TLFS "Hypercall Restrictions"). Ring 3
 * tries to stop the partition and to cancel the kernel's timer; neither
 * may work.
 */
#include "tests/guests/guest.h"

#define TIMER_VECTOR	0x42
#define VECTOR_UD	6
#define INSN_LEN	3		/* VMCALL and VMMCALL, inline (hypercall_raw) */

static volatile unsigned timer_fired;
static volatile uint64_t user_status;

static void on_timer(void)
{
	timer_fired++;
}

/* CPL 3 */
static void user_stop_partition(void)
{
	user_status = hypercall_raw(HVCALL_X_PARTITION_EXIT, 0x33, 0);
}

/* CPL 3 */
static void user_cancel_timer(void)
{
	user_status = hypercall_raw(HVCALL_X_SET_TIMER, 0, 0);
}

static int try_in_ring3(void (*fn)(void))
{
	expect_fault(INSN_LEN);
	run_user(fn);
	return fault_taken();
}

void guest_main(const struct guest_boot *b)
{
	uint64_t khz = guest_tsc_khz(), t0;

	if (b->vp_index != 0)
		return;
	check(hypercall(HVCALL_X_NULL, 0, 0) == HV_STATUS_SUCCESS,
	      "a hypercall from ring 0 succeeds");
	check(try_in_ring3(user_stop_partition) == VECTOR_UD,
	      "PARTITION_EXIT from ring 3 raises #UD (and the partition runs on)");

	set_irq_handler(TIMER_VECTOR, on_timer);
	t0 = rdtsc();
	check(hypercall(HVCALL_X_SET_TIMER, 20000, TIMER_VECTOR) == HV_STATUS_SUCCESS,
	      "ring 0 arms a 20 ms timer");
	check(try_in_ring3(user_cancel_timer) == VECTOR_UD, "SET_TIMER from ring 3 raises #UD");
	/* wait past the deadline with interrupts off (no HLT: the timer may be gone), then open */
	while (rdtsc() - t0 < khz * 40)
		__asm__ volatile("pause");
	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	check(timer_fired == 1, "ring 3 could not cancel the kernel's timer: it fired");
	check(hypercall(HVCALL_X_NULL, 0, 0) == HV_STATUS_SUCCESS,
	      "back in ring 0, hypercalls work again");
}
