/*
 * The root console's language: tokenizer, command table, parser and help
 * (core/script.h, docs/console.md). The table says, for each command, its
 * words, options, arguments and help; the parser checks a line against it
 * and fills a struct script_cmd, or names the first thing wrong. Every
 * number is parsed with overflow checks (parse_u64); every name and value
 * is checked against its limits before it is copied. The default start-up
 * script is core/script_default.c.
 */
#include "core/script.h"
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
	if (len == 4 && !memcmp(s, "root", 4))
		return false;			/* the root partition's own name in listings */
	for (size_t i = 0; i < len; i++)
		if (!is_name_char(s[i]))
			return false;
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

/* ---------------------------------------------------------------- tokens */

#define TOKENS_MAX	48

/*
 * One word of a line: its text with the quotes taken out (NUL-terminated
 * in the parser's scratch), and for KEY=VALUE where the '=' is (the first
 * one outside quotes, with no quote before it).
 */
struct token {
	const char *text;
	uint16_t len;
	uint16_t key_len;	/* with has_val: text[0..key_len) is the key */
	bool has_val;		/* the value is text + key_len + 1 */
	bool quoted;		/* a quote in it: never an option, a key or a comment */
};

static const char *tok_val(const struct token *t)
{
	return t->text + t->key_len + 1;
}

static size_t tok_val_len(const struct token *t)
{
	return t->len - t->key_len - 1u;
}

static bool tok_is(const struct token *t, const char *word)
{
	return !t->quoted && !t->has_val && t->len == strlen(word) && !memcmp(t->text, word, t->len);
}

/*
 * Words are separated by blanks; "..." and '...' group anything but their
 * own quote, anywhere in a word (cmdline="a b", module=k:"x y"). An
 * unquoted '#' starting a word starts a comment. `scratch` holds
 * SCRIPT_LINE_MAX + 1 bytes: each word's text is at most its bytes in the
 * line, plus its NUL in place of the blank after it.
 */
static const char *tokenize(const char *p, char *scratch, struct token *t, unsigned *count)
{
	char *out = scratch;

	*count = 0;
	for (;;) {
		struct token *tk;

		while (is_blank(*p))
			p++;
		if (!*p || *p == '#')
			return NULL;
		if (*count == TOKENS_MAX)
			return "too many words (at most 48)";
		tk = &t[(*count)++];
		memset(tk, 0, sizeof(*tk));
		tk->text = out;
		while (*p && !is_blank(*p)) {
			if (*p == '"' || *p == '\'') {
				char q = *p++;

				tk->quoted = true;
				while (*p && *p != q)
					*out++ = *p++;
				if (!*p)
					return "unterminated quote";
				p++;
				continue;
			}
			if (*p == '=' && !tk->has_val && !tk->quoted) {
				tk->has_val = true;
				tk->key_len = (uint16_t)(out - tk->text);
			}
			*out++ = *p++;
		}
		tk->len = (uint16_t)(out - tk->text);
		*out++ = '\0';
	}
}

/* ------------------------------------------------------- the command table */

enum arg_kind {
	ARG_PART,		/* a partition: a name or a decimal id */
	ARG_PART_OR_ALL,	/* the same, or "all" */
	ARG_NAME,		/* a new partition's name (part create) */
	ARG_STATE,		/* wait's state */
	ARG_DURATION,		/* sleep's */
	ARG_MODULE,		/* a boot module (run) */
	ARG_TOPIC,		/* help's: a command's words */
};

#define OPT_JSON	1u	/* -l */
#define OPT_FOLLOW	2u	/* -f (hv log) */
#define OPT_FILE	4u	/* -f CONFIG (part create) */
#define OPT_TIMEOUT	8u	/* -t SECONDS (wait) */

struct arg {
	const char *name;	/* in the usage, as "P" */
	const char *what;	/* for a missing argument's message */
	enum arg_kind kind;
};

