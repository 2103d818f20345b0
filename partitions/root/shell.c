/*
 * The root console's runner (docs/console.md, "Running commands"). Lines
 * come from scripts (a stack of them: the start-up script, and `run` inside
 * scripts or at the prompt) and, when no script runs, from the prompt on
 * COM1. Each line is parsed (core/script.c) and run (shell_cmds.c) when its
 * turn comes. A command that waits (wait, sleep, hv log -f, part console,
 * run) holds its source: the event loop polls it on every wake-up and the
 * console stays live meanwhile (children run and print, intercepts are
 * served).
 *
 * A failing command stops its script: "FILE:LINE: why", then "root: FILE:
 * stopped at line N, status 1", and the `run` that started it fails in
 * turn. The default script alone goes on (each module line stands alone,
 * as GRUB's). At the prompt a failure says "error: why" and the prompt
 * comes back. Ctrl-C at the prompt abandons the line; while a command waits
 * it interrupts the command (status 130, as a shell's SIGINT), and stops
 * the scripts that are running.
 *
 * Batch mode (after_boot=poweroff, as the tests run): no prompt; the root
 * powers the machine off once the start-up script is over and no child of
 * its is left.
 */
#include "partitions/root/shell.h"
#include "partitions/root/lineedit.h"
#include "partitions/root/root.h"
#include "arch/x86/cpu.h"
#include "core/abi/hypercall.h"
#include "core/cmdline.h"

#define RUN_DEPTH_MAX	4		/* scripts running scripts */
#define TYPEAHEAD_MAX	256		/* keys read while a command waits */
#define KEY_CTRL_C	0x03
#define KEY_CTRL_RBRACKET 0x1d		/* part console's way back (as telnet's and virsh's) */
#define STATUS_FAILED	1
#define STATUS_INTERRUPTED 130
#define PROMPT		"root> "
#define LINES_PER_POLL	8		/* then the event loop's turn: intercepts, Ctrl-C */

struct frame {
	char file[SCRIPT_MODULE_MAX];	/* the module's name, or "default" */
	const char *text;
	size_t len, at;
	unsigned line;
	bool keep_going;		/* the default script: every line runs */
};

static struct frame frames[RUN_DEPTH_MAX];
static unsigned depth;			/* scripts running; 0: the prompt's turn */
static struct block blk;
static struct script_env env;
static struct script_cmd cmd;		/* the command being run (large: not on the stack) */
static struct lineedit le;
static bool interactive;		/* a prompt (not after_boot=poweroff) */
static bool started_up;			/* the start-up script is over */
static bool more_now;			/* lines wait to run: the event loop must not sleep */
static bool prompt_up;
static bool poweroff_when_idle;		/* after_boot=poweroff */
static uint8_t typeahead[TYPEAHEAD_MAX];
static size_t ahead_len;
static uint64_t keys_lost;		/* typed at an attached child that could not take them */
static uint64_t ahead_lost;		/* typed while a command waited, beyond the typeahead */
static bool swallow_lf;			/* the line ended with CR: an LF or NUL right after is the same Enter */
static char default_text[ROOTBOOT_MODULES_MAX * 1024 + 16];
uint64_t root_first_command_tsc;

bool shell_interactive(void)
{
	return interactive;
}

const struct script_env *shell_env(void)
{
	return &env;
}

const struct rootboot_module *shell_module(const char *name)
{
	for (uint32_t i = 0; i < root_boot->module_count; i++)
		if (!strcmp(root_boot->modules[i].name, name))
			return &root_boot->modules[i];
	return NULL;
}

