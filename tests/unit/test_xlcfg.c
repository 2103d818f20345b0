/*
 * Host unit tests for core/xlcfg.c: the console's xl.cfg-style partition
 * descriptions. Every key and its limits (the start-up script's), every
 * error with its line number and message, comments and quoting, and the
 * overlay of one description on another.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/xlcfg.h"

static const struct script_env env4 = { 4 };
static struct xlcfg cfg;
static struct xlcfg_error err;

static bool parse(const char *text)
{
	memset(&cfg, 0xcc, sizeof(cfg));
	memset(&err, 0xcc, sizeof(err));
	return xlcfg_parse(text, strlen(text), &env4, &cfg, &err);
}

static void expect_error(const char *text, unsigned line, const char *message)
{
	static const struct xlcfg zero;

	if (parse(text))
		fail_msg("parsed: %s", text);
	if (err.line != line)
		print_message("%s: line %u: %s\n", text, err.line, err.msg);
	assert_int_equal(err.line, line);
	assert_string_equal(err.msg, message);
	assert_memory_equal(&cfg, &zero, sizeof(cfg));	/* nothing valid after an error */
}

static void test_every_key(void **state)
{
	(void)state;
	assert_true(parse("# a partition\n"
			  "name = \"web-1\"\n"
			  "memory = 64\n"
			  "vcpus = 2\n"
			  "cpus = \"0,2-3\"\n"
			  "kernel = \"linux.elf\"\n"
			  "ramdisk = 'initrd.img'\n"
			  "cmdline = \"console=ttyS0 root=/dev/ram0\"\n"
			  "on_poweroff = \"preserve\"\n"
			  "on_crash = \"restart\"\n"
			  "on_reboot = \"destroy\"\n"
			  "modules = [ \"a\", 'b  x=1 \"y z\"' ]\n"
			  "pool = 40\n"));
	assert_int_equal(cfg.set, (1u << XLCFG_KEY_COUNT) - 1);
	assert_string_equal(cfg.name, "web-1");
	assert_int_equal(cfg.memory_mib, 64);
	assert_int_equal(cfg.vcpus, 2);
	assert_int_equal(cfg.cpu_mask, 0xd);
	assert_string_equal(cfg.kernel, "linux.elf");
	assert_string_equal(cfg.ramdisk, "initrd.img");
	assert_string_equal(cfg.cmdline, "console=ttyS0 root=/dev/ram0");
	assert_int_equal(cfg.on_poweroff, XLCFG_PRESERVE);
	assert_int_equal(cfg.on_crash, XLCFG_RESTART);
	assert_int_equal(cfg.on_reboot, XLCFG_DESTROY);
	assert_int_equal(cfg.modules.count, 2);
	assert_string_equal(cfg.modules.name[0], "a");
	assert_string_equal(cfg.modules.args[0], "");
	assert_string_equal(cfg.modules.name[1], "b");
	assert_string_equal(cfg.modules.args[1], "x=1 \"y z\"");	/* after the blanks */
	assert_int_equal(cfg.pool_pages, 40);
	assert_int_equal(err.line, 0);
}

static void test_unset_keys(void **state)
{
	(void)state;
	assert_true(parse(""));
	assert_int_equal(cfg.set, 0);
	assert_true(parse("kernel=\"k\""));
	assert_int_equal(cfg.set, 1u << XLCFG_KERNEL);
	assert_true(XLCFG_HAS(&cfg, XLCFG_KERNEL));
	assert_false(XLCFG_HAS(&cfg, XLCFG_NAME));
	assert_int_equal(cfg.memory_mib, 0);	/* the caller's default */
	assert_string_equal(cfg.name, "");
}

