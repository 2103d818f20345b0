/*
 * Host unit tests for core/script.c and core/script_default.c: the root
 * console's language. Every command and option, every class of error with
 * its exact message, help for every command, and the default start-up
 * script made from the boot modules' lines, with its refusals of bad ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/script.h"

static const struct script_env env4 = { 4 };
static struct script_cmd cmd;
static char why[SCRIPT_WHY_MAX];

static bool parse(const char *line)
{
	memset(why, 0, sizeof(why));
	return script_parse_line(line, strlen(line), &env4, &cmd, why, sizeof(why));
}

static void expect_ok(const char *line, enum script_op op)
{
	if (!parse(line))
		fail_msg("'%s' refused: %s", line, why);
	assert_int_equal(cmd.op, op);
}

static void expect_error(const char *line, const char *message)
{
	static const struct script_cmd zero;

	memset(&cmd, 0xcc, sizeof(cmd));
	if (parse(line))
		fail_msg("'%s' parsed", line);
	assert_string_equal(why, message);
	assert_memory_equal(&cmd, &zero, sizeof(cmd));	/* nothing said */
}

static void test_blank_and_comments(void **state)
{
	(void)state;
	expect_ok("", SCRIPT_NOTHING);
	expect_ok("   \t ", SCRIPT_NOTHING);
	expect_ok("# part create x kernel=y", SCRIPT_NOTHING);
	expect_ok("  # indented comment", SCRIPT_NOTHING);
	/* a word starting with '#' starts a comment after a command too */
	expect_ok("part start web # and then", SCRIPT_PART_START);
	assert_string_equal(cmd.target, "web");
	expect_ok("part start web #", SCRIPT_PART_START);
	/* inside a word or quoted it is not one */
	expect_error("part start we#b", "bad partition 'we#b': a name (1-31 letters, digits, '-', "
		     "'_' or '.', not starting with a digit) or a decimal id");
}

static void test_simple_commands(void **state)
{
	(void)state;
	expect_ok("version", SCRIPT_VERSION);
	expect_ok("shutdown", SCRIPT_SHUTDOWN);
	expect_ok("ls", SCRIPT_LS);
	assert_false(cmd.json);
	expect_ok("ls -l", SCRIPT_LS);
	assert_true(cmd.json);
	expect_ok("hv info", SCRIPT_HV_INFO);
	expect_ok("  hv\tinfo   -l  ", SCRIPT_HV_INFO);
	assert_true(cmd.json);
	expect_ok("hv check -l", SCRIPT_HV_CHECK);
	assert_true(cmd.json);
	expect_ok("hv log", SCRIPT_HV_LOG);
	assert_false(cmd.follow);
	expect_ok("hv log -f", SCRIPT_HV_LOG);
	assert_true(cmd.follow);
	expect_ok("part list", SCRIPT_PART_LIST);
	expect_ok("part list -l", SCRIPT_PART_LIST);
	assert_true(cmd.json);
}

static void test_partition_commands(void **state)
{
	static const struct {
		const char *word;
		enum script_op op;
	} ops[] = {
		{ "start", SCRIPT_PART_START }, { "pause", SCRIPT_PART_PAUSE },
		{ "resume", SCRIPT_PART_RESUME }, { "reset", SCRIPT_PART_RESET },
		{ "destroy", SCRIPT_PART_DESTROY }, { "console", SCRIPT_PART_CONSOLE },
		{ "info", SCRIPT_PART_INFO }, { "stats", SCRIPT_PART_STATS },
	};
	char line[64], msg[SCRIPT_WHY_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		snprintf(line, sizeof(line), "part %s web-1", ops[i].word);
		expect_ok(line, ops[i].op);
		assert_string_equal(cmd.target, "web-1");
		snprintf(line, sizeof(line), "part %s 3", ops[i].word);	/* an id */
		expect_ok(line, ops[i].op);
		assert_string_equal(cmd.target, "3");
		snprintf(line, sizeof(line), "part %s", ops[i].word);
		snprintf(msg, sizeof(msg), "missing P for part %s: a partition's name or id",
			 ops[i].word);
		expect_error(line, msg);
		snprintf(line, sizeof(line), "part %s a b", ops[i].word);
		snprintf(msg, sizeof(msg), "extra argument 'b' for part %s", ops[i].word);
		expect_error(line, msg);
	}
	expect_ok("part info web -l", SCRIPT_PART_INFO);
	assert_true(cmd.json);
	expect_ok("part stats -l 0", SCRIPT_PART_STATS);	/* options anywhere */
	assert_true(cmd.json);
	assert_string_equal(cmd.target, "0");
	expect_ok("part stats root", SCRIPT_PART_STATS);	/* the root is named so */
	assert_string_equal(cmd.target, "root");
	expect_ok("part start '-odd'", SCRIPT_PART_START);	/* quoted: not an option */
	assert_string_equal(cmd.target, "-odd");
	expect_ok("part start abcdefghijklmnopqrstuvwxyz01234", SCRIPT_PART_START);	/* 31 */
	expect_ok("part start 4294967295", SCRIPT_PART_START);
}

