/*
 * Host unit tests for core/script.c: the root's start-up script. Every
 * command and key, every error with its message, and the default script
 * made from the boot modules' lines, with its refusals of bad ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/script.h"

static const struct script_env env4 = { 4 };
static struct script_cmd cmd;
static const char *why;

static bool parse(const char *line)
{
	why = NULL;
	return script_parse_line(line, strlen(line), &env4, &cmd, &why);
}

static void expect_error(const char *line, const char *message)
{
	memset(&cmd, 0xcc, sizeof(cmd));
	assert_false(parse(line));
	assert_non_null(why);
	assert_string_equal(why, message);
	assert_int_equal(cmd.op, SCRIPT_NOTHING);	/* nothing said */
}

static void test_blank_and_comments(void **state)
{
	(void)state;
	assert_true(parse(""));
	assert_int_equal(cmd.op, SCRIPT_NOTHING);
	assert_true(parse("   \t "));
	assert_int_equal(cmd.op, SCRIPT_NOTHING);
	assert_true(parse("# create x module=y"));
	assert_int_equal(cmd.op, SCRIPT_NOTHING);
	assert_true(parse("  # indented comment"));
	assert_int_equal(cmd.op, SCRIPT_NOTHING);
}

static void test_create_defaults(void **state)
{
	(void)state;
	assert_true(parse("create web module=guest.elf"));
	assert_int_equal(cmd.op, SCRIPT_CREATE);
	assert_string_equal(cmd.name, "web");
	assert_string_equal(cmd.create.module, "guest.elf");
	assert_int_equal(cmd.create.mem_bytes, 16u << 20);
	assert_int_equal(cmd.create.vcpus, 1);
	assert_int_equal(cmd.create.cpu_mask, 0);
	assert_string_equal(cmd.create.cmdline, "");
	assert_int_equal(cmd.create.on_stop, SCRIPT_END_DESTROY);
	assert_int_equal(cmd.create.on_crash, SCRIPT_END_DESTROY);
}

static void test_create_every_key(void **state)
{
	(void)state;
	assert_true(parse("create db.1 module=k mem=64M vcpus=8 cpus=0,2-3 "
			  "cmdline=\"console=hvc0 quiet\" on_stop=preserve on_crash=preserve pool=16"));
	assert_string_equal(cmd.name, "db.1");
	assert_int_equal(cmd.create.mem_bytes, 64u << 20);
	assert_int_equal(cmd.create.vcpus, 8);
	assert_int_equal(cmd.create.cpu_mask, 0xd);
	assert_string_equal(cmd.create.cmdline, "console=hvc0 quiet");
	assert_int_equal(cmd.create.on_stop, SCRIPT_END_PRESERVE);
	assert_int_equal(cmd.create.on_crash, SCRIPT_END_PRESERVE);
	assert_int_equal(cmd.create.pool_pages, 16);
	assert_true(parse("create a module=k mem=0x200000"));
	assert_int_equal(cmd.create.pool_pages, 0);	/* no budget: mshv's deposits */
	assert_int_equal(cmd.create.mem_bytes, 2u << 20);
	assert_true(parse("create a module=k mem=1G"));
	assert_int_equal(cmd.create.mem_bytes, 1u << 30);
}

static void test_create_errors(void **state)
{
	(void)state;
	expect_error("create", "expected a partition name");
	expect_error("create web", "create needs module=");
	expect_error("create web module=", "module= needs a module name of 1-63 characters");
	expect_error("create 1st module=k",
		     "a name is 1-31 letters, digits, '-', '_' or '.', not starting with a digit");
	expect_error("create bad!name module=k",
		     "a name is 1-31 letters, digits, '-', '_' or '.', not starting with a digit");
	expect_error("create all module=k",
		     "a name is 1-31 letters, digits, '-', '_' or '.', not starting with a digit");
	expect_error("create abcdefghijabcdefghijabcdefghij12 module=k",
		     "a name is 1-31 letters, digits, '-', '_' or '.', not starting with a digit");
	expect_error("create web=1 module=k", "expected a partition name");
	expect_error("create w module=k mem=3M", "mem= must be a multiple of 2 MiB, at most 1 GiB");
	expect_error("create w module=k mem=0", "mem= must be a multiple of 2 MiB, at most 1 GiB");
	expect_error("create w module=k mem=2G", "mem= must be a multiple of 2 MiB, at most 1 GiB");
	expect_error("create w module=k mem=99999999999999999999",
		     "mem= must be a multiple of 2 MiB, at most 1 GiB");
	expect_error("create w module=k mem=17179869184G",	/* 2^64: overflows the shift */
		     "mem= must be a multiple of 2 MiB, at most 1 GiB");
	expect_error("create w module=k vcpus=0", "vcpus= must be 1 to 8");
	expect_error("create w module=k vcpus=9", "vcpus= must be 1 to 8");
	expect_error("create w module=k vcpus=1K", "vcpus= must be 1 to 8");
	expect_error("create w module=k cpus=4", "cpus= must list online CPUs, as 0,2-3");
	expect_error("create w module=k cpus=3-1", "cpus= must list online CPUs, as 0,2-3");
	expect_error("create w module=k cpus=0,", "cpus= must list online CPUs, as 0,2-3");
	expect_error("create w module=k cpus=", "cpus= must list online CPUs, as 0,2-3");
	expect_error("create w module=k cpus=x", "cpus= must list online CPUs, as 0,2-3");
	expect_error("create w module=k cpus=0-1-2", "cpus= must list online CPUs, as 0,2-3");
	expect_error("create w module=k on_stop=reboot", "on_stop= must be destroy or preserve");
	expect_error("create w module=k on_crash=", "on_crash= must be destroy or preserve");
	expect_error("create w module=k pool=0", "pool= must be 1 to 262144 pages");
	expect_error("create w module=k memory=4M", "unknown key");
	expect_error("create w module=k verbose", "expected key=value");
}

