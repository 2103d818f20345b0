/*
 * SynIC end to end, with synthetic timers as the message source
 * (core/abi/synic.h, docs/synic.md): the MSRs' values and #GP rules; a
 * timer's HVMSG_TIMER_EXPIRED lands in its SINT's slot with its vector;
 * a second expiry while the slot is busy sets msg_pending and arrives
 * after EOM; a masked SINT or a SynIC turned off delivers nothing until it
 * is unmasked or turned on, and then delivers what waited; periodic and
 * direct-mode timers; the highest pending vector is injected first.
 */
#include "tests/guests/guest.h"
#include "core/abi/synic.h"

#define SINT		3
#define SINT_VECTOR	0x50
#define DIRECT_VECTOR	0x60
#define OWN_VECTOR	0x40		/* HVCALL_X_SET_TIMER */
#define TIMER_CONFIG(n)	(HV_MSR_STIMER0_CONFIG + 2 * (n))
#define TIMER_COUNT(n)	(HV_MSR_STIMER0_CONFIG + 2 * (n) + 1)
#define REF_PER_MS	10000ull	/* reference time: 100 ns */

static struct hv_message_page msg_page __attribute__((aligned(4096)));
static struct hv_synic_event_flags_page event_page __attribute__((aligned(4096)));
static volatile struct hv_message *const slot = &msg_page.sint_message[SINT];

static volatile unsigned sint_irqs, direct_irqs, own_irqs, order_len;
static volatile uint8_t order[8];
static uint64_t khz;

static void record(uint8_t v)
{
	if (order_len < sizeof(order))
		order[order_len++] = v;
}

static void on_sint(void) { sint_irqs++; record(SINT_VECTOR); }
static void on_direct(void) { direct_irqs++; record(DIRECT_VECTOR); }
static void on_own(void) { own_irqs++; record(OWN_VECTOR); }

static int try_rdmsr(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	expect_fault(2);
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	*val = (uint64_t)hi << 32 | lo;
	return fault_taken();
}

static int try_wrmsr(uint32_t msr, uint64_t val)
{
	expect_fault(2);
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
			 : "memory");
	return fault_taken();
}

static uint64_t rdmsr(uint32_t msr)
{
	uint64_t v = 0;

	try_rdmsr(msr, &v);
	return v;
}

/* Let pending interrupts in for a moment. */
static void open_window(void)
{
	__asm__ volatile("sti; nop; nop; nop; cli" ::: "memory");
}

/* Spin ms milliseconds with IF=0, then exit once (CPUID), so the hypervisor looks at timers. */
static void spin_ms(uint64_t ms)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < khz * ms)
		__asm__ volatile("pause");
	guest_cpuid(0, 0);
}

/* Empty the slot as Linux does (vmbus_signal_eom): type to NONE, then EOM if msg_pending. */
static void consume(void)
{
	__atomic_exchange_n(&slot->header.message_type, HVMSG_NONE, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&slot->header.message_flags, __ATOMIC_SEQ_CST) & HV_MESSAGE_FLAG_PENDING)
		try_wrmsr(HV_MSR_EOM, 0);
}

static const struct hv_timer_message_payload *timer_payload(void)
{
	return (const struct hv_timer_message_payload *)(const void *)slot->payload;
}

/* A one-shot expiry now: with auto-enable, COUNT 1 (long past) enables and fires it. */
static void fire_oneshot(unsigned n)
{
	try_wrmsr(TIMER_CONFIG(n), HV_STIMER_AUTO_ENABLE | (uint64_t)SINT << HV_STIMER_SINT_SHIFT);
	try_wrmsr(TIMER_COUNT(n), 1);
}

