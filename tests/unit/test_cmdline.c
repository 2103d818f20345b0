/* Host unit tests for core/cmdline.c (tokenizer) and core/options.c (option table). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "core/cmdline.h"
#include "core/options.h"

/* --- tokenizer --- */

struct want_tok {
	const char *key;
	const char *val;	/* NULL: no '=' */
};

/* Tokenize `line` and compare with `want` (n tokens, then the end). */
static void expect_tokens(const char *line, const struct want_tok *want, unsigned n)
{
	const char *p = line;
	struct cmdline_token t;

	for (unsigned i = 0; i < n; i++) {
		assert_true(cmdline_next(&p, &t));
		assert_int_equal(t.key_len, strlen(want[i].key));
		assert_memory_equal(t.key, want[i].key, t.key_len);
		if (!want[i].val) {
			assert_null(t.val);
			assert_int_equal(t.val_len, 0);
			continue;
		}
		assert_non_null(t.val);
		assert_int_equal(t.val_len, strlen(want[i].val));
		assert_memory_equal(t.val, want[i].val, t.val_len);
	}
	assert_false(cmdline_next(&p, &t));
	assert_int_equal(*p, '\0');
	assert_false(cmdline_next(&p, &t));	/* and stays at the end */
}

static void tok_key_value_and_bare_key(void **state)
{
	static const struct want_tok w[] = {
		{ "serial", "com2" }, { "x2apic", NULL }, { "maxcpus", "4" },
	};

	(void)state;
	expect_tokens("serial=com2 x2apic maxcpus=4", w, ARRAY_SIZE(w));
}

static void tok_empty_and_blank_lines(void **state)
{
	(void)state;
	expect_tokens("", NULL, 0);
	expect_tokens("   \t\r\n ", NULL, 0);
}

static void tok_multiple_spaces_and_tabs(void **state)
{
	static const struct want_tok w[] = { { "a", "1" }, { "b", NULL }, { "c", "x" } };

	(void)state;
	expect_tokens("  a=1 \t\t b\n\r c=x   ", w, ARRAY_SIZE(w));
}

static void tok_quoted_value_keeps_spaces(void **state)
{
	static const struct want_tok w[] = {
		{ "name", "a b  c" }, { "next", "1" }, { "empty", "" },
	};

	(void)state;
	expect_tokens("name=\"a b  c\" next=1 empty=\"\"", w, ARRAY_SIZE(w));
}

/* GRUB quotes a whole module word that has spaces: "key=a b" means key="a b". */
static void tok_quoted_word_as_grub_writes_it(void **state)
{
	static const struct want_tok w[] = {
		{ "partition", "mb1" }, { "cmdline", "console=ttyS0 mb-test" }, { "bare", NULL },
		{ "x", "1" },
	};

	(void)state;
	expect_tokens("partition=mb1 \"cmdline=console=ttyS0 mb-test\" \"bare\" x=1", w,
		      ARRAY_SIZE(w));
}

static void tok_unterminated_quote_runs_to_end(void **state)
{
	static const struct want_tok w[] = { { "a", "1" }, { "b", "x y=z" } };

	(void)state;
	expect_tokens("a=1 b=\"x y=z", w, ARRAY_SIZE(w));
}

static void tok_empty_value_and_empty_key(void **state)
{
	static const struct want_tok w[] = { { "k", "" }, { "", "v" }, { "", "" } };

	(void)state;
	expect_tokens("k= =v =", w, ARRAY_SIZE(w));
}

static void tok_value_may_hold_equals_and_quotes(void **state)
{
	static const struct want_tok w[] = { { "a", "b=c" }, { "d", "e\"f" } };

	(void)state;
	expect_tokens("a=b=c d=e\"f", w, ARRAY_SIZE(w));
}

static void tok_closing_quote_ends_token(void **state)
{
	static const struct want_tok w[] = { { "a", "x" }, { "b", NULL } };

	(void)state;
	expect_tokens("a=\"x\"b", w, ARRAY_SIZE(w));
}