struct command {
	const char *group;	/* "part", "hv", or NULL for a one-word command */
	const char *word;
	enum script_op op;
	const char *usage;	/* one line */
	const char *summary;	/* what it does, one short line */
	const char *help;	/* help COMMAND's text, '\n' between lines; after "usage: "
				 * and the usage unless it starts with its own */
	unsigned options;	/* OPT_* */
	uint8_t min_args, max_args;
	struct arg args[2];
	bool keys;		/* takes KEY=VALUE (part create) */
};

#define P_ARG		{ "P", "a partition's name or id", ARG_PART }

static const struct command commands[] = {
	{ NULL, "help", SCRIPT_HELP, "help [COMMAND]", "list the commands, or describe one",
	  "With no COMMAND, one line per command. With one (\"help part create\",\n"
	  "\"help ls\"; \"help part\" lists part's commands), its usage, options and\n"
	  "what it checks.", 0, 0, 2,
	  { { "COMMAND", "a command", ARG_TOPIC }, { "COMMAND", "a command", ARG_TOPIC } }, false },
	{ NULL, "version", SCRIPT_VERSION, "version", "the hypervisor's name and version",
	  "Prints the hypervisor's name and version.", 0, 0, 0, { { 0 } }, false },
	{ "hv", "info", SCRIPT_HV_INFO, "hv info [-l]", "the hypervisor, its CPUs and memory",
	  "NAME : VALUE lines: version, back-end (AMD-V or VT-x) and its features,\n"
	  "CPUs, memory total, free and held by the hypervisor, partitions, uptime.\n"
	  "-l: the same as one JSON object.", OPT_JSON, 0, 0, { { 0 } }, false },
	{ "hv", "check", SCRIPT_HV_CHECK, "hv check [-l]", "what this machine lacks for partitions",
	  "Each feature partitions need (virtualization extensions, nested paging,\n"
	  "...) and whether this machine has it, as `jailhouse hardware check`.\n"
	  "-l: the same as JSON.", OPT_JSON, 0, 0, { { 0 } }, false },
	{ "hv", "log", SCRIPT_HV_LOG, "hv log [-f]", "the hypervisor's log",
	  "Prints the hypervisor's log ring, oldest line first.\n"
	  "-f: then follows it, printing new lines, until a key is pressed.",
	  OPT_FOLLOW, 0, 0, { { 0 } }, false },
	{ NULL, "ls", SCRIPT_LS, "ls [-l]", "the boot modules: name, size",
	  "One line per boot module: its name and size. The names are what kernel=,\n"
	  "ramdisk=, module=, run and part create -f take. -l: JSON.",
	  OPT_JSON, 0, 0, { { 0 } }, false },
	{ "part", "list", SCRIPT_PART_LIST, "part list [-l]", "the partitions and their states",
	  "One line per partition: Name ID Mem VCPUs State Time(s). -l: a JSON\n"
	  "array of objects with the same fields, numbers as numbers.",
	  OPT_JSON, 0, 0, { { 0 } }, false },
	{ "part", "info", SCRIPT_PART_INFO, "part info P [-l]", "one partition's description",
	  "A partition's description (kernel, memory, vCPUs, CPUs, command line,\n"
	  "modules, on_poweroff, on_crash, on_reboot) and state. -l: JSON. P is a\n"
	  "name or an id.",
	  OPT_JSON, 1, 1, { P_ARG }, false },
	{ "part", "stats", SCRIPT_PART_STATS, "part stats P [-l]", "one partition's exits and times",
	  "A partition's exits by reason, its guest and hypervisor time, and the\n"
	  "accesses it was denied. -l: JSON. P is a name or an id.",
	  OPT_JSON, 1, 1, { P_ARG }, false },
	{ "part", "create", SCRIPT_PART_CREATE, "part create NAME KEY=VALUE...",
	  "create a partition (not started)",
	  "usage: part create NAME kernel=MODULE [memory=SIZE] [vcpus=N]\n"
	  "                   [cpus=LIST] [cmdline=\"...\"] [ramdisk=MODULE]\n"
	  "                   [module=MODULE[:\"ARGS\"]]... [on_poweroff=ACTION]\n"
	  "                   [on_crash=ACTION] [on_reboot=ACTION] [pool=PAGES]\n"
	  "       part create -f CONFIG [NAME] [KEY=VALUE ...]\n"
	  "  kernel=      the boot module to load (ls lists them)\n"
	  "  memory=      2M to 1G in steps of 2M (K, M, G; no suffix: MiB); 16M\n"
	  "  vcpus=       1 to 8; 1\n"
	  "  cpus=        the CPUs it may run on, as 0,2-3, or all; all\n"
	  "  cmdline=     its command line, at most 255 characters\n"
	  "  ramdisk=     a boot module handed to it as its initrd\n"
	  "  module=      a further boot module, with its own arguments; up to 8\n"
	  "  on_poweroff= destroy, preserve or restart; destroy\n"
	  "  on_crash=    destroy, preserve or restart; destroy\n"
	  "  on_reboot=   destroy, preserve or restart; restart\n"
	  "  pool=        the most pages the root deposits for it, 1 to 262144\n"
	  "  name=        instead of NAME\n"
	  "-f CONFIG reads an xl.cfg-style boot module (name = \"web\", memory = 64,\n"
	  "...); the keys given here override the file's.",
	  OPT_FILE, 0, 1, { { "NAME", "a name", ARG_NAME } }, true },
	{ "part", "start", SCRIPT_PART_START, "part start P", "start a created partition",
	  "Starts a partition that was created and not started yet.",
	  0, 1, 1, { P_ARG }, false },
	{ "part", "pause", SCRIPT_PART_PAUSE, "part pause P", "stop a running partition's vCPUs",
	  "Stops a running partition's vCPUs where they are, until part resume.",
	  0, 1, 1, { P_ARG }, false },
	{ "part", "resume", SCRIPT_PART_RESUME, "part resume P", "run a paused partition again",
	  "Lets a paused partition's vCPUs run again from where they stopped.",
	  0, 1, 1, { P_ARG }, false },
	{ "part", "reset", SCRIPT_PART_RESET, "part reset P", "restart a partition from its kernel",
	  "Stops a partition and starts it again from its kernel, as a reset button.",
	  0, 1, 1, { P_ARG }, false },
	{ "part", "destroy", SCRIPT_PART_DESTROY, "part destroy P",
	  "stop a partition and free its memory",
	  "Stops a partition, whatever its state, and gives its memory back.",
	  0, 1, 1, { P_ARG }, false },
	{ "part", "console", SCRIPT_PART_CONSOLE, "part console P", "attach to a partition's COM1",
	  "Prints what the partition wrote to its COM1 so far, then what it writes;\n"
	  "the keys typed go to it. Ctrl-] returns to the prompt.",
	  0, 1, 1, { P_ARG }, false },
	{ NULL, "run", SCRIPT_RUN, "run SCRIPT", "run a boot module as a script",
	  "Runs each line of the boot module SCRIPT as a command; the first that\n"
	  "fails stops it with SCRIPT:LINE: its message.",
	  0, 1, 1, { { "SCRIPT", "a boot module", ARG_MODULE } }, false },
	{ NULL, "echo", SCRIPT_ECHO, "echo TEXT", "print TEXT",
	  "Prints the rest of the line as it is (after the one blank after echo).",
	  0, 0, 0, { { 0 } }, false },
	{ NULL, "sleep", SCRIPT_SLEEP, "sleep DURATION", "wait a while (5, 2s, 500ms)",
	  "Waits DURATION: seconds, or a number with s or ms; an hour at most.",
	  0, 1, 1, { { "DURATION", "seconds, or with s or ms", ARG_DURATION } }, false },
	{ NULL, "wait", SCRIPT_WAIT, "wait P|all [STATE] [-t SECONDS]",
	  "wait until partitions reach a state",
	  "Waits until P (or, with all, every partition but the root) is in STATE:\n"
	  "running, paused, stopped, crashed, gone (destroyed), or ended (the\n"
	  "default: stopped, crashed or gone). -t: fail after SECONDS (1 to 86400,\n"
	  "or a number with s or ms).",
	  OPT_TIMEOUT, 1, 2,
	  { { "P", "a partition's name or id, or all", ARG_PART_OR_ALL },
	    { "STATE", "a state", ARG_STATE } }, false },
	{ NULL, "shutdown", SCRIPT_SHUTDOWN, "shutdown", "stop every partition and power off",
	  "Destroys every partition and powers the machine off.", 0, 0, 0, { { 0 } }, false },
};

