/*
 * The root's start-up script (docs/root.md): one command a line, in the
 * spirit of Xen's xl. Pure logic: the parser and the default script, both
 * host-tested and fuzzed; partitions/root/script.c runs the commands.
 *
 *   create NAME module=MODULE [mem=16M] [vcpus=1] [cpus=0-3] [cmdline="..."]
 *          [on_stop=destroy|preserve] [on_crash=destroy|preserve] [pool=PAGES]
 *   start NAME        stop NAME        wait NAME|all        echo TEXT
 *   # a comment, and blank lines
 */
#ifndef CORE_SCRIPT_H
#define CORE_SCRIPT_H

#include "core/types.h"

#define SCRIPT_NAME_MAX		32	/* with the NUL: a partition's name, PART_NAME_MAX */
#define SCRIPT_MODULE_MAX	64	/* with the NUL: a boot module's name, ROOTBOOT_NAME_MAX */
#define SCRIPT_CMDLINE_MAX	256	/* with the NUL: a child's command line */
#define SCRIPT_TEXT_MAX		200	/* with the NUL: echo's text */
#define SCRIPT_LINE_MAX		512	/* a longer line is an error, not cut */
#define SCRIPT_MEM_DEFAULT	(16ull << 20)
#define SCRIPT_MEM_MAX		(1ull << 30)	/* 1 GiB: a child's RAM at most */
#define SCRIPT_VCPUS_MAX	8		/* PART_MAX_VPS */

enum script_op {
	SCRIPT_NOTHING,		/* blank line or comment */
	SCRIPT_CREATE,
	SCRIPT_START,
	SCRIPT_STOP,
	SCRIPT_WAIT,
	SCRIPT_ECHO,
};

enum script_end { SCRIPT_END_DESTROY, SCRIPT_END_PRESERVE };

struct script_create {
	char module[SCRIPT_MODULE_MAX];
	uint64_t mem_bytes;	/* a multiple of 2 MiB, 2 MiB to 1 GiB */
	unsigned vcpus;		/* 1 to SCRIPT_VCPUS_MAX */
	uint64_t cpu_mask;	/* 0: any CPU */
	char cmdline[SCRIPT_CMDLINE_MAX];
	enum script_end on_stop, on_crash;
	uint32_t pool_pages;	/* pool=: the most pages the root deposits into it; 0: mshv's amounts */
};

struct script_cmd {
	enum script_op op;
	char name[SCRIPT_NAME_MAX];	/* every op but ECHO and NOTHING; "all" for wait all */
	bool all;			/* wait all */
	struct script_create create;
	char text[SCRIPT_TEXT_MAX];	/* ECHO */
};

/* What the parser must know of the machine. */
struct script_env {
	unsigned cpu_count;	/* cpus= may name 0 .. cpu_count-1 (at most 64) */
};

/*
 * Parse one line (`len` bytes, no newline; NUL bytes are an error). On
 * success fills *cmd and returns true; otherwise returns false with a
 * message (a static string) in *why, and *cmd says nothing.
 */
bool script_parse_line(const char *line, size_t len, const struct script_env *env,
		       struct script_cmd *cmd, const char **why);

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

/* true for 1-31 letters, digits, '-', '_' or '.', not starting with a digit, and not "all". */
bool script_name_ok(const char *s, size_t len);

/*
 * The default script, when no boot module is named `script`: for each
 * module whose arguments carry partition=NAME (as the hypervisor's module
 * lines did), "create NAME module=MODULE <its other keys>" and
 * "start NAME"; then "wait all". `names[i]`/`args[i]` are module i's name
 * and arguments; bit i of `cut` says its line was longer than the boot
 * information holds (ROOTBOOT_ARGS_MAX), so what is left of it cannot be
 * trusted. Each module line is checked first, key by key with the parser's
 * own rules (cpus= against env): a line that is cut, has a bad or repeated
 * name, or a bad or unknown key becomes, instead of its create and start,
 *
 *   echo module I 'MODULE': partition 'NAME' not created: WHY
 *
 * (WHY names the key at fault where there is one), so the runner says it
 * in its turn, before what the later lines create. What only the root can
 * see (the image, free memory) is checked when the create runs. Returns
 * the length written (NUL-terminated), or 0 if buf is too small.
 */
#define SCRIPT_MODULES_MAX	64
size_t script_default(const char *const *names, const char *const *args, uint64_t cut,
		      unsigned count, const struct script_env *env, char *buf, size_t size);

#endif
