/*
 * The root console's commands (docs/console.md), one runner per op in a
 * const table. Each checks everything it can before it changes anything:
 * the parser (core/script.c) checked the words, options and values; here
 * what needs the machine: the partition exists, its state allows the
 * command, the modules exist, memory suffices (child_check). A failure is
 * one message (shell_fail) and nothing changed.
 *
 * Output is plain text, or with -l one JSON document (core/json.h), cut
 * into lines between tokens (JSON allows the line breaks there), so that
 * no line is longer than the console sends whole.
 */
#include "partitions/root/shell.h"
#include "partitions/root/root.h"
#include "arch/x86/cpu.h"
#include "core/abi/hypercall.h"
#include "core/json.h"

#define JSON_BUF	8192
#define JSON_LINE	160	/* a line of JSON is cut after the next ',' past this */
#define LINE_MAX_OUT	1000	/* say()'s longest line is longer */

typedef enum run_result (*runner_fn)(const struct script_cmd *c);

static char json_buf[JSON_BUF];
static struct json js;

/* ---- helpers ---- */

static void json_start(void)
{
	json_init(&js, json_buf, sizeof(json_buf));
}

/* n bytes of s as a line (the formatter has no precision: a copy, cut to a line). */
static void say_n(const char *s, size_t n)
{
	static char line[LINE_MAX_OUT + 1];

	n = MIN(n, (size_t)LINE_MAX_OUT);
	memcpy(line, s, n);
	line[n] = '\0';
	say("%s", line);
}

/* The document, cut after commas outside strings. */
static enum run_result json_say(void)
{
	size_t start = 0, i;
	bool in_str = false, esc = false;

	if (!json_ok(&js))
		return shell_fail("the JSON output does not fit %u bytes", JSON_BUF);
	for (i = 0; i < js.len; i++) {
		char ch = json_buf[i];

		if (in_str) {
			in_str = esc || ch != '"';
			esc = !esc && ch == '\\';
			continue;
		}
		in_str = ch == '"';
		if (ch == ',' && i + 1 - start >= JSON_LINE) {
			say_n(json_buf + start, i + 1 - start);
			start = i + 1;
		}
	}
	if (i > start)
		say_n(json_buf + start, i - start);
	return RUN_OK;
}

static void jkey_str(const char *k, const char *v)
{
	json_key(&js, k);
	json_string(&js, v);
}

static void jkey_uint(const char *k, uint64_t v)
{
	json_key(&js, k);
	json_uint(&js, v);
}

/* TSC ticks as thousandths of a second. */
static uint64_t ticks_ms(uint64_t ticks)
{
	return ticks / root_tsc_khz();
}

static struct child *need_child(const struct script_cmd *c, const char *verb)
{
	struct child *ch = shell_child(c->target);

	if (!ch)
		shell_fail("part %s: no partition '%s' (part list lists them)", verb, c->target);
	return ch;
}

static bool is_root_ref(const char *ref)
{
	uint64_t id;

	return !strcmp(ref, "root") ||
	       (parse_u64(ref, strlen(ref), false, &id) && id == shell_root_id());
}

uint64_t shell_root_id(void)
{
	static uint64_t id;
	struct hv_output_get_partition_id out;

	if (!id && hv_call(HVCALL_GET_PARTITION_ID, NULL, 0, &out, sizeof(out)) ==
		   HV_STATUS_SUCCESS)
		id = out.partition_id;
	return id;
}

static bool stats_of(uint64_t id, struct hv_x_partition_stats *st)
{
	return hv_fast(HVCALL_X_PARTITION_STATS, id, root_image_gpa(st), NULL) ==
	       HV_STATUS_SUCCESS;
}

/* "0,2-3" from a mask ("any" for 0). */
static void cpus_text(uint64_t mask, char *out, size_t size)
{
	size_t n = 0;

	if (!mask) {
		fmt_snprintf(out, size, "all");	/* xl.cfg's word */
		return;
	}
	out[0] = '\0';
	for (unsigned cpu = 0; cpu < 64 && n < size; cpu++) {
		unsigned end = cpu;

		if (!(mask >> cpu & 1))
			continue;
		while (end + 1 < 64 && (mask >> (end + 1) & 1))
			end++;
		n += (size_t)fmt_snprintf(out + n, size - n, n ? ",%u" : "%u", cpu);
		if (end > cpu && n < size)
			n += (size_t)fmt_snprintf(out + n, size - n, "-%u", end);
		cpu = end;
	}
}

