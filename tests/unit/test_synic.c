/*
 * Host unit tests for the SynIC (partitions/synic.c) and the synthetic
 * timers (partitions/stimer.c), linked as they are. Guest memory is one
 * page at MSG_GPA (partition_gpa_ptr is a fake), raised vectors are
 * recorded (sched_raise_irq), and time is a variable (sched_now, tsc_khz).
 * The guest's side of a slot is played by the test: it reads the slot and
 * empties it as Linux does (type to HVMSG_NONE, EOM if msg_pending).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <setjmp.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "core/abi/hypercall.h"
#include "core/abi/synic.h"
#include "core/sched.h"
#include "arch/x86/tsc.h"
#include "partitions/partition.h"
#include "partitions/synic.h"

#define MSG_GPA		0x5000ull
#define EVENT_GPA	0x6000ull
#define OUTSIDE_GPA	0x100000ull
#define VEC		0x50

static uint8_t guest_mem[2][4096] __attribute__((aligned(4096)));
static struct partition part;
static struct vp *vp = &part.vps[0];
static struct hv_message_page *page = (struct hv_message_page *)guest_mem[0];

static unsigned raised;
static uint8_t raised_vec[64];
static uint64_t now_tsc;

void *partition_gpa_ptr(struct partition *p, gpa_t gpa, size_t len)
{
	uint64_t a = gpa_val(gpa);

	assert_ptr_equal(p, &part);
	assert_true(len <= 4096);
	if (a == MSG_GPA || a == EVENT_GPA)
		return guest_mem[a == EVENT_GPA];
	return NULL;
}

void sched_raise_irq(struct vp *v, uint8_t vector)
{
	unsigned n = __atomic_fetch_add(&raised, 1, __ATOMIC_RELAXED);

	if (v != vp)
		abort();		/* not assert_*: may run on the sender's thread */
	raised_vec[n % 64] = vector;
}

uint64_t sched_now(void)
{
	return now_tsc;
}

uint64_t tsc_khz(void)
{
	return 1000;		/* 1 tick = 1 us = 10 reference units */
}

static bool wr(uint32_t msr, uint64_t v)
{
	return synic_msr_write(vp, msr, v);
}

static uint64_t rd(uint32_t msr)
{
	uint64_t v = ~0ull;

	assert_true(synic_msr_read(vp, msr, &v));
	return v;
}

static int setup(void **state)
{
	(void)state;
	memset(&part, 0, sizeof(part));
	memset(guest_mem, 0xee, sizeof(guest_mem));	/* enabling a page clears it */
	part.privileges = HV_PRIV_CHILD;
	part.nvps = 1;
	part.created_tsc = 1000;
	now_tsc = 1000;
	vp->vcpu.part = &part;
	synic_init(vp);
	raised = 0;
	return 0;
}

/*
 * After each test: the VP after the one under test is untouched. vps[] is
 * one array inside struct partition, so ASan cannot see a write that runs
 * past the end of vps[0].synic: it would land in vps[1].vcpu, the next
 * VP's general registers, and show in a guest as a stale register.
 */
static int neighbour_untouched(void **state)
{
	static const struct vp zero;

	(void)state;
	assert_memory_equal(&part.vps[1], &zero, sizeof(zero));
	return 0;
}

/* SIMP on, SCONTROL on, SINT n unmasked with VEC. */
static void open_sint(unsigned n)
{
	assert_true(wr(HV_MSR_SIMP, MSG_GPA | HV_SYNIC_PAGE_ENABLE));
	assert_true(wr(HV_MSR_SCONTROL, HV_SCONTROL_ENABLE));
	assert_true(wr(HV_MSR_SINT0 + n, VEC));
}

/* A message whose payload's first byte is seq. */
static struct hv_message msg(uint8_t seq)
{
	struct hv_message m;