static const char *const state_names[] = {
	[SCRIPT_WAIT_ENDED] = "ended", [SCRIPT_WAIT_RUNNING] = "running",
	[SCRIPT_WAIT_PAUSED] = "paused", [SCRIPT_WAIT_STOPPED] = "stopped",
	[SCRIPT_WAIT_CRASHED] = "crashed", [SCRIPT_WAIT_GONE] = "gone",
};

static bool is_group(const char *word, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].group && strlen(commands[i].group) == len &&
		    !memcmp(commands[i].group, word, len))
			return true;
	return false;
}

static const struct command *find(const char *group, const char *word, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct command *c = &commands[i];

		if ((c->group == NULL) != (group == NULL) || (group && strcmp(c->group, group)))
			continue;
		if (strlen(c->word) == len && !memcmp(c->word, word, len))
			return c;
	}
	return NULL;
}

/* "part create" into buf */
static void command_name(const struct command *c, char *buf, size_t size)
{
	if (c->group)
		fmt_snprintf(buf, size, "%s %s", c->group, c->word);
	else
		fmt_snprintf(buf, size, "%s", c->word);
}

/* ----------------------------------------------------------------- parser */

struct parser {
	const struct script_env *env;
	struct script_cmd *cmd;
	const struct command *c;
	char name[SCRIPT_TOPIC_MAX];	/* the command's words, for messages */
	char *why;
	size_t why_size;
	unsigned nargs, seen_opts;
};