bool shell_is_id(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

struct child *shell_child(const char *ref)
{
	uint64_t id;

	if (shell_is_id(ref))
		return parse_u64(ref, strlen(ref), false, &id) ? child_by_id(id) : NULL;
	return child_find(ref);
}

/* ---- messages ---- */

enum run_result shell_fail(const char *fmt, ...)
{
	char msg[SCRIPT_WHY_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (depth)
		say("%s:%u: %s", frames[depth - 1].file, frames[depth - 1].line, msg);
	else
		say("error: %s", msg);
	return RUN_FAILED;
}

/* ---- scripts ---- */

/*
 * Every byte of the module in the root's RAM (rootboot.h promises it; a
 * page the hypervisor keeps, such as its boot information sharing a
 * module's last page, would crash the root on the read).
 */
bool shell_module_bytes(const char *name, const uint8_t **data, size_t *len, char *why,
			size_t size)
{
	const struct rootboot_module *m = shell_module(name);

	if (!m) {
		fmt_snprintf(why, size, "no boot module named '%s' (ls lists them)", name);
		return false;
	}
	for (uint32_t i = 0; i < root_boot->range_count; i++) {
		const struct rootboot_range *r = &root_boot->ranges[i];

		if (m->gpa >= r->gpa && m->gpa - r->gpa <= r->size &&
		    m->size <= r->size - (m->gpa - r->gpa)) {
			*data = (const uint8_t *)m->gpa;	/* identity-mapped, kept by pmem */
			*len = (size_t)m->size;
			return true;
		}
	}
	fmt_snprintf(why, size, "module '%s' is not wholly in my RAM", name);
	return false;
}

static enum run_result push(const char *file, const char *text, size_t len, bool keep_going)
{
	struct frame *f;

	if (depth == RUN_DEPTH_MAX)
		return shell_fail("run: scripts nested deeper than %u", RUN_DEPTH_MAX);
	for (unsigned i = 0; i < depth; i++)
		if (!strcmp(frames[i].file, file))
			return shell_fail("run: '%s' is already running (a script cannot run itself)",
					  file);
	f = &frames[depth++];
	memset(f, 0, sizeof(*f));
	memcpy(f->file, file, strnlen(file, sizeof(f->file) - 1));
	f->text = text;
	f->len = len;
	f->keep_going = keep_going;
	say("root: running the %s script, %lu bytes", file, len);
	return RUN_BLOCKED;
}

enum run_result shell_push_script(const char *name)
{
	const uint8_t *text;
	char why[SCRIPT_WHY_MAX];
	size_t len;

	if (!shell_module_bytes(name, &text, &len, why, sizeof(why)))
		return shell_fail("run: %s", why);
	/* the `run` line ends when the script does (pop) */
	return push(name, (const char *)text, len, false);
}

static void command_done(enum run_result r, int status);

/* The top script ended (status 0) or stopped; the `run` that started it ends with it. */
static void pop(int status)
{
	struct frame *f = &frames[--depth];

	if (status)
		say("root: %s: stopped at line %u, status %d", f->file, f->line, status);
	else
		say("root: %s: done, %u lines", f->file, f->line);
	if (depth || started_up)
		command_done(status ? RUN_FAILED : RUN_OK, status);
	else
		started_up = true;	/* the start-up script: the prompt's turn */
}

/* ---- commands ---- */

enum run_result shell_block(const struct block *b)
{
	keys_lost = 0;
	blk = *b;
	blk.start_tsc = rdtsc();
	return RUN_BLOCKED;
}

/* A command (or the script it ran) ended: a failure stops the script it is in. */
static void command_done(enum run_result r, int status)
{
	if (ahead_lost)
		say("root: %lu keys typed while the command waited were dropped (%u kept)",
		    ahead_lost, TYPEAHEAD_MAX);
	ahead_lost = 0;
	blk.kind = BLOCK_NONE;
	if (r == RUN_OK || !depth)
		return;
	if (frames[depth - 1].keep_going && status != STATUS_INTERRUPTED)
		return;
	pop(status ? status : STATUS_FAILED);
}

static void run_line(const char *line, size_t n)
{
	char why[SCRIPT_WHY_MAX];
	enum run_result r;

	if (!script_parse_line(line, n, &env, &cmd, why, sizeof(why))) {
		command_done(shell_fail("%s", why), STATUS_FAILED);
		return;
	}
	if (cmd.op == SCRIPT_NOTHING)
		return;
	if (!root_first_command_tsc)
		root_first_command_tsc = rdtsc();	/* make bench */
	console_group(true);	/* its output in one piece (with the line, at the prompt) */
	r = shell_run(&cmd);
	console_group(false);
	if (r != RUN_BLOCKED)
		command_done(r, STATUS_FAILED);
}

/* ---- input ---- */

/* The next key as typed: the typeahead first, then the UART. */
static bool raw_key(uint8_t *k)
{
	if (ahead_len) {
		*k = typeahead[0];
		memmove(typeahead, typeahead + 1, --ahead_len);
		return true;
	}
	return console_getc(k);
}

/* The next key, without the LF (or NUL) of a CR LF (CR NUL) Enter that ran a command. */
static bool next_key(uint8_t *k)
{
	while (raw_key(k)) {
		bool same_enter = swallow_lf && (*k == '\n' || *k == '\0');

		swallow_lf = false;
		if (!same_enter)
			return true;
	}
	return false;
}

/*
 * While a command waits: keys are read ahead (so that Ctrl-C is seen)
 * and kept for the prompt, as many as the typeahead holds (the rest
 * dropped, counted: a terminal's input buffer is finite too); true if
 * Ctrl-C came (dropped with what came before it, as a terminal's
 * interrupt flushes its input).
 */
static bool interrupted(void)
{
	uint8_t k;

	if (!interactive)
		return false;
	while (console_getc(&k)) {
		if (k == KEY_CTRL_C) {
			ahead_len = 0;
			ahead_lost = 0;
			say("^C");
			return true;
		}
		if (ahead_len < TYPEAHEAD_MAX)
			typeahead[ahead_len++] = k;
		else
			ahead_lost++;
	}
	return false;
}

/* A state that can no longer come: the partition is gone, or ended another way. */
static const char *wait_hopeless(void)
{
	struct child *c = child_find(blk.name);
	bool ended = !c || c->state == CHILD_STOPPED || c->state == CHILD_CRASHED;
	int last = c ? (c->state == CHILD_STOPPED ? 1 : c->state == CHILD_CRASHED ? 2 : 0) :
		   child_last_end(blk.name);

	if (blk.all || (c && c->restart_pending))
		return NULL;
	switch (blk.wait_for) {
	case SCRIPT_WAIT_RUNNING:
	case SCRIPT_WAIT_PAUSED:
		return ended ? (c ? child_state_name(c->state) : "gone") : NULL;
	case SCRIPT_WAIT_STOPPED:
		return last == 2 ? "crashed" : !c && !last ? "gone" : NULL;
	case SCRIPT_WAIT_CRASHED:
		return last == 1 ? "stopped" : !c && !last ? "gone" : NULL;
	default:
		return NULL;
	}
}

static bool wait_met(void)
{
	struct child *c;

	if (blk.all)
		return child_live_count() == 0;
	c = child_find(blk.name);
	if (c && c->restart_pending)
		return false;		/* ended, and about to run again */
	switch (blk.wait_for) {
	case SCRIPT_WAIT_RUNNING: return c && c->state == CHILD_RUNNING;
	case SCRIPT_WAIT_PAUSED: return c && c->state == CHILD_PAUSED;
	case SCRIPT_WAIT_STOPPED: return c ? c->state == CHILD_STOPPED : child_last_end(blk.name) == 1;
	case SCRIPT_WAIT_CRASHED: return c ? c->state == CHILD_CRASHED : child_last_end(blk.name) == 2;
	case SCRIPT_WAIT_GONE: return !c;
	default: return !c || c->state == CHILD_STOPPED || c->state == CHILD_CRASHED;
	}
}

static void detach(const char *how)
{
	console_focus(NULL);
	say("root: %s '%s'", how, blk.name);
	if (keys_lost)
		say("root: %lu keys typed at '%s' were dropped: its input queue was full", keys_lost,
		    blk.name);
	keys_lost = 0;
}

/*
 * The attached child's keys; Ctrl-] ends it. A key the child cannot take
 * (its 16550's FIFO and the queue behind it full: it does not read) is
 * dropped and counted, as a UART overruns: Ctrl-] must always get through.
 * A partition restarted under the same name (on_*=restart) stays attached.
 */
static bool attach_over(void)
{
	struct child *c = child_find(blk.name);
	uint8_t k;

	if (!c) {
		detach("partition gone: detached from");
		return true;
	}
	if (!console_focused(c))
		console_focus(c);
	while (next_key(&k)) {
		if (k == KEY_CTRL_RBRACKET) {
			detach("detached from");
			return true;
		}
		if (!childdev_input(&c->dev, k))
			keys_lost++;
		childplat_com1_sync(c);		/* a Linux child hears of the byte by its IRQ 4 */
	}
	return false;
}

static const char *const wait_names[] = {
	[SCRIPT_WAIT_ENDED] = "ended", [SCRIPT_WAIT_RUNNING] = "running",
	[SCRIPT_WAIT_PAUSED] = "paused", [SCRIPT_WAIT_STOPPED] = "stopped",
	[SCRIPT_WAIT_CRASHED] = "crashed", [SCRIPT_WAIT_GONE] = "gone",
};

/* Poll the waiting command; true when it is over (its end said and done). */
static bool block_over(void)
{
	uint8_t k;

	switch (blk.kind) {
	case BLOCK_NONE:
		return true;
	case BLOCK_ATTACH:
		return attach_over() ? (command_done(RUN_OK, 0), true) : false;
	case BLOCK_HISTORY: {
		enum run_result r;

		if (interrupted()) {
			command_done(shell_fail("interrupted"), STATUS_INTERRUPTED);
			return true;
		}
		r = shell_history_step(&blk);
		if (r == RUN_BLOCKED)
			return false;
		if (r == RUN_OK && blk.follow) {
			say("root: hv log -f: the log goes on below as it comes; a key returns");
			blk.kind = BLOCK_FOLLOW;
			return false;
		}
		command_done(r, STATUS_FAILED);
		return true;
	}
	case BLOCK_FOLLOW:
		if (!next_key(&k))
			return false;
		if (k == KEY_CTRL_C)
			say("^C");
		command_done(k == KEY_CTRL_C ? shell_fail("interrupted") : RUN_OK,
			     k == KEY_CTRL_C ? STATUS_INTERRUPTED : 0);
		return true;
	case BLOCK_WAIT:
	case BLOCK_SLEEP:
		break;
	}
	if (interrupted()) {
		command_done(shell_fail("interrupted"), STATUS_INTERRUPTED);
		return true;
	}
	if (blk.kind == BLOCK_WAIT && wait_met()) {
		command_done(RUN_OK, 0);
		return true;
	}
	if (blk.kind == BLOCK_WAIT && wait_hopeless()) {
		command_done(shell_fail("wait: '%s' is %s: it will not be %s", blk.name,
					wait_hopeless(), wait_names[blk.wait_for]), STATUS_FAILED);
		return true;
	}
	if (!blk.limit_us || root_us_since(blk.start_tsc) < blk.limit_us)
		return false;
	if (blk.kind == BLOCK_SLEEP)
		command_done(RUN_OK, 0);
	else
		command_done(shell_fail("wait: %s not %s after %lu.%03lu s", blk.all ? "all" : blk.name,
					wait_names[blk.wait_for], blk.limit_us / 1000000,
					blk.limit_us / 1000 % 1000),
			     STATUS_FAILED);
	return true;
}

/*
 * Lines of the top script until one waits, the scripts end, or
 * LINES_PER_POLL lines ran: then the event loop's turn (children's port
 * accesses, the console, Ctrl-C), and the next wake-up goes on at once.
 */
static void run_scripts(void)
{
	const char *line;
	size_t n;

	for (unsigned ran = 0; depth && blk.kind == BLOCK_NONE; ran++) {
		if (ran == LINES_PER_POLL) {
			more_now = true;
			return;
		}
		struct frame *f = &frames[depth - 1];

		if (!script_next_line(f->text, f->len, &f->at, &line, &n)) {
			pop(0);
			continue;
		}
		f->line++;
		run_line(line, n);
	}
}

static void echo(const struct lineedit_echo *e)
{
	console_echo(e->buf, e->len);
}

/* The prompt's turn: keys into the line editor; a finished line runs. */
static void prompt_keys(void)
{
	struct lineedit_echo e;
	uint8_t k;

	if (!prompt_up) {
		console_prompt_show(PROMPT, &le);
		prompt_up = true;
	}
	for (unsigned ran = 0; blk.kind == BLOCK_NONE && !depth; ) {
		enum lineedit_event ev;

		if (ran == LINES_PER_POLL) {	/* pasted lines: the event loop's turn */
			more_now = true;
			return;
		}
		if (!next_key(&k))
			return;
		ev = lineedit_feed(&le, k, &e);
		echo(&e);
		if (ev == LINEEDIT_NONE)
			continue;
		ran++;
		swallow_lf = k == '\r';
		console_group(true);	/* the line entered, then its output, in one piece */
		console_prompt_end(ev == LINEEDIT_LINE ? lineedit_line(&le) : "^C");
		prompt_up = false;
		if (ev == LINEEDIT_LINE && lineedit_overflowed(&le))
			shell_fail("the line is longer than %u characters: not run", LINEEDIT_MAX);
		else if (ev == LINEEDIT_LINE)
			run_line(lineedit_line(&le), strlen(lineedit_line(&le)));
		console_group(false);
		if (blk.kind == BLOCK_NONE && !depth) {
			console_prompt_show(PROMPT, &le);
			prompt_up = true;
		}
	}
}

static void first_prompt(void)
{
	static bool said;

	if (said)
		return;
	said = true;
	/* make bench: the TSC counts from power-on (the emulators reset it to 0) */
	say("root: console ready, TSC %lu", rdtsc());
	lineedit_init(&le);
}

bool shell_more_now(void)
{
	bool more = more_now;

	more_now = false;
	return more;
}

void shell_poll(void)
{
	intercept_poll();
	child_poll_states();
	if (!block_over())
		return;
	if (depth && interrupted()) {	/* Ctrl-C stops every script running */
		while (depth)
			pop(STATUS_INTERRUPTED);
	}
	run_scripts();
	if (!started_up || depth || blk.kind != BLOCK_NONE)
		return;
	if (poweroff_when_idle && child_live_count() == 0) {
		say("root: no child left running and after_boot=poweroff: %lu pages withdrawn from "
		    "my deposit pool, powering off", child_withdraw_self());
		console_flush();
		hv_fast(HVCALL_X_POWER_OFF, 0, 0, NULL);
		poweroff_when_idle = false;	/* no ACPI power-off: stay up */
	}
	if (!interactive)
		return;
	first_prompt();
	prompt_keys();
}

/* ---- start-up ---- */

/* The default script: a create and a start per module line with partition=. */
static bool build_default(size_t *len)
{
	const char *names[ROOTBOOT_MODULES_MAX], *args[ROOTBOOT_MODULES_MAX];
	uint32_t n = MIN(root_boot->module_count, (uint32_t)ROOTBOOT_MODULES_MAX);

	for (uint32_t i = 0; i < n; i++) {
		names[i] = root_boot->modules[i].name;
		args[i] = root_boot->modules[i].args;
	}
	*len = script_default(names, args, root_boot->modules_cut, n, &env, default_text,
			      sizeof(default_text));
	return *len != SCRIPT_DEFAULT_TOO_BIG;	/* 0: no partition= line, an empty script */
}

/* script=NAME on the hypervisor's command line, else a module named "script"; NULL: the default. */
static const char *startup_script_name(void)
{
	static char name[SCRIPT_MODULE_MAX];
	struct cmdline_token t;
	const char *cur = root_boot->cmdline;

	while (cmdline_next(&cur, &t))
		if (cmdline_key_is(&t, "script") && t.val) {
			if (t.val_len >= sizeof(name)) {
				say("root: script=: a module name is at most %lu characters",
				    sizeof(name) - 1);
				return NULL;
			}
			memcpy(name, t.val, t.val_len);
			name[t.val_len] = '\0';
			return name;
		}
	return shell_module("script") ? "script" : NULL;
}

void shell_start(void)
{
	const char *name = startup_script_name();
	size_t len;

	env.cpu_count = MIN(root_boot->cpu_count, 64u);
	intercept_init();
	poweroff_when_idle = root_cmdline_has("after_boot", "poweroff");
	interactive = !poweroff_when_idle;
	if (name) {
		if (shell_push_script(name) != RUN_BLOCKED) {
			say("root: script=%s: no start-up script (the line above says why)", name);
			started_up = true;
		}
	} else if (!build_default(&len)) {
		say("root: the default script does not fit %lu bytes", sizeof(default_text));
		started_up = true;
	} else {
		push("default", default_text, len, true);
	}
	shell_poll();
}