	memset(&m, 0, sizeof(m));
	m.header.message_type = 0x1234;
	m.header.payload_size = 8;
	m.header.sender = 77;
	m.payload[0] = seq;
	return m;
}

/* The guest empties slot n; true if it had to write EOM. */
static bool consume(unsigned n)
{
	struct hv_message *s = &page->sint_message[n];

	s->header.message_type = HVMSG_NONE;
	if (!(s->header.message_flags & HV_MESSAGE_FLAG_PENDING))
		return false;
	assert_true(wr(HV_MSR_EOM, 0));
	return true;
}

static void reset_values(void **state)
{
	(void)state;
	assert_int_equal(rd(HV_MSR_SVERSION), HV_SYNIC_VERSION);
	assert_int_equal(rd(HV_MSR_SCONTROL), 0);
	assert_int_equal(rd(HV_MSR_SIMP), 0);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(rd(HV_MSR_SINT0 + i), HV_SINT_MASKED);
}

static void msr_rules(void **state)
{
	uint64_t v;

	(void)state;
	assert_false(wr(HV_MSR_SVERSION, 1));			/* read-only */
	assert_false(synic_msr_read(vp, HV_MSR_EOM, &v));	/* write-only */
	assert_true(wr(HV_MSR_EOM, 0x1234));			/* any value */
	assert_false(wr(HV_MSR_SCONTROL, 2));
	assert_false(wr(HV_MSR_SIMP, MSG_GPA | 2));
	assert_false(wr(HV_MSR_SIEFP, EVENT_GPA | 0x800));
	assert_false(wr(HV_MSR_SIRBP, 0x10));
	assert_false(wr(HV_MSR_SINT0, 15));			/* unmasked below 16 */
	assert_true(wr(HV_MSR_SINT0, HV_SINT_MASKED | 15));	/* masked: any vector */
	assert_true(wr(HV_MSR_SINT0, 16 | HV_SINT_AUTO_EOI | HV_SINT_POLLING));
	assert_false(wr((HV_MSR_SINT0 + 1), HV_SINT_MASKED | 1u << 8));
	assert_false(wr((HV_MSR_SINT0 + 1), HV_SINT_MASKED | 1ull << 21));
	assert_false(wr((HV_MSR_SINT0 + 1), HV_SINT_MASKED | HV_SINT_AS_INTERCEPT)); /* the root's */
	assert_false(wr((HV_MSR_SINT0 + 1), HV_SINT_MASKED | HV_SINT_PROXY));
	assert_int_equal(rd((HV_MSR_SINT0 + 1)), HV_SINT_MASKED);	/* nothing changed */
	part.privileges |= HV_PRIV_CREATE_PARTITIONS;
	assert_true(wr((HV_MSR_SINT0 + 5), VEC | HV_SINT_AS_INTERCEPT));
	/* neighbours of the ranges are not SynIC MSRs */
	assert_false(synic_msr_read(vp, 0x4000007f, &v));
	assert_false(synic_msr_read(vp, 0x40000086, &v));
	assert_false(synic_msr_read(vp, 0x400000a0, &v));
	assert_false(synic_msr_read(vp, 0x400000b8, &v));
	assert_false(wr(0x400000af, 0));
	/* timers */
	assert_false(wr(HV_MSR_STIMER0_CONFIG, 1ull << 20));
	assert_false(wr(HV_MSR_STIMER0_CONFIG, HV_STIMER_ENABLE | HV_STIMER_DIRECT |
						15ull << HV_STIMER_VECTOR_SHIFT));
	assert_true(wr(HV_MSR_STIMER0_CONFIG + 2, 3ull << HV_STIMER_SINT_SHIFT));
	assert_int_equal(rd(HV_MSR_STIMER0_CONFIG + 2), 3ull << HV_STIMER_SINT_SHIFT);
	assert_true(wr(HV_MSR_STIMER3_COUNT, 99));
	assert_int_equal(rd(HV_MSR_STIMER3_COUNT), 99);
}

