/*
 * A fuzzer's input read as a script of operations: one byte at a time,
 * zeros once it is used up (so every input is a whole, finite script).
 */
#ifndef TESTS_FUZZ_FUZZ_INPUT_H
#define TESTS_FUZZ_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct script {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t byte(struct script *s)
{
	if (!s->left)
		return 0;
	s->left--;
	return *s->p++;
}

#endif
