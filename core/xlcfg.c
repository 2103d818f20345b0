/*
 * The xl.cfg-style parser (core/xlcfg.h). One pass over the bytes: the
 * lexer checks each line (length, NUL bytes) as it enters it, so errors
 * come in line order; every value is checked with the start-up script's
 * rules (core/script.c) before it is stored.
 */
#include "core/xlcfg.h"
#include "core/lib.h"

struct lexer {
	const char *s;
	size_t len, at;
	unsigned line;
	struct xlcfg_error *err;
};

enum value_kind { VALUE_STRING, VALUE_NUMBER, VALUE_WORD };

/* A scalar value: a string (dequoted), a number, or any other bare word. */
struct value {
	enum value_kind kind;
	char str[XLCFG_STRING_MAX];
	size_t str_len;
	uint64_t num;
};

static bool fail(struct lexer *lx, const char *msg)
{
	lx->err->line = lx->line;
	fmt_snprintf(lx->err->msg, sizeof(lx->err->msg), "%s", msg);
	return false;
}

static bool fail_key(struct lexer *lx, const char *what, const char *key)
{
	lx->err->line = lx->line;
	fmt_snprintf(lx->err->msg, sizeof(lx->err->msg), "%s '%s'", what, key);
	return false;
}

static int peek(const struct lexer *lx)
{
	return lx->at < lx->len ? (unsigned char)lx->s[lx->at] : -1;
}

/* The line that starts at lx->at: not too long, no NUL byte. */
static bool enter_line(struct lexer *lx)
{
	size_t e = lx->at;

	while (e < lx->len && lx->s[e] != '\n') {
		if (!lx->s[e])
			return fail(lx, "NUL byte in the line");
		e++;
	}
	if (e - lx->at >= XLCFG_LINE_MAX)
		return fail(lx, "line longer than 511 characters");
	return true;
}

static bool newline(struct lexer *lx)
{
	lx->at++;
	lx->line++;
	return enter_line(lx);
}

/* Blanks and a comment; with `lines`, newlines (and what follows them) too. */
static bool skip(struct lexer *lx, bool lines)
{
	for (;;) {
		int c = peek(lx);

		if (c == ' ' || c == '\t' || c == '\r') {
			lx->at++;
		} else if (c == '#') {
			while (peek(lx) != -1 && peek(lx) != '\n')
				lx->at++;
		} else if (c == '\n' && lines) {
			if (!newline(lx))
				return false;
		} else {
			return true;
		}
	}
}

static bool is_word_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '+' || c == '-';
}

static bool lex_string(struct lexer *lx, struct value *v)
{
	int quote = peek(lx), c;

	v->kind = VALUE_STRING;
	v->str_len = 0;
	lx->at++;
	while ((c = peek(lx)) != quote) {
		if (c == -1 || c == '\n')
			return fail(lx, "unterminated string");
		if (c == '\\') {
			lx->at++;
			c = peek(lx);
			if (c != '\\' && c != '"' && c != '\'')
				return fail(lx, "unknown escape in a string (only \\\\ \\\" \\')");
		} else if (c < ' ' || c > '~') {
			return fail(lx, "a string holds printable ASCII only");
		}
		if (v->str_len >= sizeof(v->str) - 1)
			return fail(lx, "string longer than 255 characters");
		v->str[v->str_len++] = (char)c;
		lx->at++;
	}
	lx->at++;
	v->str[v->str_len] = '\0';
	return true;
}

/* A number, or any other bare word (the key's rule then refuses it). */
static bool lex_scalar(struct lexer *lx, struct value *v)
{
	size_t start = lx->at;
	int c = peek(lx);

	if (c == '"' || c == '\'')
		return lex_string(lx, v);
	while (is_word_char(peek(lx)))
		lx->at++;
	if (lx->at == start)
		return fail(lx, c == '[' ? "lists do not nest" :
				"expected a value: a number, a quoted string or a [ list ]");
	v->str_len = 0;
	v->str[0] = '\0';
	v->kind = parse_u64(lx->s + start, lx->at - start, false, &v->num) ? VALUE_NUMBER :
		  VALUE_WORD;
	return true;
}

/* Each key's rule: store the value and return true, or false for the key's message. */
struct key_rule {
	const char *name;
	const char *must;		/* the message for any value it refuses */
	bool list;			/* takes [ ... ]: apply() is called per item */
	bool (*apply)(struct xlcfg *cfg, const struct value *v, const struct script_env *env);
};

static bool copy_string(char *dst, size_t size, const struct value *v, size_t min)
{
	if (v->kind != VALUE_STRING || v->str_len < min || v->str_len >= size)
		return false;
	memcpy(dst, v->str, v->str_len + 1);
	return true;
}