/* Without the privilege every SynIC (timer) MSR is #GP. */
static void privileges(void **state)
{
	uint64_t v;

	(void)state;
	part.privileges = HV_PRIV_CHILD & ~HV_PRIV_ACCESS_SYNIC_REGS;
	assert_false(synic_msr_read(vp, HV_MSR_SVERSION, &v));
	assert_false(wr(HV_MSR_SCONTROL, 1));
	assert_false(wr(HV_MSR_SINT0 + 2, VEC));
	assert_true(synic_msr_read(vp, HV_MSR_STIMER0_CONFIG, &v));
	part.privileges = HV_PRIV_CHILD & ~HV_PRIV_ACCESS_SYNTHETIC_TIMER_REGS;
	assert_false(synic_msr_read(vp, HV_MSR_STIMER0_CONFIG, &v));
	assert_false(wr(HV_MSR_STIMER3_COUNT, 5));
	assert_true(wr(HV_MSR_SCONTROL, 1));
}

static void free_slot_delivers(void **state)
{
	struct hv_message m = msg(7), *s = &page->sint_message[2];

	(void)state;
	open_sint(2);
	assert_int_equal(page->sint_message[0].header.message_type, 0);	/* page cleared */
	assert_int_equal(synic_post(vp, 2, &m), HV_STATUS_SUCCESS);
	assert_int_equal(s->header.message_type, 0x1234);
	assert_int_equal(s->header.payload_size, 8);
	assert_int_equal(s->header.message_flags, 0);
	assert_int_equal(s->header.sender, 77);
	assert_int_equal(s->payload[0], 7);
	assert_int_equal(raised, 1);
	assert_int_equal(raised_vec[0], VEC);
	assert_int_equal(page->sint_message[3].header.message_type, 0);	/* other slots untouched */
}

static void busy_slot_queues_until_eom(void **state)
{
	struct hv_message a = msg(1), b = msg(2), c = msg(3);
	struct hv_message *s = &page->sint_message[2];

	(void)state;
	open_sint(2);
	synic_post(vp, 2, &a);
	assert_int_equal(synic_post(vp, 2, &b), HV_STATUS_SUCCESS);
	assert_int_equal(synic_post(vp, 2, &c), HV_STATUS_SUCCESS);
	assert_int_equal(s->payload[0], 1);			/* the first stays */
	assert_true(s->header.message_flags & HV_MESSAGE_FLAG_PENDING);
	assert_int_equal(raised, 1);				/* no interrupt for a queued one */
	assert_true(consume(2));
	assert_int_equal(s->payload[0], 2);
	assert_true(s->header.message_flags & HV_MESSAGE_FLAG_PENDING);	/* c waits behind */
	assert_int_equal(raised, 2);
	assert_true(consume(2));
	assert_int_equal(s->payload[0], 3);
	assert_false(s->header.message_flags & HV_MESSAGE_FLAG_PENDING);
	assert_int_equal(raised, 3);
	assert_false(consume(2));
	assert_int_equal(s->header.message_type, HVMSG_NONE);
}

/* An EOM with nothing waiting, or for another SINT's slot, changes nothing. */
static void eom_without_waiting(void **state)
{
	struct hv_message a = msg(1);

	(void)state;
	open_sint(2);
	assert_true(wr(HV_MSR_EOM, 0));
	synic_post(vp, 2, &a);
	assert_true(wr(HV_MSR_EOM, 0));
	assert_int_equal(page->sint_message[2].payload[0], 1);
	assert_int_equal(raised, 1);
}

