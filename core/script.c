/*
 * The root's start-up script: parser and default script (core/script.h,
 * docs/root.md). Every number is parsed with overflow checks (parse_u64);
 * every name and value is checked against its limits before it is copied.
 */
#include "core/script.h"
#include "core/cmdline.h"
#include "core/lib.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

bool script_next_line(const char *text, size_t len, size_t *at, const char **line,
		      size_t *line_len)
{
	size_t s = *at, e = s;

	if (s >= len)
		return false;
	while (e < len && text[e] != '\n')
		e++;
	*line = text + s;
	*line_len = e - s - (e > s && text[e - 1] == '\r');
	*at = e + (e < len);
	return true;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

bool script_name_ok(const char *s, size_t len)
{
	if (!len || len >= SCRIPT_NAME_MAX || (s[0] >= '0' && s[0] <= '9'))
		return false;
	if (len == 3 && !memcmp(s, "all", 3))
		return false;			/* "wait all" means every child */
	for (size_t i = 0; i < len; i++)
		if (!is_name_char(s[i]))
			return false;
	return true;
}

static bool token_is_word(const struct cmdline_token *t, const char *w)
{
	return !t->val && cmdline_key_is(t, w);
}

static bool copy_str(char *dst, size_t size, const char *s, size_t len)
{
	if (len >= size)
		return false;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return true;
}

/* (core/script.h) */
bool script_parse_cpus(const char *s, size_t len, unsigned cpu_count, uint64_t *mask)
{
	*mask = 0;
	if (!len)
		return false;
	while (len) {
		size_t n = 0, dash = 0;
		uint64_t lo, hi;

		while (n < len && s[n] != ',') {
			if (s[n] == '-' && !dash)
				dash = n;
			n++;
		}
		if (dash) {
			if (!parse_u64(s, dash, false, &lo) ||
			    !parse_u64(s + dash + 1, n - dash - 1, false, &hi))
				return false;
		} else if (!parse_u64(s, n, false, &lo)) {
			return false;
		} else {
			hi = lo;
		}
		if (lo > hi || hi >= cpu_count || hi >= 64)
			return false;
		for (uint64_t c = lo; c <= hi; c++)
			*mask |= 1ull << c;
		if (n == len - 1)
			return false;		/* a trailing comma */
		s += n + (n < len);
		len -= n + (n < len);
	}
	return true;
}

static bool parse_end(const struct cmdline_token *t, enum script_end *end)
{
	if (t->val_len == 7 && !memcmp(t->val, "destroy", 7))
		*end = SCRIPT_END_DESTROY;
	else if (t->val_len == 8 && !memcmp(t->val, "preserve", 8))
		*end = SCRIPT_END_PRESERVE;
	else
		return false;
	return true;
}

static const char unknown_key[] = "unknown key", expected_key_value[] = "expected key=value";

/* One key=value of `create`; NULL or a message. */
static const char *create_key(struct script_create *c, const struct cmdline_token *t,
			      const struct script_env *env)
{
	uint64_t v;

	if (!t->val)
		return expected_key_value;
	if (cmdline_key_is(t, "module"))
		return t->val_len && copy_str(c->module, sizeof(c->module), t->val, t->val_len) ?
		       NULL : "module= needs a module name of 1-63 characters";
	if (cmdline_key_is(t, "mem")) {
		if (!parse_u64(t->val, t->val_len, true, &v) || !v || v % (2ull << 20) ||
		    v > SCRIPT_MEM_MAX)
			return "mem= must be a multiple of 2 MiB, at most 1 GiB";
		c->mem_bytes = v;
		return NULL;
	}
	if (cmdline_key_is(t, "vcpus")) {
		if (!parse_u64(t->val, t->val_len, false, &v) || !v || v > SCRIPT_VCPUS_MAX)
			return "vcpus= must be 1 to 8";
		c->vcpus = (unsigned)v;
		return NULL;
	}
	if (cmdline_key_is(t, "cpus"))
		return script_parse_cpus(t->val, t->val_len, env->cpu_count, &c->cpu_mask) ?
		       NULL : "cpus= must list online CPUs, as 0,2-3";
	if (cmdline_key_is(t, "cmdline"))
		return copy_str(c->cmdline, sizeof(c->cmdline), t->val, t->val_len) ?
		       NULL : "cmdline= is longer than 255 characters";
	if (cmdline_key_is(t, "on_stop"))
		return parse_end(t, &c->on_stop) ? NULL : "on_stop= must be destroy or preserve";
	if (cmdline_key_is(t, "on_crash"))
		return parse_end(t, &c->on_crash) ? NULL : "on_crash= must be destroy or preserve";
	if (cmdline_key_is(t, "pool")) {	/* the root's deposit budget for it */
		if (!parse_u64(t->val, t->val_len, false, &v) || !v || v > (1ull << 18))
			return "pool= must be 1 to 262144 pages";
		c->pool_pages = (uint32_t)v;
		return NULL;
	}
	return unknown_key;
}

static const char *parse_create(const char **cur, const struct script_env *env,
				struct script_cmd *cmd)
{
	struct cmdline_token t;
	const char *why;

	cmd->create.mem_bytes = SCRIPT_MEM_DEFAULT;
	cmd->create.vcpus = 1;
	while (cmdline_next(cur, &t))
		if ((why = create_key(&cmd->create, &t, env)))
			return why;
	return cmd->create.module[0] ? NULL : "create needs module=";
}

static const char *parse_name(const char **cur, struct script_cmd *cmd, bool all_ok)
{
	struct cmdline_token t;

	if (!cmdline_next(cur, &t) || t.val)
		return "expected a partition name";
	if (all_ok && token_is_word(&t, "all")) {
		cmd->all = true;
		memcpy(cmd->name, "all", 4);
		return NULL;
	}
	if (!script_name_ok(t.key, t.key_len))
		return "a name is 1-31 letters, digits, '-', '_' or '.', not starting with a digit";
	copy_str(cmd->name, sizeof(cmd->name), t.key, t.key_len);
	return NULL;
}

static const char *parse_echo(const char *rest, struct script_cmd *cmd)
{
	while (is_blank(*rest))
		rest++;
	return copy_str(cmd->text, sizeof(cmd->text), rest, strlen(rest)) ?
	       NULL : "echo text is longer than 199 characters";
}

static const struct {
	const char *word;
	enum script_op op;
} commands[] = {
	{ "create", SCRIPT_CREATE }, { "start", SCRIPT_START }, { "stop", SCRIPT_STOP },
	{ "wait", SCRIPT_WAIT }, { "echo", SCRIPT_ECHO },
};

static const char *parse(const char *buf, const struct script_env *env, struct script_cmd *cmd)
{
	const char *cur = buf, *p = buf;
	struct cmdline_token t;
	const char *why;
	size_t i;

	while (is_blank(*p))
		p++;
	if (!*p || *p == '#')
		return NULL;
	if (!cmdline_next(&cur, &t) || t.val)
		return "expected a command: create, start, stop, wait or echo";
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (cmdline_key_is(&t, commands[i].word))
			break;
	if (i == ARRAY_SIZE(commands))
		return "unknown command (create, start, stop, wait, echo)";
	cmd->op = commands[i].op;
	if (cmd->op == SCRIPT_ECHO)
		return parse_echo(cur, cmd);
	why = parse_name(&cur, cmd, cmd->op == SCRIPT_WAIT);
	if (why)
		return why;
	if (cmd->op == SCRIPT_CREATE)
		return parse_create(&cur, env, cmd);
	return cmdline_next(&cur, &t) ? "unexpected words after the name" : NULL;
}

bool script_parse_line(const char *line, size_t len, const struct script_env *env,
		       struct script_cmd *cmd, const char **why)
{
	char buf[SCRIPT_LINE_MAX];

	memset(cmd, 0, sizeof(*cmd));
	if (len >= sizeof(buf)) {
		*why = "line longer than 511 characters";
		return false;
	}
	if (strnlen(line, len) != len) {
		*why = "NUL byte in the line";
		return false;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	*why = parse(buf, env, cmd);
	if (*why)
		memset(cmd, 0, sizeof(*cmd));
	return !*why;
}

/* Append to buf (bounded); false once it does not fit. */
struct out {
	char *buf;
	size_t size, at;
	bool ok;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (!o->ok || n >= o->size - o->at) {
		o->ok = false;
		return;
	}
	memcpy(o->buf + o->at, s, n);
	o->at += n;
	o->buf[o->at] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* The module's partition= value, or false if it has none (a module for someone else). */
static bool partition_of(const char *args, struct cmdline_token *name)
{
	const char *cur = args;

	while (cmdline_next(&cur, name))
		if (cmdline_key_is(name, "partition") && name->val)
			return true;
	name->val = NULL;
	return false;
}

/* Every key but partition=, as key=value again; a value with a blank is quoted. */
static void other_keys(struct out *o, const char *args)
{
	const char *cur = args;
	struct cmdline_token t;
	bool quote;

	while (cmdline_next(&cur, &t)) {
		if (cmdline_key_is(&t, "partition") && t.val)
			continue;
		puts_(o, " ");
		put(o, t.key, t.key_len);
		if (!t.val)
			continue;
		quote = !t.val_len;
		for (size_t i = 0; i < t.val_len; i++)
			quote |= is_blank(t.val[i]);
		puts_(o, quote ? "=\"" : "=");
		put(o, t.val, t.val_len);
		if (quote)
			puts_(o, "\"");
	}
}

/*
 * As put(), but what does not fit is cut (echo text has a limit), and a
 * byte that is not printable ASCII becomes '?' (a newline would end the echo).
 */
static void put_cut(struct out *o, const char *s, size_t n)
{
	n = MIN(n, o->size - o->at - 1);
	for (size_t i = 0; i < n; i++)
		put(o, s[i] >= ' ' && s[i] <= '~' ? &s[i] : "?", 1);
}

static void put_uint(struct out *o, unsigned v)
{
	char d[12];
	size_t n = sizeof(d);

	do
		d[--n] = (char)('0' + v % 10);
	while ((v /= 10));
	put(o, d + n, sizeof(d) - n);
}

/*
 * What is wrong with module `i`'s line for the default script, or NULL.
 * The keys are checked one by one with the parser's own rules (create_key),
 * so the message can name the key; accepted[j] says whether module j (< i)
 * was. *key is set to the key at fault where the message does not name it.
 */
/* Printable ASCII only: a newline in a quoted value would start another script line. */
static bool printable(const char *s)
{
	for (; *s; s++)
		if (*s < ' ' || *s > '~')
			return false;
	return true;
}

static const char *module_problem(const char *const *names, const char *const *args, bool cut,
				  unsigned i, const bool *accepted, const struct script_env *env,
				  const struct cmdline_token *part, struct cmdline_token *key)
{
	struct script_create scratch;
	struct cmdline_token t, other;
	const char *cur = args[i], *why;

	key->key = NULL;
	if (cut)
		return "its line is longer than 255 characters";
	if (!printable(names[i]) || !printable(args[i]))
		return "its line has a control character or a byte above 0x7e";
	if (!script_name_ok(part->val, part->val_len))
		return "the name must be 1-31 letters, digits, '-', '_' or '.', not starting "
		       "with a digit, and not \"all\"";
	for (unsigned j = 0; j < i; j++)
		if (accepted[j] && partition_of(args[j], &other) && other.val_len == part->val_len &&
		    !memcmp(other.val, part->val, part->val_len))
			return "the name is in use (an earlier module line)";
	if (strlen(names[i]) >= SCRIPT_MODULE_MAX)
		return "the module's name is longer than 63 characters";
	memset(&scratch, 0, sizeof(scratch));
	while (cmdline_next(&cur, &t)) {
		if (cmdline_key_is(&t, "partition") && t.val)
			continue;
		*key = t;			/* named where the message does not say it */
		if (cmdline_key_is(&t, "module"))	/* it would name another module */
			return unknown_key;
		why = create_key(&scratch, &t, env);
		if (why == unknown_key || why == expected_key_value)
			return why;
		key->key = NULL;
		if (why)
			return why;
	}
	key->key = NULL;
	return NULL;
}

/*
 * "echo module I 'MODULE': partition 'P' not created: WHY[ 'KEY']" (without partition=:
 * "ignored: WHY"), each name cut to fit: the runner says it in its turn.
 */
static void refuse(struct out *o, unsigned i, const char *module, const struct cmdline_token *part,
		   const char *why, const struct cmdline_token *key)
{
	char text[SCRIPT_TEXT_MAX];
	struct out m = { text, sizeof(text), 0, true };

	text[0] = '\0';
	puts_(&m, "module ");
	put_uint(&m, i);
	puts_(&m, " '");
	put_cut(&m, module, MIN(strlen(module), (size_t)SCRIPT_NAME_MAX));
	puts_(&m, "': ");
	if (part->val) {
		puts_(&m, "partition '");
		put_cut(&m, part->val, MIN(part->val_len, (size_t)SCRIPT_NAME_MAX));
		puts_(&m, "' not created: ");
	} else {
		puts_(&m, "ignored: ");
	}
	put_cut(&m, why, strlen(why));
	if (key->key) {
		puts_(&m, " '");
		put_cut(&m, key->key, MIN(key->key_len, (size_t)SCRIPT_NAME_MAX));
		puts_(&m, "'");
	}
	puts_(o, "echo ");
	puts_(o, text);
	puts_(o, "\n");
}

/*
 * "create NAME module=MODULE KEYS" into line[]; NULL if it parses back (the
 * last word: quotes or blanks inside a value must not turn it into another
 * command), else why not.
 */
static const char *create_line(const char *module, const char *args,
			       const struct cmdline_token *name, const struct script_env *env,
			       char *line, size_t size)
{
	struct out o = { line, size, 0, true };
	struct script_cmd cmd;
	const char *why;

	puts_(&o, "create ");
	put(&o, name->val, name->val_len);
	puts_(&o, " module=");
	puts_(&o, module);
	other_keys(&o, args);
	if (!o.ok)
		return "its line is too long";
	if (!script_parse_line(line, o.at, env, &cmd, &why))
		return why;
	if (cmd.op != SCRIPT_CREATE || strcmp(cmd.create.module, module) ||
	    strlen(cmd.name) != name->val_len || memcmp(cmd.name, name->val, name->val_len))
		return "its line does not read back as it was written (quotes or blanks)";
	return NULL;
}

size_t script_default(const char *const *names, const char *const *args, uint64_t cut,
		      unsigned count, const struct script_env *env, char *buf, size_t size)
{
	struct out o = { buf, size, 0, size > 0 };
	bool accepted[SCRIPT_MODULES_MAX];
	char line[SCRIPT_LINE_MAX];
	struct cmdline_token name, key;
	const char *why;

	memset(&key, 0, sizeof(key));
	if (o.ok)
		buf[0] = '\0';
	for (unsigned i = 0; i < count; i++) {
		bool line_cut = i < 64 && (cut >> i & 1);

		if (i < SCRIPT_MODULES_MAX)
			accepted[i] = false;
		if (!partition_of(args[i], &name) && !line_cut)
			continue;		/* a module for someone else */
		key.key = NULL;
		why = i >= SCRIPT_MODULES_MAX ? "more than 64 module lines" :
		      module_problem(names, args, line_cut, i, accepted, env, &name, &key);
		if (!why)
			why = create_line(names[i], args[i], &name, env, line, sizeof(line));
		if (why) {
			refuse(&o, i, names[i], &name, why, &key);
			continue;
		}
		accepted[i] = true;
		puts_(&o, line);
		puts_(&o, "\nstart ");
		put(&o, name.val, name.val_len);
		puts_(&o, "\n");
	}
	puts_(&o, "wait all\n");
	return o.ok ? o.at : 0;
}