static bool apply_name(struct xlcfg *cfg, const struct value *v, const struct script_env *env)
{
	(void)env;
	return v->kind == VALUE_STRING && script_name_ok(v->str, v->str_len) &&
	       copy_string(cfg->name, sizeof(cfg->name), v, 1);
}

static bool apply_memory(struct xlcfg *cfg, const struct value *v, const struct script_env *env)
{
	(void)env;
	/* the script's mem= rule: a multiple of 2 MiB, at most SCRIPT_MEM_MAX */
	if (v->kind != VALUE_NUMBER || !v->num || v->num % 2 || v->num > XLCFG_MEMORY_MAX_MIB)
		return false;
	cfg->memory_mib = (uint32_t)v->num;
	return true;
}

static bool apply_vcpus(struct xlcfg *cfg, const struct value *v, const struct script_env *env)
{
	(void)env;
	if (v->kind != VALUE_NUMBER || !v->num || v->num > SCRIPT_VCPUS_MAX)
		return false;
	cfg->vcpus = (unsigned)v->num;
	return true;
}

static bool apply_cpus(struct xlcfg *cfg, const struct value *v, const struct script_env *env)
{
	if (v->kind != VALUE_STRING)
		return false;
	if (!strcmp(v->str, "all")) {
		cfg->cpu_mask = 0;
		return true;
	}
	return script_parse_cpus(v->str, v->str_len, env->cpu_count, &cfg->cpu_mask);
}

static bool apply_kernel(struct xlcfg *cfg, const struct value *v, const struct script_env *env)
{
	(void)env;
	return copy_string(cfg->kernel, sizeof(cfg->kernel), v, 1);
}

static bool apply_ramdisk(struct xlcfg *cfg, const struct value *v, const struct script_env *env)
{
	(void)env;
	return copy_string(cfg->ramdisk, sizeof(cfg->ramdisk), v, 1);
}

static bool apply_cmdline(struct xlcfg *cfg, const struct value *v, const struct script_env *env)
{
	(void)env;
	return copy_string(cfg->cmdline, sizeof(cfg->cmdline), v, 0);
}

static bool parse_action(const struct value *v, enum xlcfg_action *out)
{
	static const char *const names[] = { "destroy", "preserve", "restart" };

	if (v->kind != VALUE_STRING)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(v->str, names[i])) {
			*out = (enum xlcfg_action)i;
			return true;
		}
	return false;
}

static bool apply_on_poweroff(struct xlcfg *cfg, const struct value *v,
			      const struct script_env *env)
{
	(void)env;
	return parse_action(v, &cfg->on_poweroff);
}

static bool apply_on_crash(struct xlcfg *cfg, const struct value *v, const struct script_env *env)
{
	(void)env;
	return parse_action(v, &cfg->on_crash);
}

static bool apply_module(struct xlcfg *cfg, const struct value *v, const struct script_env *env)
{
	(void)env;
	if (cfg->modules.count >= XLCFG_MODULES_MAX ||
	    !copy_string(cfg->modules.name[cfg->modules.count], SCRIPT_MODULE_MAX, v, 1))
		return false;
	cfg->modules.count++;
	return true;
}

static const struct key_rule rules[XLCFG_KEY_COUNT] = {
	[XLCFG_NAME] = { "name", "name must be a quoted name of 1-31 letters, digits, "
			 "'-', '_' or '.', not starting with a digit", false, apply_name },
	[XLCFG_MEMORY] = { "memory", "memory must be a number of MiB: even, 2 to 1024",
			   false, apply_memory },
	[XLCFG_VCPUS] = { "vcpus", "vcpus must be a number, 1 to 8", false, apply_vcpus },
	[XLCFG_CPUS] = { "cpus", "cpus must be a quoted list of online CPUs, as \"0,2-3\", "
			 "or \"all\"", false, apply_cpus },
	[XLCFG_KERNEL] = { "kernel", "kernel must be a quoted module name of 1-63 characters",
			   false, apply_kernel },
	[XLCFG_RAMDISK] = { "ramdisk", "ramdisk must be a quoted module name of 1-63 characters",
			    false, apply_ramdisk },
	[XLCFG_CMDLINE] = { "cmdline", "cmdline must be a quoted string", false, apply_cmdline },
	[XLCFG_ON_POWEROFF] = { "on_poweroff", "on_poweroff must be \"destroy\", \"preserve\" "
				"or \"restart\"", false, apply_on_poweroff },
	[XLCFG_ON_CRASH] = { "on_crash", "on_crash must be \"destroy\", \"preserve\" or "
			     "\"restart\"", false, apply_on_crash },
	[XLCFG_MODULES] = { "modules", "modules must be a [ list ] of at most 8 quoted module "
			    "names of 1-63 characters", true, apply_module },
};

