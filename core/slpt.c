/*
 * Generic 4-level second-level page-table builder (see slpt.h). Level 4 is
 * the root (PML4-like), level 1 holds 4 KiB leaves. Both EPT (SDM Vol. 3C,
 * 29.3.2) and NPT (APM Vol. 2, 15.25.5, same layout as long-mode paging)
 * index levels with bits 39-47, 30-38, 21-29 and 12-20.
 */
#include "core/slpt.h"
#include "core/lib.h"

#define LEVEL_SHIFT(l)	(12 + 9 * ((l) - 1))
#define LEVEL_SIZE(l)	((uint64_t)1 << LEVEL_SHIFT(l))
#define INDEX(gpa, l)	((gpa_val(gpa) >> LEVEL_SHIFT(l)) & 511)
/* gpa's offset inside its naturally aligned block of LEVEL_SIZE(l) */
#define OFFSET(gpa, l)	(gpa_val(gpa) & (LEVEL_SIZE(l) - 1))

static uint64_t *table_at(const struct slpt *t, paddr_t pa)
{
	return t->mem->to_virt(t->mem->ctx, pa);
}

static paddr_t new_table(struct slpt *t)
{
	paddr_t pa = t->mem->alloc_page(t->mem->ctx);

	if (pa)
		t->table_pages++;
	return pa;
}

bool slpt_init(struct slpt *t, const struct slpt_format *fmt, const struct slpt_alloc *mem)
{
	t->fmt = fmt;
	t->mem = mem;
	t->table_pages = 0;
	t->root = new_table(t);
	return t->root != 0;
}

/*
 * The table below entry *e at `level`, created if absent. A large leaf in
 * the way is split into 512 smaller leaves with the same rights and type,
 * so its other parts stay mapped. NULL on allocation failure.
 */
static uint64_t *descend(struct slpt *t, uint64_t *e, unsigned level)
{
	uint64_t *sub;
	paddr_t pa;

	if (t->fmt->present(*e) && !t->fmt->is_leaf(*e, level))
		return table_at(t, t->fmt->addr(*e));
	pa = new_table(t);
	if (!pa)
		return NULL;
	sub = table_at(t, pa);
	if (t->fmt->present(*e))
		for (unsigned i = 0; i < 512; i++)
			sub[i] = t->fmt->split(*e, level, i);
	*e = t->fmt->table(pa);
	return sub;
}

static void free_level(struct slpt *t, paddr_t pa, unsigned level);

bool slpt_map(struct slpt *t, gpa_t gpa, paddr_t hpa, uint64_t size,
	      unsigned perms, enum mem_cache type, bool large)
{
	while (size) {
		unsigned leaf_level = 1;
		uint64_t *tab = table_at(t, t->root), *e, old;

		if (large && !OFFSET(gpa, 2) && !(hpa % LEVEL_SIZE(2)) &&
		    size >= LEVEL_SIZE(2))
			leaf_level = 2;
		for (unsigned level = 4; level > leaf_level; level--) {
			tab = descend(t, &tab[INDEX(gpa, level)], level);
			if (!tab)
				return false;
		}
		e = &tab[INDEX(gpa, leaf_level)];
		old = *e;
		*e = t->fmt->leaf(hpa, perms, type, leaf_level);
		/* a large leaf replacing a table: free the table, or it leaks */
		if (leaf_level > 1 && t->fmt->present(old) && !t->fmt->is_leaf(old, leaf_level))
			free_level(t, t->fmt->addr(old), leaf_level - 1);
		gpa = gpa_add(gpa, LEVEL_SIZE(leaf_level));
		hpa += LEVEL_SIZE(leaf_level);
		size -= LEVEL_SIZE(leaf_level);
	}
	return true;
}

/*
 * The range's mappings go. A large leaf only partly in it is split first;
 * with no page for that, `keep` says what happens: false, the whole leaf
 * goes (slpt_unmap); true, the walk stops there and returns false
 * (slpt_unmap_or_keep). A split that was paid for changes no translation.
 */
static bool unmap(struct slpt *t, gpa_t gpa, uint64_t size, bool keep)
{
	while (size) {
		uint64_t *e = &table_at(t, t->root)[INDEX(gpa, 4)];
		unsigned level = 4;
		uint64_t left;

		while (level > 1 && t->fmt->present(*e) && !t->fmt->is_leaf(*e, level)) {
			level--;
			e = &table_at(t, t->fmt->addr(*e))[INDEX(gpa, level)];
		}
		left = LEVEL_SIZE(level) - OFFSET(gpa, level);
		if (t->fmt->present(*e) && level > 1 &&
		    (OFFSET(gpa, level) || left > size)) {
			/* a large leaf only partly unmapped: split it and go round again */
			if (!descend(t, e, level)) {
				if (keep)
					return false;
				*e = 0;		/* no memory to split: unmap all of it */
			}
			continue;
		}
		*e = 0;
		left = MIN(left, size);
		gpa = gpa_add(gpa, left);
		size -= left;
	}
	return true;
}

void slpt_unmap(struct slpt *t, gpa_t gpa, uint64_t size)
{
	(void)unmap(t, gpa, size, false);
}

bool slpt_unmap_or_keep(struct slpt *t, gpa_t gpa, uint64_t size)
{
	return unmap(t, gpa, size, true);
}

bool slpt_lookup(const struct slpt *t, gpa_t gpa, paddr_t *hpa, uint64_t *pte)
{
	const uint64_t *tab = table_at(t, t->root);

	for (unsigned level = 4; level >= 1; level--) {
		uint64_t e = tab[INDEX(gpa, level)];

		if (!t->fmt->present(e))
			return false;
		if (t->fmt->is_leaf(e, level)) {
			*hpa = t->fmt->addr(e) + OFFSET(gpa, level);
			if (pte)
				*pte = e;
			return true;
		}
		tab = table_at(t, t->fmt->addr(e));
	}
	return false;
}

static void free_level(struct slpt *t, paddr_t pa, unsigned level)
{
	uint64_t *tab = table_at(t, pa);

	for (unsigned i = 0; level > 1 && i < 512; i++)
		if (t->fmt->present(tab[i]) && !t->fmt->is_leaf(tab[i], level))
			free_level(t, t->fmt->addr(tab[i]), level - 1);
	t->mem->free_page(t->mem->ctx, pa);
	t->table_pages--;
}

void slpt_destroy(struct slpt *t)
{
	if (t->root)
		free_level(t, t->root, 4);
	t->root = 0;
}