static void test_bad_partition(void **state)
{
	static const char *const bad[] = {
		"1st", "a!b", "all", "abcdefghijklmnopqrstuvwxyz012345", "12345678901", "0x1",
	};
	char line[64], msg[SCRIPT_WHY_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "part destroy %s", bad[i]);
		snprintf(msg, sizeof(msg), "bad partition '%s': a name (1-31 letters, digits, '-', "
			 "'_' or '.', not starting with a digit) or a decimal id", bad[i]);
		expect_error(line, msg);
	}
	expect_error("part start a=b", "unexpected KEY=VALUE 'a=b': part start takes none");
	expect_error("part start \"\"", "bad partition '': a name (1-31 letters, digits, '-', '_' "
		     "or '.', not starting with a digit) or a decimal id");
}

static void test_unknown_words(void **state)
{
	(void)state;
	expect_error("frobnicate web", "unknown command 'frobnicate' (help lists the commands)");
	expect_error("Version", "unknown command 'Version' (help lists the commands)");
	expect_error("create web kernel=k", "unknown command 'create' (help lists the commands)");
	expect_error("kernel=k", "unknown command 'kernel=k' (help lists the commands)");
	expect_error("\"ls\"", "unknown command 'ls' (help lists the commands)");
	expect_error("-l", "unknown command '-l' (help lists the commands)");
	expect_error("info", "unknown command 'info' (help lists the commands)");
	expect_error("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij",
		     "unknown command 'abcdefghijabcdefghijabcdefghijabcdefghij...' "
		     "(help lists the commands)");
	expect_error("part", "part needs a subcommand: list, info, stats, create, start, pause, "
		     "resume, reset, destroy, console");
	expect_error("part frob x", "unknown subcommand 'frob' of part (list, info, stats, create, "
		     "start, pause, resume, reset, destroy, console)");
	expect_error("part -l", "unknown subcommand '-l' of part (list, info, stats, create, "
		     "start, pause, resume, reset, destroy, console)");
	expect_error("hv", "hv needs a subcommand: info, check, log");
	expect_error("hv list", "unknown subcommand 'list' of hv (info, check, log)");
	expect_error("ls part", "extra argument 'part' for ls");
	expect_error("version 2", "extra argument '2' for version");
	expect_error("shutdown now", "extra argument 'now' for shutdown");
	expect_error("part list web", "extra argument 'web' for part list");
}

static void test_options(void **state)
{
	(void)state;
	expect_error("part start web -l", "unknown option '-l' for part start (it takes none)");
	expect_error("part list -f", "unknown option '-f' for part list (it takes -l)");
	expect_error("part list -ll", "unknown option '-ll' for part list (it takes -l)");
	expect_error("hv log -l", "unknown option '-l' for hv log (it takes -f)");
	expect_error("wait web -l", "unknown option '-l' for wait (it takes -t SECONDS)");
	expect_error("part create -x", "unknown option '-x' for part create (it takes -f CONFIG)");
	expect_error("version -l", "unknown option '-l' for version (it takes none)");
	expect_error("part list -l -l", "option -l given twice");
	expect_error("hv log -f -f", "option -f given twice");
	expect_error("part create -f", "option -f needs CONFIG, a boot module");
	expect_error("wait web -t", "option -t needs SECONDS");
}

