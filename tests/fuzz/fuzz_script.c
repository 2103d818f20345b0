/*
 * libFuzzer target for core/script.c and core/script_default.c: the input
 * is a script. Each line parses or gives one message (and a command that
 * says nothing); an accepted command keeps every limit (names and ids
 * valid, strings terminated, numbers in range), and a create's keys resolve
 * whole unless -f names a file to fill them. The input read as module
 * arguments (whole, and as a line cut short) also makes a default script,
 * whose every line must then parse: the builder checks each module line
 * first, and one it refuses becomes an echo saying why. Every help topic a
 * line names is known to script_help.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/script.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define TERMINATED(a)	(memchr((a), '\0', sizeof(a)) != NULL)

static const struct script_env env = { 8 };

static bool target_ok(const char *t)
{
	size_t n = strlen(t);

	if (n && n <= 10 && strspn(t, "0123456789") == n)
		return true;
	if (!strcmp(t, "root"))
		return true;		/* the root partition, named, never a child's name */
	return script_name_ok(t, n);
}

static void help_line(void *ctx, const char *text)
{
	CHECK(strlen(text) < 128);
	++*(unsigned *)ctx;
}

static void check_cmd(const struct script_cmd *c)
{
	struct script_create out;
	char why[SCRIPT_WHY_MAX];
	unsigned lines = 0;

	CHECK(c->op < SCRIPT_OP_COUNT);
	CHECK(TERMINATED(c->target) && TERMINATED(c->file) && TERMINATED(c->topic) &&
	      TERMINATED(c->text));
	CHECK(c->sleep_ms <= SCRIPT_SLEEP_MAX_MS);
	CHECK(c->timeout_ms <= SCRIPT_TIMEOUT_MAX_S * 1000u);
	CHECK(c->wait_for <= SCRIPT_WAIT_GONE);
	switch (c->op) {
	case SCRIPT_PART_INFO: case SCRIPT_PART_STATS: case SCRIPT_PART_START:
	case SCRIPT_PART_PAUSE: case SCRIPT_PART_RESUME: case SCRIPT_PART_RESET:
	case SCRIPT_PART_DESTROY: case SCRIPT_PART_CONSOLE:
		CHECK(target_ok(c->target));
		break;
	case SCRIPT_WAIT:
		CHECK(c->all ? !c->target[0] : target_ok(c->target));
		break;
	case SCRIPT_RUN:
		CHECK(c->file[0]);
		break;
	case SCRIPT_HELP:
		CHECK(script_help(c->topic, help_line, &lines) && lines);
		break;
	case SCRIPT_PART_CREATE:
		if (c->file[0])
			break;
		CHECK(xlcfg_resolve(&c->create, &out, why, sizeof(why)));
		CHECK(script_name_ok(out.name, strlen(out.name)) && out.kernel[0]);
		CHECK(TERMINATED(out.kernel) && TERMINATED(out.cmdline) && TERMINATED(out.ramdisk));
		CHECK(out.mem_bytes && out.mem_bytes % (2u << 20) == 0 &&
		      out.mem_bytes <= SCRIPT_MEM_MAX);
		CHECK(out.vcpus >= 1 && out.vcpus <= SCRIPT_VCPUS_MAX);
		CHECK(out.cpu_mask < (1u << env.cpu_count));
		CHECK(out.nmodules <= SCRIPT_CHILD_MODULES_MAX);
		CHECK(out.pool_pages <= SCRIPT_POOL_MAX);
		for (unsigned i = 0; i < out.nmodules; i++)
			CHECK(out.modules[i].name[0] && TERMINATED(out.modules[i].name) &&
			      TERMINATED(out.modules[i].args));
		break;
	default:
		break;
	}
}

/* Every line parses or gives a reason; with `all_parse`, every line parses. */
static void run(const char *text, size_t len, bool all_parse)
{
	static const struct script_cmd zero;
	const char *line;
	char why[SCRIPT_WHY_MAX];
	struct script_cmd cmd;
	size_t at = 0, n;

	while (script_next_line(text, len, &at, &line, &n)) {
		CHECK(line >= text && n <= len - (size_t)(line - text));
		why[0] = '\0';
		if (script_parse_line(line, n, &env, &cmd, why, sizeof(why))) {
			check_cmd(&cmd);
		} else {
			CHECK(why[0] && TERMINATED(why) && !all_parse);
			CHECK(!memcmp(&cmd, &zero, sizeof(cmd)));
		}
	}
	CHECK(at == len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);	/* exact size: ASan sees overreads */
	char *args = malloc(size + 1), *out = malloc(4096);
	const char *names[1] = { "mod" }, *argv[1] = { args };
	size_t n;

	if (!buf || !args || !out)
		goto done;
	memcpy(buf, data, size);
	run(buf, size, false);
	memcpy(args, data, size);		/* as a module's arguments: up to the first NUL */
	args[size] = '\0';
	for (uint64_t cut = 0; cut < 2; cut++) {	/* also as a line cut short */
		n = script_default(names, argv, cut, 1, &env, out, 4096);
		CHECK(n != SCRIPT_DEFAULT_TOO_BIG);	/* one module's lines fit 4 KiB */
		CHECK(!n || (n < 4096 && strlen(out) == n));
		if (n)
			run(out, n, true);
		/* a line cut short is refused: an echo says so, nothing is created */
		CHECK(!n || !cut || !strncmp(out, "echo root: module 0 'mod': ", 27));
	}
done:
	free(buf);
	free(args);
	free(out);
	return 0;
}
