/*
 * A partition's description, as the root's console, its scripts and its
 * xl.cfg files give it (docs/console.md): the limits every parser checks
 * against, and the resolved description a child is created from. Pure
 * definitions, shared by core/script.c, core/xlcfg.c and the root.
 */
#ifndef CORE_PARTCFG_H
#define CORE_PARTCFG_H

#include "core/types.h"

#define SCRIPT_NAME_MAX		32	/* with the NUL: a partition's name, PART_NAME_MAX */
#define SCRIPT_MODULE_MAX	64	/* with the NUL: a boot module's name, ROOTBOOT_NAME_MAX */
#define SCRIPT_CMDLINE_MAX	256	/* with the NUL: a child's command line, a module's arguments */
#define SCRIPT_TEXT_MAX		200	/* with the NUL: echo's text */
#define SCRIPT_LINE_MAX		512	/* a longer line is an error, not cut */
#define SCRIPT_MEM_DEFAULT	(16ull << 20)
#define SCRIPT_MEM_MAX		(1ull << 30)	/* 1 GiB: a child's RAM at most */
#define SCRIPT_VCPUS_MAX	8		/* PART_MAX_VPS */
#define SCRIPT_CHILD_MODULES_MAX 8		/* module= (and ramdisk=) of one child */
#define SCRIPT_POOL_MAX		(1u << 18)	/* pool=: pages */

/* What the parsers must know of the machine. */
struct script_env {
	unsigned cpu_count;	/* cpus= may name 0 .. cpu_count-1 (at most 64) */
};

/* on_poweroff=, on_reboot= and on_crash= (xl.cfg(5)'s names and meanings). */
enum script_end { SCRIPT_END_DESTROY, SCRIPT_END_PRESERVE, SCRIPT_END_RESTART };

/* A further boot module handed to a Multiboot kernel, as GRUB's module line. */
struct script_module {
	char name[SCRIPT_MODULE_MAX];	/* the boot module's name */
	char args[SCRIPT_CMDLINE_MAX];	/* its command line ("" none) */
};

/* A child's whole description, every default applied and every limit checked. */
struct script_create {
	char name[SCRIPT_NAME_MAX];	/* script_name_ok */
	char kernel[SCRIPT_MODULE_MAX];	/* boot module of its kernel */
	char ramdisk[SCRIPT_MODULE_MAX];	/* boot module of its initrd; "" none */
	unsigned nmodules;		/* further modules, after the ramdisk's */
	struct script_module modules[SCRIPT_CHILD_MODULES_MAX];
	uint64_t mem_bytes;		/* a multiple of 2 MiB, 2 MiB to 1 GiB; default 16 MiB */
	unsigned vcpus;			/* 1 to SCRIPT_VCPUS_MAX; default 1 */
	uint64_t cpu_mask;		/* 0: any CPU */
	char cmdline[SCRIPT_CMDLINE_MAX];
	enum script_end on_poweroff;	/* default destroy */
	enum script_end on_crash;	/* default destroy */
	enum script_end on_reboot;	/* default restart (as xl's): the child asked to reboot */
	uint32_t pool_pages;		/* pool=: the most pages the root deposits into it; 0: mshv's amounts */
};

#endif