static void test_run_echo_sleep(void **state)
{
	char line[300];

	(void)state;
	expect_ok("run setup.sh", SCRIPT_RUN);
	assert_string_equal(cmd.file, "setup.sh");
	expect_ok("run 'my script'", SCRIPT_RUN);
	assert_string_equal(cmd.file, "my script");
	expect_error("run", "missing SCRIPT for run: a boot module");
	expect_error("run a b", "extra argument 'b' for run");
	strcpy(line, "run ");
	memset(line + 4, 'm', 64);
	line[68] = '\0';
	expect_error(line, "bad module name 'mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm...': 1-63 "
		     "characters");
	/* echo: the rest of the line as it is, after one blank */
	expect_ok("echo   hello, world # not a comment", SCRIPT_ECHO);
	assert_string_equal(cmd.text, "  hello, world # not a comment");
	expect_ok("  echo\t'quoted' \"x", SCRIPT_ECHO);
	assert_string_equal(cmd.text, "'quoted' \"x");
	expect_ok("echo", SCRIPT_ECHO);
	assert_string_equal(cmd.text, "");
	expect_error("echoes", "unknown command 'echoes' (help lists the commands)");
	strcpy(line, "echo ");
	memset(line + 5, 'e', 199);
	line[204] = '\0';
	expect_ok(line, SCRIPT_ECHO);
	assert_int_equal(strlen(cmd.text), 199);
	strcat(line, "e");
	expect_error(line, "echo's text is longer than 199 characters");
	/* sleep */
	expect_ok("sleep 5", SCRIPT_SLEEP);
	assert_int_equal(cmd.sleep_ms, 5000);
	expect_ok("sleep 2s", SCRIPT_SLEEP);
	assert_int_equal(cmd.sleep_ms, 2000);
	expect_ok("sleep 250ms", SCRIPT_SLEEP);
	assert_int_equal(cmd.sleep_ms, 250);
	expect_ok("sleep 0", SCRIPT_SLEEP);
	assert_int_equal(cmd.sleep_ms, 0);
	expect_ok("sleep 3600", SCRIPT_SLEEP);
	assert_int_equal(cmd.sleep_ms, 3600000);
	expect_error("sleep", "missing DURATION for sleep: seconds, or with s or ms");
	expect_error("sleep 3601", "bad duration '3601': seconds, or a number with s or ms, an "
		     "hour at most");
	expect_error("sleep 1m", "bad duration '1m': seconds, or a number with s or ms, an hour "
		     "at most");
	expect_error("sleep 0x10", "bad duration '0x10': seconds, or a number with s or ms, an "
		     "hour at most");
	expect_error("sleep ms", "bad duration 'ms': seconds, or a number with s or ms, an hour "
		     "at most");
	expect_error("sleep 99999999999999999999999", "bad duration '99999999999999999999999': "
		     "seconds, or a number with s or ms, an hour at most");
	expect_error("sleep 1 2", "extra argument '2' for sleep");
}

static void test_wait(void **state)
{
	(void)state;
	expect_ok("wait web", SCRIPT_WAIT);
	assert_string_equal(cmd.target, "web");
	assert_false(cmd.all);
	assert_int_equal(cmd.wait_for, SCRIPT_WAIT_ENDED);
	assert_int_equal(cmd.timeout_ms, 0);
	expect_ok("wait all", SCRIPT_WAIT);
	assert_true(cmd.all);
	assert_string_equal(cmd.target, "");
	expect_ok("wait 2 running -t 30", SCRIPT_WAIT);
	assert_string_equal(cmd.target, "2");
	assert_int_equal(cmd.wait_for, SCRIPT_WAIT_RUNNING);
	assert_int_equal(cmd.timeout_ms, 30000);
	expect_ok("wait -t 500ms web paused", SCRIPT_WAIT);
	assert_int_equal(cmd.wait_for, SCRIPT_WAIT_PAUSED);
	assert_int_equal(cmd.timeout_ms, 500);
	expect_ok("wait web stopped", SCRIPT_WAIT);
	assert_int_equal(cmd.wait_for, SCRIPT_WAIT_STOPPED);
	expect_ok("wait web crashed", SCRIPT_WAIT);
	assert_int_equal(cmd.wait_for, SCRIPT_WAIT_CRASHED);
	expect_ok("wait web gone -t 86400", SCRIPT_WAIT);
	assert_int_equal(cmd.wait_for, SCRIPT_WAIT_GONE);
	assert_int_equal(cmd.timeout_ms, 86400000);
	expect_ok("wait all ended", SCRIPT_WAIT);
	assert_int_equal(cmd.wait_for, SCRIPT_WAIT_ENDED);
	expect_error("wait", "missing P for wait: a partition's name or id, or all");
	expect_error("wait web sleeping", "bad state 'sleeping': running, paused, stopped, crashed, "
		     "gone or ended");
	expect_error("wait web running x", "extra argument 'x' for wait");
	expect_error("wait web -t 0", "bad timeout '0': 1 to 86400 seconds (or a number with s or "
		     "ms)");
	expect_error("wait web -t 86401", "bad timeout '86401': 1 to 86400 seconds (or a number "
		     "with s or ms)");
	expect_error("wait web -t soon", "bad timeout 'soon': 1 to 86400 seconds (or a number "
		     "with s or ms)");
	expect_error("wait web -t 5 -t 6", "option -t given twice");
	expect_error("wait \"all\"", "bad partition 'all': a name (1-31 letters, digits, '-', '_' "
		     "or '.', not starting with a digit) or a decimal id");
}