static void tok_key_is_exact(void **state)
{
	const char *p = "serial2=1";
	struct cmdline_token t;

	(void)state;
	assert_true(cmdline_next(&p, &t));
	assert_true(cmdline_key_is(&t, "serial2"));
	assert_false(cmdline_key_is(&t, "serial"));
	assert_false(cmdline_key_is(&t, "serial22"));
	assert_false(cmdline_key_is(&t, ""));
}

/* --- options --- */

struct warnlog {
	unsigned calls;
	char msg[64];
	char what[64];		/* last offending option name */
};

static void warn(void *ctx, const char *msg, const char *what, size_t what_len)
{
	struct warnlog *w = ctx;

	w->calls++;
	strncpy(w->msg, msg, sizeof(w->msg) - 1);
	assert_true(what_len < sizeof(w->what));
	memcpy(w->what, what, what_len);
	w->what[what_len] = '\0';
}

/* Parse over the defaults; returns the problem count, checked against the callback. */
static unsigned parse(struct hv_options *o, const char *line, struct warnlog *w)
{
	unsigned problems;

	options_defaults(o);
	memset(w, 0, sizeof(*w));
	problems = options_parse(o, line, warn, w);
	assert_int_equal(problems, w->calls);
	return problems;
}

static void assert_defaults(const struct hv_options *o)
{
	struct hv_options d;

	options_defaults(&d);
	assert_int_equal(o->serial_port, d.serial_port);
	assert_int_equal(o->serial_baud, d.serial_baud);
	assert_int_equal(o->loglvl, d.loglvl);
	assert_int_equal(o->x2apic, d.x2apic);
	assert_int_equal(o->max_cpus, d.max_cpus);
	assert_int_equal(o->smp_fake_apic, d.smp_fake_apic);
	assert_int_equal(o->after_boot, d.after_boot);
	assert_int_equal(o->on_panic, d.on_panic);
	assert_int_equal(o->crash, d.crash);
	assert_int_equal(o->tlb_tags, d.tlb_tags);
	assert_int_equal(o->root, d.root);
	assert_int_equal(o->hv_mem_mib, d.hv_mem_mib);
	assert_int_equal(o->root_probe, d.root_probe);
}

static void opt_defaults(void **state)
{
	struct hv_options o;

	(void)state;
	options_defaults(&o);
	assert_int_equal(o.serial_port, 0x3f8);
	assert_int_equal(o.serial_baud, 115200);
	assert_int_equal(o.loglvl, LOG_INFO);
	assert_true(o.x2apic);
	assert_int_equal(o.max_cpus, 0);
	assert_int_equal(o.smp_fake_apic, 0xffffffffu);
	assert_int_equal(o.after_boot, AFTER_BOOT_IDLE);
	assert_int_equal(o.on_panic, ON_PANIC_HALT);
	assert_int_equal(o.crash, CRASH_NONE);
	assert_int_equal(o.tlb_tags, 0);
	assert_true(o.root);			/* the root creates every child */
	assert_int_equal(o.hv_mem_mib, 64);
	assert_int_equal(o.root_probe, ROOT_PROBE_NONE);
}