/* At most 40 characters of user text in a message, cut with "...". */
static void clip(char *dst, size_t size, const char *s, size_t len)
{
	size_t n = MIN(len, (size_t)40);

	if (size < 44)
		n = 0;
	memcpy(dst, s, n);
	if (n < len && size >= 44) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
}

static bool fail(struct parser *ps, const char *msg)
{
	fmt_snprintf(ps->why, ps->why_size, "%s", msg);
	return false;
}

/* MSG with the token's text ("%s" in it) */
static bool fail_tok(struct parser *ps, const char *fmt, const struct token *t)
{
	char text[48];

	clip(text, sizeof(text), t->text, t->len);
	fmt_snprintf(ps->why, ps->why_size, fmt, text, ps->name);
	return false;
}

static bool all_digits(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * DURATION: a number of seconds, or a number with "s" or "ms", decimal;
 * into *ms, at most max_ms.
 */
static bool parse_duration(const char *s, size_t len, uint64_t max_ms, uint32_t *ms)
{
	uint64_t v, scale = 1000;

	if (len > 2 && !memcmp(s + len - 2, "ms", 2)) {
		scale = 1;
		len -= 2;
	} else if (len > 1 && s[len - 1] == 's') {
		len--;
	}
	if (!all_digits(s, len) || !parse_u64(s, len, false, &v) || v > max_ms / scale)
		return false;
	*ms = (uint32_t)(v * scale);
	return true;
}

static bool set_part(struct parser *ps, const struct token *t)
{
	bool id = all_digits(t->text, t->len);
	bool root = t->len == 4 && !memcmp(t->text, "root", 4);	/* the root: listed, inspected */

	if (t->has_val || !(id ? t->len <= 10 : root || script_name_ok(t->text, t->len)))
		return fail_tok(ps, "bad partition '%s': a name (1-31 letters, digits, '-', '_' "
			       "or '.', not starting with a digit) or a decimal id", t);
	memcpy(ps->cmd->target, t->text, t->len + 1u);
	return true;
}

static bool set_topic(struct parser *ps, const struct token *t)
{
	char *topic = ps->cmd->topic;
	size_t at = strlen(topic);

	if (at + !!at + t->len >= SCRIPT_TOPIC_MAX)
		return fail_tok(ps, "no help for '%s' (help lists the commands)", t);
	if (at)
		topic[at++] = ' ';
	memcpy(topic + at, t->text, t->len + 1u);
	return true;
}

/* Positional argument number ps->nargs of the command. */
static bool positional(struct parser *ps, const struct token *t)
{
	const struct arg *a = &ps->c->args[ps->nargs];
	struct script_cmd *cmd = ps->cmd;

	if (ps->nargs == ps->c->max_args)
		return fail_tok(ps, "extra argument '%s' for %s", t);
	ps->nargs++;
	switch (a->kind) {
	case ARG_PART_OR_ALL:
		if (tok_is(t, "all")) {
			cmd->all = true;
			return true;
		}
		return set_part(ps, t);
	case ARG_PART:
		return set_part(ps, t);
	case ARG_NAME:
		return xlcfg_set_key(&cmd->create, "name", 4, t->text, t->len, ps->env, ps->why,
				     ps->why_size);
	case ARG_STATE:
		for (size_t i = 0; i < ARRAY_SIZE(state_names); i++)
			if (tok_is(t, state_names[i])) {
				cmd->wait_for = (enum script_wait_for)i;
				return true;
			}
		return fail_tok(ps, "bad state '%s': running, paused, stopped, crashed, gone or "
			       "ended", t);
	case ARG_DURATION:
		if (!parse_duration(t->text, t->len, SCRIPT_SLEEP_MAX_MS, &cmd->sleep_ms))
			return fail_tok(ps, "bad duration '%s': seconds, or a number with s or ms, "
				       "an hour at most", t);
		return true;
	case ARG_MODULE:
		if (!t->len || t->len >= SCRIPT_MODULE_MAX)
			return fail_tok(ps, "bad module name '%s': 1-63 characters", t);
		memcpy(cmd->file, t->text, t->len + 1u);
		return true;
	case ARG_TOPIC:
		return set_topic(ps, t);
	}
	return fail(ps, "bad argument");
}

/* "it takes -l" / "it takes none", for an unknown option's message */
static void options_of(const struct command *c, char *buf, size_t size)
{
	static const char *const names[] = { "-l", "-f", "-f CONFIG", "-t SECONDS" };
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		if ((c->options >> i & 1) && at < size)	/* a cut list stays in buf */
			at += (size_t)fmt_snprintf(buf + at, size - at, "%s%s", at ? ", " : "",
						   names[i]);
	if (!at)
		fmt_snprintf(buf, size, "none");
}

/* An option at toks[*i]; one that takes a value takes toks[*i + 1]. */
static bool option(struct parser *ps, const struct token *toks, unsigned count, unsigned *i)
{
	const struct token *t = &toks[*i];
	struct script_cmd *cmd = ps->cmd;
	unsigned opt = 0;
	char takes[48], text[48];

	if (t->len == 2 && t->text[1] == 'l')
		opt = OPT_JSON;
	else if (t->len == 2 && t->text[1] == 'f')
		opt = ps->c->options & (OPT_FOLLOW | OPT_FILE);
	else if (t->len == 2 && t->text[1] == 't')
		opt = OPT_TIMEOUT;
	if (!opt || !(ps->c->options & opt)) {
		options_of(ps->c, takes, sizeof(takes));
		clip(text, sizeof(text), t->text, t->len);
		fmt_snprintf(ps->why, ps->why_size, "unknown option '%s' for %s (it takes %s)", text,
			     ps->name, takes);
		return false;
	}
	if (ps->seen_opts & opt)
		return fail_tok(ps, "option %s given twice", t);
	ps->seen_opts |= opt;
	if (opt == OPT_JSON) {
		cmd->json = true;
		return true;
	}
	if (opt == OPT_FOLLOW) {
		cmd->follow = true;
		return true;
	}
	if (++*i == count)
		return fail(ps, opt == OPT_FILE ? "option -f needs CONFIG, a boot module" :
				"option -t needs SECONDS");
	t = &toks[*i];
	if (opt == OPT_FILE) {
		if (t->has_val || !t->len || t->len >= SCRIPT_MODULE_MAX)
			return fail_tok(ps, "bad module name '%s': 1-63 characters", t);
		memcpy(cmd->file, t->text, t->len + 1u);
		return true;
	}
	if (!parse_duration(t->text, t->len, SCRIPT_TIMEOUT_MAX_S * 1000ull, &cmd->timeout_ms) ||
	    !cmd->timeout_ms)
		return fail_tok(ps, "bad timeout '%s': 1 to 86400 seconds (or a number with s or "
			       "ms)", t);
	return true;
}

static bool key_value(struct parser *ps, const struct token *t)
{
	if (!ps->c->keys)
		return fail_tok(ps, "unexpected KEY=VALUE '%s': %s takes none", t);
	if (!t->key_len)
		return fail_tok(ps, "expected KEY=VALUE, not '%s'", t);
	return xlcfg_set_key(&ps->cmd->create, t->text, t->key_len, tok_val(t), tok_val_len(t),
			     ps->env, ps->why, ps->why_size);
}

/* The list of a group's commands: "list, info, stats, ..." */
static void group_words(const char *group, char *buf, size_t size)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].group && !strcmp(commands[i].group, group) && at < size)
			at += (size_t)fmt_snprintf(buf + at, size - at, "%s%s", at ? ", " : "",
						   commands[i].word);
}