static const char *end_name(enum script_end e)
{
	return e == SCRIPT_END_DESTROY ? "destroy" : e == SCRIPT_END_PRESERVE ? "preserve" :
	       "restart";
}

/* ---- the boot image of a description ---- */

bool child_image_of(const struct script_create *cfg, struct child_image *img, char *why,
		    size_t size)
{
	/* each module's string: "NAME ARGS", as the hypervisor's own module lines */
	static char strings[CHILDLOAD_MODULES_MAX][SCRIPT_MODULE_MAX + SCRIPT_CMDLINE_MAX];

	memset(img, 0, sizeof(*img));
	if (!shell_module_bytes(cfg->kernel, &img->kernel, &img->kernel_len, why, size))
		return false;
	if (cfg->ramdisk[0]) {
		struct childload_module *m = &img->mods[img->nmods];

		if (!shell_module_bytes(cfg->ramdisk, &m->data, &m->len, why, size))
			return false;
		fmt_snprintf(strings[img->nmods], sizeof(strings[0]), "%s", cfg->ramdisk);
		m->cmdline = strings[img->nmods++];
	}
	for (unsigned i = 0; i < cfg->nmodules && img->nmods < CHILDLOAD_MODULES_MAX; i++) {
		struct childload_module *m = &img->mods[img->nmods];
		const struct script_module *sm = &cfg->modules[i];

		if (!shell_module_bytes(sm->name, &m->data, &m->len, why, size))
			return false;
		fmt_snprintf(strings[img->nmods], sizeof(strings[0]), sm->args[0] ? "%s %s" : "%s",
			     sm->name, sm->args);
		m->cmdline = strings[img->nmods++];
	}
	return true;
}

/* ---- help, version, ls, echo ---- */

static void help_line(void *ctx, const char *text)
{
	(void)ctx;
	say("%s", text);
}

static enum run_result run_help(const struct script_cmd *c)
{
	return script_help(c->topic, help_line, NULL) ? RUN_OK :
	       shell_fail("help: no command '%s' (help lists them)", c->topic);
}

static struct hv_x_hv_info info;

static bool get_info(void)
{
	uint16_t st = hv_fast(HVCALL_X_HV_INFO, root_image_gpa(&info), 0, NULL);

	if (st != HV_STATUS_SUCCESS)
		shell_fail("the hypervisor's information: %s", hv_status_name(st));
	return st == HV_STATUS_SUCCESS;
}

static enum run_result run_version(const struct script_cmd *c)
{
	(void)c;
	if (!get_info())
		return RUN_FAILED;
	say("microhypervisor %s (%s), root kernel of the same build", info.version, info.backend);
	return RUN_OK;
}

static enum run_result run_ls(const struct script_cmd *c)
{
	if (c->json) {
		json_start();
		json_begin_array(&js);
		for (uint32_t i = 0; i < root_boot->module_count; i++) {
			json_begin_object(&js);
			jkey_str("name", root_boot->modules[i].name);
			jkey_uint("size", root_boot->modules[i].size);
			jkey_str("args", root_boot->modules[i].args);
			json_end_object(&js);
		}
		json_end_array(&js);
		return json_say();
	}
	say("%-24s %10s  %s", "Name", "Size", "Args");
	for (uint32_t i = 0; i < root_boot->module_count; i++)
		say("%-24s %10lu  %s", root_boot->modules[i].name, root_boot->modules[i].size,
		    root_boot->modules[i].args);
	return RUN_OK;
}

static enum run_result run_echo(const struct script_cmd *c)
{
	say("%s", c->text);
	return RUN_OK;
}

/* name : value, or a JSON member. */
static void field_str(bool json, const char *key, const char *v)
{
	if (json)
		jkey_str(key, v);
	else
		say("%-20s: %s", key, v);
}

static void field_uint(bool json, const char *key, uint64_t v)
{
	if (json)
		jkey_uint(key, v);
	else
		say("%-20s: %lu", key, v);
}

static void field_milli(bool json, const char *key, uint64_t ms)
{
	if (json) {
		json_key(&js, key);
		json_milli(&js, ms);
	} else {
		say("%-20s: %lu.%03lu", key, ms / 1000, ms % 1000);
	}
}

