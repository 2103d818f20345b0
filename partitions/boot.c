/*
 * Boot-time partitions. Until the root partition's console exists, a
 * module line describes a partition:
 *   module2 /boot/modules/guest.elf guest.elf partition=web mem=16M vcpus=2 cpus=0-1
 * Every value is checked; a bad line is reported and that partition is
 * not created, nothing else changes.
 */
#include "partitions/boot.h"
#include "core/cmdline.h"
#include "core/lib.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/vcpu.h"
#include "partitions/partition.h"

/* "0,2-3" -> bit mask; false on junk or CPUs that are not online. */
static bool parse_cpus(const char *s, size_t len, uint64_t *mask)
{
	*mask = 0;
	while (len) {
		size_t n = 0, dash = 0;
		uint64_t lo, hi;

		while (n < len && s[n] != ',') {
			if (s[n] == '-')
				dash = n;
			n++;
		}
		if (dash) {
			if (!parse_u64(s, dash, false, &lo) ||
			    !parse_u64(s + dash + 1, n - dash - 1, false, &hi))
				return false;
		} else if (!parse_u64(s, n, false, &lo)) {
			return false;
		} else {
			hi = lo;
		}
		if (lo > hi || hi >= cpu_count)
			return false;
		for (uint64_t c = lo; c <= hi; c++)
			*mask |= cpu_mask_of(to_cpu_id((uint32_t)c));
		s += n + (n < len);
		len -= n + (n < len);
	}
	return *mask != 0;
}

static bool copy_value(char *dst, size_t size, const struct cmdline_token *t)
{
	if (!t->val || !t->val_len || t->val_len >= size)
		return false;
	memcpy(dst, t->val, t->val_len);
	dst[t->val_len] = '\0';
	return true;
}

static bool apply_key(struct part_config *c, const struct cmdline_token *t, bool *named)
{
	uint64_t v;

	if (cmdline_key_is(t, "partition"))
		return (*named = copy_value(c->name, sizeof(c->name), t));
	if (cmdline_key_is(t, "mem"))
		return t->val && parse_u64(t->val, t->val_len, true, &v) && (c->mem_bytes = v, true);
	if (cmdline_key_is(t, "vcpus"))
		return t->val && parse_u64(t->val, t->val_len, false, &v) && v <= 64 &&
		       (c->vcpus = (unsigned)v, true);
	if (cmdline_key_is(t, "on_stop") || cmdline_key_is(t, "on_crash")) {
		enum part_end *end = cmdline_key_is(t, "on_stop") ? &c->on_stop : &c->on_crash;

		if (t->val && t->val_len == 7 && !memcmp(t->val, "destroy", 7))
			*end = PART_END_DESTROY;
		else if (t->val && t->val_len == 8 && !memcmp(t->val, "preserve", 8))
			*end = PART_END_PRESERVE;
		else
			return false;
		return true;
	}
	if (cmdline_key_is(t, "cmdline"))
		return t->val && t->val_len < sizeof(c->cmdline) &&
		       (memcpy(c->cmdline, t->val, t->val_len), c->cmdline[t->val_len] = '\0', true);
	if (cmdline_key_is(t, "cpus"))
		return t->val && parse_cpus(t->val, t->val_len, &c->cpu_mask);
	if (cmdline_key_is(t, "pool"))		/* pages, up to 1 GiB: far more than any needs */
		return t->val && parse_u64(t->val, t->val_len, false, &v) && v &&
		       v <= GIB(1) / PAGE_SIZE && (c->pool_pages = v, true);
	return false;
}

/*
 * A module line cut short by its buffer might have lost any setting, even
 * partition=, so it is refused rather than read in part. Named by its first
 * word, the module's own name as GRUB gives it.
 */
static bool line_fits(unsigned index, const struct boot_module *m)
{
	char name[64];
	size_t n = 0;

	if (!m->cmdline_cut)
		return true;
	while (m->cmdline[n] && m->cmdline[n] != ' ' && n < sizeof(name) - 1) {
		name[n] = m->cmdline[n];
		n++;
	}
	name[n] = '\0';
	log_err("boot: module %u '%s' ignored: its line is longer than %u characters",
		index, name, (unsigned)sizeof(m->cmdline) - 1);
	return false;
}

static void start_one(const struct boot_module *m)
{
	struct part_config c = { .mem_bytes = MIB(16), .vcpus = 1 };
	const char *cur = m->cmdline;
	struct cmdline_token t;
	struct partition *p;
	enum part_status st;
	const char *why;
	bool named = false, first = true;

	while (cmdline_next(&cur, &t)) {
		if (first && !t.val) {		/* the module's own name */
			first = false;
			continue;
		}
		first = false;
		if (!apply_key(&c, &t, &named)) {
			char key[32];
			size_t n = MIN(t.key_len, sizeof(key) - 1);

			memcpy(key, t.key, n);
			key[n] = '\0';
			log_err("boot: module '%s': bad or unknown setting '%s'", m->cmdline, key);
			return;
		}
	}
	if (!named)
		return;				/* a module for someone else */
	if (!vcpu_ops) {
		log_err("boot: partition '%s' not created: this machine cannot run partitions "
			"(see the virt: lines)", c.name);
		return;
	}
	c.image = phys_to_virt(m->start);
	c.image_len = (size_t)(m->end - m->start);
	why = partition_config_problem(&c);
	if (why) {
		log_err("boot: partition '%s' not created: %s", c.name, why);
		return;
	}
	st = partition_create(&c, &p);
	if (st != PART_OK) {
		log_err("boot: partition '%s' not created: %s", c.name, partition_status_text(st));
		return;
	}
	st = partition_start(p);
	if (st != PART_OK)
		log_err("boot: partition '%s' not started: %s", c.name, partition_status_text(st));
}

void boot_partitions_start(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->module_count; i++)
		if (line_fits(i, &bi->modules[i]))
			start_one(&bi->modules[i]);
}

static bool names_partition(const struct boot_module *m)
{
	const char *cur = m->cmdline;
	struct cmdline_token t;

	while (cmdline_next(&cur, &t))
		if (cmdline_key_is(&t, "partition"))
			return true;
	return false;
}

void boot_partitions_ignored(const struct boot_info *bi)
{
	unsigned n = 0;

	for (unsigned i = 0; i < bi->module_count; i++)
		n += names_partition(&bi->modules[i]);
	if (n)
		log_info("boot: root=on: %u module line%s with partition= left to the root "
			 "(the hypervisor creates no partition itself)", n, n == 1 ? "" : "s");
}
