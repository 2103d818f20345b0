/*
 * Hypervisor option vocabulary. Each option is a row in a const table with
 * its parser; parsers validate the whole value before changing anything.
 */
#include "core/options.h"
#include "core/cmdline.h"
#include "core/lib.h"

struct option_ctx {
	options_warn_fn warn;
	void *ctx;
	unsigned problems;
};

struct option_def {
	const char *name;
	bool (*parse)(struct hv_options *o, const char *val, size_t len);
};

static bool val_is(const char *val, size_t len, const char *word)
{
	return len == strlen(word) && !memcmp(val, word, len);
}

/* Pick one of `words`; its index goes to *out. */
static bool parse_word(const char *val, size_t len, const char *const *words,
		       unsigned n, unsigned *out)
{
	for (unsigned i = 0; i < n; i++) {
		if (val_is(val, len, words[i])) {
			*out = i;
			return true;
		}
	}
	return false;
}

static bool parse_bool(const char *val, size_t len, bool *out)
{
	static const char *const words[] = { "0", "1", "off", "on", "no", "yes" };
	unsigned i;

	if (!val) {		/* bare "x2apic" means on */
		*out = true;
		return true;
	}
	if (!parse_word(val, len, words, ARRAY_SIZE(words), &i))
		return false;
	*out = i & 1;
	return true;
}

/* serial=com1|com2|com3|com4|0xPORT|none[,BAUD] */
static bool opt_serial(struct hv_options *o, const char *val, size_t len)
{
	static const uint16_t com_ports[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
	static const char *const names[] = { "com1", "com2", "com3", "com4" };
	size_t port_len = 0;
	uint64_t port, baud = o->serial_baud;
	unsigned i;

	if (!val)
		return false;
	while (port_len < len && val[port_len] != ',')
		port_len++;
	if (port_len < len) {
		const char *b = val + port_len + 1;
		size_t blen = len - port_len - 1;

		if (!parse_u64(b, blen, false, &baud) || baud < 50 || baud > 115200 ||
		    115200 % baud)
			return false;
	}
	if (val_is(val, port_len, "none")) {
		port = 0;
	} else if (parse_word(val, port_len, names, ARRAY_SIZE(names), &i)) {
		port = com_ports[i];
	} else if (!parse_u64(val, port_len, false, &port) || port == 0 || port > 0xfff8) {
		return false;
	}
	o->serial_port = (uint16_t)port;
	o->serial_baud = (uint32_t)baud;
	return true;
}

static bool opt_loglvl(struct hv_options *o, const char *val, size_t len)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	unsigned i;

	if (!val || !parse_word(val, len, names, ARRAY_SIZE(names), &i))
		return false;
	o->loglvl = (enum log_level)i;
	return true;
}

static bool opt_x2apic(struct hv_options *o, const char *val, size_t len)
{
	return parse_bool(val, len, &o->x2apic);
}

static bool opt_vmcheck(struct hv_options *o, const char *val, size_t len)
{
	return parse_bool(val, len, &o->vmcheck);
}

static bool opt_benchfloor(struct hv_options *o, const char *val, size_t len)
{
	return parse_bool(val, len, &o->benchfloor);
}

static bool opt_maxcpus(struct hv_options *o, const char *val, size_t len)
{
	uint64_t n;

	if (!val || !parse_u64(val, len, false, &n) || n == 0 || n > 4096)
		return false;
	o->max_cpus = (uint32_t)n;
	return true;
}

static bool opt_smp_absent_apic(struct hv_options *o, const char *val, size_t len)
{
	uint64_t id;

	if (!val || !parse_u64(val, len, false, &id) || id >= 0xffffffffu)
		return false;
	o->smp_fake_apic = (uint32_t)id;
	return true;
}

static bool opt_tlb_tags(struct hv_options *o, const char *val, size_t len)
{
	uint64_t n;

	if (!val || !parse_u64(val, len, false, &n) || n == 0 || n > 0xffff)
		return false;
	o->tlb_tags = (uint32_t)n;
	return true;
}

static bool opt_after_boot(struct hv_options *o, const char *val, size_t len)
{
	static const char *const names[] = { "idle", "poweroff" };
	unsigned i;

	if (!val || !parse_word(val, len, names, ARRAY_SIZE(names), &i))
		return false;
	o->after_boot = (enum after_boot)i;
	return true;
}