static void masked_sint_holds_messages(void **state)
{
	struct hv_message a = msg(1);

	(void)state;
	open_sint(2);
	assert_true(wr(HV_MSR_SINT0 + 2, VEC | HV_SINT_MASKED));
	assert_int_equal(synic_post(vp, 2, &a), HV_STATUS_SUCCESS);
	assert_int_equal(page->sint_message[2].header.message_type, HVMSG_NONE);
	assert_int_equal(raised, 0);
	assert_true(wr(HV_MSR_EOM, 0));				/* still masked */
	assert_int_equal(raised, 0);
	assert_true(wr(HV_MSR_SINT0 + 2, VEC));			/* unmasked: it goes */
	assert_int_equal(page->sint_message[2].payload[0], 1);
	assert_int_equal(raised, 1);
}

static void disabled_synic_or_page_holds_messages(void **state)
{
	struct hv_message a = msg(1), b = msg(2);

	(void)state;
	assert_true(wr(HV_MSR_SINT0 + 4, VEC));
	synic_post(vp, 4, &a);					/* SCONTROL and SIMP off */
	assert_true(wr(HV_MSR_SCONTROL, HV_SCONTROL_ENABLE));
	assert_int_equal(raised, 0);
	assert_true(wr(HV_MSR_SIMP, MSG_GPA));			/* placed, not enabled */
	assert_int_equal(raised, 0);
	assert_int_equal(guest_mem[0][0], 0xee);		/* not cleared while off */
	assert_true(wr(HV_MSR_SIMP, MSG_GPA | HV_SYNIC_PAGE_ENABLE));
	assert_int_equal(page->sint_message[4].payload[0], 1);
	assert_int_equal(page->sint_message[0].header.message_type, 0);
	assert_int_equal(raised, 1);
	consume(4);
	assert_true(wr(HV_MSR_SCONTROL, 0));
	synic_post(vp, 4, &b);
	assert_int_equal(page->sint_message[4].header.message_type, HVMSG_NONE);
	assert_true(wr(HV_MSR_SCONTROL, HV_SCONTROL_ENABLE));
	assert_int_equal(page->sint_message[4].payload[0], 2);
}

/* A message page outside the partition's memory: messages wait, nothing is written. */
static void page_outside_memory(void **state)
{
	struct hv_message a = msg(1);

	(void)state;
	open_sint(2);
	assert_true(wr(HV_MSR_SIMP, OUTSIDE_GPA | HV_SYNIC_PAGE_ENABLE));
	assert_int_equal(synic_post(vp, 2, &a), HV_STATUS_SUCCESS);
	assert_int_equal(raised, 0);
	assert_true(wr(HV_MSR_SIMP, MSG_GPA));
	assert_true(wr(HV_MSR_SIMP, MSG_GPA | HV_SYNIC_PAGE_ENABLE));
	assert_int_equal(page->sint_message[2].payload[0], 1);
}

/* The pool bounds what waits; a full pool refuses, nothing already queued is lost. */
static void full_pool_refuses_and_loses_nothing(void **state)
{
	struct synic_node own;
	unsigned seq = 0, got = 0;

	(void)state;
	open_sint(2);
	for (unsigned i = 0; i < 1 + SYNIC_POOL; i++) {
		struct hv_message m = msg((uint8_t)seq++);

		assert_int_equal(synic_post(vp, 2, &m), HV_STATUS_SUCCESS);
	}
	{
		struct hv_message m = msg(99);

		assert_int_equal(synic_post(vp, 2, &m), HV_STATUS_INSUFFICIENT_BUFFERS);
	}
	/* a sender's own node needs no buffer */
	memset(&own, 0, sizeof(own));
	own.msg = msg((uint8_t)seq++);
	assert_int_equal(synic_post_node(vp, 2, &own), HV_STATUS_SUCCESS);
	assert_int_equal(synic_post_node(vp, 2, &own), HV_STATUS_INVALID_VP_STATE);
	/* other SINTs are not held up by SINT 2's queue */
	assert_true(wr(HV_MSR_SINT0 + 6, VEC + 1));
	{
		struct hv_message m = msg(200);

		assert_int_equal(synic_post(vp, 6, &m), HV_STATUS_SUCCESS);
		assert_int_equal(page->sint_message[6].payload[0], 200);
	}
	for (;;) {
		assert_int_equal(page->sint_message[2].payload[0], got);
		got++;
		if (!consume(2))
			break;
	}
	assert_int_equal(got, seq);				/* every one, in order */
	assert_null(own.target);				/* the owner may reuse it */
	assert_int_equal(synic_post_node(vp, 2, &own), HV_STATUS_SUCCESS);
}

