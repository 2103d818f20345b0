/*
 * The table of partitions: a fixed number of slots under one lock, the
 * ids handed out, name rules and lookups. A slot being filled or emptied
 * is reserved: taken, but no lookup returns it.
 */
#include "partitions/internal.h"
#include "core/lib.h"

static struct partition *partitions[PART_MAX];
static spinlock_t table_lock = SPINLOCK_INIT;
static uint32_t next_id = 1;

/* A table slot taken by a partition still being created or destroyed. */
#define SLOT_RESERVED	((struct partition *)1)
#define SLOT_LIVE(p)	((p) && (p) != SLOT_RESERVED)

bool part_name_ok(const char *name)
{
	size_t n = strnlen(name, PART_NAME_MAX);

	if (n == 0 || n == PART_NAME_MAX || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* The partition named `name`, or with id `id` if name is NULL. */
static struct partition *find(part_id_t id, const char *name)
{
	struct partition *found = NULL;

	spin_lock(&table_lock);
	for (unsigned i = 0; i < PART_MAX && !found; i++) {
		struct partition *p = partitions[i];

		if (SLOT_LIVE(p) && (name ? !strcmp(p->name, name) : part_id_eq(p->id, id)))
			found = p;
	}
	spin_unlock(&table_lock);
	return found;
}

struct partition *partition_find_id(part_id_t id)
{
	return find(id, NULL);
}

/* Names never start with a digit, so a number is always an id. */
struct partition *partition_find(const char *name_or_id)
{
	uint64_t id;

	if (!parse_u64(name_or_id, strlen(name_or_id), false, &id))
		return find(to_part_id(0), name_or_id);
	return id <= UINT32_MAX ? partition_find_id(to_part_id((uint32_t)id)) : NULL;
}

/* Under table_lock: the slot holds a child still running, being created, or being destroyed. */
static bool child_alive_locked(const struct partition *p)
{
	if (p == SLOT_RESERVED)
		return true;
	if (!p || partition_is_root(p))
		return false;	/* the root never ends by itself: the children count */
	return p->state != PART_STOPPED && p->state != PART_CRASHED;
}

bool partitions_any_alive(void)
{
	bool alive = false;

	spin_lock(&table_lock);
	for (unsigned i = 0; i < PART_MAX; i++)
		alive |= child_alive_locked(partitions[i]);
	spin_unlock(&table_lock);
	return alive;
}

unsigned partitions_count(void)
{
	unsigned n = 0;

	spin_lock(&table_lock);
	for (unsigned i = 0; i < PART_MAX; i++)
		n += partitions[i] != NULL;
	spin_unlock(&table_lock);
	return n;
}

/* The first free slot; -2 if a partition has the name, -1 if none is free. */
static int free_slot_locked(const char *name)
{
	int slot = -1;

	for (int i = 0; i < PART_MAX; i++) {
		if (SLOT_LIVE(partitions[i]) && !strcmp(partitions[i]->name, name))
			return -2;
		if (!partitions[i] && slot < 0)
			slot = i;
	}
	return slot;
}

enum part_status part_table_reserve(const char *name, int *slot, part_id_t *id)
{
	spin_lock(&table_lock);
	*slot = free_slot_locked(name);
	if (*slot >= 0)
		partitions[*slot] = SLOT_RESERVED;
	*id = to_part_id(next_id++);
	spin_unlock(&table_lock);
	if (*slot < 0)
		return *slot == -2 ? PART_EEXIST : PART_ELIMIT;
	return PART_OK;
}

static void set_slot(int slot, struct partition *p)
{
	spin_lock(&table_lock);
	partitions[slot] = p;
	spin_unlock(&table_lock);
}

void part_table_publish(int slot, struct partition *p)
{
	set_slot(slot, p);
}

void part_table_release(int slot)
{
	set_slot(slot, NULL);
}

int part_table_retire(struct partition *p)
{
	int slot = -1;

	spin_lock(&table_lock);
	for (int i = 0; i < PART_MAX; i++) {
		if (partitions[i] == p) {
			partitions[i] = SLOT_RESERVED;
			slot = i;
		}
	}
	spin_unlock(&table_lock);
	return slot;
}
