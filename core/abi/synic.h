/*
 * Synthetic Interrupt Controller (SynIC) and synthetic timers: the
 * guest-visible ABI, shared by the hypervisor, the root partition and test
 * guests. TLFS 6.0, 11 "Inter-Partition Communication" (SynIC MSRs,
 * HV_MESSAGE, the message and event-flags pages) and 12.4 "Synthetic
 * Timers"; values as Linux's include/hyperv/hvgdk_mini.h has them
 * (../shared/ref/hyperv-linux-guest.md 2.1 and 4, hyperv-root-abi.md 2.3
 * and 6).
 */
#ifndef CORE_ABI_SYNIC_H
#define CORE_ABI_SYNIC_H

#include <stddef.h>
#include <stdint.h>

/* MSRs (TLFS 6.0, 11.8 "SynIC MSRs") */
#define HV_MSR_SCONTROL		0x40000080u	/* bit 0: the SynIC delivers messages and events */
#define HV_MSR_SVERSION		0x40000081u	/* read-only: HV_SYNIC_VERSION */
#define HV_MSR_SIEFP		0x40000082u	/* event-flags page: enable + GPA */
#define HV_MSR_SIMP		0x40000083u	/* message page: enable + GPA */
#define HV_MSR_EOM		0x40000084u	/* write-only: end of message, re-scan the queues */
#define HV_MSR_SIRBP		0x40000085u	/* event-ring page (root): enable + GPA */
#define HV_MSR_SINT0		0x40000090u	/* SINT0..15: 0x40000090..0x4000009f */
#define HV_MSR_SINT15		0x4000009fu

/* Synthetic timers (TLFS 6.0, 12.4): STIMERn_CONFIG 0x400000b0 + 2n, STIMERn_COUNT + 1 */
#define HV_MSR_STIMER0_CONFIG	0x400000b0u
#define HV_MSR_STIMER3_COUNT	0x400000b7u

#define HV_SYNIC_SINT_COUNT	16
#define HV_SYNIC_STIMER_COUNT	4
#define HV_SYNIC_VERSION	1ull

/* SCONTROL */
#define HV_SCONTROL_ENABLE	(1ull << 0)

/* SIMP, SIEFP, SIRBP: bit 0 enable, bits 11:1 reserved, bits 63:12 the page's GPA */
#define HV_SYNIC_PAGE_ENABLE	(1ull << 0)
#define HV_SYNIC_PAGE_RSVD	0xffeull
#define HV_SYNIC_PAGE_GPA_MASK	(~0xfffull)

/* SINTn (TLFS 6.0, 11.8.4; as_intercept and proxy from hvgdk_mini.h, the root's) */
#define HV_SINT_VECTOR_MASK	0xffull
#define HV_SINT_MASKED		(1ull << 16)
#define HV_SINT_AUTO_EOI	(1ull << 17)
#define HV_SINT_POLLING		(1ull << 18)
#define HV_SINT_AS_INTERCEPT	(1ull << 19)
#define HV_SINT_PROXY		(1ull << 20)
#define HV_SINT_FIRST_VECTOR	16		/* 0-15 are exceptions: refused while unmasked */
#define HV_SINT_RESET		HV_SINT_MASKED

/* STIMERn_CONFIG (TLFS 6.0, 12.4.2) */
#define HV_STIMER_ENABLE	(1ull << 0)
#define HV_STIMER_PERIODIC	(1ull << 1)
#define HV_STIMER_LAZY		(1ull << 2)
#define HV_STIMER_AUTO_ENABLE	(1ull << 3)
#define HV_STIMER_VECTOR_SHIFT	4		/* bits 11:4: direct mode's vector */
#define HV_STIMER_VECTOR_MASK	(0xffull << HV_STIMER_VECTOR_SHIFT)
#define HV_STIMER_DIRECT	(1ull << 12)
#define HV_STIMER_SINT_SHIFT	16		/* bits 19:16: message mode's SINT */
#define HV_STIMER_SINT_MASK	(0xfull << HV_STIMER_SINT_SHIFT)
#define HV_STIMER_CONFIG_VALID	(HV_STIMER_ENABLE | HV_STIMER_PERIODIC | HV_STIMER_LAZY | \
				 HV_STIMER_AUTO_ENABLE | HV_STIMER_VECTOR_MASK | HV_STIMER_DIRECT | \
				 HV_STIMER_SINT_MASK)

