/*
 * Logging. Each line is "(cpuN) L: text", where L is E, W, I or D; whole
 * lines are written under a lock so CPUs never interleave. See docs/boot.md.
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include "core/options.h"

void log_init(uint16_t serial_port, uint32_t baud, enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __printf(2, 3);
/* A line with no prefix, always printed (the boot summary). */
void log_raw(const char *fmt, ...) __printf(1, 2);
/* Used by panic: take the output even if another CPU died holding the lock. */
void log_force_unlock(void);

#define log_err(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