static void test_limits(void **state)
{
	char text[600];
	(void)state;

	assert_true(parse("memory = 2"));
	assert_int_equal(cfg.memory_mib, 2);
	assert_true(parse("memory = 1024"));
	assert_int_equal(cfg.memory_mib, 1024);
	assert_true(parse("memory = 0x40"));
	assert_int_equal(cfg.memory_mib, 64);
	assert_true(parse("vcpus = 1"));
	assert_true(parse("vcpus = 8"));
	assert_int_equal(cfg.vcpus, 8);
	assert_true(parse("cpus = \"all\""));
	assert_int_equal(cfg.cpu_mask, 0);
	assert_true(XLCFG_HAS(&cfg, XLCFG_CPUS));
	assert_true(parse("cpus = \"3\""));
	assert_int_equal(cfg.cpu_mask, 8);
	assert_true(parse("on_poweroff = \"destroy\"\non_crash = 'destroy'"));
	assert_int_equal(cfg.on_poweroff, XLCFG_DESTROY);
	assert_int_equal(cfg.on_crash, XLCFG_DESTROY);
	assert_true(parse("on_reboot = \"preserve\""));
	assert_int_equal(cfg.on_reboot, XLCFG_PRESERVE);
	assert_true(XLCFG_HAS(&cfg, XLCFG_ON_REBOOT));
	assert_true(parse("cmdline = \"\""));
	assert_true(XLCFG_HAS(&cfg, XLCFG_CMDLINE));
	assert_true(parse("name = \"abcdefghijklmnopqrstuvwxyz01234\""));	/* 31 */
	assert_true(parse("modules = []"));
	assert_int_equal(cfg.modules.count, 0);
	assert_true(XLCFG_HAS(&cfg, XLCFG_MODULES));
	assert_true(parse("modules = [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\"]"));
	assert_int_equal(cfg.modules.count, 8);
	assert_string_equal(cfg.modules.name[7], "8");
	/* 63 characters of kernel and 255 of cmdline fit */
	strcpy(text, "kernel = \"");
	memset(text + 10, 'k', 63);
	strcpy(text + 73, "\"");
	assert_true(parse(text));
	assert_int_equal(strlen(cfg.kernel), 63);
	strcpy(text, "cmdline = \"");
	memset(text + 11, 'c', 255);
	strcpy(text + 266, "\"");
	assert_true(parse(text));
	assert_int_equal(strlen(cfg.cmdline), 255);
	/* 256 do not */
	strcpy(text, "cmdline = \"");
	memset(text + 11, 'c', 256);
	strcpy(text + 267, "\"");
	expect_error(text, 1, "string longer than 255 characters");
	strcpy(text, "kernel = \"");
	memset(text + 10, 'k', 64);
	strcpy(text + 74, "\"");
	expect_error(text, 1, "kernel must be a quoted module name of 1-63 characters");
}

static void test_comments_blanks_quoting(void **state)
{
	(void)state;
	assert_true(parse("\n\n   # only comments\n\t\n#\n"));
	assert_int_equal(cfg.set, 0);
	assert_true(parse("name=\"a\"#no blank before the comment\r\n"
			  "  memory\t=\t 4   # trailing\r\n"
			  "vcpus = 1; cpus = \"0\";\n"
			  ";;\n"
			  "cmdline = 'say \"hi\" # not a comment'\n"
			  "kernel = \"it's\\\\ok\\\"\"\n"
			  "ramdisk = 'a\\'b'"));
	assert_string_equal(cfg.name, "a");
	assert_int_equal(cfg.memory_mib, 4);
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.cpu_mask, 1);
	assert_string_equal(cfg.cmdline, "say \"hi\" # not a comment");
	assert_string_equal(cfg.kernel, "it's\\ok\"");
	assert_string_equal(cfg.ramdisk, "a'b");
	/* a list across lines, with comments and a trailing comma */
	assert_true(parse("modules = [\n  \"a\", # first\n\n  'b',\n]\nname = \"n\"\n"));
	assert_int_equal(cfg.modules.count, 2);
	assert_string_equal(cfg.modules.name[1], "b");
	assert_string_equal(cfg.name, "n");
}