/* root=, hv_mem= (16-65536 MiB) and root_probe= (read by the root kernel) */
static void opt_root(void **state)
{
	struct hv_options o;
	struct warnlog w;

	(void)state;
	assert_int_equal(parse(&o, "root=on hv_mem=32 root_probe=hv", &w), 0);
	assert_true(o.root);
	assert_int_equal(o.hv_mem_mib, 32);
	assert_int_equal(o.root_probe, ROOT_PROBE_HV);
	assert_int_equal(parse(&o, "root_test=calls", &w), 0);
	assert_int_equal(o.root_test, ROOT_TEST_CALLS);
	assert_int_equal(parse(&o, "root_test=bench", &w), 0);
	assert_int_equal(o.root_test, ROOT_TEST_BENCH);
	assert_int_equal(parse(&o, "root_test=intercepts root_probe=pic", &w), 0);
	assert_int_equal(o.root_test, ROOT_TEST_INTERCEPTS);
	assert_int_equal(o.root_probe, ROOT_PROBE_PIC);
	assert_int_equal(parse(&o, "root_test=intercept_bench", &w), 0);
	assert_int_equal(o.root_test, ROOT_TEST_INTERCEPT_BENCH);
	assert_int_equal(parse(&o, "root_test=all", &w), 1);
	assert_int_equal(parse(&o, "root=maybe hv_mem=15 hv_mem=65537 hv_mem root_probe=all", &w), 5);
	assert_defaults(&o);
	assert_int_equal(parse(&o, "root hv_mem=65536", &w), 0);
	assert_true(o.root);
	assert_int_equal(o.hv_mem_mib, 65536);
}

static void opt_empty_line_changes_nothing(void **state)
{
	struct hv_options o;
	struct warnlog w;

	(void)state;
	assert_int_equal(parse(&o, "", &w), 0);
	assert_int_equal(parse(&o, "   ", &w), 0);
	assert_defaults(&o);
}

static void opt_first_word_path_is_skipped(void **state)
{
	struct hv_options o;
	struct warnlog w;

	(void)state;
	assert_int_equal(parse(&o, "/boot/hv.elf loglvl=debug", &w), 0);
	assert_int_equal(o.loglvl, LOG_DEBUG);
	assert_int_equal(parse(&o, "  /hv", &w), 0);
}

static void opt_path_later_is_unknown(void **state)
{
	struct hv_options o;
	struct warnlog w;

	(void)state;
	assert_int_equal(parse(&o, "loglvl=warn /boot/hv.elf", &w), 1);
	assert_string_equal(w.msg, "unknown option");
	assert_string_equal(w.what, "/boot/hv.elf");
	assert_int_equal(o.loglvl, LOG_WARN);
}

static void opt_first_word_with_value_is_not_a_path(void **state)
{
	struct hv_options o;
	struct warnlog w;

	(void)state;
	assert_int_equal(parse(&o, "/x=1 loglvl=error", &w), 1);
	assert_string_equal(w.what, "/x");
	assert_int_equal(o.loglvl, LOG_ERROR);
}

static void opt_unknown_option_is_reported_by_name(void **state)
{
	struct hv_options o;
	struct warnlog w;

	(void)state;
	assert_int_equal(parse(&o, "loglvl=debug bogus=1 maxcpus=2", &w), 1);
	assert_string_equal(w.msg, "unknown option");
	assert_string_equal(w.what, "bogus");
	assert_int_equal(o.loglvl, LOG_DEBUG);		/* the rest still applies */
	assert_int_equal(o.max_cpus, 2);
	assert_int_equal(parse(&o, "tlb_tags=3", &w), 0);
	assert_int_equal(o.tlb_tags, 3);
	assert_int_equal(parse(&o, "serialx=com1", &w), 1);
	assert_string_equal(w.what, "serialx");
	assert_int_equal(parse(&o, "ser=com2", &w), 1);	/* no prefix matching */
	assert_int_equal(o.serial_port, 0x3f8);
}

static void opt_problems_are_counted(void **state)
{
	struct hv_options o;
	struct warnlog w;

	(void)state;
	assert_int_equal(parse(&o, "a b=1 maxcpus=0 c loglvl=loud", &w), 5);
	assert_string_equal(w.what, "loglvl");
	assert_string_equal(w.msg, "bad value for option");
	assert_int_equal(options_parse(&o, "a b", NULL, NULL), 2);	/* no callback */
}

/* A bad value is reported under the option's name and changes nothing. */
static void expect_bad_value(const char *line, const char *name)
{
	struct hv_options o;
	struct warnlog w;

	assert_int_equal(parse(&o, line, &w), 1);
	assert_string_equal(w.msg, "bad value for option");
	assert_string_equal(w.what, name);
	assert_defaults(&o);
}