/* SINT 2 open, and two sender-owned nodes, unposted, with messages 2 and 3. */
static void two_nodes(struct synic_node *n1, struct synic_node *n2)
{
	open_sint(2);
	memset(n1, 0, sizeof(*n1));
	memset(n2, 0, sizeof(*n2));
	n1->msg = msg(2);
	n2->msg = msg(3);
}

static void withdraw_takes_a_node_back(void **state)
{
	struct synic_node n1, n2;
	struct hv_message a = msg(1);

	(void)state;
	two_nodes(&n1, &n2);
	synic_post(vp, 2, &a);
	synic_post_node(vp, 2, &n1);
	synic_post_node(vp, 2, &n2);
	synic_withdraw(&n1);
	assert_null(n1.target);
	synic_withdraw(&n1);					/* not queued: nothing */
	assert_true(consume(2));
	assert_int_equal(page->sint_message[2].payload[0], 3);
	assert_false(consume(2));
}

/*
 * DeleteVp: the VP's release takes every node queued on it off (their
 * senders own them again), and posts to it after are refused, so a
 * sender's later synic_withdraw or post never walks a queue into a VP
 * that is gone.
 */
static void release_empties_the_queues_and_refuses_posts(void **state)
{
	struct synic_node n1, n2;
	struct hv_message a = msg(1);

	(void)state;
	two_nodes(&n1, &n2);
	assert_int_equal(synic_post(vp, 2, &a), HV_STATUS_SUCCESS);	/* in the slot */
	assert_int_equal(synic_post_node(vp, 2, &n1), HV_STATUS_SUCCESS);	/* queued */
	assert_int_equal(synic_post(vp, 2, &a), HV_STATUS_SUCCESS);	/* a pool node, queued */
	assert_ptr_equal(n1.target, vp);
	synic_release(vp);
	assert_null(n1.target);
	assert_null(vp->synic.head[2]);
	assert_null(vp->synic.tail[2]);
	assert_int_equal(vp->synic.pool_used, 0);
	synic_withdraw(&n1);					/* nothing to do */
	assert_int_equal(synic_post_node(vp, 2, &n2), HV_STATUS_INVALID_VP_STATE);
	assert_null(n2.target);
	assert_int_equal(synic_post(vp, 2, &a), HV_STATUS_INVALID_VP_STATE);
}

static void bad_posts(void **state)
{
	struct hv_message m = msg(1);

	(void)state;
	open_sint(2);
	assert_int_equal(synic_post(vp, 16, &m), HV_STATUS_INVALID_PARAMETER);
	m.header.payload_size = 241;
	assert_int_equal(synic_post(vp, 2, &m), HV_STATUS_INVALID_PARAMETER);
	m.header.payload_size = 0;
	m.header.message_type = HVMSG_NONE;
	assert_int_equal(synic_post(vp, 2, &m), HV_STATUS_INVALID_PARAMETER);
	assert_int_equal(raised, 0);
}

/* Polling mode: the message goes in, no interrupt. */
static void polling_sint(void **state)
{
	struct hv_message m = msg(1);

	(void)state;
	open_sint(2);
	assert_true(wr(HV_MSR_SINT0 + 2, VEC | HV_SINT_POLLING));
	synic_post(vp, 2, &m);
	assert_int_equal(page->sint_message[2].payload[0], 1);
	assert_int_equal(raised, 0);
}

