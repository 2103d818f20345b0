/* HVCALL_X_HV_INFO's facts, gathered from their owners (see hvinfo.h). */
#include "core/hvinfo.h"
#include "core/bootinfo.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "core/vcpu.h"
#include "arch/x86/tsc.h"
#include "arch/x86/virt_caps.h"
#include "partitions/partition.h"

/* The build's version: Makefile's VERSION and git describe (build/hv_version.h). */
#ifndef HV_VERSION
#define HV_VERSION	"0.11"
#endif

/* Copy a string into a fixed field, cut to fit, NUL-terminated. */
static void set_text(char *dst, size_t size, const char *src)
{
	size_t n = MIN(strlen(src), size - 1);

	memset(dst, 0, size);
	memcpy(dst, src, n);
}

void hv_info_fill(struct hv_x_hv_info *info)
{
	uint64_t total = mm_usable_pages(), root = mm_root_pages(), free = mm_free_pages();
	uint64_t theirs = root + free;

	memset(info, 0, sizeof(*info));
	set_text(info->version, sizeof(info->version), HV_VERSION);
	set_text(info->backend, sizeof(info->backend), vcpu_ops ? vcpu_ops->name : "none");
	virt_features(&info->features, &info->missing);
	info->cpus = cpu_count;
	info->partitions = partitions_count();
	info->mem_total_pages = total;
	info->hv_free_pages = free;
	info->hv_held_pages = total > theirs ? total - theirs : 0;
	info->root_pages = root;
	info->uptime_us = tsc_ticks_to_us(sched_now() - hv_entry_tsc);
	info->tsc_khz = tsc_khz();
}