static void opt_bad_values_leave_options_unchanged(void **state)
{
	(void)state;
	expect_bad_value("serial", "serial");
	expect_bad_value("serial=", "serial");
	expect_bad_value("serial=com5", "serial");
	expect_bad_value("serial=COM1", "serial");
	expect_bad_value("serial=0x0", "serial");
	expect_bad_value("serial=0", "serial");
	expect_bad_value("serial=0xfff9", "serial");
	expect_bad_value("serial=0x10000", "serial");
	expect_bad_value("serial=com2,", "serial");
	expect_bad_value("serial=com2,7", "serial");		/* good port, bad baud */
	expect_bad_value("serial=com2,9601", "serial");
	expect_bad_value("serial=com2,230400", "serial");
	expect_bad_value("serial=com2,0", "serial");
	expect_bad_value("serial=com2,9600,1", "serial");
	expect_bad_value("serial=xyz,9600", "serial");	/* good baud, bad port */
	expect_bad_value("loglvl", "loglvl");
	expect_bad_value("loglvl=verbose", "loglvl");
	expect_bad_value("loglvl=DEBUG", "loglvl");
	expect_bad_value("loglvl=debugx", "loglvl");
	expect_bad_value("x2apic=maybe", "x2apic");
	expect_bad_value("x2apic=", "x2apic");
	expect_bad_value("maxcpus", "maxcpus");
	expect_bad_value("maxcpus=0", "maxcpus");
	expect_bad_value("maxcpus=4097", "maxcpus");
	expect_bad_value("maxcpus=4x", "maxcpus");
	expect_bad_value("maxcpus=4K", "maxcpus");
	expect_bad_value("maxcpus=-1", "maxcpus");
	expect_bad_value("smp_absent_apic=0xffffffff", "smp_absent_apic");
	expect_bad_value("smp_absent_apic", "smp_absent_apic");
	expect_bad_value("after_boot=reboot", "after_boot");
	expect_bad_value("on_panic=reboot", "on_panic");
	expect_bad_value("on_panic", "on_panic");
	expect_bad_value("crash=gp", "crash");
	expect_bad_value("crash", "crash");
	expect_bad_value("tlb_tags", "tlb_tags");
	expect_bad_value("tlb_tags=0", "tlb_tags");
	expect_bad_value("tlb_tags=65536", "tlb_tags");
}

static void opt_serial_com_port_and_baud(void **state)
{
	struct hv_options o;
	struct warnlog w;

	(void)state;
	assert_int_equal(parse(&o, "serial=com2,9600", &w), 0);
	assert_int_equal(o.serial_port, 0x2f8);
	assert_int_equal(o.serial_baud, 9600);
	assert_int_equal(parse(&o, "serial=com1", &w), 0);
	assert_int_equal(o.serial_port, 0x3f8);
	assert_int_equal(parse(&o, "serial=com3,115200", &w), 0);
	assert_int_equal(o.serial_port, 0x3e8);
	assert_int_equal(o.serial_baud, 115200);
	assert_int_equal(parse(&o, "serial=com4,50", &w), 0);
	assert_int_equal(o.serial_port, 0x2e8);
	assert_int_equal(o.serial_baud, 50);
	assert_int_equal(parse(&o, "serial=\"com2,38400\"", &w), 0);
	assert_int_equal(o.serial_port, 0x2f8);
	assert_int_equal(o.serial_baud, 38400);
}

static void opt_serial_numeric_port_keeps_baud(void **state)
{
	struct hv_options o;
	struct warnlog w;

	(void)state;
	assert_int_equal(parse(&o, "serial=com1,9600 serial=0x2f8", &w), 0);
	assert_int_equal(o.serial_port, 0x2f8);
	assert_int_equal(o.serial_baud, 9600);
	assert_int_equal(parse(&o, "serial=1016", &w), 0);	/* decimal 0x3f8 */
	assert_int_equal(o.serial_port, 0x3f8);
	assert_int_equal(parse(&o, "serial=0xfff8,57600", &w), 0);
	assert_int_equal(o.serial_port, 0xfff8);
	assert_int_equal(o.serial_baud, 57600);
}

