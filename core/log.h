/*
 * Logging. Each line is "(cpuN) L: text", where L is E, W, I or D. Lines
 * enter an in-memory ring whole, in one order, and leave for the serial
 * port in that order; once buffering starts, no CPU waits on the port for
 * another's lines (core/log.c says who sends them). See docs/boot.md.
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include "core/options.h"

void log_init(uint16_t serial_port, uint32_t baud, enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __printf(2, 3);
/* A line with no prefix, always printed (the boot summary). */
void log_raw(const char *fmt, ...) __printf(1, 2);
/*
 * From now on a line only enters the ring and is sent by whoever drains
 * (called once, before partitions run); until then each line is sent
 * before log_msg() returns.
 */
void log_start_buffering(void);
/* Send what the serial port takes at once; never waits, nor for another CPU. */
void log_drain(void);
/* Send every buffered line, waiting on the serial port (before power-off). */
void log_flush(void);
/*
 * For an idle CPU, called with interrupts off: send buffered lines with
 * interrupts on until all are sent or *wake is set. Returns with
 * interrupts off, and *wake's value (true: do not halt, look again).
 */
bool log_idle_drain(volatile bool *wake);
/*
 * The root partition reads the log (HVCALL_X_LOG_READ): up to `size`
 * bytes of what the serial port would be sent next (lines ending in CR
 * LF, notes of lost lines included) into dst; returns how many. The first
 * call hands the serial port over to the root: from then on the hypervisor
 * sends nothing itself but at power-off and in a panic (log_flush).
 */
size_t log_root_read(char *dst, size_t size);
/*
 * HVCALL_X_LOG_HISTORY: copy whole lines the ring still holds, from stream
 * position *from, into dst without consuming them (core/logring.h's
 * logring_copy_since, under the ring's lock). False: *from is no line's
 * start, and nothing was written.
 */
bool log_history(uint64_t *from, char *dst, size_t size, size_t *copied, uint64_t *lost);
/*
 * Used by panic, once the other CPUs are stopped: take the log even if a
 * stopped CPU held its locks; every line is sent at once from now on.
 */
void log_panic_takeover(void);

/*
 * A guest's share of the log (one per partition, zeroed at creation). Its
 * lines not yet sent may take at most LOG_SHARE_BYTES of the ring, each
 * line counted at least LOG_SHARE_BYTES / LOG_SHARE_LINES bytes; all
 * guests' lines together at most LOG_GUEST_ROOM. The rest of the ring is
 * the hypervisor's. Fields are the log's (core/log.c), under its lock.
 */
#define LOG_GUEST_ROOM		(112 * 1024)
#define LOG_SHARE_BYTES		(7 * 1024)
#define LOG_SHARE_LINES		128

struct log_share {
	uint64_t end[LOG_SHARE_LINES];		/* ring position after each unsent line, oldest first */
	uint16_t charge[LOG_SHARE_LINES];	/* bytes counted for it */
	uint16_t first, count;
	uint32_t unsent;			/* sum of their charges */
};

/*
 * A line on behalf of a guest, charged to its share. False when it does
 * not fit the share or the guests' room (nothing is logged: the caller
 * counts it); true when logged or below the log level.
 */
bool log_share_msg(struct log_share *s, enum log_level level, const char *fmt, ...) __printf(3, 4);

/*
 * Testing (crash=nmi_in_log, crash=ud_in_log): call trap() holding the
 * log's locks, as a CPU fetching a line to send does; what a handler logs
 * meanwhile must not wait for them.
 */
void log_test_trap_inside(void (*trap)(void));

#define log_err(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