static void test_create(void **state)
{
	const struct xlcfg *c = &cmd.create;

	(void)state;
	expect_ok("part create web kernel=guest.elf", SCRIPT_PART_CREATE);
	assert_string_equal(c->name, "web");
	assert_string_equal(c->kernel, "guest.elf");
	assert_int_equal(c->set, 1u << XLCFG_NAME | 1u << XLCFG_KERNEL);	/* the rest: defaults */
	assert_string_equal(cmd.file, "");
	expect_ok("part create db.1 kernel=k memory=64M vcpus=8 cpus=0,2-3 "
		  "cmdline=\"console=hvc0 quiet\" ramdisk=initrd module=a module=b:\"x y\" "
		  "module='c:z' on_poweroff=preserve on_crash=restart on_reboot=preserve pool=16",
		  SCRIPT_PART_CREATE);
	assert_string_equal(c->name, "db.1");
	assert_int_equal(c->memory_mib, 64);
	assert_int_equal(c->vcpus, 8);
	assert_int_equal(c->cpu_mask, 0xd);
	assert_string_equal(c->cmdline, "console=hvc0 quiet");
	assert_string_equal(c->ramdisk, "initrd");
	assert_int_equal(c->modules.count, 3);
	assert_string_equal(c->modules.name[0], "a");
	assert_string_equal(c->modules.args[0], "");
	assert_string_equal(c->modules.name[1], "b");
	assert_string_equal(c->modules.args[1], "x y");
	assert_string_equal(c->modules.name[2], "c");
	assert_string_equal(c->modules.args[2], "z");
	assert_int_equal(c->on_poweroff, XLCFG_PRESERVE);
	assert_int_equal(c->on_crash, XLCFG_RESTART);
	assert_int_equal(c->on_reboot, XLCFG_PRESERVE);
	assert_int_equal(c->pool_pages, 16);
	/* name= instead of NAME, keys in any order; sizes */
	expect_ok("part create kernel=k name=web memory=1G", SCRIPT_PART_CREATE);
	assert_string_equal(c->name, "web");
	assert_int_equal(c->memory_mib, 1024);
	expect_ok("part create w kernel=k memory=32", SCRIPT_PART_CREATE);	/* MiB */
	assert_int_equal(c->memory_mib, 32);
	expect_ok("part create w kernel=k memory=4096K cpus=all cmdline=", SCRIPT_PART_CREATE);
	assert_int_equal(c->memory_mib, 4);
	assert_int_equal(c->cpu_mask, 0);
	assert_true(XLCFG_HAS(c, XLCFG_CMDLINE));
	/* -f: the file gives what is missing; NAME and keys are optional */
	expect_ok("part create -f web.cfg", SCRIPT_PART_CREATE);
	assert_string_equal(cmd.file, "web.cfg");
	assert_int_equal(c->set, 0);
	expect_ok("part create -f web.cfg web2 memory=128M", SCRIPT_PART_CREATE);
	assert_string_equal(c->name, "web2");
	assert_int_equal(c->memory_mib, 128);
}