/* The root's pages are placed by the hypervisor and read back before they are enabled. */
static void preset_pages(void **state)
{
	(void)state;
	synic_preset_pages(vp, MSG_GPA, EVENT_GPA, 0x7000);
	assert_int_equal(rd(HV_MSR_SIMP), MSG_GPA);
	assert_int_equal(rd(HV_MSR_SIEFP), EVENT_GPA);
	assert_int_equal(rd(HV_MSR_SIRBP), 0x7000);
	assert_true(wr(HV_MSR_SIMP, rd(HV_MSR_SIMP) | HV_SYNIC_PAGE_ENABLE));
	assert_int_equal(rd(HV_MSR_SIMP), MSG_GPA | HV_SYNIC_PAGE_ENABLE);
}

/* ---- synthetic timers ---- */

static const struct hv_timer_message_payload *timer_payload(unsigned sint)
{
	return (const struct hv_timer_message_payload *)(const void *)page->sint_message[sint].payload;
}

static void oneshot_timer(void **state)
{
	(void)state;
	open_sint(3);
	assert_true(wr(HV_MSR_STIMER0_CONFIG, HV_STIMER_ENABLE | 3ull << HV_STIMER_SINT_SHIFT));
	assert_int_equal(vp->stimer_deadline, 0);		/* COUNT 0: not armed */
	assert_true(wr(HV_MSR_STIMER0_CONFIG + 1, 5000));	/* ref 5000 = 500 us */
	assert_int_equal(vp->stimer_deadline, 1000 + 500);
	assert_int_equal(vp->timer_deadline, 1000 + 500);
	now_tsc = 1000 + 499;
	synic_stimers_expire(vp);
	assert_int_equal(raised, 0);
	now_tsc = 1000 + 600;
	synic_stimers_expire(vp);
	assert_int_equal(raised, 1);
	assert_int_equal(page->sint_message[3].header.message_type, HVMSG_TIMER_EXPIRED);
	assert_int_equal(page->sint_message[3].header.payload_size, 24);
	assert_int_equal(timer_payload(3)->timer_index, 0);
	assert_int_equal(timer_payload(3)->expiration_time, 5000);
	assert_int_equal(timer_payload(3)->delivery_time, 6000);
	assert_int_equal(vp->stimer_deadline, 0);
	assert_false(rd(HV_MSR_STIMER0_CONFIG) & HV_STIMER_ENABLE);
}

static void periodic_timer_coalesces_while_waiting(void **state)
{
	(void)state;
	open_sint(3);
	assert_true(wr(HV_MSR_STIMER0_CONFIG + 2, HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
						  3ull << HV_STIMER_SINT_SHIFT));
	assert_true(wr(HV_MSR_STIMER0_CONFIG + 3, 1000));	/* 100 us */
	assert_int_equal(vp->stimer_deadline, 1100);
	now_tsc = 1100;
	synic_stimers_expire(vp);
	assert_int_equal(timer_payload(3)->timer_index, 1);
	assert_int_equal(vp->stimer_deadline, 1200);		/* re-armed */
	now_tsc = 1200;
	synic_stimers_expire(vp);				/* the slot is busy: queued */
	assert_true(page->sint_message[3].header.message_flags & HV_MESSAGE_FLAG_PENDING);
	now_tsc = 1550;						/* 3 periods: merged, re-armed from now */
	synic_stimers_expire(vp);
	assert_int_equal(vp->stimer_deadline, 1650);
	assert_int_equal(vp->synic.stimer[1].missed, 1);
	assert_true(consume(3));
	assert_int_equal(timer_payload(3)->expiration_time, 2000);
	assert_false(consume(3));
	assert_int_equal(raised, 2);
	assert_true(wr(HV_MSR_STIMER0_CONFIG + 3, 0));		/* COUNT 0 stops it */
	assert_int_equal(vp->stimer_deadline, 0);
	assert_false(rd(HV_MSR_STIMER0_CONFIG + 2) & HV_STIMER_ENABLE);
}

