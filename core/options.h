/* Hypervisor options from the command line (documented in docs/cmdline.md). */
#ifndef CORE_OPTIONS_H
#define CORE_OPTIONS_H

#include "core/types.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

enum after_boot { AFTER_BOOT_IDLE, AFTER_BOOT_POWEROFF };

enum on_panic { ON_PANIC_HALT, ON_PANIC_POWEROFF };

enum crash_test {
	CRASH_NONE, CRASH_PAGE_FAULT, CRASH_INVALID_OPCODE, CRASH_PANIC,
	CRASH_NMI_IN_LOG, CRASH_UD_IN_LOG,	/* a trap on a CPU that holds the log's locks */
};

/* Read by the root kernel from the hypervisor's command line; accepted here. */
enum root_probe { ROOT_PROBE_NONE, ROOT_PROBE_HV, ROOT_PROBE_PIC };
enum root_test { ROOT_TEST_NONE, ROOT_TEST_CALLS, ROOT_TEST_BENCH, ROOT_TEST_INTERCEPTS,
		 ROOT_TEST_INTERCEPT_BENCH };

#define HV_MEM_DEFAULT_MIB	64

struct hv_options {
	uint16_t serial_port;	/* 0: no serial output */
	uint32_t serial_baud;
	enum log_level loglvl;
	bool x2apic;		/* use x2APIC mode when the CPU has it */
	uint32_t max_cpus;	/* 0: all */
	uint32_t smp_fake_apic;	/* testing: an APIC id listed but absent (0xffffffff: none) */
	enum after_boot after_boot;
	enum on_panic on_panic;
	bool vmcheck;		/* run the vCPU self-test at boot */
	bool benchfloor;	/* measure the bare exit round trip at boot */
	enum crash_test crash;	/* testing: fault on purpose after bring-up */
	uint32_t tlb_tags;	/* testing: at most this many TLB tags per CPU; 0: all */
	bool root;		/* run the root partition (docs/root.md); off: no partition at all */
	uint32_t hv_mem_mib;	/* root=on: the hypervisor's own pool, in MiB */
	enum root_probe root_probe;	/* testing: a read the root kernel makes on purpose */
	enum root_test root_test;	/* testing: the root kernel's self-test of the root calls */
};

/* Called for each problem; `what` names the offending option. */
typedef void (*options_warn_fn)(void *ctx, const char *msg, const char *what, size_t what_len);

void options_defaults(struct hv_options *o);

/*
 * Apply `cmdline` over the current options. A bad value leaves that option
 * unchanged; an unknown option is reported and skipped. A first word that
 * looks like a path (the kernel's own name) is ignored. Returns the number
 * of problems reported.
 */
unsigned options_parse(struct hv_options *o, const char *cmdline,
		       options_warn_fn warn, void *ctx);

#endif