static void test_key_errors(void **state)
{
	(void)state;
	expect_error("name = \"a\"\n\nmemroy = 64\n", 3, "unknown key 'memroy'");
	expect_error("# x\nname = \"a\"\nname = \"b\"\n", 3, "duplicate key 'name'");
	expect_error("modules = []\nmodules = [\"a\"]", 2, "duplicate key 'modules'");
	expect_error("abcdefghijklmnopqrstuvwxyz0123456789 = 1", 1,
		     "unknown key 'abcdefghijklmnopqrstuvwxyz01234'");
	expect_error("nam = 1", 1, "unknown key 'nam'");
	expect_error("names = 1", 1, "unknown key 'names'");
	expect_error("\n= 1", 2, "expected KEY = VALUE");
	expect_error("9 = 1", 1, "expected KEY = VALUE");
	expect_error("\"name\" = \"a\"", 1, "expected KEY = VALUE");
	expect_error("name \"a\"", 1, "expected '=' after the key");
	expect_error("name\n= \"a\"", 1, "expected '=' after the key");
	expect_error("name =\n\"a\"", 1,
		     "expected a value: a number, a quoted string or a [ list ]");
	expect_error("name = ", 1, "expected a value: a number, a quoted string or a [ list ]");
	expect_error("name = \"a\" \"b\"", 1, "unexpected text after the value");
	expect_error("memory = 4 vcpus = 1", 1, "unexpected text after the value");
	expect_error("memory = 4,", 1, "unexpected text after the value");
}

static void test_value_errors(void **state)
{
	static const char mem[] = "memory must be a number of MiB: even, 2 to 1024";
	static const char vcpus[] = "vcpus must be a number, 1 to 8";
	static const char cpus[] = "cpus must be a quoted list of online CPUs, as \"0,2-3\", or \"all\"";
	static const char name[] = "name must be a quoted name of 1-31 letters, digits, '-', '_' or "
				   "'.', not starting with a digit, not \"all\" or \"root\"";
	static const char off[] = "on_poweroff must be \"destroy\", \"preserve\" or \"restart\"";
	static const char crash[] = "on_crash must be \"destroy\", \"preserve\" or \"restart\"";
	static const char reboot[] = "on_reboot must be \"destroy\", \"preserve\" or \"restart\"";
	static const char mods[] = "modules must be a [ list ] of at most 8 quoted \"NAME\" or "
				   "\"NAME ARGS\", NAME of 1-63 characters";
	(void)state;

	expect_error("\n\nmemory = 0", 3, mem);
	expect_error("memory = 3", 1, mem);
	expect_error("memory = 1026", 1, mem);
	expect_error("memory = 64M", 1, mem);
	expect_error("memory = \"64\"", 1, mem);
	expect_error("memory = -2", 1, mem);
	expect_error("memory = 99999999999999999999999", 1, mem);
	expect_error("memory = [ 2 ]", 1, mem);
	expect_error("vcpus = 0", 1, vcpus);
	expect_error("vcpus = 9", 1, vcpus);
	expect_error("vcpus = two", 1, vcpus);
	expect_error("cpus = \"4\"", 1, cpus);		/* offline: env4 has 0-3 */
	expect_error("cpus = \"0,\"", 1, cpus);
	expect_error("cpus = \"\"", 1, cpus);
	expect_error("cpus = \"3-1\"", 1, cpus);
	expect_error("cpus = 1", 1, cpus);
	expect_error("name = \"\"", 1, name);
	expect_error("name = \"1st\"", 1, name);
	expect_error("name = \"all\"", 1, name);
	expect_error("name = \"a b\"", 1, name);
	expect_error("name = \"abcdefghijklmnopqrstuvwxyz012345\"", 1, name);	/* 32 */
	expect_error("name = web", 1, name);
	expect_error("kernel = \"\"", 1, "kernel must be a quoted module name of 1-63 characters");
	expect_error("ramdisk = 5", 1, "ramdisk must be a quoted module name of 1-63 characters");
	expect_error("cmdline = 5", 1, "cmdline must be a quoted string");
	expect_error("on_poweroff = \"reboot\"", 1, off);
	expect_error("on_poweroff = destroy", 1, off);
	expect_error("on_crash = \"Destroy\"", 1, crash);
	expect_error("on_reboot = \"reboot\"", 1, reboot);
	expect_error("on_reboot = restart", 1, reboot);
	expect_error("modules = \"a\"", 1, mods);
	expect_error("modules = [\n\"a\",\n\"\"\n]", 3, mods);
	expect_error("modules = [ 1 ]", 1, mods);
	expect_error("modules = [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]", 1, mods);
	expect_error("modules = [ \" a\" ]", 1, mods);	/* no name before the blank */
	expect_error("pool = 0", 1, "pool must be a number of pages, 1 to 262144");
	expect_error("pool = 262145", 1, "pool must be a number of pages, 1 to 262144");
	expect_error("pool = \"4\"", 1, "pool must be a number of pages, 1 to 262144");
	expect_error("pool = 4\npool = 4", 2, "duplicate key 'pool'");
}

