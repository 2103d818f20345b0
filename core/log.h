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
/* Used by panic: take the log even if a stopped CPU held its locks; every line is sent at once from now on. */
void log_panic_takeover(void);

#define log_err(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
