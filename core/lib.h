/*
 * The few C library routines the hypervisor needs, with the standard
 * prototypes so that host-compiled unit tests link them from libc.
 */
#ifndef CORE_LIB_H
#define CORE_LIB_H

#include <stdarg.h>
#include "core/types.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* Formatting (core/format.c): %s %c %d %i %u %x %X %p %%, with l/ll/z, width, 0 and - flags. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/*
 * Parse an unsigned number: decimal, or hex with 0x. A size suffix K, M or
 * G is accepted when allow_suffix is set. Returns false on junk or overflow.
 */
bool parse_u64(const char *s, size_t len, bool allow_suffix, uint64_t *out);

#endif