static void test_create_errors(void **state)
{
	static const char mem[] = "memory must be a size of 2M to 1G in steps of 2M (as 64M; no "
				  "suffix: MiB)";
	static const char name[] = "name must be 1-31 letters, digits, '-', '_' or '.', not "
				   "starting with a digit, not all or root";
	char line[400];

	(void)state;
	expect_error("part create", "no name: give NAME or name=");
	expect_error("part create web", "no kernel= given");
	expect_error("part create kernel=k", "no name: give NAME or name=");
	expect_error("part create web kernel=k extra", "extra argument 'extra' for part create");
	expect_error("part create 1st kernel=k", name);
	expect_error("part create all kernel=k", name);
	expect_error("part create web name=web kernel=k", "duplicate key 'name'");
	expect_error("part create web kernel=k kernel=j", "duplicate key 'kernel'");
	expect_error("part create web kernel=k memroy=4M", "unknown key 'memroy'");
	expect_error("part create web kernel=k modules=a", "unknown key 'modules'");
	expect_error("part create web kernel=k =4", "expected KEY=VALUE, not '=4'");
	expect_error("part create web kernel=", "kernel must be a module name of 1-63 characters");
	expect_error("part create web kernel=k ramdisk=",
		     "ramdisk must be a module name of 1-63 characters");
	expect_error("part create web kernel=k memory=3M", mem);
	expect_error("part create web kernel=k memory=0", mem);
	expect_error("part create web kernel=k memory=2G", mem);
	expect_error("part create web kernel=k memory=1025", mem);
	expect_error("part create web kernel=k memory=1000K", mem);
	expect_error("part create web kernel=k memory=17179869184G", mem);	/* 2^64 */
	expect_error("part create web kernel=k memory=big", mem);
	expect_error("part create web kernel=k vcpus=0", "vcpus must be a number, 1 to 8");
	expect_error("part create web kernel=k vcpus=9", "vcpus must be a number, 1 to 8");
	expect_error("part create web kernel=k vcpus=two", "vcpus must be a number, 1 to 8");
	expect_error("part create web kernel=k cpus=4",
		     "cpus must be a list of online CPUs, as 0,2-3, or all");
	expect_error("part create web kernel=k cpus=0,",
		     "cpus must be a list of online CPUs, as 0,2-3, or all");
	expect_error("part create web kernel=k on_poweroff=reboot",
		     "on_poweroff must be destroy, preserve or restart");
	expect_error("part create web kernel=k on_crash=",
		     "on_crash must be destroy, preserve or restart");
	expect_error("part create web kernel=k on_reboot=reboot",
		     "on_reboot must be destroy, preserve or restart");
	expect_error("part create web kernel=k pool=0", "pool must be a number of pages, 1 to "
		     "262144");
	expect_error("part create web kernel=k pool=262145", "pool must be a number of pages, 1 "
		     "to 262144");
	expect_error("part create web kernel=k module=", "module must be NAME or NAME:ARGS, NAME a "
		     "module name of 1-63 characters, at most 8 times");
	expect_error("part create web kernel=k module=:x", "module must be NAME or NAME:ARGS, NAME "
		     "a module name of 1-63 characters, at most 8 times");
	expect_error("part create web kernel=k module=\"a b\"", "module must be NAME or NAME:ARGS, "
		     "NAME a module name of 1-63 characters, at most 8 times");
	expect_error("part create web kernel=k module=1 module=2 module=3 module=4 module=5 "
		     "module=6 module=7 module=8 module=9", "at most 8 module= (ramdisk= apart)");
	expect_error("part create web kernel=k cmdline=\"oops", "unterminated quote");
	expect_error("part create web kernel=k cmdline=\"a\tb\"", "a string holds printable ASCII only");
	expect_error("part create -f a.cfg -f b.cfg", "option -f given twice");
	expect_error("part create -f x=y", "bad module name 'x=y': 1-63 characters");
	/* 255 characters of cmdline fit; 256 do not */
	strcpy(line, "part create w kernel=k cmdline=");
	memset(line + 31, 'x', 255);
	line[31 + 255] = '\0';
	expect_ok(line, SCRIPT_PART_CREATE);
	assert_int_equal(strlen(cmd.create.cmdline), 255);
	strcat(line, "y");
	expect_error(line, "cmdline must be at most 255 characters");
}

static void test_line_limits(void **state)
{
	char line[600];

	(void)state;
	memset(line, ' ', sizeof(line));
	memcpy(line, "# x", 3);
	line[511] = '\0';
	expect_ok(line, SCRIPT_NOTHING);
	line[511] = ' ';
	line[512] = '\0';
	expect_error(line, "line longer than 511 characters");
	assert_false(script_parse_line("echo a\0b", 8, &env4, &cmd, why, sizeof(why)));
	assert_string_equal(why, "NUL byte in the line");
	expect_error("echo a\nb", "control character in the line");
	expect_error("echo \x1b[2J", "control character in the line");
	expect_error("echo \x7f", "control character in the line");
	/* 48 words at most */
	strcpy(line, "ls");
	for (int i = 0; i < 48; i++)
		strcat(line, " x");
	expect_error(line, "too many words (at most 48)");
	line[strlen(line) - 2] = '\0';
	expect_error(line, "extra argument 'x' for ls");
	/* the message fits a small buffer, cut */
	assert_false(script_parse_line("frobnicate", 10, &env4, &cmd, why, 10));
	assert_string_equal(why, "unknown c");
}

static void test_help_parse(void **state)
{
	(void)state;
	expect_ok("help", SCRIPT_HELP);
	assert_string_equal(cmd.topic, "");
	expect_ok("help part   create", SCRIPT_HELP);
	assert_string_equal(cmd.topic, "part create");
	expect_ok("help part", SCRIPT_HELP);
	assert_string_equal(cmd.topic, "part");
	expect_ok("help wait", SCRIPT_HELP);
	expect_error("help frob", "no help for 'frob' (help lists the commands)");
	expect_error("help part frob", "no help for 'part frob' (help lists the commands)");
	expect_error("help part create x", "extra argument 'x' for help");
	expect_error("help -l", "unknown option '-l' for help (it takes none)");
}

