/* Freestanding memory and string routines (host unit tests use libc's). */
#include "core/lib.h"

/*
 * The string instructions, a word (8 bytes; 4 in the 32-bit test guests)
 * a step, then the rest a byte at a time: a page is 512 steps rather than
 * 4096 loop rounds (and on CPUs with ERMS/FSRM the microcode does better
 * still). DF is clear in all our code (the SysV ABI; the CPU clears RFLAGS
 * at a VM exit, or restores ours). Copying forwards is what memmove
 * relies on when dst is below src.
 */
#ifdef __x86_64__
#define REP_MOVS_WORD	"rep movsq"
#define REP_STOS_WORD	"rep stosq"
#else
#define REP_MOVS_WORD	"rep movsl"
#define REP_STOS_WORD	"rep stosl"
#endif

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t q = n / sizeof(unsigned long), r = n % sizeof(unsigned long);

	__asm__ volatile(REP_MOVS_WORD : "+D"(d), "+S"(src), "+c"(q) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(r) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	unsigned long v = (unsigned char)c * (~0ul / 0xff);	/* the byte in every byte */
	size_t q = n / sizeof(v), r = n % sizeof(v);

	__asm__ volatile(REP_STOS_WORD : "+D"(d), "+c"(q) : "a"(v) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(v) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}