static void test_lexical_errors(void **state)
{
	char text[600];
	(void)state;

	expect_error("name = \"web\nmemory = 4", 1, "unterminated string");
	expect_error("\nname = 'web", 2, "unterminated string");
	expect_error("name = \"a\\n\"", 1, "unknown escape in a string (only \\\\ \\\" \\')");
	expect_error("name = \"a\\", 1, "unknown escape in a string (only \\\\ \\\" \\')");
	expect_error("cmdline = \"a\tb\"", 1, "a string holds printable ASCII only");
	expect_error("cmdline = \"\xc3\xa9\"", 1, "a string holds printable ASCII only");
	expect_error("\n\nmodules = [ \"a\",\n\"b\"\n", 3, "unterminated list");
	expect_error("modules = [ \"a\" \"b\" ]", 1, "expected ',' or ']' in the list");
	expect_error("modules = [ [ \"a\" ] ]", 1, "lists do not nest");
	expect_error("modules = [ , ]", 1,
		     "expected a value: a number, a quoted string or a [ list ]");
	/* a NUL byte, counted in the length */
	assert_false(xlcfg_parse("name = \"a\"\nx\0", 13, &env4, &cfg, &err));
	assert_int_equal(err.line, 2);
	assert_string_equal(err.msg, "NUL byte in the line");
	/* 511 characters are a line; 512 are too many, wherever they are */
	memset(text, ' ', 511);
	strcpy(text + 511, "\nname = \"a\"");
	assert_true(parse(text));
	memset(text, '#', 512);
	strcpy(text + 512, "\n");
	expect_error(text, 1, "line longer than 511 characters");
	strcpy(text, "memory = 4\n#");
	memset(text + 12, '#', 520);
	text[532] = '\0';
	expect_error(text, 2, "line longer than 511 characters");
	/* an error stops the parse: a later one is not reported */
	expect_error("memory = 3\nbogus = 1", 1, "memory must be a number of MiB: even, 2 to 1024");
}

/* The text is read by its length only: never past it, no NUL needed. */
static void test_reads_only_len(void **state)
{
	static const char text[] = "memory = 64xyz";
	(void)state;

	assert_true(xlcfg_parse(text, 11, &env4, &cfg, &err));
	assert_int_equal(cfg.memory_mib, 64);
	assert_false(xlcfg_parse("name = \"ab\"", 9, &env4, &cfg, &err));
	assert_string_equal(err.msg, "unterminated string");
	assert_true(xlcfg_parse(NULL, 0, &env4, &cfg, &err));
}