/* help's lines, gathered */
struct lines {
	char text[4096];
	unsigned count;
	size_t longest;
};

static void gather(void *ctx, const char *text)
{
	struct lines *l = ctx;

	l->count++;
	l->longest = strlen(text) > l->longest ? strlen(text) : l->longest;
	strncat(l->text, text, sizeof(l->text) - strlen(l->text) - 2);
	strcat(l->text, "\n");
}

static void test_help_text(void **state)
{
	static const char *const topics[] = {
		"help", "version", "hv info", "hv check", "hv log", "ls", "part list", "part info",
		"part stats", "part create", "part start", "part pause", "part resume",
		"part reset", "part destroy", "part console", "run", "echo", "sleep", "wait",
		"shutdown",
	};
	struct lines l;
	char line[64];

	(void)state;
	/* the index: one line per command, each with its usage */
	memset(&l, 0, sizeof(l));
	assert_true(script_help("", gather, &l));
	assert_int_equal(l.count, sizeof(topics) / sizeof(topics[0]));
	assert_true(l.longest < 80);
	assert_non_null(strstr(l.text, "part create NAME KEY=VALUE...    create a partition"));
	assert_non_null(strstr(l.text, "wait P|all [STATE] [-t SECONDS]  wait until"));
	/* every command has its help, which starts with its usage, and parses as a topic */
	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
		memset(&l, 0, sizeof(l));
		assert_true(script_help(topics[i], gather, &l));
		assert_true(l.count >= 2);
		assert_true(l.longest < 80);
		assert_int_equal(strncmp(l.text, "usage: ", 7), 0);
		assert_int_equal(strncmp(l.text + 7, topics[i], strlen(topics[i])), 0);
		snprintf(line, sizeof(line), "help %s", topics[i]);
		expect_ok(line, SCRIPT_HELP);
		assert_string_equal(cmd.topic, topics[i]);
	}
	memset(&l, 0, sizeof(l));
	assert_true(script_help("part create", gather, &l));
	assert_int_equal(strncmp(l.text, "usage: part create NAME kernel=MODULE [memory=SIZE]", 51), 0);
	assert_non_null(strstr(l.text, "\n       part create -f CONFIG [NAME] [KEY=VALUE ...]\n"));
	assert_non_null(strstr(l.text, "  pool=        the most pages"));
	/* a group: its commands' index lines */
	memset(&l, 0, sizeof(l));
	assert_true(script_help("hv", gather, &l));
	assert_int_equal(l.count, 3);
	assert_int_equal(strncmp(l.text, "hv info [-l]", 12), 0);
	/* unknown topics: nothing said */
	memset(&l, 0, sizeof(l));
	assert_false(script_help("frob", gather, &l));
	assert_false(script_help("part frob", gather, &l));
	assert_false(script_help("par", gather, &l));
	assert_false(script_help("info", gather, &l));
	assert_int_equal(l.count, 0);
}

static void test_next_line(void **state)
{
	const char text[] = "a\r\nbb\n\nccc";
	const char *line;
	size_t at = 0, n;

	(void)state;
	assert_true(script_next_line(text, sizeof(text) - 1, &at, &line, &n));
	assert_int_equal(n, 1);
	assert_memory_equal(line, "a", 1);
	assert_true(script_next_line(text, sizeof(text) - 1, &at, &line, &n));
	assert_int_equal(n, 2);
	assert_true(script_next_line(text, sizeof(text) - 1, &at, &line, &n));
	assert_int_equal(n, 0);
	assert_true(script_next_line(text, sizeof(text) - 1, &at, &line, &n));
	assert_int_equal(n, 3);
	assert_memory_equal(line, "ccc", 3);
	assert_false(script_next_line(text, sizeof(text) - 1, &at, &line, &n));
}

