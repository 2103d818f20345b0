/*
 * libFuzzer target for core/xlcfg.c and core/json.c. The input is an
 * xl.cfg-style description: it parses, keeping every limit (names valid,
 * memory and VP counts in range, strings NUL-terminated within their
 * arrays), or fails with a message on a line the input has, and an output
 * all zero. An accepted description resolves (or says it lacks its name or
 * kernel) within the same limits, and is then written as JSON into buffers
 * of every size the input's last byte picks: never past them,
 * NUL-terminated, and when it fits, exactly the text a roomy buffer gets.
 * The input's lines are also set as command-line KEY=VALUE pairs
 * (xlcfg_set_key): each is taken whole, or refused with a message and
 * nothing changed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/script.h"
#include "core/xlcfg.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define TERMINATED(a)	(memchr((a), '\0', sizeof(a)) != NULL)

static const struct script_env env = { 8 };

static void check_cfg(const struct xlcfg *c)
{
	CHECK(c->set < 1u << XLCFG_KEY_COUNT);
	CHECK(TERMINATED(c->name) && TERMINATED(c->kernel) && TERMINATED(c->ramdisk) &&
	      TERMINATED(c->cmdline));
	CHECK(XLCFG_HAS(c, XLCFG_NAME) ? script_name_ok(c->name, strlen(c->name)) : !c->name[0]);
	CHECK(XLCFG_HAS(c, XLCFG_KERNEL) ? c->kernel[0] != '\0' : !c->kernel[0]);
	CHECK(XLCFG_HAS(c, XLCFG_MEMORY) ? c->memory_mib >= 2 && c->memory_mib % 2 == 0 &&
	      c->memory_mib <= XLCFG_MEMORY_MAX_MIB : !c->memory_mib);
	CHECK(XLCFG_HAS(c, XLCFG_VCPUS) ? c->vcpus >= 1 && c->vcpus <= SCRIPT_VCPUS_MAX :
	      !c->vcpus);
	CHECK(c->cpu_mask < 1u << env.cpu_count);
	CHECK(c->on_poweroff <= XLCFG_RESTART && c->on_crash <= XLCFG_RESTART &&
	      c->on_reboot <= XLCFG_RESTART);
	CHECK(XLCFG_HAS(c, XLCFG_ON_REBOOT) || c->on_reboot == XLCFG_DESTROY);
	CHECK(c->modules.count <= XLCFG_MODULES_MAX);
	for (unsigned i = 0; i < XLCFG_MODULES_MAX; i++)
		CHECK(TERMINATED(c->modules.name[i]) && TERMINATED(c->modules.args[i]) &&
		      (i < c->modules.count) == (c->modules.name[i][0] != '\0') &&
		      !strchr(c->modules.name[i], ' '));
	CHECK(XLCFG_HAS(c, XLCFG_POOL) ? c->pool_pages >= 1 && c->pool_pages <= SCRIPT_POOL_MAX :
	      !c->pool_pages);
}

static void check_resolve(const struct xlcfg *c)
{
	struct script_create out;
	char why[XLCFG_MSG_MAX];

	if (!xlcfg_resolve(c, &out, why, sizeof(why))) {
		CHECK(!XLCFG_HAS(c, XLCFG_NAME) || !XLCFG_HAS(c, XLCFG_KERNEL));
		CHECK(why[0] && TERMINATED(why));
		return;
	}
	CHECK(script_name_ok(out.name, strlen(out.name)) && out.kernel[0]);
	CHECK(out.mem_bytes && out.mem_bytes % (2u << 20) == 0 && out.mem_bytes <= SCRIPT_MEM_MAX);
	CHECK(out.vcpus >= 1 && out.vcpus <= SCRIPT_VCPUS_MAX);
	CHECK(out.nmodules == c->modules.count);
	CHECK(out.on_poweroff <= SCRIPT_END_RESTART && out.on_crash <= SCRIPT_END_RESTART);
	/* on_reboot not given: restart, xl's default */
	CHECK(XLCFG_HAS(c, XLCFG_ON_REBOOT) ? out.on_reboot <= SCRIPT_END_RESTART :
	      out.on_reboot == SCRIPT_END_RESTART);
}

/* Each line "KEY=VALUE" as the command line gives it. */
static void set_lines(const char *text, size_t len)
{
	struct xlcfg cfg, before;
	char why[XLCFG_MSG_MAX];
	size_t at = 0;

	memset(&cfg, 0, sizeof(cfg));
	while (at < len) {
		const char *line = text + at, *eq;
		size_t n = 0;

		while (at + n < len && line[n] != '\n')
			n++;
		at += n + 1;
		eq = memchr(line, '=', n);
		if (!eq)
			continue;
		before = cfg;
		why[0] = '\0';
		if (xlcfg_set_key(&cfg, line, (size_t)(eq - line), eq + 1, n - (size_t)(eq - line) - 1,
				  &env, why, sizeof(why))) {
			CHECK(cfg.set != before.set || cfg.modules.count == before.modules.count + 1);
		} else {
			CHECK(why[0] && TERMINATED(why));
			CHECK(!memcmp(&before, &cfg, sizeof(cfg)));
		}
		check_cfg(&cfg);
		check_resolve(&cfg);
	}
}

static void write_json(const struct xlcfg *c, struct json *j, char *buf, size_t size)
{
	json_init(j, buf, size);
	json_begin_object(j);
	json_key(j, "name");
	json_string(j, c->name);
	json_key(j, "memory");
	json_uint(j, c->memory_mib);
	json_key(j, "cmdline");
	json_string(j, c->cmdline);
	json_key(j, "on_crash");
	json_int(j, -(int64_t)c->on_crash);
	json_key(j, "modules");
	json_begin_array(j);
	for (unsigned i = 0; i < c->modules.count; i++)
		json_string(j, c->modules.name[i]);
	json_bool(j, c->vcpus > 1);
	json_null(j);
	json_end_array(j);
	json_end_object(j);
}

static void check_json(const struct xlcfg *c, size_t size)
{
	static char roomy[8192];
	char *buf = malloc(size ? size : 1);	/* exact size: ASan sees overwrites */
	struct json big, small;

	if (!buf)
		return;
	write_json(c, &big, roomy, sizeof(roomy));
	CHECK(json_ok(&big) && strlen(roomy) == big.len);
	write_json(c, &small, buf, size);
	CHECK(!small.misuse);
	if (size) {
		CHECK(small.len < size && strlen(buf) == small.len);
		CHECK(!strncmp(buf, roomy, small.len));	/* a prefix of the whole */
	}
	CHECK(json_ok(&small) == (size > big.len));
	if (json_ok(&small))
		CHECK(!strcmp(buf, roomy));
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);	/* exact size: ASan sees overreads */
	struct xlcfg cfg, zero;
	struct xlcfg_error err;
	unsigned lines = 1;

	if (!text)
		return 0;
	memcpy(text, data, size);
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';
	memset(&zero, 0, sizeof(zero));
	if (xlcfg_parse(text, size, &env, &cfg, &err)) {
		check_cfg(&cfg);
		check_resolve(&cfg);
		check_json(&cfg, size ? data[size - 1] * 4u : 0);
	} else {
		CHECK(err.line >= 1 && err.line <= lines);
		CHECK(err.msg[0] && TERMINATED(err.msg));
		CHECK(!memcmp(&cfg, &zero, sizeof(cfg)));
	}
	set_lines(text, size);
	free(text);
	return 0;
}