static void test_overlay(void **state)
{
	struct xlcfg file, top;
	(void)state;

	assert_true(parse("name = \"f\"\nmemory = 64\nkernel = \"k\"\nmodules = [\"a\", \"b\"]"));
	file = cfg;
	assert_true(parse("memory = 128\nvcpus = 2\nmodules = [\"c\"]"));
	top = cfg;
	xlcfg_overlay(&file, &top);
	assert_int_equal(file.set, (1u << XLCFG_NAME) | (1u << XLCFG_MEMORY) | (1u << XLCFG_KERNEL) |
				   (1u << XLCFG_MODULES) | (1u << XLCFG_VCPUS));
	assert_string_equal(file.name, "f");
	assert_string_equal(file.kernel, "k");
	assert_int_equal(file.memory_mib, 128);
	assert_int_equal(file.vcpus, 2);
	assert_int_equal(file.modules.count, 1);	/* the list as a whole */
	assert_string_equal(file.modules.name[0], "c");
	/* the new keys too: pool, and module arguments with their list */
	assert_true(parse("pool = 7\nmodules = [\"a x\"]"));
	file = cfg;
	assert_true(parse("modules = [\"b y z\"]"));
	top = cfg;
	xlcfg_overlay(&file, &top);
	assert_int_equal(file.pool_pages, 7);
	assert_int_equal(file.modules.count, 1);
	assert_string_equal(file.modules.name[0], "b");
	assert_string_equal(file.modules.args[0], "y z");
	assert_true(parse("pool = 9"));
	xlcfg_overlay(&file, &cfg);
	assert_int_equal(file.pool_pages, 9);
	assert_string_equal(file.modules.args[0], "y z");
	/* an empty overlay changes nothing */
	memset(&top, 0, sizeof(top));
	cfg = file;
	xlcfg_overlay(&file, &top);
	assert_memory_equal(&cfg, &file, sizeof(cfg));
}

static char why[XLCFG_MSG_MAX];

/* One command-line key into cfg, by its C strings. */
static bool set(const char *key, const char *val)
{
	memset(why, 0, sizeof(why));
	return xlcfg_set_key(&cfg, key, strlen(key), val, strlen(val), &env4, why, sizeof(why));
}

static void expect_set_error(const char *key, const char *val, const char *message)
{
	struct xlcfg before = cfg;

	if (set(key, val))
		fail_msg("%s=%s accepted", key, val);
	assert_string_equal(why, message);
	assert_memory_equal(&before, &cfg, sizeof(cfg));	/* unchanged */
}