static void opt_serial_none(void **state)
{
	struct hv_options o;
	struct warnlog w;

	(void)state;
	assert_int_equal(parse(&o, "serial=none", &w), 0);
	assert_int_equal(o.serial_port, 0);
	assert_int_equal(o.serial_baud, 115200);
	assert_int_equal(parse(&o, "serial=none,19200", &w), 0);
	assert_int_equal(o.serial_port, 0);
	assert_int_equal(o.serial_baud, 19200);
}

static void opt_loglvl_names(void **state)
{
	static const struct { const char *line; enum log_level lvl; } cases[] = {
		{ "loglvl=error", LOG_ERROR },
		{ "loglvl=warn", LOG_WARN },
		{ "loglvl=info", LOG_INFO },
		{ "loglvl=debug", LOG_DEBUG },
		{ "loglvl=debug loglvl=error", LOG_ERROR },	/* last one wins */
	};
	struct hv_options o;
	struct warnlog w;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(parse(&o, cases[i].line, &w), 0);
		assert_int_equal(o.loglvl, cases[i].lvl);
	}
}

static void opt_x2apic_boolean_forms(void **state)
{
	static const struct { const char *line; bool on; } cases[] = {
		{ "x2apic=off", false }, { "x2apic=0", false }, { "x2apic=no", false },
		{ "x2apic=off x2apic", true }, { "x2apic=off x2apic=on", true },
		{ "x2apic=off x2apic=1", true }, { "x2apic=off x2apic=yes", true },
	};
	struct hv_options o;
	struct warnlog w;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(parse(&o, cases[i].line, &w), 0);
		assert_int_equal(o.x2apic, cases[i].on);
	}
}

static void opt_numbers(void **state)
{
	struct hv_options o;
	struct warnlog w;

	(void)state;
	assert_int_equal(parse(&o, "maxcpus=1", &w), 0);
	assert_int_equal(o.max_cpus, 1);
	assert_int_equal(parse(&o, "maxcpus=4096", &w), 0);
	assert_int_equal(o.max_cpus, 4096);
	assert_int_equal(parse(&o, "maxcpus=0x10", &w), 0);
	assert_int_equal(o.max_cpus, 16);
	assert_int_equal(parse(&o, "smp_absent_apic=0", &w), 0);
	assert_int_equal(o.smp_fake_apic, 0);
	assert_int_equal(parse(&o, "smp_absent_apic=0xfffffffe", &w), 0);
	assert_int_equal(o.smp_fake_apic, 0xfffffffeu);
}

static void opt_after_boot_and_crash(void **state)
{
	struct hv_options o;
	struct warnlog w;

	(void)state;
	assert_int_equal(parse(&o, "after_boot=poweroff crash=pf", &w), 0);
	assert_int_equal(o.after_boot, AFTER_BOOT_POWEROFF);
	assert_int_equal(o.crash, CRASH_PAGE_FAULT);
	assert_int_equal(parse(&o, "after_boot=poweroff after_boot=idle crash=ud", &w), 0);
	assert_int_equal(o.after_boot, AFTER_BOOT_IDLE);
	assert_int_equal(o.crash, CRASH_INVALID_OPCODE);
	assert_int_equal(parse(&o, "crash=panic", &w), 0);
	assert_int_equal(o.crash, CRASH_PANIC);
	assert_int_equal(parse(&o, "crash=nmi_in_log", &w), 0);
	assert_int_equal(o.crash, CRASH_NMI_IN_LOG);
	assert_int_equal(parse(&o, "crash=ud_in_log", &w), 0);
	assert_int_equal(o.crash, CRASH_UD_IN_LOG);
	assert_int_equal(parse(&o, "crash=panic crash=none", &w), 0);
	assert_int_equal(o.crash, CRASH_NONE);
	assert_int_equal(o.tlb_tags, 0);
}