/* ---- hv ---- */

static const struct {
	uint64_t bit;
	const char *name;
	unsigned need;		/* HV_X_NEED_*: the back-ends that cannot do without it */
	const char *what;
} features[] = {
#define FEATURE_ROW(bit, NAME, name, need, what) { 1ull << (bit), name, need, what },
	HV_X_FEATURES(FEATURE_ROW)
#undef FEATURE_ROW
};

/* Whether this machine's back-end needs feature i (any back-end when there is none). */
static bool needed(size_t i)
{
	unsigned mine = !strcmp(info.backend, "vmx") ? HV_X_NEED_VMX :
			!strcmp(info.backend, "svm") ? HV_X_NEED_SVM : HV_X_NEED_ANY;

	return features[i].need & mine;
}

static enum run_result run_hv_info(const struct script_cmd *c)
{
	char feats[160];
	size_t n = 0;

	if (!get_info())
		return RUN_FAILED;
	feats[0] = '\0';
	if (c->json) {
		json_start();
		json_begin_object(&js);
	}
	field_str(c->json, "version", info.version);
	field_str(c->json, "backend", info.backend);
	if (c->json) {
		json_key(&js, "features");
		json_begin_array(&js);
	}
	for (size_t i = 0; i < ARRAY_SIZE(features); i++) {
		if (!(info.features & features[i].bit))
			continue;
		if (c->json)
			json_string(&js, features[i].name);
		else
			n += (size_t)fmt_snprintf(feats + n, sizeof(feats) - MIN(n, sizeof(feats)),
						  n ? " %s" : "%s", features[i].name);
	}
	if (c->json)
		json_end_array(&js);
	else
		say("%-20s: %s", "features", feats);
	field_uint(c->json, "cpus", info.cpus);
	field_uint(c->json, "memory_total_kib", info.mem_total_pages * 4);
	field_uint(c->json, "memory_free_kib", pmem_free_pages() * 4);	/* the root's, for partitions */
	field_uint(c->json, "hypervisor_free_kib", info.hv_free_pages * 4);
	field_uint(c->json, "hypervisor_held_kib", info.hv_held_pages * 4);
	field_uint(c->json, "root_kib", info.root_pages * 4);
	field_uint(c->json, "partitions", info.partitions);
	field_milli(c->json, "uptime_s", info.uptime_us / 1000);
	if (!c->json)
		return RUN_OK;
	json_end_object(&js);
	return json_say();
}

static enum run_result run_hv_check(const struct script_cmd *c)
{
	unsigned lacking = 0;

	if (!get_info())
		return RUN_FAILED;
	if (c->json) {
		json_start();
		json_begin_array(&js);
	}
	for (size_t i = 0; i < ARRAY_SIZE(features); i++) {
		bool has = info.features & features[i].bit;
		bool lacks = info.missing & features[i].bit;

		lacking += lacks;
		if (c->json) {
			json_begin_object(&js);
			jkey_str("feature", features[i].name);
			jkey_str("status", has ? "ok" : lacks ? "missing" : "absent");
			json_key(&js, "required");
			json_bool(&js, needed(i));
			jkey_str("about", features[i].what);
			json_end_object(&js);
			continue;
		}
		say("%-22s %-8s %s", features[i].name, has ? "ok" : lacks ? "MISSING" : "absent",
		    features[i].what);
	}
	if (c->json) {
		json_end_array(&js);
		return json_say();
	}
	say(lacking ? "this machine lacks %u feature%s that partitions need" :
		      "this machine has everything partitions need", lacking, lacking == 1 ? "" : "s");
	return RUN_OK;
}

/*
 * The log's history, oldest line first (xl dmesg), a piece at a time: the
 * hypervisor holds up to 128 KiB of it, which takes 11 s to send at 115200
 * baud. The command waits while the console sends each piece (the root's
 * own ring at most half full), so that the root goes on serving its
 * children meanwhile and Ctrl-C stops it.
 */
#define HISTORY_ROOM	8192	/* bytes of the root's lines unsent, at most, for another piece */

enum run_result shell_history_step(struct block *b)
{
	static struct hv_x_log_history h;
	static char text[4096];
	uint64_t got;
	uint16_t st;
	size_t at = 0;

