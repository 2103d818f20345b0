/*
 * The root console's language (docs/console.md): one command a line, typed
 * at the prompt or read from a script, in the spirit of Xen's xl, Jailhouse's
 * `jailhouse cell` and Hyper-V's PowerShell. Pure logic: the tokenizer, the
 * const command table (usage, help, which options and arguments each takes),
 * the parser and the default start-up script, all host-tested and fuzzed;
 * partitions/root/shell.c runs the commands.
 *
 *   help [COMMAND]                 version
 *   hv info [-l]                   hv check [-l]          hv log [-f]
 *   ls [-l]                        (boot modules)
 *   part list [-l]                 part info P [-l]       part stats P [-l]
 *   part create NAME kernel=MODULE [memory=SIZE] [vcpus=N] [cpus=LIST]
 *               [cmdline="..."] [ramdisk=MODULE] [module=MODULE[:"ARGS"]]...
 *               [on_poweroff=destroy|preserve|restart]
 *               [on_crash=destroy|preserve|restart]
 *               [on_reboot=destroy|preserve|restart] [pool=PAGES]
 *   part create -f CONFIG [NAME] [KEY=VALUE ...]   (name= also; keys override the file's)
 *   part start|pause|resume|reset|destroy|console P
 *   run SCRIPT                     echo TEXT              sleep DURATION
 *   wait P|all [STATE] [-t SECONDS]                       shutdown
 *   # a comment, and blank lines
 *
 * P is a partition's name or its id (decimal): names never start with a
 * digit (script_name_ok). SIZE is a number with K, M or G (no suffix: MiB,
 * as xl.cfg's memory). DURATION is a number of seconds, or with "ms" or "s".
 * STATE is one of running, paused, stopped, crashed, gone, or ended (the
 * default: stopped, crashed or gone). The parser checks what it can alone
 * (words, options, counts, names, numbers, keys); the runner checks the
 * rest (no such partition or module, the state, free memory).
 */
#ifndef CORE_SCRIPT_H
#define CORE_SCRIPT_H

#include "core/partcfg.h"
#include "core/xlcfg.h"

#define SCRIPT_WHY_MAX		128	/* a parser's message, with the NUL */
#define SCRIPT_TOPIC_MAX	32	/* help's topic ("part create"), with the NUL */
#define SCRIPT_SLEEP_MAX_MS	3600000u	/* sleep: an hour at most */
#define SCRIPT_TIMEOUT_MAX_S	86400u		/* wait -t: a day at most */

enum script_op {
	SCRIPT_NOTHING,		/* blank line or comment */
	SCRIPT_HELP,
	SCRIPT_VERSION,
	SCRIPT_HV_INFO,
	SCRIPT_HV_CHECK,
	SCRIPT_HV_LOG,
	SCRIPT_LS,
	SCRIPT_PART_LIST,
	SCRIPT_PART_INFO,
	SCRIPT_PART_STATS,
	SCRIPT_PART_CREATE,
	SCRIPT_PART_START,
	SCRIPT_PART_PAUSE,
	SCRIPT_PART_RESUME,
	SCRIPT_PART_RESET,
	SCRIPT_PART_DESTROY,
	SCRIPT_PART_CONSOLE,
	SCRIPT_RUN,
	SCRIPT_ECHO,
	SCRIPT_SLEEP,
	SCRIPT_WAIT,
	SCRIPT_SHUTDOWN,
	SCRIPT_OP_COUNT,
};

/* What `wait` waits for. */
enum script_wait_for {
	SCRIPT_WAIT_ENDED,	/* stopped, crashed or gone (the default) */
	SCRIPT_WAIT_RUNNING,
	SCRIPT_WAIT_PAUSED,
	SCRIPT_WAIT_STOPPED,
	SCRIPT_WAIT_CRASHED,
	SCRIPT_WAIT_GONE,	/* no partition of that name (destroyed) */
};