static void opt_on_panic(void **state)
{
	struct hv_options o;
	struct warnlog w;

	(void)state;
	assert_int_equal(parse(&o, "on_panic=poweroff", &w), 0);
	assert_int_equal(o.on_panic, ON_PANIC_POWEROFF);
	assert_int_equal(o.after_boot, AFTER_BOOT_IDLE);	/* independent */
	assert_int_equal(parse(&o, "on_panic=poweroff on_panic=halt", &w), 0);
	assert_int_equal(o.on_panic, ON_PANIC_HALT);
}

static void opt_parse_applies_over_current_values(void **state)
{
	struct hv_options o;

	(void)state;
	options_defaults(&o);
	assert_int_equal(options_parse(&o, "serial=com2,9600", NULL, NULL), 0);
	assert_int_equal(options_parse(&o, "loglvl=warn", NULL, NULL), 0);
	assert_int_equal(o.serial_port, 0x2f8);
	assert_int_equal(o.serial_baud, 9600);
	assert_int_equal(o.loglvl, LOG_WARN);
}

static void opt_full_grub_line(void **state)
{
	struct hv_options o;
	struct warnlog w;

	(void)state;
	assert_int_equal(parse(&o, "/boot/hv  serial=com2,9600\tloglvl=debug "
			       "x2apic=off maxcpus=8 smp_absent_apic=7 "
			       "after_boot=poweroff on_panic=poweroff crash=none\n", &w), 0);
	assert_int_equal(o.serial_port, 0x2f8);
	assert_int_equal(o.serial_baud, 9600);
	assert_int_equal(o.loglvl, LOG_DEBUG);
	assert_false(o.x2apic);
	assert_int_equal(o.max_cpus, 8);
	assert_int_equal(o.smp_fake_apic, 7);
	assert_int_equal(o.after_boot, AFTER_BOOT_POWEROFF);
	assert_int_equal(o.on_panic, ON_PANIC_POWEROFF);
	assert_int_equal(o.crash, CRASH_NONE);
	assert_int_equal(o.tlb_tags, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tok_key_value_and_bare_key),
		cmocka_unit_test(tok_quoted_word_as_grub_writes_it),
		cmocka_unit_test(tok_empty_and_blank_lines),
		cmocka_unit_test(tok_multiple_spaces_and_tabs),
		cmocka_unit_test(tok_quoted_value_keeps_spaces),
		cmocka_unit_test(tok_unterminated_quote_runs_to_end),
		cmocka_unit_test(tok_empty_value_and_empty_key),
		cmocka_unit_test(tok_value_may_hold_equals_and_quotes),
		cmocka_unit_test(tok_closing_quote_ends_token),
		cmocka_unit_test(tok_key_is_exact),
		cmocka_unit_test(opt_defaults),
		cmocka_unit_test(opt_empty_line_changes_nothing),
		cmocka_unit_test(opt_first_word_path_is_skipped),
		cmocka_unit_test(opt_path_later_is_unknown),
		cmocka_unit_test(opt_first_word_with_value_is_not_a_path),
		cmocka_unit_test(opt_unknown_option_is_reported_by_name),
		cmocka_unit_test(opt_problems_are_counted),
		cmocka_unit_test(opt_bad_values_leave_options_unchanged),
		cmocka_unit_test(opt_serial_com_port_and_baud),
		cmocka_unit_test(opt_serial_numeric_port_keeps_baud),
		cmocka_unit_test(opt_serial_none),
		cmocka_unit_test(opt_loglvl_names),
		cmocka_unit_test(opt_x2apic_boolean_forms),
		cmocka_unit_test(opt_numbers),
		cmocka_unit_test(opt_after_boot_and_crash),
		cmocka_unit_test(opt_on_panic),
		cmocka_unit_test(opt_root),
		cmocka_unit_test(opt_parse_applies_over_current_values),
		cmocka_unit_test(opt_full_grub_line),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