static bool opt_on_panic(struct hv_options *o, const char *val, size_t len)
{
	static const char *const names[] = { "halt", "poweroff" };
	unsigned i;

	if (!val || !parse_word(val, len, names, ARRAY_SIZE(names), &i))
		return false;
	o->on_panic = (enum on_panic)i;
	return true;
}

static bool opt_crash(struct hv_options *o, const char *val, size_t len)
{
	static const char *const names[] = { "none", "pf", "ud", "panic", "nmi_in_log", "ud_in_log" };
	unsigned i;

	if (!val || !parse_word(val, len, names, ARRAY_SIZE(names), &i))
		return false;
	o->crash = (enum crash_test)i;
	return true;
}

static bool opt_root(struct hv_options *o, const char *val, size_t len)
{
	return parse_bool(val, len, &o->root);
}

/* hv_mem=MIB: at least 16 (the hypervisor's own structures), at most 64 GiB */
static bool opt_hv_mem(struct hv_options *o, const char *val, size_t len)
{
	uint64_t n;

	if (!val || !parse_u64(val, len, false, &n) || n < 16 || n > 65536)
		return false;
	o->hv_mem_mib = (uint32_t)n;
	return true;
}

static bool opt_root_probe(struct hv_options *o, const char *val, size_t len)
{
	static const char *const names[] = { "none", "hv", "pic" };
	unsigned i;

	if (!val || !parse_word(val, len, names, ARRAY_SIZE(names), &i))
		return false;
	o->root_probe = (enum root_probe)i;
	return true;
}

static bool opt_root_test(struct hv_options *o, const char *val, size_t len)
{
	static const char *const names[] = { "none", "calls", "bench", "intercepts", "intercept_bench" };
	unsigned i;

	if (!val || !parse_word(val, len, names, ARRAY_SIZE(names), &i))
		return false;
	o->root_test = (enum root_test)i;
	return true;
}

static const struct option_def option_table[] = {
	{ "serial", opt_serial },
	{ "loglvl", opt_loglvl },
	{ "x2apic", opt_x2apic },
	{ "maxcpus", opt_maxcpus },
	{ "vmcheck", opt_vmcheck },
	{ "benchfloor", opt_benchfloor },
	{ "smp_absent_apic", opt_smp_absent_apic },
	{ "after_boot", opt_after_boot },
	{ "on_panic", opt_on_panic },
	{ "crash", opt_crash },
	{ "tlb_tags", opt_tlb_tags },
	{ "root", opt_root },
	{ "hv_mem", opt_hv_mem },
	{ "root_probe", opt_root_probe },
	{ "root_test", opt_root_test },
};

void options_defaults(struct hv_options *o)
{
	memset(o, 0, sizeof(*o));
	o->serial_port = 0x3f8;
	o->serial_baud = 115200;
	o->loglvl = LOG_INFO;
	o->x2apic = true;
	o->smp_fake_apic = 0xffffffffu;
	o->after_boot = AFTER_BOOT_IDLE;
	o->on_panic = ON_PANIC_HALT;
	o->crash = CRASH_NONE;
	o->root = true;	/* root=off: no partition at all (diagnostics: vmcheck, benchfloor) */
	o->hv_mem_mib = HV_MEM_DEFAULT_MIB;
	o->root_probe = ROOT_PROBE_NONE;
}

static void report(struct option_ctx *c, const char *msg, const struct cmdline_token *t)
{
	c->problems++;
	if (c->warn)
		c->warn(c->ctx, msg, t->key, t->key_len);
}

static void apply(struct hv_options *o, struct option_ctx *c, const struct cmdline_token *t)
{
	for (unsigned i = 0; i < ARRAY_SIZE(option_table); i++) {
		if (!cmdline_key_is(t, option_table[i].name))
			continue;
		if (!option_table[i].parse(o, t->val, t->val_len))
			report(c, "bad value for option", t);
		return;
	}
	report(c, "unknown option", t);
}

unsigned options_parse(struct hv_options *o, const char *cmdline,
		       options_warn_fn warn, void *ctx)
{
	struct option_ctx c = { warn, ctx, 0 };
	struct cmdline_token t;
	const char *p = cmdline;
	bool first = true;

	while (cmdline_next(&p, &t)) {
		/* GRUB may pass the kernel's own path as the first word */
		if (first && !t.val && t.key_len && t.key[0] == '/') {
			first = false;
			continue;
		}
		first = false;
		apply(o, &c, &t);
	}
	return c.problems;
}
