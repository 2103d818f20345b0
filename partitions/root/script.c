/*
 * The root's start-up script, run (docs/root.md, "The start-up script";
 * the language: core/script.h). The boot module named `script`, or else
 * the default script built from the modules' partition= lines. Each line
 * is parsed when its turn comes; a bad line is reported as FILE:LINE:
 * message, changes nothing, and the script goes on (as one bad module
 * line cost only its own partition). `wait` holds the script until the
 * children it names have ended; root_script_poll() takes it up again.
 */
#include "partitions/root/child.h"
#include "partitions/root/root.h"
#include "arch/x86/cpu.h"
#include "core/abi/hypercall.h"

struct run {
	const char *file;	/* "script" or "default" */
	const char *text;
	size_t len, at;
	unsigned line;
	bool act;		/* false: say what would be done, do nothing */
	bool active;		/* lines remain */
	bool waiting;
	struct script_cmd wait;
	bool over;		/* done, or nothing to run */
	bool poweroff;		/* after_boot=poweroff: power off when over and no child is left */
};

static struct run run;
uint64_t root_first_command_tsc;
/* Per module at most: create, a name and the arguments (each < 256), a module name, start. */
static char default_text[ROOTBOOT_MODULES_MAX * 1024 + 16];
static struct script_env env;

static const struct rootboot_module *module_named(const char *name)
{
	for (uint32_t i = 0; i < root_boot->module_count; i++)
		if (!strcmp(root_boot->modules[i].name, name))
			return &root_boot->modules[i];
	return NULL;
}

/*
 * Every byte of the module in the root's RAM (rootboot.h promises it; a
 * page the hypervisor keeps, such as its boot information sharing a
 * module's last page, would crash the root on the read).
 */
static bool module_in_ram(const struct rootboot_module *m)
{
	for (uint32_t i = 0; i < root_boot->range_count; i++) {
		const struct rootboot_range *r = &root_boot->ranges[i];

		if (m->gpa >= r->gpa && m->gpa - r->gpa <= r->size &&
		    m->size <= r->size - (m->gpa - r->gpa))
			return true;
	}
	say("root: module '%s' at %016lx, %lu bytes, is not wholly in my RAM: not read", m->name,
	    m->gpa, m->size);
	return false;
}

static void problem(const char *what, const char *name)
{
	say("root: %s:%u: %s '%s'", run.file, run.line, what, name);
}

static void say_create(const struct script_cmd *c)
{
	say("root: %s:%u: create %s module=%s mem=%luM vcpus=%u cpus=0x%lx on_stop=%s "
	    "on_crash=%s cmdline=\"%s\"%s", run.file, run.line, c->name, c->create.module,
	    c->create.mem_bytes >> 20, c->create.vcpus, c->create.cpu_mask,
	    c->create.on_stop == SCRIPT_END_DESTROY ? "destroy" : "preserve",
	    c->create.on_crash == SCRIPT_END_DESTROY ? "destroy" : "preserve", c->create.cmdline,
	    run.act ? "" : " (not done)");
}

static void do_create(const struct script_cmd *c)
{
	const struct rootboot_module *m = module_named(c->create.module);

	say_create(c);
	if (!run.act)
		return;
	if (!m) {
		problem("no boot module named", c->create.module);
		return;
	}
	if (!module_in_ram(m))
		return;
	if (!child_create(c->name, &c->create, (const uint8_t *)m->gpa, (size_t)m->size))
		say("root: %s:%u: '%s' not created", run.file, run.line, c->name);
}

/* A live (created or running) child of that name, or a message at this line. */
static struct child *live(const char *name)
{
	struct child *ch = child_find(name);

	if (!ch || ch->state == CHILD_FREE) {
		problem("no partition", name);
		return NULL;
	}
	return ch;
}

static bool wait_over(const struct script_cmd *c)
{
	struct child *ch;

	if (!run.act)
		return true;
	if (c->all)
		return child_live_count() == 0;
	ch = child_find(c->name);
	return !ch || (ch->state != CHILD_CREATED && ch->state != CHILD_RUNNING);
}