/* The module lines of the root suite, as the root gets them. */
static void test_default_script(void **state)
{
	const char *names[] = { "cpuid.elf", "notes.txt", "nap.elf", "all.elf" };
	const char *args[] = { "partition=cpuid mem=4M cpus=0 on_stop=destroy",
			       "just a file",
			       "cmdline=\"a b\" partition=nap mem=2M pool=9 vcpus=2 on_crash=preserve",
			       "partition=q cmdline=it\"s on_stop=preserve" };
	char buf[1024];
	size_t n = script_default(names, args, 0, 4, &env4, buf, sizeof(buf));

	(void)state;
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf,
		"part create cpuid kernel=cpuid.elf memory=4M cpus=0 on_poweroff=destroy\n"
		"part start cpuid\n"
		"part create nap kernel=nap.elf memory=2M vcpus=2 cmdline=\"a b\" "
		"on_crash=preserve pool=9\n"
		"part start nap\n"
		"part create q kernel=all.elf cmdline='it\"s' on_poweroff=preserve\n"
		"part start q\n");
	/* and each line parses back to what the module line said */
	expect_ok("part create nap kernel=nap.elf memory=2M vcpus=2 cmdline=\"a b\" "
		  "on_crash=preserve pool=9", SCRIPT_PART_CREATE);
	assert_string_equal(cmd.create.cmdline, "a b");
	assert_int_equal(cmd.create.memory_mib, 2);
	assert_int_equal(cmd.create.pool_pages, 9);
	expect_ok("part create q kernel=all.elf cmdline='it\"s' on_poweroff=preserve",
		  SCRIPT_PART_CREATE);
	assert_string_equal(cmd.create.cmdline, "it\"s");
	/* too small a buffer: nothing */
	assert_true(script_default(names, args, 0, 3, &env4, buf, 40) == SCRIPT_DEFAULT_TOO_BIG);
	/* no modules: an empty script, no "wait all" */
	assert_int_equal(script_default(names, args, 0, 0, &env4, buf, sizeof(buf)), 0);	/* empty */
	assert_string_equal(buf, "");
	assert_string_equal(buf, "");
}

/*
 * The bad-modules case (tests/system/run-tests.sh): every bad line becomes
 * an echo that names the module and what is wrong, in its place, with no
 * create or start; the good ones around it are made as before.
 */
static void test_default_script_refusals(void **state)
{
	const char *names[] = { "cpuid.elf", "guest.ld", "cpuid.elf", "cpuid.elf", "cpuid.elf",
				"cpuid.elf", "cpuid.elf", "cpuid.elf", "cpuid.elf", "cpuid.elf",
				"cpuid.elf", "cpuid.elf", "cpuid.elf", "cpuid.elf", "cpuid.elf" };
	const char *args[] = { "partition=good mem=4M", "partition=junk",
			       "partition=odd mem=3M", "partition=good", "partition=many vcpus=9",
			       "partition=1st", "partition=typo memory=4M", "partition=big mem=2G",
			       "cmdline=000 partition=long mem=4M", "partition=cpu cpus=4",
			       "partition=all", "partition=sneaky module=other.elf",
			       "cmdline=000 mem=4M", "partition=q cmdline=a\"b'c",
			       "partition=after mem=4M" };
	const char *line;
	char buf[4096];
	size_t n;

	(void)state;
	/* modules 8 and 12 had lines too long for the boot information */
	n = script_default(names, args, 1u << 8 | 1u << 12, 15, &env4, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf,
		"part create good kernel=cpuid.elf memory=4M\n"
		"part start good\n"
		"part create junk kernel=guest.ld\n"	/* the image is the root's to check */
		"part start junk\n"
		"echo root: module 2 'cpuid.elf': partition 'odd' not created: "
		"mem= must be a multiple of 2 MiB, at most 1 GiB\n"
		"echo root: module 3 'cpuid.elf': partition 'good' not created: "
		"the name is in use (an earlier module line)\n"
		"echo root: module 4 'cpuid.elf': partition 'many' not created: vcpus= must be 1 to 8\n"
		"echo root: module 5 'cpuid.elf': partition '1st' not created: the name must be 1-31 "
		"letters, digits, '-', '_' or '.', not starting with a digit, and not \"all\" or \"root\"\n"
		"echo root: module 6 'cpuid.elf': partition 'typo' not created: unknown key 'memory'\n"
		"echo root: module 7 'cpuid.elf': partition 'big' not created: "
		"mem= must be a multiple of 2 MiB, at most 1 GiB\n"
		"echo root: module 8 'cpuid.elf': partition 'long' not created: "
		"its line is longer than 255 characters\n"
		"echo root: module 9 'cpuid.elf': partition 'cpu' not created: "
		"cpus= must list online CPUs, as 0,2-3\n"
		"echo root: module 10 'cpuid.elf': partition 'all' not created: the name must be 1-31 "
		"letters, digits, '-', '_' or '.', not starting with a digit, and not \"all\" or \"root\"\n"
		"echo root: module 11 'cpuid.elf': partition 'sneaky' not created: unknown key 'module'\n"
		"echo root: module 12 'cpuid.elf': ignored: its line is longer than 255 characters\n"
		"echo root: module 13 'cpuid.elf': partition 'q' not created: "
		"a value holds both kinds of quote\n"
		"part create after kernel=cpuid.elf memory=4M\n"
		"part start after\n");
	/* every line of it parses: an echo says the refusal in its turn */
	for (size_t at = 0, len; script_next_line(buf, n, &at, &line, &len);)
		assert_true(script_parse_line(line, len, &env4, &cmd, why, sizeof(why)));
	expect_ok("echo root: module 6 'cpuid.elf': partition 'typo' not created: unknown key 'memory'",
		  SCRIPT_ECHO);
	assert_string_equal(cmd.text, "root: module 6 'cpuid.elf': partition 'typo' not created: "
			    "unknown key 'memory'");
}