static void msr_rules(void)
{
	uint64_t v = 0;

	check(try_rdmsr(HV_MSR_SVERSION, &v) == -1 && v == 1, "SVERSION reads 1");
	check(try_wrmsr(HV_MSR_SVERSION, 1) == 13, "a write to SVERSION raises #GP");
	check(try_rdmsr(HV_MSR_EOM, &v) == 13, "a read of EOM raises #GP");
	check(rdmsr(HV_MSR_SINT0 + SINT) == HV_SINT_MASKED, "a SINT starts masked");
	check(rdmsr(HV_MSR_SCONTROL) == 0 && rdmsr(HV_MSR_SIMP) == 0, "SCONTROL and SIMP start 0");
	check(try_wrmsr(HV_MSR_SCONTROL, 2) == 13, "a reserved SCONTROL bit raises #GP");
	check(try_wrmsr(HV_MSR_SIMP, (uint64_t)&msg_page | 3) == 13,
	      "a reserved SIMP bit raises #GP");
	check(try_wrmsr(HV_MSR_SINT0 + SINT, 15) == 13, "an unmasked SINT with vector 15 raises #GP");
	check(try_wrmsr(HV_MSR_SINT0 + SINT, HV_SINT_MASKED | 1u << 8) == 13,
	      "a reserved SINT bit raises #GP");
	check(try_wrmsr(HV_MSR_SINT0 + SINT, HV_SINT_AS_INTERCEPT | SINT_VECTOR) == 13,
	      "a child may not set as_intercept");
	check(try_wrmsr(TIMER_CONFIG(0), 1ull << 20) == 13, "a reserved STIMER0_CONFIG bit raises #GP");
	check(rdmsr(HV_MSR_SINT0 + SINT) == HV_SINT_MASKED, "refused writes changed nothing");
	check(try_wrmsr(0x400000a0, 0) == 13, "an MSR between SINT15 and STIMER0 raises #GP");
}

static void setup(void)
{
	check(try_wrmsr(HV_MSR_SIMP, (uint64_t)&msg_page | HV_SYNIC_PAGE_ENABLE) == -1 &&
	      rdmsr(HV_MSR_SIMP) == ((uint64_t)&msg_page | HV_SYNIC_PAGE_ENABLE),
	      "SIMP takes the message page");
	try_wrmsr(HV_MSR_SIEFP, (uint64_t)&event_page | HV_SYNIC_PAGE_ENABLE);
	try_wrmsr(HV_MSR_SINT0 + SINT, SINT_VECTOR | HV_SINT_AUTO_EOI);
	try_wrmsr(HV_MSR_SCONTROL, HV_SCONTROL_ENABLE);
	check(rdmsr(HV_MSR_SINT0 + SINT) == (SINT_VECTOR | HV_SINT_AUTO_EOI), "SINT3 reads back");
}

static void message_and_pending(void)
{
	fire_oneshot(0);
	check(slot->header.message_type == HVMSG_TIMER_EXPIRED && slot->header.payload_size == 24,
	      "the expiry is an HVMSG_TIMER_EXPIRED in SINT3's slot");
	check(timer_payload()->timer_index == 0 && timer_payload()->expiration_time == 1 &&
	      timer_payload()->delivery_time >= 1, "its payload names timer 0 and its times");
	check(!(slot->header.message_flags & HV_MESSAGE_FLAG_PENDING), "nothing else waits");
	check(!(rdmsr(TIMER_CONFIG(0)) & HV_STIMER_ENABLE), "a one-shot timer is off after it fired");
	open_window();
	check(sint_irqs == 1, "SINT3's vector arrives");

	fire_oneshot(1);	/* the slot is still full */
	check(slot->header.message_flags & HV_MESSAGE_FLAG_PENDING,
	      "a second expiry while the slot is busy sets msg_pending");
	check(timer_payload()->timer_index == 0, "the first message is left alone");
	open_window();
	check(sint_irqs == 1, "and raises no interrupt");
	consume();
	check(slot->header.message_type == HVMSG_TIMER_EXPIRED && timer_payload()->timer_index == 1,
	      "after EOM the waiting message is in the slot");
	check(!(slot->header.message_flags & HV_MESSAGE_FLAG_PENDING), "with nothing behind it");
	open_window();
	check(sint_irqs == 2, "and its vector arrives");
	consume();
}