static void test_cmdline_limit(void **state)
{
	char line[400];

	(void)state;
	strcpy(line, "create w module=k cmdline=");
	memset(line + strlen(line), 'x', 255);
	line[26 + 255] = '\0';
	assert_true(parse(line));
	assert_int_equal(strlen(cmd.create.cmdline), 255);
	strcat(line, "y");
	expect_error(line, "cmdline= is longer than 255 characters");
}

static void test_start_stop_wait(void **state)
{
	(void)state;
	assert_true(parse("start web"));
	assert_int_equal(cmd.op, SCRIPT_START);
	assert_string_equal(cmd.name, "web");
	assert_true(parse("  stop\tweb  "));
	assert_int_equal(cmd.op, SCRIPT_STOP);
	assert_true(parse("wait web"));
	assert_int_equal(cmd.op, SCRIPT_WAIT);
	assert_false(cmd.all);
	assert_true(parse("wait all"));
	assert_int_equal(cmd.op, SCRIPT_WAIT);
	assert_true(cmd.all);
	expect_error("start", "expected a partition name");
	expect_error("start all",
		     "a name is 1-31 letters, digits, '-', '_' or '.', not starting with a digit");
	expect_error("stop web now", "unexpected words after the name");
	expect_error("wait", "expected a partition name");
}

static void test_echo_and_unknown(void **state)
{
	(void)state;
	assert_true(parse("echo   hello, world # not a comment"));
	assert_int_equal(cmd.op, SCRIPT_ECHO);
	assert_string_equal(cmd.text, "hello, world # not a comment");
	assert_true(parse("echo"));
	assert_string_equal(cmd.text, "");
	expect_error("frobnicate web", "unknown command (create, start, stop, wait, echo)");
	expect_error("Create web module=k", "unknown command (create, start, stop, wait, echo)");
	expect_error("mem=4M", "expected a command: create, start, stop, wait or echo");
}

