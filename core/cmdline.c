/* Command-line tokenizer (see cmdline.h). */
#include "core/cmdline.h"
#include "core/lib.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * A token is key, key=value or key="value with spaces". GRUB rebuilds
 * module lines by quoting every word that has a space, so "key=value with
 * spaces" (the whole word quoted) means the same.
 */
bool cmdline_next(const char **cursor, struct cmdline_token *tok)
{
	const char *p = *cursor;
	bool word_quoted;

	while (is_space(*p))
		p++;
	if (!*p) {
		*cursor = p;
		return false;
	}
	word_quoted = *p == '"';
	p += word_quoted;
	tok->key = p;
	while (*p && !is_space(*p) && *p != '=' && *p != '"')
		p++;
	tok->key_len = (size_t)(p - tok->key);
	tok->val = NULL;
	tok->val_len = 0;
	if (*p == '=') {
		bool val_quoted = !word_quoted && p[1] == '"';

		p += 1 + val_quoted;
		tok->val = p;
		while (*p && (word_quoted || val_quoted ? *p != '"' : !is_space(*p)))
			p++;
		tok->val_len = (size_t)(p - tok->val);
		if ((word_quoted || val_quoted) && *p == '"')
			p++;
	} else if (word_quoted && *p == '"') {
		p++;
	}
	*cursor = p;
	return true;
}

bool cmdline_key_is(const struct cmdline_token *tok, const char *key)
{
	size_t n = strlen(key);

	return tok->key_len == n && !memcmp(tok->key, key, n);
}