	if (console_backlog() > HISTORY_ROOM)
		return RUN_BLOCKED;
	memset(&h, 0, sizeof(h));
	h.from = b->from;
	h.buf_gpa = root_image_gpa(text);
	h.size = sizeof(text);
	st = hv_fast(HVCALL_X_LOG_HISTORY, root_image_gpa(&h), 0, &got);
	if (st != HV_STATUS_SUCCESS)
		return shell_fail("hv log: %s", hv_status_name(st));
	if (h.lost && b->from)	/* from 0: the oldest line held is where it starts */
		say("root: hv log: %lu bytes overwritten before they were read", h.lost);
	b->from = h.from;
	got = MIN(got, sizeof(text));
	while (at < got) {	/* whole lines, each ending in '\n' */
		size_t e = at;

		while (e < got && text[e] != '\n')
			e++;
		say_n(text + at, e - at);
		at = e + 1;
	}
	return got ? RUN_BLOCKED : RUN_OK;
}

static enum run_result run_hv_log(const struct script_cmd *c)
{
	struct block b = { .kind = BLOCK_HISTORY, .follow = c->follow };

	if (c->follow && !shell_interactive())
		return shell_fail("hv log -f: no key to end it (after_boot=poweroff)");
	return shell_block(&b);
}

/* ---- part list, info, stats ---- */

struct row {
	const char *name;
	uint64_t id, mem_mib;
	unsigned vcpus;
	const char *state;
	uint64_t time_ms;
};

static void row_of_root(struct row *r)
{
	static struct hv_x_partition_stats st;

	memset(r, 0, sizeof(*r));
	r->name = "root";
	r->id = shell_root_id();
	r->mem_mib = root_ram_bytes() >> 20;
	r->vcpus = 1;
	r->state = "running";
	if (stats_of(HV_PARTITION_ID_SELF, &st))
		r->time_ms = ticks_ms(st.guest_ticks);
}

static void row_of(const struct child *ch, struct row *r)
{
	static struct hv_x_partition_stats st;

	r->name = ch->name;
	r->id = ch->id;
	r->mem_mib = ch->mem_bytes >> 20;
	r->vcpus = ch->nvps;
	r->state = child_state_name(ch->state);
	r->time_ms = stats_of(ch->id, &st) ? ticks_ms(st.guest_ticks) : 0;
}

static void row_say(const struct row *r, bool json)
{
	if (json) {
		json_begin_object(&js);
		jkey_str("name", r->name);
		jkey_uint("id", r->id);
		jkey_uint("mem", r->mem_mib);
		jkey_uint("vcpus", r->vcpus);
		jkey_str("state", r->state);
		json_key(&js, "time");
		json_milli(&js, r->time_ms);
		json_end_object(&js);
		return;
	}
	say("%-24s %4lu %6lu %5u %-8s %9lu.%lu", r->name, r->id, r->mem_mib, r->vcpus, r->state,
	    r->time_ms / 1000, r->time_ms % 1000 / 100);
}

static enum run_result run_part_list(const struct script_cmd *c)
{
	struct row r;

	if (c->json) {
		json_start();
		json_begin_array(&js);
	} else {
		say("%-24s %4s %6s %5s %-8s %11s", "Name", "ID", "Mem", "VCPUs", "State", "Time(s)");
	}
	row_of_root(&r);
	row_say(&r, c->json);
	for (unsigned i = 0; i < CHILDREN_MAX; i++) {
		const struct child *ch = child_at(i);

		if (ch->state == CHILD_FREE)
			continue;
		row_of(ch, &r);
		row_say(&r, c->json);
	}
	if (!c->json)
		return RUN_OK;
	json_end_array(&js);
	return json_say();
}

static enum run_result run_part_info(const struct script_cmd *c)
{
	struct child *ch;
	char cpus[96], mods[SCRIPT_CHILD_MODULES_MAX * SCRIPT_MODULE_MAX];
	size_t n = 0;