/*
 * A periodic timer whose messages cannot go (SynIC never enabled) wakes
 * nobody, yet each expiry ends the slice of whatever runs on its CPU: its
 * period has a floor of 50 us (a COUNT of 1, 100 ns, once interrupted a
 * neighbour every microsecond).
 */
static void periodic_timer_has_a_floor(void **state)
{
	(void)state;
	assert_true(wr(HV_MSR_STIMER0_CONFIG, HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
					       1ull << HV_STIMER_SINT_SHIFT));
	assert_true(wr(HV_MSR_STIMER0_CONFIG + 1, 1));
	assert_int_equal(vp->stimer_deadline - now_tsc, 50);
	for (int i = 0; i < 100; i++) {
		now_tsc = vp->stimer_deadline;
		synic_stimers_expire(vp);
		assert_true(vp->stimer_deadline - now_tsc >= 50);
	}
	assert_int_equal(raised, 0);
}

/* A direct-mode vector below 16 is refused without ENABLE too: AUTO_ENABLE and COUNT enable it later. */
static void direct_vector_checked_without_enable(void **state)
{
	(void)state;
	assert_false(wr(HV_MSR_STIMER0_CONFIG, HV_STIMER_ENABLE | HV_STIMER_DIRECT |
						2ull << HV_STIMER_VECTOR_SHIFT));
	assert_false(wr(HV_MSR_STIMER0_CONFIG, HV_STIMER_AUTO_ENABLE | HV_STIMER_DIRECT |
						2ull << HV_STIMER_VECTOR_SHIFT));
	assert_true(wr(HV_MSR_STIMER0_CONFIG + 1, 1));
	now_tsc = 1001;
	synic_stimers_expire(vp);
	assert_int_equal(raised, 0);
	assert_true(wr(HV_MSR_STIMER0_CONFIG, HV_STIMER_AUTO_ENABLE | HV_STIMER_DIRECT |
					       0x60ull << HV_STIMER_VECTOR_SHIFT));
}

static void timer_enable_rules(void **state)
{
	(void)state;
	/* message mode on SINT 0 stays off */
	assert_true(wr(HV_MSR_STIMER0_CONFIG, HV_STIMER_ENABLE));
	assert_false(rd(HV_MSR_STIMER0_CONFIG) & HV_STIMER_ENABLE);
	/* auto-enable: a COUNT write enables */
	assert_true(wr(HV_MSR_STIMER0_CONFIG, HV_STIMER_AUTO_ENABLE | 2ull << HV_STIMER_SINT_SHIFT));
	assert_int_equal(vp->stimer_deadline, 0);
	assert_true(wr(HV_MSR_STIMER0_CONFIG + 1, 100));
	assert_true(rd(HV_MSR_STIMER0_CONFIG) & HV_STIMER_ENABLE);
	assert_int_equal(vp->stimer_deadline, 1010);
	/* a huge periodic count never wraps into the past */
	assert_true(wr(HV_MSR_STIMER0_CONFIG + 2, HV_STIMER_ENABLE | HV_STIMER_PERIODIC |
						  2ull << HV_STIMER_SINT_SHIFT));
	assert_true(wr(HV_MSR_STIMER0_CONFIG + 3, ~0ull));
	assert_int_equal(vp->stimer_deadline, 1010);
	assert_true(wr(HV_MSR_STIMER0_CONFIG, 0));
	assert_true((int64_t)(vp->stimer_deadline - now_tsc) > 0);
	/* direct mode raises its vector */
	assert_true(wr(HV_MSR_STIMER0_CONFIG + 4, HV_STIMER_ENABLE | HV_STIMER_DIRECT |
						  0x60ull << HV_STIMER_VECTOR_SHIFT));
	assert_true(wr(HV_MSR_STIMER0_CONFIG + 5, 1));
	now_tsc = 1001;						/* ref 10: due */
	synic_stimers_expire(vp);
	assert_int_equal(raised, 1);
	assert_int_equal(raised_vec[0], 0x60);
}