static void test_line_limits(void **state)
{
	char line[600];

	(void)state;
	memset(line, ' ', sizeof(line));
	memcpy(line, "# x", 3);
	line[511] = '\0';
	assert_true(parse(line));
	line[511] = ' ';
	line[512] = '\0';
	expect_error(line, "line longer than 511 characters");
	assert_false(script_parse_line("echo a\0b", 8, &env4, &cmd, &why));
	assert_string_equal(why, "NUL byte in the line");
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
	const char *names[] = { "cpuid.elf", "notes.txt", "nap.elf" };
	const char *args[] = { "partition=cpuid mem=4M cpus=0 on_stop=destroy",
			       "just a file",
			       "cmdline=\"a b\" partition=nap mem=2M pool=9" };
	char buf[1024];
	size_t n = script_default(names, args, 0, 3, &env4, buf, sizeof(buf));

	(void)state;
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf,
		"create cpuid module=cpuid.elf mem=4M cpus=0 on_stop=destroy\n"
		"start cpuid\n"
		"create nap module=nap.elf cmdline=\"a b\" mem=2M pool=9\n"
		"start nap\n"
		"wait all\n");
	/* and each line parses back to what the module line said */
	assert_true(parse("create nap module=nap.elf cmdline=\"a b\" mem=2M pool=9"));
	assert_string_equal(cmd.create.cmdline, "a b");
	assert_int_equal(cmd.create.pool_pages, 9);
	/* too small a buffer: nothing */
	assert_int_equal(script_default(names, args, 0, 3, &env4, buf, 40), 0);
	/* no modules: just the wait */
	assert_int_equal(script_default(names, args, 0, 0, &env4, buf, sizeof(buf)), 9);
	assert_string_equal(buf, "wait all\n");
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
				"cpuid.elf", "cpuid.elf", "cpuid.elf", "cpuid.elf" };
	const char *args[] = { "partition=good mem=4M", "partition=junk",
			       "partition=odd mem=3M", "partition=good", "partition=many vcpus=9",
			       "partition=1st", "partition=typo memory=4M", "partition=big mem=2G",
			       "cmdline=000 partition=long mem=4M", "partition=cpu cpus=4",
			       "partition=all", "partition=sneaky module=other.elf",
			       "cmdline=000 mem=4M", "partition=after mem=4M" };
	const char *line;
	char buf[4096];
	size_t n;

	(void)state;
	/* modules 8 and 12 had lines too long for the boot information */
	n = script_default(names, args, 1u << 8 | 1u << 12, 14, &env4, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf,
		"create good module=cpuid.elf mem=4M\n"
		"start good\n"
		"create junk module=guest.ld\n"	/* the image is the root's to check */
		"start junk\n"
		"echo module 2 'cpuid.elf': partition 'odd' not created: "
		"mem= must be a multiple of 2 MiB, at most 1 GiB\n"
		"echo module 3 'cpuid.elf': partition 'good' not created: "
		"the name is in use (an earlier module line)\n"
		"echo module 4 'cpuid.elf': partition 'many' not created: vcpus= must be 1 to 8\n"
		"echo module 5 'cpuid.elf': partition '1st' not created: the name must be 1-31 "
		"letters, digits, '-', '_' or '.', not starting with a digit, and not \"all\"\n"
		"echo module 6 'cpuid.elf': partition 'typo' not created: unknown key 'memory'\n"
		"echo module 7 'cpuid.elf': partition 'big' not created: "
		"mem= must be a multiple of 2 MiB, at most 1 GiB\n"
		"echo module 8 'cpuid.elf': partition 'long' not created: "
		"its line is longer than 255 characters\n"
		"echo module 9 'cpuid.elf': partition 'cpu' not created: "
		"cpus= must list online CPUs, as 0,2-3\n"
		"echo module 10 'cpuid.elf': partition 'all' not created: the name must be 1-31 "
		"letters, digits, '-', '_' or '.', not starting with a digit, and not \"all\"\n"
		"echo module 11 'cpuid.elf': partition 'sneaky' not created: unknown key 'module'\n"
		"echo module 12 'cpuid.elf': ignored: its line is longer than 255 characters\n"
		"create after module=cpuid.elf mem=4M\n"
		"start after\n"
		"wait all\n");
	/* every line of it parses: an echo says the refusal in its turn */
	for (size_t at = 0, len; script_next_line(buf, n, &at, &line, &len);)
		assert_true(script_parse_line(line, len, &env4, &cmd, &why));
	assert_true(parse("echo module 6 'cpuid.elf': partition 'typo' not created: "
			  "unknown key 'memory'"));
	assert_int_equal(cmd.op, SCRIPT_ECHO);
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
	assert_true(script_parse_line(line, len, &env4, &cmd, &why));
	assert_int_equal(cmd.op, SCRIPT_ECHO);
	assert_non_null(strstr(cmd.text, "module 0 'mmmm"));
	assert_true(script_next_line(buf, n, &at, &line, &len));
	assert_int_equal(len, 8);	/* "wait all" */
}

/*
 * A newline inside a quoted value (or a module's name) would have started
 * lines of its own in the default script, unchecked: the line is refused.
 */
static void test_default_script_control_chars(void **state)
{
	const char *names[] = { "a.elf", "b\nstop a.elf", "c.elf" };
	const char *args[] = { "partition=a cmdline=\"x\nstop b\ncreate evil module=c.elf mem=1G\n#\"",
			       "partition=b", "partition=c mem=4M" };
	char buf[2048];
	size_t n;

	(void)state;
	n = script_default(names, args, 0, 3, &env4, buf, sizeof(buf));
	assert_true(n > 0);
	assert_null(strstr(buf, "\nstop b"));
	assert_null(strstr(buf, "create evil"));
	assert_null(strstr(buf, "\nstop a.elf"));
	assert_non_null(strstr(buf, "echo module 0 'a.elf': partition 'a' not created: its line has a "
				    "control character"));
	assert_non_null(strstr(buf, "echo module 1 'b?stop a.elf': partition 'b' not created"));
	assert_non_null(strstr(buf, "create c module=c.elf"));
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
	assert_true(script_name_ok("alle", 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blank_and_comments),
		cmocka_unit_test(test_create_defaults),
		cmocka_unit_test(test_create_every_key),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_cmdline_limit),
		cmocka_unit_test(test_start_stop_wait),
		cmocka_unit_test(test_echo_and_unknown),
		cmocka_unit_test(test_line_limits),
		cmocka_unit_test(test_next_line),
		cmocka_unit_test(test_default_script),
		cmocka_unit_test(test_default_script_refusals),
		cmocka_unit_test(test_default_script_long_names),
		cmocka_unit_test(test_default_script_control_chars),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