	if (is_root_ref(c->target))
		return shell_fail("part info: the root is partition %lu; hv info describes it",
				  shell_root_id());
	ch = need_child(c, "info");
	if (!ch)
		return RUN_FAILED;
	cpus_text(ch->cfg.cpu_mask, cpus, sizeof(cpus));
	mods[0] = '\0';
	for (unsigned i = 0; i < ch->cfg.nmodules; i++)
		n += (size_t)fmt_snprintf(mods + n, sizeof(mods) - MIN(n, sizeof(mods)),
					  n ? " %s" : "%s", ch->cfg.modules[i].name);
	if (c->json) {
		json_start();
		json_begin_object(&js);
	}
	field_str(c->json, "name", ch->name);
	field_uint(c->json, "id", ch->id);
	field_str(c->json, "state", child_state_name(ch->state));
	field_uint(c->json, "mem", ch->mem_bytes >> 20);
	field_uint(c->json, "vcpus", ch->nvps);
	field_str(c->json, "cpus", cpus);
	field_str(c->json, "kernel", ch->cfg.kernel);
	field_str(c->json, "ramdisk", ch->cfg.ramdisk);
	field_str(c->json, "modules", mods);
	field_str(c->json, "cmdline", ch->cfg.cmdline);
	field_str(c->json, "on_poweroff", end_name(ch->cfg.on_poweroff));
	field_str(c->json, "on_crash", end_name(ch->cfg.on_crash));
	field_str(c->json, "on_reboot", end_name(ch->cfg.on_reboot));
	/* from its creation to now, or to its end when it is kept (stopped, crashed) */
	field_milli(c->json, "uptime", (ch->state == CHILD_STOPPED || ch->state == CHILD_CRASHED ?
					 ch->ended_tsc - ch->created_tsc :
					 rdtsc() - ch->created_tsc) / root_tsc_khz());
	field_uint(c->json, "pool_deposited", ch->deposited);
	field_uint(c->json, "output_dropped", ch->out->dropped_total);
	if (!c->json)
		return RUN_OK;
	json_end_object(&js);
	return json_say();
}

static const char *const exit_names[HV_X_EXIT_REASONS_MAX] = {
#define EXIT_NAME_ROW(index, NAME, name) [index] = name,
	HV_X_EXIT_REASONS(EXIT_NAME_ROW)
#undef EXIT_NAME_ROW
};

static enum run_result run_part_stats(const struct script_cmd *c)
{
	static struct hv_x_partition_stats st;
	struct child *ch = NULL;
	uint64_t id = shell_root_id();
	char line[200];
	size_t n = 0;

	if (!is_root_ref(c->target)) {
		ch = need_child(c, "stats");
		if (!ch)
			return RUN_FAILED;
		id = ch->id;
	}
	if (!stats_of(ch ? id : HV_PARTITION_ID_SELF, &st))
		return shell_fail("part stats: the hypervisor has no statistics of '%s'", c->target);
	if (c->json) {
		json_start();
		json_begin_object(&js);
	}
	field_str(c->json, "name", ch ? ch->name : "root");
	field_uint(c->json, "id", id);
	field_milli(c->json, "guest_time", ticks_ms(st.guest_ticks));
	field_milli(c->json, "hypervisor_time", ticks_ms(st.hv_ticks));
	field_uint(c->json, "exits", st.exits);
	if (c->json) {
		json_key(&js, "exits_by_reason");
		json_begin_object(&js);
	}
	line[0] = '\0';
	for (unsigned r = 0; r < ARRAY_SIZE(exit_names); r++) {
		if (!st.exit_counts[r] || !exit_names[r])
			continue;
		if (c->json)
			jkey_uint(exit_names[r], st.exit_counts[r]);
		else
			n += (size_t)fmt_snprintf(line + n, sizeof(line) - MIN(n, sizeof(line)),
						  n ? " %s=%lu" : "%s=%lu", exit_names[r],
						  st.exit_counts[r]);
	}
	if (c->json)
		json_end_object(&js);
	else
		say("%-20s: %s", "exits by reason", line);
	field_uint(c->json, "denied_io", st.io_denied);
	field_uint(c->json, "denied_msr", st.msr_denied);
	if (ch) {
		field_uint(c->json, "ports_emulated", ch->dev.io_accesses);
		field_uint(c->json, "ports_no_device", ch->dev.io_no_device);
	}
	if (!c->json)
		return RUN_OK;
	json_end_object(&js);
	return json_say();
}

/* ---- part create, start, pause, resume, reset, destroy, console ---- */

static enum run_result run_part_create(const struct script_cmd *c)
{
	static struct xlcfg cfg;
	static struct script_create pc;
	static struct child_image img;
	struct xlcfg_error err;
	char why[SCRIPT_WHY_MAX];

