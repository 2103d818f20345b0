/*
 * An xl.cfg-style partition description (docs/console.md), for the root's
 * console: `part create -f FILE` reads one, then overlays the command
 * line's keys (parsed the same way) with xlcfg_overlay(). Pure logic,
 * host-tested and fuzzed. The language is the subset of Xen's xl.cfg(5)
 * the root can act on:
 *
 *   # a comment; blank lines; KEY = VALUE, one a line (or ';' between)
 *   name = "web"                  1-31 letters, digits, - _ . (script_name_ok)
 *   memory = 64                   MiB: even, 2 to 1024 (SCRIPT_MEM_MAX)
 *   vcpus = 2                     1 to 8
 *   cpus = "0,2-3"                online CPUs, or "all"
 *   kernel = "linux.elf"          boot module names, 1-63 characters
 *   ramdisk = "initrd"
 *   cmdline = 'console=ttyS0'     at most 255 characters
 *   on_poweroff = "destroy"       destroy, preserve or restart
 *   on_crash = "preserve"
 *   on_reboot = "restart"         destroy, preserve or restart (the default)
 *   modules = [ "a", "b args", ]  up to 8 extra boot modules, each "NAME" or
 *                                 "NAME ARGS" (its command line); may span lines
 *   pool = 40                     pages: the root's deposit budget, 1 to 262144
 *
 * Strings are in double or single quotes, of printable ASCII, with the
 * escapes \\ \" \' only; numbers are decimal (or 0x hex). Every limit is
 * core/partcfg.h's. An unknown or repeated key is an error, as is a line
 * longer than XLCFG_LINE_MAX - 1 or holding a NUL.
 *
 * The console's `part create` gives the same keys on its command line
 * (KEY=VALUE, module=NAME[:ARGS] repeatable, memory=SIZE): core/script.c
 * sets each with xlcfg_set_key(), by the same rules, and the whole
 * description becomes a child's with xlcfg_resolve().
 */
#ifndef CORE_XLCFG_H
#define CORE_XLCFG_H

#include "core/partcfg.h"

#define XLCFG_LINE_MAX		SCRIPT_LINE_MAX		/* with the end: a longer line is an error */
#define XLCFG_STRING_MAX	SCRIPT_CMDLINE_MAX	/* with the NUL: the longest string value */
#define XLCFG_MODULES_MAX	SCRIPT_CHILD_MODULES_MAX
#define XLCFG_MSG_MAX		128	/* as SCRIPT_WHY_MAX */
#define XLCFG_MEMORY_MAX_MIB	(SCRIPT_MEM_MAX >> 20)

enum xlcfg_key {
	XLCFG_NAME,
	XLCFG_MEMORY,
	XLCFG_VCPUS,
	XLCFG_CPUS,
	XLCFG_KERNEL,
	XLCFG_RAMDISK,
	XLCFG_CMDLINE,
	XLCFG_ON_POWEROFF,
	XLCFG_ON_CRASH,
	XLCFG_ON_REBOOT,
	XLCFG_MODULES,
	XLCFG_POOL,
	XLCFG_KEY_COUNT,
};

/* Whether the description gave `key`: what it did not give is the caller's default. */
#define XLCFG_HAS(cfg, key)	((cfg)->set >> (key) & 1)

enum xlcfg_action { XLCFG_DESTROY, XLCFG_PRESERVE, XLCFG_RESTART };

struct xlcfg {
	uint32_t set;			/* bit XLCFG_<key>: the key was given */
	char name[SCRIPT_NAME_MAX];
	uint32_t memory_mib;		/* even, 2 to XLCFG_MEMORY_MAX_MIB */
	unsigned vcpus;			/* 1 to SCRIPT_VCPUS_MAX */
	uint64_t cpu_mask;		/* 0: "all" */
	char kernel[SCRIPT_MODULE_MAX];
	char ramdisk[SCRIPT_MODULE_MAX];
	char cmdline[SCRIPT_CMDLINE_MAX];
	enum xlcfg_action on_poweroff, on_crash, on_reboot;
	struct {
		unsigned count;
		char name[XLCFG_MODULES_MAX][SCRIPT_MODULE_MAX];
		char args[XLCFG_MODULES_MAX][SCRIPT_CMDLINE_MAX];	/* "" none */
	} modules;
	uint32_t pool_pages;		/* 1 to SCRIPT_POOL_MAX */
};

struct xlcfg_error {
	unsigned line;			/* 1-based: the line at fault */
	char msg[XLCFG_MSG_MAX];	/* as "unknown key 'memroy'"; the caller adds "FILE:LINE: " */
};

/*
 * Parse `len` bytes of text (never read past them; no NUL needed). On
 * success fills *cfg and returns true; otherwise returns false with *err
 * filled and *cfg all zero. cpus= is checked against env->cpu_count.
 */
bool xlcfg_parse(const char *text, size_t len, const struct script_env *env, struct xlcfg *cfg,
		 struct xlcfg_error *err);

/* Every key that `top` gives replaces dst's (a module list as a whole). */
void xlcfg_overlay(struct xlcfg *dst, const struct xlcfg *top);

/*
 * One KEY=VALUE of the console's command line (`part create`), the value
 * already unquoted: the same keys and rules as a file's, with these
 * differences: the value needs no quotes; memory= is a SIZE (a number with
 * K, M or G; without one, MiB); module=NAME[:ARGS] (not modules=) adds one
 * module each time it is given, up to XLCFG_MODULES_MAX. A key given twice
 * (module= apart) is an error. On failure returns false with one message
 * in why[why_size] (the file's message for the same fault where there is
 * one) and leaves *cfg as it was.
 */
bool xlcfg_set_key(struct xlcfg *cfg, const char *key, size_t key_len, const char *val,
		   size_t val_len, const struct script_env *env, char *why, size_t why_size);

/*
 * The whole description of a child: name and kernel are required ("no
 * name: give NAME or name=", "no kernel= given"); what is not given gets
 * its default (memory 16 MiB, 1 vCPU, any CPU, destroy on power-off and
 * on crash, no ramdisk, modules or command line, pool 0: mshv's amounts).
 * Each value was checked when it was set. False with why[] on failure.
 */
bool xlcfg_resolve(const struct xlcfg *cfg, struct script_create *out, char *why,
		   size_t why_size);

/* xlcfg_resolve()'s checks alone: whether the description is a whole one. */
bool xlcfg_complete(const struct xlcfg *cfg, char *why, size_t why_size);

#endif