/* The command line's keys: the same rules, with sizes, module=NAME:ARGS, no quotes. */
static void test_set_key(void **state)
{
	static const char mem[] = "memory must be a size of 2M to 1G in steps of 2M (as 64M; no "
				  "suffix: MiB)";
	static const char mod[] = "module must be NAME or NAME:ARGS, NAME a module name of 1-63 "
				  "characters, at most 8 times";
	char long_val[300];
	(void)state;

	memset(&cfg, 0, sizeof(cfg));
	assert_true(set("name", "web"));
	assert_true(set("kernel", "k.elf"));
	assert_true(set("memory", "64M"));
	assert_true(set("vcpus", "2"));
	assert_true(set("cpus", "1-2"));
	assert_true(set("cmdline", "a b"));
	assert_true(set("ramdisk", "rd"));
	assert_true(set("on_poweroff", "restart"));
	assert_true(set("on_crash", "preserve"));
	assert_true(set("on_reboot", "destroy"));
	assert_true(set("pool", "12"));
	assert_true(set("module", "m1"));
	assert_true(set("module", "m2:x y:z"));
	assert_int_equal(cfg.set, (1u << XLCFG_KEY_COUNT) - 1);
	assert_string_equal(cfg.name, "web");
	assert_string_equal(cfg.kernel, "k.elf");
	assert_int_equal(cfg.memory_mib, 64);
	assert_int_equal(cfg.vcpus, 2);
	assert_int_equal(cfg.cpu_mask, 6);
	assert_string_equal(cfg.cmdline, "a b");
	assert_string_equal(cfg.ramdisk, "rd");
	assert_int_equal(cfg.on_poweroff, XLCFG_RESTART);
	assert_int_equal(cfg.on_crash, XLCFG_PRESERVE);
	assert_int_equal(cfg.on_reboot, XLCFG_DESTROY);
	assert_int_equal(cfg.pool_pages, 12);
	assert_int_equal(cfg.modules.count, 2);
	assert_string_equal(cfg.modules.name[1], "m2");
	assert_string_equal(cfg.modules.args[1], "x y:z");	/* the first ':' splits */
	/* each error leaves cfg as it was */
	expect_set_error("name", "x", "duplicate key 'name'");
	expect_set_error("pool", "1", "duplicate key 'pool'");
	expect_set_error("memroy", "1", "unknown key 'memroy'");
	expect_set_error("modules", "a", "unknown key 'modules'");
	expect_set_error("abcdefghijklmnopqrstuvwxyz0123456789", "1",
			 "unknown key 'abcdefghijklmnopqrstuvwxyz01234'");
	for (int i = 0; i < 6; i++)
		assert_true(set("module", "m"));
	expect_set_error("module", "m", "at most 8 module= (ramdisk= apart)");
	memset(&cfg, 0, sizeof(cfg));
	expect_set_error("name", "1st", "name must be 1-31 letters, digits, '-', '_' or '.', not "
			 "starting with a digit, not all or root");
	expect_set_error("name", "", "name must be 1-31 letters, digits, '-', '_' or '.', not "
			 "starting with a digit, not all or root");
	expect_set_error("name", "root", "name must be 1-31 letters, digits, '-', '_' or '.', not "
			 "starting with a digit, not all or root");
	expect_set_error("memory", "3M", mem);
	expect_set_error("memory", "3", mem);
	expect_set_error("memory", "1025", mem);
	expect_set_error("memory", "0", mem);
	expect_set_error("memory", "2G", mem);
	expect_set_error("memory", "1536K", mem);
	expect_set_error("memory", "", mem);
	expect_set_error("memory", "M", mem);
	expect_set_error("vcpus", "9", "vcpus must be a number, 1 to 8");
	expect_set_error("vcpus", "", "vcpus must be a number, 1 to 8");
	expect_set_error("cpus", "4", "cpus must be a list of online CPUs, as 0,2-3, or all");
	expect_set_error("kernel", "", "kernel must be a module name of 1-63 characters");
	expect_set_error("on_crash", "Destroy", "on_crash must be destroy, preserve or restart");
	expect_set_error("on_reboot", "", "on_reboot must be destroy, preserve or restart");
	expect_set_error("pool", "0x40001", "pool must be a number of pages, 1 to 262144");
	expect_set_error("cmdline", "a\tb", "a string holds printable ASCII only");
	expect_set_error("cmdline", "\xc3\xa9", "a string holds printable ASCII only");
	expect_set_error("module", "", mod);
	expect_set_error("module", ":args", mod);
	expect_set_error("module", "a b", mod);
	memset(long_val, 'c', 256);
	long_val[256] = '\0';
	expect_set_error("cmdline", long_val, "cmdline must be at most 255 characters");
	memset(long_val, 'k', 64);
	long_val[64] = '\0';
	expect_set_error("kernel", long_val, "kernel must be a module name of 1-63 characters");
	expect_set_error("module", long_val, mod);
	long_val[63] = '\0';
	assert_true(set("kernel", long_val));
	/* sizes */
	assert_true(set("memory", "2048K"));
	assert_int_equal(cfg.memory_mib, 2);
	memset(&cfg, 0, sizeof(cfg));
	assert_true(set("memory", "1G"));
	assert_int_equal(cfg.memory_mib, 1024);
	memset(&cfg, 0, sizeof(cfg));
	assert_true(set("memory", "1024"));
	assert_int_equal(cfg.memory_mib, 1024);
	/* cpus=all, an empty cmdline */
	assert_true(set("cpus", "all"));
	assert_int_equal(cfg.cpu_mask, 0);
	assert_true(set("cmdline", ""));
	assert_true(XLCFG_HAS(&cfg, XLCFG_CMDLINE));
}