struct script_cmd {
	enum script_op op;
	bool json;			/* -l */
	bool follow;			/* hv log -f */
	bool all;			/* wait all */
	char target[SCRIPT_NAME_MAX];	/* P: a name (script_name_ok) or a decimal id */
	char file[SCRIPT_MODULE_MAX];	/* run SCRIPT, part create -f CONFIG: a boot module */
	char topic[SCRIPT_TOPIC_MAX];	/* help: "" or a command ("part create", "ls") */
	char text[SCRIPT_TEXT_MAX];	/* echo: the rest of the line */
	enum script_wait_for wait_for;
	uint32_t timeout_ms;		/* wait -t; 0: none */
	uint32_t sleep_ms;		/* sleep */
	/*
	 * part create: the keys given (NAME as name), each checked, parsed as
	 * xl.cfg's values are (xlcfg.h); over -f's file with xlcfg_overlay,
	 * then whole with xlcfg_resolve.
	 */
	struct xlcfg create;
};

/*
 * Parse one line (`len` bytes, no newline; NUL or other control bytes are
 * an error). On success fills *cmd and returns true; otherwise returns
 * false with one message naming what was wrong in why[why_size] (as
 * "unknown command 'frobnicate' (help lists the commands)"), and *cmd says
 * nothing.
 */
bool script_parse_line(const char *line, size_t len, const struct script_env *env,
		       struct script_cmd *cmd, char *why, size_t why_size);

/*
 * help's text: with an empty topic, one line per command (its usage and
 * what it does); with a topic, that command's usage and its description
 * (several lines). Each line goes to line(ctx, text). False (nothing said)
 * for an unknown topic.
 */
bool script_help(const char *topic, void (*line)(void *ctx, const char *text), void *ctx);

/*
 * Cut the next line out of text[*at .. len): returns false at the end;
 * otherwise *line and *line_len (without "\n" or "\r\n") and advances *at.
 */
bool script_next_line(const char *text, size_t len, size_t *at, const char **line,
		      size_t *line_len);

/*
 * cpus= (and xl.cfg's cpus, core/xlcfg.c): "0,2-3" -> the bit mask of the CPUs
 * named, each below cpu_count (at most 64); false on junk, an empty set or a
 * trailing comma.
 */
bool script_parse_cpus(const char *s, size_t len, unsigned cpu_count, uint64_t *mask);

/*
 * true for 1-31 letters, digits, '-', '_' or '.', not starting with a digit,
 * and neither "all" (wait all) nor "root" (the root partition, listed first).
 */
bool script_name_ok(const char *s, size_t len);

/*
 * The default script, when no start-up script is named: for each module
 * whose arguments carry partition=NAME (the hypervisor's module-line keys,
 * docs/cmdline.md: mem=, vcpus=, cpus=, cmdline=, on_stop=, on_crash=,
 * pool=), "part create NAME kernel=MODULE <those keys in the console's
 * names>" and "part start NAME". `names[i]`/`args[i]` are module i's name
 * and arguments; bit i of `cut` says its line was longer than the boot
 * information holds (ROOTBOOT_ARGS_MAX), so what is left of it cannot be
 * trusted. Each module line is checked first, key by key with the parser's
 * own rules (cpus= against env): a line that is cut, has a bad or repeated
 * name, or a bad or unknown key becomes, instead of its create and start,
 *
 *   echo root: module I 'MODULE': partition 'NAME' not created: WHY
 *
 * (WHY names the key at fault where there is one), so the runner says it
 * in its turn, before what the later lines create. What only the root can
 * see (the image, free memory) is checked when the create runs. The runner
 * runs the default script to its end whatever fails (each module line
 * stands alone, as GRUB's). Returns the length written (NUL-terminated;
 * 0: no module line asks for a partition), or SCRIPT_DEFAULT_TOO_BIG if
 * buf is too small.
 */
#define SCRIPT_MODULES_MAX	64
#define SCRIPT_DEFAULT_TOO_BIG	((size_t)-1)
size_t script_default(const char *const *names, const char *const *args, uint64_t cut,
		      unsigned count, const struct script_env *env, char *buf, size_t size);

#endif