static void masked_and_off(void)
{
	try_wrmsr(HV_MSR_SINT0 + SINT, SINT_VECTOR | HV_SINT_MASKED);
	fire_oneshot(0);
	spin_ms(5);
	open_window();
	check(slot->header.message_type == HVMSG_NONE && sint_irqs == 2,
	      "a masked SINT delivers nothing");
	try_wrmsr(HV_MSR_SINT0 + SINT, SINT_VECTOR);
	check(slot->header.message_type == HVMSG_TIMER_EXPIRED && timer_payload()->timer_index == 0,
	      "unmasked, it delivers the message that waited");
	open_window();
	check(sint_irqs == 3, "with its vector");
	consume();

	try_wrmsr(HV_MSR_SCONTROL, 0);
	fire_oneshot(2);
	spin_ms(5);
	open_window();
	check(slot->header.message_type == HVMSG_NONE && sint_irqs == 3,
	      "with SCONTROL off nothing is delivered");
	try_wrmsr(HV_MSR_SCONTROL, HV_SCONTROL_ENABLE);
	open_window();
	check(slot->header.message_type == HVMSG_TIMER_EXPIRED && timer_payload()->timer_index == 2 &&
	      sint_irqs == 4, "turned on, the SynIC delivers what waited");
	consume();
}

/* A periodic 10 ms timer: three messages, each taken in HLT and emptied with EOM. */
static void periodic(void)
{
	uint64_t t0 = rdtsc(), t1, start = sint_irqs;

	try_wrmsr(TIMER_CONFIG(3), HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
				   (uint64_t)SINT << HV_STIMER_SINT_SHIFT);
	try_wrmsr(TIMER_COUNT(3), 10 * REF_PER_MS);
	for (unsigned i = 0; i < 3; i++) {
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		if (slot->header.message_type != HVMSG_TIMER_EXPIRED || timer_payload()->timer_index != 3)
			break;
		consume();
	}
	t1 = rdtsc();
	try_wrmsr(TIMER_CONFIG(3), 0);
	check(sint_irqs - start == 3, "a periodic timer woke HLT three times");
	check(t1 - t0 >= khz * 29, "three 10 ms periods took at least 29 ms");
	gprintf("3 periods in %lu us\n", (t1 - t0) * 1000 / khz);
}

static void direct_and_priority(void)
{
	try_wrmsr(TIMER_CONFIG(0), HV_STIMER_AUTO_ENABLE | HV_STIMER_DIRECT |
				   (uint64_t)DIRECT_VECTOR << HV_STIMER_VECTOR_SHIFT);
	try_wrmsr(TIMER_COUNT(0), 1);
	open_window();
	check(direct_irqs == 1 && slot->header.message_type == HVMSG_NONE,
	      "a direct-mode timer raises its vector, no message");

	/* three vectors pending at once: the highest goes first */
	order_len = 0;
	hypercall(HVCALL_X_SET_TIMER, 1000, OWN_VECTOR);
	fire_oneshot(1);
	try_wrmsr(TIMER_COUNT(0), 1);		/* direct again (auto-enable) */
	spin_ms(5);
	open_window();
	open_window();
	open_window();
	check(order_len == 3 && order[0] == DIRECT_VECTOR && order[1] == SINT_VECTOR &&
	      order[2] == OWN_VECTOR, "pending vectors are injected highest first");
	consume();
}

void guest_main(const struct guest_boot *b)
{
	(void)b;
	khz = guest_tsc_khz();
	set_irq_handler(SINT_VECTOR, on_sint);
	set_irq_handler(DIRECT_VECTOR, on_direct);
	set_irq_handler(OWN_VECTOR, on_own);
	msr_rules();
	setup();
	message_and_pending();
	masked_and_off();
	periodic();
	direct_and_priority();
	check(own_irqs == 1 && direct_irqs == 2, "every interrupt came once");
}