static void test_resolve(void **state)
{
	struct script_create out;
	char msg[XLCFG_MSG_MAX];
	(void)state;

	/* what is required */
	assert_true(parse("kernel = \"k\""));
	assert_false(xlcfg_resolve(&cfg, &out, msg, sizeof(msg)));
	assert_string_equal(msg, "no name: give NAME or name=");
	assert_false(xlcfg_complete(&cfg, msg, sizeof(msg)));
	assert_true(parse("name = \"n\""));
	assert_false(xlcfg_resolve(&cfg, &out, msg, sizeof(msg)));
	assert_string_equal(msg, "no kernel= given");
	/* the defaults */
	assert_true(parse("name = \"n\"\nkernel = \"k\""));
	assert_true(xlcfg_complete(&cfg, msg, sizeof(msg)));
	memset(&out, 0xcc, sizeof(out));
	assert_true(xlcfg_resolve(&cfg, &out, msg, sizeof(msg)));
	assert_string_equal(out.name, "n");
	assert_string_equal(out.kernel, "k");
	assert_string_equal(out.ramdisk, "");
	assert_string_equal(out.cmdline, "");
	assert_int_equal(out.nmodules, 0);
	assert_int_equal(out.mem_bytes, 16u << 20);
	assert_int_equal(out.vcpus, 1);
	assert_int_equal(out.cpu_mask, 0);
	assert_int_equal(out.on_poweroff, SCRIPT_END_DESTROY);
	assert_int_equal(out.on_crash, SCRIPT_END_DESTROY);
	assert_int_equal(out.on_reboot, SCRIPT_END_RESTART);	/* xl's default */
	assert_int_equal(out.pool_pages, 0);
	/* everything given */
	assert_true(parse("name = \"web\"\nkernel = \"k\"\nmemory = 64\nvcpus = 3\n"
			  "cpus = \"1,3\"\nramdisk = \"rd\"\ncmdline = \"c d\"\n"
			  "on_poweroff = \"preserve\"\non_crash = \"restart\"\npool = 5\n"
			  "on_reboot = \"destroy\"\n"
			  "modules = [ \"a\", \"b x y\" ]"));
	assert_true(xlcfg_resolve(&cfg, &out, msg, sizeof(msg)));
	assert_string_equal(out.name, "web");
	assert_int_equal(out.mem_bytes, 64u << 20);
	assert_int_equal(out.vcpus, 3);
	assert_int_equal(out.cpu_mask, 0xa);
	assert_string_equal(out.ramdisk, "rd");
	assert_string_equal(out.cmdline, "c d");
	assert_int_equal(out.on_poweroff, SCRIPT_END_PRESERVE);
	assert_int_equal(out.on_crash, SCRIPT_END_RESTART);
	assert_int_equal(out.on_reboot, SCRIPT_END_DESTROY);
	assert_int_equal(out.pool_pages, 5);
	assert_int_equal(out.nmodules, 2);
	assert_string_equal(out.modules[0].name, "a");
	assert_string_equal(out.modules[0].args, "");
	assert_string_equal(out.modules[1].name, "b");
	assert_string_equal(out.modules[1].args, "x y");
	/* a file, then the command line's keys over it */
	assert_true(parse("name = \"f\"\nkernel = \"k\"\nmemory = 64\nmodules = [\"a\"]"));
	{
		struct xlcfg file = cfg;

		memset(&cfg, 0, sizeof(cfg));
		assert_true(set("memory", "128M"));
		assert_true(set("module", "b:q"));
		xlcfg_overlay(&file, &cfg);
		assert_true(xlcfg_resolve(&file, &out, msg, sizeof(msg)));
		assert_string_equal(out.name, "f");
		assert_int_equal(out.mem_bytes, 128u << 20);
		assert_int_equal(out.nmodules, 1);
		assert_string_equal(out.modules[0].name, "b");
		assert_string_equal(out.modules[0].args, "q");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_unset_keys),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_comments_blanks_quoting),
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_lexical_errors),
		cmocka_unit_test(test_reads_only_len),
		cmocka_unit_test(test_overlay),
		cmocka_unit_test(test_set_key),
		cmocka_unit_test(test_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