	memset(&cfg, 0, sizeof(cfg));
	if (c->file[0]) {
		const uint8_t *text;
		size_t len;

		if (!shell_module_bytes(c->file, &text, &len, why, sizeof(why)))
			return shell_fail("part create: %s", why);
		if (!xlcfg_parse((const char *)text, len, shell_env(), &cfg, &err))
			return shell_fail("%s:%u: %s", c->file, err.line, err.msg);
	}
	xlcfg_overlay(&cfg, &c->create);
	if (!xlcfg_resolve(&cfg, &pc, why, sizeof(why)))
		return shell_fail("part create: %s", why);
	if (!child_image_of(&pc, &img, why, sizeof(why)) || !child_check(&pc, &img, why, sizeof(why)))
		return shell_fail("part create: %s", why);
	say("root: create %s kernel=%s memory=%luM vcpus=%u", pc.name, pc.kernel,
	    pc.mem_bytes >> 20, pc.vcpus);
	return child_create(&pc, &img) ? RUN_OK :
	       shell_fail("part create: '%s' not created (the line above says why)", pc.name);
}

/* The partition named, in one of the states `ok` allows (a bit per enum child_state). */
static struct child *in_state(const struct script_cmd *c, const char *verb, unsigned ok,
			      const char *rule)
{
	struct child *ch;

	if (is_root_ref(c->target)) {
		shell_fail("part %s: not the root (shutdown stops the machine)", verb);
		return NULL;
	}
	ch = need_child(c, verb);
	if (ch && !(ok >> ch->state & 1)) {
		shell_fail("part %s: '%s' is %s (%s)", verb, ch->name, child_state_name(ch->state),
			   rule);
		return NULL;
	}
	return ch;
}

#define ANY_STATE	(1u << CHILD_CREATED | 1u << CHILD_RUNNING | 1u << CHILD_PAUSED | \
			 1u << CHILD_STOPPED | 1u << CHILD_CRASHED)

/*
 * The state changes, by op: the states each applies to (a bit per enum
 * child_state) and the rule said when the partition is in another.
 */
static const struct transition {
	const char *verb;
	unsigned from;
	const char *rule;
	bool (*act)(struct child *c);
} transitions[SCRIPT_OP_COUNT] = {
	[SCRIPT_PART_START] = { "start", 1u << CHILD_CREATED,
				"only a created partition starts; reset starts it again",
				child_start },
	[SCRIPT_PART_PAUSE] = { "pause", 1u << CHILD_RUNNING, "only a running partition pauses",
				child_pause },
	[SCRIPT_PART_RESUME] = { "resume", 1u << CHILD_PAUSED, "only a paused partition resumes",
				 child_resume },
};

static enum run_result run_transition(const struct script_cmd *c)
{
	const struct transition *t = &transitions[c->op];
	struct child *ch = in_state(c, t->verb, t->from, t->rule);

	if (!ch)
		return RUN_FAILED;
	return t->act(ch) ? RUN_OK :
	       shell_fail("part %s: '%s' did not %s (the line above says why)", t->verb, ch->name,
			  t->verb);
}

static enum run_result run_part_reset(const struct script_cmd *c)
{
	struct child *ch = in_state(c, "reset", ANY_STATE, "");
	static struct child_image img;
	char why[SCRIPT_WHY_MAX], name[SCRIPT_NAME_MAX];

	if (!ch)
		return RUN_FAILED;
	/* the image must still be there before the old one goes */
	if (!child_image_of(&ch->cfg, &img, why, sizeof(why)))
		return shell_fail("part reset: %s", why);
	say("root: '%s': reset (a new partition, as Xen's reboot)", ch->name);
	memcpy(name, ch->name, sizeof(name));
	ch = child_reset(ch);
	if (!ch || ch->state != CHILD_RUNNING)
		return shell_fail("part reset: '%s' %s (the lines above say why)", name,
				  ch ? "was created again but did not start" : "is gone: not created again");
	return RUN_OK;
}

static enum run_result run_part_destroy(const struct script_cmd *c)
{
	struct child *ch = in_state(c, "destroy", ANY_STATE, "");

	if (!ch)
		return RUN_FAILED;
	child_destroy(ch);
	return RUN_OK;
}

static enum run_result run_part_console(const struct script_cmd *c)
{
	struct child *ch = in_state(c, "console", ANY_STATE, "");
	struct block b = { .kind = BLOCK_ATTACH };

