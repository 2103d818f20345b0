/*
 * The root's default start-up script (core/script.h): one "part create"
 * and one "part start" per boot module whose line carries partition=NAME
 * (the hypervisor's module-line keys, docs/cmdline.md), or an echo saying
 * why not. Each module line is checked key by key first, with its own
 * keys' rules and messages, and each line written is parsed back with the
 * console's own parser before it is kept.
 */
#include "core/script.h"
#include "core/cmdline.h"
#include "core/lib.h"

static const char unknown_key[] = "unknown key", expected_key_value[] = "expected key=value";

/* What a module line says, in the module line's keys. */
struct modline {
	bool has_mem, has_vcpus, has_on_stop, has_on_crash;
	uint64_t mem_bytes;
	unsigned vcpus;
	struct cmdline_token cpus, cmdline;	/* val NULL: not given */
	enum script_end on_stop, on_crash;
	uint32_t pool_pages;
};

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

/* One key=value of a module line; NULL or a message. The last of a repeated key counts. */
static const char *module_key(struct modline *m, const struct cmdline_token *t,
			      const struct script_env *env)
{
	uint64_t v, mask;

	if (!t->val)
		return expected_key_value;
	if (cmdline_key_is(t, "mem")) {
		if (!parse_u64(t->val, t->val_len, true, &v) || !v || v % (2ull << 20) ||
		    v > SCRIPT_MEM_MAX)
			return "mem= must be a multiple of 2 MiB, at most 1 GiB";
		m->mem_bytes = v;
		m->has_mem = true;
		return NULL;
	}
	if (cmdline_key_is(t, "vcpus")) {
		if (!parse_u64(t->val, t->val_len, false, &v) || !v || v > SCRIPT_VCPUS_MAX)
			return "vcpus= must be 1 to 8";
		m->vcpus = (unsigned)v;
		m->has_vcpus = true;
		return NULL;
	}
	if (cmdline_key_is(t, "cpus")) {
		if (!script_parse_cpus(t->val, t->val_len, env->cpu_count, &mask))
			return "cpus= must list online CPUs, as 0,2-3";
		m->cpus = *t;
		return NULL;
	}
	if (cmdline_key_is(t, "cmdline")) {
		if (t->val_len >= SCRIPT_CMDLINE_MAX)
			return "cmdline= is longer than 255 characters";
		m->cmdline = *t;
		return NULL;
	}
	if (cmdline_key_is(t, "on_stop")) {
		m->has_on_stop = true;
		return parse_end(t, &m->on_stop) ? NULL : "on_stop= must be destroy or preserve";
	}
	if (cmdline_key_is(t, "on_crash")) {
		m->has_on_crash = true;
		return parse_end(t, &m->on_crash) ? NULL : "on_crash= must be destroy or preserve";
	}
	if (cmdline_key_is(t, "pool")) {	/* the root's deposit budget for it */
		if (!parse_u64(t->val, t->val_len, false, &v) || !v || v > SCRIPT_POOL_MAX)
			return "pool= must be 1 to 262144 pages";
		m->pool_pages = (uint32_t)v;
		return NULL;
	}
	return unknown_key;
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

static void put_uint(struct out *o, uint64_t v)
{
	char d[24];

	put(o, d, (size_t)fmt_snprintf(d, sizeof(d), "%lu", v));
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

/* Printable ASCII only: a newline in a quoted value would start another script line. */
static bool printable(const char *s)
{
	for (; *s; s++)
		if (*s < ' ' || *s > '~')
			return false;
	return true;
}

/*
 * What is wrong with module `i`'s line for the default script, or NULL;
 * *m gets what it says. The keys are checked one by one (module_key), so
 * the message can name the key; accepted[j] says whether module j (< i)
 * was. *key is set to the key at fault where the message does not name it.
 */
static const char *module_problem(const char *const *names, const char *const *args, bool cut,
				  unsigned i, const bool *accepted, const struct script_env *env,
				  const struct cmdline_token *part, struct cmdline_token *key,
				  struct modline *m)
{
	struct cmdline_token t, other;
	const char *cur = args[i], *why;

	key->key = NULL;
	memset(m, 0, sizeof(*m));
	if (cut)
		return "its line is longer than 255 characters";
	if (!printable(names[i]) || !printable(args[i]))
		return "its line has a control character or a byte above 0x7e";
	if (!script_name_ok(part->val, part->val_len))
		return "the name must be 1-31 letters, digits, '-', '_' or '.', not starting "
		       "with a digit, and not \"all\" or \"root\"";
	for (unsigned j = 0; j < i; j++)
		if (accepted[j] && partition_of(args[j], &other) && other.val_len == part->val_len &&
		    !memcmp(other.val, part->val, part->val_len))
			return "the name is in use (an earlier module line)";
	if (strlen(names[i]) >= SCRIPT_MODULE_MAX)
		return "the module's name is longer than 63 characters";
	while (cmdline_next(&cur, &t)) {
		if (cmdline_key_is(&t, "partition") && t.val)
			continue;
		*key = t;			/* named where the message does not say it */
		why = module_key(m, &t, env);
		if (why == unknown_key || why == expected_key_value)
			return why;
		key->key = NULL;
		if (why)
			return why;
	}
	return NULL;
}

/*
 * "echo root: module I 'MODULE': partition 'P' not created: WHY[ 'KEY']" (without partition=:
 * "ignored: WHY"), each name cut to fit: the runner says it in its turn.
 */
static void refuse(struct out *o, unsigned i, const char *module, const struct cmdline_token *part,
		   const char *why, const struct cmdline_token *key)
{
	char text[SCRIPT_TEXT_MAX];
	struct out m = { text, sizeof(text), 0, true };

	text[0] = '\0';
	puts_(&m, "root: module ");	/* the root speaking, as its own lines */
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
 * A value as one word of the console's language: bare if it has no blank
 * or quote (and is not empty), else in the quotes it does not hold; false
 * if it holds both kinds.
 */
static bool put_word(struct out *o, const char *s, size_t n)
{
	bool blank = !n, dq = false, sq = false;

	for (size_t i = 0; i < n; i++) {
		blank |= s[i] == ' ' || s[i] == '\t' || s[i] == '#';
		dq |= s[i] == '"';
		sq |= s[i] == '\'';
	}
	if (dq && sq)
		return false;
	if (!blank && !dq && !sq) {
		put(o, s, n);
		return true;
	}
	puts_(o, dq ? "'" : "\"");
	put(o, s, n);
	puts_(o, dq ? "'" : "\"");
	return true;
}

static const char *const end_names[] = {
	[SCRIPT_END_DESTROY] = "destroy", [SCRIPT_END_PRESERVE] = "preserve",
	[SCRIPT_END_RESTART] = "restart",
};

/*
 * "part create NAME kernel=MODULE KEYS" into line[]; NULL if it parses back
 * to what the module line said (quotes or blanks inside a value must not
 * turn it into something else), else why not.
 */
static const char *create_line(const char *module, const struct cmdline_token *name,
			       const struct modline *m, const struct script_env *env,
			       char *line, size_t size)
{
	struct out o = { line, size, 0, true };
	struct script_cmd cmd;
	char why[SCRIPT_WHY_MAX];
	bool quotable = true;

	puts_(&o, "part create ");
	put(&o, name->val, name->val_len);
	puts_(&o, " kernel=");
	quotable &= put_word(&o, module, strlen(module));
	if (m->has_mem) {
		puts_(&o, " memory=");
		put_uint(&o, m->mem_bytes >> 20);
		puts_(&o, "M");
	}
	if (m->has_vcpus) {
		puts_(&o, " vcpus=");
		put_uint(&o, m->vcpus);
	}
	if (m->cpus.val) {
		puts_(&o, " cpus=");
		put(&o, m->cpus.val, m->cpus.val_len);
	}
	if (m->cmdline.val) {
		puts_(&o, " cmdline=");
		quotable &= put_word(&o, m->cmdline.val, m->cmdline.val_len);
	}
	if (m->has_on_stop) {
		puts_(&o, " on_poweroff=");
		puts_(&o, end_names[m->on_stop]);
	}
	if (m->has_on_crash) {
		puts_(&o, " on_crash=");
		puts_(&o, end_names[m->on_crash]);
	}
	if (m->pool_pages) {
		puts_(&o, " pool=");
		put_uint(&o, m->pool_pages);
	}
	if (!quotable)
		return "a value holds both kinds of quote";
	if (!o.ok)
		return "its line is too long";
	if (!script_parse_line(line, o.at, env, &cmd, why, sizeof(why)))
		return "its line does not read back as it was written (quotes or blanks)";
	if (cmd.op != SCRIPT_PART_CREATE || strcmp(cmd.create.kernel, module) ||
	    strlen(cmd.create.name) != name->val_len ||
	    memcmp(cmd.create.name, name->val, name->val_len) ||
	    (m->cmdline.val && (strlen(cmd.create.cmdline) != m->cmdline.val_len ||
				memcmp(cmd.create.cmdline, m->cmdline.val, m->cmdline.val_len))))
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
	struct modline m;
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
		      module_problem(names, args, line_cut, i, accepted, env, &name, &key, &m);
		if (!why)
			why = create_line(names[i], &name, &m, env, line, sizeof(line));
		if (why) {
			refuse(&o, i, names[i], &name, why, &key);
			continue;
		}
		accepted[i] = true;
		puts_(&o, line);
		puts_(&o, "\npart start ");
		put(&o, name.val, name.val_len);
		puts_(&o, "\n");
	}
	return o.ok ? o.at : SCRIPT_DEFAULT_TOO_BIG;
}