/* The command the first word (or two) name; *first: the index of what follows. */
static bool find_command(struct parser *ps, const struct token *t, unsigned count,
			 unsigned *first)
{
	char group[8], words[96];

	ps->c = NULL;
	if (!t[0].has_val && !t[0].quoted && is_group(t[0].text, t[0].len)) {
		memcpy(group, t[0].text, t[0].len + 1u);
		group_words(group, words, sizeof(words));
		if (count < 2) {
			fmt_snprintf(ps->why, ps->why_size, "%s needs a subcommand: %s", group,
				     words);
			return false;
		}
		ps->c = t[1].quoted || t[1].has_val ? NULL : find(group, t[1].text, t[1].len);
		if (!ps->c) {
			char text[48];

			clip(text, sizeof(text), t[1].text, t[1].len);
			fmt_snprintf(ps->why, ps->why_size, "unknown subcommand '%s' of %s (%s)",
				     text, group, words);
			return false;
		}
		*first = 2;
	} else {
		ps->c = t[0].quoted || t[0].has_val ? NULL : find(NULL, t[0].text, t[0].len);
		if (!ps->c)
			return fail_tok(ps, "unknown command '%s' (help lists the commands)", &t[0]);
		*first = 1;
	}
	command_name(ps->c, ps->name, sizeof(ps->name));
	ps->cmd->op = ps->c->op;
	return true;
}

