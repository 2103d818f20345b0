/*
 * Hypervisor command line: "key=value key2 key3=\"quoted value\"".
 * Pure logic. The option vocabulary is in core/options.c and docs/cmdline.md.
 */
#ifndef CORE_CMDLINE_H
#define CORE_CMDLINE_H

#include "core/types.h"

struct cmdline_token {
	const char *key;
	size_t key_len;
	const char *val;	/* NULL when there is no '=' */
	size_t val_len;		/* quotes stripped */
};

/*
 * Take the next token from *cursor and advance it. Returns false at the end
 * of the line. A token with an unterminated quote runs to the end of the line.
 */
bool cmdline_next(const char **cursor, struct cmdline_token *tok);

/* true if the token's key is exactly `key` */
bool cmdline_key_is(const struct cmdline_token *tok, const char *key);

#endif