static void execute(const struct script_cmd *c)
{
	struct child *ch;

	switch (c->op) {
	case SCRIPT_NOTHING:
		return;
	case SCRIPT_ECHO:
		say("root: %s", c->text);
		return;
	case SCRIPT_CREATE:
		do_create(c);
		return;
	default:
		break;
	}
	say("root: %s:%u: %s %s%s", run.file, run.line,
	    c->op == SCRIPT_START ? "start" : c->op == SCRIPT_STOP ? "stop" : "wait", c->name,
	    run.act ? "" : " (not done)");
	if (!run.act)
		return;
	if (c->op == SCRIPT_WAIT) {
		if (!c->all && !child_find(c->name) && !child_has_ended(c->name)) {
			problem("no partition", c->name);
			return;
		}
		run.wait = *c;
		run.waiting = !wait_over(c);
		return;
	}
	ch = live(c->name);
	if (ch && c->op == SCRIPT_START)
		child_start(ch);
	else if (ch)
		child_destroy(ch);
}

/*
 * The script is over (or never ran). With after_boot=poweroff on the
 * command line the root powers the machine off once no child of its is
 * left (decision: the hypervisor counts only its own children, and with
 * root=on it has none; the root knows when its work is done).
 */
static void script_over(void)
{
	run.over = true;
}

void root_script_poll(void)
{
	struct script_cmd cmd;
	const char *line, *why;
	size_t n;

	intercept_poll();
	child_poll_states();
	if (run.over && run.poweroff && child_live_count() == 0) {
		say("root: no child left running and after_boot=poweroff: %lu pages withdrawn from "
		    "my deposit pool, powering off", child_withdraw_self());
		console_flush();
		hv_fast(HVCALL_X_POWER_OFF, 0, 0, NULL);
		run.poweroff = false;	/* no ACPI power-off: stay up */
	}
	if (!run.active || (run.waiting && !wait_over(&run.wait)))
		return;
	run.waiting = false;
	while (script_next_line(run.text, run.len, &run.at, &line, &n)) {
		run.line++;
		if (!script_parse_line(line, n, &env, &cmd, &why))
			say("root: %s:%u: %s", run.file, run.line, why);
		else {
			if (cmd.op != SCRIPT_NOTHING && !root_first_command_tsc)
				root_first_command_tsc = rdtsc();	/* make bench */
			execute(&cmd);
		}
		if (run.waiting)
			return;
	}
	run.active = false;
	say("root: %s: done, %u lines", run.file, run.line);
	script_over();
	root_script_poll();	/* power off now if that is all */
}

/* The default script: a create and a start per module line with partition=, then wait all. */
static bool build_default(void)
{
	const char *names[ROOTBOOT_MODULES_MAX], *args[ROOTBOOT_MODULES_MAX];
	uint32_t n = MIN(root_boot->module_count, (uint32_t)ROOTBOOT_MODULES_MAX);

	for (uint32_t i = 0; i < n; i++) {
		names[i] = root_boot->modules[i].name;
		args[i] = root_boot->modules[i].args;
	}
	run.len = script_default(names, args, root_boot->modules_cut, n, &env, default_text,
				 sizeof(default_text));
	run.text = default_text;
	return run.len != 0;
}

void root_script_start(bool run_default)
{
	const struct rootboot_module *m = module_named("script");

	env.cpu_count = MIN(root_boot->cpu_count, 64u);
	intercept_init();
	memset(&run, 0, sizeof(run));
	run.poweroff = root_cmdline_has("after_boot", "poweroff");
	if (m && !module_in_ram(m)) {
		script_over();
		return;
	}
	if (m) {
		run.file = "script";
		run.text = (const char *)m->gpa;	/* identity-mapped, kept by pmem */
		run.len = (size_t)m->size;
		run.act = true;
	} else {
		run.file = "default";
		run.act = run_default;
		if (!build_default()) {
			say("root: the default script does not fit %lu bytes", sizeof(default_text));
			script_over();
			return;
		}
	}
	run.active = true;
	say("root: running the %s script, %lu bytes%s", run.file, run.len,
	    run.act ? "" : ", saying what it would do (the hypervisor creates partition= children)");
	root_script_poll();
}