static bool topic_known(const char *topic)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		char name[SCRIPT_TOPIC_MAX];

		command_name(&commands[i], name, sizeof(name));
		if (!strcmp(name, topic) ||
		    (commands[i].group && !strcmp(commands[i].group, topic)))
			return true;
	}
	return false;
}

/* What only the whole line tells: the command's own rules once every word is in. */
static bool finish(struct parser *ps)
{
	struct script_cmd *cmd = ps->cmd;
	const struct arg *a = &ps->c->args[ps->nargs];

	if (ps->nargs < ps->c->min_args) {
		fmt_snprintf(ps->why, ps->why_size, "missing %s for %s: %s", a->name, ps->name,
			     a->what);
		return false;
	}
	if (cmd->op == SCRIPT_HELP && cmd->topic[0] && !topic_known(cmd->topic)) {
		char text[48];

		clip(text, sizeof(text), cmd->topic, strlen(cmd->topic));
		fmt_snprintf(ps->why, ps->why_size, "no help for '%s' (help lists the commands)",
			     text);
		return false;
	}
	/* without -f, the line is the whole description: check that it is one */
	if (cmd->op == SCRIPT_PART_CREATE && !cmd->file[0] &&
	    !xlcfg_complete(&cmd->create, ps->why, ps->why_size))
		return false;
	return true;
}