/* A module name that needs quotes gets them, and reads back. */
static void test_default_script_quoting(void **state)
{
	const char *names[] = { "my kernel", "k#1", "it's" };
	const char *args[] = { "partition=a", "partition=b cmdline=", "partition=c" };
	char buf[1024];

	(void)state;
	assert_true(script_default(names, args, 0, 3, &env4, buf, sizeof(buf)) > 0);
	assert_string_equal(buf,
		"part create a kernel=\"my kernel\"\npart start a\n"
		"part create b kernel=\"k#1\" cmdline=\"\"\npart start b\n"
		"part create c kernel=\"it's\"\npart start c\n");
	expect_ok("part create b kernel=\"k#1\" cmdline=\"\"", SCRIPT_PART_CREATE);
	assert_string_equal(cmd.create.kernel, "k#1");
}

/* A refusal naming something long is cut to fit echo's text, never lost. */
static void test_default_script_long_names(void **state)
{
	char module[64], args[300], buf[2048];
	const char *names[] = { module }, *argv[] = { args };
	const char *line;
	size_t at = 0, len, n;

	(void)state;
	memset(module, 'm', 63);
	module[63] = '\0';
	strcpy(args, "partition=");
	memset(args + 10, 'p', 200);
	strcpy(args + 210, " mem=4M");
	n = script_default(names, argv, 0, 1, &env4, buf, sizeof(buf));
	assert_true(n > 0);
	assert_true(script_next_line(buf, n, &at, &line, &len));
	assert_true(len < SCRIPT_TEXT_MAX + 5);
	assert_true(script_parse_line(line, len, &env4, &cmd, why, sizeof(why)));
	assert_int_equal(cmd.op, SCRIPT_ECHO);
	assert_non_null(strstr(cmd.text, "module 0 'mmmm"));
	assert_false(script_next_line(buf, n, &at, &line, &len));
}

/*
 * A newline inside a quoted value (or a module's name) would have started
 * lines of its own in the default script, unchecked: the line is refused.
 */
static void test_default_script_control_chars(void **state)
{
	const char *names[] = { "a.elf", "b\npart destroy a", "c.elf" };
	const char *args[] = { "partition=a cmdline=\"x\npart destroy b\n"
			       "part create evil kernel=c.elf memory=1G\n#\"",
			       "partition=b", "partition=c mem=4M" };
	char buf[2048];
	size_t n;

	(void)state;
	n = script_default(names, args, 0, 3, &env4, buf, sizeof(buf));
	assert_true(n > 0);
	assert_null(strstr(buf, "\npart destroy"));
	assert_null(strstr(buf, "create evil"));
	assert_non_null(strstr(buf, "echo root: module 0 'a.elf': partition 'a' not created: its line has a "
				    "control character"));
	assert_non_null(strstr(buf, "echo root: module 1 'b?part destroy a': partition 'b' not created"));
	assert_non_null(strstr(buf, "part create c kernel=c.elf"));
}

static void test_names(void **state)
{
	(void)state;
	assert_true(script_name_ok("a", 1));
	assert_true(script_name_ok("A-b_c.9", 7));
	assert_false(script_name_ok("", 0));
	assert_false(script_name_ok("9a", 2));
	assert_false(script_name_ok("a b", 3));
	assert_false(script_name_ok("all", 3));
	assert_false(script_name_ok("root", 4));	/* the root partition's name in listings */
	assert_true(script_name_ok("roots", 5));
	assert_true(script_name_ok("alle", 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blank_and_comments),
		cmocka_unit_test(test_simple_commands),
		cmocka_unit_test(test_partition_commands),
		cmocka_unit_test(test_bad_partition),
		cmocka_unit_test(test_unknown_words),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_run_echo_sleep),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_line_limits),
		cmocka_unit_test(test_help_parse),
		cmocka_unit_test(test_help_text),
		cmocka_unit_test(test_next_line),
		cmocka_unit_test(test_default_script),
		cmocka_unit_test(test_default_script_refusals),
		cmocka_unit_test(test_default_script_quoting),
		cmocka_unit_test(test_default_script_long_names),
		cmocka_unit_test(test_default_script_control_chars),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
