/*
 * What a partition costs and what it did, for the log: the hypervisor's
 * memory overhead when it is created, its exits and time when it goes.
 */
#include "partitions/internal.h"
#include "arch/x86/tsc.h"
#include "core/lib.h"
#include "core/log.h"

void part_log_created(const struct partition *p)
{
	/* what the hypervisor spends beyond the guest's own memory */
	log_info("part %u '%s': created, %lu MiB, %u vCPU%s, overhead %lu KiB "
		 "(partition %lu, second-level tables %lu, vCPUs %lu)", part_id_val(p->id), p->name,
		 p->mem_bytes >> 20, p->nvps, p->nvps == 1 ? "" : "s",
		 (PART_PAGES + p->slpt.table_pages + p->nvps * part_vcpu_pages) * 4,
		 PART_PAGES * 4, p->slpt.table_pages * 4, p->nvps * part_vcpu_pages * 4);
}

/* The vCPUs' counters added up. */
static void sum_stats(const struct partition *p, struct part_stats *sum)
{
	for (unsigned i = 0; i < p->nvps; i++) {
		for (unsigned r = 0; r < EXIT_REASON_COUNT; r++)
			sum->exits[r] += p->vps[i].stats.exits[r];
		sum->guest_ticks += p->vps[i].stats.guest_ticks;
		sum->hv_ticks += p->vps[i].stats.hv_ticks;
		sum->io_denied += p->vps[i].stats.io_denied;
		sum->msr_denied += p->vps[i].stats.msr_denied;
	}
}

/* One line: exits by reason, time in guest and hypervisor, then any denials. */
void part_log_stats(const struct partition *p)
{
	static const char *const names[] = {
#define EXIT_STAT_NAME(name, handler, stat)	[EXIT_##name] = stat,
		EXIT_REASONS(EXIT_STAT_NAME)
#undef EXIT_STAT_NAME
	};
	struct part_stats sum = { 0 };
	char line[320];
	int n;

	sum_stats(p, &sum);
	n = fmt_snprintf(line, sizeof(line), "part %u '%s': guest %lu us, hypervisor %lu us, exits",
			 part_id_val(p->id), p->name, tsc_ticks_to_us(sum.guest_ticks),
			 tsc_ticks_to_us(sum.hv_ticks));
	for (unsigned r = 0; r < EXIT_REASON_COUNT && n < (int)sizeof(line); r++)
		if (sum.exits[r])
			n += fmt_snprintf(line + n, sizeof(line) - (size_t)n, " %s=%lu",
					  names[r], sum.exits[r]);
	if (sum.io_denied || sum.msr_denied)
		fmt_snprintf(line + n, sizeof(line) - (size_t)MIN(n, (int)sizeof(line)),
			     ", denied io=%lu msr=%lu", sum.io_denied, sum.msr_denied);
	log_info("%s", line);
	if (p->dbg_dropped)
		log_warn("[%s] %u more debug lines were dropped", p->name, p->dbg_dropped);
}