	if (!ch)
		return RUN_FAILED;
	if (!shell_interactive())
		return shell_fail("part console: no prompt to come back to (after_boot=poweroff)");
	memcpy(b.name, ch->name, sizeof(b.name));
	say("root: attached to '%s' COM1: its output so far, then live; Ctrl-] returns", ch->name);
	console_focus(ch);
	return shell_block(&b);
}

/* ---- run, sleep, wait, shutdown ---- */

static enum run_result run_run(const struct script_cmd *c)
{
	return shell_push_script(c->file);
}

static enum run_result run_sleep(const struct script_cmd *c)
{
	struct block b = { .kind = BLOCK_SLEEP, .limit_us = (uint64_t)c->sleep_ms * 1000 };

	return c->sleep_ms ? shell_block(&b) : RUN_OK;
}

static enum run_result run_wait(const struct script_cmd *c)
{
	struct block b = { .kind = BLOCK_WAIT, .wait_for = c->wait_for, .all = c->all,
			   .limit_us = (uint64_t)c->timeout_ms * 1000 };
	struct child *ch;

	if (c->all) {
		if (c->wait_for != SCRIPT_WAIT_ENDED && c->wait_for != SCRIPT_WAIT_GONE)
			return shell_fail("wait all: only 'ended' or 'gone' (every partition)");
		return shell_block(&b);
	}
	if (is_root_ref(c->target))
		return shell_fail("wait: not the root");
	ch = shell_child(c->target);
	if (!ch && (shell_is_id(c->target) || !child_has_ended(c->target)))
		return shell_fail("wait: no partition '%s'", c->target);
	memcpy(b.name, ch ? ch->name : c->target, sizeof(b.name));
	return shell_block(&b);
}

static enum run_result run_shutdown(const struct script_cmd *c)
{
	unsigned n = 0;

	(void)c;
	for (unsigned i = 0; i < CHILDREN_MAX; i++) {
		struct child *ch = child_at(i);

		if (ch->state != CHILD_FREE) {
			child_destroy(ch);
			n++;
		}
	}
	console_flush();	/* their last lines and their ends first */
	say("root: shutdown: %u partition%s destroyed, %lu pages withdrawn from my deposit pool, "
	    "powering off", n, n == 1 ? "" : "s", child_withdraw_self());
	console_flush();
	hv_fast(HVCALL_X_POWER_OFF, 0, 0, NULL);
	/* the hypervisor sends its log, then turns the machine off: give it a second */
	for (unsigned i = 0; i < 100; i++) {
		hv_fast(HVCALL_X_SET_TIMER, 10000, ROOT_TIMER_VECTOR, NULL);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	return shell_fail("shutdown: the machine did not power off (no ACPI power-off here)");
}

static const runner_fn runners[SCRIPT_OP_COUNT] = {
	[SCRIPT_HELP] = run_help,
	[SCRIPT_VERSION] = run_version,
	[SCRIPT_HV_INFO] = run_hv_info,
	[SCRIPT_HV_CHECK] = run_hv_check,
	[SCRIPT_HV_LOG] = run_hv_log,
	[SCRIPT_LS] = run_ls,
	[SCRIPT_PART_LIST] = run_part_list,
	[SCRIPT_PART_INFO] = run_part_info,
	[SCRIPT_PART_STATS] = run_part_stats,
	[SCRIPT_PART_CREATE] = run_part_create,
	[SCRIPT_PART_START] = run_transition,
	[SCRIPT_PART_PAUSE] = run_transition,
	[SCRIPT_PART_RESUME] = run_transition,
	[SCRIPT_PART_RESET] = run_part_reset,
	[SCRIPT_PART_DESTROY] = run_part_destroy,
	[SCRIPT_PART_CONSOLE] = run_part_console,
	[SCRIPT_RUN] = run_run,
	[SCRIPT_ECHO] = run_echo,
	[SCRIPT_SLEEP] = run_sleep,
	[SCRIPT_WAIT] = run_wait,
	[SCRIPT_SHUTDOWN] = run_shutdown,
};

enum run_result shell_run(const struct script_cmd *c)
{
	ASSERT((unsigned)c->op < SCRIPT_OP_COUNT && runners[c->op]);
	return runners[c->op](c);
}