/* [ item, item, ] across lines, with comments; each item through the key's rule. */
static bool parse_list(struct lexer *lx, const struct key_rule *r, struct xlcfg *cfg,
		       const struct script_env *env, struct value *v)
{
	unsigned opened = lx->line;

	lx->at++;
	for (;;) {
		if (!skip(lx, true))
			return false;
		if (peek(lx) == ']')
			break;
		if (peek(lx) == -1) {
			lx->line = opened;
			return fail(lx, "unterminated list");
		}
		if (!lex_scalar(lx, v))
			return false;
		if (!r->apply(cfg, v, env))
			return fail(lx, r->must);
		if (!skip(lx, true))
			return false;
		if (peek(lx) == ',')
			lx->at++;
		else if (peek(lx) != ']' && peek(lx) != -1)
			return fail(lx, "expected ',' or ']' in the list");
	}
	lx->at++;
	return true;
}

static bool parse_value(struct lexer *lx, const struct key_rule *r, struct xlcfg *cfg,
			const struct script_env *env, struct value *v)
{
	if (peek(lx) == '[') {
		if (!r->list)
			return fail(lx, r->must);
		return parse_list(lx, r, cfg, env, v);
	}
	if (!lex_scalar(lx, v))
		return false;
	if (r->list || !r->apply(cfg, v, env))
		return fail(lx, r->must);
	return true;
}

static bool is_key_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* KEY = VALUE, up to the end of its line or a ';'. */
static bool parse_setting(struct lexer *lx, struct xlcfg *cfg, const struct script_env *env,
			  struct value *v)
{
	char key[SCRIPT_NAME_MAX];
	size_t start = lx->at, n;
	unsigned i;
	int c;

	if (!is_key_start(peek(lx)))
		return fail(lx, "expected KEY = VALUE");
	while ((c = peek(lx)) != -1 && (is_key_start(c) || (c >= '0' && c <= '9')))
		lx->at++;
	n = MIN(lx->at - start, sizeof(key) - 1);	/* a longer key is unknown anyway */
	memcpy(key, lx->s + start, n);
	key[n] = '\0';
	for (i = 0; i < XLCFG_KEY_COUNT; i++)
		if (lx->at - start == strlen(rules[i].name) && !strcmp(key, rules[i].name))
			break;
	if (i == XLCFG_KEY_COUNT)
		return fail_key(lx, "unknown key", key);
	if (cfg->set >> i & 1)
		return fail_key(lx, "duplicate key", key);
	cfg->set |= 1u << i;
	if (!skip(lx, false))
		return false;
	if (peek(lx) != '=')
		return fail(lx, "expected '=' after the key");
	lx->at++;
	if (!skip(lx, false) || !parse_value(lx, &rules[i], cfg, env, v) || !skip(lx, false))
		return false;
	c = peek(lx);
	if (c != -1 && c != '\n' && c != ';')
		return fail(lx, "unexpected text after the value");
	return true;
}

bool xlcfg_parse(const char *text, size_t len, const struct script_env *env, struct xlcfg *cfg,
		 struct xlcfg_error *err)
{
	struct lexer lx = { text, len, 0, 1, err };
	struct value v;
	bool ok;

	memset(cfg, 0, sizeof(*cfg));
	memset(err, 0, sizeof(*err));
	ok = enter_line(&lx);
	while (ok) {
		ok = skip(&lx, true);
		if (!ok || peek(&lx) == -1)
			break;
		if (peek(&lx) == ';')
			lx.at++;
		else
			ok = parse_setting(&lx, cfg, env, &v);
	}
	if (!ok)
		memset(cfg, 0, sizeof(*cfg));
	else
		memset(err, 0, sizeof(*err));
	return ok;
}

/* Where each key's value lives in struct xlcfg, to copy it as a whole. */
#define FIELD(f)	{ offsetof(struct xlcfg, f), sizeof(((struct xlcfg *)0)->f) }
static const struct {
	size_t offset, size;
} fields[XLCFG_KEY_COUNT] = {
	[XLCFG_NAME] = FIELD(name), [XLCFG_MEMORY] = FIELD(memory_mib),
	[XLCFG_VCPUS] = FIELD(vcpus), [XLCFG_CPUS] = FIELD(cpu_mask),
	[XLCFG_KERNEL] = FIELD(kernel), [XLCFG_RAMDISK] = FIELD(ramdisk),
	[XLCFG_CMDLINE] = FIELD(cmdline), [XLCFG_ON_POWEROFF] = FIELD(on_poweroff),
	[XLCFG_ON_CRASH] = FIELD(on_crash), [XLCFG_MODULES] = FIELD(modules),
};

void xlcfg_overlay(struct xlcfg *dst, const struct xlcfg *top)
{
	for (unsigned i = 0; i < XLCFG_KEY_COUNT; i++)
		if (top->set >> i & 1)
			memcpy((char *)dst + fields[i].offset, (const char *)top + fields[i].offset,
			       fields[i].size);
	dst->set |= top->set;
}
