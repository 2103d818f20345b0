/*
 * What the root kernel's files share (docs/root.md). The root is our own
 * small kernel in partition 0 of the design: its RAM is mapped at
 * guest-physical = host-physical and identity-mapped (virtual = physical);
 * its image runs at the link base (root.ld) from rootboot_info.kernel_gpa.
 *
 *   main.c     start-up, the idle loop
 *   console.c  COM1: its own lines, the hypervisor's log and its children's, sent
 *              without waiting on the UART once the event loop runs
 *   hv.c       the hypercall client: fast, memory and rep calls, as mshv issues them
 *   pmem.c     the root's free pages (for children's RAM and for deposits)
 *   shell.c    the console: scripts and the prompt, run (the language: core/script.c)
 *   shell_cmds.c  its commands (shell.h)
 *   child.c    children created, started and destroyed by TLFS root calls (child.h)
 *   intercept.c  the SynIC's SINT0 and children's intercept messages
 *   childdev.c, lineasm.c, uart_model.c, rtc_model.c  children's ports (pure: devices.h)
 *   wallclock.c  the host's RTC read once at start, then the TSC (root_unix_time: devices.h)
 *   intercept_test.c  root_test=intercepts: the hypervisor's intercept path, checked
 *   bench.c    root_test=bench: make bench's figures of the root calls and the boot
 *   selftest.c root_test=calls: the root hypercalls proved (selftest.h: selftest_mshv.c,
 *              the calls as mshv makes them; selftest_child.S, its children)
 */
#ifndef PARTITIONS_ROOT_ROOT_H
#define PARTITIONS_ROOT_ROOT_H

#include "core/abi/rootboot.h"
#include "core/lib.h"
#include "core/panic.h"

/* ---- main.c ---- */

/* The root's timer vector (HVCALL_X_SET_TIMER): its handler only ends HLT. */
#define ROOT_TIMER_VECTOR	0x40

extern const struct rootboot_info *root_boot;

/* The guest-physical address of an object of the root image (static data, never the stack). */
uint64_t root_image_gpa(const void *va);
/* The root's RAM, all its ranges. */
uint64_t root_ram_bytes(void);
/* The hypervisor's command line (the root's boot information) has KEY=VAL. */
bool root_cmdline_has(const char *key, const char *val);
/* Point an IDT vector at an interrupt handler (an interrupt gate in the kernel's code segment). */
void root_idt_set(uint8_t vector, void (*isr)(void));
/* An interrupt that only ends HLT (no APIC EOI: the timer, and SINT0 with AutoEOI). */
void root_wake_isr(void);

/* ---- shell.c (the console's runner; shell.h) ---- */

/*
 * Start the console: the start-up script (script=NAME on the command line,
 * a module named "script", or the default one built from the modules'
 * partition= keys), then the prompt. Runs until a command waits or the
 * script ends.
 */
void shell_start(void);
/* After each wake-up: intercept messages, children's ends, the waiting command, scripts, keys. */
void shell_poll(void);
/* Lines wait to run (shell_poll ran its share): the event loop goes on without sleeping. */
bool shell_more_now(void);
/* The TSC when the first command started (make bench); 0 before. */
extern uint64_t root_first_command_tsc;

/* ---- console.c ---- */

/*
 * One line of the root's own: sent at once until console_start_buffering(),
 * then queued for the sender (never dropped: with the root's ring full of
 * unsent lines, it waits for the UART).
 */
void __printf(1, 2) say(const char *fmt, ...);
/* Send the hypervisor's log until it has nothing more, waiting on the UART; the first call takes the port over. */
void console_relay_log(void);
/* The event loop starts: from now on nothing waits on the UART but console_flush(). */
void console_start_buffering(void);
/* Hand the UART what it takes at once, without waiting (after each intercept). */
void console_pump(void);
/* The same from the event loop, which also reads the hypervisor's log. */
void console_poll(void);
/* Text waits to be sent (the event loop then wakes every TX_TICK_US). */
bool console_busy(void);
/* Send everything, waiting on the UART: before power-off and a panic's exit. */
void console_flush(void);
/*
 * While on, the root's lines go out one after the other, no other source's
 * line between them (a command's output, a JSON document across lines).
 */