/* ---- another CPU posting while the guest empties the slot ---- */

#define STRESS_MSGS	60000u
#define STRESS_BURST	3u

static volatile unsigned stress_received;

/*
 * Bursts of STRESS_BURST, each waited for: the last message of a burst
 * has nothing behind it to push it out, so one left queued beside an
 * empty slot would never arrive.
 */
static void *stress_sender(void *arg)
{
	unsigned refused = 0;

	(void)arg;
	for (unsigned i = 0; i < STRESS_MSGS; i++) {
		struct hv_message m = msg(0);

		memcpy(m.payload, &i, sizeof(i));
		while (synic_post(vp, 2, &m) == HV_STATUS_INSUFFICIENT_BUFFERS)
			refused++;	/* the pool is full: retry, as a sender would */
		if (i % STRESS_BURST == STRESS_BURST - 1)
			while (__atomic_load_n(&stress_received, __ATOMIC_ACQUIRE) != i + 1)
				__builtin_ia32_pause();
	}
	return (void *)(uintptr_t)refused;
}

/*
 * A sender thread posts numbered messages while this thread is the
 * guest: it waits for a non-zero type, reads the number, empties the slot
 * with a locked exchange and writes EOM if msg_pending was set. Every
 * message arrives once, in order: the pending/EOM handshake loses none
 * however the two interleave (a lost one would leave the guest waiting
 * for ever: the alarm fails the test).
 */
static void no_message_lost_across_cpus(void **state)
{
	volatile struct hv_message *s = &page->sint_message[2];
	pthread_t sender;
	void *refused;

	(void)state;
	open_sint(2);
	stress_received = 0;
	alarm(30);
	assert_int_equal(pthread_create(&sender, NULL, stress_sender, NULL), 0);
	for (unsigned want = 0; want < STRESS_MSGS; want++) {
		unsigned got;

		while (__atomic_load_n(&s->header.message_type, __ATOMIC_ACQUIRE) == HVMSG_NONE)
			__builtin_ia32_pause();
		memcpy(&got, (const void *)s->payload, sizeof(got));
		assert_int_equal(got, want);
		__atomic_exchange_n(&s->header.message_type, HVMSG_NONE, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&s->header.message_flags, __ATOMIC_SEQ_CST) &
		    HV_MESSAGE_FLAG_PENDING)
			assert_true(wr(HV_MSR_EOM, 0));
		__atomic_store_n(&stress_received, want + 1, __ATOMIC_RELEASE);
	}
	pthread_join(sender, &refused);
	alarm(0);
	assert_int_equal(raised, STRESS_MSGS);		/* one interrupt each */
	assert_int_equal(s->header.message_type, HVMSG_NONE);
	print_message("%u posts refused for a full pool and retried\n",
		      (unsigned)(uintptr_t)refused);
}

/* Each test from a fresh VP, and the VP after it checked afterwards. */
#define TEST(fn)	cmocka_unit_test_setup_teardown(fn, setup, neighbour_untouched)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(reset_values),
		TEST(msr_rules),
		TEST(privileges),
		TEST(free_slot_delivers),
		TEST(busy_slot_queues_until_eom),
		TEST(eom_without_waiting),
		TEST(masked_sint_holds_messages),
		TEST(disabled_synic_or_page_holds_messages),
		TEST(page_outside_memory),
		TEST(full_pool_refuses_and_loses_nothing),
		TEST(withdraw_takes_a_node_back),
		TEST(release_empties_the_queues_and_refuses_posts),
		TEST(bad_posts),
		TEST(polling_sint),
		TEST(preset_pages),
		TEST(oneshot_timer),
		TEST(periodic_timer_coalesces_while_waiting),
		TEST(periodic_timer_has_a_floor),
		TEST(direct_vector_checked_without_enable),
		TEST(timer_enable_rules),
		TEST(no_message_lost_across_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
