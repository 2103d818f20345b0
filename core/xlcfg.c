/*
 * The xl.cfg-style parser (core/xlcfg.h). One pass over the bytes: the
 * lexer checks each line (length, NUL bytes) as it enters it, so errors
 * come in line order; every value is checked by its key's rule (one table,
 * which the console's command line goes through too: xlcfg_set_key) before
 * it is stored. A rule stores only what it accepts.
 */
#include "core/xlcfg.h"
#include "core/lib.h"
#include "core/script.h"

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
	/* On the console's command line (xlcfg_set_key): */
	const char *arg;		/* its name there */
	const char *arg_must;		/* its message there (no quotes to speak of) */
	bool number;			/* its value is a number (else a string) */
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

/* A number from 1 to max. */
static bool number_in(const struct value *v, uint64_t max)
{
	return v->kind == VALUE_NUMBER && v->num && v->num <= max;
}

static bool apply_vcpus(struct xlcfg *cfg, const struct value *v, const struct script_env *env)
{
	(void)env;
	if (!number_in(v, SCRIPT_VCPUS_MAX))
		return false;
	cfg->vcpus = (unsigned)v->num;
	return true;
}

static bool apply_cpus(struct xlcfg *cfg, const struct value *v, const struct script_env *env)
{
	uint64_t mask = 0;

	if (v->kind != VALUE_STRING)
		return false;
	if (strcmp(v->str, "all") &&
	    !script_parse_cpus(v->str, v->str_len, env->cpu_count, &mask))
		return false;
	cfg->cpu_mask = mask;
	return true;
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

static bool apply_on_reboot(struct xlcfg *cfg, const struct value *v, const struct script_env *env)
{
	(void)env;
	return parse_action(v, &cfg->on_reboot);
}

/* One more module: "NAME" or "NAME ARGS" (its command line, after the blanks). */
static bool apply_module(struct xlcfg *cfg, const struct value *v, const struct script_env *env)
{
	unsigned i = cfg->modules.count;
	size_t n = 0, a;

	(void)env;
	if (v->kind != VALUE_STRING || i >= XLCFG_MODULES_MAX)
		return false;
	while (n < v->str_len && v->str[n] != ' ')
		n++;
	for (a = n; a < v->str_len && v->str[a] == ' '; a++)
		;
	if (!n || n >= SCRIPT_MODULE_MAX)
		return false;
	memcpy(cfg->modules.name[i], v->str, n);
	cfg->modules.name[i][n] = '\0';
	memcpy(cfg->modules.args[i], v->str + a, v->str_len - a + 1);
	cfg->modules.count++;
	return true;
}

static bool apply_pool(struct xlcfg *cfg, const struct value *v, const struct script_env *env)
{
	(void)env;
	if (!number_in(v, SCRIPT_POOL_MAX))
		return false;
	cfg->pool_pages = (uint32_t)v->num;
	return true;
}

static const struct key_rule rules[XLCFG_KEY_COUNT] = {
	[XLCFG_NAME] = { "name", "name must be a quoted name of 1-31 letters, digits, "
			 "'-', '_' or '.', not starting with a digit, not \"all\" or \"root\"",
			 false, apply_name,
			 "name", "name must be 1-31 letters, digits, '-', '_' or '.', not starting "
			 "with a digit, not all or root", false },
	[XLCFG_MEMORY] = { "memory", "memory must be a number of MiB: even, 2 to 1024",
			   false, apply_memory,
			   "memory", "memory must be a size of 2M to 1G in steps of 2M (as 64M; "
			   "no suffix: MiB)", true },
	[XLCFG_VCPUS] = { "vcpus", "vcpus must be a number, 1 to 8", false, apply_vcpus,
			  "vcpus", "vcpus must be a number, 1 to 8", true },
	[XLCFG_CPUS] = { "cpus", "cpus must be a quoted list of online CPUs, as \"0,2-3\", "
			 "or \"all\"", false, apply_cpus,
			 "cpus", "cpus must be a list of online CPUs, as 0,2-3, or all", false },
	[XLCFG_KERNEL] = { "kernel", "kernel must be a quoted module name of 1-63 characters",
			   false, apply_kernel,
			   "kernel", "kernel must be a module name of 1-63 characters", false },
	[XLCFG_RAMDISK] = { "ramdisk", "ramdisk must be a quoted module name of 1-63 characters",
			    false, apply_ramdisk,
			    "ramdisk", "ramdisk must be a module name of 1-63 characters", false },
	[XLCFG_CMDLINE] = { "cmdline", "cmdline must be a quoted string", false, apply_cmdline,
			    "cmdline", "cmdline must be at most 255 characters", false },
	[XLCFG_ON_POWEROFF] = { "on_poweroff", "on_poweroff must be \"destroy\", \"preserve\" "
				"or \"restart\"", false, apply_on_poweroff,
				"on_poweroff", "on_poweroff must be destroy, preserve or restart",
				false },
	[XLCFG_ON_CRASH] = { "on_crash", "on_crash must be \"destroy\", \"preserve\" or "
			     "\"restart\"", false, apply_on_crash,
			     "on_crash", "on_crash must be destroy, preserve or restart", false },
	[XLCFG_ON_REBOOT] = { "on_reboot", "on_reboot must be \"destroy\", \"preserve\" or "
			      "\"restart\"", false, apply_on_reboot,
			      "on_reboot", "on_reboot must be destroy, preserve or restart", false },
	[XLCFG_MODULES] = { "modules", "modules must be a [ list ] of at most 8 quoted \"NAME\" or "
			    "\"NAME ARGS\", NAME of 1-63 characters",
			    true, apply_module,
			    "module", "module must be NAME or NAME:ARGS, NAME a module name of 1-63 "
			    "characters, at most 8 times", false },
	[XLCFG_POOL] = { "pool", "pool must be a number of pages, 1 to 262144", false, apply_pool,
			 "pool", "pool must be a number of pages, 1 to 262144", true },
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
	[XLCFG_ON_CRASH] = FIELD(on_crash), [XLCFG_ON_REBOOT] = FIELD(on_reboot),
	[XLCFG_MODULES] = FIELD(modules),
	[XLCFG_POOL] = FIELD(pool_pages),
};

void xlcfg_overlay(struct xlcfg *dst, const struct xlcfg *top)
{
	for (unsigned i = 0; i < XLCFG_KEY_COUNT; i++)
		if (top->set >> i & 1)
			memcpy((char *)dst + fields[i].offset, (const char *)top + fields[i].offset,
			       fields[i].size);
	dst->set |= top->set;
}

static bool say(char *why, size_t why_size, const char *msg)
{
	fmt_snprintf(why, why_size, "%s", msg);
	return false;
}

/* A command line's memory=SIZE as a file's memory = MiB, or false. */
static bool size_as_mib(const char *val, size_t len, struct value *v)
{
	uint64_t bytes;
	bool suffix = len && (val[len - 1] < '0' || val[len - 1] > '9');

	if (!parse_u64(val, len, true, &bytes))
		return false;
	if (!suffix) {			/* xl.cfg's unit */
		if (bytes > SCRIPT_MEM_MAX >> 20)
			return false;
		bytes <<= 20;
	}
	if (bytes % (1u << 20))
		return false;
	v->kind = VALUE_NUMBER;
	v->num = bytes >> 20;
	return true;
}

/* module=NAME[:ARGS] as a file's modules entry "NAME ARGS", or false. */
static bool module_as_entry(const char *val, size_t len, struct value *v)
{
	size_t n = 0;

	while (n < len && val[n] != ':')
		n++;
	if (!n || n >= SCRIPT_MODULE_MAX || len >= sizeof(v->str))
		return false;
	for (size_t i = 0; i < n; i++)
		if (val[i] == ' ' || val[i] == '\t')
			return false;
	memcpy(v->str, val, len);
	v->str_len = len;
	v->str[len] = '\0';
	if (n < len)
		v->str[n] = ' ';
	v->kind = VALUE_STRING;
	return true;
}

bool xlcfg_set_key(struct xlcfg *cfg, const char *key, size_t key_len, const char *val,
		   size_t val_len, const struct script_env *env, char *why, size_t why_size)
{
	struct value v;
	char name[SCRIPT_NAME_MAX];
	const struct key_rule *r = NULL;
	unsigned i;

	for (i = 0; i < XLCFG_KEY_COUNT; i++)
		if (key_len == strlen(rules[i].arg) && !memcmp(key, rules[i].arg, key_len)) {
			r = &rules[i];
			break;
		}
	key_len = MIN(key_len, sizeof(name) - 1);	/* a longer key is unknown anyway */
	memcpy(name, key, key_len);
	name[key_len] = '\0';
	if (!r) {
		fmt_snprintf(why, why_size, "unknown key '%s'", name);
		return false;
	}
	for (size_t k = 0; k < val_len; k++)
		if (val[k] < ' ' || val[k] > '~')	/* as a file's strings */
			return say(why, why_size, "a string holds printable ASCII only");
	if ((cfg->set >> i & 1) && i != XLCFG_MODULES) {
		fmt_snprintf(why, why_size, "duplicate key '%s'", name);
		return false;
	}
	if (i == XLCFG_MODULES && cfg->modules.count >= XLCFG_MODULES_MAX)
		return say(why, why_size, "at most 8 module= (ramdisk= apart)");
	if (i == XLCFG_MEMORY) {
		if (!size_as_mib(val, val_len, &v))
			return say(why, why_size, r->arg_must);
	} else if (i == XLCFG_MODULES) {
		if (!module_as_entry(val, val_len, &v))
			return say(why, why_size, r->arg_must);
	} else if (r->number) {
		v.kind = parse_u64(val, val_len, false, &v.num) ? VALUE_NUMBER : VALUE_WORD;
	} else {
		if (val_len >= sizeof(v.str))
			return say(why, why_size, r->arg_must);
		memcpy(v.str, val, val_len);
		v.str[val_len] = '\0';
		v.str_len = val_len;
		v.kind = VALUE_STRING;
	}
	if (!r->apply(cfg, &v, env))
		return say(why, why_size, r->arg_must);
	cfg->set |= 1u << i;
	return true;
}

static enum script_end end_of(enum xlcfg_action a)
{
	static const enum script_end ends[] = {
		[XLCFG_DESTROY] = SCRIPT_END_DESTROY,
		[XLCFG_PRESERVE] = SCRIPT_END_PRESERVE,
		[XLCFG_RESTART] = SCRIPT_END_RESTART,
	};

	return ends[a];
}

bool xlcfg_complete(const struct xlcfg *cfg, char *why, size_t why_size)
{
	if (!XLCFG_HAS(cfg, XLCFG_NAME))
		return say(why, why_size, "no name: give NAME or name=");
	if (!XLCFG_HAS(cfg, XLCFG_KERNEL))
		return say(why, why_size, "no kernel= given");
	return true;
}

bool xlcfg_resolve(const struct xlcfg *cfg, struct script_create *out, char *why,
		   size_t why_size)
{
	memset(out, 0, sizeof(*out));
	if (!xlcfg_complete(cfg, why, why_size))
		return false;
	memcpy(out->name, cfg->name, sizeof(out->name));
	memcpy(out->kernel, cfg->kernel, sizeof(out->kernel));
	memcpy(out->ramdisk, cfg->ramdisk, sizeof(out->ramdisk));
	memcpy(out->cmdline, cfg->cmdline, sizeof(out->cmdline));
	out->nmodules = cfg->modules.count;
	for (unsigned i = 0; i < cfg->modules.count; i++) {
		memcpy(out->modules[i].name, cfg->modules.name[i], SCRIPT_MODULE_MAX);
		memcpy(out->modules[i].args, cfg->modules.args[i], SCRIPT_CMDLINE_MAX);
	}
	out->mem_bytes = XLCFG_HAS(cfg, XLCFG_MEMORY) ? (uint64_t)cfg->memory_mib << 20 :
			 SCRIPT_MEM_DEFAULT;
	out->vcpus = XLCFG_HAS(cfg, XLCFG_VCPUS) ? cfg->vcpus : 1;
	out->cpu_mask = cfg->cpu_mask;
	out->on_poweroff = end_of(cfg->on_poweroff);
	out->on_crash = end_of(cfg->on_crash);
	/* xl.cfg(5): on_reboot defaults to restart, the other two to destroy here */
	out->on_reboot = XLCFG_HAS(cfg, XLCFG_ON_REBOOT) ? end_of(cfg->on_reboot) :
			 SCRIPT_END_RESTART;
	out->pool_pages = cfg->pool_pages;
	return true;
}
