/* Command-line tokenizer (see cmdline.h). */
#include "core/cmdline.h"
#include "core/lib.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool cmdline_next(const char **cursor, struct cmdline_token *tok)
{
	const char *p = *cursor;

	while (is_space(*p))
		p++;
	if (!*p) {
		*cursor = p;
		return false;
	}
	tok->key = p;
	while (*p && !is_space(*p) && *p != '=')
		p++;
	tok->key_len = (size_t)(p - tok->key);
	tok->val = NULL;
	tok->val_len = 0;
	if (*p == '=') {
		p++;
		if (*p == '"') {
			tok->val = ++p;
			while (*p && *p != '"')
				p++;
			tok->val_len = (size_t)(p - tok->val);
			if (*p == '"')
				p++;
		} else {
			tok->val = p;
			while (*p && !is_space(*p))
				p++;
			tok->val_len = (size_t)(p - tok->val);
		}
	}
	*cursor = p;
	return true;
}

bool cmdline_key_is(const struct cmdline_token *tok, const char *key)
{
	size_t n = strlen(key);

	return tok->key_len == n && !memcmp(tok->key, key, n);
}
