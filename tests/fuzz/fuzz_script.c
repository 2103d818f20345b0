/*
 * libFuzzer target for core/script.c: the input is a start-up script. Each
 * line parses or gives a reason; an accepted command keeps every limit
 * (names valid, memory and VP counts in range, strings terminated). The
 * input read as module arguments (whole, and as a line cut short) also makes
 * a default script, whose every line must then parse: the builder checks
 * each module line first, and one it refuses becomes an echo saying why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/script.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static const struct script_env env = { 8 };

static void check_cmd(const struct script_cmd *c)
{
	CHECK(c->op <= SCRIPT_ECHO);
	CHECK(memchr(c->name, '\0', sizeof(c->name)));
	CHECK(memchr(c->text, '\0', sizeof(c->text)));
	if (c->op == SCRIPT_START || c->op == SCRIPT_STOP || c->op == SCRIPT_CREATE)
		CHECK(script_name_ok(c->name, strlen(c->name)));
	if (c->op == SCRIPT_WAIT)
		CHECK(c->all ? !strcmp(c->name, "all") : script_name_ok(c->name, strlen(c->name)));
	if (c->op != SCRIPT_CREATE)
		return;
	CHECK(c->create.module[0] && memchr(c->create.module, '\0', sizeof(c->create.module)));
	CHECK(memchr(c->create.cmdline, '\0', sizeof(c->create.cmdline)));
	CHECK(c->create.mem_bytes && c->create.mem_bytes % (2u << 20) == 0 &&
	      c->create.mem_bytes <= SCRIPT_MEM_MAX);
	CHECK(c->create.vcpus >= 1 && c->create.vcpus <= SCRIPT_VCPUS_MAX);
	CHECK(c->create.cpu_mask < (1u << env.cpu_count));
}

/* Every line parses or gives a reason; with `all_parse`, every line parses. */
static void run(const char *text, size_t len, bool all_parse)
{
	const char *line, *why;
	struct script_cmd cmd;
	size_t at = 0, n;

	while (script_next_line(text, len, &at, &line, &n)) {
		CHECK(line >= text && n <= len - (size_t)(line - text));
		why = NULL;
		if (script_parse_line(line, n, &env, &cmd, &why))
			check_cmd(&cmd);
		else
			CHECK(why && *why && !all_parse);
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
		CHECK(!n || (n < 4096 && strlen(out) == n));
		if (n)
			run(out, n, true);
		/* a line cut short is refused: an echo says so, nothing is created */
		CHECK(!n || !cut || !strncmp(out, "echo module 0 'mod': ", 21));
	}
done:
	free(buf);
	free(args);
	free(out);
	return 0;
}