void console_group(bool on);
/* A key typed on COM1 (the hypervisor's early bytes first); false if none waits. */
bool console_getc(uint8_t *b);
struct lineedit;
/* From now on the prompt and the line being edited are shown, drawn again after other output. */
void console_prompt_show(const char *prompt, const struct lineedit *le);
/*
 * The line was entered (or abandoned): the prompt is no longer drawn. If
 * other output had erased it, "PROMPT<entered>" is printed as a line.
 */
void console_prompt_end(const char *entered);
/* A key's echo: sent before any other line, if the prompt is on the terminal. */
void console_echo(const char *s, size_t n);
struct child;
/* part console: only the root's lines and this child's (its held ones first); NULL: all again. */
void console_focus(struct child *c);
/* The console shows only this child's output (console_focus). */
bool console_focused(const struct child *c);
/* Bytes of the root's own lines not yet sent. */
size_t console_backlog(void);
/* A key came lately: the event loop wakes more often, so that a paste does not overrun the UART. */
bool console_typing(void);

/* ---- hv.c ---- */

/* Enable the hypercall page where the hypervisor placed it. First, before any call. */
void hv_init(void);
uint64_t hv_hypercall_page(void);
/*
 * A simple fast call (TLFS 3.7): `in1` in RDX, `in2` in R8. Returns the
 * status; *out (if not NULL) gets RDX afterwards (our own calls answer there).
 */
uint16_t hv_fast(uint16_t code, uint64_t in1, uint64_t in2, uint64_t *out);
/*
 * A simple memory call: `in` (in_len bytes, at most a page) is copied into
 * this VP's input page, the output page's first out_len bytes into `out`.
 */
uint16_t hv_call(uint16_t code, const void *in, size_t in_len, void *out, size_t out_len);
/*
 * A rep call as Linux's hv_do_rep_hypercall makes it: a fixed header
 * (hdr_len bytes) then `count` elements of elem_len bytes in the input
 * page; output elements of out_elem_len bytes each into `out`. Re-issued
 * with the rep start at the reps completed while the status is SUCCESS and
 * reps remain (the hypervisor's continuation and partial success alike).
 * *done (if not NULL) gets the reps completed. count is at most what fits
 * the input page; the caller batches.
 */
uint16_t hv_rep(uint16_t code, const void *hdr, size_t hdr_len, const void *elems,
		size_t elem_len, unsigned count, void *out, size_t out_elem_len, unsigned *done);
/* The raw result value of the last call (status | reps completed << 32), for tests. */
uint64_t hv_last_result(void);
/* A name for a TLFS status, for messages ("INSUFFICIENT_MEMORY"); "?" if unknown. */
const char *hv_status_name(uint16_t status);
/* The TSC's rate in kHz (HVCALL_X_TSC_KHZ, asked once); never 0. */
uint64_t root_tsc_khz(void);
/* Microseconds since the TSC read `tsc`. */
uint64_t root_us_since(uint64_t tsc);

/* ---- wallclock.c ---- */

/* Read the host's RTC (says the time): before the first child, after hv_init. */
void wallclock_init(void);

/* ---- intercept_test.c ---- */

/* root_test=intercepts: two children's intercepts checked and completed; says PASS or FAIL. */
void intercept_test(void);
/* root_test=intercept_bench (make bench): a child OUT's round trip through the root, in TSC ticks. */
void intercept_bench(void);
/* ---- bench.c ---- */

/*
 * root_test=bench (make bench, after the script's first command): the root's
 * figures in TSC ticks (instructions in the bench's emulators), then power off.
 */
void root_bench(void);

/* ---- selftest.c ---- */

/* root_test=calls: the root hypercalls proved one by one (docs/hypercalls.md); powers off. */
void selftest_run(void);

/* ---- pmem.c ---- */

/* The root's RAM from the boot information, minus the start block and the modules. */
void pmem_init(const struct rootboot_info *bi);
/* `n` contiguous zeroed pages aligned to `align` bytes (a power of two, >= 4 KiB); 0 if none. */
uint64_t pmem_alloc(uint64_t n, uint64_t align);
/* Give pages back; false (nothing freed) if they were not allocated. */
bool pmem_free(uint64_t pa, uint64_t n);
uint64_t pmem_free_pages(void);

#endif