/* Message types (TLFS 6.0, HV_MESSAGE_TYPE; hyperv-root-abi.md 5.3 and 6.3) */
#define HVMSG_NONE				0x00000000u
#define HVMSG_UNMAPPED_GPA			0x80000000u
#define HVMSG_GPA_INTERCEPT			0x80000001u
#define HVMSG_TIMER_EXPIRED			0x80000010u
#define HVMSG_INVALID_VP_REGISTER_VALUE		0x80000020u
#define HVMSG_UNRECOVERABLE_EXCEPTION		0x80000021u
#define HVMSG_UNSUPPORTED_FEATURE		0x80000022u
#define HVMSG_OPAQUE_INTERCEPT			0x8000003fu
#define HVMSG_ASYNC_CALL_COMPLETION		0x80000070u
#define HVMSG_X64_IO_PORT_INTERCEPT		0x80010000u
#define HVMSG_X64_MSR_INTERCEPT			0x80010001u
#define HVMSG_X64_CPUID_INTERCEPT		0x80010002u
#define HVMSG_X64_EXCEPTION_INTERCEPT		0x80010003u
#define HVMSG_X64_APIC_EOI			0x80010004u
#define HVMSG_X64_HALT				0x80010007u

/* message_flags */
#define HV_MESSAGE_FLAG_PENDING	0x01u	/* more messages wait: write EOM after emptying the slot */

#define HV_MESSAGE_SIZE		256
#define HV_MESSAGE_PAYLOAD_SIZE	240

struct hv_message_header {
	uint32_t message_type;		/* HVMSG_NONE: the slot is free; written last */
	uint8_t payload_size;		/* bytes of payload used, at most 240 */
	uint8_t message_flags;		/* HV_MESSAGE_FLAG_* */
	uint8_t rsvd[2];
	uint64_t sender;		/* sender partition or port id */
};

struct hv_message {
	struct hv_message_header header;
	uint8_t payload[HV_MESSAGE_PAYLOAD_SIZE];
};

_Static_assert(sizeof(struct hv_message_header) == 16, "HV_MESSAGE_HEADER is 16 bytes");
_Static_assert(offsetof(struct hv_message_header, payload_size) == 4, "payload_size at 4");
_Static_assert(offsetof(struct hv_message_header, message_flags) == 5, "message_flags at 5");
_Static_assert(offsetof(struct hv_message_header, sender) == 8, "sender at 8");
_Static_assert(sizeof(struct hv_message) == HV_MESSAGE_SIZE, "HV_MESSAGE is 256 bytes");
_Static_assert(offsetof(struct hv_message, payload) == 16, "the payload at 16");

/* The message page: one slot per SINT (slot n at n * 256). */
struct hv_message_page {
	struct hv_message sint_message[HV_SYNIC_SINT_COUNT];
};
_Static_assert(sizeof(struct hv_message_page) == 4096, "the message page is one page");

/* The event-flags page: 2048 flags per SINT (area n at n * 256). */
#define HV_EVENT_FLAGS_BYTES	256
struct hv_synic_event_flags_page {
	uint8_t sint_flags[HV_SYNIC_SINT_COUNT][HV_EVENT_FLAGS_BYTES];
};
_Static_assert(sizeof(struct hv_synic_event_flags_page) == 4096, "the event page is one page");

/* HVMSG_TIMER_EXPIRED's payload (TLFS 6.0, 12.4.3 "Synthetic Timer Expiration Message") */
struct hv_timer_message_payload {
	uint32_t timer_index;
	uint32_t reserved;
	uint64_t expiration_time;	/* reference time (100 ns) it was due */
	uint64_t delivery_time;		/* reference time it was put in the slot */
};
_Static_assert(sizeof(struct hv_timer_message_payload) == 24, "the timer payload is 24 bytes");
_Static_assert(offsetof(struct hv_timer_message_payload, expiration_time) == 8, "expiration at 8");

#endif
