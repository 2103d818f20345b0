/*
 * The root console's runner (docs/console.md): shell.c runs lines from the
 * prompt and from scripts, one at a time, and holds the commands that wait
 * (wait, sleep, hv log -f, part console); shell_cmds.c holds the commands.
 * The language itself is core/script.h (pure, host-tested).
 */
#ifndef PARTITIONS_ROOT_SHELL_H
#define PARTITIONS_ROOT_SHELL_H

#include "core/script.h"
#include "partitions/root/child.h"

/* What a command did. */
enum run_result {
	RUN_OK,
	RUN_FAILED,	/* its message is said (shell_fail) */
	RUN_BLOCKED,	/* it waits (shell_block); its end comes later */
};

/* What a waiting command waits for. */
enum block_kind {
	BLOCK_NONE,
	BLOCK_WAIT,	/* wait: a partition's state, or the timeout */
	BLOCK_SLEEP,	/* sleep: the time */
	BLOCK_HISTORY,	/* hv log: the log's history, a piece a wake-up as the console sends it */
	BLOCK_FOLLOW,	/* hv log -f: a key */
	BLOCK_ATTACH,	/* part console: Ctrl-] (the child's keys go to it meanwhile) */
};

struct block {
	enum block_kind kind;
	uint64_t start_tsc;
	uint64_t limit_us;		/* WAIT (0: none) and SLEEP */
	enum script_wait_for wait_for;	/* WAIT */
	bool all;			/* WAIT all */
	char name[SCRIPT_NAME_MAX];	/* WAIT, ATTACH: the partition, by name */
	uint64_t from;			/* HISTORY: the log position to go on from */
	bool follow;			/* HISTORY: then FOLLOW (hv log -f) */
};

/* ---- shell.c ---- */

/* The command failed: say why ("FILE:LINE: why" in a script, "error: why" at the prompt). */
enum run_result __printf(1, 2) shell_fail(const char *fmt, ...);
/* The command waits: the runner polls `b` on each wake-up. */
enum run_result shell_block(const struct block *b);
/*
 * run SCRIPT: its lines run next (nested up to RUN_DEPTH_MAX); RUN_BLOCKED
 * (the `run` ends with the script, its status the script's) or RUN_FAILED.
 */
enum run_result shell_push_script(const char *name);
/* A prompt (not after_boot=poweroff's batch mode): a key can end a waiting command. */
bool shell_interactive(void);
/* The machine's CPUs, as the parser checks cpus= against them. */
const struct script_env *shell_env(void);
/*
 * A boot module's bytes, every one of them in the root's RAM (rootboot.h
 * promises it; a page the hypervisor keeps, such as its boot information
 * sharing a module's last page, would crash the root on the read); false
 * with one message in why[size].
 */
bool shell_module_bytes(const char *name, const uint8_t **data, size_t *len, char *why,
			size_t size);
/* A boot module by name; NULL if none. */
const struct rootboot_module *shell_module(const char *name);
/* A decimal id (not a name: names never start with a digit). */
bool shell_is_id(const char *ref);
/* A partition by name or decimal id (the root is not one of these); NULL if none. */
struct child *shell_child(const char *ref);

/* ---- shell_cmds.c ---- */

/*
 * hv log's next piece of the hypervisor's log history, if the console has
 * room for it; RUN_BLOCKED while more is to come, else RUN_OK or RUN_FAILED.
 */
enum run_result shell_history_step(struct block *b);
/* Run one parsed command (the table of runners, by op). */
enum run_result shell_run(const struct script_cmd *c);
/* `part list` and friends print the root itself first: its partition id (GetPartitionId). */
uint64_t shell_root_id(void);

#endif