static bool parse_words(struct parser *ps, const struct token *t, unsigned count)
{
	unsigned i = 0;

	if (!find_command(ps, t, count, &i))
		return false;
	for (; i < count; i++) {
		bool ok;

		if (!t[i].quoted && t[i].len > 1 && t[i].text[0] == '-' && !t[i].has_val)
			ok = option(ps, t, count, &i);
		else if (t[i].has_val)
			ok = key_value(ps, &t[i]);
		else
			ok = positional(ps, &t[i]);
		if (!ok)
			return false;
	}
	return finish(ps);
}

/* echo: the rest of the line as it is, after the one blank after "echo". */
static bool parse_echo(struct parser *ps, const char *rest)
{
	size_t n;

	ps->cmd->op = SCRIPT_ECHO;
	rest += is_blank(*rest);
	n = strlen(rest);
	if (n >= sizeof(ps->cmd->text))
		return fail(ps, "echo's text is longer than 199 characters");
	memcpy(ps->cmd->text, rest, n + 1);
	return true;
}

static bool parse(struct parser *ps, const char *buf)
{
	struct token toks[TOKENS_MAX];
	char scratch[SCRIPT_LINE_MAX + 1];
	const char *p = buf, *why;
	unsigned count;

	while (is_blank(*p))
		p++;
	if (!*p || *p == '#')
		return true;			/* SCRIPT_NOTHING */
	if (!strncmp(p, "echo", 4) && (!p[4] || is_blank(p[4])))
		return parse_echo(ps, p + 4);
	why = tokenize(p, scratch, toks, &count);
	if (why)
		return fail(ps, why);
	return parse_words(ps, toks, count);
}

bool script_parse_line(const char *line, size_t len, const struct script_env *env,
		       struct script_cmd *cmd, char *why, size_t why_size)
{
	struct parser ps = { env, cmd, NULL, "", why, why_size, 0, 0 };
	char buf[SCRIPT_LINE_MAX];
	bool ok = false;

	memset(cmd, 0, sizeof(*cmd));
	if (why_size)
		why[0] = '\0';
	if (len >= sizeof(buf)) {
		fail(&ps, "line longer than 511 characters");
	} else if (strnlen(line, len) != len) {
		fail(&ps, "NUL byte in the line");
	} else {
		for (size_t i = 0; i < len; i++)
			if (((unsigned char)line[i] < ' ' && line[i] != '\t') || line[i] == 0x7f) {
				fail(&ps, "control character in the line");
				goto out;
			}
		memcpy(buf, line, len);
		buf[len] = '\0';
		ok = parse(&ps, buf);
	}
out:
	if (!ok)
		memset(cmd, 0, sizeof(*cmd));
	return ok;
}

/* ------------------------------------------------------------------- help */

#define HELP_LINE_MAX	128

static void help_index_line(const struct command *c, void (*line)(void *, const char *),
			    void *ctx)
{
	char text[HELP_LINE_MAX];

	fmt_snprintf(text, sizeof(text), "%-32s %s", c->usage, c->summary);
	line(ctx, text);
}

/* The help text, line by line. */
static void help_text(const char *s, void (*line)(void *, const char *), void *ctx)
{
	char text[HELP_LINE_MAX];

	while (*s) {
		size_t n = 0;

		while (s[n] && s[n] != '\n')
			n++;
		n = MIN(n, sizeof(text) - 1);
		memcpy(text, s, n);
		text[n] = '\0';
		line(ctx, text);
		s += n;
		s += *s == '\n';
	}
}

bool script_help(const char *topic, void (*line)(void *ctx, const char *text), void *ctx)
{
	char name[SCRIPT_TOPIC_MAX], text[HELP_LINE_MAX];
	bool found = false;

	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct command *c = &commands[i];

		command_name(c, name, sizeof(name));
		if (!topic[0] || (c->group && !strcmp(c->group, topic))) {
			help_index_line(c, line, ctx);
			found = true;
		} else if (!strcmp(name, topic)) {
			if (strncmp(c->help, "usage: ", 7)) {	/* else the help has a longer one */
				fmt_snprintf(text, sizeof(text), "usage: %s", c->usage);
				line(ctx, text);
			}
			help_text(c->help, line, ctx);
			return true;
		}
	}
	return found;
}
